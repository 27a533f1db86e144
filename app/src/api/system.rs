//! Server status for the home page.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// What the home page shows about the running instance. Contains no patient data.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InstanceStatus {
    pub database_ok: bool,
    pub engine: String,
    pub version: String,
}

/// Whether this instance's database answers, and which engine it runs on. For logged-in users
/// only (AC-1: deny by default; `/healthz` is the anonymous probe and says less).
#[server(endpoint = "system/status", prefix = "/sfn")]
pub async fn system_status() -> Result<InstanceStatus, AppError> {
    let (state, _session) = crate::ssr::request::authenticated().await?;
    Ok(InstanceStatus {
        database_ok: state.db.ping().await,
        engine: match state.db.engine {
            crate::ssr::Engine::Sqlite => "SQLite".into(),
            crate::ssr::Engine::Postgres => "PostgreSQL".into(),
        },
        version: env!("CARGO_PKG_VERSION").into(),
    })
}
