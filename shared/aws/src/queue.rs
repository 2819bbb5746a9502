//! `Queue` on SQS. Bodies go out in batches of ten (the SQS maximum); the dead-letter move
//! after `maxReceiveCount` receives is SQS's own redrive policy, set on each queue by the
//! template (and by `provision` in tests).

use crate::error::{code_of, store_error, unexpected};
use async_trait::async_trait;
use aws_sdk_sqs::Client;
use aws_sdk_sqs::types::{MessageSystemAttributeName, SendMessageBatchRequestEntry};
use sqa_core::ports::{Delivery, Queue, QueueName, StoreError, StoreResult};
use std::collections::{BTreeMap, HashSet};

/// SQS takes at most ten entries per batch call.
const BATCH: usize = 10;
/// How often entries that SQS failed on its side are sent again before giving up.
const RESEND_ATTEMPTS: u32 = 3;

/// The URL of a queue and of its dead-letter queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueUrls {
    pub url: String,
    pub dlq_url: Option<String>,
}

#[derive(Clone, Debug)]
pub struct SqsQueue {
    client: Client,
    urls: BTreeMap<QueueName, QueueUrls>,
}

impl SqsQueue {
    /// A queue adapter that knows the queues in `urls`; a function is given only the URLs of
    /// the queues its step reads or writes, and any other queue is a configuration error.
    pub fn new(client: Client, urls: BTreeMap<QueueName, QueueUrls>) -> Self {
        SqsQueue { client, urls }
    }

    fn urls(&self, queue: QueueName) -> StoreResult<&QueueUrls> {
        self.urls.get(&queue).ok_or_else(|| {
            unexpected(format!(
                "the {} queue is not configured for this process (SQA_QUEUE_{}_URL)",
                queue.as_str(),
                queue.as_str().to_uppercase()
            ))
        })
    }

    fn delivery(m: &aws_sdk_sqs::types::Message) -> Option<Delivery> {
        Some(Delivery {
            id: m.message_id()?.to_string(),
            receipt: m.receipt_handle()?.to_string(),
            body: m.body().unwrap_or_default().to_string(),
            receive_count: m
                .attributes()
                .and_then(|a| a.get(&MessageSystemAttributeName::ApproximateReceiveCount))
                .and_then(|c| c.parse().ok())
                .unwrap_or(1),
        })
    }

    async fn receive_from(
        &self,
        url: &str,
        max: usize,
        visibility: Option<i32>,
    ) -> StoreResult<Vec<aws_sdk_sqs::types::Message>> {
        let out = self
            .client
            .receive_message()
            .queue_url(url)
            .max_number_of_messages(max.clamp(1, BATCH) as i32)
            .message_system_attribute_names(MessageSystemAttributeName::ApproximateReceiveCount)
            .set_visibility_timeout(visibility)
            .wait_time_seconds(0)
            .send()
            .await
            .map_err(|e| store_error("receive messages", e))?;
        Ok(out.messages().to_vec())
    }
}

#[async_trait]
impl Queue for SqsQueue {
    async fn send(&self, queue: QueueName, bodies: &[String]) -> StoreResult<()> {
        let url = &self.urls(queue)?.url;
        for chunk in bodies.chunks(BATCH) {
            let mut pending: Vec<(usize, &String)> = chunk.iter().enumerate().collect();
            let mut attempt = 0;
            while !pending.is_empty() {
                attempt += 1;
                let entries = pending
                    .iter()
                    .map(|(i, body)| {
                        SendMessageBatchRequestEntry::builder()
                            .id(i.to_string())
                            .message_body(body.as_str())
                            .build()
                            .map_err(|e| unexpected(format!("batch entry: {e}")))
                    })
                    .collect::<StoreResult<Vec<_>>>()?;
                let out = self
                    .client
                    .send_message_batch()
                    .queue_url(url)
                    .set_entries(Some(entries))
                    .send()
                    .await
                    .map_err(|e| store_error(&format!("send to {}", queue.as_str()), e))?;
                if let Some(f) = out.failed().iter().find(|f| f.sender_fault()) {
                    return Err(unexpected(format!(
                        "SQS refused a message for {}: {} {}",
                        queue.as_str(),
                        f.code(),
                        f.message().unwrap_or_default()
                    )));
                }
                let failed: HashSet<&str> = out.failed().iter().map(|f| f.id()).collect();
                pending.retain(|(i, _)| failed.contains(i.to_string().as_str()));
                if !pending.is_empty() && attempt >= RESEND_ATTEMPTS {
                    return Err(StoreError::Transient(anyhow::anyhow!(
                        "SQS failed {} message(s) for {} after {attempt} attempts",
                        pending.len(),
                        queue.as_str()
                    )));
                }
            }
        }
        Ok(())
    }

    async fn receive(&self, queue: QueueName, max: usize) -> StoreResult<Vec<Delivery>> {
        let url = self.urls(queue)?.url.clone();
        let mut out = Vec::new();
        while out.len() < max {
            let got = self.receive_from(&url, max - out.len(), None).await?;
            if got.is_empty() {
                break;
            }
            out.extend(got.iter().filter_map(Self::delivery));
        }
        Ok(out)
    }

    async fn ack(&self, queue: QueueName, receipt: &str) -> StoreResult<()> {
        let url = &self.urls(queue)?.url;
        match self
            .client
            .delete_message()
            .queue_url(url)
            .receipt_handle(receipt)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            // Deleting twice is not an error: the message is gone either way.
            Err(e) if code_of(&e).is_some_and(|c| c.contains("ReceiptHandleIsInvalid")) => Ok(()),
            Err(e) => Err(store_error("delete message", e)),
        }
    }

    async fn retry_later(
        &self,
        queue: QueueName,
        receipt: &str,
        delay_secs: u32,
    ) -> StoreResult<()> {
        let url = &self.urls(queue)?.url;
        // SQS caps a visibility timeout at 12 hours.
        let delay = delay_secs.min(43_200) as i32;
        match self
            .client
            .change_message_visibility()
            .queue_url(url)
            .receipt_handle(receipt)
            .visibility_timeout(delay)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(e)
                if code_of(&e).is_some_and(|c| {
                    c.contains("MessageNotInflight") || c.contains("ReceiptHandleIsInvalid")
                }) =>
            {
                // The message is visible again or gone: nothing to postpone.
                Ok(())
            }
            Err(e) => Err(store_error("change message visibility", e)),
        }
    }

    async fn pending(&self, queue: QueueName) -> StoreResult<u64> {
        use aws_sdk_sqs::types::QueueAttributeName as A;
        let url = &self.urls(queue)?.url;
        let out = self
            .client
            .get_queue_attributes()
            .queue_url(url)
            .attribute_names(A::ApproximateNumberOfMessagesNotVisible)
            .attribute_names(A::ApproximateNumberOfMessagesDelayed)
            .send()
            .await
            .map_err(|e| store_error("read the queue's attributes", e))?;
        let attrs = out.attributes();
        let count = |name: A| -> StoreResult<u64> {
            match attrs.and_then(|a| a.get(&name)) {
                None => Ok(0),
                Some(v) => v.parse().map_err(|_| {
                    unexpected(format!("SQS answered {name:?} with {v:?}, not a count"))
                }),
            }
        };
        Ok(count(A::ApproximateNumberOfMessagesNotVisible)?
            + count(A::ApproximateNumberOfMessagesDelayed)?)
    }

    async fn dead_letters(&self, queue: QueueName) -> StoreResult<Vec<Delivery>> {
        let Some(dlq) = self.urls(queue)?.dlq_url.clone() else {
            return Err(unexpected(format!(
                "the dead-letter queue of {} is not configured (SQA_QUEUE_{}_DLQ_URL)",
                queue.as_str(),
                queue.as_str().to_uppercase()
            )));
        };
        // Peek: receive with a zero visibility timeout so the messages stay for a person to
        // look at, and stop when a receive brings nothing new (bounded, SQS samples hosts).
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for _ in 0..20 {
            let got = self.receive_from(&dlq, BATCH, Some(0)).await?;
            let mut new = 0;
            for d in got.iter().filter_map(Self::delivery) {
                if seen.insert(d.id.clone()) {
                    new += 1;
                    out.push(d);
                }
            }
            if new == 0 {
                break;
            }
        }
        Ok(out)
    }
}
