//! `Queue` on the `queue_messages` and `dead_letters` tables: SQS semantics (visibility
//! timeout, receive count, a redrive to the dead letters) and the batch transaction of the
//! embedded runner.

use super::{SqliteStore, db_error, sql_limit, write_tx};
use async_trait::async_trait;
use rusqlite::{OptionalExtension, params};
use sqa_core::ports::{Delivery, Queue, QueueName, StoreError, StoreResult};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Receipts are `{id}.{receive_count}`: unique per receive, since ids are never reused.
fn receipt_id(receipt: &str) -> StoreResult<i64> {
    receipt
        .split_once('.')
        .and_then(|(id, _)| id.parse().ok())
        .ok_or_else(|| StoreError::Unexpected(anyhow::anyhow!("malformed receipt {receipt:?}")))
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// Milliseconds of the wall clock, for queue visibility (real time, never the domain clock:
/// a demo run at a fixed date must still see its retries come back).
fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

impl SqliteStore {
    /// The bodies on `queue`, visible or in flight (not the dead letters), in send order:
    /// for the integrity check, which looks for each waiting lead's message.
    pub fn queued_bodies(&self, queue: QueueName) -> StoreResult<Vec<String>> {
        let conn = self.conn();
        conn.prepare_cached("SELECT body FROM queue_messages WHERE queue = ?1 ORDER BY id")
            .and_then(|mut s| {
                s.query_map([queue.as_str()], |r| r.get::<_, String>(0))?
                    .collect()
            })
            .map_err(|e| db_error(e, "read the queued messages"))
    }
}

#[async_trait]
impl Queue for SqliteStore {
    async fn send(&self, queue: QueueName, bodies: &[String]) -> StoreResult<()> {
        if bodies.is_empty() {
            return Ok(());
        }
        let now = now_ms();
        let mut conn = self.conn();
        let insert = "INSERT INTO queue_messages (queue, body, sent_at, visible_at) \
                      VALUES (?1, ?2, ?3, ?3)";
        if let [body] = bodies {
            // The common case, one next stage per message: a statement is its own transaction.
            conn.prepare_cached(insert)
                .and_then(|mut s| s.execute(params![queue.as_str(), body, now]))
                .map_err(|e| db_error(e, &format!("enqueue on {}", queue.as_str())))?;
            return Ok(());
        }
        // One transaction for the batch: one commit instead of one per body.
        let tx = write_tx(&mut conn).map_err(|e| db_error(e, "start a send"))?;
        {
            let mut stmt = tx
                .prepare_cached(insert)
                .map_err(|e| db_error(e, "prepare a send"))?;
            for body in bodies {
                stmt.execute(params![queue.as_str(), body, now])
                    .map_err(|e| db_error(e, &format!("enqueue on {}", queue.as_str())))?;
            }
        }
        tx.commit().map_err(|e| db_error(e, "commit a send"))
    }

    async fn receive(&self, queue: QueueName, max: usize) -> StoreResult<Vec<Delivery>> {
        if max == 0 {
            return Ok(Vec::new());
        }
        let now = now_ms();
        let hidden_until = now.saturating_add(millis(self.queue.visibility));
        let max_receives = i64::from(self.queue.max_receives);
        let what = "receive messages";
        let mut conn = self.conn();
        // Workers poll empty queues often: answer those from a read, without taking the
        // write lock that the transaction below needs.
        let any: Option<i64> = conn
            .prepare_cached(
                "SELECT id FROM queue_messages WHERE queue = ?1 AND visible_at <= ?2 LIMIT 1",
            )
            .and_then(|mut s| {
                s.query_row(params![queue.as_str(), now], |r| r.get(0))
                    .optional()
            })
            .map_err(|e| db_error(e, what))?;
        if any.is_none() {
            return Ok(Vec::new());
        }
        let tx = write_tx(&mut conn).map_err(|e| db_error(e, what))?;
        let mut out = Vec::new();
        {
            let mut select = tx
                .prepare_cached(
                    "SELECT id, body, receive_count FROM queue_messages \
                     WHERE queue = ?1 AND visible_at <= ?2 ORDER BY visible_at, id LIMIT ?3",
                )
                .map_err(|e| db_error(e, what))?;
            let mut hide = tx
                .prepare_cached(
                    "UPDATE queue_messages SET receive_count = ?2, visible_at = ?3, receipt = ?4 \
                     WHERE id = ?1",
                )
                .map_err(|e| db_error(e, what))?;
            let mut bury = tx
                .prepare_cached(
                    "INSERT INTO dead_letters (queue, id, body, receive_count, sent_at, dead_at) \
                     SELECT queue, id, body, receive_count, sent_at, ?2 FROM queue_messages \
                     WHERE id = ?1",
                )
                .map_err(|e| db_error(e, what))?;
            let mut remove = tx
                .prepare_cached("DELETE FROM queue_messages WHERE id = ?1")
                .map_err(|e| db_error(e, what))?;
            // Candidates that turn out to be dead letters leave the queue, so each round
            // either fills the answer or shrinks the visible set: the loop ends.
            while out.len() < max {
                let candidates: Vec<(i64, String, i64)> = select
                    .query_map(
                        params![queue.as_str(), now, sql_limit(max - out.len())],
                        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                    )
                    .and_then(|rows| rows.collect())
                    .map_err(|e| db_error(e, what))?;
                if candidates.is_empty() {
                    break;
                }
                for (id, body, count) in candidates {
                    if count >= max_receives {
                        bury.execute(params![id, now])
                            .map_err(|e| db_error(e, "move a message to the dead letters"))?;
                        remove
                            .execute([id])
                            .map_err(|e| db_error(e, "move a message to the dead letters"))?;
                        tracing::warn!(
                            queue = queue.as_str(),
                            message_id = id,
                            receives = count,
                            "message moved to the dead letters"
                        );
                        continue;
                    }
                    let count = count + 1;
                    let receipt = format!("{id}.{count}");
                    hide.execute(params![id, count, hidden_until, receipt])
                        .map_err(|e| db_error(e, what))?;
                    out.push(Delivery {
                        id: id.to_string(),
                        receipt,
                        body,
                        receive_count: u32::try_from(count).unwrap_or(u32::MAX),
                    });
                }
            }
        }
        tx.commit().map_err(|e| db_error(e, what))?;
        Ok(out)
    }

    async fn ack(&self, queue: QueueName, receipt: &str) -> StoreResult<()> {
        let id = receipt_id(receipt)?;
        let conn = self.conn();
        // Matching the receipt makes a stale one (the message was received again since) a
        // no-op, as is a second ack: both are what idempotence asks for.
        conn.prepare_cached(
            "DELETE FROM queue_messages WHERE id = ?1 AND queue = ?2 AND receipt = ?3",
        )
        .and_then(|mut s| s.execute(params![id, queue.as_str(), receipt]))
        .map_err(|e| db_error(e, "acknowledge a message"))?;
        Ok(())
    }

    async fn retry_later(
        &self,
        queue: QueueName,
        receipt: &str,
        delay_secs: u32,
    ) -> StoreResult<()> {
        let id = receipt_id(receipt)?;
        let visible_at = now_ms().saturating_add(i64::from(delay_secs) * 1000);
        let conn = self.conn();
        conn.prepare_cached(
            "UPDATE queue_messages SET visible_at = ?1 WHERE id = ?2 AND queue = ?3 AND receipt = ?4",
        )
        .and_then(|mut s| s.execute(params![visible_at, id, queue.as_str(), receipt]))
        .map_err(|e| db_error(e, "delay a message"))?;
        Ok(())
    }

    async fn begin_batch(&self) -> StoreResult<()> {
        let conn = self.conn();
        if conn.is_autocommit() {
            // IMMEDIATE: take the write lock now, so that no other writer can make this
            // transaction fail half way; other processes wait (busy timeout) for the commit.
            conn.execute_batch("BEGIN IMMEDIATE")
                .map_err(|e| db_error(e, "start a batch"))?;
        }
        Ok(())
    }

    async fn end_batch(&self) -> StoreResult<()> {
        let committed = {
            let conn = self.conn();
            if conn.is_autocommit() {
                return Ok(());
            }
            conn.execute_batch("COMMIT").map_err(|e| {
                // A failed COMMIT may leave the transaction open (a busy database does):
                // close it, so that the next batch does not silently join this one.
                if !conn.is_autocommit()
                    && let Err(rollback) = conn.execute_batch("ROLLBACK")
                {
                    tracing::error!(error = %rollback, "failed to roll back a batch whose commit failed");
                }
                db_error(e, "commit a batch")
            })
        };
        match committed {
            // The batch's send records are in: its mail goes out.
            Ok(()) => self.deliver_staged(),
            Err(e) => {
                self.drop_staged();
                Err(e)
            }
        }
    }

    async fn abort_batch(&self) -> StoreResult<()> {
        {
            let conn = self.conn();
            if conn.is_autocommit() {
                return Ok(());
            }
            conn.execute_batch("ROLLBACK")
                .map_err(|e| db_error(e, "roll back a batch"))?;
        }
        self.drop_staged();
        Ok(())
    }

    async fn pending(&self, queue: QueueName) -> StoreResult<u64> {
        let conn = self.conn();
        conn.prepare_cached(
            "SELECT count(*) FROM queue_messages WHERE queue = ?1 AND visible_at > ?2",
        )
        .and_then(|mut s| s.query_row(params![queue.as_str(), now_ms()], |r| r.get::<_, i64>(0)))
        .map(|n| u64::try_from(n).unwrap_or(0))
        .map_err(|e| db_error(e, "count the messages in flight"))
    }

    async fn dead_letters(&self, queue: QueueName) -> StoreResult<Vec<Delivery>> {
        let conn = self.conn();
        let rows: Vec<(i64, i64, String, i64)> = conn
            .prepare_cached(
                "SELECT seq, id, body, receive_count FROM dead_letters WHERE queue = ?1 \
                 ORDER BY seq",
            )
            .and_then(|mut s| {
                s.query_map([queue.as_str()], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })?
                .collect()
            })
            .map_err(|e| db_error(e, "read the dead letters"))?;
        Ok(rows
            .into_iter()
            .map(|(seq, id, body, count)| Delivery {
                id: id.to_string(),
                receipt: format!("dead.{seq}"),
                body,
                receive_count: u32::try_from(count).unwrap_or(u32::MAX),
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn visible_messages(store: &SqliteStore) -> i64 {
        store
            .conn()
            .query_row("SELECT count(*) FROM queue_messages", [], |r| r.get(0))
            .unwrap()
    }

    #[tokio::test]
    async fn a_batch_is_one_commit_that_other_connections_see_only_at_its_end() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sqa.db");
        let runner = SqliteStore::open(&path).unwrap();
        let other = SqliteStore::open(&path).unwrap();
        let bodies = vec!["a".to_string(), "b".to_string()];

        runner.begin_batch().await.unwrap();
        // Inside the batch, send and receive take savepoints rather than failing to start
        // a transaction of their own.
        runner.send(QueueName::Validate, &bodies).await.unwrap();
        let got = runner.receive(QueueName::Validate, 10).await.unwrap();
        assert_eq!(got.len(), 2);
        runner
            .ack(QueueName::Validate, &got[0].receipt)
            .await
            .unwrap();
        assert_eq!(
            visible_messages(&runner),
            1,
            "the batch sees its own writes"
        );
        assert_eq!(
            visible_messages(&other),
            0,
            "nothing is committed before end_batch"
        );
        runner.end_batch().await.unwrap();
        assert_eq!(visible_messages(&other), 1);

        // end_batch without a batch, and a second batch, work as well.
        runner.end_batch().await.unwrap();
        runner.begin_batch().await.unwrap();
        runner
            .ack(QueueName::Validate, &got[1].receipt)
            .await
            .unwrap();
        runner.end_batch().await.unwrap();
        assert_eq!(visible_messages(&other), 0);
    }

    #[tokio::test]
    async fn a_batch_lost_before_its_commit_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sqa.db");
        {
            let runner = SqliteStore::open(&path).unwrap();
            runner
                .send(QueueName::Research, &["kept".to_string()])
                .await
                .unwrap();
            runner.begin_batch().await.unwrap();
            let got = runner.receive(QueueName::Research, 10).await.unwrap();
            runner
                .ack(QueueName::Research, &got[0].receipt)
                .await
                .unwrap();
            runner
                .send(QueueName::Outreach, &["lost".to_string()])
                .await
                .unwrap();
            // The process dies here: the connection closes with the batch open.
        }
        let after = SqliteStore::open(&path).unwrap();
        let again = after.receive(QueueName::Research, 10).await.unwrap();
        assert_eq!(again.len(), 1, "the message of the lost batch comes back");
        assert_eq!(again[0].body, "kept");
        assert!(
            after
                .receive(QueueName::Outreach, 10)
                .await
                .unwrap()
                .is_empty()
        );
    }
}
