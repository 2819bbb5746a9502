//! `LeadStore` on the `leads` table: one JSON document per lead plus the indexed columns its
//! queries need, written with a check of the expected stage and version.

use super::{SqliteStore, db_error, from_json, is_unique_violation, nanos, sql_limit, to_json};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rusqlite::types::Value;
use rusqlite::{OptionalExtension, params, params_from_iter};
use sqa_core::domain::{Lead, LeadId, Stage};
use sqa_core::lifecycle::Expected;
use sqa_core::ports::{LeadFilter, LeadStore, Page, StoreError, StoreResult};
use std::collections::BTreeMap;

/// The indexed columns of a stored lead, as an update finds them.
struct IndexedColumns {
    stage: String,
    version: i64,
    created_at: Option<i64>,
    email_key: String,
    owner: String,
    next_touch_at: Option<i64>,
    waiting_since: Option<i64>,
    account: Option<String>,
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

impl SqliteStore {
    /// The lead ids a one-parameter `sql` (`SELECT id … WHERE column = ?1 ORDER BY seq`)
    /// selects for `value`.
    fn ids_in_order(&self, sql: &str, value: &str) -> StoreResult<Vec<LeadId>> {
        let conn = self.conn();
        let ids = conn
            .prepare_cached(sql)
            .and_then(|mut s| {
                s.query_map([value], |r| r.get::<_, String>(0))
                    .and_then(|rows| rows.collect::<rusqlite::Result<Vec<String>>>())
            })
            .map_err(|e| db_error(e, "find leads by an indexed column"))?;
        ids.iter()
            .map(|s| {
                LeadId::parse(s).map_err(|e| {
                    StoreError::Unexpected(anyhow::anyhow!("bad lead id in the store: {e}"))
                })
            })
            .collect()
    }
}

#[async_trait]
impl LeadStore for SqliteStore {
    async fn insert(&self, lead: &Lead) -> StoreResult<()> {
        let doc = to_json(lead, "the lead")?;
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(
                "INSERT INTO leads (id, stage, version, created_at, email_key, owner, \
                 next_touch_at, doc, waiting_since, account) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
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
            lead.waiting_since().map(nanos),
            lead.account(),
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
                "SELECT stage, version, created_at, email_key, owner, next_touch_at, \
                 waiting_since, account FROM leads WHERE id = ?1",
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
                        waiting_since: r.get(6)?,
                        account: r.get(7)?,
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
        set(
            "waiting_since",
            opt_int(current.waiting_since),
            opt_int(new.waiting_since().map(nanos)),
        );
        let text = |v: Option<String>| v.map_or(Value::Null, Value::Text);
        set("account", text(current.account), text(new.account()));
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

    async fn stalled(&self, older_than: DateTime<Utc>, limit: usize) -> StoreResult<Vec<Lead>> {
        let rows = {
            let conn = self.conn();
            let mut stmt = conn
                .prepare_cached(
                    "SELECT seq, waiting_since, doc FROM leads \
                     WHERE waiting_since <= ?1 ORDER BY waiting_since, seq LIMIT ?2",
                )
                .map_err(|e| db_error(e, "prepare stalled"))?;
            lead_rows(
                &mut stmt,
                params![nanos(older_than), sql_limit(limit)],
                "list stalled leads",
            )?
        };
        decode_leads(rows)
    }

    async fn find_by_email(&self, key: &str) -> StoreResult<Vec<LeadId>> {
        self.ids_in_order(
            "SELECT id FROM leads WHERE email_key = ?1 ORDER BY seq",
            key,
        )
    }

    async fn find_by_account(&self, account: &str) -> StoreResult<Vec<LeadId>> {
        self.ids_in_order(
            "SELECT id FROM leads WHERE account = ?1 ORDER BY seq",
            account,
        )
    }

    async fn find_by_provider_id(&self, provider_id: &str) -> StoreResult<Option<LeadId>> {
        let conn = self.conn();
        let id: Option<String> = conn
            .prepare_cached("SELECT lead_id FROM touch_ids WHERE provider_id = ?1")
            .and_then(|mut s| s.query_row([provider_id], |r| r.get(0)).optional())
            .map_err(|e| db_error(e, "find a lead by provider id"))?;
        id.map(|i| {
            LeadId::parse(&i)
                .map_err(|e| StoreError::Unexpected(anyhow::anyhow!("stored lead id {i}: {e}")))
        })
        .transpose()
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
