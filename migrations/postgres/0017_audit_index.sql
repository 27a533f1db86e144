-- The audit viewer at a year's size (issue 17): each of its filters gets an index that leads
-- it, so that a filter matching few rows reads those rows and not the whole trail.

-- Every case a list, search or agenda named (a row's `case_ids`), one entry each: "who saw
-- patient X" finds those reads here, and the rows about the case alone through the trail's own
-- `(case_id, seq)` index. Filled by the trigger below inside the very statement that appends
-- the rows, whoever appends them; derived from the rows (their hash covers `case_ids`), checked
-- against them by the chain's verification, and append-only like the trail itself. The row's
-- own case is not repeated here.
CREATE TABLE audit_cases (
    case_id TEXT NOT NULL,
    seq     BIGINT NOT NULL REFERENCES audit_log (seq),
    PRIMARY KEY (case_id, seq)
);
CREATE INDEX audit_cases_seq ON audit_cases (seq);

INSERT INTO audit_cases (case_id, seq)
    SELECT DISTINCT j, a.seq FROM audit_log a, json_array_elements_text(a.case_ids::json) AS j
    WHERE a.case_ids IS NOT NULL AND j IS DISTINCT FROM a.case_id;

-- One statement's rows at once (a group commit appends up to 64 in one INSERT).
CREATE FUNCTION audit_log_index_cases() RETURNS trigger AS $$
BEGIN
    INSERT INTO audit_cases (case_id, seq)
        SELECT DISTINCT j, n.seq FROM added n, json_array_elements_text(n.case_ids::json) AS j
        WHERE n.case_ids IS NOT NULL AND j IS DISTINCT FROM n.case_id;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_log_cases AFTER INSERT ON audit_log
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_index_cases();

CREATE FUNCTION audit_cases_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_cases is append-only';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_cases_no_update BEFORE UPDATE OR DELETE ON audit_cases
    FOR EACH ROW EXECUTE FUNCTION audit_cases_append_only();

CREATE TRIGGER audit_cases_no_truncate BEFORE TRUNCATE ON audit_cases
    FOR EACH STATEMENT EXECUTE FUNCTION audit_cases_append_only();

-- The other filters, each with the trail's order behind it: the rows about one case, of one
-- user, one login name or one action, newest first, straight from the index.
DROP INDEX audit_log_case;
CREATE INDEX audit_log_case ON audit_log (case_id, seq);
DROP INDEX audit_log_user;
CREATE INDEX audit_log_user ON audit_log (user_id, seq);
CREATE INDEX audit_log_username ON audit_log (username, seq);
CREATE INDEX audit_log_action ON audit_log (action, seq);
