//! Server functions for documents and key images (issue 20). The upload itself goes to the
//! REST route (`POST /api/v1/cases/{id}/attachments`, multipart): one receiving path for the
//! page and for scripts, streamed to disk as it arrives.

use leptos::prelude::*;
use server_fn::codec::Json;

pub use crate::domain::attachment::Attachment;
use crate::error::AppError;

#[server(endpoint = "attachments/list", prefix = "/sfn", input = Json)]
pub async fn list_attachments(case_id: String) -> Result<Vec<Attachment>, AppError> {
    let (state, session) = crate::ssr::request::authenticated().await?;
    crate::ssr::attachments::list(&state, &session, &case_id).await
}

#[server(endpoint = "attachments/withdraw", prefix = "/sfn", input = Json)]
pub async fn withdraw_attachment(id: String, version: i64, reason: String) -> Result<Attachment, AppError> {
    let (state, session) = crate::ssr::request::authenticated().await?;
    crate::ssr::attachments::withdraw(&state, &session, &id, version, &reason).await
}
