-- Patients, cases and their versions. A case row holds the current version; case_versions
-- holds every version ever saved, never changed (DI-1).

CREATE TABLE patients (
    id          TEXT PRIMARY KEY,
    mrn         TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    -- lowercased name for search (Unicode-aware, done by the application)
    name_search TEXT NOT NULL,
    birth_date  TEXT NOT NULL,
    sex         TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE cases (
    id              TEXT PRIMARY KEY,
    patient_id      TEXT NOT NULL REFERENCES patients(id),
    version         BIGINT NOT NULL,
    status          TEXT NOT NULL,
    primary_site    TEXT,
    stage_group     TEXT,
    summary         TEXT NOT NULL,
    ready_for_board BIGINT NOT NULL,
    question        TEXT NOT NULL,
    content         TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    created_by      TEXT NOT NULL REFERENCES users(id),
    updated_at      TEXT NOT NULL,
    updated_by      TEXT NOT NULL REFERENCES users(id)
);
CREATE INDEX cases_patient ON cases (patient_id);
CREATE INDEX cases_status ON cases (status);
CREATE INDEX cases_updated ON cases (updated_at);

CREATE TABLE case_versions (
    case_id        TEXT NOT NULL REFERENCES cases(id),
    version        BIGINT NOT NULL,
    at             TEXT NOT NULL,
    author_id      TEXT NOT NULL REFERENCES users(id),
    reason         TEXT,
    changed_fields TEXT NOT NULL,
    status         TEXT NOT NULL,
    content        TEXT NOT NULL,
    PRIMARY KEY (case_id, version)
);

CREATE TRIGGER case_versions_no_update BEFORE UPDATE ON case_versions
BEGIN
    SELECT RAISE(ABORT, 'case_versions is append-only');
END;

CREATE TRIGGER case_versions_no_delete BEFORE DELETE ON case_versions
BEGIN
    SELECT RAISE(ABORT, 'case_versions is append-only');
END;
