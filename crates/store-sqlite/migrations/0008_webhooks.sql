-- Webhooks: agencies' subscriptions, the deliveries queued for them, each try (claimed
-- before it is sent, its result after), administrators' replays of dead letters, and
-- the disclosures ledger (what left Vigil, to whom, on what lawful basis). All
-- append-only: where a delivery stands is derived from its rows.
CREATE TABLE webhook_subscriptions (
    sequence     INTEGER PRIMARY KEY AUTOINCREMENT,
    id           TEXT    NOT NULL UNIQUE,
    agency       TEXT    NOT NULL,
    url          TEXT    NOT NULL,
    topics       TEXT    NOT NULL,
    lawful_basis TEXT    NOT NULL,
    secret       TEXT    NOT NULL,
    created_by   TEXT    NOT NULL,
    created_us   INTEGER NOT NULL
);

CREATE TABLE webhook_subscription_revocations (
    sequence     INTEGER PRIMARY KEY AUTOINCREMENT,
    subscription TEXT    NOT NULL UNIQUE REFERENCES webhook_subscriptions (id),
    revoked_by   TEXT    NOT NULL,
    reason       TEXT    NOT NULL,
    at_us        INTEGER NOT NULL
);

-- One delivery per (subscription, what it reports): two processes following the same
-- logs queue the same thing once.
CREATE TABLE webhook_deliveries (
    sequence     INTEGER PRIMARY KEY AUTOINCREMENT,
    id           TEXT    NOT NULL UNIQUE,
    subscription TEXT    NOT NULL REFERENCES webhook_subscriptions (id),
    subject      TEXT    NOT NULL,
    topic        TEXT    NOT NULL,
    child        TEXT,
    alert        TEXT,
    payload      TEXT    NOT NULL,
    created_us   INTEGER NOT NULL,
    UNIQUE (subscription, subject)
);

-- A try is claimed before it is sent, so two processes never send the same try.
CREATE TABLE webhook_attempts (
    sequence   INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery   TEXT    NOT NULL REFERENCES webhook_deliveries (id),
    number     INTEGER NOT NULL CHECK (number > 0),
    started_us INTEGER NOT NULL,
    UNIQUE (delivery, number)
);

CREATE TABLE webhook_attempt_results (
    sequence    INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery    TEXT    NOT NULL,
    number      INTEGER NOT NULL,
    finished_us INTEGER NOT NULL,
    status      INTEGER,
    error       TEXT,
    delivered   INTEGER NOT NULL CHECK (delivered IN (0, 1)),
    gave_up     INTEGER NOT NULL CHECK (gave_up IN (0, 1)),
    UNIQUE (delivery, number),
    FOREIGN KEY (delivery, number) REFERENCES webhook_attempts (delivery, number)
);

CREATE TABLE webhook_replays (
    sequence      INTEGER PRIMARY KEY AUTOINCREMENT,
    id            TEXT    NOT NULL UNIQUE,
    delivery      TEXT    NOT NULL REFERENCES webhook_deliveries (id),
    after_attempt INTEGER NOT NULL,
    by_id         TEXT    NOT NULL,
    at_us         INTEGER NOT NULL,
    UNIQUE (delivery, after_attempt)
);

CREATE TABLE disclosures (
    sequence     INTEGER PRIMARY KEY AUTOINCREMENT,
    id           TEXT    NOT NULL UNIQUE,
    recipient    TEXT    NOT NULL,
    subscription TEXT,
    delivery     TEXT    UNIQUE,
    channel      TEXT    NOT NULL,
    child        TEXT,
    alert        TEXT,
    what         TEXT    NOT NULL,
    lawful_basis TEXT    NOT NULL,
    at_us        INTEGER NOT NULL
);
CREATE INDEX disclosures_child ON disclosures (child);

CREATE TRIGGER webhook_subscriptions_are_append_only_update BEFORE UPDATE ON webhook_subscriptions
BEGIN SELECT RAISE(ABORT, 'webhook subscriptions are append-only'); END;
CREATE TRIGGER webhook_subscriptions_are_append_only_delete BEFORE DELETE ON webhook_subscriptions
BEGIN SELECT RAISE(ABORT, 'webhook subscriptions are append-only'); END;
CREATE TRIGGER webhook_subscription_revocations_are_append_only_update BEFORE UPDATE ON webhook_subscription_revocations
BEGIN SELECT RAISE(ABORT, 'webhook revocations are append-only'); END;
CREATE TRIGGER webhook_subscription_revocations_are_append_only_delete BEFORE DELETE ON webhook_subscription_revocations
BEGIN SELECT RAISE(ABORT, 'webhook revocations are append-only'); END;
CREATE TRIGGER webhook_deliveries_are_append_only_update BEFORE UPDATE ON webhook_deliveries
BEGIN SELECT RAISE(ABORT, 'webhook deliveries are append-only'); END;
CREATE TRIGGER webhook_deliveries_are_append_only_delete BEFORE DELETE ON webhook_deliveries
BEGIN SELECT RAISE(ABORT, 'webhook deliveries are append-only'); END;
CREATE TRIGGER webhook_attempts_are_append_only_update BEFORE UPDATE ON webhook_attempts
BEGIN SELECT RAISE(ABORT, 'webhook attempts are append-only'); END;
CREATE TRIGGER webhook_attempts_are_append_only_delete BEFORE DELETE ON webhook_attempts
BEGIN SELECT RAISE(ABORT, 'webhook attempts are append-only'); END;
CREATE TRIGGER webhook_attempt_results_are_append_only_update BEFORE UPDATE ON webhook_attempt_results
BEGIN SELECT RAISE(ABORT, 'webhook attempt results are append-only'); END;
CREATE TRIGGER webhook_attempt_results_are_append_only_delete BEFORE DELETE ON webhook_attempt_results
BEGIN SELECT RAISE(ABORT, 'webhook attempt results are append-only'); END;
CREATE TRIGGER webhook_replays_are_append_only_update BEFORE UPDATE ON webhook_replays
BEGIN SELECT RAISE(ABORT, 'webhook replays are append-only'); END;
CREATE TRIGGER webhook_replays_are_append_only_delete BEFORE DELETE ON webhook_replays
BEGIN SELECT RAISE(ABORT, 'webhook replays are append-only'); END;
CREATE TRIGGER disclosures_are_append_only_update BEFORE UPDATE ON disclosures
BEGIN SELECT RAISE(ABORT, 'disclosures are append-only'); END;
CREATE TRIGGER disclosures_are_append_only_delete BEFORE DELETE ON disclosures
BEGIN SELECT RAISE(ABORT, 'disclosures are append-only'); END;
