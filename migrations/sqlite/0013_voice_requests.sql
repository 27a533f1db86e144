-- Pre-review (issue 18): a coordinator asks a specialty for its view of a case. The request
-- shows on that specialty's home and marks the case until the specialty's voice (a view or
-- "no comment") stands. Requests are never changed or removed.
CREATE TABLE voice_requests (
    id        TEXT PRIMARY KEY,
    case_id   TEXT NOT NULL REFERENCES cases(id),
    specialty TEXT NOT NULL,
    note      TEXT NOT NULL,
    asked_by  TEXT NOT NULL REFERENCES users(id),
    asked_at  TEXT NOT NULL
);
CREATE INDEX voice_requests_case ON voice_requests (case_id);
CREATE INDEX voice_requests_specialty ON voice_requests (specialty);

CREATE TRIGGER voice_requests_no_update BEFORE UPDATE ON voice_requests
BEGIN
    SELECT RAISE(ABORT, 'voice_requests is append-only');
END;

CREATE TRIGGER voice_requests_no_delete BEFORE DELETE ON voice_requests
BEGIN
    SELECT RAISE(ABORT, 'voice_requests is append-only');
END;
