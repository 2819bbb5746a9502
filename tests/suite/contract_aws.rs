//! The core's port contract suites, unchanged, against the AWS adapters on moto server.
//! Each test provisions its own tables, queues and bucket, so tests run in parallel and
//! reruns never see each other's data.

use sqa_aws::testkit::{self, Env};
use sqa_aws::{
    DynamoConfig, DynamoLeads, DynamoRuns, DynamoSuppressions, S3Inbox, SesMailer, SqsQueue,
};
use sqa_tests::contract;

async fn env(test: &str) -> Option<Env> {
    match Env::new(test).await {
        Ok(env) => env,
        Err(e) => panic!("{test}: could not provision on moto: {e:#}"),
    }
}

#[tokio::test]
async fn dynamodb_lead_store_meets_the_lead_store_contract() {
    let Some(env) = env("contract_leads").await else {
        return;
    };
    let store = DynamoLeads::new(env.clients.dynamodb.clone(), &env.names.leads_table);
    contract::lead_store(&store).await;
}

#[tokio::test]
async fn dynamodb_config_store_meets_the_config_store_contract() {
    let Some(env) = env("contract_config").await else {
        return;
    };
    let store = DynamoConfig::new(env.clients.dynamodb.clone(), &env.names.config_table);
    contract::config_store(&store).await;
}

#[tokio::test]
async fn dynamodb_run_log_meets_the_run_log_contract() {
    let Some(env) = env("contract_runs").await else {
        return;
    };
    let log = DynamoRuns::new(env.clients.dynamodb.clone(), &env.names.runs_table);
    contract::run_log(&log).await;
}

#[tokio::test]
async fn dynamodb_suppressions_meet_the_suppressions_contract() {
    let Some(env) = env("contract_suppressions").await else {
        return;
    };
    let list = DynamoSuppressions::new(env.clients.dynamodb.clone(), &env.names.suppressions_table);
    contract::suppressions(&list).await;
}

#[tokio::test]
async fn sqs_queue_meets_the_queue_contract() {
    let Some(env) = env("contract_queue").await else {
        return;
    };
    let queue = SqsQueue::new(env.clients.sqs.clone(), env.names.queues.clone());
    contract::queue(&queue, sqa_aws::provision::MAX_RECEIVE_COUNT).await;
}

#[tokio::test]
async fn ses_mailer_meets_the_mailer_contract_and_sends_the_bytes_unchanged() {
    let Some(env) = env("contract_mailer").await else {
        return;
    };
    sqa_aws::provision::verify_sender(&env.clients, "ava@example.test")
        .await
        .expect("verify the sender on moto");
    let before = testkit::sent_mail(&env.endpoint)
        .await
        .expect("read sent mail")
        .len();
    let mailer = SesMailer::new(env.clients.ses(), None);
    let (email, id) = contract::mailer(&mailer).await;

    let sent = testkit::sent_mail(&env.endpoint)
        .await
        .expect("read sent mail");
    let ours: Vec<_> = sent[before..].iter().filter(|m| m.id == id).collect();
    assert_eq!(
        ours.len(),
        1,
        "exactly one message with the provider id was sent"
    );
    assert_eq!(ours[0].source, email.from);
    assert_eq!(
        ours[0].raw_data.as_bytes(),
        email.raw.as_slice(),
        "SES must receive the rendered bytes unchanged"
    );
}

#[tokio::test]
async fn ses_mailer_reports_an_unverified_sender_as_rejected() {
    let Some(env) = env("contract_mailer_rejected").await else {
        return;
    };
    let mailer = SesMailer::new(env.clients.ses(), None);
    let email = sqa_core::ports::OutgoingEmail {
        from: "nobody@unverified.example.test".into(),
        to: vec!["lead@example.test".into()],
        message_id: "<x@unverified.example.test>".into(),
        raw: b"From: nobody@unverified.example.test\r\nTo: lead@example.test\r\nSubject: x\r\n\r\nx\r\n"
            .to_vec(),
    };
    match sqa_core::ports::Mailer::send(&mailer, &email).await {
        Err(sqa_core::ports::MailError::Rejected(_)) => {}
        other => panic!("an unverified sender must be Rejected, got {other:?}"),
    }
}

#[tokio::test]
async fn s3_inbox_meets_the_inbox_contract() {
    let Some(env) = env("contract_inbox").await else {
        return;
    };
    let raw = b"From: lead@example.test\r\nSubject: Re: hello\r\n\r\nYes, let's talk.\r\n".to_vec();
    let key = "inbound/contract-message";
    env.clients
        .s3
        .put_object()
        .bucket(&env.names.bucket)
        .key(key)
        .body(raw.clone().into())
        .send()
        .await
        .expect("put the message on moto");
    let inbox = S3Inbox::new(env.clients.s3.clone(), &env.names.bucket, "");
    contract::inbox(&inbox, key, &raw).await;
}
