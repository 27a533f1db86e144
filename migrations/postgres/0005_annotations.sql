-- Specialty annotations on a case. The annotation row holds the current version; every version,
-- including the tombstone that withdraws one, is kept in annotation_versions and never changed.
CREATE TABLE annotations (
    id         TEXT PRIMARY KEY,
    case_id    TEXT NOT NULL REFERENCES cases(id),
    author_id  TEXT NOT NULL REFERENCES users(id),
    specialty  TEXT NOT NULL,
    reply_to   TEXT REFERENCES annotations(id),
    version    BIGINT NOT NULL,
    withdrawn  BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX annotations_case ON annotations (case_id);

CREATE TABLE annotation_versions (
    annotation_id    TEXT NOT NULL REFERENCES annotations(id),
    version          BIGINT NOT NULL,
    at               TEXT NOT NULL,
    body             TEXT NOT NULL,
    kind             TEXT NOT NULL,
    structured       TEXT NOT NULL,
    withdrawn_reason TEXT,
    PRIMARY KEY (annotation_id, version)
);

CREATE FUNCTION annotation_versions_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'annotation_versions is append-only';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER annotation_versions_no_change BEFORE UPDATE OR DELETE ON annotation_versions
    FOR EACH ROW EXECUTE FUNCTION annotation_versions_append_only();
