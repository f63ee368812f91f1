-- Break-glass: a practitioner opened a child's record without a legitimate
-- relationship, giving a reason; the privacy officer reviews each opening. Both logs
-- are append-only: an opening expires by its own date and a review is a new row.
CREATE TABLE break_glass_openings (
    sequence     BIGSERIAL PRIMARY KEY,
    id           UUID   NOT NULL UNIQUE,
    principal_id TEXT   NOT NULL,
    display_name TEXT   NOT NULL,
    role         TEXT   NOT NULL,
    agency       TEXT,
    child        TEXT   NOT NULL,
    reason       TEXT   NOT NULL,
    opened_us    BIGINT NOT NULL,
    expires_us   BIGINT NOT NULL
);
CREATE INDEX break_glass_openings_principal ON break_glass_openings (principal_id, child, expires_us);

CREATE TABLE break_glass_reviews (
    sequence      BIGSERIAL PRIMARY KEY,
    id            UUID   NOT NULL UNIQUE,
    opening       UUID   NOT NULL REFERENCES break_glass_openings (id),
    reviewer_id   TEXT   NOT NULL,
    reviewer_name TEXT   NOT NULL,
    outcome       TEXT   NOT NULL CHECK (outcome IN ('justified', 'not_justified', 'referred')),
    note          TEXT   NOT NULL,
    at_us         BIGINT NOT NULL
);
CREATE INDEX break_glass_reviews_opening ON break_glass_reviews (opening);

CREATE TRIGGER break_glass_openings_are_append_only BEFORE UPDATE OR DELETE ON break_glass_openings
    FOR EACH ROW EXECUTE FUNCTION vigil_refuse_rewrite();
CREATE TRIGGER break_glass_openings_are_never_truncated BEFORE TRUNCATE ON break_glass_openings
    FOR EACH STATEMENT EXECUTE FUNCTION vigil_refuse_rewrite();
CREATE TRIGGER break_glass_reviews_are_append_only BEFORE UPDATE OR DELETE ON break_glass_reviews
    FOR EACH ROW EXECUTE FUNCTION vigil_refuse_rewrite();
CREATE TRIGGER break_glass_reviews_are_never_truncated BEFORE TRUNCATE ON break_glass_reviews
    FOR EACH STATEMENT EXECUTE FUNCTION vigil_refuse_rewrite();
