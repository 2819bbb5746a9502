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

use async_trait::async_trait;
use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::types::Value;
use rusqlite::{
    Connection, ErrorCode, OptionalExtension, TransactionBehavior, params, params_from_iter,
};
use sqa_core::domain::{Lead, LeadId, Stage};
use sqa_core::lifecycle::Expected;
use sqa_core::ports::{
    ConfigStore, Delivery, LeadFilter, LeadStore, Page, Queue, QueueName, RunLog, RunRecord,
    StoreError, StoreResult, StoredConfig, Suppression, Suppressions,
};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The schema, one migration per entry; `PRAGMA user_version` counts those applied.
/// Append new migrations; never edit one that has shipped.
const MIGRATIONS: &[&str] = &[r#"
CREATE TABLE leads (
    -- Insertion order, and the rowid: every secondary index carries it for free.
    seq           INTEGER PRIMARY KEY,
    id            TEXT    NOT NULL UNIQUE,
    stage         TEXT    NOT NULL,
    version       INTEGER NOT NULL,
    created_at    INTEGER,
    email_key     TEXT    NOT NULL,
    owner         TEXT    NOT NULL,
    next_touch_at INTEGER,
    doc           TEXT    NOT NULL
);
CREATE INDEX leads_stage_created ON leads (stage, created_at, seq);
CREATE INDEX leads_due ON leads (next_touch_at, seq) WHERE next_touch_at IS NOT NULL;
CREATE INDEX leads_email ON leads (email_key, seq);
CREATE INDEX leads_owner ON leads (owner, seq);
CREATE INDEX leads_stage ON leads (stage, seq);

CREATE TABLE stage_counts (
    stage TEXT PRIMARY KEY,
    n     INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TRIGGER leads_count_insert AFTER INSERT ON leads BEGIN
    INSERT OR IGNORE INTO stage_counts (stage, n) VALUES (NEW.stage, 0);
    UPDATE stage_counts SET n = n + 1 WHERE stage = NEW.stage;
END;
CREATE TRIGGER leads_count_update AFTER UPDATE OF stage ON leads
WHEN OLD.stage <> NEW.stage BEGIN
    UPDATE stage_counts SET n = n - 1 WHERE stage = OLD.stage;
    INSERT OR IGNORE INTO stage_counts (stage, n) VALUES (NEW.stage, 0);
    UPDATE stage_counts SET n = n + 1 WHERE stage = NEW.stage;
END;
CREATE TRIGGER leads_count_delete AFTER DELETE ON leads BEGIN
    UPDATE stage_counts SET n = n - 1 WHERE stage = OLD.stage;
END;

CREATE TABLE configs (
    version  INTEGER PRIMARY KEY,
    saved_at TEXT    NOT NULL,
    toml     TEXT    NOT NULL
);

CREATE TABLE counters (
    key   TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE runs (
    seq     INTEGER PRIMARY KEY,
    run_id  TEXT    NOT NULL,
    lead_id TEXT,
    at      INTEGER NOT NULL,
    doc     TEXT    NOT NULL
);
CREATE INDEX runs_lead ON runs (lead_id, at, seq) WHERE lead_id IS NOT NULL;
CREATE INDEX runs_run ON runs (run_id, at, seq);

CREATE TABLE suppressions (
    seq     INTEGER PRIMARY KEY,
    address TEXT NOT NULL UNIQUE,
    reason  TEXT NOT NULL,
    source  TEXT NOT NULL,
    at      TEXT NOT NULL
);

-- AUTOINCREMENT: acknowledged messages are deleted, and an id (and so a receipt) must never
-- be handed out twice.
CREATE TABLE queue_messages (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    queue         TEXT    NOT NULL,
    body          TEXT    NOT NULL,
    sent_at       INTEGER NOT NULL,
    visible_at    INTEGER NOT NULL,
    receive_count INTEGER NOT NULL DEFAULT 0,
    receipt       TEXT
);
CREATE INDEX queue_messages_visible ON queue_messages (queue, visible_at, id);

CREATE TABLE dead_letters (
    seq           INTEGER PRIMARY KEY,
    queue         TEXT    NOT NULL,
    id            INTEGER NOT NULL,
    body          TEXT    NOT NULL,
    receive_count INTEGER NOT NULL,
    sent_at       INTEGER NOT NULL,
    dead_at       INTEGER NOT NULL
);
CREATE INDEX dead_letters_queue ON dead_letters (queue, seq);
"#];

/// How long a write waits for another process's write lock. `sqa run` holds the lock for
/// one batch of at most ten messages at a time (`Queue::begin_batch`); with research over
/// HTTP such a batch can take seconds, and a concurrent `sqa inbound` or `sqa import` should
/// wait for it rather than fail.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

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
        user_version(&self.conn()).map_err(|e| db_error(e, "read the schema version"))
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
        migrate(&mut conn)?;
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

fn user_version(conn: &Connection) -> rusqlite::Result<u32> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
}

/// Apply the migrations the file lacks, each in its own immediate transaction, re-reading the
/// version inside it so that two processes opening a new file at once migrate it once.
fn migrate(conn: &mut Connection) -> StoreResult<()> {
    let found = user_version(conn).map_err(|e| db_error(e, "read the schema version"))?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::Unexpected(anyhow::anyhow!(
            "the database has schema version {found}, newer than this build understands \
             ({SCHEMA_VERSION}); use a newer sqa"
        )));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let target = i as u32 + 1;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| db_error(e, "start a migration"))?;
        let current = user_version(&tx).map_err(|e| db_error(e, "read the schema version"))?;
        if current >= target {
            continue;
        }
        tx.execute_batch(sql)
            .map_err(|e| db_error(e, &format!("apply migration {target}")))?;
        tx.pragma_update(None, "user_version", target)
            .map_err(|e| db_error(e, "record the schema version"))?;
        tx.commit()
            .map_err(|e| db_error(e, &format!("commit migration {target}")))?;
    }
    Ok(())
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

/// The indexed columns of a stored lead, as an update finds them.
struct IndexedColumns {
    stage: String,
    version: i64,
    created_at: Option<i64>,
    email_key: String,
    owner: String,
    next_touch_at: Option<i64>,
}

fn opt_int(v: Option<i64>) -> Value {
    v.map_or(Value::Null, Value::Integer)
}

/// The conflict of an update, with what was found instead when known.
fn conflict(lead: &Lead, expected: Expected, found: Option<(&str, i64)>) -> StoreError {
    let want = format!("{} v{}", expected.stage, expected.version);
    StoreError::Conflict(match found {
        Some((stage, version)) => format!("lead {} is {stage} v{version}, not {want}", lead.id),
        None => format!(
            "lead {} changed while it was written (expected {want})",
            lead.id
        ),
    })
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

/// Milliseconds of the wall clock, for queue visibility (real time, never the domain clock:
/// a demo run at a fixed date must still see its retries come back).
fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
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

fn bad_cursor(c: &str) -> StoreError {
    StoreError::Unexpected(anyhow::anyhow!("malformed page cursor {c:?}"))
}

/// A lead row as read: its seq, its indexed time (created or due) and its JSON document.
/// Documents are decoded after the connection is released: decoding is the slow part.
type RawLead = (i64, Option<i64>, String);

fn lead_rows(
    stmt: &mut rusqlite::CachedStatement<'_>,
    params: impl rusqlite::Params,
    what: &str,
) -> StoreResult<Vec<RawLead>> {
    stmt.query_map(params, |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .and_then(|rows| rows.collect())
        .map_err(|e| db_error(e, what))
}

fn decode_leads(rows: Vec<RawLead>) -> StoreResult<Vec<Lead>> {
    rows.iter()
        .map(|(_, _, doc)| from_json(doc, "a lead"))
        .collect()
}

#[async_trait]
impl LeadStore for SqliteStore {
    async fn insert(&self, lead: &Lead) -> StoreResult<()> {
        let doc = to_json(lead, "the lead")?;
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(
                "INSERT INTO leads (id, stage, version, created_at, email_key, owner, \
                 next_touch_at, doc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )
            .map_err(|e| db_error(e, "prepare the lead insert"))?;
        match stmt.execute(params![
            lead.id.as_str(),
            lead.stage.as_str(),
            lead.version as i64,
            lead.created_at.map(nanos),
            lead.email_key.as_str(),
            lead.owner,
            lead.next_touch_at.map(nanos),
            doc,
        ]) {
            Ok(_) => Ok(()),
            Err(e) if is_unique_violation(&e) => {
                Err(StoreError::Conflict(format!("lead {} exists", lead.id)))
            }
            Err(e) => Err(db_error(e, &format!("insert lead {}", lead.id))),
        }
    }

    async fn get(&self, id: &LeadId) -> StoreResult<Option<Lead>> {
        let doc: Option<String> = {
            let conn = self.conn();
            let mut stmt = conn
                .prepare_cached("SELECT doc FROM leads WHERE id = ?1")
                .map_err(|e| db_error(e, "prepare the lead read"))?;
            stmt.query_row([id.as_str()], |r| r.get(0))
                .optional()
                .map_err(|e| db_error(e, &format!("read lead {id}")))?
        };
        // Decode outside the lock: it is the most expensive part of a read.
        doc.map(|d| from_json(&d, "a lead")).transpose()
    }

    async fn update(&self, lead: &Lead, expected: Expected) -> StoreResult<Lead> {
        let mut new = lead.clone();
        new.version = expected.version + 1;
        let doc = to_json(&new, "the lead")?;
        let what = || format!("update lead {}", lead.id);
        let conn = self.conn();
        let current: Option<IndexedColumns> = conn
            .prepare_cached(
                "SELECT stage, version, created_at, email_key, owner, next_touch_at \
                 FROM leads WHERE id = ?1",
            )
            .and_then(|mut s| {
                s.query_row([lead.id.as_str()], |r| {
                    Ok(IndexedColumns {
                        stage: r.get(0)?,
                        version: r.get(1)?,
                        created_at: r.get(2)?,
                        email_key: r.get(3)?,
                        owner: r.get(4)?,
                        next_touch_at: r.get(5)?,
                    })
                })
                .optional()
            })
            .map_err(|e| db_error(e, &what()))?;
        let Some(current) = current else {
            return Err(StoreError::NotFound(format!("lead {}", lead.id)));
        };
        if current.stage != expected.stage.as_str() || current.version != expected.version as i64 {
            return Err(conflict(
                lead,
                expected,
                Some((&current.stage, current.version)),
            ));
        }
        // SQLite rewrites every index on a column named in SET, changed or not; naming only the
        // columns that changed saves a third of the pages an update writes.
        let mut sql = String::from("UPDATE leads SET version = ?1, doc = ?2");
        let mut values: Vec<Value> = vec![Value::Integer(new.version as i64), Value::Text(doc)];
        let mut set = |column: &str, old: Value, new: Value| {
            if old != new {
                values.push(new);
                sql.push_str(&format!(", {column} = ?{}", values.len()));
            }
        };
        set(
            "stage",
            Value::Text(current.stage),
            Value::Text(new.stage.as_str().into()),
        );
        set(
            "created_at",
            opt_int(current.created_at),
            opt_int(new.created_at.map(nanos)),
        );
        set(
            "email_key",
            Value::Text(current.email_key),
            Value::Text(new.email_key.to_string()),
        );
        set(
            "owner",
            Value::Text(current.owner),
            Value::Text(new.owner.clone()),
        );
        set(
            "next_touch_at",
            opt_int(current.next_touch_at),
            opt_int(new.next_touch_at.map(nanos)),
        );
        let n = values.len();
        // The stage and version are checked again in the write itself: another process may
        // have written the lead since the read above.
        sql.push_str(&format!(
            " WHERE id = ?{} AND stage = ?{} AND version = ?{}",
            n + 1,
            n + 2,
            n + 3
        ));
        values.push(Value::Text(new.id.as_str().into()));
        values.push(Value::Text(expected.stage.as_str().into()));
        values.push(Value::Integer(expected.version as i64));
        let changed = conn
            .prepare_cached(&sql)
            .and_then(|mut s| s.execute(params_from_iter(values)))
            .map_err(|e| db_error(e, &what()))?;
        if changed == 1 {
            Ok(new)
        } else {
            Err(conflict(lead, expected, None))
        }
    }

    async fn created_between(
        &self,
        stage: Stage,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        cursor: Option<String>,
        limit: usize,
    ) -> StoreResult<Page<Lead>> {
        // The cursor is the (created_at, seq) of the last lead returned; without one, (from, 0)
        // admits every lead created at `from`, since seq starts at 1.
        let (after_t, after_seq) = match &cursor {
            None => (nanos(from), 0),
            Some(c) => {
                let (t, s) = c.split_once(':').ok_or_else(|| bad_cursor(c))?;
                let t: i64 = t.parse().map_err(|_| bad_cursor(c))?;
                let s: i64 = s.parse().map_err(|_| bad_cursor(c))?;
                if t < nanos(from) {
                    (nanos(from), 0)
                } else {
                    (t, s)
                }
            }
        };
        if limit == 0 {
            return Ok(Page {
                items: Vec::new(),
                next: None,
            });
        }
        let fetch = limit.saturating_add(1);
        let what = "list leads created between two times";
        // Two seeks on (stage, created_at, seq): the rest of the leads created at the cursor's
        // time, then the later ones. A single row-value condition would let SQLite seek on
        // created_at only and rescan every tie on every page: imported dates tie often.
        let mut rows = {
            let conn = self.conn();
            let mut ties = conn
                .prepare_cached(
                    "SELECT seq, created_at, doc FROM leads \
                     WHERE stage = ?1 AND created_at = ?2 AND seq > ?3 ORDER BY seq LIMIT ?4",
                )
                .map_err(|e| db_error(e, what))?;
            let mut rows = if after_t <= nanos(to) {
                lead_rows(
                    &mut ties,
                    params![stage.as_str(), after_t, after_seq, sql_limit(fetch)],
                    what,
                )?
            } else {
                Vec::new()
            };
            if rows.len() < fetch {
                let mut later = conn
                    .prepare_cached(
                        "SELECT seq, created_at, doc FROM leads \
                         WHERE stage = ?1 AND created_at > ?2 AND created_at <= ?3 \
                         ORDER BY created_at, seq LIMIT ?4",
                    )
                    .map_err(|e| db_error(e, what))?;
                rows.extend(lead_rows(
                    &mut later,
                    params![
                        stage.as_str(),
                        after_t,
                        nanos(to),
                        sql_limit(fetch - rows.len())
                    ],
                    what,
                )?);
            }
            rows
        };
        rows.truncate(fetch);
        page(rows, limit, |(seq, created, _)| {
            format!("{}:{seq}", created.unwrap_or_default())
        })
    }

    async fn due_before(&self, now: DateTime<Utc>, limit: usize) -> StoreResult<Vec<Lead>> {
        let rows = {
            let conn = self.conn();
            let mut stmt = conn
                .prepare_cached(
                    "SELECT seq, next_touch_at, doc FROM leads \
                     WHERE next_touch_at <= ?1 ORDER BY next_touch_at, seq LIMIT ?2",
                )
                .map_err(|e| db_error(e, "prepare due_before"))?;
            lead_rows(
                &mut stmt,
                params![nanos(now), sql_limit(limit)],
                "list due leads",
            )?
        };
        decode_leads(rows)
    }

    async fn find_by_email(&self, key: &str) -> StoreResult<Vec<LeadId>> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached("SELECT id FROM leads WHERE email_key = ?1 ORDER BY seq")
            .map_err(|e| db_error(e, "prepare find_by_email"))?;
        let ids = stmt
            .query_map([key], |r| r.get::<_, String>(0))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<String>>>())
            .map_err(|e| db_error(e, "find leads by address"))?;
        ids.iter()
            .map(|s| {
                LeadId::parse(s).map_err(|e| {
                    StoreError::Unexpected(anyhow::anyhow!("bad lead id in the store: {e}"))
                })
            })
            .collect()
    }

    async fn list(
        &self,
        filter: &LeadFilter,
        cursor: Option<String>,
        limit: usize,
    ) -> StoreResult<Page<Lead>> {
        // The cursor is the seq of the last lead returned; pages go newest first.
        let before = match &cursor {
            None => i64::MAX,
            Some(c) => c.parse::<i64>().map_err(|_| bad_cursor(c))?,
        };
        if limit == 0 {
            return Ok(Page {
                items: Vec::new(),
                next: None,
            });
        }
        let fetch = sql_limit(limit.saturating_add(1));
        // One statement per filter shape, so that each uses its own index.
        let rows = {
            let conn = self.conn();
            let what = "list leads";
            match (&filter.stage, &filter.owner) {
                (None, None) => {
                    let mut s = conn
                        .prepare_cached(
                            "SELECT seq, created_at, doc FROM leads WHERE seq < ?1 \
                             ORDER BY seq DESC LIMIT ?2",
                        )
                        .map_err(|e| db_error(e, what))?;
                    lead_rows(&mut s, params![before, fetch], what)?
                }
                (Some(stage), None) => {
                    let mut s = conn
                        .prepare_cached(
                            "SELECT seq, created_at, doc FROM leads WHERE stage = ?1 AND seq < ?2 \
                             ORDER BY seq DESC LIMIT ?3",
                        )
                        .map_err(|e| db_error(e, what))?;
                    lead_rows(&mut s, params![stage.as_str(), before, fetch], what)?
                }
                (None, Some(owner)) => {
                    let mut s = conn
                        .prepare_cached(
                            "SELECT seq, created_at, doc FROM leads WHERE owner = ?1 AND seq < ?2 \
                             ORDER BY seq DESC LIMIT ?3",
                        )
                        .map_err(|e| db_error(e, what))?;
                    lead_rows(&mut s, params![owner, before, fetch], what)?
                }
                (Some(stage), Some(owner)) => {
                    let mut s = conn
                        .prepare_cached(
                            "SELECT seq, created_at, doc FROM leads \
                             WHERE owner = ?1 AND stage = ?2 AND seq < ?3 \
                             ORDER BY seq DESC LIMIT ?4",
                        )
                        .map_err(|e| db_error(e, what))?;
                    lead_rows(&mut s, params![owner, stage.as_str(), before, fetch], what)?
                }
            }
        };
        page(rows, limit, |(seq, _, _)| seq.to_string())
    }

    async fn count_by_stage(&self) -> StoreResult<BTreeMap<Stage, u64>> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached("SELECT stage, n FROM stage_counts WHERE n > 0")
            .map_err(|e| db_error(e, "prepare count_by_stage"))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| db_error(e, "count leads by stage"))?;
        rows.into_iter()
            .map(|(s, n)| {
                let stage = Stage::parse(&s).ok_or_else(|| {
                    StoreError::Unexpected(anyhow::anyhow!("unknown stage {s:?} in the store"))
                })?;
                Ok((stage, u64::try_from(n).unwrap_or(0)))
            })
            .collect()
    }
}

/// Cut `rows` (fetched with one extra row) to a page; the cursor points at the last row kept
/// and is only given when a row follows it.
fn page(
    mut rows: Vec<RawLead>,
    limit: usize,
    cursor: impl Fn(&RawLead) -> String,
) -> StoreResult<Page<Lead>> {
    let next = if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(cursor)
    } else {
        None
    };
    Ok(Page {
        items: decode_leads(rows)?,
        next,
    })
}

#[async_trait]
impl ConfigStore for SqliteStore {
    async fn save(&self, toml: &str, expected_version: u64, at: DateTime<Utc>) -> StoreResult<u64> {
        let version = expected_version + 1;
        let conn = self.conn();
        // One statement checks and writes, so no other writer can slip in between; the
        // primary key refuses a second writer of the same version.
        let inserted = conn
            .prepare_cached(
                "INSERT INTO configs (version, saved_at, toml) \
                 SELECT ?1, ?2, ?3 WHERE (SELECT COALESCE(MAX(version), 0) FROM configs) = ?4",
            )
            .and_then(|mut s| {
                s.execute(params![
                    version as i64,
                    text_time(at),
                    toml,
                    expected_version as i64
                ])
            });
        match inserted {
            Ok(1) => Ok(version),
            Ok(_) => Err(StoreError::Conflict(format!(
                "the active config is not version {expected_version}"
            ))),
            Err(e) if is_unique_violation(&e) => Err(StoreError::Conflict(format!(
                "config version {version} was saved by someone else"
            ))),
            Err(e) => Err(db_error(e, "save the config")),
        }
    }

    async fn active(&self) -> StoreResult<Option<StoredConfig>> {
        let conn = self.conn();
        let row: Option<(i64, String, String)> = conn
            .prepare_cached(
                "SELECT version, saved_at, toml FROM configs ORDER BY version DESC LIMIT 1",
            )
            .and_then(|mut s| {
                s.query_row([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                    .optional()
            })
            .map_err(|e| db_error(e, "read the active config"))?;
        row.map(stored_config).transpose()
    }

    async fn history(&self) -> StoreResult<Vec<StoredConfig>> {
        let conn = self.conn();
        let rows: Vec<(i64, String, String)> = conn
            .prepare_cached("SELECT version, saved_at, toml FROM configs ORDER BY version")
            .and_then(|mut s| {
                s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                    .collect()
            })
            .map_err(|e| db_error(e, "read the config history"))?;
        rows.into_iter().map(stored_config).collect()
    }

    async fn next_in_sequence(&self, key: &str) -> StoreResult<u64> {
        let conn = self.conn();
        let value: i64 = conn
            .prepare_cached(
                "INSERT INTO counters (key, value) VALUES (?1, 1) \
                 ON CONFLICT (key) DO UPDATE SET value = value + 1 RETURNING value - 1",
            )
            .and_then(|mut s| s.query_row([key], |r| r.get(0)))
            .map_err(|e| db_error(e, &format!("advance the counter {key}")))?;
        Ok(u64::try_from(value).unwrap_or(0))
    }
}

fn stored_config((version, saved_at, toml): (i64, String, String)) -> StoreResult<StoredConfig> {
    Ok(StoredConfig {
        version: u64::try_from(version).unwrap_or(0),
        saved_at: parse_time(&saved_at)?,
        toml,
    })
}

impl SqliteStore {
    fn runs_where(&self, sql: &str, key: &str, what: &str) -> StoreResult<Vec<RunRecord>> {
        let docs: Vec<String> = {
            let conn = self.conn();
            conn.prepare_cached(sql)
                .and_then(|mut s| s.query_map([key], |r| r.get(0))?.collect())
                .map_err(|e| db_error(e, what))?
        };
        docs.iter().map(|d| from_json(d, "a run record")).collect()
    }
}

#[async_trait]
impl RunLog for SqliteStore {
    async fn append(&self, record: &RunRecord) -> StoreResult<()> {
        let doc = to_json(record, "the run record")?;
        let conn = self.conn();
        conn.prepare_cached("INSERT INTO runs (run_id, lead_id, at, doc) VALUES (?1, ?2, ?3, ?4)")
            .and_then(|mut s| {
                s.execute(params![
                    record.run_id,
                    record.lead_id.as_ref().map(LeadId::as_str),
                    nanos(record.at),
                    doc
                ])
            })
            .map_err(|e| db_error(e, "append a run record"))?;
        Ok(())
    }

    async fn for_lead(&self, id: &LeadId) -> StoreResult<Vec<RunRecord>> {
        self.runs_where(
            "SELECT doc FROM runs WHERE lead_id = ?1 ORDER BY at, seq",
            id.as_str(),
            "read the run records of a lead",
        )
    }

    async fn for_run(&self, run_id: &str) -> StoreResult<Vec<RunRecord>> {
        self.runs_where(
            "SELECT doc FROM runs WHERE run_id = ?1 ORDER BY at, seq",
            run_id,
            "read the records of a run",
        )
    }
}

#[async_trait]
impl Suppressions for SqliteStore {
    async fn add(&self, entry: &Suppression) -> StoreResult<()> {
        let conn = self.conn();
        // DO NOTHING keeps the first entry: the consent log records when it started.
        conn.prepare_cached(
            "INSERT INTO suppressions (address, reason, source, at) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (address) DO NOTHING",
        )
        .and_then(|mut s| {
            s.execute(params![
                entry.address.to_lowercase(),
                entry.reason,
                entry.source,
                text_time(entry.at)
            ])
        })
        .map_err(|e| db_error(e, "add a suppression"))?;
        Ok(())
    }

    async fn get(&self, address: &str) -> StoreResult<Option<Suppression>> {
        let conn = self.conn();
        let row: Option<(String, String, String, String)> = conn
            .prepare_cached(
                "SELECT address, reason, source, at FROM suppressions WHERE address = ?1",
            )
            .and_then(|mut s| {
                s.query_row([address.to_lowercase()], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })
                .optional()
            })
            .map_err(|e| db_error(e, "read a suppression"))?;
        row.map(suppression).transpose()
    }

    async fn list(&self) -> StoreResult<Vec<Suppression>> {
        let conn = self.conn();
        let rows: Vec<(String, String, String, String)> = conn
            .prepare_cached("SELECT address, reason, source, at FROM suppressions ORDER BY seq")
            .and_then(|mut s| {
                s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
                    .collect()
            })
            .map_err(|e| db_error(e, "list suppressions"))?;
        rows.into_iter().map(suppression).collect()
    }
}

fn suppression(
    (address, reason, source, at): (String, String, String, String),
) -> StoreResult<Suppression> {
    Ok(Suppression {
        address,
        reason,
        source,
        at: parse_time(&at)?,
    })
}

/// Receipts are `{id}.{receive_count}`: unique per receive, since ids are never reused.
fn receipt_id(receipt: &str) -> StoreResult<i64> {
    receipt
        .split_once('.')
        .and_then(|(id, _)| id.parse().ok())
        .ok_or_else(|| StoreError::Unexpected(anyhow::anyhow!("malformed receipt {receipt:?}")))
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

#[async_trait]
impl Queue for SqliteStore {
    async fn send(&self, queue: QueueName, bodies: &[String]) -> StoreResult<()> {
        if bodies.is_empty() {
            return Ok(());
        }
        let now = now_ms();
        let mut conn = self.conn();
        let insert = "INSERT INTO queue_messages (queue, body, sent_at, visible_at) \
                      VALUES (?1, ?2, ?3, ?3)";
        if let [body] = bodies {
            // The common case, one next stage per message: a statement is its own transaction.
            conn.prepare_cached(insert)
                .and_then(|mut s| s.execute(params![queue.as_str(), body, now]))
                .map_err(|e| db_error(e, &format!("enqueue on {}", queue.as_str())))?;
            return Ok(());
        }
        // One transaction for the batch: one commit instead of one per body.
        let tx = write_tx(&mut conn).map_err(|e| db_error(e, "start a send"))?;
        {
            let mut stmt = tx
                .prepare_cached(insert)
                .map_err(|e| db_error(e, "prepare a send"))?;
            for body in bodies {
                stmt.execute(params![queue.as_str(), body, now])
                    .map_err(|e| db_error(e, &format!("enqueue on {}", queue.as_str())))?;
            }
        }
        tx.commit().map_err(|e| db_error(e, "commit a send"))
    }

    async fn receive(&self, queue: QueueName, max: usize) -> StoreResult<Vec<Delivery>> {
        if max == 0 {
            return Ok(Vec::new());
        }
        let now = now_ms();
        let hidden_until = now.saturating_add(millis(self.queue.visibility));
        let max_receives = i64::from(self.queue.max_receives);
        let what = "receive messages";
        let mut conn = self.conn();
        // Workers poll empty queues often: answer those from a read, without taking the
        // write lock that the transaction below needs.
        let any: Option<i64> = conn
            .prepare_cached(
                "SELECT id FROM queue_messages WHERE queue = ?1 AND visible_at <= ?2 LIMIT 1",
            )
            .and_then(|mut s| {
                s.query_row(params![queue.as_str(), now], |r| r.get(0))
                    .optional()
            })
            .map_err(|e| db_error(e, what))?;
        if any.is_none() {
            return Ok(Vec::new());
        }
        let tx = write_tx(&mut conn).map_err(|e| db_error(e, what))?;
        let mut out = Vec::new();
        {
            let mut select = tx
                .prepare_cached(
                    "SELECT id, body, receive_count FROM queue_messages \
                     WHERE queue = ?1 AND visible_at <= ?2 ORDER BY visible_at, id LIMIT ?3",
                )
                .map_err(|e| db_error(e, what))?;
            let mut hide = tx
                .prepare_cached(
                    "UPDATE queue_messages SET receive_count = ?2, visible_at = ?3, receipt = ?4 \
                     WHERE id = ?1",
                )
                .map_err(|e| db_error(e, what))?;
            let mut bury = tx
                .prepare_cached(
                    "INSERT INTO dead_letters (queue, id, body, receive_count, sent_at, dead_at) \
                     SELECT queue, id, body, receive_count, sent_at, ?2 FROM queue_messages \
                     WHERE id = ?1",
                )
                .map_err(|e| db_error(e, what))?;
            let mut remove = tx
                .prepare_cached("DELETE FROM queue_messages WHERE id = ?1")
                .map_err(|e| db_error(e, what))?;
            // Candidates that turn out to be dead letters leave the queue, so each round
            // either fills the answer or shrinks the visible set: the loop ends.
            while out.len() < max {
                let candidates: Vec<(i64, String, i64)> = select
                    .query_map(
                        params![queue.as_str(), now, sql_limit(max - out.len())],
                        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                    )
                    .and_then(|rows| rows.collect())
                    .map_err(|e| db_error(e, what))?;
                if candidates.is_empty() {
                    break;
                }
                for (id, body, count) in candidates {
                    if count >= max_receives {
                        bury.execute(params![id, now])
                            .map_err(|e| db_error(e, "move a message to the dead letters"))?;
                        remove
                            .execute([id])
                            .map_err(|e| db_error(e, "move a message to the dead letters"))?;
                        tracing::warn!(
                            queue = queue.as_str(),
                            message_id = id,
                            receives = count,
                            "message moved to the dead letters"
                        );
                        continue;
                    }
                    let count = count + 1;
                    let receipt = format!("{id}.{count}");
                    hide.execute(params![id, count, hidden_until, receipt])
                        .map_err(|e| db_error(e, what))?;
                    out.push(Delivery {
                        id: id.to_string(),
                        receipt,
                        body,
                        receive_count: u32::try_from(count).unwrap_or(u32::MAX),
                    });
                }
            }
        }
        tx.commit().map_err(|e| db_error(e, what))?;
        Ok(out)
    }

    async fn ack(&self, queue: QueueName, receipt: &str) -> StoreResult<()> {
        let id = receipt_id(receipt)?;
        let conn = self.conn();
        // Matching the receipt makes a stale one (the message was received again since) a
        // no-op, as is a second ack: both are what idempotence asks for.
        conn.prepare_cached(
            "DELETE FROM queue_messages WHERE id = ?1 AND queue = ?2 AND receipt = ?3",
        )
        .and_then(|mut s| s.execute(params![id, queue.as_str(), receipt]))
        .map_err(|e| db_error(e, "acknowledge a message"))?;
        Ok(())
    }

    async fn retry_later(
        &self,
        queue: QueueName,
        receipt: &str,
        delay_secs: u32,
    ) -> StoreResult<()> {
        let id = receipt_id(receipt)?;
        let visible_at = now_ms().saturating_add(i64::from(delay_secs) * 1000);
        let conn = self.conn();
        conn.prepare_cached(
            "UPDATE queue_messages SET visible_at = ?1 WHERE id = ?2 AND queue = ?3 AND receipt = ?4",
        )
        .and_then(|mut s| s.execute(params![visible_at, id, queue.as_str(), receipt]))
        .map_err(|e| db_error(e, "delay a message"))?;
        Ok(())
    }

    async fn begin_batch(&self) -> StoreResult<()> {
        let conn = self.conn();
        if conn.is_autocommit() {
            // IMMEDIATE: take the write lock now, so that no other writer can make this
            // transaction fail half way; other processes wait (busy timeout) for the commit.
            conn.execute_batch("BEGIN IMMEDIATE")
                .map_err(|e| db_error(e, "start a batch"))?;
        }
        Ok(())
    }

    async fn end_batch(&self) -> StoreResult<()> {
        let conn = self.conn();
        if conn.is_autocommit() {
            return Ok(());
        }
        conn.execute_batch("COMMIT").map_err(|e| {
            // A failed COMMIT may leave the transaction open: close it, so that the next
            // batch does not silently join this one.
            let _ = conn.execute_batch("ROLLBACK");
            db_error(e, "commit a batch")
        })
    }

    async fn dead_letters(&self, queue: QueueName) -> StoreResult<Vec<Delivery>> {
        let conn = self.conn();
        let rows: Vec<(i64, i64, String, i64)> = conn
            .prepare_cached(
                "SELECT seq, id, body, receive_count FROM dead_letters WHERE queue = ?1 \
                 ORDER BY seq",
            )
            .and_then(|mut s| {
                s.query_map([queue.as_str()], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })?
                .collect()
            })
            .map_err(|e| db_error(e, "read the dead letters"))?;
        Ok(rows
            .into_iter()
            .map(|(seq, id, body, count)| Delivery {
                id: id.to_string(),
                receipt: format!("dead.{seq}"),
                body,
                receive_count: u32::try_from(count).unwrap_or(u32::MAX),
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(store: &SqliteStore, sql: &str) -> String {
        let conn = store.conn();
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let rows: Vec<String> = stmt
            .query_map([], |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        rows.join("; ")
    }

    #[test]
    fn every_lead_query_uses_an_index_and_no_scan() {
        let store = SqliteStore::open_in_memory().unwrap();
        for sql in [
            "SELECT seq, created_at, doc FROM leads WHERE stage = 'new' AND created_at = 1 \
             AND seq > 7 ORDER BY seq LIMIT 5",
            "SELECT seq, created_at, doc FROM leads WHERE stage = 'new' AND created_at > 1 \
             AND created_at <= 9 ORDER BY created_at, seq LIMIT 5",
            "SELECT stage, version, created_at, email_key, owner, next_touch_at \
             FROM leads WHERE id = 'a'",
            "SELECT seq, next_touch_at, doc FROM leads WHERE next_touch_at <= 5 \
             ORDER BY next_touch_at, seq LIMIT 5",
            "SELECT id FROM leads WHERE email_key = 'a' ORDER BY seq",
            "SELECT seq, created_at, doc FROM leads WHERE owner = 'a' AND seq < 9 \
             ORDER BY seq DESC LIMIT 3",
            "SELECT seq, created_at, doc FROM leads WHERE stage = 'new' AND seq < 9 \
             ORDER BY seq DESC LIMIT 3",
            "SELECT doc FROM runs WHERE lead_id = 'a' ORDER BY at, seq",
            "SELECT doc FROM runs WHERE run_id = 'a' ORDER BY at, seq",
            "SELECT id, body, receive_count FROM queue_messages WHERE queue = 'validate' \
             AND visible_at <= 5 ORDER BY visible_at, id LIMIT 10",
        ] {
            let p = plan(&store, sql);
            assert!(p.contains("USING"), "{sql}\n→ {p}");
            assert!(!p.contains("TEMP B-TREE"), "sorts in memory: {sql}\n→ {p}");
            assert!(!p.starts_with("SCAN leads"), "scans: {sql}\n→ {p}");
        }
    }

    fn visible_messages(store: &SqliteStore) -> i64 {
        store
            .conn()
            .query_row("SELECT count(*) FROM queue_messages", [], |r| r.get(0))
            .unwrap()
    }

    #[tokio::test]
    async fn a_batch_is_one_commit_that_other_connections_see_only_at_its_end() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sqa.db");
        let runner = SqliteStore::open(&path).unwrap();
        let other = SqliteStore::open(&path).unwrap();
        let bodies = vec!["a".to_string(), "b".to_string()];

        runner.begin_batch().await.unwrap();
        // Inside the batch, send and receive take savepoints rather than failing to start
        // a transaction of their own.
        runner.send(QueueName::Validate, &bodies).await.unwrap();
        let got = runner.receive(QueueName::Validate, 10).await.unwrap();
        assert_eq!(got.len(), 2);
        runner
            .ack(QueueName::Validate, &got[0].receipt)
            .await
            .unwrap();
        assert_eq!(
            visible_messages(&runner),
            1,
            "the batch sees its own writes"
        );
        assert_eq!(
            visible_messages(&other),
            0,
            "nothing is committed before end_batch"
        );
        runner.end_batch().await.unwrap();
        assert_eq!(visible_messages(&other), 1);

        // end_batch without a batch, and a second batch, work as well.
        runner.end_batch().await.unwrap();
        runner.begin_batch().await.unwrap();
        runner
            .ack(QueueName::Validate, &got[1].receipt)
            .await
            .unwrap();
        runner.end_batch().await.unwrap();
        assert_eq!(visible_messages(&other), 0);
    }

    #[tokio::test]
    async fn a_batch_lost_before_its_commit_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sqa.db");
        {
            let runner = SqliteStore::open(&path).unwrap();
            runner
                .send(QueueName::Research, &["kept".to_string()])
                .await
                .unwrap();
            runner.begin_batch().await.unwrap();
            let got = runner.receive(QueueName::Research, 10).await.unwrap();
            runner
                .ack(QueueName::Research, &got[0].receipt)
                .await
                .unwrap();
            runner
                .send(QueueName::Outreach, &["lost".to_string()])
                .await
                .unwrap();
            // The process dies here: the connection closes with the batch open.
        }
        let after = SqliteStore::open(&path).unwrap();
        let again = after.receive(QueueName::Research, 10).await.unwrap();
        assert_eq!(again.len(), 1, "the message of the lost batch comes back");
        assert_eq!(again[0].body, "kept");
        assert!(
            after
                .receive(QueueName::Outreach, 10)
                .await
                .unwrap()
                .is_empty()
        );
    }
}
