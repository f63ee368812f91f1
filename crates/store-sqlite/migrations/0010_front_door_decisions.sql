-- The MASH's decisions about referrals and alerts: the outcome, the rationale, who
-- takes it on and by when. Append-only and replayed with the events, like responses to
-- alerts; the body is the rules crate's (vigil_rules::FrontDoorDecision), the columns
-- beside it are for looking up.
CREATE TABLE front_door_decisions (
    sequence INTEGER PRIMARY KEY AUTOINCREMENT,
    id       TEXT    NOT NULL UNIQUE,
    item     TEXT    NOT NULL,
    by_id    TEXT    NOT NULL,
    at_us    INTEGER NOT NULL,
    body     TEXT    NOT NULL
);
CREATE INDEX front_door_decisions_item ON front_door_decisions (item);

CREATE TRIGGER front_door_decisions_are_append_only_update BEFORE UPDATE ON front_door_decisions
BEGIN SELECT RAISE(ABORT, 'front-door decisions are append-only'); END;
CREATE TRIGGER front_door_decisions_are_append_only_delete BEFORE DELETE ON front_door_decisions
BEGIN SELECT RAISE(ABORT, 'front-door decisions are append-only'); END;
