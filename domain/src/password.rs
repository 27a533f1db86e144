//! The password policy (security.md AU-1, AU-2; OWASP ASVS 5.0 §6.2): length, not common,
//! no composition rules, no truncation.

/// Fewer characters than this are refused (AU-1: ≥ 12).
pub const MIN_CHARS: usize = 12;
/// More characters than this are refused; far above the 64 that must be accepted (AU-1).
pub const MAX_CHARS: usize = 256;

/// Checks the length rules that the browser can check while typing.
pub fn check_length(password: &str) -> Result<(), String> {
    let n = password.chars().count();
    if n < MIN_CHARS {
        return Err(format!("Use at least {MIN_CHARS} characters ({n} so far). A short sentence works well."));
    }
    if n > MAX_CHARS {
        return Err(format!("Use at most {MAX_CHARS} characters."));
    }
    Ok(())
}

/// The whole policy for a new password: length, not the username, not in the shipped list of
/// common and breached passwords, and not a common password with digits or symbols appended
/// (such as `Password1234`).
#[cfg(any(test, feature = "password-list"))]
pub fn check_new_password(password: &str, username: &str) -> Result<(), String> {
    check_length(password)?;
    let lower = password.to_lowercase();
    if !username.is_empty() && lower.contains(&username.to_lowercase()) {
        return Err("The password must not contain the username.".into());
    }
    let base = lower.trim_end_matches(|c: char| c.is_ascii_digit() || c.is_ascii_punctuation());
    if is_common(&lower) || (base.chars().count() >= 4 && is_common(base)) {
        return Err("This password is too common and appears in lists of breached passwords. Choose another.".into());
    }
    Ok(())
}

#[cfg(any(test, feature = "password-list"))]
fn is_common(candidate: &str) -> bool {
    use std::collections::HashSet;
    use std::sync::OnceLock;
    // The 30,000 most common passwords (zxcvbn's list; see common_passwords.LICENSE).
    static LIST: OnceLock<HashSet<&'static str>> = OnceLock::new();
    LIST.get_or_init(|| include_str!("common_passwords.txt").lines().map(str::trim).filter(|l| !l.is_empty()).collect())
        .contains(candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eleven_characters_are_refused() {
        assert!(check_new_password("abcdefghijk", "anna").is_err());
    }

    #[test]
    fn twelve_plain_characters_are_accepted_without_composition_rules() {
        assert!(check_new_password("tide clock ox", "anna").is_ok());
    }

    #[test]
    fn sixty_four_characters_with_emoji_are_accepted() {
        let pw: String = "🩺 board meets on thursdays 🫀 ".chars().cycle().take(64).collect();
        assert_eq!(pw.chars().count(), 64);
        assert!(check_new_password(&pw, "anna").is_ok());
    }

    #[test]
    fn common_passwords_are_refused() {
        assert!(check_new_password("Password1234", "anna").is_err());
        assert!(check_new_password("password1234", "anna").is_err());
        assert!(check_new_password("qwertyuiop123!", "anna").is_err());
    }

    #[test]
    fn passwords_containing_the_username_are_refused() {
        assert!(check_new_password("dr.anna.lindqvist", "anna.lindqvist").is_err());
    }

    #[test]
    fn overlong_passwords_are_refused_not_truncated() {
        let pw = "x".repeat(MAX_CHARS + 1);
        assert!(check_length(&pw).is_err());
    }
}
