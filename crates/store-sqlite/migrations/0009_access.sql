-- Access control, continued (issue 5). Append-only like the rest: an account is
-- disabled or enabled by a row in account_changes, never by changing or deleting its
-- own row, so the store shows who could act at any past moment; the latest change
-- stands. An API key may belong to an account (owner): it acts as that person and
-- stops working while the account is disabled. Adding a column changes no row: keys
-- made before this migration have no owner.
CREATE TABLE account_changes (
    sequence   INTEGER PRIMARY KEY AUTOINCREMENT,
    user_name  TEXT    NOT NULL REFERENCES accounts (user_name),
    change     TEXT    NOT NULL CHECK (change IN ('disabled', 'enabled')),
    reason     TEXT    NOT NULL,
    changed_us INTEGER NOT NULL,
    changed_by TEXT    NOT NULL
);

CREATE INDEX account_changes_by_user ON account_changes (user_name, sequence);

CREATE TRIGGER account_changes_are_append_only_update BEFORE UPDATE ON account_changes
BEGIN SELECT RAISE(ABORT, 'account changes are append-only'); END;
CREATE TRIGGER account_changes_are_append_only_delete BEFORE DELETE ON account_changes
BEGIN SELECT RAISE(ABORT, 'account changes are append-only'); END;

ALTER TABLE api_keys ADD COLUMN owner TEXT REFERENCES accounts (user_name);
