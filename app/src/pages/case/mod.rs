//! The case page: who and what the case is about, what the board still needs, the proposed
//! options, the specialties' voices, the board's plan, the details and their history. Editing
//! saves new versions (a stale save shows what changed meanwhile instead of overwriting it).
//! The page is live: other people's changes arrive without reloading, and nothing being typed
//! is lost.
//!
//! One refetch idiom: the page creates its actions once (`CaseActions`), hands them down as
//! props, and every resource is keyed on their versions and on the live ticks.

mod access;
mod detail;
mod editor;
mod history;

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

pub use history::{ChangeTable, field_label};

use crate::api::cases::case_page;
use crate::components::actions::CaseActions;
use crate::components::annotations::NoteDrafts;
use crate::components::live::{LiveBadge, follow_case};
use crate::components::plan::PlanDraft;
use crate::components::session::{GatedPage, use_session};
use crate::domain::case::CasePageData;
use crate::domain::events::CaseEventKind;
use crate::domain::role::{Action, can};
use crate::error::AppError;

#[component]
pub fn CasePage() -> impl IntoView {
    view! { <GatedPage title="Case"><CaseView /></GatedPage> }
}

/// A part of what the page loaded: `None` while loading.
type Part<T> = Signal<Option<Result<T, AppError>>>;

/// What the page shows, loaded up front: the case and everything about it in one answer (one
/// request, one audit row: issue 17), read by the views below through its parts.
#[derive(Clone, Copy)]
struct CaseResources {
    case: Part<crate::domain::case::CaseRecord>,
    proposal: Part<crate::domain::case::StoredProposal>,
    /// Every version: read only once the history's fold is opened (`history_open`).
    history: Part<Vec<crate::domain::case::CaseVersion>>,
    history_open: RwSignal<bool>,
    annotations: Part<Vec<crate::domain::annotation::Annotation>>,
    plan: Part<Option<crate::domain::plan::Plan>>,
    members: Part<Vec<crate::domain::meeting::Attendee>>,
    meetings: Part<Vec<crate::domain::meeting::Meeting>>,
    boards: Part<Vec<crate::domain::board::BoardRef>>,
    /// Pre-review: the board's expected specialties and the requests for a view.
    pre_review: Part<(Vec<crate::domain::role::Specialty>, Vec<crate::domain::work::VoiceRequest>)>,
    /// Documents and key images, and the largest file the server takes.
    attachments: Part<Vec<crate::domain::attachment::Attachment>>,
    max_upload_bytes: Part<u64>,
    /// The board's open trials matched to the case.
    trials: Part<Vec<crate::domain::trial::TrialMatch>>,
    /// Bumped by this user's uploads and withdrawals (the documents reload alone).
    files_saved: RwSignal<u32>,
}

/// Everything the page holds for the views below it: what is loaded, what can be done, what is
/// being typed, whether the editor is open. Created once per page, handed down as one prop.
#[derive(Clone, Copy)]
struct CasePage {
    r: CaseResources,
    actions: CaseActions,
    drafts: Drafts,
    editing: Editing,
}

/// What is being typed into the plan and the notes, kept across rebuilds of the views.
#[derive(Clone, Copy)]
struct Drafts {
    plan: PlanDraft,
    notes: NoteDrafts,
}

/// Whether the editor is open, and whether someone changed the case meanwhile.
#[derive(Clone, Copy)]
struct Editing {
    open: RwSignal<bool>,
    changed_meanwhile: RwSignal<bool>,
}

#[component]
fn CaseView() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let actions = CaseActions::new();
    // `case_tick` and `notes_tick` follow other people's changes arriving live, so a new
    // annotation does not rebuild the case view; the actions' versions follow this user's own.
    let case_tick = RwSignal::new(0u32);
    let notes_tick = RwSignal::new(0u32);
    let files_tick = RwSignal::new(0u32);
    let files_saved = RwSignal::new(0u32);
    let trials_tick = RwSignal::new(0u32);
    let key = move || (id(), actions.case_saved(), case_tick.get());
    // Every resource of the page is created here, up front: a resource created inside another
    // one's Suspend can resolve after the server has sent the page, and the browser then
    // renders something else than the server did (a hydration panic, seen in testing).
    let page = Resource::new(key, |(id, _, _)| case_page(id));
    // Voices change more often than the rest: other people's notes and this user's own reload
    // them alone; until then the page's answer carries them.
    let notes = Resource::new(
        move || (id(), actions.notes_saved(), notes_tick.get()),
        |(id, saved, tick)| async move {
            if saved == 0 && tick == 0 { None } else { Some(crate::api::annotations::list_annotations(id).await) }
        },
    );
    // Documents likewise: uploads and withdrawals reload them alone.
    let files = Resource::new(
        move || (id(), files_saved.get(), files_tick.get()),
        |(id, saved, tick)| async move {
            if saved == 0 && tick == 0 { None } else { Some(crate::api::attachments::list_attachments(id).await) }
        },
    );
    // The trials' match likewise, when the board's register changes (issue 21). A change to the
    // case reloads the page and the match with it; once the match has been reloaded alone, it is
    // reloaded with the page too, so that an older match never hides the page's newer one.
    // The history is folded and most looks at a case never open it: its versions are read
    // (and audited, `case.history`) when it is opened, then with every change to the case.
    // Until then this answers at once with nothing, on the server too.
    let history_open = RwSignal::new(false);
    let history = Resource::new(
        move || (key(), history_open.get()),
        |((id, _, _), open)| async move { if open { Some(crate::api::cases::case_history(id).await) } else { None } },
    );
    let trials = Resource::new(
        move || (key(), trials_tick.get()),
        |((id, _, _), tick)| async move { if tick == 0 { None } else { Some(crate::api::trials::case_trials(id).await) } },
    );
    fn part<T: Clone + Send + Sync + 'static>(
        page: Resource<Result<CasePageData, AppError>>,
        pick: impl Fn(&CasePageData) -> Result<T, AppError> + Send + Sync + 'static,
    ) -> Part<T> {
        Signal::derive(move || page.with(|p| p.as_ref().map(|r| r.as_ref().map_err(Clone::clone).and_then(&pick))))
    }
    let r = CaseResources {
        case: part(page, |p| Ok(p.case.clone())),
        proposal: part(page, |p| p.proposal.clone().ok_or(AppError::NotFound)),
        history: Signal::derive(move || history.get().flatten()),
        history_open,
        annotations: {
            let from_page = part(page, |p| Ok(p.annotations.clone()));
            Signal::derive(move || match notes.get() {
                Some(Some(fresh)) => Some(fresh),
                _ => from_page.get(),
            })
        },
        plan: part(page, |p| Ok(p.plan.clone())),
        members: part(page, |p| Ok(p.members.clone())),
        meetings: part(page, |p| Ok(p.meetings.clone())),
        boards: part(page, |p| Ok(p.boards.clone())),
        pre_review: part(page, |p| Ok((p.expected_specialties.clone(), p.voice_requests.clone()))),
        attachments: {
            let from_page = part(page, |p| Ok(p.attachments.clone()));
            Signal::derive(move || match files.get() {
                Some(Some(fresh)) => Some(fresh),
                _ => from_page.get(),
            })
        },
        max_upload_bytes: part(page, |p| Ok(p.max_upload_bytes)),
        trials: {
            let from_page = part(page, |p| Ok(p.trials.clone()));
            Signal::derive(move || match trials.get() {
                Some(Some(fresh)) => Some(fresh),
                _ => from_page.get(),
            })
        },
        files_saved,
    };
    // Drafts live here, above the views that live changes rebuild, so nothing typed is lost.
    let drafts = Drafts { plan: PlanDraft::new(), notes: NoteDrafts::new() };
    let editing = Editing { open: RwSignal::new(false), changed_meanwhile: RwSignal::new(false) };
    let live = follow_case(
        move || r.case.get().and_then(|c| c.ok()).map(|c| (c.id, c.live_seq)),
        move |kind: CaseEventKind| {
            if kind.is_annotation() {
                notes_tick.update(|t| *t += 1);
            } else if matches!(kind, CaseEventKind::AttachmentAdd | CaseEventKind::AttachmentWithdraw) {
                files_tick.update(|t| *t += 1);
            } else if kind == CaseEventKind::TrialRegister {
                trials_tick.update(|t| *t += 1);
            } else if editing.open.get_untracked() {
                // Rebuilding the editor would throw the user's edits away: say so instead; their
                // save will show what changed (a stale save is a 412 with the changes).
                editing.changed_meanwhile.set(true);
            } else {
                case_tick.update(|t| *t += 1);
            }
        },
    );
    Effect::new(move || {
        if !editing.open.get() && editing.changed_meanwhile.get_untracked() {
            editing.changed_meanwhile.set(false);
            case_tick.update(|t| *t += 1);
        }
    });
    let page = CasePage { r, actions, drafts, editing };
    let session = use_session();
    view! {
        <Transition fallback=|| view! { <p aria-busy="true">"Loading the case…"</p> }>
            // Read synchronously, not in a Suspend (see `pages::present`): a live reload replaces
            // the view at once, never leaving a stale one whose values are already disposed.
            {move || {
                let me = session.get()?.ok().flatten().map(|i| i.me);
                let may_edit = me.as_ref().is_some_and(|m| can(m.role, Action::EditCase));
                Some(match r.case.get()? {
                    Ok(record) => view! { <detail::CaseDetail record may_edit me page /> }.into_any(),
                    Err(e @ AppError::BreakGlassRequired { .. }) => view! {
                        <access::BreakGlassPanel case_id=id() message=e.to_string() action=actions.break_glass />
                    }.into_any(),
                    Err(AppError::NotFound) => view! {
                        <section class="panel"><h1>"Case not found"</h1><p>"There is no case at this address. "<a href="/cases">"Back to the case list"</a></p></section>
                    }.into_any(),
                    Err(e) => view! { <p class="notice bad" role="alert">{e.to_string()}</p> }.into_any(),
                })
            }}
        </Transition>
        <LiveBadge state=live />
    }
}
