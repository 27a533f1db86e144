//! Server-only code (compiled with the `ssr` feature): application state, the database,
//! and the services that server functions and REST handlers share.

#[macro_use]
pub mod access;
pub mod annotations;
pub mod attachments;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod blobs;
pub mod boards;
#[macro_use]
pub mod cases;
pub mod db;
pub mod demo;
pub mod events;
pub mod fhir;
pub mod meetings;
pub mod patients;
pub mod plans;
pub mod request;
pub mod review;
pub mod state;
pub mod trials;
pub mod users;
pub mod work;
pub mod zone;

pub use db::{Db, DbOpenError, Engine};
pub use state::{AppState, Config};

/// A short random id that ties a client-visible error to its server log line (LG-3).
pub fn new_correlation_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..12].to_string()
}

/// Current UTC time as the fixed-width text stored in every timestamp column:
/// `2026-11-26T15:13:18.123456Z`. Fixed width keeps text order equal to time order on both engines.
pub fn now_text() -> String {
    time_text(chrono::Utc::now())
}

/// Formats a time the way timestamp columns store it (see [`now_text`]).
pub fn time_text(t: chrono::DateTime<chrono::Utc>) -> String {
    crate::domain::zone::stored_text(t)
}

/// A new opaque identifier (UUID v4) for a row that may appear in a URL.
pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}
