-- Who read or wrote what, when, why and with what result: the audit log, append-only
-- and hash-chained (crates/store/src/audit.rs). Vigil numbers the entries itself,
-- 1, 2, 3... with no gaps, so a missing number is a removed entry. The triggers stop a
-- mistake; someone who drops them can still edit the file, and `vigil audit verify`
-- shows where.
CREATE TABLE audit (
    sequence      INTEGER PRIMARY KEY,
    at_us         INTEGER NOT NULL,
    actor_id      TEXT    NOT NULL,
    actor_role    TEXT,
    actor_agency  TEXT,
    action        TEXT    NOT NULL,
    path          TEXT    NOT NULL,
    resource      TEXT,
    purpose       TEXT,
    status        INTEGER NOT NULL,
    allowed       INTEGER NOT NULL,
    request_id    TEXT,
    previous_hash TEXT    NOT NULL,
    hash          TEXT    NOT NULL
);
CREATE INDEX audit_resource ON audit (resource);
CREATE INDEX audit_actor ON audit (actor_id);

CREATE TRIGGER audit_is_append_only_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_is_append_only_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
