-- The audit viewer at a year's size (issue 17): each of its filters gets an index that leads
-- it, so that a filter matching few rows reads those rows and not the whole trail.

-- Every case an audit row names, its own `case_id` and each of the cases a list, search or agenda
-- returned (`case_ids`): "who saw patient X" is read from here, newest first. Filled by the
-- trigger below inside the very statement that appends the row, whoever appends it; derived
-- from the rows (their hash covers `case_id` and `case_ids`), checked against them by the
-- chain's verification, and append-only like the trail itself.
CREATE TABLE audit_cases (
    case_id TEXT NOT NULL,
    seq     BIGINT NOT NULL REFERENCES audit_log (seq),
    PRIMARY KEY (case_id, seq)
) WITHOUT ROWID;
CREATE INDEX audit_cases_seq ON audit_cases (seq);

INSERT INTO audit_cases (case_id, seq)
    SELECT case_id, seq FROM audit_log WHERE case_id IS NOT NULL
    UNION
    SELECT j.value, a.seq FROM audit_log a, json_each(a.case_ids) j WHERE a.case_ids IS NOT NULL;

CREATE TRIGGER audit_log_cases AFTER INSERT ON audit_log
BEGIN
    INSERT INTO audit_cases (case_id, seq)
        SELECT NEW.case_id, NEW.seq WHERE NEW.case_id IS NOT NULL
        UNION
        SELECT value, NEW.seq FROM json_each(NEW.case_ids) WHERE NEW.case_ids IS NOT NULL;
END;

CREATE TRIGGER audit_cases_no_update BEFORE UPDATE ON audit_cases
BEGIN
    SELECT RAISE(ABORT, 'audit_cases is append-only');
END;

CREATE TRIGGER audit_cases_no_delete BEFORE DELETE ON audit_cases
BEGIN
    SELECT RAISE(ABORT, 'audit_cases is append-only');
END;

-- The other filters, each with the trail's order behind it: the rows of one user, one login
-- name or one action, newest first, straight from the index.
DROP INDEX audit_log_user;
CREATE INDEX audit_log_user ON audit_log (user_id, seq);
CREATE INDEX audit_log_username ON audit_log (username, seq);
CREATE INDEX audit_log_action ON audit_log (action, seq);
