-- What Vigil concluded from the events (linkage decisions, place resolutions, alerts,
-- questions, agencies told), append-only like the events. `key` identifies a
-- conclusion, so the same one reached again by a replay is stored once.
CREATE TABLE derivations (
    sequence  INTEGER PRIMARY KEY AUTOINCREMENT,
    key       TEXT    NOT NULL UNIQUE,
    kind      TEXT    NOT NULL,
    at_us     INTEGER NOT NULL,
    stored_us INTEGER NOT NULL,
    body      TEXT    NOT NULL
);

CREATE TRIGGER derivations_are_append_only_update BEFORE UPDATE ON derivations
BEGIN SELECT RAISE(ABORT, 'derivations are append-only'); END;
CREATE TRIGGER derivations_are_append_only_delete BEFORE DELETE ON derivations
BEGIN SELECT RAISE(ABORT, 'derivations are append-only'); END;
