//! Server functions before the meeting (issue 18): my work, the pipeline, and asking a
//! specialty for its view.

use leptos::prelude::*;
use server_fn::codec::Json;

pub use crate::domain::work::{MyWork, PipelineCard, PipelineQuery, VoiceRequestInput, VoiceStatus};
use crate::error::AppError;

#[server(endpoint = "work/mine", prefix = "/sfn", input = Json)]
pub async fn load_my_work() -> Result<MyWork, AppError> {
    let (state, session) = crate::ssr::request::authenticated().await?;
    crate::ssr::work::my_work(&state, &session).await
}

#[server(endpoint = "pipeline/list", prefix = "/sfn", input = Json)]
pub async fn pipeline(query: PipelineQuery) -> Result<Vec<PipelineCard>, AppError> {
    let (state, session) = crate::ssr::request::authenticated().await?;
    crate::ssr::work::pipeline(&state, &session, &query).await
}

#[server(endpoint = "voices/request", prefix = "/sfn", input = Json)]
pub async fn request_voice(case_id: String, input: VoiceRequestInput) -> Result<Vec<VoiceStatus>, AppError> {
    let (state, session) = crate::ssr::request::authenticated().await?;
    crate::ssr::work::request_voice(&state, &session, &case_id, &input).await
}

/// How many things wait for the user (the navigation's count; no patient data).
#[server(endpoint = "work/count", prefix = "/sfn", input = Json)]
pub async fn my_work_count() -> Result<usize, AppError> {
    let (state, session) = crate::ssr::request::authenticated().await?;
    crate::ssr::work::my_work_count(&state, &session).await
}
