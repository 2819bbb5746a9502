//! `Suppressions` on the `suppressions` table: one row per address (kept lower-case), the
//! first entry kept.

use super::{SqliteStore, db_error, parse_time, text_time};
use async_trait::async_trait;
use rusqlite::{OptionalExtension, params};
use sqa_core::ports::{StoreResult, Suppression, Suppressions};

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
