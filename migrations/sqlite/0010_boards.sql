-- Several boards in one hospital (issue 15): boards, their members, need-to-know access to
-- cases and meetings, and break-glass (security.md AC-3).

CREATE TABLE boards (
    id                    TEXT PRIMARY KEY,
    name                  TEXT NOT NULL,
    -- The name as compared: trimmed and lower case, unique.
    name_key              TEXT NOT NULL UNIQUE,
    description           TEXT NOT NULL,
    expected_specialties  TEXT NOT NULL,
    created_at            TEXT NOT NULL,
    created_by            TEXT REFERENCES users(id)
);

-- A fresh or existing installation has one board; existing cases, meetings and users are put
-- on it, so a small hospital never has to think about boards.
INSERT INTO boards (id, name, name_key, description, expected_specialties, created_at, created_by)
VALUES ('00000000-0000-4000-8000-000000000001', 'Tumor board', 'tumor board', '',
        '["surgery","medical_oncology","radiology","pathology"]', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), NULL);

CREATE TABLE board_members (
    board_id  TEXT NOT NULL REFERENCES boards(id),
    user_id   TEXT NOT NULL REFERENCES users(id),
    added_at  TEXT NOT NULL,
    added_by  TEXT REFERENCES users(id),
    PRIMARY KEY (board_id, user_id)
);
CREATE INDEX board_members_user ON board_members (user_id);

INSERT INTO board_members (board_id, user_id, added_at, added_by)
    SELECT '00000000-0000-4000-8000-000000000001', id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), NULL FROM users;

-- SQLite cannot add a column with both a REFERENCES clause and a default: the triggers below
-- keep the reference instead.
ALTER TABLE cases ADD COLUMN board_id TEXT NOT NULL DEFAULT '00000000-0000-4000-8000-000000000001';
ALTER TABLE meetings ADD COLUMN board_id TEXT NOT NULL DEFAULT '00000000-0000-4000-8000-000000000001';
CREATE INDEX cases_board ON cases (board_id, updated_at);
CREATE INDEX meetings_board ON meetings (board_id, starts_at);

CREATE TRIGGER cases_board_exists_insert BEFORE INSERT ON cases
WHEN NOT EXISTS (SELECT 1 FROM boards WHERE id = NEW.board_id)
BEGIN
    SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: cases.board_id');
END;
CREATE TRIGGER cases_board_exists_update BEFORE UPDATE OF board_id ON cases
WHEN NOT EXISTS (SELECT 1 FROM boards WHERE id = NEW.board_id)
BEGIN
    SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: cases.board_id');
END;
CREATE TRIGGER meetings_board_exists_insert BEFORE INSERT ON meetings
WHEN NOT EXISTS (SELECT 1 FROM boards WHERE id = NEW.board_id)
BEGIN
    SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: meetings.board_id');
END;
CREATE TRIGGER meetings_board_fixed BEFORE UPDATE OF board_id ON meetings
WHEN NEW.board_id <> OLD.board_id
BEGIN
    SELECT RAISE(ABORT, 'a meeting stays with its board');
END;
CREATE TRIGGER boards_no_delete BEFORE DELETE ON boards
BEGIN
    SELECT RAISE(ABORT, 'boards are never deleted');
END;

-- Break-glass (AC-3): emergency access by one user to one case, for a bounded time, with the
-- reason; never changed or removed (admins and reviewers review them).
CREATE TABLE break_glass (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users(id),
    case_id     TEXT NOT NULL REFERENCES cases(id),
    reason      TEXT NOT NULL,
    granted_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);
CREATE INDEX break_glass_user_case ON break_glass (user_id, case_id, expires_at);
CREATE INDEX break_glass_granted ON break_glass (granted_at);

CREATE TRIGGER break_glass_no_update BEFORE UPDATE ON break_glass
BEGIN
    SELECT RAISE(ABORT, 'break_glass is append-only');
END;
CREATE TRIGGER break_glass_no_delete BEFORE DELETE ON break_glass
BEGIN
    SELECT RAISE(ABORT, 'break_glass is append-only');
END;

-- Every audit row written under break-glass is flagged; the flag is covered by the row's hash
-- when set (older rows keep their hash).
ALTER TABLE audit_log ADD COLUMN break_glass BIGINT NOT NULL DEFAULT 0;
CREATE INDEX audit_break_glass ON audit_log (break_glass, seq);
