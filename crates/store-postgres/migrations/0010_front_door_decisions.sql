-- The MASH's decisions about referrals and alerts: the outcome, the rationale, who
-- takes it on and by when. Append-only and replayed with the events, like responses to
-- alerts; the body is the rules crate's (vigil_rules::FrontDoorDecision), the columns
-- beside it are for looking up.
CREATE TABLE front_door_decisions (
    sequence BIGSERIAL PRIMARY KEY,
    id       UUID   NOT NULL UNIQUE,
    item     TEXT   NOT NULL,
    by_id    TEXT   NOT NULL,
    at_us    BIGINT NOT NULL,
    body     JSONB  NOT NULL
);
CREATE INDEX front_door_decisions_item ON front_door_decisions (item);

CREATE TRIGGER front_door_decisions_are_append_only BEFORE UPDATE OR DELETE ON front_door_decisions
    FOR EACH ROW EXECUTE FUNCTION vigil_refuse_rewrite();
CREATE TRIGGER front_door_decisions_are_never_truncated BEFORE TRUNCATE ON front_door_decisions
    FOR EACH STATEMENT EXECUTE FUNCTION vigil_refuse_rewrite();
