-- What people did about alerts (acknowledged, closed), append-only like the events.
CREATE TABLE alert_actions (
    sequence BIGSERIAL PRIMARY KEY,
    id       UUID   NOT NULL UNIQUE,
    alert    TEXT   NOT NULL,
    at_us    BIGINT NOT NULL,
    body     JSONB  NOT NULL
);
CREATE INDEX alert_actions_alert ON alert_actions (alert);

CREATE TRIGGER alert_actions_are_append_only BEFORE UPDATE OR DELETE ON alert_actions
    FOR EACH ROW EXECUTE FUNCTION vigil_refuse_rewrite();
CREATE TRIGGER alert_actions_are_never_truncated BEFORE TRUNCATE ON alert_actions
    FOR EACH STATEMENT EXECUTE FUNCTION vigil_refuse_rewrite();
