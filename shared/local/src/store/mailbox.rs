//! The `mailbox_seen` table: which messages of an IMAP folder were queued for the engage
//! stage already (see `crate::mailbox`). Not a port of the core: only the mailbox reader on
//! one machine needs it.

use super::{SqliteStore, db_error, nanos};
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use sqa_core::ports::StoreResult;

impl SqliteStore {
    /// True when message `uid` of `mailbox` (as of `uidvalidity`) was recorded.
    pub fn mailbox_seen(&self, mailbox: &str, uidvalidity: u32, uid: u32) -> StoreResult<bool> {
        let conn = self.conn();
        let found: Option<i64> = conn
            .prepare_cached(
                "SELECT 1 FROM mailbox_seen WHERE mailbox = ?1 AND uidvalidity = ?2 AND uid = ?3",
            )
            .and_then(|mut s| {
                s.query_row(params![mailbox, uidvalidity, uid], |r| r.get(0))
                    .optional()
            })
            .map_err(|e| db_error(e, "read the mailbox's seen messages"))?;
        Ok(found.is_some())
    }

    /// Record message `uid` as queued under `key`. Recording it again changes nothing.
    pub fn mailbox_record(
        &self,
        mailbox: &str,
        uidvalidity: u32,
        uid: u32,
        key: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let conn = self.conn();
        conn.prepare_cached(
            "INSERT INTO mailbox_seen (mailbox, uidvalidity, uid, key, at) \
             VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
        )
        .and_then(|mut s| s.execute(params![mailbox, uidvalidity, uid, key, nanos(at)]))
        .map_err(|e| db_error(e, "record a mailbox message"))?;
        Ok(())
    }
}
