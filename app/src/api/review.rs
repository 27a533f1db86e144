//! Server functions after the meeting (issue 18): the decision list and the board's figures.

use leptos::prelude::*;
use server_fn::codec::Json;

pub use crate::domain::review::{Decision, DecisionQuery, Figures};
use crate::error::AppError;

#[server(endpoint = "decisions/list", prefix = "/sfn", input = Json)]
pub async fn list_decisions(query: DecisionQuery) -> Result<Vec<Decision>, AppError> {
    let (state, session) = crate::ssr::request::authenticated().await?;
    crate::ssr::review::decisions(&state, &session, &query).await
}

#[server(endpoint = "figures/get", prefix = "/sfn", input = Json)]
pub async fn board_figures(query: DecisionQuery) -> Result<Figures, AppError> {
    let (state, session) = crate::ssr::request::authenticated().await?;
    crate::ssr::review::figures(&state, &session, &query).await
}

/// Who signed the plans of the user's boards (names only), for the signer filter.
#[server(endpoint = "decisions/signers", prefix = "/sfn", input = Json)]
pub async fn decision_signers() -> Result<Vec<crate::domain::review::Person>, AppError> {
    let (state, session) = crate::ssr::request::authenticated().await?;
    crate::ssr::review::signers(&state, &session).await
}
