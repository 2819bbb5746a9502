//! `Suppressions` on DynamoDB: one item per lowercased address; the first entry wins
//! (a conditional put), so the consent log keeps why and when an address left first.

use crate::error::{store_error, unexpected};
use crate::item::{self, Item, s};
use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use sqa_core::ports::{StoreError, StoreResult, Suppression, Suppressions};
use std::collections::HashMap;

#[derive(Clone, Debug)]
pub struct DynamoSuppressions {
    client: Client,
    table: String,
}

impl DynamoSuppressions {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        DynamoSuppressions {
            client,
            table: table.into(),
        }
    }
}

fn normalize(address: &str) -> String {
    address.trim().to_lowercase()
}

#[async_trait]
impl Suppressions for DynamoSuppressions {
    async fn add(&self, entry: &Suppression) -> StoreResult<()> {
        let address = normalize(&entry.address);
        if address.is_empty() {
            return Err(unexpected("cannot suppress an empty address"));
        }
        let mut stored = entry.clone();
        stored.address = address.clone();
        let doc = serde_json::to_string(&stored)
            .map_err(|e| unexpected(format!("suppression does not serialize: {e}")))?;
        let mut it = Item::new();
        it.insert("address".into(), s(address));
        it.insert("doc".into(), s(doc));
        match self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(it))
            .condition_expression("attribute_not_exists(address)")
            .send()
            .await
            .map_err(|e| store_error("add suppression", e))
        {
            // Already suppressed: the first entry stays, and adding again is not an error.
            Ok(_) | Err(StoreError::Conflict(_)) => Ok(()),
            Err(e) => Err(e),
        }
    }

    async fn get(&self, address: &str) -> StoreResult<Option<Suppression>> {
        let address = normalize(address);
        if address.is_empty() {
            return Ok(None);
        }
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(HashMap::from([("address".to_string(), s(address))])))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| store_error("read suppression", e))?;
        out.item().map(item::doc).transpose()
    }

    async fn list(&self) -> StoreResult<Vec<Suppression>> {
        // The list is read on demand (views, export), never per lead: a scan is fine here.
        let mut all = Vec::new();
        let mut start = None;
        loop {
            let out = self
                .client
                .scan()
                .table_name(&self.table)
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(|e| store_error("list suppressions", e))?;
            for it in out.items() {
                all.push(item::doc::<Suppression>(it)?);
            }
            match out.last_evaluated_key() {
                Some(lek) => start = Some(lek.clone()),
                None => break,
            }
        }
        all.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.address.cmp(&b.address)));
        Ok(all)
    }
}
