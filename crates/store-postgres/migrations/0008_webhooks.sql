-- Webhooks: agencies' subscriptions, the deliveries queued for them, each try (claimed
-- before it is sent, its result after), administrators' replays of dead letters, and
-- the disclosures ledger (what left Vigil, to whom, on what lawful basis). All
-- append-only: where a delivery stands is derived from its rows.
CREATE TABLE webhook_subscriptions (
    sequence     BIGSERIAL PRIMARY KEY,
    id           UUID   NOT NULL UNIQUE,
    agency       TEXT   NOT NULL,
    url          TEXT   NOT NULL,
    topics       TEXT   NOT NULL,
    lawful_basis TEXT   NOT NULL,
    secret       TEXT   NOT NULL,
    created_by   TEXT   NOT NULL,
    created_us   BIGINT NOT NULL
);

CREATE TABLE webhook_subscription_revocations (
    sequence     BIGSERIAL PRIMARY KEY,
    subscription UUID   NOT NULL UNIQUE REFERENCES webhook_subscriptions (id),
    revoked_by   TEXT   NOT NULL,
    reason       TEXT   NOT NULL,
    at_us        BIGINT NOT NULL
);

-- One delivery per (subscription, what it reports): two processes following the same
-- logs queue the same thing once.
CREATE TABLE webhook_deliveries (
    sequence     BIGSERIAL PRIMARY KEY,
    id           UUID   NOT NULL UNIQUE,
    subscription UUID   NOT NULL REFERENCES webhook_subscriptions (id),
    subject      TEXT   NOT NULL,
    topic        TEXT   NOT NULL,
    child        TEXT,
    alert        TEXT,
    payload      JSONB  NOT NULL,
    created_us   BIGINT NOT NULL,
    UNIQUE (subscription, subject)
);

-- A try is claimed before it is sent, so two processes never send the same try.
CREATE TABLE webhook_attempts (
    sequence   BIGSERIAL PRIMARY KEY,
    delivery   UUID   NOT NULL REFERENCES webhook_deliveries (id),
    number     BIGINT NOT NULL CHECK (number > 0),
    started_us BIGINT NOT NULL,
    UNIQUE (delivery, number)
);

CREATE TABLE webhook_attempt_results (
    sequence    BIGSERIAL PRIMARY KEY,
    delivery    UUID    NOT NULL,
    number      BIGINT  NOT NULL,
    finished_us BIGINT  NOT NULL,
    status      BIGINT,
    error       TEXT,
    delivered   BOOLEAN NOT NULL,
    gave_up     BOOLEAN NOT NULL,
    UNIQUE (delivery, number),
    FOREIGN KEY (delivery, number) REFERENCES webhook_attempts (delivery, number)
);

CREATE TABLE webhook_replays (
    sequence      BIGSERIAL PRIMARY KEY,
    id            UUID   NOT NULL UNIQUE,
    delivery      UUID   NOT NULL REFERENCES webhook_deliveries (id),
    after_attempt BIGINT NOT NULL,
    by_id         TEXT   NOT NULL,
    at_us         BIGINT NOT NULL,
    UNIQUE (delivery, after_attempt)
);

CREATE TABLE disclosures (
    sequence     BIGSERIAL PRIMARY KEY,
    id           UUID   NOT NULL UNIQUE,
    recipient    TEXT   NOT NULL,
    subscription UUID,
    delivery     UUID   UNIQUE,
    channel      TEXT   NOT NULL,
    child        TEXT,
    alert        TEXT,
    what         TEXT   NOT NULL,
    lawful_basis TEXT   NOT NULL,
    at_us        BIGINT NOT NULL
);
CREATE INDEX disclosures_child ON disclosures (child);

CREATE TRIGGER webhook_subscriptions_are_append_only BEFORE UPDATE OR DELETE ON webhook_subscriptions
    FOR EACH ROW EXECUTE FUNCTION vigil_refuse_rewrite();
CREATE TRIGGER webhook_subscriptions_are_never_truncated BEFORE TRUNCATE ON webhook_subscriptions
    FOR EACH STATEMENT EXECUTE FUNCTION vigil_refuse_rewrite();
CREATE TRIGGER webhook_subscription_revocations_are_append_only BEFORE UPDATE OR DELETE ON webhook_subscription_revocations
    FOR EACH ROW EXECUTE FUNCTION vigil_refuse_rewrite();
CREATE TRIGGER webhook_subscription_revocations_are_never_truncated BEFORE TRUNCATE ON webhook_subscription_revocations
    FOR EACH STATEMENT EXECUTE FUNCTION vigil_refuse_rewrite();
CREATE TRIGGER webhook_deliveries_are_append_only BEFORE UPDATE OR DELETE ON webhook_deliveries
    FOR EACH ROW EXECUTE FUNCTION vigil_refuse_rewrite();
CREATE TRIGGER webhook_deliveries_are_never_truncated BEFORE TRUNCATE ON webhook_deliveries
    FOR EACH STATEMENT EXECUTE FUNCTION vigil_refuse_rewrite();
CREATE TRIGGER webhook_attempts_are_append_only BEFORE UPDATE OR DELETE ON webhook_attempts
    FOR EACH ROW EXECUTE FUNCTION vigil_refuse_rewrite();
CREATE TRIGGER webhook_attempts_are_never_truncated BEFORE TRUNCATE ON webhook_attempts
    FOR EACH STATEMENT EXECUTE FUNCTION vigil_refuse_rewrite();
CREATE TRIGGER webhook_attempt_results_are_append_only BEFORE UPDATE OR DELETE ON webhook_attempt_results
    FOR EACH ROW EXECUTE FUNCTION vigil_refuse_rewrite();
CREATE TRIGGER webhook_attempt_results_are_never_truncated BEFORE TRUNCATE ON webhook_attempt_results
    FOR EACH STATEMENT EXECUTE FUNCTION vigil_refuse_rewrite();
CREATE TRIGGER webhook_replays_are_append_only BEFORE UPDATE OR DELETE ON webhook_replays
    FOR EACH ROW EXECUTE FUNCTION vigil_refuse_rewrite();
CREATE TRIGGER webhook_replays_are_never_truncated BEFORE TRUNCATE ON webhook_replays
    FOR EACH STATEMENT EXECUTE FUNCTION vigil_refuse_rewrite();
CREATE TRIGGER disclosures_are_append_only BEFORE UPDATE OR DELETE ON disclosures
    FOR EACH ROW EXECUTE FUNCTION vigil_refuse_rewrite();
CREATE TRIGGER disclosures_are_never_truncated BEFORE TRUNCATE ON disclosures
    FOR EACH STATEMENT EXECUTE FUNCTION vigil_refuse_rewrite();
