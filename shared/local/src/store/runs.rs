//! `RunLog` on the `runs` table: one JSON document per step, indexed by lead and by run.

use super::{SqliteStore, db_error, from_json, nanos, to_json};
use async_trait::async_trait;
use rusqlite::params;
use sqa_core::domain::LeadId;
use sqa_core::ports::{RunLog, RunRecord, StoreResult};

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
