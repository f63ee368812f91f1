-- The event log. Append-only: triggers below refuse UPDATE and DELETE, so history
-- cannot be rewritten even by a mistake in SQL elsewhere. Times are microseconds
-- since 1970-01-01 UTC.
CREATE TABLE events (
    sequence            INTEGER PRIMARY KEY AUTOINCREMENT,
    id                  TEXT    NOT NULL UNIQUE,
    agency              TEXT    NOT NULL,
    source_system       TEXT    NOT NULL,
    source_id           TEXT    NOT NULL,
    kind                TEXT    NOT NULL,
    occurred_start_us   INTEGER NOT NULL,
    recorded_at_us      INTEGER NOT NULL,
    ingested_at_us      INTEGER NOT NULL,
    supersedes          TEXT    REFERENCES events (id),
    content_hash        TEXT    NOT NULL,
    identity_record_ids TEXT    NOT NULL,
    body                TEXT    NOT NULL,
    UNIQUE (agency, source_system, source_id)
);

-- An event is corrected at most once; a second correction corrects the first.
CREATE UNIQUE INDEX events_supersedes ON events (supersedes) WHERE supersedes IS NOT NULL;
CREATE INDEX events_agency ON events (agency, sequence);

-- One row per person per event, as the agency recorded them, for look-ups by the
-- agency's own reference and by NHS number.
CREATE TABLE identity_records (
    id               TEXT    PRIMARY KEY,
    event_sequence   INTEGER NOT NULL REFERENCES events (sequence),
    position         INTEGER NOT NULL,
    agency           TEXT    NOT NULL,
    agency_reference TEXT,
    nhs_number       TEXT,
    role             TEXT    NOT NULL,
    UNIQUE (event_sequence, position)
);
CREATE INDEX identity_records_reference ON identity_records (agency, agency_reference) WHERE agency_reference IS NOT NULL;
CREATE INDEX identity_records_nhs_number ON identity_records (nhs_number) WHERE nhs_number IS NOT NULL;

CREATE TRIGGER events_are_append_only_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only: record a correction as a new event'); END;
CREATE TRIGGER events_are_append_only_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only: record a correction as a new event'); END;
CREATE TRIGGER identity_records_are_append_only_update BEFORE UPDATE ON identity_records
BEGIN SELECT RAISE(ABORT, 'identity records are append-only'); END;
CREATE TRIGGER identity_records_are_append_only_delete BEFORE DELETE ON identity_records
BEGIN SELECT RAISE(ABORT, 'identity records are append-only'); END;
