-- Who read or wrote what, when, why and with what result: the audit log, append-only
-- and hash-chained (crates/store/src/audit.rs). Vigil numbers the entries itself under
-- an advisory lock, 1, 2, 3... with no gaps (a sequence object would leave gaps on
-- rollback), so a missing number is a removed entry.
CREATE TABLE audit (
    sequence      BIGINT   PRIMARY KEY,
    at_us         BIGINT   NOT NULL,
    actor_id      TEXT     NOT NULL,
    actor_role    TEXT,
    actor_agency  TEXT,
    action        TEXT     NOT NULL,
    path          TEXT     NOT NULL,
    resource      TEXT,
    purpose       TEXT,
    status        INTEGER  NOT NULL,
    allowed       BOOLEAN  NOT NULL,
    request_id    TEXT,
    previous_hash TEXT     NOT NULL,
    hash          TEXT     NOT NULL
);
CREATE INDEX audit_resource ON audit (resource);
CREATE INDEX audit_actor ON audit (actor_id);

CREATE TRIGGER audit_is_append_only BEFORE UPDATE OR DELETE ON audit
    FOR EACH ROW EXECUTE FUNCTION vigil_refuse_rewrite();
CREATE TRIGGER audit_is_never_truncated BEFORE TRUNCATE ON audit
    FOR EACH STATEMENT EXECUTE FUNCTION vigil_refuse_rewrite();
