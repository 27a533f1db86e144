//! User administration (admins): create users, change role or specialty, disable, reset a
//! password. The server functions check the role; this page only arranges them.

use leptos::prelude::*;

use crate::api::users::{CreateUser, ResetPassword, UpdateUser, UserChange, UserSummary, list_users};
use crate::components::actions::{SentFrom, after_saving, failure, field_error, saves};
use crate::components::errors::{ActionError, FieldError, error_notice, invalid, keep_focus_at};
use crate::components::session::GatedPage;
use crate::components::table::DataTable;
use crate::domain::role::{Action, Role, Specialty};
use crate::error::AppError;

#[component]
pub fn AdminUsersPage() -> impl IntoView {
    view! { <GatedPage title="Users" action=Action::ManageUsers><UsersAdmin /></GatedPage> }
}

#[component]
fn UsersAdmin() -> impl IntoView {
    let create = ServerAction::<CreateUser>::new();
    let update = ServerAction::<UpdateUser>::new();
    let reset = ServerAction::<ResetPassword>::new();
    // One update action for every row: the row that sent it shows its field errors.
    let changed = SentFrom::new();
    let updates = saves(update);
    // A saved change draws the table anew: the focus goes back to the control that sent it
    // (the row's Save or its Disable/Enable), which the row's handlers name here.
    let refocus = StoredValue::new(String::new());
    after_saving(update, move |_| keep_focus_at(refocus.get_value()));
    let users = Resource::new(move || (create.version().get(), updates.get()), |_| list_users());

    view! {
        <h1>"Users"</h1>
        <section class="panel" aria-labelledby="users-heading">
            <h2 id="users-heading">"Accounts"</h2>
            <ActionError error=failure(update) />
            {move || match reset.value().get() {
                Some(Ok(())) => Some(view! { <p class="notice ok" role="status">"Password reset. The user's sessions were ended."</p> }.into_any()),
                Some(Err(e)) => Some(view! { <p class="notice bad" role="alert">{e.field_message("admin_password").or_else(|| e.field_message("new_password")).unwrap_or_else(|| e.to_string())}</p> }.into_any()),
                None => None,
            }}
            <Transition fallback=|| view! { <p aria-busy="true">"Loading users…"</p> }>
                <ErrorBoundary fallback=error_notice>
                    {move || Suspend::new(async move {
                        let list = users.await?;
                        Ok::<_, AppError>(view! {
                            <DataTable label="User accounts" testid="users-table" headers=&["User", "Role and specialty", "Status", "Reset password"]>
                                {list.into_iter().map(|u| view! { <UserRow user=u update changed refocus reset /> }).collect_view()}
                            </DataTable>
                        })
                    })}
                </ErrorBoundary>
            </Transition>
        </section>
        <NewUserForm create />
    }
}

#[component]
fn UserRow(
    user: UserSummary,
    update: ServerAction<UpdateUser>,
    changed: SentFrom,
    refocus: StoredValue<String>,
    reset: ServerAction<ResetPassword>,
) -> impl IntoView {
    let id = user.id.clone();
    let role_error = changed.field_error(update, id.clone(), "role");
    let spec_error = changed.field_error(update, id.clone(), "specialty");
    let name = user.username.clone();
    let role_id = format!("role-{}", user.username);
    let spec_id = format!("spec-{}", user.username);
    let pw_id = format!("pw-{}", user.username);
    let admin_pw_id = format!("adminpw-{}", user.username);
    let (save_id, toggle_id) = (format!("save-{}", user.username), format!("toggle-{}", user.username));
    let (role_error_id, spec_error_id) = (format!("{role_id}-error"), format!("{spec_id}-error"));
    let role = RwSignal::new(user.role.code().to_string());
    let specialty = RwSignal::new(user.specialty.map(|s| s.code().to_string()).unwrap_or_default());
    let save = {
        let (id, username) = (id.clone(), user.username.clone());
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            changed.mark(&id);
            refocus.set_value(format!("[id=\"save-{username}\"]"));
            update.dispatch(UpdateUser {
                id: id.clone(),
                change: UserChange {
                    role: Some(role.get_untracked()),
                    specialty: Some(specialty.get_untracked()),
                    ..Default::default()
                },
            });
        }
    };
    let toggle = {
        let (id, username) = (id.clone(), user.username.clone());
        let disabled = user.disabled;
        move |_| {
            refocus.set_value(format!("[id=\"toggle-{username}\"]"));
            update.dispatch(UpdateUser {
                id: id.clone(),
                change: UserChange { disabled: Some(!disabled), ..Default::default() },
            });
        }
    };
    view! {
        <tr data-username=user.username.clone()>
            <td><strong>{user.display_name.clone()}</strong><br /><span class="muted">{user.username.clone()}</span></td>
            <td>
                <form class="inline-fields" on:submit=save>
                    <label class="visually-hidden" for=role_id.clone()>"Role of " {name.clone()}</label>
                    <select id=role_id prop:value=move || role.get() on:change=move |ev| role.set(event_target_value(&ev))
                        aria-invalid=invalid(role_error) aria-describedby=role_error_id.clone()>
                        {Role::ALL.iter().copied().map(|r| view! { <option value=r.code() selected=r == user.role>{r.label()}</option> }).collect_view()}
                    </select>
                    <label class="visually-hidden" for=spec_id.clone()>"Specialty of " {name.clone()}</label>
                    <select id=spec_id prop:value=move || specialty.get() on:change=move |ev| specialty.set(event_target_value(&ev))
                        aria-invalid=invalid(spec_error) aria-describedby=spec_error_id.clone()>
                        <option value="" selected=user.specialty.is_none()>"No specialty"</option>
                        {Specialty::ALL.iter().copied().map(|s| view! { <option value=s.code() selected=Some(s) == user.specialty>{s.label()}</option> }).collect_view()}
                    </select>
                    <button type="submit" id=save_id class="secondary small" disabled=move || update.pending().get()>"Save"</button>
                </form>
                <FieldError id=role_error_id message=role_error />
                <FieldError id=spec_error_id message=spec_error />
            </td>
            <td>
                {if user.disabled { "Disabled" } else { "Active" }}
                " "
                <button type="button" id=toggle_id class="secondary small" on:click=toggle disabled=move || update.pending().get()>
                    {if user.disabled { "Enable" } else { "Disable" }}
                </button>
            </td>
            <td>
                <ActionForm action=reset attr:class="inline-fields">
                    <input type="hidden" name="id" value=id.clone() />
                    <label class="visually-hidden" for=pw_id.clone()>"New password for " {name.clone()}</label>
                    <input id=pw_id name="new_password" type="password" autocomplete="new-password" placeholder="New password" required minlength="12" />
                    <label class="visually-hidden" for=admin_pw_id.clone()>"Your own password, to confirm"</label>
                    <input id=admin_pw_id name="admin_password" type="password" autocomplete="current-password" placeholder="Your password" required />
                    <button type="submit" class="secondary small" disabled=move || reset.pending().get()>"Reset"</button>
                </ActionForm>
            </td>
        </tr>
    }
}

#[component]
fn NewUserForm(create: ServerAction<CreateUser>) -> impl IntoView {
    let err = move |field: &'static str| field_error(create, field);
    let invalid = move |field: &'static str| move || if err(field).get().is_some() { "true" } else { "false" };
    view! {
        <section class="panel" aria-labelledby="new-user-heading">
            <h2 id="new-user-heading">"New user"</h2>
            <p class="hint">"While there is one board, a new user joins it. With several, add them to their boards on the " <a href="/admin/boards">"Boards"</a> " page: until then they see no cases."</p>
            {move || match create.value().get() {
                Some(Ok(u)) => Some(view! { <p class="notice ok" role="status">"Created " {u.username} ". Give them their password in person or by phone."</p> }.into_any()),
                _ => None,
            }}
            <ActionError error=failure(create) />
            <ActionForm action=create attr:class="grid-form">
                <div class="field">
                    <label for="nu-username">"Username"</label>
                    <input id="nu-username" name="user[username]" type="text" autocomplete="off" required
                        aria-invalid=invalid("username") aria-describedby="nu-username-error" />
                    <FieldError id="nu-username-error" message=err("username") />
                </div>
                <div class="field">
                    <label for="nu-display">"Display name"</label>
                    <input id="nu-display" name="user[display_name]" type="text" autocomplete="off"
                        aria-invalid=invalid("display_name") aria-describedby="nu-display-error" />
                    <FieldError id="nu-display-error" message=err("display_name") />
                </div>
                <div class="field">
                    <label for="nu-role">"Role"</label>
                    <select id="nu-role" name="user[role]" aria-invalid=invalid("role") aria-describedby="nu-role-error">
                        {Role::ALL.iter().copied().map(|r| view! { <option value=r.code() selected=r == Role::Clinician>{r.label()}</option> }).collect_view()}
                    </select>
                    <FieldError id="nu-role-error" message=err("role") />
                </div>
                <div class="field">
                    <label for="nu-specialty">"Specialty (clinicians)"</label>
                    <select id="nu-specialty" name="user[specialty]" aria-invalid=invalid("specialty") aria-describedby="nu-specialty-error">
                        <option value="">"None"</option>
                        {Specialty::ALL.iter().copied().map(|s| view! { <option value=s.code()>{s.label()}</option> }).collect_view()}
                    </select>
                    <FieldError id="nu-specialty-error" message=err("specialty") />
                </div>
                <div class="field">
                    <label for="nu-password">"Initial password"</label>
                    <input id="nu-password" name="user[password]" type="password" autocomplete="new-password" required
                        aria-invalid=invalid("password") aria-describedby="nu-password-error nu-password-hint" />
                    <p class="hint" id="nu-password-hint">"At least 12 characters; common passwords are refused."</p>
                    <FieldError id="nu-password-error" message=err("password") />
                </div>
                <div class="field actions">
                    <button type="submit" disabled=move || create.pending().get()>"Create user"</button>
                </div>
            </ActionForm>
        </section>
    }
}
