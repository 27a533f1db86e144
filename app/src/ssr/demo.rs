//! The demo (`tumorboard demo`): one user per role and the core specialties, two boards (the NET
//! board with every demo user and a liver and pancreas board with only some of them, so that
//! break-glass can be tried), synthetic cases and an upcoming meeting. Idempotent: users that
//! exist keep their id and get a fresh password (or `TUMORBOARD_DEMO_PASSWORD`). Demo users are
//! only ever put on the demo's own boards.

use rand::RngCore;

use super::AppState;
use super::auth::Session;
use super::users::{self, cli_actor};
use crate::domain::case::CaseInput;
use crate::domain::user::{Me, NewUser, UserChange};
use crate::error::AppError;

/// (username, display name, role, specialty)
pub const DEMO_USERS: [(&str, &str, &str, Option<&str>); 8] = [
    ("admin", "Alex Admin", "admin", None),
    ("coordinator", "Cora Lindqvist", "coordinator", None),
    ("surgeon", "Dr Samir Haddad", "clinician", Some("surgery")),
    ("oncologist", "Dr Olivia Brandt", "clinician", Some("medical_oncology")),
    ("radiologist", "Dr Rui Tanaka", "clinician", Some("radiology")),
    ("pathologist", "Dr Petra Novak", "clinician", Some("pathology")),
    ("nuclear", "Dr Nadia Okafor", "clinician", Some("nuclear_medicine")),
    ("reviewer", "Rene Vogel", "reviewer", None),
];

/// The demo's boards.
pub const NET_BOARD: &str = "NET board (demo)";
pub const SECOND_BOARD: &str = "Liver and pancreas board (demo)";
/// The demo users on the second board; the others meet its case behind break-glass.
pub const SECOND_BOARD_MEMBERS: [&str; 3] = ["coordinator", "surgeon", "radiologist"];

/// The demo boards' ids (NET, second), created when missing. A fresh installation's first board,
/// while it holds nothing and no real user, becomes the NET board rather than standing empty.
async fn ensure_boards(state: &AppState) -> Result<(String, String), AppError> {
    use crate::domain::board::{FIRST_BOARD_ID, name_key};
    let by_name = |name: &'static str| async move {
        sqlx::query_scalar::<_, String>("SELECT id FROM boards WHERE name_key = $1")
            .bind(name_key(name))
            .fetch_optional(&state.db.pool)
            .await
    };
    let net = match by_name(NET_BOARD).await? {
        Some(id) => id,
        None => {
            let pristine: i64 = sqlx::query_scalar(
                "SELECT (SELECT COUNT(*) FROM cases WHERE board_id = $1) + (SELECT COUNT(*) FROM meetings WHERE board_id = $1) \
                 + (SELECT COUNT(*) FROM board_members m JOIN users u ON u.id = m.user_id WHERE m.board_id = $1 AND u.demo = 0)",
            )
            .bind(FIRST_BOARD_ID)
            .fetch_one(&state.db.pool)
            .await?;
            if pristine == 0 {
                sqlx::query("UPDATE boards SET name = $1, name_key = $2, description = $3 WHERE id = $4")
                    .bind(NET_BOARD)
                    .bind(name_key(NET_BOARD))
                    .bind("Neuroendocrine tumours (demo data only).")
                    .bind(FIRST_BOARD_ID)
                    .execute(&state.db.pool)
                    .await?;
                FIRST_BOARD_ID.to_string()
            } else {
                super::boards::insert_board(state, NET_BOARD, "Neuroendocrine tumours (demo data only).").await?
            }
        }
    };
    let second = match by_name(SECOND_BOARD).await? {
        Some(id) => id,
        None => {
            super::boards::insert_board(state, SECOND_BOARD, "Hepatobiliary and pancreatic tumours (demo data only).")
                .await?
        }
    };
    Ok((net, second))
}

/// The demo is for a database of its own: one with real accounts is refused (409) unless the
/// operator forces it.
async fn refuse_real_accounts(state: &AppState) -> Result<(), AppError> {
    let real: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE demo = 0").fetch_one(&state.db.pool).await?;
    if real > 0 {
        return Err(AppError::conflict(format!(
            "this database holds {real} real user account(s). The demo is for trying the product on a database \
             of its own; load it beside real accounts only with --force (they are never changed)."
        )));
    }
    Ok(())
}

/// A login the demo created or refreshed.
pub struct DemoLogin {
    pub username: String,
    pub role: String,
    pub specialty: Option<String>,
    pub password: String,
}

/// A fresh random password for a demo login. The password policy refuses a common word with
/// digits appended, and "demo" is a common word: when all 18 hex digits drawn are digits (about
/// one draw in 4,700) the password is drawn again. A policy that refused every draw would surface
/// as the usual field error on the last one, never as a loop without end.
fn generated_password(username: &str) -> String {
    let draws = std::iter::repeat_with(|| {
        let mut bytes = [0u8; 9];
        rand::rng().fill_bytes(&mut bytes);
        bytes
    });
    first_accepted(draws.take(32), username)
}

fn password_from(bytes: [u8; 9]) -> String {
    let hex = hex::encode(bytes);
    format!("demo-{}-{}-{}", &hex[0..6], &hex[6..12], &hex[12..18])
}

/// The first of the draws whose password the policy accepts, else the last one.
fn first_accepted(draws: impl Iterator<Item = [u8; 9]>, username: &str) -> String {
    let mut last = String::new();
    for bytes in draws {
        last = password_from(bytes);
        if domain::password::check_new_password(&last, username).is_ok() {
            break;
        }
    }
    last
}

/// Creates or refreshes the demo users and returns their logins. Refuses a database that holds
/// real (non-demo) accounts unless `force`; even then a real account is never changed, and a
/// demo username that a real account holds is left out.
pub async fn load(
    state: &AppState,
    fixed_password: Option<&str>,
    force: bool,
    (net, second): (&str, &str),
) -> Result<Vec<DemoLogin>, AppError> {
    let actor = cli_actor();
    let existing = users::list(state).await?;
    let demo_ids: Vec<String> =
        sqlx::query_scalar("SELECT id FROM users WHERE demo = 1").fetch_all(&state.db.pool).await?;
    if !force {
        refuse_real_accounts(state).await?;
    }
    let mut logins = Vec::new();
    for (username, display_name, role, specialty) in DEMO_USERS {
        let password = fixed_password.map(str::to_string).unwrap_or_else(|| generated_password(username));
        let mut boards = vec![net.to_string()];
        if SECOND_BOARD_MEMBERS.contains(&username) {
            boards.push(second.to_string());
        }
        match existing.iter().find(|u| u.username == username) {
            Some(user) if !demo_ids.contains(&user.id) => continue,
            Some(user) => {
                let change = UserChange {
                    display_name: Some(display_name.into()),
                    role: Some(role.into()),
                    specialty: Some(specialty.unwrap_or("").into()),
                    disabled: Some(false),
                };
                users::update(state, &actor, &user.id, &change).await?;
                users::set_password(state, &actor, &user.id, &password, None, "user.reset_password").await?;
                let mut tx = state.db.begin_write().await?;
                for board in &boards {
                    super::boards::join(&mut tx, board, &user.id, None).await?;
                }
                tx.commit().await?;
            }
            None => {
                let new = NewUser {
                    username: username.into(),
                    display_name: display_name.into(),
                    role: role.into(),
                    specialty: specialty.map(str::to_string),
                    password: password.clone(),
                    boards,
                };
                let user = users::create(state, &actor, &new).await?;
                sqlx::query("UPDATE users SET demo = 1 WHERE id = $1").bind(&user.id).execute(&state.db.pool).await?;
            }
        }
        logins.push(DemoLogin {
            username: username.into(),
            role: role.into(),
            specialty: specialty.map(str::to_string),
            password,
        });
    }
    Ok(logins)
}

/// A synthetic NET case (no real patient) from `demo_cases.json`: its MRN, whether it is ready
/// for the board, whether it is the second board's, and its content. Some drafts are left
/// incomplete on purpose.
#[derive(serde::Deserialize)]
struct DemoCase {
    mrn: String,
    ready: bool,
    #[serde(default)]
    second_board: bool,
    case: serde_json::Value,
}

fn demo_cases() -> Vec<DemoCase> {
    serde_json::from_str(include_str!("demo_cases.json")).expect("demo cases are valid JSON")
}

/// Loads the demo cases that are not there yet (by MRN), as the demo coordinator.
async fn load_cases(state: &AppState, boards: (&str, &str)) -> Result<usize, AppError> {
    let row: Option<(String, String)> =
        sqlx::query_as("SELECT id, display_name FROM users WHERE username = 'coordinator' AND demo = 1")
            .fetch_optional(&state.db.pool)
            .await?;
    let Some((id, display_name)) = row else {
        // The username belongs to a real account: nothing is done in its name.
        return Ok(0);
    };
    let session = Session {
        me: Me {
            id,
            username: "coordinator".into(),
            display_name,
            role: crate::domain::role::Role::Coordinator,
            specialty: None,
        },
        id_hash: String::new(),
        idle_expires_at: state.clock.now(),
        client_addr: "command line (demo)".into(),
        break_glass: Default::default(),
    };
    let created = load_case_list(state, &session, boards).await?;
    load_meeting(state, &session, boards.0).await?;
    load_trials(state, &session, boards.0).await?;
    Ok(created)
}

/// The demo's upcoming meeting: next Thursday 14:00 on the hospital's clock, with a ready agenda
/// (five cases for discussion, one standard of care). Created once.
async fn load_meeting(state: &AppState, session: &Session, board: &str) -> Result<(), AppError> {
    use chrono::Datelike;
    const TITLE: &str = "NET board (demo)";
    let exists: Option<String> = sqlx::query_scalar("SELECT id FROM meetings WHERE title = $1")
        .bind(TITLE)
        .fetch_optional(&state.db.pool)
        .await?;
    if exists.is_some() {
        return Ok(());
    }
    let today = state.today();
    let ahead = (7 + 3 - today.weekday().num_days_from_monday() as i64) % 7;
    let day = today + chrono::Duration::days(if ahead == 0 { 7 } else { ahead });
    let input = crate::domain::meeting::MeetingInput {
        title: TITLE.into(),
        starts_at: format!("{day}T14:00"),
        location: "Tumour board room, level 4".into(),
        video_link: "https://video.example.org/net-board".into(),
        board_type: "NET".into(),
        expected_specialties: Vec::new(),
        board_id: Some(board.to_string()),
    };
    let meeting = super::meetings::create(state, session, &input).await?;
    let agenda = [
        ("DEMO-0001", "discuss", 10),
        ("DEMO-0002", "discuss", 8),
        ("DEMO-0003", "discuss", 8),
        ("DEMO-0007", "discuss", 6),
        ("DEMO-0008", "discuss", 6),
        ("DEMO-0013", "standard_of_care", 2),
    ];
    for (mrn, mode, minutes) in agenda {
        let case: Option<String> = sqlx::query_scalar(
            "SELECT c.id FROM cases c JOIN patients p ON p.id = c.patient_id WHERE p.mrn = $1 AND c.status IN ('ready', 'draft')",
        )
        .bind(mrn)
        .fetch_optional(&state.db.pool)
        .await?;
        if let Some(case) = case {
            super::meetings::add_case(state, session, &meeting.id, &case, mode, Some(minutes)).await?;
        }
    }
    Ok(())
}

async fn load_case_list(state: &AppState, session: &Session, (net, second): (&str, &str)) -> Result<usize, AppError> {
    let mut created = 0;
    for DemoCase { mrn, ready, second_board, case: content } in demo_cases() {
        let exists: Option<String> = sqlx::query_scalar("SELECT id FROM patients WHERE mrn = $1")
            .bind(&mrn)
            .fetch_optional(&state.db.pool)
            .await?;
        if exists.is_some() {
            continue;
        }
        let input: CaseInput =
            serde_json::from_value(content).map_err(|e| AppError::bad_request(format!("demo case {mrn}: {e}")))?;
        let board = if second_board { second } else { net };
        let record = super::cases::create(state, session, &input, Some(board)).await?;
        if ready {
            super::cases::set_status(state, session, &record.id, record.version, "ready").await?;
        }
        if mrn == "DEMO-0001" {
            attach_demo_files(state, session, &record.id).await?;
        }
        created += 1;
    }
    Ok(created)
}

/// Three synthetic trials on the NET board's register (issue 21): a PRRT study for
/// SSTR-positive G2 disease with metastases, a targeted-therapy study for pancreatic NETs, and
/// a closed one. Their registry ids use the year 2099, so they can be no real trial's.
async fn load_trials(state: &AppState, session: &Session, board: &str) -> Result<(), AppError> {
    use crate::domain::trial::TrialInput;
    let trials = serde_json::json!([
        {"title": "PRRT with 177Lu-DOTATATE versus high-dose SSA in SSTR-positive G2 NET with metastases (synthetic)",
         "acronym": "DEMO-PRRT", "registry_id": "2099-500001-11-00", "phase": "3", "status": "open",
         "contact": "Study nurse Lena Berg, ext. 4711",
         "eligibility": {"grades": ["G2"], "ki67_min": 3, "ki67_max": 20, "m_stages": ["M1"], "sstr_imaging": "positive",
                         "ecog_max": 2, "prior_excluded": ["prrt"], "age_min": 18},
         "other_criteria": "Adequate renal function (eGFR at least 50 ml/min).\nNo other cancer in the last 3 years."},
        {"title": "Oral targeted therapy after first-line treatment of well-differentiated pancreatic NET (synthetic)",
         "acronym": "DEMO-PANTHER", "registry_id": "2099-500002-22-00", "phase": "2", "status": "open",
         "contact": "Dr Olivia Brandt (medical oncology)",
         "eligibility": {"primary_sites": ["pancreas"], "differentiation": "well", "m_stages": ["M1"], "ecog_max": 1,
                         "prior_required": ["ssa_antiproliferative"], "age_min": 18, "age_max": 80},
         "other_criteria": "Progression documented on imaging within the last 12 months."},
        {"title": "Surveillance of small non-functioning pancreatic NET (synthetic)",
         "acronym": "DEMO-WATCH", "registry_id": "2099-500003-33-00", "phase": "n/a", "status": "closed",
         "contact": "Trial office, ext. 4700",
         "eligibility": {"primary_sites": ["pancreas"], "functional_syndromes": ["none"], "m_stages": ["M0"]},
         "other_criteria": ""}
    ]);
    let trials: Vec<TrialInput> =
        serde_json::from_value(trials).map_err(|e| AppError::bad_request(format!("demo trials: {e}")))?;
    for mut t in trials {
        let exists: Option<String> =
            sqlx::query_scalar("SELECT id FROM trials WHERE board_id = $1 AND registry_id = $2")
                .bind(board)
                .bind(&t.registry_id)
                .fetch_optional(&state.db.pool)
                .await?;
        if exists.is_none() {
            t.board_id = Some(board.to_string());
            super::trials::create(state, session, &t).await?;
        }
    }
    Ok(())
}

/// The first demo case's pathology report and key image (synthetic: testdata/attachments).
async fn attach_demo_files(state: &AppState, session: &Session, case_id: &str) -> Result<(), AppError> {
    use crate::domain::attachment::AttachmentInput;
    const REPORT: &[u8] = include_bytes!("../../../testdata/attachments/pathology-report.pdf");
    const IMAGE: &[u8] = include_bytes!("../../../testdata/attachments/key-image-with-text.png");
    let today = state.today();
    let files = [
        ("pathology_report", "EUS-FNA cytology, pancreatic body (synthetic)", 12, "pathology", REPORT),
        ("key_image", "CT arterial phase, pancreatic body lesion (synthetic)", 20, "radiology", IMAGE),
    ];
    for (kind, title, days_ago, specialty, bytes) in files {
        let mut received = super::attachments::Receiver::new(u64::MAX).await?;
        received.push(bytes).await?;
        let input = AttachmentInput {
            kind: kind.into(),
            title: title.into(),
            examined_on: (today - chrono::Duration::days(days_ago)).format("%Y-%m-%d").to_string(),
            specialty: specialty.into(),
            supersedes: String::new(),
        };
        super::attachments::store(state, session, case_id, &input, received.finish().await?).await?;
    }
    Ok(())
}

/// The whole demo: boards, users, then cases and the meeting.
pub async fn load_board(
    state: &AppState,
    fixed_password: Option<&str>,
    force: bool,
) -> Result<(Vec<DemoLogin>, usize), AppError> {
    if !force {
        refuse_real_accounts(state).await?;
    }
    // A fixed password the policy refuses for any demo user changes nothing: checked before the
    // boards and the first user are written, and named as the setting the operator gave.
    if let Some(password) = fixed_password {
        for (username, ..) in DEMO_USERS {
            domain::password::check_new_password(password, username)
                .map_err(|e| AppError::field("TUMORBOARD_DEMO_PASSWORD", e))?;
        }
    }
    let (net, second) = ensure_boards(state).await?;
    let logins = load(state, fixed_password, force, (&net, &second)).await?;
    let cases = load_cases(state, (&net, &second)).await?;
    Ok((logins, cases))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The draw that failed a CI run on 2026-12-05: 18 hex digits that are all digits make
    /// "demo-" and digits, which the policy reads as the common word "demo" with digits appended.
    const ALL_DIGITS: [u8; 9] = [0x12, 0x34, 0x56, 0x78, 0x90, 0x12, 0x34, 0x56, 0x78];

    #[test]
    fn a_draw_of_digits_only_is_refused_by_the_policy_and_drawn_again() {
        assert_eq!(password_from(ALL_DIGITS), "demo-123456-789012-345678");
        assert!(domain::password::check_new_password(&password_from(ALL_DIGITS), "surgeon").is_err());
        let next = [0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab];
        let chosen = first_accepted([ALL_DIGITS, next].into_iter(), "surgeon");
        assert_eq!(chosen, "demo-abcdef-012345-6789ab");
        assert!(domain::password::check_new_password(&chosen, "surgeon").is_ok());
    }

    #[test]
    fn every_demo_user_gets_a_password_the_policy_accepts() {
        for (username, ..) in DEMO_USERS {
            for _ in 0..200 {
                let password = generated_password(username);
                assert!(domain::password::check_new_password(&password, username).is_ok(), "{password}");
            }
        }
    }
}
