-- Trust the record (issue 13).

-- Patient identity (ID-1): a patient's demographics change only on the patient's own record,
-- each change a new version; patient_versions keeps every version, never changed.
ALTER TABLE patients ADD COLUMN version BIGINT NOT NULL DEFAULT 1;

CREATE TABLE patient_versions (
    patient_id  TEXT NOT NULL REFERENCES patients(id),
    version     BIGINT NOT NULL,
    at          TEXT NOT NULL,
    author_id   TEXT REFERENCES users(id),
    reason      TEXT,
    mrn         TEXT NOT NULL,
    name        TEXT NOT NULL,
    birth_date  TEXT NOT NULL,
    sex         TEXT NOT NULL,
    PRIMARY KEY (patient_id, version)
);

-- Every patient as it is now is its version 1 (the author is not known for older rows).
INSERT INTO patient_versions (patient_id, version, at, author_id, reason, mrn, name, birth_date, sex)
    SELECT id, 1, created_at, NULL, 'created', mrn, name, birth_date, sex FROM patients;

CREATE TRIGGER patient_versions_no_update BEFORE UPDATE ON patient_versions
BEGIN
    SELECT RAISE(ABORT, 'patient_versions is append-only');
END;

CREATE TRIGGER patient_versions_no_delete BEFORE DELETE ON patient_versions
BEGIN
    SELECT RAISE(ABORT, 'patient_versions is append-only');
END;

-- Login throttling counts an attempt before the password is checked, with one atomic upsert
-- per key (AU-5, AU-6). Keys are 'user:<sha256 of the username>' and 'addr:<client address>'.
-- The old counters are transient and are dropped.
DROP TABLE login_throttle;
CREATE TABLE login_throttle (
    key       TEXT PRIMARY KEY,
    failures  BIGINT NOT NULL,
    first_at  TEXT NOT NULL,
    last_at   TEXT NOT NULL,
    prev_at   TEXT
);

-- Reads that return several cases name them all (LG-1): a JSON array of case ids, covered by
-- the row's hash when present.
ALTER TABLE audit_log ADD COLUMN case_ids TEXT;

-- Demo users are marked, so that `tumorboard demo` never touches a real account.
ALTER TABLE users ADD COLUMN demo BIGINT NOT NULL DEFAULT 0;
UPDATE users SET demo = 1 WHERE (username, display_name) IN (
    VALUES ('admin', 'Alex Admin (IT)'), ('coordinator', 'Cora Lindqvist (coordinator)'),
           ('surgeon', 'Dr Samir Haddad'), ('oncologist', 'Dr Olivia Brandt'), ('radiologist', 'Dr Rui Tanaka'),
           ('pathologist', 'Dr Petra Novak'), ('nuclear', 'Dr Nadia Okafor'), ('reviewer', 'Rene Vogel (quality review)'));

-- A signed plan is locked as a whole row (DI-2, DI-7): only the follow-up outcome may be added,
-- once, and nothing else ever changes.
DROP TRIGGER plans_locked_when_signed;
CREATE TRIGGER plans_locked_when_signed BEFORE UPDATE ON plans
WHEN OLD.signed_at IS NOT NULL AND (
    NEW.case_id IS NOT OLD.case_id OR NEW.version IS NOT OLD.version OR NEW.content IS NOT OLD.content
    OR NEW.recorded_by IS NOT OLD.recorded_by OR NEW.recorded_at IS NOT OLD.recorded_at
    OR NEW.signed_by IS NOT OLD.signed_by OR NEW.signed_at IS NOT OLD.signed_at
    OR NEW.content_sha256 IS NOT OLD.content_sha256)
BEGIN
    SELECT RAISE(ABORT, 'a signed plan is locked');
END;

CREATE TRIGGER plans_outcome_once BEFORE UPDATE ON plans
WHEN OLD.outcome IS NOT NULL AND (NEW.outcome IS NOT OLD.outcome OR NEW.outcome_by IS NOT OLD.outcome_by
    OR NEW.outcome_at IS NOT OLD.outcome_at)
BEGIN
    SELECT RAISE(ABORT, 'a recorded outcome is never changed');
END;

CREATE TRIGGER plans_outcome_needs_signature BEFORE UPDATE ON plans
WHEN OLD.signed_at IS NULL AND NEW.outcome IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'an outcome needs a signed plan');
END;
