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

CREATE TRIGGER plans_locked_when_signed BEFORE UPDATE ON plans
WHEN OLD.signed_at IS NOT NULL AND (NEW.content IS NOT OLD.content OR NEW.version IS NOT OLD.version
    OR NEW.signed_at IS NOT OLD.signed_at OR NEW.signed_by IS NOT OLD.signed_by OR NEW.content_sha256 IS NOT OLD.content_sha256)
BEGIN
    SELECT RAISE(ABORT, 'a signed plan is locked');
END;

CREATE TRIGGER plans_no_delete BEFORE DELETE ON plans
BEGIN
    SELECT RAISE(ABORT, 'plans are never deleted');
END;

CREATE TABLE plan_versions (
    case_id     TEXT NOT NULL REFERENCES cases(id),
    version     BIGINT NOT NULL,
    content     TEXT NOT NULL,
    author_id   TEXT NOT NULL REFERENCES users(id),
    at          TEXT NOT NULL,
    PRIMARY KEY (case_id, version)
);

CREATE TRIGGER plan_versions_no_update BEFORE UPDATE ON plan_versions
BEGIN
    SELECT RAISE(ABORT, 'plan_versions is append-only');
END;

CREATE TRIGGER plan_versions_no_delete BEFORE DELETE ON plan_versions
BEGIN
    SELECT RAISE(ABORT, 'plan_versions is append-only');
END;

CREATE TABLE plan_addenda (
    id         TEXT PRIMARY KEY,
    case_id    TEXT NOT NULL REFERENCES cases(id),
    body       TEXT NOT NULL,
    author_id  TEXT NOT NULL REFERENCES users(id),
    at         TEXT NOT NULL
);
CREATE INDEX plan_addenda_case ON plan_addenda (case_id);

CREATE TRIGGER plan_addenda_no_update BEFORE UPDATE ON plan_addenda
BEGIN
    SELECT RAISE(ABORT, 'plan_addenda is append-only');
END;

CREATE TRIGGER plan_addenda_no_delete BEFORE DELETE ON plan_addenda
BEGIN
    SELECT RAISE(ABORT, 'plan_addenda is append-only');
END;
