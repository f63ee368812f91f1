-- Who may use Vigil: local accounts and API keys. Append-only like the events: a key
-- ends by a row in api_key_revocations, never by changing or deleting its row, so the
-- store shows who could act at any past moment. Secrets are kept only as hashes.
CREATE TABLE accounts (
    sequence      BIGSERIAL PRIMARY KEY,
    user_name     TEXT   NOT NULL UNIQUE,
    display_name  TEXT   NOT NULL,
    role          TEXT   NOT NULL,
    agency        TEXT,
    team          TEXT,
    password_hash TEXT   NOT NULL,
    created_us    BIGINT NOT NULL,
    created_by    TEXT   NOT NULL
);

CREATE TABLE api_keys (
    sequence    BIGSERIAL PRIMARY KEY,
    id          TEXT   NOT NULL UNIQUE,
    name        TEXT   NOT NULL,
    secret_hash TEXT   NOT NULL,
    role        TEXT   NOT NULL,
    agency      TEXT,
    expires_us  BIGINT,
    created_us  BIGINT NOT NULL,
    created_by  TEXT   NOT NULL
);

CREATE TABLE api_key_revocations (
    sequence   BIGSERIAL PRIMARY KEY,
    key_id     TEXT   NOT NULL UNIQUE REFERENCES api_keys (id),
    revoked_us BIGINT NOT NULL,
    revoked_by TEXT   NOT NULL
);

CREATE TRIGGER accounts_are_append_only BEFORE UPDATE OR DELETE ON accounts
    FOR EACH ROW EXECUTE FUNCTION vigil_refuse_rewrite();
CREATE TRIGGER accounts_are_never_truncated BEFORE TRUNCATE ON accounts
    FOR EACH STATEMENT EXECUTE FUNCTION vigil_refuse_rewrite();
CREATE TRIGGER api_keys_are_append_only BEFORE UPDATE OR DELETE ON api_keys
    FOR EACH ROW EXECUTE FUNCTION vigil_refuse_rewrite();
CREATE TRIGGER api_keys_are_never_truncated BEFORE TRUNCATE ON api_keys
    FOR EACH STATEMENT EXECUTE FUNCTION vigil_refuse_rewrite();
CREATE TRIGGER api_key_revocations_are_append_only BEFORE UPDATE OR DELETE ON api_key_revocations
    FOR EACH ROW EXECUTE FUNCTION vigil_refuse_rewrite();
CREATE TRIGGER api_key_revocations_are_never_truncated BEFORE TRUNCATE ON api_key_revocations
    FOR EACH STATEMENT EXECUTE FUNCTION vigil_refuse_rewrite();
