-- Board meetings, their ordered agendas and attendance.
CREATE TABLE meetings (
    id                    TEXT PRIMARY KEY,
    title                 TEXT NOT NULL,
    starts_at             TEXT NOT NULL,
    location              TEXT NOT NULL,
    video_link            TEXT NOT NULL,
    board_type            TEXT NOT NULL,
    expected_specialties  TEXT NOT NULL,
    current_case_id       TEXT REFERENCES cases(id),
    current_since         TEXT,
    -- Bumped by every change (agenda, attendance, presenter): followers re-read when it moves.
    revision              BIGINT NOT NULL DEFAULT 0,
    created_by            TEXT NOT NULL REFERENCES users(id),
    created_at            TEXT NOT NULL
);
CREATE INDEX meetings_start ON meetings (starts_at);

-- One case at most once per agenda (a second add is a 409).
CREATE TABLE agenda_items (
    meeting_id TEXT NOT NULL REFERENCES meetings(id),
    case_id    TEXT NOT NULL REFERENCES cases(id),
    position   BIGINT NOT NULL,
    mode       TEXT NOT NULL,
    minutes    BIGINT NOT NULL,
    added_by   TEXT NOT NULL REFERENCES users(id),
    added_at   TEXT NOT NULL,
    PRIMARY KEY (meeting_id, case_id)
);
CREATE INDEX agenda_items_case ON agenda_items (case_id);

CREATE TABLE attendance (
    meeting_id TEXT NOT NULL REFERENCES meetings(id),
    user_id    TEXT NOT NULL REFERENCES users(id),
    marked_by  TEXT NOT NULL REFERENCES users(id),
    marked_at  TEXT NOT NULL,
    PRIMARY KEY (meeting_id, user_id)
);
