-- People's decisions about pairs of identity records the model could not decide: the
-- same person (link) or not (keep_apart), with who decided and why. Append-only and
-- replayed with the events, so persons as known at any moment are rebuilt exactly.
CREATE TABLE linkage_decisions (
    sequence     BIGSERIAL PRIMARY KEY,
    id           UUID   NOT NULL UNIQUE,
    left_record  TEXT   NOT NULL,
    right_record TEXT   NOT NULL,
    decision     TEXT   NOT NULL CHECK (decision IN ('link', 'keep_apart')),
    by_id        TEXT   NOT NULL,
    by_name      TEXT   NOT NULL,
    reason       TEXT   NOT NULL,
    at_us        BIGINT NOT NULL
);

CREATE TRIGGER linkage_decisions_are_append_only BEFORE UPDATE OR DELETE ON linkage_decisions
    FOR EACH ROW EXECUTE FUNCTION vigil_refuse_rewrite();
CREATE TRIGGER linkage_decisions_are_never_truncated BEFORE TRUNCATE ON linkage_decisions
    FOR EACH STATEMENT EXECUTE FUNCTION vigil_refuse_rewrite();
