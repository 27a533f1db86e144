-- The proposer's output stored with the case version it was computed for, and the rule-set
-- version that produced it, so a decision can be explained years later. Never changed.
CREATE TABLE proposals (
    case_id         TEXT NOT NULL REFERENCES cases(id),
    case_version    BIGINT NOT NULL,
    ruleset_version TEXT NOT NULL,
    computed_at     TEXT NOT NULL,
    proposal        TEXT NOT NULL,
    PRIMARY KEY (case_id, case_version)
);

CREATE TRIGGER proposals_no_update BEFORE UPDATE ON proposals
BEGIN
    SELECT RAISE(ABORT, 'proposals are append-only');
END;

CREATE TRIGGER proposals_no_delete BEFORE DELETE ON proposals
BEGIN
    SELECT RAISE(ABORT, 'proposals are append-only');
END;
