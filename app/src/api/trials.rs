//! Server functions for the centre's clinical trials (issue 21).

use leptos::prelude::*;
use server_fn::codec::Json;

pub use crate::domain::trial::{Trial, TrialInput};
use crate::error::AppError;

#[server(endpoint = "trials/list", prefix = "/sfn", input = Json)]
pub async fn list_trials() -> Result<Vec<Trial>, AppError> {
    let (state, session) = crate::ssr::request::authenticated().await?;
    crate::ssr::trials::list(&state, &session).await
}

#[server(endpoint = "trials/create", prefix = "/sfn", input = Json)]
pub async fn create_trial(input: TrialInput) -> Result<Trial, AppError> {
    let (state, session) = crate::ssr::request::authenticated().await?;
    crate::ssr::trials::create(&state, &session, &input).await
}

/// A trial's recruitment status (open, suspended, closed), from the version read.
#[server(endpoint = "trials/status", prefix = "/sfn", input = Json)]
pub async fn set_trial_status(id: String, version: i64, status: String) -> Result<Trial, AppError> {
    let (state, session) = crate::ssr::request::authenticated().await?;
    crate::ssr::trials::patch(&state, &session, &id, version, &serde_json::json!({ "status": status })).await
}

/// The board's open trials matched to a case as recorded now (audited as `trial.match`).
#[server(endpoint = "trials/case", prefix = "/sfn", input = Json)]
pub async fn case_trials(case_id: String) -> Result<Vec<crate::domain::trial::TrialMatch>, AppError> {
    let (state, session) = crate::ssr::request::authenticated().await?;
    crate::ssr::trials::for_case(&state, &session, &case_id).await
}
