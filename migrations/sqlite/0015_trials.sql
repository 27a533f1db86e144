-- The centre's clinical trials (issue 21): a register per board, kept by coordinators. The row
-- holds the current version; trial_versions keeps every version ever saved, never changed.
-- `eligibility` is the structured criteria as JSON (the case's own codes, checked when saved).
CREATE TABLE trials (
    id             TEXT PRIMARY KEY,
    board_id       TEXT NOT NULL REFERENCES boards(id),
    title          TEXT NOT NULL,
    acronym        TEXT NOT NULL,
    registry_id    TEXT NOT NULL,
    phase          TEXT NOT NULL,
    status         TEXT NOT NULL,
    contact        TEXT NOT NULL,
    eligibility    TEXT NOT NULL,
    other_criteria TEXT NOT NULL,
    version        BIGINT NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    updated_by     TEXT NOT NULL REFERENCES users(id),
    UNIQUE (board_id, registry_id)
);
CREATE INDEX trials_board ON trials (board_id);

CREATE TABLE trial_versions (
    trial_id   TEXT NOT NULL REFERENCES trials(id),
    version    BIGINT NOT NULL,
    at         TEXT NOT NULL,
    author_id  TEXT NOT NULL REFERENCES users(id),
    content    TEXT NOT NULL,
    PRIMARY KEY (trial_id, version)
);

CREATE TRIGGER trial_versions_no_update BEFORE UPDATE ON trial_versions
BEGIN
    SELECT RAISE(ABORT, 'trial_versions is append-only');
END;

CREATE TRIGGER trial_versions_no_delete BEFORE DELETE ON trial_versions
BEGIN
    SELECT RAISE(ABORT, 'trial_versions is append-only');
END;

CREATE TRIGGER trials_no_delete BEFORE DELETE ON trials
BEGIN
    SELECT RAISE(ABORT, 'trials are never deleted: close one');
END;
