//! A sandbox deployment on moto server for `infra/lambda-figures.sh`: the resources of
//! `template.yaml` made with the project's own provisioning, an active agent config, leads,
//! and the events Lambda would hand each function (built from what is in the queues, or from
//! the fixtures of `tests/fixtures`). Needs `AWS_ENDPOINT_URL` (never talks to real AWS).
//!
//! ```text
//! sqa-sandbox setup PREFIX CONFIG.toml KNOWLEDGE_DIR   → `export SQA_…=…` lines for the functions
//! sqa-sandbox seed N                                   N open leads that fit the ICP (created yesterday)
//! sqa-sandbox event QUEUE [N]                          up to N (10) messages of QUEUE as Lambda's SQS event
//! sqa-sandbox replies ENGAGE_FIXTURE.json [N]          an interested reply to each of N sent first emails:
//!                                                      stored in S3, announced on the engage queue
//! sqa-sandbox feedback-event BOUNCE_FIXTURE.json N     N bounce notifications (seeded addresses) as an SQS event
//! sqa-sandbox import-event IMPORT_FIXTURE.json N       an HTTP API request importing N new leads
//! ```
//!
//! `seed`, `event` and `replies` read the deployment from the `SQA_*` variables `setup` printed.

use anyhow::{Context, bail};
use sqa_aws::provision;
use sqa_aws::testkit;
use sqa_core::ports::{ConfigStore, LeadStore, QueueName};
use std::collections::BTreeMap;
use std::path::Path;

/// The sender the sandbox verifies in SES (the config's `agent.email`).
const SENDER: &str = "ava@agent.lumora.example";
/// The sites of the example's web mirror (`examples/lumora/web`), one per lead in turn.
const SITES: &[(&str, &str, &str)] = &[
    (
        "brightlane-logistics.example",
        "Brightlane Logistics",
        "Logistics",
    ),
    ("kestrelpay.example", "Kestrel Pay", "Fintech"),
    ("parcelwise.example", "Parcelwise", "Logistics"),
    (
        "lindqvist-outdoor.example",
        "Lindqvist Outdoor",
        "E-commerce",
    ),
    ("fernhill-retail.example", "Fernhill Retail", "Retail"),
    ("quillstone.example", "Quillstone", "Software"),
    ("saffronloop.example", "Saffronloop", "Software"),
    ("tidewater-telecom.example", "Tidewater Telecom", "Software"),
    ("halcyon-media.example", "Halcyon Media", "Software"),
    ("orchardhealth.example", "Orchard Health", "Software"),
    (
        "cobaltline-insurance.example",
        "Cobaltline Insurance",
        "Fintech",
    ),
    ("greybridge-games.example", "Greybridge Games", "Software"),
];
const FIRST: &[&str] = &[
    "Rhys", "Ines", "Tom", "Maja", "Priya", "Jonas", "Aiko", "Luca", "Sofia", "Omar", "Lena",
    "Kofi",
];
const LAST: &[&str] = &[
    "Morgan", "Duarte", "Baker", "Holm", "Shah", "Berg", "Tanaka", "Ricci", "Lindgren", "Haddad",
    "Vogel", "Mensah",
];

/// Lead `i` (0-based) of a sandbox: id, name, address and company.
struct SandboxLead {
    id: String,
    first: &'static str,
    last: &'static str,
    email: String,
    site: (&'static str, &'static str, &'static str),
}

fn lead(prefix: &str, i: usize) -> SandboxLead {
    let site = SITES[i % SITES.len()];
    let (first, last) = (FIRST[i % FIRST.len()], LAST[i % LAST.len()]);
    SandboxLead {
        id: format!("{prefix}{:03}", i + 1),
        first,
        last,
        email: format!("{}.{}{}@{}", first, last, i + 1, site.0).to_lowercase(),
        site,
    }
}

fn leads_csv(prefix: &str, n: usize, created_at: &str) -> String {
    let mut csv = String::from(
        "id,first_name,last_name,email,title,company,website,industry,employees,country,\
         tech_stack,source,status,owner,created_at,notes\n",
    );
    for i in 0..n {
        let l = lead(prefix, i);
        csv.push_str(&format!(
            "{},{},{},{},Head of Data Platform,{},https://{}/,{},620,GB,Snowflake;dbt,partner,\
             open,marcus.okafor,{created_at},\n",
            l.id, l.first, l.last, l.email, l.site.1, l.site.0, l.site.2
        ));
    }
    csv
}

fn env(name: &str) -> anyhow::Result<String> {
    std::env::var(name).with_context(|| format!("{name} is not set (eval the output of `setup`)"))
}

async fn clients() -> anyhow::Result<sqa_aws::Clients> {
    let endpoint = std::env::var("AWS_ENDPOINT_URL")
        .ok()
        .filter(|e| !e.trim().is_empty())
        .context("AWS_ENDPOINT_URL is not set: the sandbox only runs against an emulator")?;
    Ok(testkit::clients(endpoint.trim_end_matches('/')).await)
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

async fn setup(prefix: &str, config: &Path, knowledge: &Path) -> anyhow::Result<()> {
    let clients = clients().await?;
    let names = provision::create_all(&clients, prefix).await?;
    provision::verify_sender(&clients, SENDER).await?;
    let toml = std::fs::read_to_string(config).with_context(|| config.display().to_string())?;
    let store = sqa_aws::DynamoConfig::new(clients.dynamodb.clone(), &names.config_table);
    store
        .save(&toml, 0, chrono::Utc::now())
        .await
        .map_err(|e| anyhow::anyhow!("save the config: {e}"))?;
    for entry in std::fs::read_dir(knowledge).with_context(|| knowledge.display().to_string())? {
        let path = entry?.path();
        if !path.is_file() {
            continue;
        }
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        clients
            .s3
            .put_object()
            .bucket(&names.bucket)
            .key(format!("knowledge/{name}"))
            .body(std::fs::read(&path)?.into())
            .send()
            .await
            .with_context(|| format!("put knowledge/{name}"))?;
    }
    let mut vars = BTreeMap::from([
        ("SQA_LEADS_TABLE".to_string(), names.leads_table.clone()),
        ("SQA_CONFIG_TABLE".to_string(), names.config_table.clone()),
        ("SQA_RUNS_TABLE".to_string(), names.runs_table.clone()),
        (
            "SQA_SUPPRESSIONS_TABLE".to_string(),
            names.suppressions_table.clone(),
        ),
        ("SQA_INBOX_BUCKET".to_string(), names.bucket.clone()),
        ("SQA_INBOX_PREFIX".to_string(), "inbound/".to_string()),
        ("SQA_KNOWLEDGE_BUCKET".to_string(), names.bucket.clone()),
        ("SQA_KNOWLEDGE_PREFIX".to_string(), "knowledge/".to_string()),
        ("SQA_MODE".to_string(), "engage".to_string()),
        ("SQA_SENDER".to_string(), SENDER.to_string()),
        (
            "SQA_MAIL_DOMAIN".to_string(),
            format!("{prefix}.agent.lumora.example"),
        ),
        (
            "SQA_UNSUBSCRIBE_SECRET".to_string(),
            "sandbox-secret-not-for-production".to_string(),
        ),
    ]);
    for (q, urls) in &names.queues {
        let upper = q.as_str().to_uppercase();
        vars.insert(format!("SQA_QUEUE_{upper}_URL"), urls.url.clone());
        if let Some(d) = &urls.dlq_url {
            vars.insert(format!("SQA_QUEUE_{upper}_DLQ_URL"), d.clone());
        }
    }
    for (k, v) in vars {
        println!("export {k}={}", shell_quote(&v));
    }
    Ok(())
}

async fn seed(n: usize) -> anyhow::Result<()> {
    let clients = clients().await?;
    let store = sqa_aws::DynamoLeads::new(clients.dynamodb.clone(), env("SQA_LEADS_TABLE")?);
    let now = chrono::Utc::now();
    let created =
        (now - chrono::Duration::days(1)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let (leads, report) =
        sqa_core::import::parse_csv(leads_csv("FIG", n, &created).as_bytes(), now)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    if !report.errors.is_empty() {
        bail!("the generated leads have errors: {:?}", report.errors);
    }
    for lead in &leads {
        store
            .insert(lead)
            .await
            .map_err(|e| anyhow::anyhow!("insert {}: {e}", lead.id))?;
    }
    eprintln!("sqa-sandbox: {} leads seeded", leads.len());
    Ok(())
}

fn queue_url(queue: &str) -> anyhow::Result<(QueueName, String)> {
    let q = QueueName::ALL
        .into_iter()
        .find(|q| q.as_str() == queue)
        .with_context(|| format!("no queue {queue:?}"))?;
    Ok((q, env(&format!("SQA_QUEUE_{}_URL", queue.to_uppercase()))?))
}

/// Up to `n` messages of a queue, as the SQS event Lambda's event source mapping builds.
async fn event(queue: &str, n: usize) -> anyhow::Result<()> {
    let clients = clients().await?;
    let (q, url) = queue_url(queue)?;
    let mut records = Vec::new();
    let mut empty = 0;
    while records.len() < n && empty < 3 {
        let out = clients
            .sqs
            .receive_message()
            .queue_url(&url)
            .max_number_of_messages((n - records.len()).min(10) as i32)
            .wait_time_seconds(1)
            .message_system_attribute_names(testkit::sqs_types::MessageSystemAttributeName::All)
            .send()
            .await
            .context("receive")?;
        if out.messages().is_empty() {
            empty += 1;
        }
        for m in out.messages() {
            let attributes: BTreeMap<String, String> = m
                .attributes()
                .map(|a| {
                    a.iter()
                        .map(|(k, v)| (k.as_str().to_string(), v.clone()))
                        .collect()
                })
                .unwrap_or_default();
            records.push(serde_json::json!({
                "messageId": m.message_id(),
                "receiptHandle": m.receipt_handle(),
                "body": m.body(),
                "attributes": attributes,
                "messageAttributes": {},
                "md5OfBody": m.md5_of_body(),
                "eventSource": "aws:sqs",
                "eventSourceARN": format!("arn:aws:sqs:us-east-1:123456789012:{}", q.as_str()),
                "awsRegion": "us-east-1",
            }));
        }
    }
    eprintln!(
        "sqa-sandbox: {} message(s) from the {queue} queue",
        records.len()
    );
    println!("{}", serde_json::json!({ "Records": records }));
    Ok(())
}

/// A header of a raw message (first occurrence, unfolded).
fn header(raw: &str, name: &str) -> Option<String> {
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

fn read_json(path: &Path) -> anyhow::Result<serde_json::Value> {
    let text = std::fs::read_to_string(path).with_context(|| path.display().to_string())?;
    serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))
}

/// An interested reply to each of the first `n` emails sent to sandbox leads, stored in the
/// inbound bucket and announced on the engage queue the way SES → SNS → SQS does.
async fn replies(fixture: &Path, n: usize) -> anyhow::Result<()> {
    let clients = clients().await?;
    let endpoint = env("AWS_ENDPOINT_URL")?;
    let bucket = env("SQA_INBOX_BUCKET")?;
    let domain = env("SQA_MAIL_DOMAIN")?;
    let (_, engage_url) = queue_url("engage")?;
    let template = read_json(fixture)?;
    let body = template["Records"][0]["body"]
        .as_str()
        .context("the fixture's first record has a body")?;
    let sns: serde_json::Value = serde_json::from_str(body).context("SNS envelope")?;
    let ses: serde_json::Value =
        serde_json::from_str(sns["Message"].as_str().unwrap_or_default()).context("SES JSON")?;

    let sent = testkit::sent_mail(endpoint.trim_end_matches('/')).await?;
    let mut done = 0;
    for (i, mail) in sent
        .iter()
        .filter(|m| m.raw_data.contains(&domain))
        .enumerate()
    {
        if done == n {
            break;
        }
        let raw = &mail.raw_data;
        let (Some(message_id), Some(to)) = (header(raw, "Message-ID"), header(raw, "To")) else {
            continue;
        };
        let subject = header(raw, "Subject").unwrap_or_default();
        let reply = format!(
            "From: {to}\r\nTo: Ava Reed <{SENDER}>\r\nSubject: Re: {subject}\r\n\
             Date: Sun, 01 Nov 2026 09:30:00 +0000\r\nMessage-ID: <reply-{i}@sandbox.example>\r\n\
             In-Reply-To: {message_id}\r\nReferences: {message_id}\r\nMIME-Version: 1.0\r\n\
             Content-Type: text/plain; charset=utf-8\r\n\r\n\
             Hi Ava,\r\n\r\nThis sounds interesting. Could we book a demo next week? I run the \
             data platform team and we have budget set aside for this quarter.\r\n\r\nThanks\r\n"
        );
        let key = format!("inbound/reply-{i}");
        clients
            .s3
            .put_object()
            .bucket(&bucket)
            .key(&key)
            .body(reply.into_bytes().into())
            .send()
            .await
            .context("put the reply")?;
        let mut ses = ses.clone();
        ses["receipt"]["action"]["bucketName"] = bucket.clone().into();
        ses["receipt"]["action"]["objectKey"] = key.into();
        let mut sns = sns.clone();
        sns["Message"] = ses.to_string().into();
        clients
            .sqs
            .send_message()
            .queue_url(&engage_url)
            .message_body(sns.to_string())
            .send()
            .await
            .context("send the notification")?;
        done += 1;
    }
    eprintln!(
        "sqa-sandbox: {done} replies delivered ({} emails sent so far)",
        sent.len()
    );
    Ok(())
}

/// `n` SNS-wrapped SES bounce notifications, one per seeded lead's address, as an SQS event.
fn feedback_event(fixture: &Path, n: usize) -> anyhow::Result<()> {
    let template = read_json(fixture)?;
    let record = template["Records"][0].clone();
    let sns: serde_json::Value =
        serde_json::from_str(record["body"].as_str().unwrap_or_default()).context("SNS")?;
    let ses: serde_json::Value =
        serde_json::from_str(sns["Message"].as_str().unwrap_or_default()).context("SES JSON")?;
    let mut records = Vec::new();
    for i in 0..n {
        let l = lead("FIG", i);
        let mut ses = ses.clone();
        ses["bounce"]["bouncedRecipients"][0]["emailAddress"] = l.email.clone().into();
        ses["bounce"]["feedbackId"] = format!("sandbox-bounce-{i}").into();
        ses["mail"]["destination"] = serde_json::json!([l.email]);
        let mut sns = sns.clone();
        sns["MessageId"] = format!("sandbox-sns-{i}").into();
        sns["Message"] = ses.to_string().into();
        let mut r = record.clone();
        r["messageId"] = format!("5b2b0000-0000-4000-8000-{:012}", i + 1).into();
        r["receiptHandle"] = format!("AQEBsandbox{i}").into();
        r["body"] = sns.to_string().into();
        records.push(r);
    }
    println!("{}", serde_json::json!({ "Records": records }));
    Ok(())
}

/// The fixture's `POST /leads/import` request with a CSV of `n` new leads.
fn import_event(fixture: &Path, n: usize) -> anyhow::Result<()> {
    let mut request = read_json(fixture)?;
    let created = (chrono::Utc::now() - chrono::Duration::days(1))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let csv = leads_csv("IMP", n, &created);
    request["body"] = aws_smithy_types::base64::encode(csv.as_bytes()).into();
    request["isBase64Encoded"] = true.into();
    println!("{request}");
    Ok(())
}

fn usage() -> anyhow::Error {
    anyhow::anyhow!(
        "usage: sqa-sandbox setup PREFIX CONFIG KNOWLEDGE_DIR | seed N | event QUEUE [N] | \
         replies FIXTURE [N] | feedback-event FIXTURE N | import-event FIXTURE N"
    )
}

fn count(arg: Option<&String>, default: usize) -> anyhow::Result<usize> {
    match arg {
        None => Ok(default),
        Some(a) => a.parse().with_context(|| format!("{a:?} is not a count")),
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| args.get(i).ok_or_else(usage);
    match args.first().map(String::as_str) {
        Some("setup") => {
            setup(
                arg(1)?,
                Path::new(arg(2)?.as_str()),
                Path::new(arg(3)?.as_str()),
            )
            .await
        }
        Some("seed") => seed(count(args.get(1), 10)?).await,
        Some("event") => event(arg(1)?, count(args.get(2), 10)?).await,
        Some("replies") => replies(Path::new(arg(1)?.as_str()), count(args.get(2), 10)?).await,
        Some("feedback-event") => {
            feedback_event(Path::new(arg(1)?.as_str()), count(args.get(2), 10)?)
        }
        Some("import-event") => import_event(Path::new(arg(1)?.as_str()), count(args.get(2), 10)?),
        _ => Err(usage()),
    }
}
