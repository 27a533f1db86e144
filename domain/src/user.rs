//! Users as the domain sees them: validated usernames and display names.

use serde::{Deserialize, Serialize};

use super::role::{Role, Specialty};

/// The message for any failed login: the same whatever the reason (AU-4).
pub const LOGIN_FAILED: &str = "The username or password is not correct.";

/// A username: 3–64 characters of lowercase letters, digits, '.', '-' and '_', starting with a
/// letter. Stored lowercased so that `Anna` and `anna` are one account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str) -> Result<Username, String> {
        let s = raw.trim().to_lowercase();
        let n = s.chars().count();
        if !(3..=64).contains(&n) {
            return Err("A username has 3 to 64 characters.".into());
        }
        if !s.starts_with(|c: char| c.is_ascii_lowercase()) {
            return Err("A username starts with a letter.".into());
        }
        if !s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_')) {
            return Err("Use only letters, digits, '.', '-' and '_' in a username.".into());
        }
        Ok(Username(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A display name: 1–100 characters, no control characters.
pub fn parse_display_name(raw: &str) -> Result<String, String> {
    let s = raw.trim();
    if s.is_empty() {
        return Err("Enter the name colleagues know this person by.".into());
    }
    crate::text::check(s, 100, crate::text::Shape::Line, "A display name")
}

/// Clinicians speak for a specialty; other roles have none.
pub fn check_role_specialty(role: Role, specialty: Option<Specialty>) -> Result<Option<Specialty>, String> {
    match (role, specialty) {
        (Role::Clinician, None) => Err("A clinician needs a specialty.".into()),
        (Role::Clinician, s) => Ok(s),
        (_, Some(_)) => Err("Only clinicians have a specialty.".into()),
        (_, None) => Ok(None),
    }
}

/// The current user as pages and the REST API see them (api.md `GET /api/v1/me`).
/// Holds no secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub specialty: Option<Specialty>,
}

/// A user as the admin page lists it. No password hash: that never leaves this module.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserSummary {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub specialty: Option<Specialty>,
    pub disabled: bool,
    pub created_at: String,
}

/// What is needed to create a user, as typed (validated by `ssr::users::create`). It travels
/// from the browser to the server only; its `Debug` hides the password so it cannot reach a log.
#[derive(Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub specialty: Option<String>,
    pub password: String,
    /// Board ids the user joins. Empty: the installation's only board, if it has just one.
    #[serde(default)]
    pub boards: Vec<String>,
}

impl std::fmt::Debug for NewUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewUser")
            .field("username", &self.username)
            .field("role", &self.role)
            .field("specialty", &self.specialty)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// A change an admin makes to a user.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserChange {
    pub display_name: Option<String>,
    pub role: Option<String>,
    /// `Some("")` removes the specialty.
    pub specialty: Option<String>,
    pub disabled: Option<bool>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_lowercased_and_checked() {
        assert_eq!(Username::parse(" Anna.Lind ").unwrap().as_str(), "anna.lind");
        assert!(Username::parse("ab").is_err());
        assert!(Username::parse("1anna").is_err());
        assert!(Username::parse("anna lind").is_err());
        assert!(Username::parse("anna<script>").is_err());
    }

    #[test]
    fn clinicians_need_a_specialty_and_others_have_none() {
        assert!(check_role_specialty(Role::Clinician, None).is_err());
        assert!(check_role_specialty(Role::Clinician, Some(Specialty::Surgery)).is_ok());
        assert!(check_role_specialty(Role::Coordinator, Some(Specialty::Surgery)).is_err());
        assert!(check_role_specialty(Role::Admin, None).is_ok());
    }

    #[test]
    fn display_names_are_trimmed_and_bounded() {
        assert_eq!(parse_display_name("  Dr A. Lind ").unwrap(), "Dr A. Lind");
        assert!(parse_display_name("   ").is_err());
        assert!(parse_display_name(&"x".repeat(101)).is_err());
    }
}
