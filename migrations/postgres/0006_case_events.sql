-- Changes to a case, in commit order, for live viewers (Server-Sent Events). A row is written in
-- the same transaction as the change it announces, after the audit row (whose advisory lock
-- serialises writers until commit), so sequence numbers are handed out in commit order and a
-- reconnecting viewer resumes from the last one it saw. Instances learn of new rows through
-- NOTIFY tumorboard_case_events.
CREATE TABLE case_events (
    seq     BIGSERIAL PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    kind    TEXT NOT NULL,
    ref_id  TEXT NOT NULL,
    at      TEXT NOT NULL
);
CREATE INDEX case_events_case ON case_events (case_id, seq);
