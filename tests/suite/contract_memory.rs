//! The port contract suites against the in-memory adapters (`sqa_tests::memory`), which the
//! stage tests run on: they must keep the same contracts as the real backends.

use chrono::Utc;
use sqa_core::domain::{Lead, LeadId};
use sqa_core::ports::{
    MailError, Mailer, Model, ModelError, ModelOutput, ModelTask, OutgoingEmail, Queue, QueueName,
};
use sqa_tests::contract;
use sqa_tests::memory::{
    Failure, MemoryConfigStore, MemoryInbox, MemoryLeadStore, MemoryMailer, MemoryPorts,
    MemoryQueue, MemoryRunLog, MemorySuppressions,
};
use std::sync::Arc;
use std::time::Duration;

#[tokio::test]
async fn memory_lead_store_keeps_the_lead_store_contract() {
    let store = MemoryLeadStore::new();
    contract::lead_store(&store).await;
    // Reruns on the same store work: the suite only looks at its own data.
    contract::lead_store(&store).await;
}

#[tokio::test]
async fn memory_config_store_keeps_the_config_store_contract() {
    let store = MemoryConfigStore::new();
    contract::config_store(&store).await;
    contract::config_store(&store).await;
}

#[tokio::test]
async fn memory_run_log_keeps_the_run_log_contract() {
    contract::run_log(&MemoryRunLog::new()).await;
}

#[tokio::test]
async fn memory_suppressions_keep_the_suppressions_contract() {
    let list = MemorySuppressions::new();
    contract::suppressions(&list).await;
    contract::suppressions(&list).await;
}

#[tokio::test]
async fn memory_queue_keeps_the_queue_contract() {
    let q = MemoryQueue::new(Duration::from_secs(30), 3);
    contract::queue(&q, 3).await;
    contract::queue(&q, 3).await;
}

#[tokio::test]
async fn memory_mailer_keeps_the_mailer_contract_and_records_what_it_sends() {
    let m = MemoryMailer::new();
    let (email, id) = contract::mailer(&m).await;
    assert_eq!(m.sent(), vec![email]);
    assert_eq!(id, "memory-1");
}

#[tokio::test]
async fn memory_mailer_fails_while_told_to() {
    let m = MemoryMailer::new();
    m.fail_with(Some(Failure::Transient));
    let email = OutgoingEmail {
        from: "a@example.test".into(),
        to: vec!["b@example.test".into()],
        message_id: "<m@example.test>".into(),
        raw: b"Subject: x\r\n\r\nx".to_vec(),
    };
    assert!(matches!(m.send(&email).await, Err(MailError::Transient(_))));
    assert!(m.sent().is_empty());
    m.fail_with(Some(Failure::Rejected("no such user".into())));
    assert!(matches!(m.send(&email).await, Err(MailError::Rejected(_))));
    m.fail_with(None);
    assert!(m.send(&email).await.is_ok());
    assert_eq!(m.sent().len(), 1);
}

#[tokio::test]
async fn memory_inbox_keeps_the_inbox_contract() {
    let inbox = MemoryInbox::new();
    inbox.insert("replies/1.eml", b"Subject: hi\r\n\r\nhello".to_vec());
    contract::inbox(&inbox, "replies/1.eml", b"Subject: hi\r\n\r\nhello").await;
}

#[tokio::test]
async fn a_memory_message_comes_back_after_its_visibility_timeout() {
    let q = MemoryQueue::new(Duration::from_millis(50), 5);
    q.send(QueueName::Outreach, &["x".to_string()])
        .await
        .unwrap();
    let first = q.receive(QueueName::Outreach, 10).await.unwrap();
    assert_eq!(first.len(), 1);
    assert!(q.receive(QueueName::Outreach, 10).await.unwrap().is_empty());
    tokio::time::sleep(Duration::from_millis(80)).await;
    let again = q.receive(QueueName::Outreach, 10).await.unwrap();
    assert_eq!((again.len(), again[0].receive_count), (1, 2));
    // The first receipt is stale now: acknowledging with it removes nothing.
    q.ack(QueueName::Outreach, &first[0].receipt).await.unwrap();
    assert_eq!(q.len(QueueName::Outreach), 1);
    q.ack(QueueName::Outreach, &again[0].receipt).await.unwrap();
    assert!(q.is_empty(QueueName::Outreach));
}

#[tokio::test]
async fn memory_ports_wire_the_adapters_the_test_holds() {
    struct NoModel;
    #[async_trait::async_trait]
    impl Model for NoModel {
        fn name(&self) -> &str {
            "none"
        }
        async fn run(
            &self,
            _task: ModelTask,
            _input: &serde_json::Value,
        ) -> Result<ModelOutput, ModelError> {
            Err(ModelError::BadOutput("no model".into()))
        }
    }
    let now = Utc::now();
    let mem = MemoryPorts::new(now);
    let ports = mem.ports(Arc::new(NoModel));
    assert_eq!(ports.clock.now(), now);
    let lead = Lead::new(LeadId::parse("L1").unwrap(), now);
    ports.leads.insert(&lead).await.unwrap();
    assert_eq!(mem.leads.all(), vec![lead]);
}
