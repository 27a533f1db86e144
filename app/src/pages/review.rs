//! The audit viewer (`/audit`, also `/review`) for administrators and reviewers: whether the hash
//! chain verifies, every emergency access, and the trail filtered by user, case, action, time
//! and break-glass. Decisions and figures have their own pages.

use leptos::prelude::*;

use crate::api::boards::{BreakGlassAccess, break_glass_accesses};
use crate::api::users::{AuditQuery, AuditRow, audit_rows, verify_audit};
use crate::components::errors::error_notice;
use crate::components::format::{when, zone};
use crate::components::session::GatedPage;
use crate::components::table::DataTable;
use crate::domain::audit::ChainStatus;
use crate::domain::role::Action;
use crate::domain::zone::{Zone, stored_text};
use crate::error::AppError;

#[component]
pub fn ReviewPage() -> impl IntoView {
    // Created here, not inside the login gate's suspended view: a resource created there may be
    // numbered differently while hydrating and the page then failed to hydrate now and then.
    // For a role that may not read the audit the server refuses it (and records the refusal).
    let filter = RwSignal::new(AuditFilter::default());
    let loaded: Resource<Loaded> = Resource::new(
        move || filter.get(),
        |f| async move {
            let opt = |s: String| Some(s.trim().to_string()).filter(|s| !s.is_empty());
            let rows = audit_rows(AuditQuery {
                username: opt(f.user),
                case_id: opt(f.case),
                action: opt(f.action),
                // Whole days on the hospital's clock, as the stored UTC text (which sorts as time).
                from: opt(f.from).map(|d| day_bound(zone(), &d, false)),
                to: opt(f.to).map(|d| day_bound(zone(), &d, true)),
                break_glass_only: f.break_glass,
                limit: Some(200),
                ..Default::default()
            })
            .await?;
            Ok((rows, break_glass_accesses().await?))
        },
    );
    let chain = Resource::new(|| (), |_| verify_audit());
    view! {
        <GatedPage title="Audit" action=Action::ReadAudit>
            <h1>"Audit"</h1>
            <ChainState chain />
            <BreakGlassReview loaded />
            <AuditTrail loaded filter />
        </GatedPage>
    }
}

/// The audit trail's filters as typed.
#[derive(Clone, Debug, Default, PartialEq)]
struct AuditFilter {
    user: String,
    case: String,
    action: String,
    from: String,
    to: String,
    break_glass: bool,
}

type Loaded = Result<(Vec<AuditRow>, Vec<BreakGlassAccess>), AppError>;

/// Whether the hash chain verifies, or the first row that does not.
#[component]
fn ChainState(chain: Resource<Result<ChainStatus, AppError>>) -> impl IntoView {
    view! {
        <Transition fallback=|| view! { <p aria-busy="true">"Checking the audit chain…"</p> }>
            <ErrorBoundary fallback=error_notice>
                {move || chain.get().map(|r| r.map(|c| if c.intact {
                    view! {
                        <p class="panel notice ok" data-testid="chain-state">
                            "The audit chain verifies: all " {c.rows} " entries link to the one before and match their hashes."
                        </p>
                    }.into_any()
                } else {
                    view! {
                        <section class="panel notice bad" role="alert" data-testid="chain-state">
                            <h2>"The audit chain is broken"</h2>
                            <p>"Entry #" {c.first_bad_seq.unwrap_or_default()} " " {c.reason.unwrap_or_default()} ". "
                               "The " {c.rows} " entries before it verify. Keep this instance running, do not restore over it, "
                               "and call IT security: the database was changed outside Tumorboard."</p>
                        </section>
                    }.into_any()
                }))}
            </ErrorBoundary>
        </Transition>
    }
}

/// Every emergency access (AC-3): who opened which case outside their boards, why, until when,
/// and how many reads they made under it.
#[component]
fn BreakGlassReview(loaded: Resource<Loaded>) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby="glass-heading">
            <h2 id="glass-heading">"Emergency access (break-glass)"</h2>
            <p class="hint">"Each time someone opened a case of a board they are not a member of, with the reason they gave. Follow up any access whose reason does not hold."</p>
            <Transition fallback=|| view! { <p aria-busy="true">"Loading emergency accesses…"</p> }>
                <ErrorBoundary fallback=error_notice>
                {move || Suspend::new(async move {
                    let (_, list) = loaded.await?;
                    Ok::<_, AppError>(if list.is_empty() {
                        view! { <p data-testid="glass-none">"No emergency access so far."</p> }.into_any()
                    } else {
                        view! {
                            <DataTable label="Emergency accesses" testid="glass-table"
                                headers=&["Granted", "Until", "Who", "Case", "Board", "Reason", "Reads"]>
                                {list.into_iter().map(|a| view! {
                                    <tr>
                                        <td class="nowrap">{when(&a.granted_at)}</td>
                                        <td class="nowrap">{when(&a.expires_at)}</td>
                                        <td>{a.display_name}" "<span class="muted">{a.username}</span></td>
                                        <td><a href=format!("/cases/{}", a.case_id)>"Open case"</a></td>
                                        <td>{a.board_name}</td>
                                        <td>{a.reason}</td>
                                        <td>{a.reads}</td>
                                    </tr>
                                }).collect_view()}
                            </DataTable>
                        }.into_any()
                    })
                })}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}

#[component]
fn AuditTrail(loaded: Resource<Loaded>, filter: RwSignal<AuditFilter>) -> impl IntoView {
    let text = move |set: fn(&mut AuditFilter, String)| {
        move |ev: leptos::ev::Event| {
            let v = event_target_value(&ev);
            filter.update(|f| set(f, v));
        }
    };
    view! {
        <section class="panel" aria-labelledby="audit-heading">
            <h2 id="audit-heading">"Audit trail"</h2>
            <p class="hint">"Every login, change and access to patient data, newest first (at most 200 entries: narrow the filters to find older ones)."</p>
            <form class="filters" on:submit=|ev| ev.prevent_default()>
                <div class="field">
                    <label for="f-user">"User name"</label>
                    <input id="f-user" type="text" autocomplete="off" on:change=text(|f, v| f.user = v) />
                </div>
                <div class="field">
                    <label for="f-action">"Action"</label>
                    <input id="f-action" type="text" autocomplete="off" list="audit-actions" on:change=text(|f, v| f.action = v) />
                    <datalist id="audit-actions">
                        {["case", "case.view", "case.list", "case.update", "plan", "plan.sign", "decision.list", "figures.view", "auth.login", "case.break_glass", "meeting"]
                            .map(|a| view! { <option value=a></option> }).collect_view()}
                    </datalist>
                </div>
                <div class="field">
                    <label for="f-case">"Case id"</label>
                    <input id="f-case" type="text" autocomplete="off" on:change=text(|f, v| f.case = v) />
                </div>
                <div class="field">
                    <label for="f-afrom">"From"</label>
                    <input id="f-afrom" type="date" on:change=text(|f, v| f.from = v) />
                </div>
                <div class="field">
                    <label for="f-ato">"To"</label>
                    <input id="f-ato" type="date" on:change=text(|f, v| f.to = v) />
                </div>
                <div class="field actions">
                    <label class="check">
                        <input id="f-glass" type="checkbox" on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            filter.update(|f| f.break_glass = on);
                        } />
                        " Break-glass only"
                    </label>
                </div>
            </form>
            <Transition fallback=|| view! { <p aria-busy="true">"Loading the audit trail…"</p> }>
                <ErrorBoundary fallback=error_notice>
                {move || Suspend::new(async move {
                    let (rows, _) = loaded.await?;
                    Ok::<_, AppError>(match rows {
                        rows if rows.is_empty() => view! { <p>"No entries match."</p> }.into_any(),
                        rows => view! {
                            <DataTable label="Audit trail entries" testid="audit-table"
                                headers=&["#", "Time", "User", "Action", "Outcome", "Detail", "Case"]>
                                        {rows.into_iter().map(|r| view! {
                                            <tr>
                                                <td>{r.seq}</td>
                                                <td>{r.at}</td>
                                                <td>{r.username.unwrap_or_default()}" "<span class="muted">{r.role.unwrap_or_default()}</span></td>
                                                <td>{r.action}</td>
                                                <td class=format!("outcome-{}", r.outcome)>{r.outcome.clone()}</td>
                                                // A signature's SHA-256 is 64 characters without a break: it
                                                // wraps in its cell instead of widening the table.
                                                <td class="wrap-anywhere">
                                                    {r.detail.unwrap_or_default()}
                                                    {r.break_glass.then(|| view! { " " <span class="badge warn">"break-glass"</span> })}
                                                </td>
                                                <td>{r.case_id.map(|c| view! { <a href=format!("/cases/{c}")>"Open"</a> })}</td>
                                            </tr>
                                        }).collect_view()}
                            </DataTable>
                        }.into_any(),
                    })
                })}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}

/// The first (or, with `end`, the last) stored time of a day typed `YYYY-MM-DD`, on `zone`'s
/// clock (the hospital's); other text is sent as typed.
fn day_bound(zone: &Zone, day: &str, end: bool) -> String {
    match chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d") {
        Ok(d) if end => stored_text(zone.day_end(d) - chrono::TimeDelta::microseconds(1)),
        Ok(d) => stored_text(zone.day_start(d)),
        Err(_) if end => format!("{day}T23:59:59.999999Z"),
        Err(_) => day.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_audit_day_runs_from_the_hospitals_midnight_to_the_next() {
        let utc = Zone::utc();
        assert_eq!(day_bound(&utc, "2026-12-01", false), "2026-12-01T00:00:00.000000Z");
        assert_eq!(day_bound(&utc, "2026-12-01", true), "2026-12-01T23:59:59.999999Z");
        assert_eq!(day_bound(&utc, "soon", false), "soon");
        // Berlin in winter (+1): the day starts at 23:00 UTC the day before.
        let at = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap().timestamp();
        let berlin = Zone {
            name: "Europe/Berlin".into(),
            spans: vec![(i64::MIN, 3600, "CET".into()), (at("2027-03-28T01:00:00Z"), 7200, "CEST".into())],
        };
        assert_eq!(day_bound(&berlin, "2026-12-01", false), "2026-11-30T23:00:00.000000Z");
        assert_eq!(day_bound(&berlin, "2026-12-01", true), "2026-12-01T22:59:59.999999Z");
        // The day the clocks go forward has 23 hours.
        assert_eq!(day_bound(&berlin, "2027-03-28", true), "2027-03-28T21:59:59.999999Z");
    }
}
