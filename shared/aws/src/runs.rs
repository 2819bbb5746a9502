//! `RunLog` on DynamoDB: one item per record, partitioned by lead, sorted by time then by
//! append order; an index on `run_id` answers "the records of one run".

use crate::error::{store_error, unexpected};
use crate::item::{self, Item, s, ts};
use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;
use sqa_core::domain::LeadId;
use sqa_core::ports::{RunLog, RunRecord, StoreResult};
use std::sync::atomic::{AtomicU64, Ordering};

/// Records without a lead (a whole selection run) live under this partition prefix; a lead id
/// cannot contain `#`, so the two never meet.
const RUN_ONLY_PREFIX: &str = "#run#";

#[derive(Clone, Debug)]
pub struct DynamoRuns {
    client: Client,
    table: String,
}

static SEQ: AtomicU64 = AtomicU64::new(0);

/// The sort key: the record's time, then the wall-clock time of the append and a per-process
/// counter, so that records with equal times keep their append order and never overwrite
/// each other.
fn sort_key(record: &RunRecord) -> String {
    let appended = chrono::Utc::now().timestamp_nanos_opt().unwrap_or(0);
    let seq = SEQ.fetch_add(1, Ordering::Relaxed) % 1_000_000;
    format!("{}#{appended:020}{seq:06}", ts(record.at))
}

impl DynamoRuns {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        DynamoRuns {
            client,
            table: table.into(),
        }
    }

    async fn query(
        &self,
        index: Option<&str>,
        key_condition: &str,
        value: AttributeValue,
    ) -> StoreResult<Vec<RunRecord>> {
        let mut records = Vec::new();
        let mut start = None;
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .set_index_name(index.map(str::to_string))
                .key_condition_expression(key_condition)
                .expression_attribute_values(":v", value.clone())
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(|e| store_error("read run records", e))?;
            for it in out.items() {
                records.push(item::doc::<RunRecord>(it)?);
            }
            match out.last_evaluated_key() {
                Some(lek) => start = Some(lek.clone()),
                None => return Ok(records),
            }
        }
    }
}

#[async_trait]
impl RunLog for DynamoRuns {
    async fn append(&self, record: &RunRecord) -> StoreResult<()> {
        let doc = serde_json::to_string(record)
            .map_err(|e| unexpected(format!("run record does not serialize: {e}")))?;
        let pk = match &record.lead_id {
            Some(id) => id.to_string(),
            None => format!("{RUN_ONLY_PREFIX}{}", record.run_id),
        };
        let mut it = Item::new();
        it.insert("pk".into(), s(pk));
        it.insert("sk".into(), s(sort_key(record)));
        it.insert("doc".into(), s(doc));
        if !record.run_id.is_empty() {
            it.insert("run_id".into(), s(&record.run_id));
        }
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(it))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await
            .map_err(|e| store_error("append run record", e))?;
        // What the model cost, as CloudWatch metrics (only once the record is kept).
        crate::metrics::emit(record);
        Ok(())
    }

    async fn for_lead(&self, id: &LeadId) -> StoreResult<Vec<RunRecord>> {
        self.query(None, "pk = :v", s(id.as_str())).await
    }

    async fn for_run(&self, run_id: &str) -> StoreResult<Vec<RunRecord>> {
        if run_id.is_empty() {
            return Ok(Vec::new());
        }
        self.query(Some("run"), "run_id = :v", s(run_id)).await
    }
}
