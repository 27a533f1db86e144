//! The `tumorboard` command line (docs/api.md, "Command line"), parsed by clap.

use clap::{Parser, Subcommand};

/// Configuration comes from the environment; see `tumorboard help` and the README.
const ENVIRONMENT: &str = "\
Configuration (environment):
  DATABASE_URL                  sqlite://data/tumorboard.db (default) or postgres://…
  LEPTOS_SITE_ADDR              address to listen on (default 127.0.0.1:3000)
  LEPTOS_SITE_ROOT              directory of the built site (default target/site)
  TUMORBOARD_SESSION_IDLE_SECS  idle session timeout, 60–86400 (default 900)
  TUMORBOARD_SESSION_MAX_SECS   absolute session lifetime, 300–604800 (default 43200)
  TUMORBOARD_SECURE_COOKIES     true: always mark the session cookie Secure
  TUMORBOARD_TRUSTED_PROXIES    reverse proxies whose X-Forwarded-For is believed
                                (addresses or CIDR blocks, comma-separated)
  TUMORBOARD_TIME_ZONE          the hospital's time zone, e.g. Europe/Berlin (default UTC):
                                times are shown and typed on its clock";

/// Tumorboard: the shared case for multidisciplinary tumor boards.
#[derive(Debug, Parser)]
#[command(name = "tumorboard", version, after_help = ENVIRONMENT)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, PartialEq, Eq, Subcommand)]
pub enum Command {
    /// Migrate the database, then serve (the default).
    Serve,
    /// Manage users (the first admin is made this way).
    #[command(subcommand)]
    User(UserCommand),
    /// Load the demo board and print its logins (idempotent; passwords are generated anew each
    /// time unless TUMORBOARD_DEMO_PASSWORD is set). Refuses a database with real users.
    Demo {
        /// Load the demo beside real users (their accounts are never changed).
        #[arg(long)]
        force: bool,
    },
    /// The audit log.
    #[command(subcommand)]
    Audit(VerifyCommand),
    /// Signed plans.
    #[command(subcommand)]
    Plan(VerifyCommand),
    /// Online, consistent backup of the running database into FILE (SQLite: VACUUM INTO;
    /// PostgreSQL: pg_dump custom format).
    Backup { file: String },
    /// Check FILE and restore it into DATABASE_URL; stop every instance first. An existing
    /// SQLite file is kept beside it as *.before-restore-<time>; a non-empty target is only
    /// replaced with --force.
    Restore {
        file: String,
        #[arg(long)]
        force: bool,
    },
    /// Print the REST API's OpenAPI 3 document (the same as GET /api/v1/openapi.json); needs no
    /// database.
    Openapi,
}

#[derive(Debug, PartialEq, Eq, Subcommand)]
pub enum UserCommand {
    /// Create a user; the password is read from standard input.
    Add {
        #[arg(long)]
        username: String,
        /// admin, coordinator, clinician or reviewer.
        #[arg(long)]
        role: String,
        /// Required for clinicians (surgery, medical_oncology, radiology, pathology, …).
        #[arg(long)]
        specialty: Option<String>,
        #[arg(long)]
        display_name: Option<String>,
        /// A board the user joins, by name (repeatable). Without it the user joins the
        /// installation's only board, if it has just one.
        #[arg(long = "board", value_name = "NAME")]
        boards: Vec<String>,
        /// Read the password from standard input (the only way: never on the command line).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

#[derive(Debug, PartialEq, Eq, Subcommand)]
pub enum VerifyCommand {
    /// Audit log: walk the hash chain. Plans: recompute every signature's SHA-256 from what is
    /// stored. Exits 1 naming the first bad row.
    Verify,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Option<Command>, clap::Error> {
        Cli::try_parse_from(std::iter::once("tumorboard").chain(args.iter().copied())).map(|c| c.command)
    }

    #[test]
    fn no_command_means_serve() {
        assert_eq!(parse(&[]).unwrap(), None);
        assert_eq!(parse(&["serve"]).unwrap(), Some(Command::Serve));
    }

    #[test]
    fn unknown_commands_are_refused() {
        assert!(parse(&["frobnicate"]).is_err());
        assert!(parse(&["serve", "now"]).is_err());
    }

    #[test]
    fn user_add_reads_its_flags() {
        let c = parse(&[
            "user",
            "add",
            "--username",
            "a",
            "--role",
            "clinician",
            "--specialty",
            "surgery",
            "--board",
            "NET board",
            "--board",
            "HPB board",
            "--password-stdin",
        ])
        .unwrap();
        assert_eq!(
            c,
            Some(Command::User(UserCommand::Add {
                username: "a".into(),
                role: "clinician".into(),
                specialty: Some("surgery".into()),
                display_name: None,
                boards: vec!["NET board".into(), "HPB board".into()],
                password_stdin: true,
            }))
        );
    }

    #[test]
    fn user_add_insists_on_password_stdin_and_username() {
        assert!(parse(&["user", "add", "--username", "a", "--role", "admin"]).is_err());
        assert!(parse(&["user", "add", "--role", "admin", "--password-stdin"]).is_err());
        assert!(parse(&["user", "add", "--username"]).is_err());
    }

    #[test]
    fn verify_commands_and_force_flags_parse() {
        assert_eq!(parse(&["plan", "verify"]).unwrap(), Some(Command::Plan(VerifyCommand::Verify)));
        assert_eq!(parse(&["audit", "verify"]).unwrap(), Some(Command::Audit(VerifyCommand::Verify)));
        assert_eq!(parse(&["demo", "--force"]).unwrap(), Some(Command::Demo { force: true }));
        assert_eq!(parse(&["openapi"]).unwrap(), Some(Command::Openapi));
        assert_eq!(
            parse(&["restore", "--force", "f"]).unwrap(),
            Some(Command::Restore { file: "f".into(), force: true })
        );
    }
}
