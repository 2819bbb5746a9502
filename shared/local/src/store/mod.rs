//! The embedded store: leads, config, counters, run records, suppressions and queues in one
//! SQLite file.
//!
//! One connection behind a `std::sync::Mutex`: every call is a few prepared statements that
//! take microseconds, so a lock held inside an `async fn` (never across an `.await`) costs
//! less than a hop to a blocking thread pool would. WAL with `synchronous = NORMAL` keeps a
//! commit free of fsyncs (a power cut may lose the last commits, never corrupt the file), and
//! the busy timeout lets several processes share the file.
//!
//! Leads are stored as one JSON document plus the columns the access patterns of DESIGN.md
//! query, each with its index; per-stage counts are kept by triggers in the same transaction
//! as the write, so they are exact without a scan. Times in indexed columns are integer
//! nanoseconds since the epoch (clamped outside 1677–2262, which keeps their order).
//!
//! One module per table group: `schema` (the migrations), `leads`, `config` (config history
//! and counters), `runs`, `suppressions` and `queue`; this one opens the file and holds what
//! they share (the connection, transactions, error and value mapping).

mod config;
mod leads;
mod mailbox;
mod queue;
mod runs;
mod schema;
mod suppressions;

pub use schema::SCHEMA_VERSION;

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Connection, ErrorCode, TransactionBehavior};
use sqa_core::ports::{StoreError, StoreResult};
use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

/// How long a write waits for another process's write lock. `sqa run` holds the lock for
/// one batch of at most ten messages at a time (`Queue::begin_batch`); with research over
/// HTTP such a batch can take seconds, and a concurrent `sqa inbound` or `sqa import` should
/// wait for it rather than fail.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// How the queues behave: like an SQS queue with a redrive policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueSettings {
    /// How long a received message stays hidden before it is delivered again.
    pub visibility: Duration,
    /// Receives after which the next receive moves the message to the dead letters.
    pub max_receives: u32,
}

impl Default for QueueSettings {
    fn default() -> Self {
        QueueSettings {
            visibility: Duration::from_secs(30),
            max_receives: 5,
        }
    }
}

/// Every store port on one SQLite database.
pub struct SqliteStore {
    conn: Mutex<Connection>,
    queue: QueueSettings,
}

impl SqliteStore {
    /// Open (or create) the database file at `path`, creating its folder, and bring the schema
    /// up to date.
    pub fn open(path: impl AsRef<Path>) -> StoreResult<Self> {
        let path = path.as_ref();
        Self::create_parent(path)?;
        let conn = Connection::open(path)
            .map_err(|e| db_error(e, &format!("open the database {}", path.display())))?;
        Self::setup(conn, true, false)
    }

    /// Like `open`, for a process that owns the file while it runs (`sqa run`, a benchmark):
    /// the first write locks the file until the store is dropped, which saves the file-lock
    /// system calls of every transaction (a fifth of the time of a small write) but keeps
    /// every other process out, readers included.
    pub fn open_exclusive(path: impl AsRef<Path>) -> StoreResult<Self> {
        let path = path.as_ref();
        Self::create_parent(path)?;
        let conn = Connection::open(path)
            .map_err(|e| db_error(e, &format!("open the database {}", path.display())))?;
        Self::setup(conn, true, true)
    }

    fn create_parent(path: &Path) -> StoreResult<()> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                StoreError::Unexpected(anyhow::Error::new(e).context(format!(
                    "failed to create the folder of the database {}",
                    path.display()
                )))
            })?;
        }
        Ok(())
    }

    /// A private database in memory (tests, dry runs).
    pub fn open_in_memory() -> StoreResult<Self> {
        let conn = Connection::open_in_memory().map_err(|e| db_error(e, "open a database"))?;
        Self::setup(conn, false, false)
    }

    /// The same store with other queue settings.
    pub fn with_queue_settings(mut self, settings: QueueSettings) -> Self {
        self.queue = settings;
        self
    }

    pub fn queue_settings(&self) -> QueueSettings {
        self.queue
    }

    /// The schema version of the database (`SCHEMA_VERSION` once opened by this build).
    pub fn schema_version(&self) -> StoreResult<u32> {
        schema::user_version(&self.conn()).map_err(|e| db_error(e, "read the schema version"))
    }

    fn setup(mut conn: Connection, file: bool, exclusive: bool) -> StoreResult<Self> {
        conn.busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| db_error(e, "set the busy timeout"))?;
        if exclusive {
            // Before WAL is entered, so that SQLite keeps the WAL index in heap memory.
            let mode: String = conn
                .query_row("PRAGMA locking_mode = EXCLUSIVE", [], |r| r.get(0))
                .map_err(|e| db_error(e, "lock the database for this process"))?;
            if !mode.eq_ignore_ascii_case("exclusive") {
                tracing::warn!(mode = %mode, "the database did not switch to exclusive locking");
            }
        }
        if file {
            let mode: String = conn
                .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
                .map_err(|e| db_error(e, "switch to WAL"))?;
            if !mode.eq_ignore_ascii_case("wal") {
                tracing::warn!(mode = %mode, "the database did not switch to WAL");
            }
        }
        // NORMAL: in WAL mode a commit writes the log without an fsync; only checkpoints
        // sync. Checkpointing every 16 MB of log rather than SQLite's 4 MB syncs a quarter as
        // often, and rewrites hot pages (counters, queue index) a quarter as often; the size
        // limit truncates the log after a checkpoint. A 16 MB page cache holds the indexes
        // of a few hundred thousand leads, bounded whatever the store holds.
        conn.execute_batch(
            "PRAGMA synchronous = NORMAL;
             PRAGMA wal_autocheckpoint = 4096;
             PRAGMA journal_size_limit = 67108864;
             PRAGMA cache_size = -16384;",
        )
        .map_err(|e| db_error(e, "tune the connection"))?;
        // Room for every statement of this file (the update has up to 32 shapes), so none is
        // ever prepared twice.
        conn.set_prepared_statement_cache_capacity(128);
        schema::migrate(&mut conn)?;
        Ok(SqliteStore {
            conn: Mutex::new(conn),
            queue: QueueSettings::default(),
        })
    }

    /// The connection. A panic while it was held cannot leave a transaction open (the
    /// `Transaction` rolls back on drop), so a poisoned lock is safe to take over.
    fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A write transaction of its own (IMMEDIATE, so that it never has to upgrade a read lock),
/// or a savepoint when a batch (`Queue::begin_batch`) has one open already.
enum WriteTx<'c> {
    Own(rusqlite::Transaction<'c>),
    InBatch(rusqlite::Savepoint<'c>),
}

fn write_tx(conn: &mut Connection) -> rusqlite::Result<WriteTx<'_>> {
    if conn.is_autocommit() {
        conn.transaction_with_behavior(TransactionBehavior::Immediate)
            .map(WriteTx::Own)
    } else {
        conn.savepoint().map(WriteTx::InBatch)
    }
}

impl WriteTx<'_> {
    fn commit(self) -> rusqlite::Result<()> {
        match self {
            WriteTx::Own(tx) => tx.commit(),
            WriteTx::InBatch(sp) => sp.commit(),
        }
    }
}

impl std::ops::Deref for WriteTx<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        match self {
            WriteTx::Own(tx) => tx,
            WriteTx::InBatch(sp) => sp,
        }
    }
}

/// Map a SQLite error: busy and locked are worth a retry, everything else is unexpected.
fn db_error(e: rusqlite::Error, what: &str) -> StoreError {
    let busy = matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
    );
    let e = anyhow::Error::new(e).context(format!("failed to {what}"));
    if busy {
        StoreError::Transient(e)
    } else {
        StoreError::Unexpected(e)
    }
}

fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _)
        if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
            || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY)
}

/// Nanoseconds since the epoch for an indexed column; clamping keeps the order of dates
/// outside the 584 years an `i64` holds.
fn nanos(t: DateTime<Utc>) -> i64 {
    t.timestamp_nanos_opt().unwrap_or(if t.timestamp() < 0 {
        i64::MIN
    } else {
        i64::MAX
    })
}

fn text_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

fn parse_time(s: &str) -> StoreResult<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Unexpected(anyhow::anyhow!("bad time {s:?} in the store: {e}")))
}

fn sql_limit(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

fn to_json<T: serde::Serialize>(value: &T, what: &str) -> StoreResult<String> {
    serde_json::to_string(value).map_err(|e| {
        StoreError::Unexpected(anyhow::Error::new(e).context(format!("failed to encode {what}")))
    })
}

fn from_json<T: serde::de::DeserializeOwned>(doc: &str, what: &str) -> StoreResult<T> {
    serde_json::from_str(doc).map_err(|e| {
        StoreError::Unexpected(
            anyhow::Error::new(e).context(format!("{what} in the store is not valid")),
        )
    })
}
