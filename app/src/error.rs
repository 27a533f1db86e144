//! The one error type of Tumorboard, shared by server functions, REST handlers and pages.
//!
//! Clients only ever see a code, a human message and field errors. Internal failures carry a
//! correlation id that is also written to the server log, never SQL or driver text (LG-3).

use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};

pub use domain::error::{FieldErrors, FieldErrorsBuilder, Invalid};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AppError {
    /// 400: the request could not be read at all.
    #[error("{message}")]
    BadRequest { message: String },
    /// 401: nobody is logged in, or the session has ended.
    #[error("Please log in to continue.")]
    Unauthorized,
    /// 403: logged in, but this role may not do this.
    #[error("{message}")]
    Forbidden { message: String },
    /// 403: the case belongs to a board the user is not a member of; a read is possible after
    /// breaking the glass with a reason (AC-3).
    #[error(
        "This case belongs to {board}, a board you are not a member of. In an emergency you may open it with a reason; the access is logged and reviewed."
    )]
    BreakGlassRequired { board: String },
    /// 404: no such record (or no such page).
    #[error("Not found.")]
    NotFound,
    /// 409: the record is in a state that forbids this (e.g. a signed plan).
    #[error("{message}")]
    Conflict { message: String },
    /// 410: the record was withdrawn; its tombstone says why (an attachment's bytes are no
    /// longer served once it is withdrawn).
    #[error("{message}")]
    Gone { message: String },
    /// 412: the record changed since it was read.
    #[error("This record was changed by someone else (now version {current}). Reload to see the changes.")]
    PreconditionFailed { current: i64 },
    /// 428: a versioned change came without If-Match.
    #[error("This change needs the version it was based on (If-Match).")]
    PreconditionRequired,
    /// 413: the request body is too large.
    #[error("The request is too large.")]
    PayloadTooLarge,
    /// 422: one or more fields hold invalid values; nothing was changed.
    #[error("Some fields need attention.")]
    Validation { fields: FieldErrors },
    /// 429: too many attempts; wait and retry.
    #[error("Too many attempts. Wait {retry_after_secs} seconds and try again.")]
    TooManyRequests { retry_after_secs: u64 },
    /// 503: the database does not answer.
    #[error("The service is unavailable. Try again in a minute; if it persists, call IT.")]
    Unavailable,
    /// 500: something failed inside; the correlation id finds the log line.
    #[error(
        "Something went wrong on the server (reference {correlation_id}). Try again; if it persists, give IT this reference."
    )]
    Internal { correlation_id: String },
    /// The request never reached the server function or its answer could not be read
    /// (network down, server restarting). Client side only.
    #[error("The server could not be reached. Check the connection and try again.")]
    Transport { detail: String },
}

impl AppError {
    pub fn forbidden() -> Self {
        AppError::Forbidden { message: "Your role does not allow this.".into() }
    }

    /// 403 for a record of a board the user is not a member of (no break-glass offered).
    pub fn other_board() -> Self {
        AppError::Forbidden {
            message: "This belongs to a board you are not a member of. Ask the board's coordinator if you need it."
                .into(),
        }
    }

    /// An internal failure: `what` goes to the server log with a fresh correlation id; the
    /// client sees only that reference (LG-3).
    #[cfg(feature = "ssr")]
    pub fn internal(what: &str) -> Self {
        let correlation_id = crate::ssr::new_correlation_id();
        tracing::error!(%correlation_id, "{what}");
        AppError::Internal { correlation_id }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        AppError::BadRequest { message: message.into() }
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        AppError::Conflict { message: message.into() }
    }

    /// A single field error.
    pub fn field(name: &str, message: impl Into<String>) -> Self {
        let mut fields = FieldErrors::new();
        fields.insert(name.to_string(), vec![message.into()]);
        AppError::Validation { fields }
    }

    /// Both results, or the error: when both are field errors, all their fields together, so a
    /// form shows every problem at once.
    pub fn both<A, B>(a: Result<A, AppError>, b: Result<B, AppError>) -> Result<(A, B), AppError> {
        match (a, b) {
            (Ok(a), Ok(b)) => Ok((a, b)),
            (Err(AppError::Validation { mut fields }), Err(AppError::Validation { fields: more })) => {
                for (name, messages) in more {
                    fields.entry(name).or_default().extend(messages);
                }
                Err(AppError::Validation { fields })
            }
            (Err(e), _) | (_, Err(e)) => Err(e),
        }
    }

    /// HTTP status for this error.
    pub fn status_code(&self) -> u16 {
        match self {
            AppError::BadRequest { .. } => 400,
            AppError::Unauthorized => 401,
            AppError::Forbidden { .. } | AppError::BreakGlassRequired { .. } => 403,
            AppError::NotFound => 404,
            AppError::Conflict { .. } => 409,
            AppError::Gone { .. } => 410,
            AppError::PreconditionFailed { .. } => 412,
            AppError::PayloadTooLarge => 413,
            AppError::Validation { .. } => 422,
            AppError::PreconditionRequired => 428,
            AppError::TooManyRequests { .. } => 429,
            AppError::Internal { .. } => 500,
            AppError::Transport { .. } => 502,
            AppError::Unavailable => 503,
        }
    }

    /// Stable machine-readable code used in the REST error body.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::BadRequest { .. } => "bad_request",
            AppError::Unauthorized => "unauthorized",
            AppError::Forbidden { .. } => "forbidden",
            AppError::BreakGlassRequired { .. } => "break_glass_required",
            AppError::NotFound => "not_found",
            AppError::Conflict { .. } => "conflict",
            AppError::Gone { .. } => "gone",
            AppError::PreconditionFailed { .. } => "precondition_failed",
            AppError::PayloadTooLarge => "payload_too_large",
            AppError::Validation { .. } => "validation",
            AppError::PreconditionRequired => "precondition_required",
            AppError::TooManyRequests { .. } => "too_many_requests",
            AppError::Internal { .. } => "internal",
            AppError::Transport { .. } => "transport",
            AppError::Unavailable => "unavailable",
        }
    }

    /// The field errors, if this is a validation error.
    pub fn fields(&self) -> Option<&FieldErrors> {
        match self {
            AppError::Validation { fields } => Some(fields),
            _ => None,
        }
    }

    /// First message for one field, for showing next to its control.
    pub fn field_message(&self, name: &str) -> Option<String> {
        self.fields().and_then(|f| f.get(name)).and_then(|m| m.first().cloned())
    }

    /// The REST error body of api.md: `{"error": {"code", "message", "fields"}}`.
    pub fn to_json_body(&self) -> serde_json::Value {
        let mut err = serde_json::json!({
            "code": self.code(),
            "message": self.to_string(),
        });
        if let Some(fields) = self.fields() {
            err["fields"] = serde_json::to_value(fields).unwrap_or_default();
        }
        serde_json::json!({ "error": err })
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // The arguments could not be decoded: malformed input from the client.
            ServerFnErrorErr::Args(msg) | ServerFnErrorErr::MissingArg(msg) => {
                AppError::BadRequest { message: format!("The request could not be read: {msg}") }
            }
            // On the server, a body that does not decode is the client's input (found by the
            // fuzzing of issue 17: it was a 502). Server functions run in-process during SSR, so
            // the server itself never decodes an answer; in the browser it is the transport.
            ServerFnErrorErr::Deserialization(msg) if cfg!(feature = "ssr") => {
                AppError::BadRequest { message: format!("The request could not be read: {msg}") }
            }
            // Client side: the server could not be reached or its answer not read.
            ServerFnErrorErr::Request(msg)
            | ServerFnErrorErr::Deserialization(msg)
            | ServerFnErrorErr::Serialization(msg) => AppError::Transport { detail: msg },
            // Anything else is internal: no detail goes to the client.
            other => {
                #[cfg(feature = "ssr")]
                {
                    let correlation_id = crate::ssr::new_correlation_id();
                    tracing::error!(%correlation_id, error = %other, "server function failure");
                    AppError::Internal { correlation_id }
                }
                #[cfg(not(feature = "ssr"))]
                {
                    AppError::Transport { detail: other.to_string() }
                }
            }
        }
    }
}

/// The domain's field errors are a 422 with the same messages.
impl From<Invalid> for AppError {
    fn from(e: Invalid) -> Self {
        AppError::Validation { fields: e.fields }
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    /// Database errors are logged with a correlation id and reach the client as `Internal`,
    /// never with SQL text (LG-3). A pool timeout, or a connection that failed (the server
    /// restarting, a failover: `db::note_failure`, which also retires the kept connections),
    /// means the database does not answer: `Unavailable`, to be tried again.
    fn from(err: sqlx::Error) -> Self {
        let connection_failed = crate::ssr::db::note_failure(&err);
        if connection_failed || matches!(err, sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed) {
            tracing::error!(error = %err, "database unavailable");
            return AppError::Unavailable;
        }
        // PostgreSQL stores no NUL character in text (SQLSTATE 22021): a request carrying one
        // (an id, a search text) is the client's error, found before anything is written.
        if let sqlx::Error::Database(db) = &err
            && db.code().as_deref() == Some("22021")
        {
            return AppError::bad_request("The request contains a character that cannot be stored (a NUL byte).");
        }
        let correlation_id = crate::ssr::new_correlation_id();
        tracing::error!(%correlation_id, error = %err, "database error");
        AppError::Internal { correlation_id }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_error_body_lists_fields_as_in_api_md() {
        let e = AppError::field("password", "At least 12 characters.");
        let body = e.to_json_body();
        assert_eq!(body["error"]["code"], "validation");
        assert_eq!(body["error"]["fields"]["password"][0], "At least 12 characters.");
        assert_eq!(e.status_code(), 422);
    }

    #[test]
    fn internal_error_message_carries_only_the_reference() {
        let e = AppError::Internal { correlation_id: "abc123".into() };
        let msg = e.to_string();
        assert!(msg.contains("abc123"));
        assert!(!msg.to_lowercase().contains("sql"));
        assert_eq!(e.status_code(), 500);
    }

    #[test]
    fn the_domains_field_errors_become_a_422_with_the_same_messages() {
        let err: AppError = Invalid::field("ecog", "ECOG is 0 to 4.").into();
        assert_eq!(err.status_code(), 422);
        assert_eq!(err.field_message("ecog").as_deref(), Some("ECOG is 0 to 4."));
    }
}
