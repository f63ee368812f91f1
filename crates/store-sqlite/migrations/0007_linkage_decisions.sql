-- People's decisions about pairs of identity records the model could not decide: the
-- same person (link) or not (keep_apart), with who decided and why. Append-only and
-- replayed with the events, so persons as known at any moment are rebuilt exactly.
CREATE TABLE linkage_decisions (
    sequence     INTEGER PRIMARY KEY AUTOINCREMENT,
    id           TEXT    NOT NULL UNIQUE,
    left_record  TEXT    NOT NULL,
    right_record TEXT    NOT NULL,
    decision     TEXT    NOT NULL CHECK (decision IN ('link', 'keep_apart')),
    by_id        TEXT    NOT NULL,
    by_name      TEXT    NOT NULL,
    reason       TEXT    NOT NULL,
    at_us        INTEGER NOT NULL
);

CREATE TRIGGER linkage_decisions_are_append_only_update BEFORE UPDATE ON linkage_decisions
BEGIN SELECT RAISE(ABORT, 'linkage decisions are append-only'); END;
CREATE TRIGGER linkage_decisions_are_append_only_delete BEFORE DELETE ON linkage_decisions
BEGIN SELECT RAISE(ABORT, 'linkage decisions are append-only'); END;
