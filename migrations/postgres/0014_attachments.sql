-- Documents and key images on a case (issue 20). An attachment is never changed: a corrected
-- report is a new attachment that supersedes the old one (both stay readable); removal is a
-- tombstone with a reason (the withdrawal columns, set once). The bytes live in chunks of at
-- most 256 KiB, so neither an upload nor a download holds a whole file in memory, and a backup
-- of the database carries them. `copy` is 'original' (as uploaded, byte for byte) or
-- 'display' (an image with its metadata removed: what screens show); an attachment whose
-- display copy would be identical to the original has no 'display' chunks.
CREATE TABLE attachments (
    id                 TEXT PRIMARY KEY,
    case_id            TEXT NOT NULL REFERENCES cases(id),
    kind               TEXT NOT NULL,
    title              TEXT NOT NULL,
    examined_on        TEXT,
    specialty          TEXT NOT NULL,
    content_type       TEXT NOT NULL,
    size_bytes         BIGINT NOT NULL,
    sha256             TEXT NOT NULL,
    display_size_bytes BIGINT NOT NULL,
    display_sha256     TEXT NOT NULL,
    storage            TEXT NOT NULL,
    supersedes         TEXT REFERENCES attachments(id),
    uploaded_by        TEXT NOT NULL REFERENCES users(id),
    uploaded_at        TEXT NOT NULL,
    version            BIGINT NOT NULL,
    withdrawn_at       TEXT,
    withdrawn_by       TEXT REFERENCES users(id),
    withdrawn_reason   TEXT
);
CREATE INDEX attachments_case ON attachments (case_id);

CREATE TABLE attachment_chunks (
    attachment_id TEXT NOT NULL REFERENCES attachments(id),
    copy          TEXT NOT NULL,
    seq           BIGINT NOT NULL,
    data          BYTEA NOT NULL,
    PRIMARY KEY (attachment_id, copy, seq)
);

-- What was uploaded stays as it was: only the tombstone may be written, once.
CREATE FUNCTION attachments_fixed() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'attachments are never deleted: withdraw one with a reason';
    END IF;
    IF (NEW.id, NEW.case_id, NEW.kind, NEW.title, NEW.examined_on, NEW.specialty, NEW.content_type,
        NEW.size_bytes, NEW.sha256, NEW.display_size_bytes, NEW.display_sha256, NEW.storage,
        NEW.supersedes, NEW.uploaded_by, NEW.uploaded_at)
       IS DISTINCT FROM
       (OLD.id, OLD.case_id, OLD.kind, OLD.title, OLD.examined_on, OLD.specialty, OLD.content_type,
        OLD.size_bytes, OLD.sha256, OLD.display_size_bytes, OLD.display_sha256, OLD.storage,
        OLD.supersedes, OLD.uploaded_by, OLD.uploaded_at) THEN
        RAISE EXCEPTION 'an attachment is never changed: upload a new one that supersedes it';
    END IF;
    IF OLD.withdrawn_at IS NOT NULL THEN
        RAISE EXCEPTION 'an attachment is withdrawn once';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER attachments_fixed BEFORE UPDATE OR DELETE ON attachments
    FOR EACH ROW EXECUTE FUNCTION attachments_fixed();

CREATE FUNCTION attachment_chunks_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'attachment_chunks is append-only';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER attachment_chunks_no_change BEFORE UPDATE OR DELETE ON attachment_chunks
    FOR EACH ROW EXECUTE FUNCTION attachment_chunks_append_only();

-- Meeting mode: the document or image the presenter shows with the case (everyone follows).
ALTER TABLE meetings ADD COLUMN current_attachment_id TEXT REFERENCES attachments(id);
