//! `ConfigStore` on DynamoDB: every config version is its own item (`config` / `v#NNNNNNNNNN`),
//! so the history is one query and the active config the last item of it; named counters
//! (`seq#KEY` / `seq`) are atomic `ADD` updates.

use crate::error::{store_error, unexpected};
use crate::item::{Item, get_n, get_s, n, s, ts};
use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{ConditionCheck, Put, ReturnValue, TransactWriteItem};
use chrono::{DateTime, Utc};
use sqa_core::ports::{ConfigStore, StoreError, StoreResult, StoredConfig};
use std::collections::HashMap;

const CONFIG_PK: &str = "config";

#[derive(Clone, Debug)]
pub struct DynamoConfig {
    client: Client,
    table: String,
}

fn version_sk(v: u64) -> String {
    // Zero-padded so that the sort order of the keys is the order of the versions.
    format!("v#{v:010}")
}

fn key(pk: &str, sk: &str) -> Item {
    HashMap::from([("pk".to_string(), s(pk)), ("sk".to_string(), s(sk))])
}

fn to_stored(item: &Item) -> StoreResult<StoredConfig> {
    let saved_at = get_s(item, "saved_at")?;
    Ok(StoredConfig {
        version: get_n(item, "version")?,
        saved_at: DateTime::parse_from_rfc3339(saved_at)
            .map_err(|e| unexpected(format!("bad saved_at {saved_at:?}: {e}")))?
            .with_timezone(&Utc),
        toml: get_s(item, "toml")?.to_string(),
    })
}

impl DynamoConfig {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        DynamoConfig {
            client,
            table: table.into(),
        }
    }

    async fn versions(&self, newest_first: bool, limit: Option<i32>) -> StoreResult<Vec<Item>> {
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :pk AND begins_with(sk, :v)")
                .expression_attribute_values(":pk", s(CONFIG_PK))
                .expression_attribute_values(":v", s("v#"))
                .scan_index_forward(!newest_first)
                .consistent_read(true)
                .set_limit(limit)
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(|e| store_error("read config versions", e))?;
            items.extend(out.items().iter().cloned());
            match (out.last_evaluated_key(), limit) {
                (Some(lek), None) => start = Some(lek.clone()),
                _ => return Ok(items),
            }
        }
    }
}

#[async_trait]
impl ConfigStore for DynamoConfig {
    async fn save(&self, toml: &str, expected_version: u64, at: DateTime<Utc>) -> StoreResult<u64> {
        let version = expected_version + 1;
        let mut item = key(CONFIG_PK, &version_sk(version));
        item.insert("version".into(), n(version));
        item.insert("saved_at".into(), s(ts(at)));
        item.insert("toml".into(), s(toml));
        // The new version must not exist (nobody saved after `expected_version`) and, unless
        // this is the first config, `expected_version` must exist (it is the active one).
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk)")
            .build()
            .map_err(|e| unexpected(format!("put: {e}")))?;
        let mut tx = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().put(put).build());
        if expected_version > 0 {
            let check = ConditionCheck::builder()
                .table_name(&self.table)
                .set_key(Some(key(CONFIG_PK, &version_sk(expected_version))))
                .condition_expression("attribute_exists(pk)")
                .build()
                .map_err(|e| unexpected(format!("condition check: {e}")))?;
            tx = tx.transact_items(TransactWriteItem::builder().condition_check(check).build());
        }
        match tx.send().await {
            Ok(_) => Ok(version),
            Err(e) => Err(transact_error(expected_version, e)),
        }
    }

    async fn active(&self) -> StoreResult<Option<StoredConfig>> {
        self.versions(true, Some(1))
            .await?
            .first()
            .map(to_stored)
            .transpose()
    }

    async fn history(&self) -> StoreResult<Vec<StoredConfig>> {
        self.versions(false, None)
            .await?
            .iter()
            .map(to_stored)
            .collect()
    }

    async fn next_in_sequence(&self, key_name: &str) -> StoreResult<u64> {
        let out = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(&format!("seq#{key_name}"), "seq")))
            .update_expression("ADD #n :one")
            .expression_attribute_names("#n", "n")
            .expression_attribute_values(":one", n(1))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(|e| store_error("advance sequence", e))?;
        let after = out
            .attributes()
            .map(|a| get_n(a, "n"))
            .transpose()?
            .ok_or_else(|| unexpected("the sequence update returned no value"))?;
        Ok(after.saturating_sub(1))
    }
}

fn transact_error<R>(expected: u64, err: SdkError<TransactWriteItemsError, R>) -> StoreError
where
    R: std::fmt::Debug + Send + Sync + 'static,
{
    if let SdkError::ServiceError(se) = &err
        && let TransactWriteItemsError::TransactionCanceledException(tc) = se.err()
    {
        let msg = tc.message().unwrap_or_default();
        let conflict = tc
            .cancellation_reasons()
            .iter()
            .any(|r| r.code() == Some("ConditionalCheckFailed"))
            || msg.contains("ConditionalCheckFailed");
        if conflict {
            return StoreError::Conflict(format!(
                "the active config is not version {expected} any more"
            ));
        }
        return StoreError::Transient(anyhow::anyhow!("save config: {msg}"));
    }
    store_error("save config", err)
}
