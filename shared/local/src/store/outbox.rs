//! The send record of the `.eml` outbox (`sent_mail`), and its delivery after commit.
//!
//! A message is first written to `{outbox}.staging/{name}.eml` (a folder beside the outbox,
//! on the same file system, which a relay reading the outbox never sees) and recorded in
//! `sent_mail`
//! in the same transaction as the stage's other writes (the runner's batch, or a transaction
//! of its own); only after that transaction commits is it renamed to `{outbox}/{name}.eml`,
//! where a relay may take it. So:
//!
//! - the store, not the outbox, says whether a message was sent: a message whose record is
//!   there is never written again, whatever a relay did to the outbox;
//! - a transaction lost in a crash leaves only a staged file, which is deleted at the next
//!   start (the messages of the lost batch come back and are sent then, once);
//! - a crash between the commit and the rename leaves a staged file with its record, which
//!   is delivered at the next start.
//!
//! The rename is atomic, so a staged file exists exactly as long as its message is not
//! delivered. Every staged file is written while its writer holds the database's write lock,
//! and `recover_outbox` takes that lock too: it never sees the staged file of a transaction
//! still open in another process.

use super::{SqliteStore, db_error, write_tx};
use sqa_core::ports::{StoreError, StoreResult};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// The folder of staged messages: beside the outbox (`outbox` → `outbox.staging`), so that
/// a relay or a script reading the outbox never meets it, and on the same file system, so
/// that moving a message in is an atomic rename.
pub fn staging_dir(outbox: &Path) -> PathBuf {
    let mut name = outbox
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_else(|| "outbox".into());
    name.push(".staging");
    outbox.with_file_name(name)
}

/// A staged message waiting for its transaction's commit.
#[derive(Debug)]
pub(super) struct Staged {
    staged: PathBuf,
    target: PathBuf,
}

/// What `recover_outbox` found at start.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct OutboxRecovery {
    /// Staged messages whose transaction had committed: delivered now.
    pub delivered: usize,
    /// Staged messages of transactions lost in a crash, and temporary files: deleted.
    pub removed: usize,
}

fn io_error(e: std::io::Error, what: String) -> StoreError {
    StoreError::Unexpected(anyhow::Error::new(e).context(what))
}

impl SqliteStore {
    /// Record the message `name` (its file name without `.eml`) as sent and stage its bytes,
    /// in the open batch or in a transaction of its own; the message is delivered to
    /// `outbox` when that transaction commits. Returns `false`, writing nothing, when the
    /// store records it as sent already.
    pub fn send_mail(
        &self,
        outbox: &Path,
        name: &str,
        message_id: &str,
        raw: &[u8],
    ) -> StoreResult<bool> {
        let staging = staging_dir(outbox);
        let file = format!("{name}.eml");
        let staged = staging.join(&file);
        let target = outbox.join(&file);
        let mut conn = self.conn();
        let tx = write_tx(&mut conn).map_err(|e| db_error(e, "start a send"))?;
        let in_batch = matches!(tx, super::WriteTx::InBatch(_));
        let sent: Option<i64> = {
            use rusqlite::OptionalExtension;
            tx.prepare_cached("SELECT 1 FROM sent_mail WHERE file = ?1")
                .and_then(|mut s| s.query_row([name], |r| r.get(0)).optional())
                .map_err(|e| db_error(e, "read the send record"))?
        };
        if sent.is_some() {
            return Ok(false);
        }
        let write = || -> std::io::Result<()> {
            std::fs::create_dir_all(outbox)?;
            std::fs::create_dir_all(&staging)?;
            let mut f = std::fs::File::create(&staged)?;
            f.write_all(raw)?;
            f.flush()
        };
        write().map_err(|e| io_error(e, format!("failed to stage {}", staged.display())))?;
        let at = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        let recorded = tx
            .prepare_cached("INSERT INTO sent_mail (file, message_id, sent_at) VALUES (?1, ?2, ?3)")
            .and_then(|mut s| s.execute(rusqlite::params![name, message_id, at]))
            .map_err(|e| db_error(e, "record a send"))
            .and_then(|_| tx.commit().map_err(|e| db_error(e, "commit a send")));
        if let Err(e) = recorded {
            let _ = std::fs::remove_file(&staged);
            return Err(e);
        }
        let one = Staged { staged, target };
        if in_batch {
            self.staged_mail().push(one);
            Ok(true)
        } else {
            drop(conn);
            deliver(&one)?;
            Ok(true)
        }
    }

    /// Whether the store records the message `name` as sent.
    pub fn mail_sent(&self, name: &str) -> StoreResult<bool> {
        use rusqlite::OptionalExtension;
        let conn = self.conn();
        let found: Option<i64> = conn
            .prepare_cached("SELECT 1 FROM sent_mail WHERE file = ?1")
            .and_then(|mut s| s.query_row([name], |r| r.get(0)).optional())
            .map_err(|e| db_error(e, "read the send record"))?;
        Ok(found.is_some())
    }

    /// How many messages the store records as sent.
    pub fn mail_sent_count(&self) -> StoreResult<u64> {
        let conn = self.conn();
        conn.query_row("SELECT count(*) FROM sent_mail", [], |r| r.get::<_, i64>(0))
            .map(|n| u64::try_from(n).unwrap_or(0))
            .map_err(|e| db_error(e, "count the send records"))
    }

    /// At start: deliver the staged messages whose transaction committed, delete those of
    /// transactions a crash lost, and delete temporary files a killed writer left in the
    /// outbox. Takes the database's write lock while it looks (see the module comment).
    pub fn recover_outbox(&self, outbox: &Path) -> StoreResult<OutboxRecovery> {
        let mut report = OutboxRecovery::default();
        // Temporary files of earlier versions, which wrote next to the messages.
        if let Ok(entries) = std::fs::read_dir(outbox) {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.starts_with('.')
                    && name.ends_with(".tmp")
                    && entry.file_type().is_ok_and(|t| t.is_file())
                    && std::fs::remove_file(entry.path()).is_ok()
                {
                    report.removed += 1;
                }
            }
        }
        let staging = staging_dir(outbox);
        let names = |dir: &Path| -> Vec<String> {
            std::fs::read_dir(dir)
                .map(|entries| {
                    entries
                        .flatten()
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .collect()
                })
                .unwrap_or_default()
        };
        if names(&staging).is_empty() {
            return Ok(report);
        }
        let mut conn = self.conn();
        if !conn.is_autocommit() {
            // A batch of this process is open: its staged files are its own.
            return Ok(report);
        }
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| db_error(e, "lock the database to recover the outbox"))?;
        for file in names(&staging) {
            let path = staging.join(&file);
            let Some(name) = file.strip_suffix(".eml") else {
                if std::fs::remove_file(&path).is_ok() {
                    report.removed += 1;
                }
                continue;
            };
            let sent: Option<i64> = {
                use rusqlite::OptionalExtension;
                tx.prepare_cached("SELECT 1 FROM sent_mail WHERE file = ?1")
                    .and_then(|mut s| s.query_row([name], |r| r.get(0)).optional())
                    .map_err(|e| db_error(e, "read the send record"))?
            };
            if sent.is_some() {
                deliver(&Staged {
                    staged: path,
                    target: outbox.join(&file),
                })?;
                report.delivered += 1;
            } else {
                std::fs::remove_file(&path)
                    .map_err(|e| io_error(e, format!("failed to remove {}", path.display())))?;
                report.removed += 1;
            }
        }
        tx.commit()
            .map_err(|e| db_error(e, "unlock the database after recovering the outbox"))?;
        if report != OutboxRecovery::default() {
            tracing::info!(
                delivered = report.delivered,
                removed = report.removed,
                "outbox recovered after an interrupted run"
            );
        }
        Ok(report)
    }

    fn staged_mail(&self) -> std::sync::MutexGuard<'_, Vec<Staged>> {
        self.staged.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// After a batch committed: deliver its staged messages.
    pub(super) fn deliver_staged(&self) -> StoreResult<()> {
        let staged = std::mem::take(&mut *self.staged_mail());
        if !staged.is_empty() {
            sqa_core::fault::hit("before_deliver");
        }
        for one in &staged {
            deliver(one)?;
        }
        Ok(())
    }

    /// After a batch was rolled back: its staged messages were never sent.
    pub(super) fn drop_staged(&self) {
        for one in std::mem::take(&mut *self.staged_mail()) {
            let _ = std::fs::remove_file(&one.staged);
        }
    }
}

/// Move a staged message into the outbox. A staged file already gone was delivered by
/// another process's `recover_outbox`.
fn deliver(one: &Staged) -> StoreResult<()> {
    let moved = match std::fs::rename(&one.staged, &one.target) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && one.staged.exists() => {
            // The outbox itself is gone (a relay or a person removed it): make it again.
            match one.target.parent() {
                Some(dir) => std::fs::create_dir_all(dir)
                    .and_then(|()| std::fs::rename(&one.staged, &one.target)),
                None => Err(e),
            }
        }
        other => other,
    };
    match moved {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !one.staged.exists() => Ok(()),
        Err(e) => Err(io_error(
            e,
            format!("failed to deliver {}", one.target.display()),
        )),
    }
}
