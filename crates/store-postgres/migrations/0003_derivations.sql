-- What Vigil concluded from the events (linkage decisions, place resolutions, alerts,
-- questions, agencies told), append-only like the events. `key` identifies a
-- conclusion, so the same one reached again by a replay is stored once.
CREATE TABLE derivations (
    sequence  BIGSERIAL PRIMARY KEY,
    key       TEXT   NOT NULL UNIQUE,
    kind      TEXT   NOT NULL,
    at_us     BIGINT NOT NULL,
    stored_us BIGINT NOT NULL,
    body      JSONB  NOT NULL
);

CREATE TRIGGER derivations_are_append_only BEFORE UPDATE OR DELETE ON derivations
    FOR EACH ROW EXECUTE FUNCTION vigil_refuse_rewrite();
CREATE TRIGGER derivations_are_never_truncated BEFORE TRUNCATE ON derivations
    FOR EACH STATEMENT EXECUTE FUNCTION vigil_refuse_rewrite();
