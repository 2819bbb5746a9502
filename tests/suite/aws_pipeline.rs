//! End to end on moto server: leads seeded in DynamoDB, `select` invoked with a real
//! EventBridge scheduled event, then messages moved the way Lambda's event source mapping
//! moves them (receive from SQS, build the SQS event JSON, invoke the handler, delete what
//! succeeded) through validate, research and outreach; the sent mail read back from moto; a
//! reply put in S3 and announced to engage by an SNS-wrapped SES receipt notification; then
//! handover. A second run delivers every message twice and must end the same, with one email
//! per touch.

use anyhow::Context;
use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use sqa_aws::settings::Settings;
use sqa_aws::testkit::{self, Env, SentMail};
use sqa_aws::wire::{self, NeedsSecret, Overrides, Wired, Wiring};
use sqa_aws::{Clients, DynamoConfig};
use sqa_core::domain::{LeadId, Stage, TouchState};
use sqa_core::ports::{ConfigStore, Deps, FixedClock, NoDns, QueueName};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

pub const SENDER: &str = "ava@agent.lumora.example";
pub const NOW: &str = "2026-11-01T00:00:00Z";

pub fn fixture(name: &str) -> PathBuf {
    sqa_tests::workspace_root()
        .join("tests/fixtures")
        .join(name)
}

pub fn read_fixture(name: &str) -> String {
    std::fs::read_to_string(fixture(name)).unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

/// One deployment on moto, wired like the Lambda functions are, with the clock fixed and the
/// web served from the example's mirror.
pub struct AwsPipeline {
    pub env: Env,
    /// Every port (for seeding and reading back, and for handler tests that inject faults).
    pub deps: Deps,
    /// Each function's own ports (its `WIRING`: a port it does not use is not wired), so that
    /// the end-to-end run proves every function wires what its stage needs.
    pub functions: BTreeMap<&'static str, Deps>,
    pub settings: Settings,
    /// Lambda's own calls (the event source mapping's receives and deletes) go through these,
    /// so that `env.clients.calls` counts only what the functions do.
    pub lambda_service: Clients,
    /// Every Message-ID this deployment makes ends in this domain: it tells this test's mail
    /// from other tests' in moto's shared outbox.
    pub mail_domain: String,
}

impl AwsPipeline {
    pub async fn new(test: &str) -> Option<AwsPipeline> {
        let env = match Env::new(test).await {
            Ok(Some(env)) => env,
            Ok(None) => return None,
            Err(e) => panic!("{test}: {e:#}"),
        };
        Some(
            Self::with_env(env)
                .await
                .unwrap_or_else(|e| panic!("{test}: {e:#}")),
        )
    }

    async fn with_env(env: Env) -> anyhow::Result<AwsPipeline> {
        let clients = &env.clients;
        sqa_aws::provision::verify_sender(clients, SENDER).await?;
        // The config the functions read at cold start, and the knowledge it names.
        let store = DynamoConfig::new(clients.dynamodb.clone(), &env.names.config_table);
        let now = sqa_core::import::parse_timestamp(NOW).context("NOW")?;
        store
            .save(&read_fixture("aws-sqa.toml"), 0, now)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        for doc in ["faq.md", "pricing.md"] {
            let path = sqa_tests::example_dir().join("company/knowledge").join(doc);
            let bytes = std::fs::read(&path).with_context(|| path.display().to_string())?;
            clients
                .s3
                .put_object()
                .bucket(&env.names.bucket)
                .key(format!("knowledge/{doc}"))
                .body(bytes.into())
                .send()
                .await
                .context("put knowledge")?;
        }
        let mail_domain = format!(
            "{}.agent.lumora.example",
            env.names.bucket.trim_end_matches("-inbound")
        );
        let mut vars: HashMap<String, String> = HashMap::from([
            ("SQA_LEADS_TABLE".into(), env.names.leads_table.clone()),
            ("SQA_CONFIG_TABLE".into(), env.names.config_table.clone()),
            ("SQA_RUNS_TABLE".into(), env.names.runs_table.clone()),
            (
                "SQA_SUPPRESSIONS_TABLE".into(),
                env.names.suppressions_table.clone(),
            ),
            ("SQA_INBOX_BUCKET".into(), env.names.bucket.clone()),
            ("SQA_INBOX_PREFIX".into(), "inbound/".into()),
            ("SQA_KNOWLEDGE_BUCKET".into(), env.names.bucket.clone()),
            ("SQA_KNOWLEDGE_PREFIX".into(), "knowledge/".into()),
            ("SQA_MODE".into(), "engage".into()),
            ("SQA_SENDER".into(), SENDER.into()),
            ("SQA_MAIL_DOMAIN".into(), mail_domain.clone()),
            (
                "SQA_UNSUBSCRIBE_SECRET".into(),
                "test-secret-not-for-production".into(),
            ),
        ]);
        for (q, urls) in &env.names.queues {
            let upper = q.as_str().to_uppercase();
            vars.insert(format!("SQA_QUEUE_{upper}_URL"), urls.url.clone());
            if let Some(d) = &urls.dlq_url {
                vars.insert(format!("SQA_QUEUE_{upper}_DLQ_URL"), d.clone());
            }
        }
        let settings = Settings::from_lookup(|k| vars.get(k).cloned())?;
        let overrides = Overrides {
            clock: Some(Arc::new(FixedClock::new(now))),
            web: Some(Arc::new(sqa_local::web::DirWeb::new(
                sqa_tests::example_dir().join("web"),
            ))),
            dns: Some(Arc::new(NoDns)),
        };
        let deps = wire::deps(clients, &settings, NeedsSecret::Yes, overrides.clone()).await?;
        let mut functions = BTreeMap::new();
        for wiring in [
            fn_select::WIRING,
            fn_validate::WIRING,
            fn_research::WIRING,
            fn_outreach::WIRING,
            fn_engage::WIRING,
            fn_handover::WIRING,
            fn_feedback::WIRING,
            fn_api::WIRING,
            fn_webhooks::WIRING,
        ] {
            functions.insert(
                wiring.function,
                function_deps(&env, &settings, wiring, &overrides, &deps).await?,
            );
        }
        let lambda_service = testkit::clients(&env.endpoint).await;
        Ok(AwsPipeline {
            env,
            deps,
            functions,
            settings,
            lambda_service,
            mail_domain,
        })
    }

    /// Insert the leads of a CSV straight into the leads table.
    pub async fn seed(&self, csv: &[u8]) -> Vec<LeadId> {
        let now = self.deps.ports.clock.now();
        let (leads, report) = sqa_core::import::parse_csv(csv, now).expect("the CSV parses");
        assert!(
            report.errors.is_empty(),
            "seed rows are valid: {:?}",
            report.errors
        );
        let mut ids = Vec::new();
        for lead in leads {
            self.deps
                .ports
                .leads
                .insert(&lead)
                .await
                .expect("insert lead");
            ids.push(lead.id);
        }
        ids
    }

    /// The ports of one function (see `functions`).
    pub fn function(&self, name: &str) -> &Deps {
        self.functions
            .get(name)
            .unwrap_or_else(|| panic!("no function {name}"))
    }

    /// Invoke `select` with the fixture's EventBridge scheduled event.
    pub async fn invoke_select(&self) -> serde_json::Value {
        let event: EventBridgeEvent<serde_json::Value> =
            serde_json::from_str(&read_fixture("eventbridge-scheduled.json")).expect("event");
        fn_select::handler(event, self.function("select"))
            .await
            .expect("select succeeds")
    }

    /// Invoke the function of `queue` with one SQS event, with that function's own ports.
    pub async fn invoke(&self, queue: QueueName, event: SqsEvent) -> SqsBatchResponse {
        let deps = self.function(queue.as_str());
        let n = self.settings.concurrency;
        let result = match queue {
            QueueName::Validate => fn_validate::handler(event, deps, n).await,
            QueueName::Research => fn_research::handler(event, deps, n).await,
            QueueName::Outreach => fn_outreach::handler(event, deps, n).await,
            QueueName::Handover => fn_handover::handler(event, deps, n).await,
            QueueName::Engage => {
                fn_engage::handler(event, deps, self.settings.inbox_bucket.as_deref(), n).await
            }
            QueueName::Webhooks => fn_webhooks::handler(event, deps, n).await,
        };
        result.expect("no record without a messageId")
    }

    /// Move messages like the event source mapping: receive up to ten, build the SQS event,
    /// invoke the handler (`deliveries` times, as an at-least-once delivery may), delete what
    /// did not fail. Repeats until the queue is empty; returns the messages handled.
    pub async fn pump(&self, queue: QueueName, deliveries: usize) -> usize {
        let url = &self.env.names.queues[&queue].url;
        let sqs = &self.lambda_service.sqs;
        let mut handled = 0;
        let mut empty = 0;
        while empty < 2 {
            let out = sqs
                .receive_message()
                .queue_url(url)
                .max_number_of_messages(10)
                .message_system_attribute_names(
                    sqa_aws::testkit::sqs_types::MessageSystemAttributeName::All,
                )
                .send()
                .await
                .expect("receive");
            let messages = out.messages();
            if messages.is_empty() {
                empty += 1;
                continue;
            }
            empty = 0;
            let event = sqs_event(queue, messages);
            let mut failed = Vec::new();
            for _ in 0..deliveries {
                let response = self.invoke(queue, event.clone()).await;
                failed = response
                    .batch_item_failures
                    .iter()
                    .map(|f| f.item_identifier.clone())
                    .collect();
            }
            for m in messages {
                let id = m.message_id().unwrap_or_default();
                if failed.iter().any(|f| f == id) {
                    continue;
                }
                sqs.delete_message()
                    .queue_url(url)
                    .receipt_handle(m.receipt_handle().unwrap_or_default())
                    .send()
                    .await
                    .expect("delete");
                handled += 1;
            }
        }
        handled
    }

    /// Validate, research, outreach, each drained in turn.
    pub async fn run_through_outreach(&self, deliveries: usize) {
        for q in [
            QueueName::Validate,
            QueueName::Research,
            QueueName::Outreach,
        ] {
            self.pump(q, deliveries).await;
        }
    }

    /// The mail this deployment sent, in send order.
    pub async fn sent(&self) -> Vec<SentMail> {
        testkit::sent_mail(&self.env.endpoint)
            .await
            .expect("read moto's sent mail")
            .into_iter()
            .filter(|m| m.raw_data.contains(&self.mail_domain))
            .collect()
    }

    /// Store a reply in the inbound bucket and announce it on the engage queue the way SES →
    /// SNS → SQS does.
    pub async fn deliver_reply(&self, key: &str, raw: &str) {
        self.lambda_service
            .s3
            .put_object()
            .bucket(&self.env.names.bucket)
            .key(key)
            .body(raw.as_bytes().to_vec().into())
            .send()
            .await
            .expect("put the reply");
        let fixture: serde_json::Value =
            serde_json::from_str(&read_fixture("sqs-engage-ses-receipt.json")).expect("fixture");
        let body = fixture["Records"][0]["body"].as_str().unwrap_or_default();
        let mut sns: serde_json::Value = serde_json::from_str(body).expect("SNS envelope");
        let mut ses: serde_json::Value =
            serde_json::from_str(sns["Message"].as_str().unwrap_or_default()).expect("SES JSON");
        ses["receipt"]["action"]["bucketName"] = self.env.names.bucket.clone().into();
        ses["receipt"]["action"]["objectKey"] = key.into();
        sns["Message"] = ses.to_string().into();
        self.lambda_service
            .sqs
            .send_message()
            .queue_url(&self.env.names.queues[&QueueName::Engage].url)
            .message_body(sns.to_string())
            .send()
            .await
            .expect("send the notification");
    }

    /// The stored lead, read past any fault injected into `deps`.
    pub async fn lead(&self, id: &str) -> sqa_core::domain::Lead {
        let store = sqa_aws::DynamoLeads::new(
            self.env.clients.dynamodb.clone(),
            &self.env.names.leads_table,
        );
        let id = LeadId::parse(id).expect("id");
        sqa_core::ports::LeadStore::get(&store, &id)
            .await
            .expect("get")
            .expect("lead exists")
    }

    pub async fn stage_of(&self, id: &str) -> Stage {
        self.lead(id).await.stage
    }

    /// What happened to a lead, for failure messages.
    pub async fn describe(&self, id: &str) -> String {
        let lead = self.lead(id).await;
        let records = self
            .deps
            .ports
            .runs
            .for_lead(&lead.id)
            .await
            .unwrap_or_default();
        let steps: Vec<String> = records
            .iter()
            .map(|r| {
                format!(
                    "{}:{} {:?} {}",
                    r.stage,
                    r.decision,
                    r.reasons,
                    r.error.as_deref().unwrap_or("")
                )
            })
            .collect();
        format!(
            "{id}: stage {} blocked {:?} reason {:?} touches {:?}\n  {}",
            lead.stage,
            lead.blocked,
            lead.reason,
            lead.touches
                .iter()
                .map(|t| (t.n, t.state, t.message_id.clone()))
                .collect::<Vec<_>>(),
            steps.join("\n  ")
        )
    }
}

/// The ports `wiring` gives a function, with the test's clock, web and DNS where it wires
/// those, and the config `all` was built with.
async fn function_deps(
    env: &Env,
    settings: &Settings,
    wiring: Wiring,
    overrides: &Overrides,
    all: &Deps,
) -> anyhow::Result<Deps> {
    let wired = Wired::new(&env.clients, settings, wiring, overrides.clone()).await?;
    wired.deps_for((*all.config).clone(), None)
}

/// The SQS event Lambda builds from received messages (the JSON shape of the fixtures).
pub fn sqs_event(queue: QueueName, messages: &[sqa_aws::testkit::sqs_types::Message]) -> SqsEvent {
    let records: Vec<serde_json::Value> = messages
        .iter()
        .map(|m| {
            let attributes: BTreeMap<String, String> = m
                .attributes()
                .map(|a| {
                    a.iter()
                        .map(|(k, v)| (k.as_str().to_string(), v.clone()))
                        .collect()
                })
                .unwrap_or_default();
            serde_json::json!({
                "messageId": m.message_id(),
                "receiptHandle": m.receipt_handle(),
                "body": m.body(),
                "attributes": attributes,
                "messageAttributes": {},
                "md5OfBody": m.md5_of_body(),
                "eventSource": "aws:sqs",
                "eventSourceARN": format!("arn:aws:sqs:us-east-1:123456789012:{}", queue.as_str()),
                "awsRegion": "us-east-1",
            })
        })
        .collect();
    serde_json::from_value(serde_json::json!({ "Records": records })).expect("an SQS event")
}

/// A header of a raw message (first occurrence, unfolded).
pub fn header(raw: &str, name: &str) -> Option<String> {
    let head = raw.split("\r\n\r\n").next().unwrap_or(raw);
    let mut value: Option<String> = None;
    for line in head.split("\r\n") {
        if let Some(v) = value.as_mut() {
            if line.starts_with(' ') || line.starts_with('\t') {
                v.push(' ');
                v.push_str(line.trim());
                continue;
            }
            break;
        }
        if let Some((k, v)) = line.split_once(':')
            && k.eq_ignore_ascii_case(name)
        {
            value = Some(v.trim().to_string());
        }
    }
    value
}

/// What one whole run ends with.
#[derive(Debug, PartialEq)]
struct Ending {
    stages: BTreeMap<String, Stage>,
    /// Message-IDs of the sent mail, each with how often it was sent.
    sent: BTreeMap<String, usize>,
}

/// The whole loop; `deliveries` = 2 delivers every message twice.
async fn whole_loop(p: &AwsPipeline, deliveries: usize) -> Ending {
    let ids = p.seed(read_fixture("aws-leads.csv").as_bytes()).await;
    assert_eq!(ids.len(), 3);
    let before = p.env.clients.calls.snapshot();

    let report = p.invoke_select().await;
    assert_eq!(
        report["selected"].as_array().map(|a| a.len()),
        Some(2),
        "the two open leads are selected: {report}"
    );
    if deliveries > 1 {
        // An overlapping or retried schedule claims nothing twice.
        let again = p.invoke_select().await;
        assert_eq!(
            again["selected"].as_array().map(|a| a.len()),
            Some(0),
            "{again}"
        );
    }
    p.run_through_outreach(deliveries).await;

    // Outreach sent one first email to each selected lead, with the headers SES must carry.
    let sent = p.sent().await;
    let Some(first) = sent
        .iter()
        .find(|m| m.raw_data.contains("rmorgan@brightlane-logistics.example"))
    else {
        panic!(
            "no email to AWS001 ({} sent)\n{}\n{}",
            sent.len(),
            p.describe("AWS001").await,
            p.describe("AWS002").await
        );
    };
    let raw = &first.raw_data;
    let message_id = header(raw, "Message-ID").expect("Message-ID");
    assert!(message_id.contains(&p.mail_domain), "{message_id}");
    assert!(
        header(raw, "List-Unsubscribe").is_some(),
        "List-Unsubscribe"
    );
    assert_eq!(
        header(raw, "List-Unsubscribe-Post").as_deref(),
        Some("List-Unsubscribe=One-Click"),
        "RFC 8058"
    );
    assert_eq!(first.source, SENDER);
    assert_eq!(p.stage_of("AWS001").await, Stage::Contacted);
    assert_eq!(p.stage_of("AWS002").await, Stage::Contacted);

    // The lead answers; SES stores the reply and notifies engage.
    let subject = header(raw, "Subject").unwrap_or_default();
    let reply = format!(
        "From: Rhys Morgan <rmorgan@brightlane-logistics.example>\r\nTo: Ava Reed <{SENDER}>\r\n\
         Subject: Re: {subject}\r\nDate: Sun, 01 Nov 2026 09:30:00 +0000\r\n\
         Message-ID: <reply-1@kestrelpay.example>\r\nIn-Reply-To: {message_id}\r\n\
         References: {message_id}\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n\
         Hi Ava,\r\n\r\nThis sounds interesting. Could we book a demo next week? I run the \
         data platform team and we have budget set aside for this quarter.\r\n\r\nRhys\r\n"
    );
    p.deliver_reply("inbound/reply-aws001", &reply).await;
    p.pump(QueueName::Engage, deliveries).await;
    p.pump(QueueName::Handover, deliveries).await;

    let after = p.env.clients.calls.snapshot();
    let leads_in_loop = 2.0;
    println!(
        "figures: calls through the whole loop ({deliveries} deliveries per message): \
         DynamoDB {} ({:.1} per lead), SQS {} ({:.1} per lead), SES {}, S3 {} — for the {} \
         leads that went through it (3 seeded)",
        after.dynamodb - before.dynamodb,
        (after.dynamodb - before.dynamodb) as f64 / leads_in_loop,
        after.sqs - before.sqs,
        (after.sqs - before.sqs) as f64 / leads_in_loop,
        after.ses - before.ses,
        after.s3 - before.s3,
        leads_in_loop,
    );

    let mut stages = BTreeMap::new();
    for id in ["AWS001", "AWS002", "AWS003"] {
        stages.insert(id.to_string(), p.stage_of(id).await);
    }
    let mut sent_ids = BTreeMap::new();
    for m in p.sent().await {
        let id = header(&m.raw_data, "Message-ID").unwrap_or_default();
        *sent_ids.entry(id).or_insert(0) += 1;
    }
    Ending {
        stages,
        sent: sent_ids,
    }
}

async fn assert_the_loop_ended_well(p: &AwsPipeline, end: &Ending) {
    assert_eq!(end.stages["AWS001"], Stage::HandedOver, "{end:?}");
    assert_eq!(end.stages["AWS002"], Stage::Contacted, "{end:?}");
    assert_eq!(
        end.stages["AWS003"],
        Stage::New,
        "a closed lead is never selected"
    );
    for (id, n) in &end.sent {
        assert_eq!(*n, 1, "{id} was sent {n} times");
    }
    // Every touch recorded as sent went out exactly once, under its Message-ID.
    for lead in ["AWS001", "AWS002"] {
        let l = p
            .deps
            .ports
            .leads
            .get(&LeadId::parse(lead).expect("id"))
            .await
            .expect("get")
            .expect("lead");
        let sent: Vec<_> = l
            .touches
            .iter()
            .filter(|t| t.state == TouchState::Sent)
            .collect();
        assert!(!sent.is_empty(), "{lead} has a sent touch");
        for t in sent {
            assert_eq!(
                end.sent.get(&t.message_id),
                Some(&1),
                "{lead} touch {}",
                t.n
            );
            assert!(t.provider_id.is_some(), "SES's id is kept");
        }
    }
    // The run records tell the whole story of the handed-over lead.
    let records = p
        .deps
        .ports
        .runs
        .for_lead(&LeadId::parse("AWS001").expect("id"))
        .await
        .expect("run records");
    let stages: Vec<&str> = records.iter().map(|r| r.stage.as_str()).collect();
    for stage in [
        "select", "validate", "research", "outreach", "engage", "handover",
    ] {
        assert!(stages.contains(&stage), "a {stage} record in {stages:?}");
    }
    let dead = p
        .deps
        .ports
        .queue
        .dead_letters(QueueName::Validate)
        .await
        .expect("dead letters");
    assert!(dead.is_empty(), "nothing in the dead-letter queues");
}

#[tokio::test]
async fn aws_pipeline_takes_leads_from_selection_to_handover_on_moto() {
    let Some(p) = AwsPipeline::new("e2e").await else {
        return;
    };
    let end = whole_loop(&p, 1).await;
    assert_the_loop_ended_well(&p, &end).await;
}

#[tokio::test]
async fn aws_pipeline_delivering_every_message_twice_ends_the_same_with_one_email_per_touch() {
    let Some(p) = AwsPipeline::new("e2edup").await else {
        return;
    };
    let end = whole_loop(&p, 2).await;
    assert_the_loop_ended_well(&p, &end).await;
}

/// Speed to lead on the AWS path, on moto: a lead written to the leads table, the stream
/// record the filtered event source mapping delivers for it, then the chain of handlers
/// (select on the stream, validate, research, outreach) until SES accepted the first email.
/// The event source mapping's own latency (its batching window, 1 s at most, and Lambda's
/// invocation) is not in the figure. `bash infra/test.sh speed_to_lead -- --nocapture`.
#[tokio::test]
async fn aws_pipeline_speed_to_lead_through_the_stream_and_the_handler_chain() {
    let Some(p) = AwsPipeline::new("speed").await else {
        return;
    };
    let rows = [
        (
            "Rhys",
            "rmorgan@brightlane-logistics.example",
            "https://brightlane-logistics.example/",
        ),
        (
            "Ines",
            "ines.duarte@parcelwise.example",
            "https://parcelwise.example/",
        ),
    ];
    let mut latencies = Vec::new();
    for i in 0..10 {
        let (name, email, site) = rows[i % rows.len()];
        let id = format!("SPD{i:03}");
        let email = email.replace('@', &format!("+{i}@"));
        let now = p.deps.ports.clock.now().format("%Y-%m-%dT%H:%M:%SZ");
        let csv = format!(
            "id,first_name,last_name,email,title,company,website,industry,employees,country,tech_stack,source,status,owner,created_at,notes\n\
             {id},{name},Speed,{email},Head of Data Platform,Speed Co {i},{site},Logistics,620,GB,Snowflake;dbt,partner,open,marcus.okafor,{now},\n"
        );
        let t0 = std::time::Instant::now();
        p.seed(csv.as_bytes()).await;
        let event = serde_json::json!({"Records": [{
            "eventID": format!("speed-{i}"), "eventName": "INSERT", "eventSource": "aws:dynamodb",
            "dynamodb": {"Keys": {"id": {"S": id}}, "NewImage": {"id": {"S": id}, "stage": {"S": "new"}}}
        }]});
        let out = fn_select::on_stream(&event, p.function("select"))
            .await
            .expect("the stream batch is handled");
        assert_eq!(out["claimed"], 1, "{out}");
        p.run_through_outreach(1).await;
        let lead = p.lead(&id).await;
        assert!(
            lead.touches
                .first()
                .is_some_and(|t| t.state == sqa_core::domain::TouchState::Sent),
            "{id}: {}",
            p.describe(&id).await
        );
        latencies.push(t0.elapsed().as_secs_f64());
    }
    latencies.sort_by(f64::total_cmp);
    let pct = |q: f64| {
        latencies[((q * latencies.len() as f64).ceil() as usize).clamp(1, latencies.len()) - 1]
    };
    println!(
        "speed to lead on moto (stream record → select → validate → research → outreach → SES accepted): p50 {:.2} s, p95 {:.2} s over {} leads",
        pct(0.5),
        pct(0.95),
        latencies.len()
    );
    assert!(pct(0.95) < 60.0);
}

/// DynamoDB and SQS share no transaction: a select run that dies between a lead's claim and
/// its validate message leaves the lead `selected` with no message. The scheduled select run
/// sends it again once the lead has waited longer than the sweep's grace period, and the
/// lead goes on through the pipeline; a lead claimed a moment ago is left alone.
#[tokio::test]
async fn aws_the_select_function_resends_a_lead_a_crash_left_selected_without_its_message() {
    let Some(p) = AwsPipeline::new("sweep").await else {
        return;
    };
    let now = p.deps.ports.clock.now();
    let stuck = |id: &str, email: &str, waited: chrono::Duration| {
        let mut lead = sqa_core::domain::Lead::new(LeadId::parse(id).expect("id"), now);
        lead.first_name = "Rhys".into();
        lead.last_name = "Morgan".into();
        lead.email = email.into();
        lead.email_key = sqa_core::EmailKey::from_stored(email);
        lead.status = "open".into();
        lead.title = "Head of Data".into();
        lead.company = "Kestrel Pay".into();
        lead.website = "https://kestrelpay.example/".into();
        lead.stage = Stage::Selected;
        lead.claimed_by = Some("select-died".into());
        lead.updated_at = now - waited;
        lead
    };
    let old = stuck(
        "AWS-STUCK",
        "rmorgan@kestrelpay.example",
        chrono::Duration::minutes(20),
    );
    let recent = stuck(
        "AWS-RECENT",
        "maja@kestrelpay.example",
        chrono::Duration::minutes(5),
    );
    for l in [&old, &recent] {
        p.deps.ports.leads.insert(l).await.expect("insert");
    }

    let report = p.invoke_select().await;
    assert_eq!(
        report["resent"],
        serde_json::json!(["AWS-STUCK"]),
        "only the lead waiting longer than the grace period is resent: {report}"
    );
    let again = p.invoke_select().await;
    assert!(
        again.get("resent").is_none() || again["resent"] == serde_json::json!([]),
        "the sweep's claim keeps an overlapping run from resending it: {again}"
    );

    p.run_through_outreach(1).await;
    assert_eq!(
        p.stage_of("AWS-STUCK").await,
        Stage::Contacted,
        "{}",
        p.describe("AWS-STUCK").await
    );
    let sent = p.sent().await;
    assert_eq!(
        sent.iter()
            .filter(|m| m.raw_data.contains("rmorgan@kestrelpay.example"))
            .count(),
        1,
        "the resent lead gets its first email once"
    );
    assert_eq!(p.stage_of("AWS-RECENT").await, Stage::Selected);
}

/// A reply threaded the way SES delivers the agent's mail: the recipient saw SES's
/// `<ID@REGION.amazonses.com>`, never the agent's Message-ID, and quotes only that.
fn ses_threaded_reply(from: &str, wire: &str, msg_id: &str, subject: &str, text: &str) -> String {
    format!(
        "From: <{from}>\r\nTo: Ava Reed <{SENDER}>\r\nSubject: Re: {subject}\r\n\
         Date: Sun, 01 Nov 2026 09:30:00 +0000\r\nMessage-ID: {msg_id}\r\n\
         In-Reply-To: {wire}\r\nReferences: {wire}\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n"
    )
}

#[tokio::test]
async fn aws_replies_quoting_the_ses_message_id_reach_the_lead_on_moto() {
    let Some(p) = AwsPipeline::new("sesthread").await else {
        return;
    };
    p.seed(read_fixture("aws-leads.csv").as_bytes()).await;
    p.invoke_select().await;
    p.run_through_outreach(1).await;

    let id = LeadId::parse("AWS001").expect("id");
    let lead = p
        .deps
        .ports
        .leads
        .get(&id)
        .await
        .expect("get")
        .expect("lead");
    let described = p.describe("AWS001").await;
    let touch = lead
        .touches
        .iter()
        .find(|t| t.state == TouchState::Sent)
        .unwrap_or_else(|| panic!("a sent touch: {described}"));
    // What the emulator's SES returned, turned into what SES puts on the wire.
    let ses_id = touch.provider_id.clone().expect("SES's id is kept");
    let region = p
        .env
        .clients
        .ses()
        .config()
        .region()
        .map(|r| r.to_string())
        .expect("a region");
    let wire = sqa_core::mail::ids::ses_wire_id(&ses_id, &region);
    assert_eq!(touch.wire_id.as_deref(), Some(wire.as_str()));
    assert!(wire.ends_with(".amazonses.com>"), "{wire}");
    let sent = p.sent().await;
    let subject = sent
        .iter()
        .find(|m| m.raw_data.contains("rmorgan@brightlane-logistics.example"))
        .and_then(|m| header(&m.raw_data, "Subject"))
        .unwrap_or_default();

    // A colleague answers the thread: nothing but SES's id names the lead. The lead is
    // reached (a person is told) and nothing on it changes.
    let in_us_east_1 = format!("<{ses_id}@us-east-1.amazonses.com>");
    p.deliver_reply(
        "inbound/ses-colleague",
        &ses_threaded_reply(
            "pat@brightlane-logistics.example",
            &in_us_east_1,
            "<c-1@brightlane-logistics.example>",
            &subject,
            "Rhys asked me to look at this. What does it cost?",
        ),
    )
    .await;
    p.pump(QueueName::Engage, 1).await;
    let records = p.deps.ports.runs.for_lead(&id).await.expect("run records");
    assert!(
        records
            .iter()
            .any(|r| r.stage == "engage" && r.decision == "stranger"),
        "the colleague's reply reached AWS001: {records:?}"
    );
    assert_eq!(p.stage_of("AWS001").await, Stage::Contacted);

    // The lead answers the same thread: handed over.
    p.deliver_reply(
        "inbound/ses-lead",
        &ses_threaded_reply(
            "rmorgan@brightlane-logistics.example",
            &wire,
            "<r-1@brightlane-logistics.example>",
            &subject,
            "Hi Ava, this sounds interesting. Could we book a demo next week? We have budget \
             set aside for this quarter.",
        ),
    )
    .await;
    p.pump(QueueName::Engage, 1).await;
    p.pump(QueueName::Handover, 1).await;
    assert_eq!(p.stage_of("AWS001").await, Stage::HandedOver);
}
