//! The command-line commands other than `serve`.

use std::io::Read;
use std::process::ExitCode;

use app::domain::user::NewUser;
use app::error::AppError;
use app::ssr::AppState;
use app::ssr::audit::{self, ChainCheck};
use app::ssr::plans::SignatureCheck;
use app::ssr::users;

/// `tumorboard user add … --password-stdin`
pub async fn user_add(
    state: &AppState,
    username: String,
    role: String,
    specialty: Option<String>,
    display_name: Option<String>,
    board_names: Vec<String>,
) -> ExitCode {
    let mut password = String::new();
    if std::io::stdin().read_to_string(&mut password).is_err() {
        eprintln!("tumorboard: could not read the password from standard input");
        return ExitCode::FAILURE;
    }
    // One trailing newline (from `echo` or a file) is not part of the password.
    let password =
        password.strip_suffix('\n').map(|p| p.strip_suffix('\r').unwrap_or(p)).unwrap_or(&password).to_string();
    let boards = match app::ssr::boards::ids_for_names(state, &board_names).await {
        Ok(ids) => ids,
        Err(e) => {
            eprintln!("tumorboard: the user was not created: {}", e.field_message("boards").unwrap_or(e.to_string()));
            return ExitCode::FAILURE;
        }
    };
    let new = NewUser { username, display_name: display_name.unwrap_or_default(), role, specialty, password, boards };
    match users::create(state, &users::cli_actor(), &new).await {
        Ok(user) => {
            println!("created user {} ({}) with id {}", user.username, user.role.code(), user.id);
            ExitCode::SUCCESS
        }
        Err(e) => failed("the user was not created", &e),
    }
}

/// Prints what failed and each field's message (a bare "Some fields need attention." tells an
/// operator nothing), and fails.
fn failed(what: &str, e: &AppError) -> ExitCode {
    eprintln!("tumorboard: {what}: {e}");
    for (field, messages) in e.fields().into_iter().flatten() {
        for m in messages {
            eprintln!("  {field}: {m}");
        }
    }
    ExitCode::FAILURE
}

/// `tumorboard demo [--force]`
pub async fn demo(state: &AppState, force: bool) -> ExitCode {
    let fixed = std::env::var("TUMORBOARD_DEMO_PASSWORD").ok().filter(|p| !p.is_empty());
    match app::ssr::demo::load_board(state, fixed.as_deref(), force).await {
        Ok((logins, new_cases)) => {
            println!(
                "Demo board loaded ({new_cases} new synthetic cases). Logins (demo data only, never for real patients):"
            );
            println!("  {:<13} {:<12} {:<18} password", "username", "role", "specialty");
            for l in logins {
                println!(
                    "  {:<13} {:<12} {:<18} {}",
                    l.username,
                    l.role,
                    l.specialty.as_deref().unwrap_or("-"),
                    l.password
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => failed("the demo could not be loaded", &e),
    }
}

/// `tumorboard audit verify`
pub async fn audit_verify(state: &AppState) -> ExitCode {
    match audit::verify(&state.db).await {
        Ok(ChainCheck::Intact { rows }) => {
            println!("audit log intact: {rows} rows, hash chain verified");
            ExitCode::SUCCESS
        }
        Ok(ChainCheck::Broken { seq, reason, .. }) => {
            eprintln!("audit log BROKEN at row {seq}: {reason}");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("tumorboard: could not read the audit log: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `tumorboard plan verify`
pub async fn plan_verify(state: &AppState) -> ExitCode {
    match app::ssr::plans::verify_signatures(&state.db).await {
        Ok(SignatureCheck::AllValid { signed }) => {
            println!("signed plans verified: {signed} signatures match their stored content");
            ExitCode::SUCCESS
        }
        Ok(SignatureCheck::Mismatch { case_id, signed_at, reason }) => {
            eprintln!("signed plan of case {case_id} (signed {signed_at}) does NOT verify: {reason}");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("tumorboard: could not read the plans: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `tumorboard backup FILE`
pub async fn backup(state: &AppState, file: &str) -> ExitCode {
    let started = std::time::Instant::now();
    match app::ssr::backup::backup(&state.db, &state.config.database_url, std::path::Path::new(file)).await {
        Ok(()) => {
            let size = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
            println!("backup written to {file} ({size} bytes, {:.1} s)", started.elapsed().as_secs_f64());
            // What it covers: attachments kept in an object store are not in the file.
            match app::ssr::backup::fingerprint(&state.db).await {
                Ok(fp) if fp.attachments_in_object_store > 0 => println!(
                    "it holds the record of all {} attachments; the bytes of {} of them are in the object store ({}), not in this file: back up that bucket too (with versioning, or a copy taken after this backup)",
                    fp.attachments,
                    fp.attachments_in_object_store,
                    state.config.blobs.as_ref().map(|b| b.url.as_str()).unwrap_or("TUMORBOARD_BLOB_URL")
                ),
                Ok(fp) => println!("it holds everything, the bytes of all {} attachments included", fp.attachments),
                Err(e) => eprintln!("tumorboard: could not count what the backup covers: {e}"),
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("tumorboard: backup failed: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `tumorboard restore FILE [--force]`
pub async fn restore(url: &str, file: &str, force: bool) -> ExitCode {
    match app::ssr::backup::restore(url, std::path::Path::new(file), force).await {
        Ok(fp) => {
            println!(
                "restored {file}: {} users, {} cases, {} case versions, {} audit rows, {} attachments ({} bytes; {} of them kept in the object store, not in the file); audit chain and the SHA-256 of every attachment in the file verified",
                fp.users,
                fp.cases,
                fp.case_versions,
                fp.audit_rows,
                fp.attachments,
                fp.attachment_bytes,
                fp.attachments_in_object_store
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("tumorboard: restore failed: {e}");
            ExitCode::FAILURE
        }
    }
}
