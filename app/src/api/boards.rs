//! Server functions for boards (administrators manage them; everyone lists their own) and the
//! review list of break-glass accesses.

use leptos::prelude::*;
use server_fn::codec::Json;

pub use crate::domain::board::{Board, BoardChange, BoardInput, BoardRef, BreakGlassAccess, ExpectedChange};
use crate::error::AppError;

/// Boards with their members: every board for administrators and reviewers, one's own else.
#[server(endpoint = "boards/list", prefix = "/sfn", input = Json)]
pub async fn list_boards() -> Result<Vec<Board>, AppError> {
    let (state, session) = crate::ssr::request::authenticated().await?;
    crate::ssr::boards::list(&state, &session).await
}

/// Every board's name with whether the user belongs to it, for filters and choices.
#[server(endpoint = "boards/choices", prefix = "/sfn", input = Json)]
pub async fn board_choices() -> Result<Vec<BoardRef>, AppError> {
    let (state, session) = crate::ssr::request::authenticated().await?;
    crate::ssr::boards::choices(&state, &session).await
}

#[server(endpoint = "boards/create", prefix = "/sfn", input = Json)]
pub async fn create_board(input: BoardInput) -> Result<Board, AppError> {
    let (state, session) = crate::ssr::request::authenticated().await?;
    crate::ssr::boards::create(&state, &session, &input).await
}

#[server(endpoint = "boards/update", prefix = "/sfn", input = Json)]
pub async fn update_board(id: String, input: BoardChange) -> Result<Board, AppError> {
    let (state, session) = crate::ssr::request::authenticated().await?;
    crate::ssr::boards::update(&state, &session, &id, &input).await
}

/// Ticks and unticks the voices a board expects (the administration page): only the
/// specialties named change, so a change made since the page was drawn is kept.
#[server(endpoint = "boards/expected", prefix = "/sfn", input = Json)]
pub async fn change_expected_voices(id: String, change: ExpectedChange) -> Result<Board, AppError> {
    let (state, session) = crate::ssr::request::authenticated().await?;
    crate::ssr::boards::change_expected(&state, &session, &id, &change).await
}

/// Adds (`member` true) or removes a user.
#[server(endpoint = "boards/member", prefix = "/sfn", input = Json)]
pub async fn set_board_member(board_id: String, user_id: String, member: bool) -> Result<Board, AppError> {
    let (state, session) = crate::ssr::request::authenticated().await?;
    if member {
        crate::ssr::boards::add_member(&state, &session, &board_id, &user_id).await
    } else {
        crate::ssr::boards::remove_member(&state, &session, &board_id, &user_id).await
    }
}

/// Every break-glass access with the reads made under it (administrators and reviewers).
#[server(endpoint = "boards/break-glass", prefix = "/sfn", input = Json)]
pub async fn break_glass_accesses() -> Result<Vec<BreakGlassAccess>, AppError> {
    let (state, session) = crate::ssr::request::authenticated().await?;
    crate::ssr::boards::accesses(&state, &session).await
}
