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
    /// Reverse proxies whose `X-Forwarded-For` is believed (`TUMORBOARD_TRUSTED_PROXIES`:
    /// addresses or CIDR blocks, comma-separated; default none). See `request::client_addr`.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// IN-3: a request whose body sends nothing for this long is cut off.
    pub body_idle_timeout: std::time::Duration,
    /// IN-3: a request not answered within this time gets 408 (event streams, once answered,
    /// are not cut: only the wait for their first byte counts).
    pub request_timeout: std::time::Duration,
    /// How long a break-glass access lasts, seconds (`TUMORBOARD_BREAK_GLASS_SECS`, default
    /// 3600, from 5 minutes to 24 hours).
    pub break_glass_secs: i64,
    /// The largest file one may attach, bytes (`TUMORBOARD_MAX_UPLOAD_MB`, default 25, from 1
    /// to 1024; issue 20). A bigger upload is refused with 413.
    pub max_upload_bytes: u64,
    /// Where attachments' bytes go: the database (None, the default) or an S3-compatible object
    /// store (`TUMORBOARD_BLOB_URL=s3://bucket/prefix`).
    pub blobs: Option<super::blobs::BlobStore>,
    /// The hospital's time zone (`TUMORBOARD_TIME_ZONE`, an IANA name; default UTC): times are
    /// shown and typed on its clock and days counted by it.
    pub zone: std::sync::Arc<crate::domain::zone::Zone>,
}

/// Bounds of the session settings: long enough to be usable, short enough to be a timeout
/// (and to stay inside what a timestamp can hold).
const IDLE_SECS: std::ops::RangeInclusive<i64> = 60..=86_400;
const MAX_SECS: std::ops::RangeInclusive<i64> = 300..=7 * 86_400;
const BREAK_GLASS_SECS: std::ops::RangeInclusive<i64> = 300..=86_400;
const MAX_UPLOAD_MB: std::ops::RangeInclusive<i64> = 1..=1024;

/// The IN-3 defaults (README, "Configuration").
pub const BODY_IDLE_TIMEOUT_SECS: u64 = 15;
pub const REQUEST_TIMEOUT_SECS: u64 = 30;

impl Config {
    /// The default database: a SQLite file under ./data/, created on first start.
    pub const DEFAULT_DATABASE_URL: &'static str = "sqlite://data/tumorboard.db";

    /// Reads the configuration; a malformed number is an error naming the variable.
    pub fn from_env() -> Result<Self, String> {
        let database_url = std::env::var("DATABASE_URL")
            .ok()
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| Self::DEFAULT_DATABASE_URL.to_string());
        let session_idle_secs = env_secs("TUMORBOARD_SESSION_IDLE_SECS", 900, IDLE_SECS)?;
        let session_max_secs = env_secs("TUMORBOARD_SESSION_MAX_SECS", 43_200, MAX_SECS)?;
        if session_idle_secs > session_max_secs {
            return Err(format!(
                "TUMORBOARD_SESSION_IDLE_SECS ({session_idle_secs}) must not exceed TUMORBOARD_SESSION_MAX_SECS ({session_max_secs})"
            ));
        }
        Ok(Self {
            database_url,
            session_idle_secs,
            session_max_secs,
            secure_cookies: matches!(
                std::env::var("TUMORBOARD_SECURE_COOKIES").as_deref().map(str::trim),
                Ok("1" | "true" | "yes")
            ),
            trusted_proxies: parse_proxies(&std::env::var("TUMORBOARD_TRUSTED_PROXIES").unwrap_or_default())?,
            break_glass_secs: env_secs(
                "TUMORBOARD_BREAK_GLASS_SECS",
                crate::domain::board::BREAK_GLASS_DEFAULT_SECS,
                BREAK_GLASS_SECS,
            )?,
            max_upload_bytes: env_number(
                "TUMORBOARD_MAX_UPLOAD_MB",
                crate::domain::attachment::DEFAULT_MAX_UPLOAD_MB as i64,
                MAX_UPLOAD_MB,
                "megabytes",
            )? as u64
                * 1_000_000,
            blobs: match std::env::var("TUMORBOARD_BLOB_URL").ok().filter(|u| !u.trim().is_empty()) {
                Some(url) => Some(super::blobs::BlobStore::from_url(url.trim())?),
                None => None,
            },
            zone: std::sync::Arc::new(super::zone::load(&std::env::var("TUMORBOARD_TIME_ZONE").unwrap_or_default())?),
            ..Self::for_database("")
        })
    }

    /// A configuration for tests: the given database, default timeouts.
    pub fn for_database(database_url: &str) -> Self {
        Self {
            database_url: database_url.to_string(),
            session_idle_secs: 900,
            session_max_secs: 43_200,
            secure_cookies: false,
            trusted_proxies: Vec::new(),
            body_idle_timeout: std::time::Duration::from_secs(BODY_IDLE_TIMEOUT_SECS),
            request_timeout: std::time::Duration::from_secs(REQUEST_TIMEOUT_SECS),
            break_glass_secs: crate::domain::board::BREAK_GLASS_DEFAULT_SECS,
            max_upload_bytes: crate::domain::attachment::DEFAULT_MAX_UPLOAD_MB * 1_000_000,
            blobs: None,
            zone: Default::default(),
        }
    }
}

fn env_secs(name: &str, default: i64, range: std::ops::RangeInclusive<i64>) -> Result<i64, String> {
    env_number(name, default, range, "seconds")
}

fn env_number(name: &str, default: i64, range: std::ops::RangeInclusive<i64>, unit: &str) -> Result<i64, String> {
    let Ok(v) = std::env::var(name) else { return Ok(default) };
    parse_number(name, &v, range, unit)
}

fn parse_number(name: &str, v: &str, range: std::ops::RangeInclusive<i64>, unit: &str) -> Result<i64, String> {
    match v.trim().parse::<i64>() {
        Ok(n) if range.contains(&n) => Ok(n),
        _ => Err(format!(
            "{name} must be a whole number of {unit} from {} to {} (got {v:?})",
            range.start(),
            range.end()
        )),
    }
}

/// `TUMORBOARD_TRUSTED_PROXIES`: addresses (`10.0.0.5`, `::1`) or CIDR blocks (`10.0.0.0/24`),
/// separated by commas or spaces.
pub fn parse_proxies(text: &str) -> Result<Vec<ipnet::IpNet>, String> {
    text.split([',', ' '])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| {
            t.parse::<ipnet::IpNet>().or_else(|_| t.parse::<std::net::IpAddr>().map(ipnet::IpNet::from)).map_err(|_| {
                format!("TUMORBOARD_TRUSTED_PROXIES: {t:?} is neither an address nor a CIDR block such as 10.0.0.0/24")
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_settings_outside_their_bounds_are_refused_with_the_variable_named() {
        assert_eq!(parse_number("X", "900", IDLE_SECS, "seconds"), Ok(900));
        for bad in ["0", "-5", "abc", "9223372036854775807", "99999999999"] {
            let err = parse_number("TUMORBOARD_SESSION_IDLE_SECS", bad, IDLE_SECS, "seconds").unwrap_err();
            assert!(err.contains("TUMORBOARD_SESSION_IDLE_SECS") && err.contains("60 to 86400"), "{err}");
        }
        let err = parse_number("TUMORBOARD_MAX_UPLOAD_MB", "0", MAX_UPLOAD_MB, "megabytes").unwrap_err();
        assert!(err.contains("whole number of megabytes from 1 to 1024"), "{err}");
    }

    #[test]
    fn trusted_proxies_take_addresses_and_blocks() {
        let nets = parse_proxies("10.0.0.0/24, 192.168.1.7 ::1").unwrap();
        assert_eq!(nets.len(), 3);
        assert!(nets[1].contains(&"192.168.1.7".parse::<std::net::IpAddr>().unwrap()));
        assert!(parse_proxies("").unwrap().is_empty());
        assert!(parse_proxies("10.0.0.0/33").unwrap_err().contains("10.0.0.0/33"));
    }
}

/// Shared state of one app instance. Cheap to clone: one reference count (issue 17: axum
/// clones the state at least twice a request, and copying every setting and handle each time
/// cost 15-20 µs of CPU a request, a third of `/healthz`, a tenth of an API read). Reads
/// reach the fields through `Deref`; changing one (tests do) copies the fields first, so no
/// other copy of the state sees the change, as when the fields were copied with each clone.
#[derive(Clone)]
pub struct AppState(std::sync::Arc<Shared>);

/// What [`AppState`] holds.
#[derive(Clone)]
pub struct Shared {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub config: Config,
    pub passwords: Passwords,
    pub clock: Clock,
}

impl From<Shared> for AppState {
    fn from(shared: Shared) -> Self {
        AppState(std::sync::Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl std::ops::DerefMut for AppState {
    fn deref_mut(&mut self) -> &mut Shared {
        std::sync::Arc::make_mut(&mut self.0)
    }
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

    /// Today's date by the server's clock on the hospital's (its time zone), for what a date
    /// decides: a case's age, a follow-up's due date, whether a meeting is past, a trial's
    /// recruitment window.
    pub fn today(&self) -> chrono::NaiveDate {
        self.config.zone.today(self.clock.now())
    }

    /// When today began on the hospital's clock, as stored times are written.
    pub fn today_began(&self) -> String {
        super::time_text(self.config.zone.day_start(self.today()))
    }
}
