//! Board administration (admins): create and rename boards, choose the voices each board's
//! cases wait for, add and remove members. Who may read which case follows from here; the
//! server functions check the role, this page only arranges them.

use leptos::prelude::*;

use crate::api::boards::{
    Board, BoardChange, BoardInput, ChangeExpectedVoices, CreateBoard, ExpectedChange, SetBoardMember, UpdateBoard,
    list_boards,
};
use crate::api::users::{UserSummary, list_users};
use crate::components::actions::{SentFrom, after_saving, failure, field_error, saves};
use crate::components::choices::SpecialtyChecks;
use crate::components::errors::{ActionError, FieldError, TextField, error_notice, invalid, keep_focus_at};
use crate::components::session::GatedPage;
use crate::domain::role::Action;
use crate::error::AppError;

#[component]
pub fn AdminBoardsPage() -> impl IntoView {
    view! { <GatedPage title="Boards" action=Action::ManageBoards><BoardsAdmin /></GatedPage> }
}

#[component]
fn BoardsAdmin() -> impl IntoView {
    let create = ServerAction::<CreateBoard>::new();
    let update = ServerAction::<UpdateBoard>::new();
    let member = ServerAction::<SetBoardMember>::new();
    let voices = ServerAction::<ChangeExpectedVoices>::new();
    // One update action for every board's panel: the panel that sent it shows its field errors.
    let renamed = SentFrom::new();
    let voiced = SentFrom::new();
    // Adding or removing a member draws the board's panel anew (the pressed button is gone):
    // the focus goes to its "Add a member" choice.
    after_saving(member, |b: &Board| keep_focus_at(format!("#board-{}-add", b.id)));
    // Saved, the voices' form is drawn closed: the focus goes to its summary, which names them.
    after_saving(voices, |b: &Board| keep_focus_at(format!("#board-{}-voices", b.id)));
    let renames = saves(update);
    let voices_saved = saves(voices);
    let boards = Resource::new(
        move || (create.version().get(), renames.get(), voices_saved.get(), member.version().get()),
        |_| list_boards(),
    );
    let users = Resource::new(|| (), |_| list_users());
    view! {
        <h1>"Boards"</h1>
        <p class="hint">
            "A case is referred to one board. Its members and the reviewers read it; anyone else only after "
            "breaking the glass with a reason, which is logged and reviewed. While there is only one board, "
            "every new user joins it."
        </p>
        <ActionError error=failure(update) />
        <ActionError error=failure(member) />
        <ActionError error=failure(voices) />
        <Transition fallback=|| view! { <p aria-busy="true">"Loading boards…"</p> }>
            <ErrorBoundary fallback=error_notice>
                {move || Suspend::new(async move {
                    let list = boards.await?;
                    let users = users.await?;
                    Ok::<_, AppError>(list.into_iter().map(|b| view! { <BoardPanel board=b users=users.clone() update renamed member voices voiced /> }).collect_view())
                })}
            </ErrorBoundary>
        </Transition>
        <NewBoardForm create />
    }
}

#[component]
fn BoardPanel(
    board: Board,
    users: Vec<UserSummary>,
    update: ServerAction<UpdateBoard>,
    renamed: SentFrom,
    member: ServerAction<SetBoardMember>,
    voices: ServerAction<ChangeExpectedVoices>,
    voiced: SentFrom,
) -> impl IntoView {
    let id = board.id.clone();
    let voices_error = voiced.field_error(voices, id.clone(), "expected_specialties");
    let name_error = renamed.field_error(update, id.clone(), "name");
    let desc_error = renamed.field_error(update, id.clone(), "description");
    let heading = format!("board-{}", board.id);
    let name = RwSignal::new(board.name.clone());
    let description = RwSignal::new(board.description.clone());
    let chosen = RwSignal::new(String::new());
    let rename = {
        let id = id.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            renamed.mark(&id);
            // The form's own fields only: the expected specialties stay as stored.
            update.dispatch(UpdateBoard {
                id: id.clone(),
                input: BoardChange {
                    name: Some(name.get_untracked()),
                    description: Some(description.get_untracked()),
                    ..Default::default()
                },
            });
        }
    };
    // What was ticked and unticked against the list drawn: a change made since by someone
    // else (another administrator, the REST API) to another specialty is kept.
    let drawn = board.expected_specialties.clone();
    let ticked = RwSignal::new(drawn.clone());
    let save_voices = {
        let id = id.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            voiced.mark(&id);
            let change = ExpectedChange::between(&drawn, &ticked.get_untracked());
            voices.dispatch(ChangeExpectedVoices { id: id.clone(), change });
        }
    };
    let add = {
        let id = id.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let user_id = chosen.get_untracked();
            if !user_id.is_empty() {
                member.dispatch(SetBoardMember { board_id: id.clone(), user_id, member: true });
            }
        }
    };
    let candidates: Vec<UserSummary> =
        users.into_iter().filter(|u| !u.disabled && !board.members.iter().any(|m| m.user_id == u.id)).collect();
    let expected = board.expected_specialties.iter().map(|s| s.label()).collect::<Vec<_>>().join(", ");
    let (name_id, desc_id, add_id) = (format!("{heading}-name"), format!("{heading}-desc"), format!("{heading}-add"));
    let (name_error_id, desc_error_id) = (format!("{name_id}-error"), format!("{desc_id}-error"));
    let (voices_id, voices_error_id) = (format!("{heading}-voices"), format!("{heading}-voices-error"));
    view! {
        <section class="panel board" aria-labelledby=heading.clone() data-board=board.name.clone()>
            <h2 id=heading.clone()>{board.name.clone()}</h2>
            <p class="muted">
                {board.case_count} " cases"
                {(!board.description.is_empty()).then(|| format!(" · {}", board.description))}
            </p>
            <h3>"Members"</h3>
            {if board.members.is_empty() {
                view! { <p class="muted">"No members yet."</p> }.into_any()
            } else {
                view! {
                    <ul class="members">
                        {board.members.iter().map(|m| {
                            let (board_id, user_id) = (id.clone(), m.user_id.clone());
                            let role = m.specialty.map(|s| s.label()).unwrap_or(m.role.label());
                            // Pressed, the button waits until the panel is drawn anew (after any
                            // answer): a second press would remove someone already removed.
                            let sent = RwSignal::new(false);
                            view! {
                                <li>
                                    <strong>{m.display_name.clone()}</strong> " " <span class="muted">{role}</span> " "
                                    <button type="button" class="secondary small" disabled=move || sent.get()
                                        aria-label=format!("Remove {} from {}", m.display_name, board.name)
                                        on:click=move |_| {
                                            sent.set(true);
                                            member.dispatch(SetBoardMember { board_id: board_id.clone(), user_id: user_id.clone(), member: false });
                                        }>
                                        "Remove"
                                    </button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <form class="inline-fields" on:submit=add>
                <label for=add_id.clone()>"Add a member"</label>
                <select id=add_id required prop:value=move || chosen.get() on:change=move |ev| chosen.set(event_target_value(&ev))>
                    <option value="">"— choose a user —"</option>
                    {candidates.into_iter().map(|u| view! { <option value=u.id.clone()>{format!("{} ({})", u.display_name, u.username)}</option> }).collect_view()}
                </select>
                <button type="submit" class="secondary small" disabled=move || member.pending().get()>"Add"</button>
            </form>
            <details>
                <summary id=voices_id>"Expected voices: " {expected}</summary>
                <form on:submit=save_voices>
                    <p class="hint">"Every case of this board waits for a note from each of these specialties before its meeting."</p>
                    <SpecialtyChecks legend="Expected voices" chosen=ticked error_id=voices_error_id error=voices_error />
                    <div class="actions-row">
                        <button type="submit" class="secondary" disabled=move || voices.pending().get()>"Save expected voices"</button>
                    </div>
                </form>
            </details>
            <details>
                <summary>"Rename or describe"</summary>
                <form class="grid-form" on:submit=rename>
                    <div class="field">
                        <label for=name_id.clone()>"Name"</label>
                        <input id=name_id type="text" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))
                            aria-invalid=invalid(name_error) aria-describedby=name_error_id.clone() />
                        <FieldError id=name_error_id message=name_error />
                    </div>
                    <div class="field">
                        <label for=desc_id.clone()>"Description"</label>
                        <input id=desc_id type="text" prop:value=move || description.get() on:input=move |ev| description.set(event_target_value(&ev))
                            aria-invalid=invalid(desc_error) aria-describedby=desc_error_id.clone() />
                        <FieldError id=desc_error_id message=desc_error />
                    </div>
                    <div class="field actions"><button type="submit" class="secondary" disabled=move || update.pending().get()>"Save"</button></div>
                </form>
            </details>
        </section>
    }
}

#[component]
fn NewBoardForm(create: ServerAction<CreateBoard>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    after_saving(create, move |_| {
        name.set(String::new());
        description.set(String::new());
    });
    let err = move |field: &'static str| field_error(create, field);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        create.dispatch(CreateBoard {
            input: BoardInput {
                name: name.get_untracked(),
                description: description.get_untracked(),
                ..Default::default()
            },
        });
    };
    view! {
        <section class="panel" aria-labelledby="new-board-heading">
            <h2 id="new-board-heading">"New board"</h2>
            {move || create.value().get().and_then(|r| r.ok()).map(|b| view! {
                <p class="notice ok" role="status">"Created " {b.name} ". Add its members and choose its expected voices above."</p>
            })}
            <form class="grid-form" on:submit=submit novalidate>
                <TextField id="nb-name" label="Name" value=name error=err("name") required=true />
                <TextField id="nb-desc" label="Description" value=description error=err("description") />
                <div class="field actions">
                    <button type="submit" disabled=move || create.pending().get()>"Create board"</button>
                </div>
            </form>
        </section>
    }
}
