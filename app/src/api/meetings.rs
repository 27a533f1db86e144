//! Server functions for meetings, agendas, attendance and meeting mode (JSON bodies).

use leptos::prelude::*;
use server_fn::codec::Json;

pub use crate::domain::board::ExpectedChange;
pub use crate::domain::meeting::{Attendee, Meeting, MeetingCancel, MeetingChange, MeetingDetail, MeetingInput};
use crate::error::AppError;

#[server(endpoint = "meetings/list", prefix = "/sfn", input = Json)]
pub async fn list_meetings() -> Result<Vec<Meeting>, AppError> {
    let (state, session) = crate::ssr::request::authenticated().await?;
    crate::ssr::meetings::list(&state, &session).await
}

#[server(endpoint = "meetings/get", prefix = "/sfn", input = Json)]
pub async fn get_meeting(id: String) -> Result<MeetingDetail, AppError> {
    let (state, session) = crate::ssr::request::authenticated().await?;
    crate::ssr::meetings::get(&state, &session, &id).await
}

/// Schedules the meeting, or `weeks` of them, one a week from its start (the meetings page's
/// *Meetings to schedule*; left out, one); all come back in the order of their dates.
#[server(endpoint = "meetings/create", prefix = "/sfn", input = Json)]
pub async fn create_meeting(
    input: MeetingInput,
    #[server(default)] weeks: Option<u32>,
) -> Result<Vec<Meeting>, AppError> {
    let (state, session) = crate::ssr::request::authenticated().await?;
    crate::ssr::meetings::create_weekly(&state, &session, &input, weeks.unwrap_or(1)).await
}

/// Changes the fields the change carries (the meeting page's form sends those it changed), and
/// the expected specialties ticked and unticked (`expected`), applied to the list as stored.
#[server(endpoint = "meetings/change", prefix = "/sfn", input = Json)]
pub async fn change_meeting(
    id: String,
    change: MeetingChange,
    #[server(default)] expected: Option<ExpectedChange>,
) -> Result<MeetingDetail, AppError> {
    let (state, session) = crate::ssr::request::authenticated().await?;
    crate::ssr::meetings::change(&state, &session, &id, &change, expected.as_ref()).await
}

/// Calls the meeting off, saying why; its cases wait for another meeting.
#[server(endpoint = "meetings/cancel", prefix = "/sfn", input = Json)]
pub async fn cancel_meeting(id: String, cancel: MeetingCancel) -> Result<MeetingDetail, AppError> {
    let (state, session) = crate::ssr::request::authenticated().await?;
    crate::ssr::meetings::cancel(&state, &session, &id, &cancel).await
}

#[server(endpoint = "meetings/agenda/add", prefix = "/sfn", input = Json)]
pub async fn add_to_agenda(
    meeting_id: String,
    case_id: String,
    mode: String,
    minutes: Option<i64>,
) -> Result<MeetingDetail, AppError> {
    let (state, session) = crate::ssr::request::authenticated().await?;
    crate::ssr::meetings::add_case(&state, &session, &meeting_id, &case_id, &mode, minutes).await
}

/// `op`: "up", "down", "to" (with position), "remove" or "set" (with the mode, the minutes or
/// both; what is not sent is kept).
#[server(endpoint = "meetings/agenda/change", prefix = "/sfn", input = Json)]
pub async fn change_agenda(
    meeting_id: String,
    case_id: String,
    op: String,
    mode: Option<String>,
    minutes: Option<i64>,
    #[server(default)] position: Option<i64>,
) -> Result<MeetingDetail, AppError> {
    use crate::ssr::meetings::AgendaChange;
    let (state, session) = crate::ssr::request::authenticated().await?;
    // One kind of change a request, as in the REST PATCH: what an operation does not take is
    // refused, not dropped.
    let extra = match op.as_str() {
        "set" => position.is_some(),
        "to" => mode.is_some() || minutes.is_some(),
        _ => mode.is_some() || minutes.is_some() || position.is_some(),
    };
    if extra {
        return Err(AppError::field("op", "Send a position with \"to\" only, a mode or minutes with \"set\" only."));
    }
    let change = match op.as_str() {
        "up" => AgendaChange::Up,
        "down" => AgendaChange::Down,
        "remove" => AgendaChange::Remove,
        "set" => AgendaChange::Set { mode, minutes },
        "to" => AgendaChange::To(position.ok_or_else(|| AppError::field("position", "Say which position."))?),
        _ => return Err(AppError::field("op", "Use up, down, to, remove or set.")),
    };
    crate::ssr::meetings::change_item(&state, &session, &meeting_id, &case_id, change).await
}

#[server(endpoint = "meetings/attendance", prefix = "/sfn", input = Json)]
pub async fn set_attendance(meeting_id: String, user_id: String, present: bool) -> Result<MeetingDetail, AppError> {
    let (state, session) = crate::ssr::request::authenticated().await?;
    crate::ssr::meetings::set_attendance(&state, &session, &meeting_id, &user_id, present).await
}

#[server(endpoint = "meetings/members", prefix = "/sfn", input = Json)]
pub async fn board_members() -> Result<Vec<Attendee>, AppError> {
    let (state, session) = crate::ssr::request::authenticated().await?;
    crate::ssr::meetings::members(&state, &session).await
}

#[server(endpoint = "meetings/present", prefix = "/sfn", input = Json)]
pub async fn present_case(
    meeting_id: String,
    case_id: Option<String>,
    // A document or key image of that case, shown large to everyone (issue 20).
    #[server(default)] attachment_id: Option<String>,
    #[server(default)] take_control: bool,
) -> Result<MeetingDetail, AppError> {
    let (state, session) = crate::ssr::request::authenticated().await?;
    crate::ssr::meetings::present(
        &state,
        &session,
        &meeting_id,
        case_id.as_deref(),
        attachment_id.as_deref(),
        take_control,
    )
    .await
}

#[server(endpoint = "meetings/present_view", prefix = "/sfn", input = Json)]
pub async fn present_view(
    meeting_id: String,
    // A case of the agenda to look at on one's own (not following the presenter); None shows
    // the case the presenter is on.
    #[server(default)] case_id: Option<String>,
) -> Result<crate::domain::meeting::PresentView, AppError> {
    let (state, session) = crate::ssr::request::authenticated().await?;
    crate::ssr::meetings::present_view(&state, &session, &meeting_id, case_id).await
}
