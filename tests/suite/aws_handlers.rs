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
    async fn stalled(&self, older_than: DateTime<Utc>, limit: usize) -> StoreResult<Vec<Lead>> {
        self.inner.stalled(older_than, limit).await
    }
    async fn find_by_provider_id(&self, provider_id: &str) -> StoreResult<Option<LeadId>> {
        self.inner.find_by_provider_id(provider_id).await
    }
    async fn find_by_account(&self, account: &str) -> StoreResult<Vec<LeadId>> {
        self.inner.find_by_account(account).await
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
    lead.email_key = sqa_core::EmailKey::from_stored(email);
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
    let response =
        fn_feedback::handler(event("sqs-feedback-bounce.json"), p.function("feedback"), 4)
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
    let response = fn_feedback::handler(
        event("sqs-feedback-complaint.json"),
        p.function("feedback"),
        4,
    )
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
        p.function("engage"),
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
    let api = p.function("api");
    let health = fn_api::handler(request("apigw-health.json"), api).await;
    assert_eq!(health.status_code, 200);

    seed_selected(&p, "AWS001", "rmorgan@kestrelpay.example").await;
    let token =
        sqa_core::stages::consent::token(&p.deps.secret, &LeadId::parse("AWS001").expect("id"));
    let mut json: serde_json::Value =
        serde_json::from_str(&read_fixture("apigw-unsubscribe-one-click.json")).expect("fixture");
    json["queryStringParameters"]["token"] = token.clone().into();
    json["rawQueryString"] = format!("token={token}").into();
    let req: ApiGatewayV2httpRequest = serde_json::from_value(json.clone()).expect("event");
    let res = fn_api::handler(req, api).await;
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

    // API Gateway sends the query both raw and parsed; the router reads the raw one.
    json["queryStringParameters"]["token"] = "AWS001.forged".into();
    json["rawQueryString"] = "token=AWS001.forged".into();
    let req: ApiGatewayV2httpRequest = serde_json::from_value(json).expect("event");
    let res = fn_api::handler(req, api).await;
    assert_eq!(res.status_code, 400, "a forged token is refused");
}

#[tokio::test]
async fn the_api_records_the_authorizers_principal_with_an_action_and_base64_bodies_arrive() {
    let Some(p) = AwsPipeline::new("hactor").await else {
        return;
    };
    let api = p.function("api");
    seed_selected(&p, "AWS001", "rmorgan@kestrelpay.example").await;
    let mut json: serde_json::Value =
        serde_json::from_str(&read_fixture("apigw-health.json")).expect("fixture");
    json["rawPath"] = "/api/leads/AWS001/disqualify".into();
    json["routeKey"] = "POST /api/{proxy+}".into();
    json["requestContext"]["http"]["method"] = "POST".into();
    json["requestContext"]["http"]["path"] = "/api/leads/AWS001/disqualify".into();
    json["headers"]["content-type"] = "application/json".into();
    json["requestContext"]["authorizer"] =
        serde_json::json!({"jwt": {"claims": {"sub": "supervisor-7"}, "scopes": null}});
    json["isBase64Encoded"] = true.into();
    json["body"] = "eyJyZWFzb24iOiAibm8gYnVkZ2V0In0=".into(); // {"reason": "no budget"}
    let req: ApiGatewayV2httpRequest = serde_json::from_value(json).expect("event");
    let res = fn_api::handler(req, api).await;
    assert_eq!(res.status_code, 200, "{:?}", res.body);
    assert_eq!(p.stage_of("AWS001").await, Stage::Disqualified);
    let runs = p
        .deps
        .ports
        .runs
        .for_lead(&LeadId::parse("AWS001").expect("id"))
        .await
        .expect("runs");
    let manual = runs
        .iter()
        .find(|r| r.run_id == "manual")
        .expect("a record");
    assert_eq!(manual.decision, "disqualified");
    assert!(
        manual.reasons[0].contains("by jwt:supervisor-7"),
        "{:?}",
        manual.reasons
    );
}

#[tokio::test]
async fn an_import_through_the_api_enqueues_the_new_leads_at_once() {
    let Some(p) = AwsPipeline::new("himport").await else {
        return;
    };
    let api = p.function("api");
    let res = fn_api::handler(request("apigw-leads-import.json"), api).await;
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

    let again = fn_api::handler(request("apigw-leads-import.json"), api).await;
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

/// A config version saved now, as the operator does (docs/deploy.md, step 6).
async fn save_config(p: &AwsPipeline, table: &str, toml: &str, expected: u64) {
    let store = sqa_aws::DynamoConfig::new(p.env.clients.dynamodb.clone(), table);
    sqa_core::ports::ConfigStore::save(&store, toml, expected, chrono::Utc::now())
        .await
        .expect("save the config");
}

/// The functions' runtime on this deployment, with a config TTL of `ttl_secs`.
async fn runtime(
    p: &AwsPipeline,
    wiring: sqa_aws::wire::Wiring,
    ttl_secs: u64,
    config_table: Option<&str>,
) -> anyhow::Result<sqa_aws::lambda::Runtime> {
    let mut settings = p.settings.clone();
    settings.config_ttl = std::time::Duration::from_secs(ttl_secs);
    if let Some(t) = config_table {
        settings.config_table = t.to_string();
    }
    sqa_aws::lambda::Runtime::new(
        p.env.clients.clone(),
        settings,
        wiring,
        sqa_aws::wire::Overrides::default(),
    )
    .await
}

#[tokio::test]
async fn aws_a_warm_function_sees_a_new_config_version_once_its_cached_config_expires() {
    let Some(p) = AwsPipeline::new("hconfigttl").await else {
        return;
    };
    let table = p.settings.config_table.clone();
    let running = read_fixture("aws-sqa.toml");
    let stopped = running.replace("state = \"running\"", "state = \"stopped\"");
    assert_ne!(running, stopped);

    let fresh = runtime(&p, fn_research::WIRING, 0, None)
        .await
        .expect("init");
    let cached = runtime(&p, fn_research::WIRING, 3600, None)
        .await
        .expect("init");
    let first = fresh.deps().await.expect("config v1");
    assert_eq!(first.config.state, sqa_core::config::AgentState::Running);
    assert_eq!(
        cached.deps().await.expect("config v1").config.state,
        sqa_core::config::AgentState::Running
    );

    save_config(&p, &table, &stopped, 1).await;
    let second = fresh.deps().await.expect("config v2");
    assert_eq!(
        second.config.state,
        sqa_core::config::AgentState::Stopped,
        "read again when the TTL is over"
    );
    assert!(
        Arc::ptr_eq(&first.ports.web, &second.ports.web),
        "the web section did not change: the web port (and the research cache keyed by it) is kept"
    );
    assert_eq!(
        cached.deps().await.expect("cached").config.state,
        sqa_core::config::AgentState::Running,
        "within the TTL the cached config is used"
    );
}

#[tokio::test]
async fn aws_without_a_usable_config_every_record_is_retried_and_a_bad_deploy_fails_at_init() {
    let Some(p) = AwsPipeline::new("hnoconfig").await else {
        return;
    };
    // An empty config table: nothing saved yet.
    let empty = format!("{}-empty", p.settings.config_table);
    sqa_aws::provision::create_table(&p.env.clients, &sqa_aws::schema::CONFIG, &empty)
        .await
        .expect("create the table");
    let rt = runtime(&p, fn_validate::WIRING, 60, Some(&empty))
        .await
        .expect("init does not read the config");
    let err = rt.deps().await.err().expect("no config");
    assert!(format!("{err:#}").contains("no agent config"), "{err:#}");
    let response = rt
        .sqs_batch(event("sqs-validate-batch.json"), |_, _| async {
            panic!("the handler must not run without a config")
        })
        .await
        .expect("every record has a messageId");
    assert_eq!(
        response.batch_item_failures.len(),
        3,
        "every record comes back, none is acknowledged"
    );

    // A config with errors is as unusable; the error names the version.
    save_config(&p, &empty, "mode = \"sometimes\"\n", 0).await;
    let err = rt.deps().await.err().expect("invalid config");
    assert!(format!("{err:#}").contains("version 1"), "{err:#}");

    // A valid one is picked up at the next invocation (the failure was not cached).
    save_config(&p, &empty, &read_fixture("aws-sqa.toml"), 1).await;
    assert!(rt.deps().await.is_ok());

    // Settings and secrets are read at init: a function that signs links fails there.
    let mut settings = p.settings.clone();
    settings.unsubscribe_secret = sqa_aws::settings::Secret::None;
    let init = sqa_aws::lambda::Runtime::new(
        p.env.clients.clone(),
        settings,
        fn_outreach::WIRING,
        sqa_aws::wire::Overrides::default(),
    )
    .await;
    assert!(
        init.is_err(),
        "no unsubscribe secret must fail the init phase"
    );
}

#[tokio::test]
async fn aws_a_port_a_function_does_not_wire_answers_with_an_error_naming_it() {
    let Some(p) = AwsPipeline::new("hnotwired").await else {
        return;
    };
    let validate = p.function("validate");
    let err = validate
        .ports
        .web
        .fetch("https://kestrelpay.example/")
        .await
        .expect_err("validate has no web");
    assert!(
        err.to_string()
            .contains("web port is not wired into the validate function"),
        "{err}"
    );
    let research = p.function("research");
    let err = research
        .ports
        .model
        .run(sqa_core::ports::ModelTask::Draft, &serde_json::json!({}))
        .await
        .expect_err("research has no model");
    assert!(err.to_string().contains("research"), "{err}");
    // Outreach drafts but never classifies.
    let err = p
        .function("outreach")
        .ports
        .model
        .run(sqa_core::ports::ModelTask::Classify, &serde_json::json!({}))
        .await
        .expect_err("outreach's model only drafts");
    assert!(err.to_string().contains("classify"), "{err}");
}

/// A DynamoDB stream batch on the leads table (the fixture, as the filtered event source
/// mapping delivers it): its leads are claimed and queued for validation at once; the same
/// batch again, or the agent's own claim coming back, claims nothing twice.
#[tokio::test]
async fn a_stream_batch_of_new_leads_is_claimed_at_once_and_only_once() {
    let Some(p) = AwsPipeline::new("hstream").await else {
        return;
    };
    let now = p.deps.ports.clock.now().format("%Y-%m-%dT%H:%M:%SZ");
    let csv = format!(
        "id,first_name,last_name,email,title,company,website,industry,employees,country,tech_stack,source,status,owner,created_at,notes\n\
         AWS101,Ada,Stream,ada@kestrelpay.example,Head of Data,Kestrel Pay,https://kestrelpay.example/,Software,300,US,Snowflake,webinar,open,marcus.okafor,{now},\n\
         AWS102,Bo,Stream,bo@kestrelpay.example,Head of Data,Kestrel Pay,https://kestrelpay.example/,Software,300,US,Snowflake,webinar,open,marcus.okafor,{now},\n"
    );
    p.seed(csv.as_bytes()).await;
    let event: serde_json::Value =
        serde_json::from_str(&read_fixture("dynamodb-stream-new-leads.json")).expect("JSON");
    assert!(fn_select::is_stream_event(&event));
    assert_eq!(
        fn_select::stream_lead_ids(&event).len(),
        2,
        "AWS101 twice counts once"
    );

    let out = fn_select::on_stream(&event, p.function("select"))
        .await
        .expect("the batch is handled");
    assert_eq!(out["claimed"], 2, "{out}");
    assert_eq!(p.stage_of("AWS101").await, Stage::Selected);
    assert_eq!(p.stage_of("AWS102").await, Stage::Selected);

    let again = fn_select::on_stream(&event, p.function("select"))
        .await
        .expect("a redelivered batch is handled");
    assert_eq!(again["claimed"], 0, "{again}");
    assert_eq!(p.pump(sqa_core::ports::QueueName::Validate, 1).await, 2);
}
