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
        '["surgery","medical_oncology","radiology","pathology"]',
        to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), NULL);

CREATE TABLE board_members (
    board_id  TEXT NOT NULL REFERENCES boards(id),
    user_id   TEXT NOT NULL REFERENCES users(id),
    added_at  TEXT NOT NULL,
    added_by  TEXT REFERENCES users(id),
    PRIMARY KEY (board_id, user_id)
);
CREATE INDEX board_members_user ON board_members (user_id);

INSERT INTO board_members (board_id, user_id, added_at, added_by)
    SELECT '00000000-0000-4000-8000-000000000001', id,
           to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), NULL FROM users;

ALTER TABLE cases ADD COLUMN board_id TEXT NOT NULL DEFAULT '00000000-0000-4000-8000-000000000001' REFERENCES boards(id);
ALTER TABLE cases ALTER COLUMN board_id DROP DEFAULT;
ALTER TABLE meetings ADD COLUMN board_id TEXT NOT NULL DEFAULT '00000000-0000-4000-8000-000000000001' REFERENCES boards(id);
ALTER TABLE meetings ALTER COLUMN board_id DROP DEFAULT;
CREATE INDEX cases_board ON cases (board_id, updated_at);
CREATE INDEX meetings_board ON meetings (board_id, starts_at);

CREATE FUNCTION meetings_board_fixed() RETURNS trigger AS $$
BEGIN
    IF NEW.board_id <> OLD.board_id THEN
        RAISE EXCEPTION 'a meeting stays with its board';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER meetings_board_fixed BEFORE UPDATE ON meetings
    FOR EACH ROW EXECUTE FUNCTION meetings_board_fixed();

CREATE FUNCTION boards_no_delete() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'boards are never deleted';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER boards_no_delete BEFORE DELETE ON boards
    FOR EACH ROW EXECUTE FUNCTION boards_no_delete();

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

CREATE FUNCTION break_glass_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'break_glass is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER break_glass_no_change BEFORE UPDATE OR DELETE ON break_glass
    FOR EACH ROW EXECUTE FUNCTION break_glass_append_only();

-- Every audit row written under break-glass is flagged; the flag is covered by the row's hash
-- when set (older rows keep their hash).
ALTER TABLE audit_log ADD COLUMN break_glass BIGINT NOT NULL DEFAULT 0;
CREATE INDEX audit_break_glass ON audit_log (break_glass, seq);
