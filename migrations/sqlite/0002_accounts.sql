-- Users, server-side sessions, login throttling and the append-only audit log.

CREATE TABLE users (
    id                  TEXT PRIMARY KEY,
    username            TEXT NOT NULL UNIQUE,
    display_name        TEXT NOT NULL,
    role                TEXT NOT NULL,
    specialty           TEXT,
    password_hash       TEXT NOT NULL,
    disabled            BIGINT NOT NULL DEFAULT 0,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    password_changed_at TEXT NOT NULL
);

-- A session is stored by the SHA-256 of its id: a copy of the database yields no live cookie.
CREATE TABLE sessions (
    id_hash      TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id),
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    reauth_at    TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Failed logins per account ('user:<name>') and per client address ('addr:<ip>') (AU-5).
CREATE TABLE login_throttle (
    key          TEXT PRIMARY KEY,
    failures     BIGINT NOT NULL,
    first_at     TEXT NOT NULL,
    locked_until TEXT
);

-- The audit trail (LG-1..LG-3): append-only, each row hashed with the previous row's hash.
CREATE TABLE audit_log (
    seq         BIGINT PRIMARY KEY,
    at          TEXT NOT NULL,
    user_id     TEXT,
    username    TEXT,
    role        TEXT,
    action      TEXT NOT NULL,
    case_id     TEXT,
    target      TEXT,
    outcome     TEXT NOT NULL,
    detail      TEXT,
    client_addr TEXT,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE INDEX audit_log_case ON audit_log (case_id);
CREATE INDEX audit_log_user ON audit_log (user_id);
CREATE INDEX audit_log_at ON audit_log (at);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
