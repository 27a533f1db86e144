//! Documents and key images (issue 20): `POST/GET /api/v1/cases/{id}/attachments` (multipart
//! upload; list), `GET /api/v1/attachments/{id}` (the bytes) and `PATCH /api/v1/attachments/{id}`
//! (withdraw with a reason).

use axum::Json;
use axum::body::Body;
use axum::extract::multipart::{Field, MultipartError, MultipartRejection};
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::TryStreamExt;
use serde::Deserialize;

use app::domain::attachment::AttachmentInput;
use app::error::AppError;
use app::ssr::AppState;
use app::ssr::attachments::{self, Copy, Receiver};

use super::cases::if_match;
use super::{ApiError, ApiQuery, Authed, JsonBody, created, with_etag};

/// The longest text field of an upload form, bytes.
const MAX_FIELD: usize = 4_096;

/// The form of `POST /cases/{id}/attachments` (`multipart/form-data`), for the OpenAPI document.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct UploadForm {
    /// The file: PDF, PNG or JPEG (read from its content), at most `TUMORBOARD_MAX_UPLOAD_MB`.
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    file: String,
    /// pathology_report, imaging_report, key_image, letter or other.
    kind: String,
    title: String,
    /// The examination's or letter's date, `YYYY-MM-DD` (optional for "other").
    examined_on: Option<String>,
    /// The owning specialty's code; the uploader's own when left out (coordinators name one).
    specialty: Option<String>,
    /// The id of the attachment of this case that this one corrects.
    supersedes: Option<String>,
}

#[utoipa::path(
    post,
    path = "/api/v1/cases/{id}/attachments",
    tag = "attachments",
    summary = "Attach a document or key image to a case (coordinators, clinicians): multipart with file, kind, title, examined_on, specialty, supersedes",
    params(("id" = String, Path, description = "The case's id (opaque; never a patient identifier)")),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Stored: the attachment with its SHA-256", body = app::domain::attachment::Attachment, headers(("ETag" = String, description = "The version: `\"1\"`"))),
        (status = 413, description = "The file is larger than the server accepts (`TUMORBOARD_MAX_UPLOAD_MB`)", body = super::openapi::ErrorBody),
    ),
)]
pub async fn upload(
    State(state): State<AppState>,
    Authed(session): Authed,
    Path(case_id): Path<String>,
    form: Result<Multipart, MultipartRejection>,
) -> Result<Response, ApiError> {
    // Who may attach is settled before a byte of the file is read.
    attachments::may_attach(&state, &session, &case_id).await?;
    let mut form =
        form.map_err(|r| AppError::bad_request(format!("Send the file as multipart/form-data: {}", r.body_text())))?;
    let mut input = AttachmentInput::default();
    let mut staged = None;
    while let Some(mut field) = form.next_field().await.map_err(multipart_error)? {
        let name = field.name().unwrap_or_default().to_string();
        match name.as_str() {
            "file" => {
                if staged.is_some() {
                    return Err(AppError::field("file", "Send one file per upload.").into());
                }
                let mut receiver = Receiver::new(state.config.max_upload_bytes).await?;
                while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
                    receiver.push(&chunk).await?;
                }
                staged = Some(receiver.finish().await?);
            }
            "kind" => input.kind = text(&mut field, &name).await?,
            "title" => input.title = text(&mut field, &name).await?,
            "examined_on" => input.examined_on = text(&mut field, &name).await?,
            "specialty" => input.specialty = text(&mut field, &name).await?,
            "supersedes" => input.supersedes = text(&mut field, &name).await?,
            other => {
                return Err(AppError::field(
                    other,
                    "Unknown field: send file, kind, title, examined_on, specialty and supersedes.",
                )
                .into());
            }
        }
    }
    // Every field's problems at once, the missing file among them.
    let Some(staged) = staged else {
        let missing = AppError::field("file", "Choose a file to attach.");
        let fields = input.parse(session.me.specialty, state.today()).map_err(AppError::from);
        return Err(AppError::both(Err::<(), _>(missing), fields).unwrap_err().into());
    };
    let a = attachments::store(&state, &session, &case_id, &input, staged).await?;
    Ok(created(a.version, &a, &format!("/api/v1/attachments/{}", a.id)))
}

/// A text field, at most [`MAX_FIELD`] bytes of UTF-8.
async fn text(field: &mut Field<'_>, name: &str) -> Result<String, ApiError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
        bytes.extend_from_slice(&chunk);
        if bytes.len() > MAX_FIELD {
            return Err(AppError::field(name, format!("At most {MAX_FIELD} bytes.")).into());
        }
    }
    String::from_utf8(bytes).map_err(|_| AppError::field(name, "The text is not UTF-8.").into())
}

fn multipart_error(e: MultipartError) -> ApiError {
    ApiError(if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::PayloadTooLarge
    } else {
        AppError::bad_request(format!("The multipart form could not be read: {}", e.body_text()))
    })
}

#[utoipa::path(
    get,
    path = "/api/v1/cases/{id}/attachments",
    tag = "attachments",
    summary = "A case's documents and key images (metadata; withdrawn and superseded ones included)",
    params(("id" = String, Path, description = "The case's id (opaque; never a patient identifier)")),
    responses((status = 200, description = "Done", body = Vec<app::domain::attachment::Attachment>)),
)]
pub async fn list(
    State(state): State<AppState>,
    Authed(session): Authed,
    Path(case_id): Path<String>,
) -> Result<Response, ApiError> {
    Ok(Json(attachments::list(&state, &session, &case_id).await?).into_response())
}

/// A file's bytes, for the OpenAPI document (a binary string, not a JSON array of numbers).
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(dead_code)]
pub struct FileBytes(Vec<u8>);

/// `GET /attachments/{id}?copy=&download=`.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReadQuery {
    /// `original` (default): byte for byte as uploaded; `display`: what screens show (an
    /// image without its Exif, XMP, comments and text chunks).
    copy: Option<String>,
    /// `true`: sent as a download (`Content-Disposition: attachment`); else shown inline.
    download: Option<bool>,
}

/// How the browser may treat a file it is sent: nothing in it may run or load anything; an
/// image may be shown, a PDF opened in the browser's own viewer; only this site may frame it.
fn file_csp(image: bool) -> &'static str {
    if image {
        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'; sandbox"
    } else {
        "default-src 'none'; object-src 'self'; frame-ancestors 'self'"
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/attachments/{id}",
    tag = "attachments",
    summary = "The bytes of a document or image, with its checked content type (audited)",
    params(("id" = String, Path, description = "The attachment's id"), ReadQuery),
    responses(
        (status = 200, description = "The file, in the type read from its content", content(
            (FileBytes = "application/pdf"), (FileBytes = "image/png"), (FileBytes = "image/jpeg"),
        ), headers(
            ("Content-Disposition" = String, description = "inline or attachment, with a file name made of the title and date"),
            ("X-Content-SHA256" = String, description = "The SHA-256 of the bytes sent"),
        )),
        (status = 410, description = "The attachment was withdrawn; the message says by whom, when and why", body = super::openapi::ErrorBody),
    ),
)]
pub async fn read(
    State(state): State<AppState>,
    Authed(session): Authed,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<ReadQuery>,
) -> Result<Response, ApiError> {
    let copy = match q.copy.as_deref() {
        None | Some("original") => Copy::Original,
        Some("display") => Copy::Display,
        Some(_) => return Err(AppError::field("copy", "Use original or display.").into()),
    };
    let (a, sha, bytes) = attachments::open(&state, &session, &id, copy).await?;
    let disposition = if q.download.unwrap_or(false) { "attachment" } else { "inline" };
    let name: String = a.download_name().chars().map(|c| if c.is_ascii() && c != '"' { c } else { '_' }).collect();
    let mut res = Response::new(Body::from_stream(bytes.map_ok(axum::body::Bytes::from)));
    let h = res.headers_mut();
    let content_type = a.file_type().map(|t| t.media_type()).unwrap_or("application/octet-stream");
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("{disposition}; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    if let Ok(v) = HeaderValue::from_str(&sha) {
        h.insert("x-content-sha256", v);
    }
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(file_csp(a.is_image())));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("SAMEORIGIN"));
    h.insert("cross-origin-resource-policy", HeaderValue::from_static("same-origin"));
    Ok(res)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttachmentPatch {
    /// The only change an attachment takes: its withdrawal, with the reason.
    withdraw: WithdrawBody,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WithdrawBody {
    reason: String,
}

#[utoipa::path(
    patch,
    path = "/api/v1/attachments/{id}",
    tag = "attachments",
    summary = "Withdraw a document or image with a reason (its uploader, a coordinator or its specialty); it stays stored, is no longer served",
    params(("id" = String, Path, description = "The attachment's id"), ("If-Match" = String, Header, description = "The version read, as its ETag: `\"1\"`")),
    request_body = AttachmentPatch,
    responses((status = 200, description = "The withdrawn attachment", body = app::domain::attachment::Attachment, headers(("ETag" = String, description = "The version: `\"N\"`")))),
)]
pub async fn patch(
    State(state): State<AppState>,
    Authed(session): Authed,
    Path(id): Path<String>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<AttachmentPatch>,
) -> Result<Response, ApiError> {
    let expected = if_match(&headers)?;
    let a = attachments::withdraw(&state, &session, &id, expected, &body.withdraw.reason).await?;
    Ok(with_etag(StatusCode::OK, a.version, a))
}
