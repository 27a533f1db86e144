-- The audit viewer at a year's size (issue 17): each of its filters gets an index that leads
-- it, so that a filter matching few rows reads those rows and not the whole trail.

-- Every case a list, search or agenda named (a row's `case_ids`), one entry each: "who saw
-- patient X" finds those reads here, and the rows about the case alone through the trail's own
-- `(case_id, seq)` index. Filled by the trigger below inside the very statement that appends
-- the row, whoever appends it (a row that names no list, nearly all of them, costs it nothing);
-- derived from the rows (their hash covers `case_ids`), checked against them by the chain's
-- verification, and append-only like the trail itself. The row's own case is not repeated here.
CREATE TABLE audit_cases (
    case_id TEXT NOT NULL,
    seq     BIGINT NOT NULL REFERENCES audit_log (seq),
    PRIMARY KEY (case_id, seq)
) WITHOUT ROWID;
CREATE INDEX audit_cases_seq ON audit_cases (seq);

INSERT INTO audit_cases (case_id, seq)
    SELECT DISTINCT j.value, a.seq FROM audit_log a, json_each(a.case_ids) j
    WHERE a.case_ids IS NOT NULL AND j.value IS NOT a.case_id;

CREATE TRIGGER audit_log_cases AFTER INSERT ON audit_log WHEN NEW.case_ids IS NOT NULL
BEGIN
    INSERT INTO audit_cases (case_id, seq)
        SELECT DISTINCT value, NEW.seq FROM json_each(NEW.case_ids) WHERE value IS NOT NEW.case_id;
END;

CREATE TRIGGER audit_cases_no_update BEFORE UPDATE ON audit_cases
BEGIN
    SELECT RAISE(ABORT, 'audit_cases is append-only');
END;

CREATE TRIGGER audit_cases_no_delete BEFORE DELETE ON audit_cases
BEGIN
    SELECT RAISE(ABORT, 'audit_cases is append-only');
END;

-- The other filters, each with the trail's order behind it: the rows about one case, of one
-- user, one login name or one action, newest first, straight from the index.
DROP INDEX audit_log_case;
CREATE INDEX audit_log_case ON audit_log (case_id, seq);
DROP INDEX audit_log_user;
CREATE INDEX audit_log_user ON audit_log (user_id, seq);
CREATE INDEX audit_log_username ON audit_log (username, seq);
CREATE INDEX audit_log_action ON audit_log (action, seq);
