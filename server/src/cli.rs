//! The `tumorboard` command line (spec/api.md, "Command line").

/// A parsed command.
#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    Serve,
    Help,
}

pub const USAGE: &str = "\
Usage: tumorboard [COMMAND]

Commands:
  serve            migrate the database, then serve (the default)
  help             show this text

Configuration (environment):
  DATABASE_URL                  sqlite://data/tumorboard.db (default) or postgres://…
  LEPTOS_SITE_ADDR              address to listen on (default 127.0.0.1:3000)
  LEPTOS_SITE_ROOT              directory of the built site (default target/site)
  TUMORBOARD_SESSION_IDLE_SECS  idle session timeout (default 900)
  TUMORBOARD_SESSION_MAX_SECS   absolute session lifetime (default 43200)
";

/// Parses the arguments after the program name.
pub fn parse(args: &[String]) -> Result<Command, String> {
    match args.first().map(String::as_str) {
        None | Some("serve") => match args.get(1) {
            None => Ok(Command::Serve),
            Some(extra) => Err(format!("unexpected argument {extra:?} after 'serve'")),
        },
        Some("help" | "--help" | "-h") => Ok(Command::Help),
        Some(other) => Err(format!("unknown command {other:?}")),
    }
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
}
