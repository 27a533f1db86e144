//! Server functions for the board's plan (JSON bodies).

use leptos::prelude::*;
use server_fn::codec::Json;

pub use crate::domain::plan::{Addendum, OutcomeInput, Plan, PlanInput};
use crate::error::AppError;

#[server(endpoint = "plans/get", prefix = "/sfn", input = Json)]
pub async fn get_plan(case_id: String) -> Result<Option<Plan>, AppError> {
    let (state, session) = crate::ssr::request::authenticated().await?;
    crate::ssr::plans::get(&state, &session, &case_id).await
}

#[server(endpoint = "plans/save", prefix = "/sfn", input = Json)]
pub async fn save_plan(case_id: String, version: Option<i64>, input: PlanInput) -> Result<Plan, AppError> {
    let (state, session) = crate::ssr::request::authenticated().await?;
    crate::ssr::plans::save(&state, &session, &case_id, version, &input).await
}

/// Signs the plan version the signer was shown (`version`); a changed plan is refused (412).
#[server(endpoint = "plans/sign", prefix = "/sfn", input = Json)]
pub async fn sign_plan(case_id: String, version: i64, password: String) -> Result<Plan, AppError> {
    let (state, session) = crate::ssr::request::authenticated().await?;
    crate::ssr::plans::sign(&state, &session, &case_id, version, password).await
}

#[server(endpoint = "plans/addendum", prefix = "/sfn", input = Json)]
pub async fn add_addendum(case_id: String, body: String) -> Result<Addendum, AppError> {
    let (state, session) = crate::ssr::request::authenticated().await?;
    crate::ssr::plans::add_addendum(&state, &session, &case_id, &body).await
}

#[server(endpoint = "plans/outcome", prefix = "/sfn", input = Json)]
pub async fn record_outcome(case_id: String, input: OutcomeInput) -> Result<Plan, AppError> {
    let (state, session) = crate::ssr::request::authenticated().await?;
    crate::ssr::plans::record_outcome(&state, &session, &case_id, &input).await
}
