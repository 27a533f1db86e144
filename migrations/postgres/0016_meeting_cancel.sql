-- A meeting called off (by a coordinator of its board, with the reason): it keeps its record, its
-- cases go back to waiting for a meeting, and nothing more is scheduled on it.
ALTER TABLE meetings ADD COLUMN cancelled_at TEXT;
ALTER TABLE meetings ADD COLUMN cancelled_by TEXT REFERENCES users(id);
ALTER TABLE meetings ADD COLUMN cancel_reason TEXT;
-- The meeting its cases moved to, when the coordinator chose one.
ALTER TABLE meetings ADD COLUMN cancel_moved_to TEXT REFERENCES meetings(id);
