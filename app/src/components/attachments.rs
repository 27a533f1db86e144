//! Documents and key images on the case page (issue 20): listed by kind, images as thumbnails
//! (their display copy, without metadata), PDFs opened in the browser's own viewer; each with
//! its date, owner, uploader, size and SHA-256. Coordinators and clinicians attach files (the
//! upload shows its progress), correct one with a newer file and withdraw one with a reason.

use leptos::prelude::*;

use crate::api::attachments::{Attachment, WithdrawAttachment};
use crate::components::actions::{SentFrom, after_saving, failure};
use crate::components::errors::{ActionError, FieldError, invalid, keep_focus_at};
use crate::components::format::when;
use crate::domain::attachment::{AttachmentKind, size_label};
use crate::domain::codes::choices;
use crate::domain::role::{Action, Role, Specialty, can};
use crate::domain::user::Me;
use crate::error::{AppError, FieldErrors};

/// The address of an attachment's bytes: the display copy (what screens show) or the original
/// as a download.
pub fn file_url(id: &str, display: bool) -> String {
    if display {
        format!("/api/v1/attachments/{id}?copy=display")
    } else {
        format!("/api/v1/attachments/{id}?download=true")
    }
}

/// Whether `me` may correct or withdraw `a` (the server checks again: its uploader, a
/// coordinator, or a clinician of the specialty that owns it).
fn may_change(me: &Me, a: &Attachment) -> bool {
    can(me.role, Action::Attach)
        && (me.id == a.uploaded_by || me.role == Role::Coordinator || me.specialty == Some(a.specialty))
}

#[component]
pub fn AttachmentsPanel(
    case_id: String,
    #[prop(into)] list: Signal<Option<Result<Vec<Attachment>, AppError>>>,
    max_upload_bytes: u64,
    me: Option<Me>,
    /// Bumped after this user's upload or withdrawal: the list reloads.
    saved: RwSignal<u32>,
) -> impl IntoView {
    let withdraw = ServerAction::<WithdrawAttachment>::new();
    // One withdraw action for every document: the one whose form sent it shows the field errors.
    let sent = SentFrom::new();
    after_saving(withdraw, move |a: &Attachment| {
        saved.update(|n| *n += 1);
        // The form and its buttons are gone: the focus goes to the document's withdrawal notice.
        keep_focus_at(format!("#attachment-{}", a.id));
    });
    let may_attach = me.as_ref().is_some_and(|m| can(m.role, Action::Attach));
    let me_for_list = me.clone();
    view! {
        <section class="panel attachments" aria-labelledby="documents-heading">
            <h2 id="documents-heading">"Documents and images"</h2>
            <ActionError error=failure(withdraw) />
            <Transition fallback=|| view! { <p aria-busy="true">"Loading the documents…"</p> }>
                {move || list.get().map(|r| match r {
                    Ok(all) if all.is_empty() => view! {
                        <p class="muted" data-testid="no-documents">"No documents or images yet."</p>
                    }.into_any(),
                    Ok(all) => view! { <AttachmentGroups all me=me_for_list.clone() withdraw sent /> }.into_any(),
                    Err(e) => view! { <p class="notice bad" role="alert">{e.to_string()}</p> }.into_any(),
                })}
            </Transition>
            {may_attach.then(|| {
                let current = Signal::derive(move || {
                    list.get().and_then(|r| r.ok()).unwrap_or_default().into_iter().filter(Attachment::is_current).collect::<Vec<_>>()
                });
                view! { <UploadForm case_id=case_id.clone() max_upload_bytes own=me.as_ref().and_then(|m| m.specialty) current saved /> }
            })}
        </section>
    }
}

/// The attachments by kind; under each current one, the versions it corrected.
#[component]
fn AttachmentGroups(
    all: Vec<Attachment>,
    me: Option<Me>,
    withdraw: ServerAction<WithdrawAttachment>,
    sent: SentFrom,
) -> impl IntoView {
    AttachmentKind::ALL
        .iter()
        .filter_map(|kind| {
            let of_kind: Vec<Attachment> = all.iter().filter(|a| a.kind == *kind).cloned().collect();
            if of_kind.is_empty() {
                return None;
            }
            let (shown, earlier): (Vec<Attachment>, Vec<Attachment>) =
                of_kind.into_iter().partition(|a| a.superseded_by.is_none());
            let me = me.clone();
            Some(view! {
                <h3 class="attachment-kind">{kind.label()}</h3>
                <ul class="attachment-list">
                    {shown.into_iter().map(|a| {
                        let me = me.clone();
                        view! { <AttachmentItem a me withdraw sent /> }
                    }).collect_view()}
                </ul>
                {(!earlier.is_empty()).then(|| view! {
                    <details class="earlier">
                        <summary>{format!("Earlier versions ({}), corrected since", earlier.len())}</summary>
                        <ul class="attachment-list">
                            {earlier.into_iter().map(|a| view! { <AttachmentItem a me=None withdraw sent /> }).collect_view()}
                        </ul>
                    </details>
                })}
            })
        })
        .collect_view()
}

#[component]
fn AttachmentItem(
    a: Attachment,
    me: Option<Me>,
    withdraw: ServerAction<WithdrawAttachment>,
    sent: SentFrom,
) -> impl IntoView {
    let may = me.as_ref().is_some_and(|m| may_change(m, &a)) && a.withdrawn.is_none();
    let date = a.examined_on.clone().unwrap_or_else(|| "no date".into());
    let meta = format!(
        "{date} · {} · {} · uploaded by {} on {}",
        a.specialty.label(),
        size_label(a.size_bytes),
        a.uploaded_by_name,
        when(&a.uploaded_at)
    );
    let title = a.title.clone();
    let preview = match (&a.withdrawn, a.is_image()) {
        (Some(_), _) => ().into_any(),
        (None, true) => view! {
            <a class="thumb-link" href=file_url(&a.id, true) target="_blank" rel="noopener">
                <img class="thumb" src=file_url(&a.id, true) alt=format!("{title} (key image)") loading="lazy" />
            </a>
        }
        .into_any(),
        (None, false) => view! { <span class="file-badge" aria-hidden="true">"PDF"</span> }.into_any(),
    };
    let links = a.withdrawn.is_none().then(|| {
        view! {
            <a href=file_url(&a.id, true) target="_blank" rel="noopener" data-testid="open-attachment">
                {if a.is_image() { "Open the image" } else { "Open the report" }}
                <span class="sr-only">{format!(": {}", a.title)}</span>
            </a>
            " · "
            <a href=file_url(&a.id, false)>"Download the original"<span class="sr-only">{format!(": {}", a.title)}</span></a>
        }
    });
    let open = RwSignal::new(false);
    let reason = RwSignal::new(String::new());
    let (id, version) = (a.id.clone(), a.version);
    let field_id = format!("withdraw-{}", a.id);
    let error_id = format!("withdraw-{}-error", a.id);
    let reason_error = sent.field_error(withdraw, a.id.clone(), "reason");
    view! {
        <li class="attachment" id=format!("attachment-{}", a.id) class:withdrawn=a.withdrawn.is_some() data-testid="attachment">
            {preview}
            <div class="attachment-text">
                <p class="attachment-title"><strong>{a.title.clone()}</strong>
                    {a.supersedes.is_some().then(|| view! { <span class="badge">"corrected version"</span> })}
                    {a.superseded_by.is_some().then(|| view! { <span class="badge warn">"corrected since"</span> })}
                </p>
                <p class="muted">{meta}</p>
                {a.withdrawn.clone().map(|w| view! {
                    <p class="notice warn" tabindex="-1" data-testid="attachment-withdrawn">
                        {format!("Withdrawn by {} on {}: {}", w.by_name, when(&w.at), w.reason)}
                    </p>
                })}
                <p class="links">{links}</p>
                <p class="muted sha">"SHA-256 " <code class="hash">{a.sha256.clone()}</code>
                    {a.display_stripped.then_some(" · shown without the image's metadata")}</p>
                {may.then(|| view! {
                    <button type="button" class="secondary small" aria-expanded=move || open.get().to_string()
                        on:click=move |_| open.update(|o| *o = !*o)>
                        "Withdraw"<span class="sr-only">{format!(": {}", a.title)}</span>
                    </button>
                    {move || open.get().then(|| {
                        let (id, field_id, error_id) = (id.clone(), field_id.clone(), error_id.clone());
                        view! {
                            <form class="withdraw-form" on:submit=move |ev: leptos::ev::SubmitEvent| {
                                ev.prevent_default();
                                sent.mark(&id);
                                withdraw.dispatch(WithdrawAttachment { id: id.clone(), version, reason: reason.get_untracked() });
                            }>
                                <div class="field">
                                    <label for=field_id.clone()>"Why is it withdrawn? (kept in the record; the file is no longer shown)"</label>
                                    <input id=field_id.clone() type="text" required maxlength="2000" aria-describedby=error_id.clone()
                                        aria-invalid=invalid(reason_error)
                                        prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev)) />
                                    <FieldError id=error_id.clone() message=reason_error />
                                </div>
                                <button type="submit" class="small" disabled=move || withdraw.pending().get()>"Withdraw the document"</button>
                            </form>
                        }
                    })}
                })}
            </div>
        </li>
    }
}

/// A failed upload as the REST API answers it: a message and, for a 422, each field's messages.
#[derive(Clone, Debug, Default, PartialEq)]
struct UploadError {
    message: String,
    fields: FieldErrors,
}

impl UploadError {
    fn field(&self, name: &str) -> Option<String> {
        self.fields.get(name).map(|m| m.join(" "))
    }

    #[cfg(feature = "hydrate")]
    fn from_answer(status: u16, body: &str) -> Self {
        let v: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
        let fields: FieldErrors = serde_json::from_value(v["error"]["fields"].clone()).unwrap_or_default();
        let message = match (status, v["error"]["message"].as_str()) {
            (0, _) => "The server could not be reached. Check the connection and upload again.".to_string(),
            (413, _) => "The file is larger than the server accepts.".to_string(),
            (_, Some(m)) => m.to_string(),
            _ => format!("The upload failed (HTTP {status}). Try again."),
        };
        UploadError { message, fields }
    }
}

/// The upload form: file, kind, title, date, owning specialty and, to correct a document, the
/// one it replaces. Sent as multipart to the REST route with the upload's progress shown.
#[component]
fn UploadForm(
    case_id: String,
    max_upload_bytes: u64,
    own: Option<Specialty>,
    #[prop(into)] current: Signal<Vec<Attachment>>,
    saved: RwSignal<u32>,
) -> impl IntoView {
    // None: idle; Some(fraction): sending.
    let progress = RwSignal::new(None::<f64>);
    let error = RwSignal::new(None::<UploadError>);
    let done = RwSignal::new(None::<String>);
    let max_mb = max_upload_bytes / 1_000_000;
    let url = format!("/api/v1/cases/{case_id}/attachments");
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        #[cfg(feature = "hydrate")]
        {
            let form: web_sys::HtmlFormElement = event_target(&ev);
            let file = document()
                .get_element_by_id("att-file")
                .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlInputElement>(e).ok())
                .and_then(|i| i.files())
                .and_then(|f| f.get(0));
            let local = |field: &str, message: String| {
                let mut fields = FieldErrors::new();
                fields.insert(field.to_string(), vec![message]);
                UploadError { message: "The file was not sent.".into(), fields }
            };
            match file {
                None => return error.set(Some(local("file", "Choose a file to attach.".into()))),
                Some(f) if f.size() > max_upload_bytes as f64 => {
                    return error.set(Some(local(
                        "file",
                        format!(
                            "The file is {}; the most this server accepts is {max_mb} MB.",
                            size_label(f.size() as i64)
                        ),
                    )));
                }
                Some(_) => {}
            }
            let Ok(data) = web_sys::FormData::new_with_form(&form) else { return };
            error.set(None);
            done.set(None);
            progress.set(Some(0.0));
            let sent = send_form(&url, &data, progress, move |status, body| {
                progress.set(None);
                if status == 201 {
                    form.reset();
                    done.set(Some("The document was attached.".into()));
                    saved.update(|n| *n += 1);
                } else {
                    error.set(Some(UploadError::from_answer(status, &body)));
                }
            });
            if sent.is_err() {
                progress.set(None);
                error.set(Some(UploadError::from_answer(0, "")));
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (&url, saved, max_upload_bytes);
    };
    let msg = move |f: &'static str| Signal::derive(move || error.get().and_then(|e| e.field(f)));
    let kinds = choices::<AttachmentKind>();
    let specialties = choices::<Specialty>();
    let own_code = own.map(|s| s.code());
    view! {
        <details class="upload" open=false>
            <summary>"Attach a document or image"</summary>
            <form class="upload-form" on:submit=on_submit novalidate aria-label="Attach a document or image">
                <div class="field">
                    <label for="att-file">"File: PDF, PNG or JPEG, at most " {max_mb} " MB"</label>
                    <input id="att-file" name="file" type="file" accept="application/pdf,image/png,image/jpeg,.pdf,.png,.jpg,.jpeg"
                        aria-describedby="att-file-error" aria-invalid=invalid(msg("file")) />
                    <FieldError id="att-file-error" message=msg("file") />
                </div>
                <div class="field-row">
                    <div class="field">
                        <label for="att-kind">"Kind of document"</label>
                        <select id="att-kind" name="kind" aria-describedby="att-kind-error" aria-invalid=invalid(msg("kind"))>
                            {kinds.into_iter().map(|(c, l)| view! { <option value=c>{l}</option> }).collect_view()}
                        </select>
                        <FieldError id="att-kind-error" message=msg("kind") />
                    </div>
                    <div class="field">
                        <label for="att-date">"Date of the examination or letter"</label>
                        <input id="att-date" name="examined_on" type="date" aria-describedby="att-date-error"
                            aria-invalid=invalid(msg("examined_on")) />
                        <FieldError id="att-date-error" message=msg("examined_on") />
                    </div>
                    <div class="field">
                        <label for="att-specialty">"Owned by"</label>
                        <select id="att-specialty" name="specialty" aria-describedby="att-specialty-error"
                            aria-invalid=invalid(msg("specialty"))>
                            {own.is_none().then(|| view! { <option value="">"Choose the specialty"</option> })}
                            {specialties.into_iter().map(|(c, l)| view! { <option value=c selected=own_code == Some(c)>{l}</option> }).collect_view()}
                        </select>
                        <FieldError id="att-specialty-error" message=msg("specialty") />
                    </div>
                </div>
                <div class="field">
                    <label for="att-title">"Document title"</label>
                    <input id="att-title" name="title" type="text" maxlength="200" placeholder="e.g. Histology, liver biopsy segment VI"
                        aria-describedby="att-title-error" aria-invalid=invalid(msg("title")) />
                    <FieldError id="att-title-error" message=msg("title") />
                </div>
                <div class="field">
                    <label for="att-supersedes">"Corrects (optional)"</label>
                    <select id="att-supersedes" name="supersedes" aria-describedby="att-supersedes-hint att-supersedes-error"
                        aria-invalid=invalid(msg("supersedes"))>
                        <option value="">"Nothing: a new document"</option>
                        {move || current.get().into_iter().map(|a| {
                            let label = format!("{} ({})", a.title, a.examined_on.clone().unwrap_or_default());
                            view! { <option value=a.id.clone()>{label}</option> }
                        }).collect_view()}
                    </select>
                    <p class="hint" id="att-supersedes-hint">"A corrected report replaces the one it corrects on screen; both stay in the record."</p>
                    <FieldError id="att-supersedes-error" message=msg("supersedes") />
                </div>
                {move || error.get().map(|e| view! { <p class="notice bad" role="alert" data-testid="upload-error">{e.message}</p> })}
                {move || done.get().map(|d| view! { <p class="notice ok" role="status" data-testid="upload-done">{d}</p> })}
                {move || progress.get().map(|p| {
                    let pct = (p * 100.0).round() as i64;
                    view! {
                        <p role="status" class="upload-progress">
                            <progress max="100" value=pct aria-label="Upload progress"></progress>
                            {format!(" Uploading… {pct} %")}
                        </p>
                    }
                })}
                <button type="submit" disabled=move || progress.get().is_some()>"Attach"</button>
            </form>
        </details>
    }
}

/// Sends `data` to `url` as multipart with the browser's XMLHttpRequest, whose upload reports
/// its progress (fetch does not); `done` gets the status (0: no answer) and the body.
#[cfg(feature = "hydrate")]
fn send_form(
    url: &str,
    data: &web_sys::FormData,
    progress: RwSignal<Option<f64>>,
    done: impl FnOnce(u16, String) + 'static,
) -> Result<(), wasm_bindgen::JsValue> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    let xhr = web_sys::XmlHttpRequest::new()?;
    xhr.open("POST", url)?;
    let upload = xhr.upload()?;
    let on_progress = Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |e: web_sys::ProgressEvent| {
        if e.length_computable() && e.total() > 0.0 {
            progress.set(Some(e.loaded() / e.total()));
        }
    });
    upload.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
    let answer = xhr.clone();
    let on_end = Closure::once_into_js(move || {
        upload.set_onprogress(None);
        drop(on_progress);
        let status = answer.status().unwrap_or(0);
        done(status, answer.response_text().ok().flatten().unwrap_or_default());
    });
    xhr.set_onloadend(Some(on_end.unchecked_ref()));
    xhr.send_with_opt_form_data(Some(data))
}
