-- Who may use Vigil: local accounts and API keys. Append-only like the events: a key
-- ends by a row in api_key_revocations, never by changing or deleting its row, so the
-- store shows who could act at any past moment. Secrets are kept only as hashes.
CREATE TABLE accounts (
    sequence      INTEGER PRIMARY KEY AUTOINCREMENT,
    user_name     TEXT    NOT NULL UNIQUE,
    display_name  TEXT    NOT NULL,
    role          TEXT    NOT NULL,
    agency        TEXT,
    team          TEXT,
    password_hash TEXT    NOT NULL,
    created_us    INTEGER NOT NULL,
    created_by    TEXT    NOT NULL
);

CREATE TABLE api_keys (
    sequence    INTEGER PRIMARY KEY AUTOINCREMENT,
    id          TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    secret_hash TEXT    NOT NULL,
    role        TEXT    NOT NULL,
    agency      TEXT,
    expires_us  INTEGER,
    created_us  INTEGER NOT NULL,
    created_by  TEXT    NOT NULL
);

CREATE TABLE api_key_revocations (
    sequence   INTEGER PRIMARY KEY AUTOINCREMENT,
    key_id     TEXT    NOT NULL UNIQUE REFERENCES api_keys (id),
    revoked_us INTEGER NOT NULL,
    revoked_by TEXT    NOT NULL
);

CREATE TRIGGER accounts_are_append_only_update BEFORE UPDATE ON accounts
BEGIN SELECT RAISE(ABORT, 'accounts are append-only'); END;
CREATE TRIGGER accounts_are_append_only_delete BEFORE DELETE ON accounts
BEGIN SELECT RAISE(ABORT, 'accounts are append-only'); END;
CREATE TRIGGER api_keys_are_append_only_update BEFORE UPDATE ON api_keys
BEGIN SELECT RAISE(ABORT, 'api keys are append-only'); END;
CREATE TRIGGER api_keys_are_append_only_delete BEFORE DELETE ON api_keys
BEGIN SELECT RAISE(ABORT, 'api keys are append-only'); END;
CREATE TRIGGER api_key_revocations_are_append_only_update BEFORE UPDATE ON api_key_revocations
BEGIN SELECT RAISE(ABORT, 'api key revocations are append-only'); END;
CREATE TRIGGER api_key_revocations_are_append_only_delete BEFORE DELETE ON api_key_revocations
BEGIN SELECT RAISE(ABORT, 'api key revocations are append-only'); END;
