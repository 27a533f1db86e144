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

CREATE FUNCTION proposals_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'proposals are append-only';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER proposals_no_change BEFORE UPDATE OR DELETE ON proposals
    FOR EACH ROW EXECUTE FUNCTION proposals_append_only();
