//! The Lambda handlers fed the JSON fixtures of `tests/fixtures` (the same files work with
//! `cargo lambda invoke NAME --data-file tests/fixtures/…`), against moto server.

use super::aws_pipeline::{AwsPipeline, read_fixture};
use async_trait::async_trait;
use aws_lambda_events::event::apigw::ApiGatewayV2httpRequest;
use aws_lambda_events::event::sqs::SqsEvent;
use chrono::{DateTime, Utc};
use sqa_core::domain::{Lead, LeadId, Stage};
use sqa_core::lifecycle::Expected;
use sqa_core::ports::{LeadFilter, LeadStore, Page, StoreError, StoreResult};
use std::collections::BTreeMap;
use std::sync::Arc;

/// A lead store that fails for chosen leads: `transient` ids get a throttling-like error,
/// `panicking` ids a panic, everything else goes to the real store.
struct Faulty {
    inner: Arc<dyn LeadStore>,
    transient: Vec<String>,
    panicking: Vec<String>,
}

impl Faulty {
    fn check(&self, id: &LeadId) -> StoreResult<()> {
        if self.panicking.iter().any(|p| p == id.as_str()) {
            panic!("injected panic for {id}");
        }
        if self.transient.iter().any(|t| t == id.as_str()) {
            return Err(StoreError::Transient(anyhow::anyhow!(
                "injected throttling for {id}"
            )));
        }
        Ok(())
    }
}

#[async_trait]
impl LeadStore for Faulty {
    async fn insert(&self, lead: &Lead) -> StoreResult<()> {
        self.inner.insert(lead).await
    }
    async fn get(&self, id: &LeadId) -> StoreResult<Option<Lead>> {
        self.check(id)?;
        self.inner.get(id).await
    }
    async fn update(&self, lead: &Lead, expected: Expected) -> StoreResult<Lead> {
        self.check(&lead.id)?;
        self.inner.update(lead, expected).await
    }
    async fn created_between(
        &self,
        stage: Stage,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        cursor: Option<String>,
        limit: usize,
    ) -> StoreResult<Page<Lead>> {
        self.inner
            .created_between(stage, from, to, cursor, limit)
            .await
    }
    async fn due_before(&self, now: DateTime<Utc>, limit: usize) -> StoreResult<Vec<Lead>> {
        self.inner.due_before(now, limit).await
    }
    async fn find_by_email(&self, key: &str) -> StoreResult<Vec<LeadId>> {
        self.inner.find_by_email(key).await
    }
    async fn list(
        &self,
        filter: &LeadFilter,
        cursor: Option<String>,
        limit: usize,
    ) -> StoreResult<Page<Lead>> {
        self.inner.list(filter, cursor, limit).await
    }
    async fn count_by_stage(&self) -> StoreResult<BTreeMap<Stage, u64>> {
        self.inner.count_by_stage().await
    }
}

/// A lead in stage `selected`, as `select` leaves it.
async fn seed_selected(p: &AwsPipeline, id: &str, email: &str) {
    let now = p.deps.ports.clock.now();
    let mut lead = Lead::new(LeadId::parse(id).expect("id"), now);
    lead.first_name = "Fix".into();
    lead.email = email.into();
    lead.email_key = email.to_lowercase();
    lead.status = "open".into();
    lead.website = "https://kestrelpay.example/".into();
    lead.company = "Kestrel Pay".into();
    lead.stage = Stage::Selected;
    p.deps.ports.leads.insert(&lead).await.expect("insert");
}

fn event(name: &str) -> SqsEvent {
    serde_json::from_str(&read_fixture(name)).expect("the fixture is an SQS event")
}

#[tokio::test]
async fn a_batch_with_a_good_a_malformed_and_a_flaky_record_reports_only_the_flaky_one() {
    let Some(mut p) = AwsPipeline::new("hbatch").await else {
        return;
    };
    seed_selected(&p, "FIX-good", "fix.good@kestrelpay.example").await;
    seed_selected(&p, "FIX-flaky", "fix.flaky@kestrelpay.example").await;
    p.deps.ports.leads = Arc::new(Faulty {
        inner: p.deps.ports.leads.clone(),
        transient: vec!["FIX-flaky".into()],
        panicking: vec![],
    });

    let response = fn_validate::handler(event("sqs-validate-batch.json"), &p.deps, 4)
        .await
        .expect("every record has a messageId");

    let failed: Vec<&str> = response
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.as_str())
        .collect();
    assert_eq!(
        failed,
        vec!["0a6f1c2e-0000-4000-8000-000000000003"],
        "only the transiently failing record comes back; the malformed one is acknowledged"
    );
    assert_eq!(p.stage_of("FIX-good").await, Stage::Validated);
    assert_eq!(p.stage_of("FIX-flaky").await, Stage::Selected);
    let json = serde_json::to_value(&response).expect("serializes");
    assert_eq!(
        json["batchItemFailures"][0]["itemIdentifier"], "0a6f1c2e-0000-4000-8000-000000000003",
        "the response has Lambda's JSON shape"
    );
}

#[tokio::test]
async fn a_panicking_record_is_reported_alone_and_the_others_are_handled() {
    let Some(mut p) = AwsPipeline::new("hpanic").await else {
        return;
    };
    seed_selected(&p, "FIX-good", "fix.good@kestrelpay.example").await;
    seed_selected(&p, "FIX-flaky", "fix.flaky@kestrelpay.example").await;
    p.deps.ports.leads = Arc::new(Faulty {
        inner: p.deps.ports.leads.clone(),
        transient: vec![],
        panicking: vec!["FIX-flaky".into()],
    });
    let response = fn_validate::handler(event("sqs-validate-batch.json"), &p.deps, 1)
        .await
        .expect("every record has a messageId");
    let failed: Vec<&str> = response
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.as_str())
        .collect();
    assert_eq!(failed, vec!["0a6f1c2e-0000-4000-8000-000000000003"]);
    assert_eq!(p.stage_of("FIX-good").await, Stage::Validated);
}

#[tokio::test]
async fn a_failing_record_without_a_message_id_fails_the_whole_batch_instead_of_an_empty_identifier()
 {
    let Some(mut p) = AwsPipeline::new("hnoid").await else {
        return;
    };
    seed_selected(&p, "FIX-flaky", "fix.flaky@kestrelpay.example").await;
    p.deps.ports.leads = Arc::new(Faulty {
        inner: p.deps.ports.leads.clone(),
        transient: vec!["FIX-flaky".into()],
        panicking: vec![],
    });
    let mut json: serde_json::Value =
        serde_json::from_str(&read_fixture("sqs-validate-batch.json")).expect("fixture");
    json["Records"][2]["messageId"] = serde_json::Value::String(String::new());
    let event: SqsEvent = serde_json::from_value(json).expect("event");
    let result = fn_validate::handler(event, &p.deps, 4).await;
    assert!(
        result.is_err(),
        "a failure that cannot be named must fail the invocation, never report \"\""
    );
}

#[tokio::test]
async fn a_bounce_notification_suppresses_the_address_and_ends_the_lead() {
    let Some(p) = AwsPipeline::new("hbounce").await else {
        return;
    };
    seed_selected(&p, "AWS002", "ines.duarte@parcelwise.example").await;
    let response = fn_feedback::handler(event("sqs-feedback-bounce.json"), &p.deps, 4)
        .await
        .expect("handled");
    assert!(response.batch_item_failures.is_empty(), "{response:?}");
    let entry = p
        .deps
        .ports
        .suppressions
        .get("ines.duarte@parcelwise.example")
        .await
        .expect("read");
    assert!(entry.is_some(), "a hard bounce suppresses the address");
    assert_eq!(p.stage_of("AWS002").await, Stage::Bounced);
}

#[tokio::test]
async fn a_complaint_notification_suppresses_the_address() {
    let Some(p) = AwsPipeline::new("hcomplaint").await else {
        return;
    };
    seed_selected(&p, "AWS001", "rmorgan@kestrelpay.example").await;
    let response = fn_feedback::handler(event("sqs-feedback-complaint.json"), &p.deps, 4)
        .await
        .expect("handled");
    assert!(response.batch_item_failures.is_empty(), "{response:?}");
    let entry = p
        .deps
        .ports
        .suppressions
        .get("rmorgan@kestrelpay.example")
        .await
        .expect("read");
    assert!(entry.is_some(), "a complaint suppresses the address");
}

#[tokio::test]
async fn an_engage_notification_for_another_bucket_is_acknowledged_not_retried() {
    let Some(p) = AwsPipeline::new("hengage").await else {
        return;
    };
    // The fixture names bucket "BUCKET", not this deployment's inbound bucket.
    let response = fn_engage::handler(
        event("sqs-engage-ses-receipt.json"),
        &p.deps,
        p.settings.inbox_bucket.as_deref(),
        4,
    )
    .await
    .expect("handled");
    assert!(
        response.batch_item_failures.is_empty(),
        "a notification that can never succeed is not retried"
    );
}

fn request(name: &str) -> ApiGatewayV2httpRequest {
    serde_json::from_str(&read_fixture(name)).expect("the fixture is an HTTP API event")
}

#[tokio::test]
async fn the_api_answers_health_and_one_click_unsubscribe() {
    let Some(p) = AwsPipeline::new("hapi").await else {
        return;
    };
    let health = fn_api::handler(request("apigw-health.json"), &p.deps).await;
    assert_eq!(health.status_code, 200);

    seed_selected(&p, "AWS001", "rmorgan@kestrelpay.example").await;
    let token =
        sqa_core::stages::consent::token(&p.deps.secret, &LeadId::parse("AWS001").expect("id"));
    let mut json: serde_json::Value =
        serde_json::from_str(&read_fixture("apigw-unsubscribe-one-click.json")).expect("fixture");
    json["queryStringParameters"]["token"] = token.clone().into();
    json["rawQueryString"] = format!("token={token}").into();
    let req: ApiGatewayV2httpRequest = serde_json::from_value(json.clone()).expect("event");
    let res = fn_api::handler(req, &p.deps).await;
    assert_eq!(res.status_code, 200, "{:?}", res.body);
    assert_eq!(p.stage_of("AWS001").await, Stage::Suppressed);
    assert!(
        p.deps
            .ports
            .suppressions
            .get("rmorgan@kestrelpay.example")
            .await
            .expect("read")
            .is_some()
    );

    json["queryStringParameters"]["token"] = "AWS001.forged".into();
    let req: ApiGatewayV2httpRequest = serde_json::from_value(json).expect("event");
    let res = fn_api::handler(req, &p.deps).await;
    assert_eq!(res.status_code, 400, "a forged token is refused");
}

#[tokio::test]
async fn an_import_through_the_api_enqueues_the_new_leads_at_once() {
    let Some(p) = AwsPipeline::new("himport").await else {
        return;
    };
    let res = fn_api::handler(request("apigw-leads-import.json"), &p.deps).await;
    assert_eq!(res.status_code, 201, "{:?}", res.body);
    let body = match &res.body {
        Some(aws_lambda_events::encodings::Body::Text(t)) => t.clone(),
        other => panic!("a JSON body, got {other:?}"),
    };
    let report: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(
        report["imported"].as_array().map(|a| a.len()),
        Some(3),
        "{report}"
    );
    assert_eq!(
        report["enqueued"], 2,
        "the two open leads do not wait for the schedule"
    );
    assert_eq!(p.stage_of("AWS001").await, Stage::Selected);
    assert_eq!(p.stage_of("AWS003").await, Stage::New);
    assert_eq!(p.pump(sqa_core::ports::QueueName::Validate, 1).await, 2);

    let again = fn_api::handler(request("apigw-leads-import.json"), &p.deps).await;
    assert_eq!(again.status_code, 201);
    let body = match &again.body {
        Some(aws_lambda_events::encodings::Body::Text(t)) => t.clone(),
        other => panic!("a JSON body, got {other:?}"),
    };
    let report: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(
        report["already_present"].as_array().map(|a| a.len()),
        Some(3)
    );
    assert_eq!(report["enqueued"], 0);
}
