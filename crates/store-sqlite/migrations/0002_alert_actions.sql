-- What people did about alerts (acknowledged, closed), append-only like the events.
CREATE TABLE alert_actions (
    sequence INTEGER PRIMARY KEY AUTOINCREMENT,
    id       TEXT    NOT NULL UNIQUE,
    alert    TEXT    NOT NULL,
    at_us    INTEGER NOT NULL,
    body     TEXT    NOT NULL
);
CREATE INDEX alert_actions_alert ON alert_actions (alert);

CREATE TRIGGER alert_actions_are_append_only_update BEFORE UPDATE ON alert_actions
BEGIN SELECT RAISE(ABORT, 'alert actions are append-only'); END;
CREATE TRIGGER alert_actions_are_append_only_delete BEFORE DELETE ON alert_actions
BEGIN SELECT RAISE(ABORT, 'alert actions are append-only'); END;
