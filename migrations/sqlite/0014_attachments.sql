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
    data          BLOB NOT NULL,
    PRIMARY KEY (attachment_id, copy, seq)
);

-- What was uploaded stays as it was: only the tombstone may be written, once.
CREATE TRIGGER attachments_fixed BEFORE UPDATE OF id, case_id, kind, title, examined_on, specialty,
    content_type, size_bytes, sha256, display_size_bytes, display_sha256, storage, supersedes,
    uploaded_by, uploaded_at ON attachments
BEGIN
    SELECT RAISE(ABORT, 'an attachment is never changed: upload a new one that supersedes it');
END;

CREATE TRIGGER attachments_withdrawn_once BEFORE UPDATE OF withdrawn_at ON attachments
    WHEN OLD.withdrawn_at IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'an attachment is withdrawn once');
END;

CREATE TRIGGER attachments_no_delete BEFORE DELETE ON attachments
BEGIN
    SELECT RAISE(ABORT, 'attachments are never deleted: withdraw one with a reason');
END;

CREATE TRIGGER attachment_chunks_no_update BEFORE UPDATE ON attachment_chunks
BEGIN
    SELECT RAISE(ABORT, 'attachment_chunks is append-only');
END;

CREATE TRIGGER attachment_chunks_no_delete BEFORE DELETE ON attachment_chunks
BEGIN
    SELECT RAISE(ABORT, 'attachment_chunks is append-only');
END;

-- Meeting mode: the document or image the presenter shows with the case (everyone follows).
ALTER TABLE meetings ADD COLUMN current_attachment_id TEXT REFERENCES attachments(id);
