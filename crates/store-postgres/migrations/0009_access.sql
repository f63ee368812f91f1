-- Access control, continued (issue 5). Append-only like the rest: an account is
-- disabled or enabled by a row in account_changes, never by changing or deleting its
-- own row, so the store shows who could act at any past moment; the latest change
-- stands. An API key may belong to an account (owner): it acts as that person and
-- stops working while the account is disabled. Adding a column changes no row: keys
-- made before this migration have no owner.
CREATE TABLE account_changes (
    sequence   BIGSERIAL PRIMARY KEY,
    user_name  TEXT   NOT NULL REFERENCES accounts (user_name),
    change     TEXT   NOT NULL CHECK (change IN ('disabled', 'enabled')),
    reason     TEXT   NOT NULL,
    changed_us BIGINT NOT NULL,
    changed_by TEXT   NOT NULL
);

CREATE INDEX account_changes_by_user ON account_changes (user_name, sequence);

CREATE TRIGGER account_changes_are_append_only BEFORE UPDATE OR DELETE ON account_changes
    FOR EACH ROW EXECUTE FUNCTION vigil_refuse_rewrite();
CREATE TRIGGER account_changes_are_never_truncated BEFORE TRUNCATE ON account_changes
    FOR EACH STATEMENT EXECUTE FUNCTION vigil_refuse_rewrite();

ALTER TABLE api_keys ADD COLUMN owner TEXT REFERENCES accounts (user_name);
