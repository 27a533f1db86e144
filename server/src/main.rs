//! `tumorboard`: configuration → database → migrations → serve; and the other commands.

use std::process::ExitCode;

use app::ssr::{AppState, Config, Db};
use clap::Parser;
use server::cli::{Cli, Command, UserCommand, VerifyCommand};
use server::commands;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,tower_http=warn".into()),
        )
        .with_target(false)
        .init();

    let cli = Cli::parse();
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve().await,
        Command::User(UserCommand::Add { username, role, specialty, display_name, boards, password_stdin: _ }) => {
            let Some(state) = open_state().await else { return ExitCode::FAILURE };
            commands::user_add(&state, username, role, specialty, display_name, boards).await
        }
        Command::Openapi => {
            println!("{:#}", server::rest::openapi::document());
            ExitCode::SUCCESS
        }
        Command::Demo { force } => {
            let Some(state) = open_state().await else { return ExitCode::FAILURE };
            commands::demo(&state, force).await
        }
        Command::Backup { file } => {
            let Some(state) = open_state().await else { return ExitCode::FAILURE };
            commands::backup(&state, &file).await
        }
        Command::Restore { file, force } => {
            let config = match Config::from_env() {
                Ok(c) => c,
                Err(e) => return fail(e),
            };
            commands::restore(&config.database_url, &file, force).await
        }
        Command::Audit(VerifyCommand::Verify) => {
            let Some(state) = open_state().await else { return ExitCode::FAILURE };
            commands::audit_verify(&state).await
        }
        Command::Plan(VerifyCommand::Verify) => {
            let Some(state) = open_state().await else { return ExitCode::FAILURE };
            commands::plan_verify(&state).await
        }
    }
}

/// Opens and migrates the database for a command other than `serve`.
async fn open_state() -> Option<AppState> {
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            fail(e);
            return None;
        }
    };
    match Db::open_and_migrate(&config.database_url).await {
        Ok(db) => Some(AppState::from(app::ssr::state::Shared {
            leptos_options: leptos::config::LeptosOptions::builder().output_name("tumorboard").build(),
            db,
            config,
            passwords: app::ssr::auth::Passwords::production(),
            clock: Default::default(),
        })),
        Err(e) => {
            fail(e);
            None
        }
    }
}

fn fail(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("tumorboard: {msg}");
    ExitCode::FAILURE
}

async fn serve() -> ExitCode {
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    // The pages' times read on the hospital's clock (one instance serves one hospital).
    app::components::format::set_zone((*config.zone).clone());
    let mut leptos_options = match leptos::prelude::get_configuration(None) {
        Ok(conf) => conf.leptos_options,
        Err(e) => return fail(format!("invalid LEPTOS_* setting: {e}")),
    };
    if leptos_options.output_name.is_empty() {
        leptos_options.output_name = "tumorboard".into();
    }
    // cargo-leptos names the bundle by its hash and writes the names to `hash.txt` beside the
    // binary it built; the pages then load those names, and /pkg caches them for a year.
    // LEPTOS_HASH_FILES, when set, decides.
    if std::env::var_os("LEPTOS_HASH_FILES").is_none()
        && std::env::current_exe()
            .ok()
            .and_then(|exe| exe.parent().map(|d| d.join(&*leptos_options.hash_file)))
            .is_some_and(|f| f.is_file())
    {
        leptos_options.hash_files = true;
    }
    let db = match Db::open_and_migrate(&config.database_url).await {
        Ok(db) => db,
        Err(e) => return fail(e),
    };
    let addr = leptos_options.site_addr;
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
            return fail(format!(
                "the address {addr} is already in use: stop the other program or set LEPTOS_SITE_ADDR"
            ));
        }
        Err(e) => return fail(format!("cannot listen on {addr}: {e}")),
    };
    tracing::info!(
        engine = ?db.engine,
        database = %app::ssr::db::redact_url(&config.database_url),
        time_zone = %config.zone.label(),
        "listening on http://{addr}"
    );
    // A release build is what a hospital serves; `cargo leptos watch` (a debug build) never
    // precompresses, so it is not told.
    if !cfg!(debug_assertions)
        && let Some(problem) = server::bundle_problem(&server::pkg_dir(&leptos_options))
    {
        tracing::warn!("{problem}");
    }
    let state = AppState::from(app::ssr::state::Shared {
        leptos_options,
        db,
        config,
        passwords: app::ssr::auth::Passwords::production(),
        clock: Default::default(),
    });
    let app = server::router(state);
    if let Err(e) = server::serve::serve(listener, app, shutdown_signal()).await {
        return fail(format!("server error: {e}"));
    }
    ExitCode::SUCCESS
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}
