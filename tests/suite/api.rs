//! The supervisor's API and dashboard (`sqa_api::router`) on the in-memory pipeline: every
//! route is in the OpenAPI document and answers; auth, CSRF; the actions go through the core
//! and are recorded with who and when; config writes check and keep history; the metrics
//! agree with the leads; one-click unsubscribe.

use async_trait::async_trait;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};
use sqa_api::{Auth, Backend};
use sqa_core::config::{AgentState, ConfigFiles, Mode, NamedFile};
use sqa_core::domain::{LeadId, Stage, TouchState};
use sqa_core::ports::Deps;
use sqa_tests::memory_pipeline::{CONFIG, FAQ, MemoryPipeline};
use std::sync::Arc;
use tower::ServiceExt;

struct Files;
impl ConfigFiles for Files {
    fn read(&self, f: &NamedFile<'_>) -> Result<String, String> {
        match f.name {
            "knowledge/faq.md" => Ok(FAQ.to_string()),
            other => Err(format!("{other}: not in this test")),
        }
    }
}

struct TestBackend(Arc<Deps>);

#[async_trait]
impl Backend for TestBackend {
    async fn deps(&self) -> anyhow::Result<Arc<Deps>> {
        Ok(self.0.clone())
    }
    async fn config_files(&self, _: &str) -> anyhow::Result<Box<dyn ConfigFiles + Send + Sync>> {
        Ok(Box::new(Files))
    }
    async fn config_saved(&self, _: &str) -> anyhow::Result<()> {
        Ok(())
    }
}

/// A stack deployed research-only: it sends no mail to leads, whatever a person approves.
struct ResearchOnlyStack(Arc<Deps>);

#[async_trait]
impl Backend for ResearchOnlyStack {
    async fn deps(&self) -> anyhow::Result<Arc<Deps>> {
        Ok(self.0.clone())
    }
    async fn config_files(&self, _: &str) -> anyhow::Result<Box<dyn ConfigFiles + Send + Sync>> {
        Ok(Box::new(Files))
    }
    async fn config_saved(&self, _: &str) -> anyhow::Result<()> {
        Ok(())
    }
    fn may_send(&self) -> bool {
        false
    }
}

struct Api {
    p: MemoryPipeline,
    app: axum::Router,
    token: String,
}

async fn api(p: MemoryPipeline) -> Api {
    p.deps
        .ports
        .config
        .save(CONFIG, 0, p.now())
        .await
        .expect("the first config version");
    let app = sqa_api::router(Arc::new(TestBackend(Arc::new(p.deps.clone()))), Auth::Token);
    let token = sqa_api::bearer_token(&p.deps.secret);
    Api { p, app, token }
}

impl Api {
    async fn send(&self, req: Request<Body>) -> (StatusCode, String) {
        let resp = self.app.clone().oneshot(req).await.expect("infallible");
        let status = resp.status();
        let bytes = axum::body::to_bytes(resp.into_body(), 1 << 24)
            .await
            .expect("body");
        (status, String::from_utf8_lossy(&bytes).into_owned())
    }
    async fn call(&self, method: &str, uri: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut b = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::AUTHORIZATION, format!("Bearer {}", self.token));
        let body = match body {
            Some(v) => {
                b = b.header(header::CONTENT_TYPE, "application/json");
                Body::from(v.to_string())
            }
            None => Body::empty(),
        };
        let (status, text) = self.send(b.body(body).expect("request")).await;
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }
    async fn page(&self, uri: &str) -> (StatusCode, String) {
        self.send(
            Request::get(uri)
                .header(header::COOKIE, format!("sqa_session={}", self.token))
                .body(Body::empty())
                .expect("request"),
        )
        .await
    }
    async fn form(&self, uri: &str, fields: &[(&str, &str)]) -> (StatusCode, String, String) {
        let body: Vec<String> = fields
            .iter()
            .map(|(k, v)| format!("{k}={}", sqa_api_encode(v)))
            .collect();
        let resp = self
            .app
            .clone()
            .oneshot(
                Request::post(uri)
                    .header(header::COOKIE, format!("sqa_session={}", self.token))
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(Body::from(body.join("&")))
                    .expect("request"),
            )
            .await
            .expect("infallible");
        let status = resp.status();
        let location = resp
            .headers()
            .get(header::LOCATION)
            .map(|v| v.to_str().unwrap_or("").to_string())
            .unwrap_or_default();
        let bytes = axum::body::to_bytes(resp.into_body(), 1 << 24)
            .await
            .expect("body");
        (
            status,
            location,
            String::from_utf8_lossy(&bytes).into_owned(),
        )
    }
    fn csrf(&self) -> String {
        sqa_api::csrf_token(&self.p.deps.secret)
    }
}

fn sqa_api_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A pipeline with three leads worked: selected, validated, researched, first email out.
async fn worked() -> Api {
    let p = MemoryPipeline::new();
    for id in ["L1", "L2", "L3"] {
        p.insert(&p.lead(id)).await;
    }
    p.run().await;
    api(p).await
}

#[test]
fn the_openapi_document_lists_every_json_route_and_only_those() {
    let doc: Value = serde_json::from_str(sqa_api::OPENAPI).expect("the document is JSON");
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().expect("paths");
    for (method, path, is_api) in sqa_api::ROUTES {
        let listed = paths.get(*path).and_then(|p| p.get(*method)).is_some();
        if *is_api {
            assert!(listed, "{method} {path} is missing from openapi.json");
        }
    }
    for (path, ops) in paths {
        for method in ops.as_object().expect("operations").keys() {
            assert!(
                sqa_api::ROUTES
                    .iter()
                    .any(|(m, p, _)| m == method && p == path),
                "openapi.json lists {method} {path}, which the router does not have"
            );
        }
    }
}

#[tokio::test]
async fn every_route_answers_on_an_existing_lead() {
    let a = worked().await;
    for (method, path, _) in sqa_api::ROUTES {
        let uri = path.replace("{id}", "L1");
        let mut b = Request::builder()
            .method(method.to_uppercase().as_str())
            .uri(&uri)
            .header(header::AUTHORIZATION, format!("Bearer {}", a.token));
        if *method != "get" {
            b = b.header(header::CONTENT_TYPE, "application/json");
        }
        let resp = a
            .app
            .clone()
            .oneshot(b.body(Body::from("{}")).expect("request"))
            .await
            .expect("infallible");
        assert!(
            ![StatusCode::NOT_FOUND, StatusCode::METHOD_NOT_ALLOWED].contains(&resp.status()),
            "{method} {uri}: {}",
            resp.status()
        );
    }
}

#[tokio::test]
async fn without_the_token_nothing_but_health_and_unsubscribe_answers() {
    let a = worked().await;
    let (s, _) = a
        .send(Request::get("/api/leads").body(Body::empty()).expect("r"))
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _) = a
        .send(
            Request::get("/api/leads")
                .header(header::AUTHORIZATION, "Bearer wrong")
                .body(Body::empty())
                .expect("r"),
        )
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _) = a
        .send(Request::get("/").body(Body::empty()).expect("r"))
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _) = a
        .send(Request::get("/health").body(Body::empty()).expect("r"))
        .await;
    assert_eq!(s, StatusCode::OK);
    // The sign-in link sets the session cookie.
    let resp = a
        .app
        .clone()
        .oneshot(
            Request::get(format!("/login?token={}", a.token))
                .body(Body::empty())
                .expect("r"),
        )
        .await
        .expect("infallible");
    let cookie = resp
        .headers()
        .get(header::SET_COOKIE)
        .expect("a cookie")
        .to_str()
        .expect("text");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    // A cookie alone does not change anything: a form needs its CSRF field, a JSON call
    // its header.
    let (s, _, _) = a
        .form(
            "/leads/L1/action",
            &[("action", "reopen"), ("csrf", "forged")],
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = a
        .send(
            Request::post("/api/leads/L1/disqualify")
                .header(header::COOKIE, format!("sqa_session={}", a.token))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(r#"{"reason":"x"}"#))
                .expect("r"),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(a.p.get("L1").await.stage, Stage::Contacted);
}

#[tokio::test]
async fn the_lead_list_filters_and_pages_through_every_lead() {
    let a = worked().await;
    let mut extra = a.p.lead("L4");
    extra.source = "webinar".into();
    extra.owner = "ben".into();
    a.p.insert(&extra).await;
    let (s, v) = a.call("GET", "/api/leads?stage=contacted", None).await;
    assert_eq!(s, StatusCode::OK);
    let ids: Vec<&str> = v["leads"]
        .as_array()
        .expect("leads")
        .iter()
        .filter_map(|l| l["id"].as_str())
        .collect();
    assert_eq!(ids, ["L3", "L2", "L1"]);
    let (_, v) = a.call("GET", "/api/leads?source=webinar", None).await;
    assert_eq!(v["leads"][0]["id"], "L4");
    assert_eq!(v["leads"].as_array().map(Vec::len), Some(1));
    let (_, v) = a.call("GET", "/api/leads?owner=ben", None).await;
    assert_eq!(v["leads"].as_array().map(Vec::len), Some(1));
    let (_, v) = a.call("GET", "/api/leads?from_agent=true", None).await;
    assert_eq!(v["leads"].as_array().map(Vec::len), Some(3));
    // Pages of one, following `next`, visit every lead once.
    let mut seen = Vec::new();
    let mut uri = "/api/leads?limit=1".to_string();
    loop {
        let (_, v) = a.call("GET", &uri, None).await;
        for l in v["leads"].as_array().expect("leads") {
            seen.push(l["id"].as_str().expect("id").to_string());
        }
        match v["next"].as_str() {
            Some(c) => uri = format!("/api/leads?limit=1&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen, ["L4", "L3", "L2", "L1"]);
    let (s, _) = a.call("GET", "/api/leads?stage=nope", None).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    // By rating: the three heats split the four leads, each lead in exactly one.
    let mut rated = Vec::new();
    for heat in ["hot", "warm", "cold"] {
        let (s, v) = a
            .call("GET", &format!("/api/leads?rating={heat}&limit=500"), None)
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        for l in v["leads"].as_array().expect("leads") {
            rated.push(l["id"].as_str().expect("id").to_string());
        }
    }
    rated.sort();
    assert_eq!(rated, ["L1", "L2", "L3", "L4"]);
    let (s, _) = a.call("GET", "/api/leads?rating=tepid", None).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = a.call("GET", "/api/leads/L999", None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, v) = a.call("GET", "/api/leads/L1", None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(v["lead"]["research"]["sources"].is_array(), "{v}");
    assert!(v["lead"]["fit"]["criteria"].is_array());
    assert!(!v["runs"].as_array().expect("runs").is_empty());
}

#[tokio::test]
async fn actions_go_through_the_core_and_record_who_and_when() {
    let a = worked().await;
    let (s, v) = a
        .call(
            "POST",
            "/api/leads/L1/reassign",
            Some(json!({"owner": "cy"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(a.p.get("L1").await.owner, "cy");
    let (s, _) = a
        .call(
            "POST",
            "/api/leads/L1/disqualify",
            Some(json!({"reason": "works with a competitor"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let l1 = a.p.get("L1").await;
    assert_eq!(l1.stage, Stage::Disqualified);
    assert!(
        l1.reason
            .as_deref()
            .is_some_and(|r| r.contains("competitor"))
    );
    let (s, _) = a.call("POST", "/api/leads/L1/reopen", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(a.p.get("L1").await.stage, Stage::Engaged);
    // A lead that is not disqualified or handed over cannot be re-opened.
    let (s, v) = a.call("POST", "/api/leads/L2/reopen", None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (s, _) = a
        .call(
            "POST",
            "/api/leads/L2/address",
            Some(json!({"valid": false})),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let l2 = a.p.get("L2").await;
    let o = l2
        .validation
        .and_then(|v| v.overridden)
        .expect("an override");
    assert_eq!(o.valid, Some(false));
    assert!(o.by.starts_with("local"), "{}", o.by);
    let runs =
        a.p.deps
            .ports
            .runs
            .for_lead(&LeadId::parse("L1").expect("id"))
            .await
            .expect("runs");
    let manual: Vec<_> = runs.iter().filter(|r| r.run_id == "manual").collect();
    assert_eq!(
        manual
            .iter()
            .map(|r| r.decision.as_str())
            .collect::<Vec<_>>(),
        ["reassigned", "disqualified", "reopened"]
    );
    assert!(manual.iter().all(|r| r.reasons[0].contains("by local")));
    // The same action as a form, with its CSRF token: a redirect back to the lead.
    let csrf = a.csrf();
    let (s, location, _) = a
        .form(
            "/leads/L3/action",
            &[
                ("csrf", &csrf),
                ("action", "disqualify"),
                ("reason", "no budget"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert!(location.starts_with("/leads/L3?msg="), "{location}");
    assert_eq!(a.p.get("L3").await.stage, Stage::Disqualified);
}

#[tokio::test]
async fn a_research_only_draft_is_sent_once_a_person_approves_it() {
    let p = MemoryPipeline::new().with_config(|c| c.mode = Mode::ResearchOnly);
    p.insert(&p.lead("L1")).await;
    p.run().await;
    let before = p.get("L1").await;
    assert_eq!(before.stage, Stage::Researched);
    assert_eq!(before.touches[0].state, TouchState::Draft);
    assert!(p.mem.mailer.sent().is_empty());
    let a = api(p).await;
    let (s, v) = a
        .call("POST", "/api/leads/L1/approve", Some(json!({"touch": 1})))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let after = a.p.get("L1").await;
    assert_eq!(after.stage, Stage::Contacted);
    assert_eq!(after.touches.len(), 1);
    assert_eq!(after.touches[0].state, TouchState::Sent);
    assert_eq!(a.p.mem.mailer.sent().len(), 1);
    let raw = String::from_utf8_lossy(&a.p.mem.mailer.sent()[0].raw).into_owned();
    assert!(
        raw.contains(&before.touches[0].subject),
        "the draft as written"
    );
    // Approving again sends nothing.
    let (s, _) = a.call("POST", "/api/leads/L1/approve", None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(a.p.mem.mailer.sent().len(), 1);
}

#[tokio::test]
async fn a_research_only_stack_refuses_to_send_an_approved_draft() {
    let p = MemoryPipeline::new().with_config(|c| c.mode = Mode::ResearchOnly);
    p.insert(&p.lead("L1")).await;
    p.run().await;
    let mut a = api(p).await;
    a.app = sqa_api::router(
        Arc::new(ResearchOnlyStack(Arc::new(a.p.deps.clone()))),
        Auth::Token,
    );
    let (s, v) = a.call("POST", "/api/leads/L1/approve", None).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    assert!(a.p.mem.mailer.sent().is_empty());
    assert_eq!(a.p.get("L1").await.touches[0].state, TouchState::Draft);
}

#[tokio::test]
async fn config_writes_check_keep_history_and_refuse_going_back_to_research_only() {
    let a = worked().await;
    let (s, v) = a.call("GET", "/api/config", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["version"], 1);
    let (s, v) = a
        .call(
            "POST",
            "/api/config/validate",
            Some(json!({"toml": "mode = \"sideways\""})),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["valid"], false);
    assert!(
        v["issues"]
            .as_array()
            .expect("issues")
            .iter()
            .any(|i| i["path"] == "mode" && i["line"] == 1),
        "{v}"
    );
    let (s, _) = a
        .call(
            "PUT",
            "/api/config",
            Some(json!({"toml": "mode = 1", "expected_version": 1})),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let back = CONFIG.replace("mode = \"engage\"", "mode = \"research_only\"");
    let (s, v) = a
        .call(
            "PUT",
            "/api/config",
            Some(json!({"toml": back, "expected_version": 1})),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        v["error"]
            .as_str()
            .is_some_and(|e| e.contains("research_only"))
    );
    let (s, v) = a.call("POST", "/api/agent/pause", None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["version"], 2);
    let active =
        a.p.deps
            .ports
            .config
            .active()
            .await
            .expect("read")
            .expect("a config");
    let parsed = sqa_core::config::parse(&active.toml, &Files).expect("still valid");
    assert_eq!(parsed.state, AgentState::Stopped);
    // A writer that read version 1 is told the config moved on.
    let (s, _) = a
        .call(
            "PUT",
            "/api/config",
            Some(json!({"toml": CONFIG, "expected_version": 1})),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, _) = a.call("POST", "/api/agent/resume", None).await;
    assert_eq!(s, StatusCode::OK);
    let (_, v) = a.call("GET", "/api/config/history", None).await;
    assert_eq!(v["versions"].as_array().map(Vec::len), Some(3));
    let saved: Vec<_> =
        a.p.deps
            .ports
            .runs
            .for_run("config-v3")
            .await
            .expect("runs");
    assert!(saved[0].reasons[0].contains("saved by local"));
    // The config page shows every problem of a bad text, and saves nothing.
    let csrf = a.csrf();
    let (s, _, html) = a
        .form(
            "/config",
            &[
                ("csrf", &csrf),
                ("expected_version", "3"),
                ("toml", "mode = 1"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"issues\"") && html.contains("<code>mode</code>"));
    assert_eq!(
        a.p.deps
            .ports
            .config
            .active()
            .await
            .expect("r")
            .expect("c")
            .version,
        3
    );
}

#[tokio::test]
async fn the_metrics_agree_with_the_leads() {
    let a = worked().await;
    a.p.update("L3", |l| {
        l.stage = Stage::Disqualified;
        l.reason = Some("no budget".into());
    })
    .await;
    let (s, m) = a.call("GET", "/api/metrics", None).await;
    assert_eq!(s, StatusCode::OK, "{m}");
    assert_eq!(m["leads"], 3);
    assert_eq!(m["funnel"][3], json!(["contacted", 3]));
    assert_eq!(m["funnel"][4], json!(["replied", 0]));
    assert_eq!(m["response_rate"]["contacted"], 3);
    assert_eq!(m["disqualification_reasons"][0], json!(["no budget", 1]));
    assert!((m["disqualification_rate"].as_f64().expect("rate") - 1.0 / 3.0).abs() < 1e-9);
    // Imported three days before the run that wrote to them.
    assert_eq!(m["median_hours_to_first_email"], 72.0);
    // A period that holds none of them.
    let (_, m) = a
        .call("GET", "/api/metrics?from=2020-01-01&to=2020-01-07", None)
        .await;
    assert_eq!(m["leads"], 0);
    // The dashboard shows the same figures.
    let (s, html) = a.page("/").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("id=\"kpi-leads\">3<"), "{html}");
    let (s, html) = a.page("/leads?stage=contacted").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Jo Rivera L1") && !html.contains("Jo Rivera L3"));
    let (s, html) = a.page("/leads/L1").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Buyer Freight") && html.contains("Run records"));
    for page in ["/config", "/cost"] {
        let (s, _) = a.page(page).await;
        assert_eq!(s, StatusCode::OK, "{page}");
    }
}

#[tokio::test]
async fn one_click_unsubscribe_is_public_and_checks_its_token() {
    let a = worked().await;
    let token =
        sqa_core::stages::consent::token(&a.p.deps.secret, &LeadId::parse("L2").expect("id"));
    let (s, html) = a
        .send(
            Request::get(format!("/unsubscribe?token={token}"))
                .body(Body::empty())
                .expect("r"),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("<form method=\"post\""),
        "a button, not an unsubscribe"
    );
    assert_eq!(a.p.get("L2").await.stage, Stage::Contacted);
    let (s, _) = a
        .send(
            Request::post("/unsubscribe?token=L2.forged")
                .body(Body::from("List-Unsubscribe=One-Click"))
                .expect("r"),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    // `t`, as links written with an earlier example config name it, is honoured too.
    let (s, html) = a
        .send(
            Request::post(format!("/unsubscribe?t={token}"))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from("List-Unsubscribe=One-Click"))
                .expect("r"),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert_eq!(a.p.get("L2").await.stage, Stage::Suppressed);
}

#[tokio::test]
async fn a_control_group_is_filtered_and_compared_with_the_agents_leads() {
    let p = MemoryPipeline::new().with_config(|c| c.selection.control_share = 0.5);
    let ids: Vec<String> = (0..16).map(|i| format!("L{i:02}")).collect();
    for id in &ids {
        p.insert(&p.lead(id)).await;
    }
    p.run().await;
    let a = api(p).await;
    let mut control = Vec::new();
    let mut agent = Vec::new();
    for id in &ids {
        if a.p.get(id).await.control {
            control.push(id.clone());
        } else {
            agent.push(id.clone());
        }
    }
    assert!(!control.is_empty() && !agent.is_empty(), "{control:?}");
    // One of the agent's leads handed over after its conversation.
    a.p.update(&agent[0], |l| l.stage = Stage::HandedOver).await;

    let (s, v) = a
        .call("GET", "/api/leads?control=true&limit=500", None)
        .await;
    assert_eq!(s, StatusCode::OK);
    let mut listed: Vec<String> = v["leads"]
        .as_array()
        .expect("leads")
        .iter()
        .map(|l| {
            assert_eq!(l["control"], true);
            assert_eq!(l["from_agent"], false);
            assert_eq!(l["emails_sent"], 0);
            l["id"].as_str().expect("id").to_string()
        })
        .collect();
    listed.sort();
    assert_eq!(listed, control);
    let (_, v) = a
        .call("GET", "/api/leads?from_agent=true&limit=500", None)
        .await;
    assert_eq!(v["leads"].as_array().map(Vec::len), Some(agent.len()));

    let (s, m) = a.call("GET", "/api/metrics", None).await;
    assert_eq!(s, StatusCode::OK, "{m}");
    let c = &m["control_group"];
    assert_eq!(c["agent"]["leads"], agent.len());
    assert_eq!(c["control"]["leads"], control.len());
    assert_eq!(c["agent"]["handed_over"], 1);
    assert_eq!(c["control"]["handed_over"], 0);
    assert_eq!(m["funnel"][5], json!(["handed_over", 1]));
    let expected = 1.0 / agent.len() as f64;
    assert!((c["agent"]["handover_rate"].as_f64().expect("rate") - expected).abs() < 1e-9);
    assert!((c["handover_uplift"].as_f64().expect("uplift") - expected).abs() < 1e-9);
    assert_eq!(c["reply_uplift"], 0.0);

    let (s, html) = a.page("/").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("id=\"control-group\""), "{html}");
    assert!(
        html.contains(&format!(
            "id=\"uplift-handovers\">{:.1}%<",
            expected * 100.0
        )),
        "{html}"
    );
    let (s, html) = a.page("/leads?control=true").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains(&format!("Jo Rivera {}", control[0])),
        "{html}"
    );
}
