//! The `tumorboard` command line (spec/api.md, "Command line").

/// A parsed command.
#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    Serve,
    Help,
    /// `user add`: the password is read from standard input.
    UserAdd {
        username: String,
        role: String,
        specialty: Option<String>,
        display_name: Option<String>,
    },
    Demo,
    AuditVerify,
    Backup {
        file: String,
    },
    Restore {
        file: String,
        force: bool,
    },
}

pub const USAGE: &str = "\
Usage: tumorboard [COMMAND]

Commands:
  serve            migrate the database, then serve (the default)
  user add --username U --role R [--specialty S] [--display-name N] --password-stdin
                   create a user (roles: admin, coordinator, clinician, reviewer);
                   the first admin is made this way
  demo             load the demo board and print its logins (idempotent; passwords are
                   generated anew each time unless TUMORBOARD_DEMO_PASSWORD is set)
  audit verify     check the audit log's hash chain; exits 1 naming the first bad row
  backup FILE      online, consistent backup of the running database into FILE
                   (SQLite: VACUUM INTO; PostgreSQL: pg_dump custom format)
  restore FILE [--force]
                   check FILE and restore it into DATABASE_URL; stop every instance first.
                   An existing SQLite file is kept beside it as *.before-restore-<time>;
                   a non-empty target is only replaced with --force
  help             show this text

Configuration (environment):
  DATABASE_URL                  sqlite://data/tumorboard.db (default) or postgres://…
  LEPTOS_SITE_ADDR              address to listen on (default 127.0.0.1:3000)
  LEPTOS_SITE_ROOT              directory of the built site (default target/site)
  TUMORBOARD_SESSION_IDLE_SECS  idle session timeout (default 900)
  TUMORBOARD_SESSION_MAX_SECS   absolute session lifetime (default 43200)
  TUMORBOARD_SECURE_COOKIES     true: always mark the session cookie Secure
";

/// Parses the arguments after the program name.
pub fn parse(args: &[String]) -> Result<Command, String> {
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    match words.as_slice() {
        [] | ["serve"] => Ok(Command::Serve),
        ["serve", extra, ..] => Err(format!("unexpected argument {extra:?} after 'serve'")),
        ["help" | "--help" | "-h"] => Ok(Command::Help),
        ["demo"] => Ok(Command::Demo),
        ["audit", "verify"] => Ok(Command::AuditVerify),
        ["backup", file] => Ok(Command::Backup { file: file.to_string() }),
        ["restore", file] => Ok(Command::Restore { file: file.to_string(), force: false }),
        ["restore", file, "--force"] | ["restore", "--force", file] => {
            Ok(Command::Restore { file: file.to_string(), force: true })
        }
        ["backup" | "restore", ..] => Err("backup and restore take one FILE (restore also --force)".to_string()),
        ["user", "add", rest @ ..] => parse_user_add(rest),
        [other, ..] => Err(format!("unknown command {other:?}")),
    }
}

fn parse_user_add(rest: &[&str]) -> Result<Command, String> {
    let (mut username, mut role, mut specialty, mut display_name, mut stdin) = (None, None, None, None, false);
    let mut it = rest.iter();
    while let Some(flag) = it.next() {
        let mut value = || it.next().map(|v| v.to_string()).ok_or_else(|| format!("{flag} needs a value"));
        match *flag {
            "--username" => username = Some(value()?),
            "--role" => role = Some(value()?),
            "--specialty" => specialty = Some(value()?),
            "--display-name" => display_name = Some(value()?),
            "--password-stdin" => stdin = true,
            other => return Err(format!("unknown option {other:?} for 'user add'")),
        }
    }
    if !stdin {
        return Err("'user add' reads the password from standard input: pass --password-stdin".into());
    }
    Ok(Command::UserAdd {
        username: username.ok_or("'user add' needs --username")?,
        role: role.ok_or("'user add' needs --role")?,
        specialty,
        display_name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn no_command_means_serve() {
        assert_eq!(parse(&[]).unwrap(), Command::Serve);
        assert_eq!(parse(&args(&["serve"])).unwrap(), Command::Serve);
    }

    #[test]
    fn unknown_commands_are_refused() {
        assert!(parse(&args(&["frobnicate"])).is_err());
        assert!(parse(&args(&["serve", "now"])).is_err());
    }

    #[test]
    fn user_add_reads_its_flags() {
        let c = parse(&args(&[
            "user",
            "add",
            "--username",
            "a",
            "--role",
            "clinician",
            "--specialty",
            "surgery",
            "--password-stdin",
        ]))
        .unwrap();
        assert_eq!(
            c,
            Command::UserAdd {
                username: "a".into(),
                role: "clinician".into(),
                specialty: Some("surgery".into()),
                display_name: None
            }
        );
    }

    #[test]
    fn user_add_insists_on_password_stdin_and_username() {
        assert!(parse(&args(&["user", "add", "--username", "a", "--role", "admin"])).is_err());
        assert!(parse(&args(&["user", "add", "--role", "admin", "--password-stdin"])).is_err());
        assert!(parse(&args(&["user", "add", "--username"])).is_err());
    }
}
