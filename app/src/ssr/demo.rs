//! The demo board (`tumorboard demo`): one user per role and the core specialties. Idempotent:
//! users that exist keep their id and get a fresh password (or `TUMORBOARD_DEMO_PASSWORD`).

use rand::RngCore;

use super::AppState;
use super::users::{self, cli_actor};
use crate::domain::user::{NewUser, UserChange};
use crate::error::AppError;

/// (username, display name, role, specialty)
pub const DEMO_USERS: [(&str, &str, &str, Option<&str>); 8] = [
    ("admin", "Alex Admin (IT)", "admin", None),
    ("coordinator", "Cora Lindqvist (coordinator)", "coordinator", None),
    ("surgeon", "Dr Samir Haddad", "clinician", Some("surgery")),
    ("oncologist", "Dr Olivia Brandt", "clinician", Some("medical_oncology")),
    ("radiologist", "Dr Rui Tanaka", "clinician", Some("radiology")),
    ("pathologist", "Dr Petra Novak", "clinician", Some("pathology")),
    ("nuclear", "Dr Nadia Okafor", "clinician", Some("nuclear_medicine")),
    ("reviewer", "Rene Vogel (quality review)", "reviewer", None),
];

/// A login the demo created or refreshed.
pub struct DemoLogin {
    pub username: String,
    pub role: String,
    pub specialty: Option<String>,
    pub password: String,
}

fn generated_password() -> String {
    let mut bytes = [0u8; 9];
    rand::rng().fill_bytes(&mut bytes);
    let hex = hex::encode(bytes);
    format!("demo-{}-{}-{}", &hex[0..6], &hex[6..12], &hex[12..18])
}

/// Creates or refreshes the demo users and returns their logins.
pub async fn load(state: &AppState, fixed_password: Option<&str>) -> Result<Vec<DemoLogin>, AppError> {
    let actor = cli_actor();
    let existing = users::list(state).await?;
    let mut logins = Vec::new();
    for (username, display_name, role, specialty) in DEMO_USERS {
        let password = fixed_password.map(str::to_string).unwrap_or_else(generated_password);
        match existing.iter().find(|u| u.username == username) {
            Some(user) => {
                let change = UserChange {
                    display_name: Some(display_name.into()),
                    role: Some(role.into()),
                    specialty: Some(specialty.unwrap_or("").into()),
                    disabled: Some(false),
                };
                users::update(state, &actor, &user.id, &change).await?;
                users::set_password(state, &actor, &user.id, &password, None, "user.reset_password").await?;
            }
            None => {
                let new = NewUser {
                    username: username.into(),
                    display_name: display_name.into(),
                    role: role.into(),
                    specialty: specialty.map(str::to_string),
                    password: password.clone(),
                };
                users::create(state, &actor, &new).await?;
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
