//! `LeadStore` on DynamoDB.
//!
//! A lead is one item: the whole `Lead` as a JSON document (`doc`) plus the attributes the
//! indexes need (see `schema`). Every write is conditional; a stage change also moves the
//! per-stage counters in the same transaction, so `count_by_stage` is exact without a scan.

use crate::error::{store_error, unexpected};
use crate::item::{self, Item, decode_cursor, encode_cursor, get_n, n, s, ts};
use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes, Put, TransactWriteItem, Update};
use chrono::{DateTime, Utc};
use sqa_core::domain::{Lead, LeadId, Stage};
use sqa_core::lifecycle::Expected;
use sqa_core::ports::{LeadFilter, LeadStore, Page, StoreError, StoreResult};
use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

/// DynamoDB refuses items above 400 KB; leave room for the index attributes.
const MAX_DOC_BYTES: usize = 380 * 1024;
/// `BatchGetItem` takes at most 100 keys.
const BATCH_GET_MAX: usize = 100;
/// How often a stage change cancelled by a concurrent transaction (not by its condition) is
/// tried again before the contention is reported as transient.
const TRANSACT_RETRIES: u32 = 4;
const COUNT_PREFIX: &str = "#count#";
/// Items `#touch#PROVIDER_ID` name the lead a send's provider id belongs to
/// (`find_by_provider_id`); like the counters they carry no index attribute.
const TOUCH_PREFIX: &str = "#touch#";

/// The lead store on one DynamoDB table.
#[derive(Clone, Debug)]
pub struct DynamoLeads {
    client: Client,
    table: String,
}

impl DynamoLeads {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        DynamoLeads {
            client,
            table: table.into(),
        }
    }

    fn to_item(lead: &Lead) -> StoreResult<Item> {
        let doc = serde_json::to_string(lead)
            .map_err(|e| unexpected(format!("lead {} does not serialize: {e}", lead.id)))?;
        if doc.len() > MAX_DOC_BYTES {
            return Err(unexpected(format!(
                "lead {} is {} bytes, above the {MAX_DOC_BYTES} bytes a DynamoDB item can hold",
                lead.id,
                doc.len()
            )));
        }
        let mut item = Item::new();
        item.insert("id".into(), s(lead.id.as_str()));
        item.insert("doc".into(), s(doc));
        item.insert("stage".into(), s(lead.stage.as_str()));
        item.insert("version".into(), n(lead.version));
        item.insert("kind".into(), s("lead"));
        item.insert(
            "inserted_sk".into(),
            s(format!("{}#{}", ts(lead.inserted_at), lead.id)),
        );
        // Index key attributes may not be empty strings: leave them out instead, which also
        // keeps the lead out of that (sparse) index.
        if let Some(c) = lead.created_at {
            item.insert("created_at".into(), s(ts(c)));
        }
        if let Some(t) = lead.next_touch_at {
            item.insert("next_touch_at".into(), s(ts(t)));
        }
        // Only leads waiting for a stage's message are in the (sparse) `waiting` index.
        if let Some(t) = lead.waiting_since() {
            item.insert("waiting_since".into(), s(ts(t)));
        }
        if !lead.email_key.is_empty() {
            item.insert("email_key".into(), s(lead.email_key.as_str()));
        }
        if !lead.owner.is_empty() {
            item.insert("owner".into(), s(&lead.owner));
        }
        if let Some(account) = lead.account() {
            item.insert("account".into(), s(account));
        }
        Ok(item)
    }

    fn key(id: &str) -> Item {
        HashMap::from([("id".to_string(), s(id))])
    }

    fn count_update(&self, stage: Stage, delta: i64) -> StoreResult<TransactWriteItem> {
        let update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(Self::key(&format!(
                "{COUNT_PREFIX}{}",
                stage.as_str()
            ))))
            .update_expression("ADD #n :d")
            .expression_attribute_names("#n", "n")
            .expression_attribute_values(":d", n(delta))
            .build()
            .map_err(|e| unexpected(format!("counter update: {e}")))?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    fn transact_error(
        what: &str,
        err: SdkError<TransactWriteItemsError, impl std::fmt::Debug + Send + Sync + 'static>,
    ) -> StoreError {
        if let SdkError::ServiceError(se) = &err
            && let TransactWriteItemsError::TransactionCanceledException(tc) = se.err()
        {
            let codes: Vec<&str> = tc
                .cancellation_reasons()
                .iter()
                .filter_map(|r| r.code())
                .collect();
            let msg = tc.message().unwrap_or_default();
            if codes.contains(&"ConditionalCheckFailed") || msg.contains("ConditionalCheckFailed") {
                return StoreError::Conflict(format!("{what}: {msg}"));
            }
            if codes.iter().any(|c| {
                matches!(
                    *c,
                    "TransactionConflict" | "ThrottlingError" | "ProvisionedThroughputExceeded"
                )
            }) {
                return StoreError::Transient(anyhow::anyhow!("{what}: {msg}"));
            }
        }
        store_error(what, err)
    }

    /// Read items by id with consistent reads, in the order of `ids` (missing ids left out).
    async fn batch_get(&self, ids: &[String]) -> StoreResult<Vec<Lead>> {
        let mut found: HashMap<String, Lead> = HashMap::new();
        for chunk in ids.chunks(BATCH_GET_MAX) {
            let keys: Vec<Item> = chunk.iter().map(|id| Self::key(id)).collect();
            let mut pending = Some(
                KeysAndAttributes::builder()
                    .set_keys(Some(keys))
                    .consistent_read(true)
                    .build()
                    .map_err(|e| unexpected(format!("batch get: {e}")))?,
            );
            let mut attempt = 0u32;
            while let Some(request) = pending.take() {
                let out = self
                    .client
                    .batch_get_item()
                    .request_items(&self.table, request)
                    .send()
                    .await
                    .map_err(|e| store_error("read leads", e))?;
                for item in out
                    .responses()
                    .and_then(|r| r.get(&self.table))
                    .into_iter()
                    .flatten()
                {
                    let lead: Lead = item::doc(item)?;
                    found.insert(lead.id.to_string(), lead);
                }
                pending = out
                    .unprocessed_keys()
                    .and_then(|u| u.get(&self.table))
                    .filter(|k| !k.keys().is_empty())
                    .cloned();
                if pending.is_some() {
                    // Unprocessed keys mean throttling: back off a little, then give up to the
                    // caller's retry rather than spin.
                    attempt += 1;
                    if attempt > 5 {
                        return Err(StoreError::Transient(anyhow::anyhow!(
                            "DynamoDB left keys unprocessed after {attempt} attempts"
                        )));
                    }
                    tokio::time::sleep(Duration::from_millis(50 << attempt)).await;
                }
            }
        }
        Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
    }

    /// Query an index for item keys, following DynamoDB's pages until `want` keys are found or
    /// the index is exhausted. Returns the key items and whether more remain.
    #[allow(clippy::too_many_arguments)]
    async fn query_keys(
        &self,
        index: &str,
        key_condition: &str,
        names: &[(&str, &str)],
        values: &[(&str, AttributeValue)],
        filter: Option<&str>,
        forward: bool,
        start: Option<Item>,
        want: usize,
    ) -> StoreResult<(Vec<Item>, bool)> {
        let mut keys = Vec::new();
        let mut start = start;
        loop {
            let mut q = self
                .client
                .query()
                .table_name(&self.table)
                .index_name(index)
                .key_condition_expression(key_condition)
                .scan_index_forward(forward)
                .set_exclusive_start_key(start.take())
                .limit(i32::try_from(want.saturating_sub(keys.len()).max(1)).unwrap_or(i32::MAX));
            for (k, v) in names {
                q = q.expression_attribute_names(*k, *v);
            }
            for (k, v) in values {
                q = q.expression_attribute_values(*k, v.clone());
            }
            if let Some(f) = filter {
                q = q.filter_expression(f);
            }
            let out = q
                .send()
                .await
                .map_err(|e| store_error(&format!("query index {index}"), e))?;
            keys.extend(out.items().iter().cloned());
            match out.last_evaluated_key() {
                Some(lek) if keys.len() < want => start = Some(lek.clone()),
                Some(_) => return Ok((keys, true)),
                None => return Ok((keys, false)),
            }
        }
    }

    /// One page from an index: ask for `limit + 1` keys so that the cursor is `None` exactly
    /// when nothing follows, then read the leads.
    #[allow(clippy::too_many_arguments)]
    async fn page(
        &self,
        index: &str,
        index_keys: &[&str],
        key_condition: &str,
        names: &[(&str, &str)],
        values: &[(&str, AttributeValue)],
        filter: Option<&str>,
        forward: bool,
        cursor: Option<String>,
        limit: usize,
    ) -> StoreResult<(Vec<Lead>, Option<String>)> {
        if limit == 0 {
            return Ok((Vec::new(), cursor));
        }
        let start = cursor.as_deref().map(decode_cursor).transpose()?;
        let (mut keys, _) = self
            .query_keys(
                index,
                key_condition,
                names,
                values,
                filter,
                forward,
                start,
                limit + 1,
            )
            .await?;
        let next = if keys.len() > limit {
            keys.truncate(limit);
            let mut cursor_keys = vec!["id"];
            cursor_keys.extend_from_slice(index_keys);
            keys.last()
                .map(|k| encode_cursor(k, &cursor_keys))
                .transpose()?
        } else {
            None
        };
        let ids: Vec<String> = keys
            .iter()
            .map(|k| item::get_s(k, "id").map(str::to_string))
            .collect::<StoreResult<_>>()?;
        Ok((self.batch_get(&ids).await?, next))
    }

    /// Write the `#touch#` items of the lead's sent touches before the lead itself: an item
    /// names the lead only for an id the provider returned for that lead's send, so one
    /// written ahead of a write that then fails is still true, and a lookup never misses a
    /// touch the lead's document holds.
    async fn index_touches(&self, lead: &Lead) -> StoreResult<()> {
        for pid in lead.touches.iter().filter_map(|t| t.provider_id.as_deref()) {
            let mut item = Self::key(&format!("{TOUCH_PREFIX}{pid}"));
            item.insert("lead".into(), s(lead.id.as_str()));
            self.client
                .put_item()
                .table_name(&self.table)
                .set_item(Some(item))
                .send()
                .await
                .map_err(|e| store_error("index a touch's provider id", e))?;
        }
        Ok(())
    }

    async fn get_raw(&self, id: &str) -> StoreResult<Option<Item>> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(Self::key(id)))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| store_error("read lead", e))?;
        Ok(out.item().cloned())
    }
}

const GUARD: &str = "attribute_exists(id) AND #stage = :es AND #version = :ev";

impl DynamoLeads {
    /// The ids of the leads whose `attribute` equals `value`, in insertion order, through
    /// `index` (keyed on that attribute and `inserted_sk`). An empty value is in no index.
    async fn ids_where(
        &self,
        index: &str,
        attribute: &str,
        value: &str,
    ) -> StoreResult<Vec<LeadId>> {
        if value.is_empty() {
            return Ok(Vec::new());
        }
        let (items, _) = self
            .query_keys(
                index,
                &format!("{attribute} = :v"),
                &[],
                &[(":v", s(value))],
                None,
                true,
                None,
                usize::MAX,
            )
            .await?;
        items
            .iter()
            .map(|k| {
                let id = item::get_s(k, "id")?;
                LeadId::parse(id).map_err(unexpected)
            })
            .collect()
    }
}

#[async_trait]
impl LeadStore for DynamoLeads {
    async fn insert(&self, lead: &Lead) -> StoreResult<()> {
        self.index_touches(lead).await?;
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(Self::to_item(lead)?))
            .condition_expression("attribute_not_exists(id)")
            .build()
            .map_err(|e| unexpected(format!("put: {e}")))?;
        self.client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().put(put).build())
            .transact_items(self.count_update(lead.stage, 1)?)
            .send()
            .await
            .map_err(|e| match Self::transact_error("insert lead", e) {
                StoreError::Conflict(_) => {
                    StoreError::Conflict(format!("lead {} already exists", lead.id))
                }
                other => other,
            })?;
        Ok(())
    }

    async fn get(&self, id: &LeadId) -> StoreResult<Option<Lead>> {
        self.get_raw(id.as_str())
            .await?
            .map(|item| item::doc(&item))
            .transpose()
    }

    async fn update(&self, lead: &Lead, expected: Expected) -> StoreResult<Lead> {
        let mut next = lead.clone();
        next.version = expected.version + 1;
        let item = Self::to_item(&next)?;
        self.index_touches(&next).await?;
        let names = HashMap::from([
            ("#stage".to_string(), "stage".to_string()),
            ("#version".to_string(), "version".to_string()),
        ]);
        let values = HashMap::from([
            (":es".to_string(), s(expected.stage.as_str())),
            (":ev".to_string(), n(expected.version)),
        ]);
        let result = if next.stage == expected.stage {
            self.client
                .put_item()
                .table_name(&self.table)
                .set_item(Some(item))
                .condition_expression(GUARD)
                .set_expression_attribute_names(Some(names))
                .set_expression_attribute_values(Some(values))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| store_error("update lead", e))
        } else {
            let put = Put::builder()
                .table_name(&self.table)
                .set_item(Some(item))
                .condition_expression(GUARD)
                .set_expression_attribute_names(Some(names))
                .set_expression_attribute_values(Some(values))
                .build()
                .map_err(|e| unexpected(format!("put: {e}")))?;
            // Two stage changes at once both touch the stage counters, and DynamoDB cancels
            // one of them with `TransactionConflict` before looking at its condition. That
            // is contention, not a lost race: try again (briefly) so that the condition
            // decides, and the loser of a real race gets `Conflict`.
            let mut attempt = 0u32;
            loop {
                let sent = self
                    .client
                    .transact_write_items()
                    .transact_items(TransactWriteItem::builder().put(put.clone()).build())
                    .transact_items(self.count_update(expected.stage, -1)?)
                    .transact_items(self.count_update(next.stage, 1)?)
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| Self::transact_error("update lead", e));
                match sent {
                    Err(StoreError::Transient(_)) if attempt < TRANSACT_RETRIES => {
                        attempt += 1;
                        tokio::time::sleep(Duration::from_millis(20 << attempt)).await;
                    }
                    other => break other,
                }
            }
        };
        match result {
            Ok(()) => Ok(next),
            // Tell a missing lead from a lost race: only on this rare path is a read worth it.
            Err(StoreError::Conflict(msg)) => match self.get_raw(lead.id.as_str()).await? {
                None => Err(StoreError::NotFound(format!("lead {}", lead.id))),
                Some(current) => Err(StoreError::Conflict(format!(
                    "lead {}: expected {} v{}, found {} v{} ({msg})",
                    lead.id,
                    expected.stage,
                    expected.version,
                    item::get_s(&current, "stage").unwrap_or("?"),
                    get_n(&current, "version").unwrap_or(0),
                ))),
            },
            Err(e) => Err(e),
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
        let (items, next) = self
            .page(
                "stage-created",
                &["stage", "created_at"],
                "#stage = :s AND created_at BETWEEN :f AND :t",
                &[("#stage", "stage")],
                &[
                    (":s", s(stage.as_str())),
                    (":f", s(ts(from))),
                    (":t", s(ts(to))),
                ],
                None,
                true,
                cursor,
                limit,
            )
            .await?;
        // The index is eventually consistent: drop a lead that has moved on since.
        let items = items.into_iter().filter(|l| l.stage == stage).collect();
        Ok(Page { items, next })
    }

    async fn due_before(&self, now: DateTime<Utc>, limit: usize) -> StoreResult<Vec<Lead>> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        // One query per stage (the index is keyed on stage + due time); they run at once.
        let queries = Stage::ALL.into_iter().map(|stage| async move {
            self.query_keys(
                "stage-due",
                "#stage = :s AND next_touch_at <= :now",
                &[("#stage", "stage")],
                &[(":s", s(stage.as_str())), (":now", s(ts(now)))],
                None,
                true,
                None,
                limit,
            )
            .await
        });
        let mut keys: Vec<(String, String)> = Vec::new();
        for result in futures_util::future::join_all(queries).await {
            let (items, _) = result?;
            for k in items {
                keys.push((
                    item::get_s(&k, "next_touch_at")?.to_string(),
                    item::get_s(&k, "id")?.to_string(),
                ));
            }
        }
        keys.sort();
        keys.truncate(limit);
        let ids: Vec<String> = keys.into_iter().map(|(_, id)| id).collect();
        let leads = self.batch_get(&ids).await?;
        Ok(leads
            .into_iter()
            .filter(|l| l.next_touch_at.is_some_and(|t| t <= now))
            .collect())
    }

    async fn stalled(&self, older_than: DateTime<Utc>, limit: usize) -> StoreResult<Vec<Lead>> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let (keys, _) = self
            .query_keys(
                "waiting",
                "#kind = :k AND waiting_since <= :t",
                &[("#kind", "kind")],
                &[(":k", s("lead")), (":t", s(ts(older_than)))],
                None,
                true,
                None,
                limit,
            )
            .await?;
        let ids: Vec<String> = keys
            .iter()
            .map(|k| item::get_s(k, "id").map(str::to_string))
            .collect::<StoreResult<_>>()?;
        // The index is eventually consistent: keep what the consistent read still finds
        // waiting, longest waiting first.
        let mut leads: Vec<Lead> = self
            .batch_get(&ids)
            .await?
            .into_iter()
            .filter(|l| l.waiting_since().is_some_and(|t| t <= older_than))
            .collect();
        leads.sort_by_key(|l| (l.waiting_since(), l.inserted_at));
        Ok(leads)
    }

    async fn find_by_email(&self, key: &str) -> StoreResult<Vec<LeadId>> {
        self.ids_where("email", "email_key", key).await
    }

    async fn find_by_account(&self, account: &str) -> StoreResult<Vec<LeadId>> {
        self.ids_where("account", "account", account).await
    }

    async fn find_by_provider_id(&self, provider_id: &str) -> StoreResult<Option<LeadId>> {
        if provider_id.is_empty() {
            return Ok(None);
        }
        let Some(item) = self
            .get_raw(&format!("{TOUCH_PREFIX}{provider_id}"))
            .await?
        else {
            return Ok(None);
        };
        let id = item::get_s(&item, "lead")?;
        LeadId::parse(id).map(Some).map_err(unexpected)
    }

    async fn list(
        &self,
        filter: &LeadFilter,
        cursor: Option<String>,
        limit: usize,
    ) -> StoreResult<Page<Lead>> {
        let (items, next) = match (&filter.stage, &filter.owner) {
            (None, None) => {
                self.page(
                    "inserted",
                    &["kind", "inserted_sk"],
                    "#kind = :k",
                    &[("#kind", "kind")],
                    &[(":k", s("lead"))],
                    None,
                    false,
                    cursor,
                    limit,
                )
                .await?
            }
            (Some(stage), None) => {
                self.page(
                    "stage-inserted",
                    &["stage", "inserted_sk"],
                    "#stage = :s",
                    &[("#stage", "stage")],
                    &[(":s", s(stage.as_str()))],
                    None,
                    false,
                    cursor,
                    limit,
                )
                .await?
            }
            (stage, Some(owner)) => {
                let mut values = vec![(":o", s(owner))];
                if let Some(st) = stage {
                    values.push((":s", s(st.as_str())));
                }
                self.page(
                    "owner-inserted",
                    &["owner", "inserted_sk"],
                    "#owner = :o",
                    &[("#owner", "owner"), ("#stage", "stage")]
                        [..if stage.is_some() { 2 } else { 1 }],
                    &values,
                    stage.map(|_| "#stage = :s"),
                    false,
                    cursor,
                    limit,
                )
                .await?
            }
        };
        let items = items
            .into_iter()
            .filter(|l| filter.stage.is_none_or(|st| l.stage == st))
            .filter(|l| filter.owner.as_ref().is_none_or(|o| &l.owner == o))
            .collect();
        Ok(Page { items, next })
    }

    async fn count_by_stage(&self) -> StoreResult<BTreeMap<Stage, u64>> {
        let keys: Vec<Item> = Stage::ALL
            .iter()
            .map(|st| Self::key(&format!("{COUNT_PREFIX}{}", st.as_str())))
            .collect();
        let request = KeysAndAttributes::builder()
            .set_keys(Some(keys))
            .consistent_read(true)
            .build()
            .map_err(|e| unexpected(format!("batch get: {e}")))?;
        let out = self
            .client
            .batch_get_item()
            .request_items(&self.table, request)
            .send()
            .await
            .map_err(|e| store_error("read stage counters", e))?;
        if out
            .unprocessed_keys()
            .and_then(|u| u.get(&self.table))
            .is_some_and(|k| !k.keys().is_empty())
        {
            return Err(StoreError::Transient(anyhow::anyhow!(
                "DynamoDB left stage counters unprocessed"
            )));
        }
        let mut counts = BTreeMap::new();
        for item in out
            .responses()
            .and_then(|r| r.get(&self.table))
            .into_iter()
            .flatten()
        {
            let id = item::get_s(item, "id")?;
            let stage = id
                .strip_prefix(COUNT_PREFIX)
                .and_then(Stage::parse)
                .ok_or_else(|| unexpected(format!("unknown counter {id}")))?;
            let value = match item.get("n") {
                Some(AttributeValue::N(v)) => v.parse::<i64>().unwrap_or(0),
                _ => 0,
            };
            if value > 0 {
                counts.insert(stage, value as u64);
            }
        }
        Ok(counts)
    }
}
