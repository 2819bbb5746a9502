//! `ConfigStore` on the `configs` table (every saved version, the newest active) and the
//! `counters` table (the sequences lead ids are drawn from).

use super::{SqliteStore, db_error, is_unique_violation, parse_time, text_time};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use sqa_core::ports::{ConfigStore, StoreError, StoreResult, StoredConfig};

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
