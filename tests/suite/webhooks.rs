//! Signed webhooks, end to end on the in-memory pipeline: a receiver on 127.0.0.1 checks
//! every signature (and refuses a replayed or forged one), fails the first delivery, and
//! counts what arrives. Events leave through the webhooks queue; each arrives at least once
//! with a stable id; an endpoint that never answers ends in the dead letters.

use sqa_core::config::{WebhookEndpoint, WebhookFormat};
use sqa_core::domain::{LeadId, Stage};
use sqa_core::ports::QueueName;
use sqa_core::stages::supervise;
use sqa_core::webhooks::{self, REPLAY_WINDOW_SECS, VerifyError};
use sqa_tests::memory_pipeline::MemoryPipeline;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[derive(Debug, Clone)]
struct Received {
    event_id: String,
    kind: String,
    verified: Result<(), VerifyError>,
    body: serde_json::Value,
}

/// An HTTP endpoint on 127.0.0.1 that verifies each POST's signature with `secret` and
/// answers 500 to the first `fail_first` requests, 200 after.
async fn receiver(secret: String, fail_first: usize) -> (String, Arc<Mutex<Vec<Received>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
    let got = Arc::new(Mutex::new(Vec::new()));
    let seen = got.clone();
    tokio::spawn(async move {
        let mut n = 0usize;
        loop {
            let Ok((mut s, _)) = listener.accept().await else {
                return;
            };
            let mut raw = Vec::new();
            let mut buf = [0u8; 8192];
            let (head, body) = loop {
                let k = s.read(&mut buf).await.unwrap_or(0);
                raw.extend_from_slice(&buf[..k]);
                let text = String::from_utf8_lossy(&raw).into_owned();
                if let Some((head, rest)) = text.split_once("\r\n\r\n") {
                    let len = head
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                        })
                        .unwrap_or(0);
                    if rest.len() >= len || k == 0 {
                        break (head.to_string(), rest[..len.min(rest.len())].to_string());
                    }
                }
                if k == 0 {
                    break (text, String::new());
                }
            };
            let header = |name: &str| {
                head.lines()
                    .find_map(|l| {
                        let (k, v) = l.split_once(':')?;
                        k.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
                    })
                    .unwrap_or_default()
            };
            let verified = webhooks::verify(
                &secret,
                &header("sqa-signature"),
                body.as_bytes(),
                chrono::Utc::now().timestamp(),
            );
            seen.lock().expect("lock").push(Received {
                event_id: header("sqa-event-id"),
                kind: header("sqa-event-type"),
                verified,
                body: serde_json::from_str(&body).unwrap_or_default(),
            });
            n += 1;
            let status = if n <= fail_first {
                "500 Internal Server Error"
            } else {
                "200 OK"
            };
            let _ = s
                .write_all(
                    format!("HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                        .as_bytes(),
                )
                .await;
        }
    });
    (url, got)
}

fn pipeline(endpoints: Vec<WebhookEndpoint>) -> MemoryPipeline {
    // The memory clock starts in 2026; the signature's time is the clock's, so the receiver
    // (on the wall clock) would see it as replayed: these pipelines run on the wall clock.
    let p = MemoryPipeline::new().with_config(|c| c.webhooks.endpoints = endpoints);
    p.mem.clock.set(chrono::Utc::now());
    p
}

fn endpoint(url: &str, events: &[&str], format: WebhookFormat) -> WebhookEndpoint {
    WebhookEndpoint {
        url: url.to_string(),
        events: events.iter().map(|e| e.to_string()).collect(),
        format,
    }
}

#[tokio::test]
async fn a_disqualification_arrives_signed_at_least_once_with_a_stable_id() {
    let probe = pipeline(Vec::new());
    let secret = webhooks::signing_secret(&probe.deps);
    let (url, got) = receiver(secret.clone(), 1).await;
    let (slack_url, slack) = receiver(secret, 0).await;
    let p = pipeline(vec![
        endpoint(&url, &[], WebhookFormat::Json),
        endpoint(&slack_url, &["handed_over"], WebhookFormat::Slack),
    ]);
    p.insert(&p.contacted("L1")).await;
    let id = LeadId::parse("L1").expect("id");
    supervise::disqualify(&p.deps, &id, "no budget this year", "sam")
        .await
        .expect("disqualified");
    assert_eq!(
        p.mem.queue.peek(QueueName::Webhooks).len(),
        1,
        "one message: the chat endpoint does not want disqualifications"
    );
    let report = p.drain().await;
    assert_eq!(report.handled.get("webhooks"), Some(&1), "{report:?}");
    let got = got.lock().expect("lock").clone();
    assert_eq!(got.len(), 2, "the first answer was 500: tried again");
    assert!(got.iter().all(|r| r.verified == Ok(())), "{got:?}");
    assert_eq!(got[0].event_id, got[1].event_id, "the same id on a retry");
    assert!(got[0].event_id.starts_with("evt_"));
    assert_eq!(got[0].kind, "disqualified");
    assert_eq!(got[1].body["type"], "disqualified");
    assert_eq!(got[1].body["lead"]["id"], "L1");
    assert!(
        got[1].body["lead"]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("no budget"))
    );
    assert!(
        slack.lock().expect("lock").is_empty(),
        "the chat endpoint asked for handovers only"
    );
    let runs = p.deps.ports.runs.for_lead(&id).await.expect("runs");
    assert!(
        runs.iter()
            .any(|r| r.stage == "webhooks" && r.decision == "delivered"),
        "a run record of the delivery"
    );
    // Nothing is left on the queue.
    assert!(p.drain().await.handled.is_empty());
}

#[tokio::test]
async fn suppressions_and_handovers_reach_chat_endpoints_in_their_shape() {
    let probe = pipeline(Vec::new());
    let secret = webhooks::signing_secret(&probe.deps);
    let (slack_url, slack) = receiver(secret.clone(), 0).await;
    let (teams_url, teams) = receiver(secret, 0).await;
    let p = pipeline(vec![
        endpoint(&slack_url, &["suppressed"], WebhookFormat::Slack),
        endpoint(&teams_url, &["suppressed"], WebhookFormat::Teams),
    ]);
    p.insert(&p.contacted("L2")).await;
    let token = sqa_core::stages::consent::token(&p.deps.secret, &LeadId::parse("L2").expect("id"));
    sqa_core::stages::consent::unsubscribe(&p.deps, &token)
        .await
        .expect("unsubscribed");
    assert_eq!(p.get("L2").await.stage, Stage::Suppressed);
    p.drain().await;
    let s = slack.lock().expect("lock").clone();
    let t = teams.lock().expect("lock").clone();
    assert_eq!(s.len(), 1, "{s:?}");
    assert_eq!(t.len(), 1);
    assert!(s[0].verified.is_ok() && t[0].verified.is_ok());
    assert!(
        s[0].body["text"]
            .as_str()
            .is_some_and(|x| x.starts_with("suppressed: Jo Rivera L2"))
    );
    assert_eq!(t[0].body["@type"], "MessageCard");
    assert_eq!(s[0].event_id, t[0].event_id, "one event, two endpoints");
}

#[tokio::test]
async fn an_endpoint_that_never_answers_ends_in_the_dead_letters() {
    // A port nobody listens on: every connection is refused.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr")
    };
    let p = pipeline(vec![endpoint(
        &format!("http://{closed}/hook"),
        &["disqualified"],
        WebhookFormat::Json,
    )]);
    p.insert(&p.contacted("L3")).await;
    let id = LeadId::parse("L3").expect("id");
    supervise::disqualify(&p.deps, &id, "duplicate", "sam")
        .await
        .expect("disqualified");
    let report = p.drain().await;
    assert!(report.retried >= 1, "{report:?}");
    let dead = p
        .deps
        .ports
        .queue
        .dead_letters(QueueName::Webhooks)
        .await
        .expect("dead letters");
    assert_eq!(dead.len(), 1, "the event waits in the dead letters");
    assert!(dead[0].body.contains("\"disqualified\""));
    let runs = p.deps.ports.runs.for_lead(&id).await.expect("runs");
    assert!(
        runs.iter()
            .filter(|r| r.stage == "webhooks")
            .all(|r| r.decision == "retry" && r.reasons[0].contains("no connection")),
        "every failed delivery is recorded"
    );
    // The lead's own change stands.
    assert_eq!(p.get("L3").await.stage, Stage::Disqualified);
}

#[test]
fn a_receiver_refuses_a_forged_or_replayed_signature() {
    let body = br#"{"id":"evt_x"}"#;
    let now = 1_900_000_000;
    let good = webhooks::signature("k", now, body);
    assert_eq!(webhooks::verify("k", &good, body, now + 10), Ok(()));
    assert_eq!(
        webhooks::verify("k", &good, body, now + REPLAY_WINDOW_SECS + 1),
        Err(VerifyError::Replayed)
    );
    assert_eq!(
        webhooks::verify("k", &good, br#"{"id":"evt_y"}"#, now),
        Err(VerifyError::Mismatch)
    );
}
