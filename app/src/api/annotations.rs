//! Server functions for annotations (JSON bodies).

use leptos::prelude::*;
use server_fn::codec::Json;

pub use crate::domain::annotation::{Annotation, AnnotationInput};
use crate::error::AppError;

#[server(endpoint = "annotations/list", prefix = "/sfn", input = Json)]
pub async fn list_annotations(case_id: String) -> Result<Vec<Annotation>, AppError> {
    let (state, session) = crate::ssr::request::authenticated().await?;
    crate::ssr::annotations::list(&state, &session, &case_id).await
}

#[server(endpoint = "annotations/create", prefix = "/sfn", input = Json)]
pub async fn create_annotation(case_id: String, input: AnnotationInput) -> Result<Annotation, AppError> {
    let (state, session) = crate::ssr::request::authenticated().await?;
    crate::ssr::annotations::create(&state, &session, &case_id, &input).await
}

#[server(endpoint = "annotations/amend", prefix = "/sfn", input = Json)]
pub async fn amend_annotation(id: String, version: i64, input: AnnotationInput) -> Result<Annotation, AppError> {
    let (state, session) = crate::ssr::request::authenticated().await?;
    crate::ssr::annotations::change(&state, &session, &id, version, crate::ssr::annotations::Change::Amend(&input))
        .await
}

#[server(endpoint = "annotations/withdraw", prefix = "/sfn", input = Json)]
pub async fn withdraw_annotation(id: String, version: i64, reason: String) -> Result<Annotation, AppError> {
    let (state, session) = crate::ssr::request::authenticated().await?;
    crate::ssr::annotations::change(
        &state,
        &session,
        &id,
        version,
        crate::ssr::annotations::Change::Withdraw { reason: &reason },
    )
    .await
}
