-- The event log. Append-only: the triggers below refuse UPDATE, DELETE and TRUNCATE,
-- so history cannot be rewritten even by a mistake in SQL elsewhere. Times are
-- microseconds since 1970-01-01 UTC, as in the embedded store.
CREATE TABLE events (
    sequence            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id                  UUID   NOT NULL UNIQUE,
    agency              TEXT   NOT NULL,
    source_system       TEXT   NOT NULL,
    source_id           TEXT   NOT NULL,
    kind                TEXT   NOT NULL,
    occurred_start_us   BIGINT NOT NULL,
    recorded_at_us      BIGINT NOT NULL,
    ingested_at_us      BIGINT NOT NULL,
    supersedes          UUID   REFERENCES events (id),
    content_hash        TEXT   NOT NULL,
    identity_record_ids JSONB  NOT NULL,
    body                JSONB  NOT NULL,
    UNIQUE (agency, source_system, source_id)
);

-- An event is corrected at most once; a second correction corrects the first.
CREATE UNIQUE INDEX events_supersedes ON events (supersedes) WHERE supersedes IS NOT NULL;
CREATE INDEX events_agency ON events (agency, sequence);

CREATE TABLE identity_records (
    id               UUID    PRIMARY KEY,
    event_sequence   BIGINT  NOT NULL REFERENCES events (sequence),
    position         INTEGER NOT NULL,
    agency           TEXT    NOT NULL,
    agency_reference TEXT,
    nhs_number       TEXT,
    role             TEXT    NOT NULL,
    UNIQUE (event_sequence, position)
);
CREATE INDEX identity_records_reference ON identity_records (agency, agency_reference) WHERE agency_reference IS NOT NULL;
CREATE INDEX identity_records_nhs_number ON identity_records (nhs_number) WHERE nhs_number IS NOT NULL;

CREATE FUNCTION vigil_refuse_rewrite() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: record a correction as a new event', TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END
$$;

CREATE TRIGGER events_are_append_only BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION vigil_refuse_rewrite();
CREATE TRIGGER events_are_never_truncated BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION vigil_refuse_rewrite();
CREATE TRIGGER identity_records_are_append_only BEFORE UPDATE OR DELETE ON identity_records
    FOR EACH ROW EXECUTE FUNCTION vigil_refuse_rewrite();
CREATE TRIGGER identity_records_are_never_truncated BEFORE TRUNCATE ON identity_records
    FOR EACH STATEMENT EXECUTE FUNCTION vigil_refuse_rewrite();
