//! What every request handler and server function can reach: configuration and the database.

use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use super::Db;
use super::auth::{Clock, Passwords};

/// Settings read once from the environment at start-up (api.md, "Command line").
#[derive(Clone, Debug)]
pub struct Config {
    pub database_url: String,
    /// Idle timeout of a session, seconds (`TUMORBOARD_SESSION_IDLE_SECS`, default 900).
    pub session_idle_secs: i64,
    /// Absolute lifetime of a session, seconds (`TUMORBOARD_SESSION_MAX_SECS`, default 43200).
    pub session_max_secs: i64,
    /// Always mark the session cookie `Secure` (`TUMORBOARD_SECURE_COOKIES=true`); it is also
    /// marked so whenever a request arrived over TLS at a proxy (`X-Forwarded-Proto: https`).
    pub secure_cookies: bool,
}

impl Config {
    /// The default database: a SQLite file under ./data/, created on first start.
    pub const DEFAULT_DATABASE_URL: &'static str = "sqlite://data/tumorboard.db";

    /// Reads the configuration; a malformed number is an error naming the variable.
    pub fn from_env() -> Result<Self, String> {
        let database_url = std::env::var("DATABASE_URL")
            .ok()
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| Self::DEFAULT_DATABASE_URL.to_string());
        Ok(Self {
            database_url,
            session_idle_secs: env_secs("TUMORBOARD_SESSION_IDLE_SECS", 900)?,
            session_max_secs: env_secs("TUMORBOARD_SESSION_MAX_SECS", 43_200)?,
            secure_cookies: matches!(
                std::env::var("TUMORBOARD_SECURE_COOKIES").as_deref().map(str::trim),
                Ok("1" | "true" | "yes")
            ),
        })
    }

    /// A configuration for tests: the given database, default timeouts.
    pub fn for_database(database_url: &str) -> Self {
        Self {
            database_url: database_url.to_string(),
            session_idle_secs: 900,
            session_max_secs: 43_200,
            secure_cookies: false,
        }
    }
}

fn env_secs(name: &str, default: i64) -> Result<i64, String> {
    match std::env::var(name) {
        Ok(v) => match v.trim().parse::<i64>() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(format!("{name} must be a whole number of seconds greater than 0 (got {v:?})")),
        },
        Err(_) => Ok(default),
    }
}

/// Shared state of one app instance. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub config: Config,
    pub passwords: Passwords,
    pub clock: Clock,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

impl AppState {
    /// The state of the current request, as provided to pages and server functions.
    pub fn from_context() -> Result<Self, crate::error::AppError> {
        leptos::prelude::use_context::<AppState>()
            .ok_or_else(|| crate::error::AppError::internal("AppState missing from the request context"))
    }
}
