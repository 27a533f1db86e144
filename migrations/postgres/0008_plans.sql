-- The board's consensus plan per case: versions until signed, then locked (the trigger refuses
-- any change to a signed plan's content; only the follow-up outcome may be added), with addenda.
CREATE TABLE plans (
    case_id          TEXT PRIMARY KEY REFERENCES cases(id),
    version          BIGINT NOT NULL,
    content          TEXT NOT NULL,
    recorded_by      TEXT NOT NULL REFERENCES users(id),
    recorded_at      TEXT NOT NULL,
    signed_by        TEXT REFERENCES users(id),
    signed_at        TEXT,
    content_sha256   TEXT,
    outcome          TEXT,
    outcome_by       TEXT REFERENCES users(id),
    outcome_at       TEXT
);

CREATE FUNCTION plans_locked_when_signed() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'plans are never deleted';
    END IF;
    IF OLD.signed_at IS NOT NULL AND (NEW.content IS DISTINCT FROM OLD.content OR NEW.version IS DISTINCT FROM OLD.version
        OR NEW.signed_at IS DISTINCT FROM OLD.signed_at OR NEW.signed_by IS DISTINCT FROM OLD.signed_by
        OR NEW.content_sha256 IS DISTINCT FROM OLD.content_sha256) THEN
        RAISE EXCEPTION 'a signed plan is locked';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER plans_locked BEFORE UPDATE OR DELETE ON plans FOR EACH ROW EXECUTE FUNCTION plans_locked_when_signed();

CREATE TABLE plan_versions (
    case_id     TEXT NOT NULL REFERENCES cases(id),
    version     BIGINT NOT NULL,
    content     TEXT NOT NULL,
    author_id   TEXT NOT NULL REFERENCES users(id),
    at          TEXT NOT NULL,
    PRIMARY KEY (case_id, version)
);

CREATE TABLE plan_addenda (
    id         TEXT PRIMARY KEY,
    case_id    TEXT NOT NULL REFERENCES cases(id),
    body       TEXT NOT NULL,
    author_id  TEXT NOT NULL REFERENCES users(id),
    at         TEXT NOT NULL
);
CREATE INDEX plan_addenda_case ON plan_addenda (case_id);

CREATE FUNCTION plan_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER plan_versions_append_only BEFORE UPDATE OR DELETE ON plan_versions FOR EACH ROW EXECUTE FUNCTION plan_append_only();
CREATE TRIGGER plan_addenda_append_only BEFORE UPDATE OR DELETE ON plan_addenda FOR EACH ROW EXECUTE FUNCTION plan_append_only();
