//! Documents and key images on a case (issue 20).
//!
//! An upload is received into an unnamed temporary file (gone when dropped, also on error):
//! its type is read from its first bytes, its SHA-256 computed and its size held to
//! `TUMORBOARD_MAX_UPLOAD_MB` as the bytes arrive, and an image's display copy is written beside
//! it without its metadata. Only a complete, checked file is then written to the database, in
//! chunks of at most [`CHUNK`] bytes, in one short transaction with its audit row: a slow
//! upload never holds the write lock, a refused one writes nothing, and neither end holds a
//! whole file in memory. A download streams the chunks one query at a time, checks the SHA-256
//! as it goes, and starts only after its audit row is durable.

use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

use super::access;
use super::audit::{self, Event, Outcome};
use super::auth::Session;
use super::events;
use super::{AppState, new_id, now_text};
use crate::domain::attachment::{
    Attachment, AttachmentInput, AttachmentKind, FileType, MetadataStripper, Withdrawal, unsupported_file_message,
    withdrawal_reason,
};
use crate::domain::events::CaseEventKind;
use crate::domain::role::{Action, Role, Specialty};
use crate::error::AppError;

/// The most bytes one stored chunk holds.
pub const CHUNK: usize = 256 * 1024;

/// Where the bytes are kept (the `storage` column): the database's chunks, or the object store
/// of `TUMORBOARD_BLOB_URL` (see `ssr::blobs`).
pub const IN_DATABASE: &str = "database";
pub const IN_OBJECT_STORE: &str = "object_store";

/// Which copy of an attachment to read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Copy {
    /// Byte for byte as uploaded.
    Original,
    /// What screens show: an image without its metadata (a PDF: the original).
    Display,
}

impl Copy {
    fn code(self) -> &'static str {
        match self {
            Copy::Original => "original",
            Copy::Display => "display",
        }
    }
}

/// A file being received: call [`Receiver::push`] with each piece as it arrives, then
/// [`Receiver::finish`].
pub struct Receiver {
    max: u64,
    /// The first bytes, until the type is known.
    head: Vec<u8>,
    file_type: Option<FileType>,
    original: Spool,
    display: Option<(MetadataStripper, Spool)>,
}

/// A temporary file with the size and SHA-256 of what was written to it.
struct Spool {
    file: tokio::fs::File,
    size: u64,
    hash: Sha256,
}

impl Spool {
    async fn new() -> Result<Spool, AppError> {
        let file = tokio::task::spawn_blocking(tempfile::tempfile)
            .await
            .map_err(|_| AppError::internal("temporary file task failed"))?
            .map_err(|e| AppError::internal(&format!("cannot create a temporary file for an upload: {e}")))?;
        Ok(Spool { file: tokio::fs::File::from_std(file), size: 0, hash: Sha256::new() })
    }

    async fn write(&mut self, bytes: &[u8]) -> Result<(), AppError> {
        self.hash.update(bytes);
        self.size += bytes.len() as u64;
        self.file
            .write_all(bytes)
            .await
            .map_err(|e| AppError::internal(&format!("cannot write an upload's temporary file: {e}")))
    }
}

/// A received, checked file waiting to be stored.
pub struct Staged {
    pub file_type: FileType,
    pub size: u64,
    pub sha256: String,
    original: tokio::fs::File,
    /// The display copy when it differs from the original: (file, size, SHA-256).
    display: Option<(tokio::fs::File, u64, String)>,
}

impl Receiver {
    pub async fn new(max: u64) -> Result<Receiver, AppError> {
        Ok(Receiver { max, head: Vec::new(), file_type: None, original: Spool::new().await?, display: None })
    }

    /// The next piece of the file. 413 once it is larger than the limit; 422 (`file`) when its
    /// first bytes are not a PDF, PNG or JPEG, or an image is damaged.
    pub async fn push(&mut self, bytes: &[u8]) -> Result<(), AppError> {
        if self.original.size + bytes.len() as u64 > self.max {
            return Err(AppError::PayloadTooLarge);
        }
        self.original.write(bytes).await?;
        if self.file_type.is_some() {
            return self.push_display(bytes).await;
        }
        self.head.extend_from_slice(bytes);
        if self.head.len() >= 8 {
            self.start().await?;
        }
        Ok(())
    }

    /// The type is known from the first bytes: start the display copy with them.
    async fn start(&mut self) -> Result<(), AppError> {
        let file_type =
            FileType::sniff(&self.head).ok_or_else(|| AppError::field("file", unsupported_file_message()))?;
        self.file_type = Some(file_type);
        if file_type.is_image() {
            self.display = Some((MetadataStripper::new(file_type), Spool::new().await?));
        }
        let head = std::mem::take(&mut self.head);
        self.push_display(&head).await
    }

    async fn push_display(&mut self, bytes: &[u8]) -> Result<(), AppError> {
        let Some((stripper, spool)) = &mut self.display else { return Ok(()) };
        let mut out = Vec::with_capacity(bytes.len());
        stripper.push(bytes, &mut out).map_err(|e| AppError::field("file", damaged(e)))?;
        spool.write(&out).await
    }

    /// The whole file has arrived: checks that it is complete and gives it back to be stored.
    pub async fn finish(mut self) -> Result<Staged, AppError> {
        if self.original.size == 0 {
            return Err(AppError::field("file", "Choose a file: this one is empty."));
        }
        if self.file_type.is_none() {
            self.start().await?;
        }
        let file_type = self.file_type.expect("set by start");
        let sha256 = hex::encode(self.original.hash.finalize());
        let display = match self.display {
            Some((stripper, spool)) => {
                stripper.finish().map_err(|e| AppError::field("file", damaged(e)))?;
                let display_sha = hex::encode(spool.hash.finalize());
                (display_sha != sha256).then_some((spool.file, spool.size, display_sha))
            }
            None => None,
        };
        Ok(Staged { file_type, size: self.original.size, sha256, original: self.original.file, display })
    }
}

fn damaged(e: crate::domain::attachment::BadImage) -> String {
    format!("The file cannot be read: {e}. Export it again from its source and upload that copy.")
}

/// Whether the user may attach to the case: the role, the board. Called before an upload's
/// body is read, so a refused upload is refused before its bytes are taken in.
pub async fn may_attach(state: &AppState, session: &Session, case_id: &str) -> Result<(), AppError> {
    access::require_case(state, session, Action::Attach, case_id).await
}

/// Stores a received file as a new attachment of the case (with its audit row, in one
/// transaction) and returns it.
pub async fn store(
    state: &AppState,
    session: &Session,
    case_id: &str,
    input: &AttachmentInput,
    mut staged: Staged,
) -> Result<Attachment, AppError> {
    may_attach(state, session, case_id).await?;
    let checked = input.parse(session.me.specialty, state.today())?;
    // The kind and the content agree: a key image is a picture, a report is a document.
    if checked.kind == AttachmentKind::KeyImage && !staged.file_type.is_image() {
        return Err(AppError::field("kind", "A key image is a PNG or JPEG; this file is a PDF. Choose another kind."));
    }
    if let Some(old) = &checked.supersedes {
        let old = load(state, old).await.map_err(|e| match e {
            AppError::NotFound => AppError::field("supersedes", "Choose a document of this case."),
            e => e,
        })?;
        if old.case_id != case_id {
            return Err(AppError::field("supersedes", "Choose a document of this case."));
        }
        if old.withdrawn.is_some() {
            return Err(AppError::field("supersedes", "That document was withdrawn; upload this one on its own."));
        }
        if let Some(newer) = &old.superseded_by {
            return Err(AppError::field(
                "supersedes",
                format!("That document was already corrected (by {newer}); correct the newest one."),
            ));
        }
        owner_or_refuse(state, session, &old, "correct").await?;
    }
    let id = new_id();
    // To the object store first, when there is one: the database records only what is there.
    if let Some(blobs) = &state.config.blobs {
        let put = async {
            blobs.put_file(&id, Copy::Original.code(), &mut staged.original).await?;
            if let Some((file, _, _)) = &mut staged.display {
                blobs.put_file(&id, Copy::Display.code(), file).await?;
            }
            Ok::<(), String>(())
        };
        if let Err(e) = put.await {
            tracing::error!(attachment = %id, error = %e, "the object store refused an attachment");
            return Err(AppError::Unavailable);
        }
    }
    let stored = write_record(state, session, case_id, &id, &checked, &mut staged).await;
    if stored.is_err()
        && let Some(blobs) = &state.config.blobs
    {
        blobs.remove(&id, Copy::Original.code()).await;
        blobs.remove(&id, Copy::Display.code()).await;
    }
    stored?;
    state.db.announce(case_id);
    load(state, &id).await
}

/// The attachment's row, its chunks (when kept in the database) and its audit row, in one
/// transaction.
async fn write_record(
    state: &AppState,
    session: &Session,
    case_id: &str,
    id: &str,
    checked: &crate::domain::attachment::CheckedAttachment,
    staged: &mut Staged,
) -> Result<(), AppError> {
    // Without a display copy of its own, what screens show is the original.
    let (display_size, display_sha) = match &staged.display {
        Some((_, size, sha)) => (*size, sha.clone()),
        None => (staged.size, staged.sha256.clone()),
    };
    let storage = if state.config.blobs.is_some() { IN_OBJECT_STORE } else { IN_DATABASE };
    let now = now_text();
    let mut tx = state.db.begin_write().await?;
    sqlx::query(
        "INSERT INTO attachments (id, case_id, kind, title, examined_on, specialty, content_type, size_bytes, sha256, \
         display_size_bytes, display_sha256, storage, supersedes, uploaded_by, uploaded_at, version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 1)",
    )
    .bind(id)
    .bind(case_id)
    .bind(checked.kind.code())
    .bind(&checked.title)
    .bind(&checked.examined_on)
    .bind(checked.specialty.code())
    .bind(staged.file_type.media_type())
    .bind(staged.size as i64)
    .bind(&staged.sha256)
    .bind(display_size as i64)
    .bind(&display_sha)
    .bind(storage)
    .bind(&checked.supersedes)
    .bind(&session.me.id)
    .bind(&now)
    .execute(&mut *tx)
    .await?;
    if storage == IN_DATABASE {
        write_chunks(&mut tx, id, Copy::Original, &mut staged.original).await?;
        if let Some((file, _, _)) = &mut staged.display {
            write_chunks(&mut tx, id, Copy::Display, file).await?;
        }
    }
    let mut detail = format!("{} {} bytes sha256 {}", staged.file_type.media_type(), staged.size, staged.sha256);
    if let Some(old) = &checked.supersedes {
        detail.push_str(&format!("; supersedes {old}"));
    }
    let actor = session.actor();
    let event = Event::new(&actor, CaseEventKind::AttachmentAdd.code(), Outcome::Success)
        .case(case_id)
        .target(id)
        .detail(&detail);
    audit::append(&mut tx, state.db.engine, &event).await?;
    events::record(&mut tx, state.db.engine, case_id, CaseEventKind::AttachmentAdd, id).await?;
    tx.commit().await?;
    Ok(())
}

/// Copies a temporary file into the database, chunk by chunk.
async fn write_chunks(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    id: &str,
    copy: Copy,
    file: &mut tokio::fs::File,
) -> Result<(), AppError> {
    let io = |e: std::io::Error| AppError::internal(&format!("cannot read an upload's temporary file: {e}"));
    file.rewind().await.map_err(io)?;
    let mut buf = vec![0u8; CHUNK];
    let mut seq = 0i64;
    loop {
        // Fill the chunk (a read may return less than asked).
        let mut filled = 0;
        while filled < CHUNK {
            let n = file.read(&mut buf[filled..]).await.map_err(io)?;
            if n == 0 {
                break;
            }
            filled += n;
        }
        if filled == 0 {
            return Ok(());
        }
        sqlx::query("INSERT INTO attachment_chunks (attachment_id, copy, seq, data) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(copy.code())
            .bind(seq)
            .bind(buf[..filled].to_vec())
            .execute(&mut **tx)
            .await?;
        seq += 1;
        if filled < CHUNK {
            return Ok(());
        }
    }
}

/// An attachment with its uploader, its withdrawer and what supersedes it: a literal, so that every
/// query built on it with `concat!` is one static SQL text.
macro_rules! select_attachment {
    () => {
        "SELECT a.id, a.case_id, a.kind, a.title, a.examined_on, a.specialty, a.content_type, \
             a.size_bytes, a.sha256, a.display_sha256, a.supersedes, \
             (SELECT n.id FROM attachments n WHERE n.supersedes = a.id) AS superseded_by, \
             a.uploaded_by, u.display_name AS uploaded_by_name, a.uploaded_at, a.version, a.withdrawn_at, \
             w.display_name AS withdrawn_by_name, a.withdrawn_reason, a.storage \
             FROM attachments a JOIN users u ON u.id = a.uploaded_by LEFT JOIN users w ON w.id = a.withdrawn_by"
    };
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    case_id: String,
    #[sqlx(try_from = "String")]
    kind: AttachmentKind,
    title: String,
    examined_on: Option<String>,
    #[sqlx(try_from = "String")]
    specialty: Specialty,
    content_type: String,
    size_bytes: i64,
    sha256: String,
    display_sha256: String,
    supersedes: Option<String>,
    superseded_by: Option<String>,
    uploaded_by: String,
    uploaded_by_name: String,
    uploaded_at: String,
    version: i64,
    withdrawn_at: Option<String>,
    withdrawn_by_name: Option<String>,
    withdrawn_reason: Option<String>,
    storage: String,
}

impl From<Row> for Attachment {
    fn from(r: Row) -> Self {
        Attachment {
            display_stripped: r.display_sha256 != r.sha256,
            withdrawn: r.withdrawn_at.map(|at| Withdrawal {
                at,
                by_name: r.withdrawn_by_name.unwrap_or_default(),
                reason: r.withdrawn_reason.unwrap_or_default(),
            }),
            id: r.id,
            case_id: r.case_id,
            kind: r.kind,
            title: r.title,
            examined_on: r.examined_on,
            specialty: r.specialty,
            content_type: r.content_type,
            size_bytes: r.size_bytes,
            sha256: r.sha256,
            supersedes: r.supersedes,
            superseded_by: r.superseded_by,
            uploaded_by: r.uploaded_by,
            uploaded_by_name: r.uploaded_by_name,
            uploaded_at: r.uploaded_at,
            version: r.version,
        }
    }
}

/// One attachment's row (no access check, not audited).
async fn load_row(state: &AppState, id: &str) -> Result<Row, AppError> {
    load_row_in(&mut *state.db.acquire().await?, id).await
}

/// The row as `conn` sees it (a change reads back what it wrote before its commit).
async fn load_row_in(conn: &mut sqlx::AnyConnection, id: &str) -> Result<Row, AppError> {
    sqlx::query_as(concat!(select_attachment!(), " WHERE a.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(AppError::NotFound)
}

/// One attachment's metadata (no access check, not audited).
async fn load(state: &AppState, id: &str) -> Result<Attachment, AppError> {
    load_row(state, id).await.map(Attachment::from)
}

/// A case's attachments, by kind, newest examination first; not audited (the caller records
/// the read).
pub(crate) async fn load_all(conn: &mut sqlx::AnyConnection, case_id: &str) -> Result<Vec<Attachment>, AppError> {
    let rows: Vec<Row> = sqlx::query_as(concat!(
        select_attachment!(),
        " WHERE a.case_id = $1 ORDER BY a.examined_on DESC, a.uploaded_at DESC, a.id"
    ))
    .bind(case_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut list: Vec<Attachment> = rows.into_iter().map(Attachment::from).collect();
    list.sort_by_key(|a| a.kind);
    Ok(list)
}

/// A case's attachments (audited as one read).
pub async fn list(state: &AppState, session: &Session, case_id: &str) -> Result<Vec<Attachment>, AppError> {
    access::require_case(state, session, Action::ReadCases, case_id).await?;
    let list = load_all(&mut *state.db.acquire().await?, case_id).await?;
    audit::record(&state.db, &Event::new(&session.actor(), "attachment.list", Outcome::Success).case(case_id)).await?;
    Ok(list)
}

/// One attachment's metadata after the access check of its case (audited).
pub async fn get(state: &AppState, session: &Session, id: &str) -> Result<Attachment, AppError> {
    let a = load(state, id).await?;
    access::require_case(state, session, Action::ReadCases, &a.case_id).await?;
    audit::record(
        &state.db,
        &Event::new(&session.actor(), "attachment.read", Outcome::Success).case(&a.case_id).target(id),
    )
    .await?;
    Ok(a)
}

/// The bytes of an attachment, as a stream of chunks.
pub type Bytes = futures_util::stream::BoxStream<'static, Result<Vec<u8>, std::io::Error>>;

/// Opens an attachment to send it: the access check of its case, 410 when withdrawn, the audit
/// row (durable before the first byte), then the chunks one query at a time. The stream checks
/// the SHA-256 as it goes and ends in an error (the client sees a broken transfer, never wrong
/// bytes presented as right) if what is stored does not match what was uploaded.
/// Gives the attachment, the SHA-256 of the copy sent and its bytes.
pub async fn open(
    state: &AppState,
    session: &Session,
    id: &str,
    copy: Copy,
) -> Result<(Attachment, String, Bytes), AppError> {
    let row = load_row(state, id).await?;
    let (storage, display_sha) = (row.storage.clone(), row.display_sha256.clone());
    let a = Attachment::from(row);
    access::require_case(state, session, Action::ReadCases, &a.case_id).await?;
    if let Some(w) = &a.withdrawn {
        return Err(AppError::Gone {
            message: format!(
                "This document was withdrawn by {} on {}: {}",
                w.by_name,
                w.at.get(..10).unwrap_or(&w.at),
                w.reason
            ),
        });
    }
    let (copy, expected) = match copy {
        Copy::Display if a.display_stripped => (Copy::Display, display_sha),
        _ => (Copy::Original, a.sha256.clone()),
    };
    let raw: Bytes = match storage.as_str() {
        IN_DATABASE => Box::pin(db_chunks(state.db.pool.clone(), id.to_string(), copy)),
        _ => match &state.config.blobs {
            Some(blobs) => blobs.get(id, copy.code()).await.map_err(|e| {
                tracing::error!(attachment = %id, error = %e, "the object store did not give an attachment");
                AppError::Unavailable
            })?,
            None => {
                tracing::error!(attachment = %id, "an attachment is in the object store but TUMORBOARD_BLOB_URL is not set");
                return Err(AppError::Unavailable);
            }
        },
    };
    let action = match copy {
        Copy::Original => "attachment.download",
        Copy::Display => "attachment.view",
    };
    audit::record(&state.db, &Event::new(&session.actor(), action, Outcome::Success).case(&a.case_id).target(id))
        .await?;
    let stream = checked(raw, expected.clone(), id.to_string(), copy);
    Ok((a, expected, stream))
}

/// A copy's chunks from the database, one query each.
fn db_chunks(
    pool: sqlx::AnyPool,
    id: String,
    copy: Copy,
) -> impl futures_util::Stream<Item = Result<Vec<u8>, std::io::Error>> + Send + 'static {
    futures_util::stream::try_unfold((pool, id, 0i64), move |(pool, id, seq)| async move {
        let chunk: Option<Vec<u8>> = sqlx::query_scalar(
            "SELECT data FROM attachment_chunks WHERE attachment_id = $1 AND copy = $2 AND seq = $3",
        )
        .bind(&id)
        .bind(copy.code())
        .bind(seq)
        .fetch_optional(&pool)
        .await
        .map_err(std::io::Error::other)?;
        Ok(chunk.map(|bytes| (bytes, (pool, id, seq + 1))))
    })
}

/// Passes `raw` on and checks, at its end, that what passed hashes to `expected`: if not, the
/// stream ends in an error (the client sees a broken transfer, never wrong bytes as right ones).
fn checked(raw: Bytes, expected: String, id: String, copy: Copy) -> Bytes {
    let state = (raw, Some(Sha256::new()));
    Box::pin(futures_util::stream::try_unfold(state, move |(mut raw, hash)| {
        let (expected, id) = (expected.clone(), id.clone());
        async move {
            use futures_util::StreamExt;
            let Some(mut hash) = hash else { return Ok(None) };
            match raw.next().await {
                Some(Ok(bytes)) => {
                    hash.update(&bytes);
                    Ok(Some((bytes, (raw, Some(hash)))))
                }
                Some(Err(e)) => Err(e),
                None if hex::encode(hash.finalize()) == expected => Ok(None),
                None => {
                    tracing::error!(attachment = %id, copy = copy.code(), "stored bytes do not match their SHA-256");
                    Err(std::io::Error::other("the stored file does not match its SHA-256"))
                }
            }
        }
    }))
}

/// Whether the user may correct or withdraw `a`: its uploader, a coordinator of the board, or
/// a clinician of the specialty that owns it (403, audited, else).
async fn owner_or_refuse(state: &AppState, session: &Session, a: &Attachment, what: &str) -> Result<(), AppError> {
    let me = &session.me;
    let owner = me.id == a.uploaded_by
        || me.role == Role::Coordinator
        || (me.role == Role::Clinician && me.specialty == Some(a.specialty));
    if owner {
        return Ok(());
    }
    let detail = format!("{what} attachment {}: not its uploader, a coordinator or its specialty", a.id);
    access::refuse(state, session, Some(&a.case_id), &detail).await?;
    Err(AppError::Forbidden {
        message: format!(
            "Only the uploader, a coordinator or {} may {what} this document.",
            a.specialty.label().to_lowercase()
        ),
    })
}

/// Withdraws an attachment (a tombstone with a reason); `expected` is the version read
/// (If-Match). Its bytes stay stored but are no longer served.
pub async fn withdraw(
    state: &AppState,
    session: &Session,
    id: &str,
    expected: i64,
    reason: &str,
) -> Result<Attachment, AppError> {
    let a = load(state, id).await?;
    access::require_case(state, session, Action::Attach, &a.case_id).await?;
    owner_or_refuse(state, session, &a, "withdraw").await?;
    let reason = withdrawal_reason(reason)?;
    if a.withdrawn.is_some() {
        return Err(AppError::conflict("This document is already withdrawn."));
    }
    let mut tx = state.db.begin_write().await?;
    let done = sqlx::query(
        "UPDATE attachments SET withdrawn_at = $1, withdrawn_by = $2, withdrawn_reason = $3, version = version + 1 \
         WHERE id = $4 AND version = $5 AND withdrawn_at IS NULL",
    )
    .bind(now_text())
    .bind(&session.me.id)
    .bind(&reason)
    .bind(id)
    .bind(expected)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        let current: i64 =
            sqlx::query_scalar("SELECT version FROM attachments WHERE id = $1").bind(id).fetch_one(&mut *tx).await?;
        return Err(AppError::PreconditionFailed { current });
    }
    audit::append(
        &mut tx,
        state.db.engine,
        &Event::new(&session.actor(), CaseEventKind::AttachmentWithdraw.code(), Outcome::Success)
            .case(&a.case_id)
            .target(id)
            .detail(&reason),
    )
    .await?;
    events::record(&mut tx, state.db.engine, &a.case_id, CaseEventKind::AttachmentWithdraw, id).await?;
    let withdrawn = load_row_in(&mut tx, id).await.map(Attachment::from)?;
    tx.commit().await?;
    state.db.announce(&a.case_id);
    Ok(withdrawn)
}

/// The first attachment kept in the database whose original does not hash to its SHA-256, if
/// any: a restore checks every file it carries before it is used (read one chunk at a time).
pub async fn first_damaged(db: &super::Db) -> Result<Option<String>, sqlx::Error> {
    let all: Vec<(String, String)> =
        sqlx::query_as("SELECT id, sha256 FROM attachments WHERE storage = $1 ORDER BY id")
            .bind(IN_DATABASE)
            .fetch_all(&db.pool)
            .await?;
    for (id, expected) in all {
        use futures_util::TryStreamExt;
        let mut hash = Sha256::new();
        let mut chunks = std::pin::pin!(db_chunks(db.pool.clone(), id.clone(), Copy::Original));
        while let Some(bytes) = chunks.try_next().await.map_err(sqlx::Error::Io)? {
            hash.update(&bytes);
        }
        if hex::encode(hash.finalize()) != expected {
            return Ok(Some(id));
        }
    }
    Ok(None)
}
