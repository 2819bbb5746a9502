//! The dashboard: server-rendered pages (minijinja, auto-escaped), charts as inline SVG,
//! actions as forms with a CSRF token. No JavaScript.

use crate::handlers::{self, LeadAction, ListQuery, PeriodQuery};
use crate::{Actor, App, auth};
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::{Environment, Value, context};
use serde::{Deserialize, Serialize};
use sqa_core::config::AgentState;
use sqa_core::domain::{Lead, Stage, TouchState};
use sqa_core::ports::Deps;
use sqa_core::stages::{StageError, consent, supervise::ConfigSaveError};
use std::collections::HashMap;
use std::sync::OnceLock;

fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        for (name, src) in [
            ("base.html", include_str!("../templates/base.html")),
            ("overview.html", include_str!("../templates/overview.html")),
            ("leads.html", include_str!("../templates/leads.html")),
            ("lead.html", include_str!("../templates/lead.html")),
            ("config.html", include_str!("../templates/config.html")),
            ("cost.html", include_str!("../templates/cost.html")),
            (
                "unsubscribe.html",
                include_str!("../templates/unsubscribe.html"),
            ),
        ] {
            if let Err(e) = env.add_template(name, src) {
                tracing::error!(template = name, error = %e, "a dashboard template does not parse");
            }
        }
        env.add_function("pct", |v: Option<f64>| {
            v.map(|v| format!("{:.1}%", v * 100.0))
                .unwrap_or_else(|| "—".into())
        });
        env.add_function("num", |v: Option<f64>| {
            v.map(|v| format!("{v:.1}")).unwrap_or_else(|| "—".into())
        });
        env.add_function("money", |v: Option<f64>| {
            v.map(|v| format!("{v:.4}")).unwrap_or_else(|| "—".into())
        });
        env
    })
}

fn render(status: StatusCode, name: &str, ctx: Value) -> Response {
    match env().get_template(name).and_then(|t| t.render(ctx)) {
        Ok(html) => (
            status,
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            html,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(template = name, error = %e, "a page could not be rendered");
            handlers::error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the page could not be rendered",
            )
        }
    }
}

/// What every page's layout shows.
fn base(deps: &Deps, msg: Option<&str>, err: Option<&str>) -> Value {
    context! {
        company => deps.config.company.name.clone(),
        mode => format!("{:?}", deps.config.mode).to_lowercase().replace("researchonly", "research_only"),
        state => format!("{:?}", deps.config.state).to_lowercase(),
        csrf => auth::csrf_token(&deps.secret),
        msg => msg,
        err => err,
    }
}

#[derive(Serialize)]
struct Bar {
    key: String,
    label: String,
    count: u64,
    width: u64,
}

fn bars(items: impl IntoIterator<Item = (String, u64)>) -> Vec<Bar> {
    let items: Vec<_> = items.into_iter().collect();
    let max = items.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    items
        .into_iter()
        .map(|(k, n)| Bar {
            label: k.replace('_', " "),
            key: k,
            count: n,
            width: n * 340 / max,
        })
        .collect()
}

#[derive(Deserialize, Default)]
pub struct Flash {
    msg: Option<String>,
    err: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

macro_rules! try_page {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(r) => return r,
        }
    };
}

/// The deployment and the metrics of the period a page's query names (default the last 7
/// days), or the error page.
async fn period_metrics(
    app: &App,
    f: &Flash,
) -> Result<(std::sync::Arc<Deps>, sqa_core::metrics::Metrics), Response> {
    let deps = handlers::deps(app).await?;
    let (from, to) = handlers::period(
        &deps,
        &PeriodQuery {
            from: f.from.clone(),
            to: f.to.clone(),
        },
    )?;
    let m = sqa_core::metrics::compute(&deps, from, to)
        .await
        .map_err(|e| handlers::store_error(&e))?;
    Ok((deps, m))
}

pub async fn overview(State(app): State<App>, Query(f): Query<Flash>) -> Response {
    let (deps, m) = try_page!(period_metrics(&app, &f).await);
    let funnel = bars(m.funnel.clone());
    let counts = match deps.ports.leads.count_by_stage().await {
        Ok(c) => c,
        Err(e) => return handlers::store_error(&e),
    };
    let stages = bars(
        Stage::ALL
            .iter()
            .map(|s| (s.as_str().to_string(), counts.get(s).copied().unwrap_or(0))),
    );
    let ctx = context! { m => m, funnel => funnel, stages => stages, ..base(&deps, f.msg.as_deref(), f.err.as_deref()) };
    render(StatusCode::OK, "overview.html", ctx)
}

pub async fn leads(State(app): State<App>, Query(q): Query<ListQuery>) -> Response {
    let deps = try_page!(handlers::deps(&app).await);
    let (leads, next) = try_page!(handlers::list_leads(&deps, &q).await);
    let next = next.map(|c| {
        let mut nq = q.clone();
        nq.cursor = Some(c);
        query_string(&nq)
    });
    // The rating the `rating` filter uses (without a colleague's boost).
    let now = deps.ports.clock.now();
    let rows: Vec<serde_json::Value> = leads
        .iter()
        .map(|l| {
            let mut row = handlers::summary(l);
            row["rating"] = sqa_core::agents::rating::rate(l, now, false)
                .heat
                .as_str()
                .into();
            row
        })
        .collect();
    let ctx = context! {
        leads => rows,
        next => next,
        q => q,
        stages => Stage::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        ..base(&deps, None, None)
    };
    render(StatusCode::OK, "leads.html", ctx)
}

fn query_string(q: &ListQuery) -> String {
    let v = serde_json::to_value(q).unwrap_or_default();
    let mut parts = Vec::new();
    if let Some(o) = v.as_object() {
        for (k, v) in o {
            let s = match v {
                serde_json::Value::String(s) if !s.is_empty() => s.clone(),
                serde_json::Value::Number(n) => n.to_string(),
                _ => continue,
            };
            parts.push(format!("{k}={}", url_encode(&s)));
        }
    }
    parts.join("&")
}

pub fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[derive(Serialize)]
struct StoryEntry {
    when: String,
    what: String,
    text: String,
    draft: bool,
    touch: u32,
}

/// The conversation in time order: the agent's emails (drafts, sent, skipped) and the lead's
/// replies with how they were read.
fn story(lead: &Lead) -> Vec<StoryEntry> {
    let mut out: Vec<(chrono::DateTime<chrono::Utc>, StoryEntry)> = Vec::new();
    for t in &lead.touches {
        let state = match t.state {
            TouchState::Draft => "draft waiting for approval",
            TouchState::Sending => "being sent",
            TouchState::Sent => "sent",
            TouchState::Unknown => "may have been sent",
            TouchState::Skipped => "not sent",
        };
        out.push((
            t.at,
            StoryEntry {
                when: t.at.to_rfc3339(),
                what: format!(
                    "Email {} ({state}){}: {}",
                    t.n,
                    t.note
                        .as_deref()
                        .map(|n| format!(" — {n}"))
                        .unwrap_or_default(),
                    t.subject
                ),
                text: t.body.clone(),
                draft: t.state == TouchState::Draft,
                touch: t.n,
            },
        ));
    }
    for m in &lead.inbound {
        out.push((
            m.received_at,
            StoryEntry {
                when: m.received_at.to_rfc3339(),
                what: format!(
                    "Reply: {} → {}{}{}",
                    m.classification.intent.as_str(),
                    m.classification.action.as_str(),
                    if m.auth_ok {
                        ""
                    } else {
                        " (failed authentication)"
                    },
                    if m.open_questions.is_empty() {
                        String::new()
                    } else {
                        format!(
                            " — open for a person: {}",
                            m.open_questions
                                .iter()
                                .map(|q| format!("\"{}\"", q.trim()))
                                .collect::<Vec<_>>()
                                .join("; ")
                        )
                    }
                ),
                text: m.text.clone(),
                draft: false,
                touch: 0,
            },
        ));
    }
    out.sort_by_key(|(t, _)| *t);
    out.into_iter().map(|(_, e)| e).collect()
}

pub async fn lead(
    State(app): State<App>,
    Path(id): Path<String>,
    Query(f): Query<Flash>,
) -> Response {
    let deps = try_page!(handlers::deps(&app).await);
    let lead = try_page!(handlers::get_lead(&deps, &id).await);
    let runs = match deps.ports.runs.for_lead(&lead.id).await {
        Ok(r) => r,
        Err(e) => return handlers::store_error(&e),
    };
    let ctx = context! {
        s => handlers::summary(&lead),
        story => story(&lead),
        lead => lead,
        runs => runs,
        ..base(&deps, f.msg.as_deref(), f.err.as_deref())
    };
    render(StatusCode::OK, "lead.html", ctx)
}

fn forbidden() -> Response {
    (
        StatusCode::FORBIDDEN,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        "<!doctype html><title>Refused</title><p>This form is out of date or not ours; reload the page and try again.</p>",
    )
        .into_response()
}

fn see(path: &str, key: &str, text: &str) -> Response {
    Redirect::to(&format!("{path}?{key}={}", url_encode(text))).into_response()
}

pub async fn action(
    State(app): State<App>,
    Path(id): Path<String>,
    axum::Extension(actor): axum::Extension<Actor>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let deps = try_page!(handlers::deps(&app).await);
    if !auth::form_ok(&deps.secret, form.get("csrf").map(String::as_str)) {
        return forbidden();
    }
    let field = |k: &str| form.get(k).cloned().unwrap_or_default();
    let action = match field("action").as_str() {
        "reassign" => LeadAction::Reassign {
            owner: field("owner"),
        },
        "disqualify" => LeadAction::Disqualify {
            reason: field("reason"),
        },
        "reopen" => LeadAction::Reopen,
        "address" => LeadAction::Address {
            valid: field("valid") == "true",
        },
        "approve" => LeadAction::Approve {
            touch: field("touch").parse().ok(),
        },
        "resume" => LeadAction::Resume,
        _ => return handlers::error(StatusCode::BAD_REQUEST, "unknown action"),
    };
    let what = field("action");
    let path = format!("/leads/{}", url_encode(&id));
    match handlers::act(&deps, &id, action, &actor.0, app.backend.may_send()).await {
        Ok(_) => see(&path, "msg", &format!("{what}: done by {}", actor.0)),
        Err(r) if r.status() == StatusCode::NOT_FOUND => r,
        Err(r) => {
            let status = r.status();
            let body = axum::body::to_bytes(r.into_body(), 64 * 1024)
                .await
                .unwrap_or_default();
            let text = serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v["error"].as_str().map(str::to_string))
                .unwrap_or_else(|| status.to_string());
            see(&path, "err", &format!("{what}: {text}"))
        }
    }
}

async fn config_page(
    app: &App,
    deps: &Deps,
    status: StatusCode,
    toml: Option<String>,
    issues: Vec<sqa_core::config::ConfigIssue>,
    f: &Flash,
) -> Response {
    let active = match deps.ports.config.active().await {
        Ok(a) => a,
        Err(e) => return handlers::store_error(&e),
    };
    let history = match deps.ports.config.history().await {
        Ok(mut h) => {
            h.reverse();
            h
        }
        Err(e) => return handlers::store_error(&e),
    };
    let _ = app;
    let ctx = context! {
        version => active.as_ref().map(|a| a.version).unwrap_or(0),
        toml => toml.or(active.map(|a| a.toml)).unwrap_or_default(),
        issues => issues,
        history => history,
        ..base(deps, f.msg.as_deref(), f.err.as_deref())
    };
    render(status, "config.html", ctx)
}

pub async fn config(State(app): State<App>, Query(f): Query<Flash>) -> Response {
    let deps = try_page!(handlers::deps(&app).await);
    config_page(&app, &deps, StatusCode::OK, None, Vec::new(), &f).await
}

pub async fn config_post(
    State(app): State<App>,
    axum::Extension(actor): axum::Extension<Actor>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let deps = try_page!(handlers::deps(&app).await);
    if !auth::form_ok(&deps.secret, form.get("csrf").map(String::as_str)) {
        return forbidden();
    }
    let text = form
        .get("toml")
        .cloned()
        .unwrap_or_default()
        .replace("\r\n", "\n");
    let expected = form
        .get("expected_version")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let files = match app.backend.config_files(&text).await {
        Ok(f) => f,
        Err(e) => return handlers::unavailable(&e),
    };
    let saved =
        sqa_core::stages::supervise::save_config(&deps, files.as_ref(), &text, expected, &actor.0)
            .await;
    match saved {
        Ok((v, _)) => {
            if let Err(e) = app.backend.config_saved(&text).await {
                return handlers::unavailable(&e);
            }
            see("/config", "msg", &format!("saved as version {v}"))
        }
        Err(ConfigSaveError::Invalid(issues)) => {
            config_page(
                &app,
                &deps,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(text),
                issues,
                &Flash::default(),
            )
            .await
        }
        Err(e @ (ConfigSaveError::Refused(_) | ConfigSaveError::Stale(_))) => {
            let f = Flash {
                err: Some(e.to_string()),
                ..Flash::default()
            };
            config_page(
                &app,
                &deps,
                StatusCode::CONFLICT,
                Some(text),
                Vec::new(),
                &f,
            )
            .await
        }
        Err(ConfigSaveError::Store(e)) => handlers::store_error(&e),
    }
}

pub async fn agent(
    State(app): State<App>,
    axum::Extension(actor): axum::Extension<Actor>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let deps = try_page!(handlers::deps(&app).await);
    if !auth::form_ok(&deps.secret, form.get("csrf").map(String::as_str)) {
        return forbidden();
    }
    let state = match form.get("state").map(String::as_str) {
        Some("running") => AgentState::Running,
        Some("stopped") => AgentState::Stopped,
        _ => return handlers::error(StatusCode::BAD_REQUEST, "state: running or stopped"),
    };
    match handlers::set_state(&app, state, &actor.0).await {
        Ok(v) => see(
            "/",
            "msg",
            &format!(
                "the agent is {} (config version {v})",
                if state == AgentState::Running {
                    "running"
                } else {
                    "paused"
                }
            ),
        ),
        Err(_) => see("/", "err", "the agent state could not be changed"),
    }
}

pub async fn cost(State(app): State<App>, Query(f): Query<Flash>) -> Response {
    let (deps, m) = try_page!(period_metrics(&app, &f).await);
    let b = bars(m.cost_by_stage.iter().map(|(k, c)| (k.clone(), c.tokens)));
    let ctx = context! { m => m, bars => b, ..base(&deps, None, None) };
    render(StatusCode::OK, "cost.html", ctx)
}

/// The token of an unsubscribe link: `token`, or `t` as links written by earlier example
/// configs named it (an opt-out is honoured whatever link the email carried).
#[derive(Deserialize)]
pub struct TokenQuery {
    #[serde(alias = "t")]
    token: Option<String>,
}

fn unsub(status: StatusCode, text: &str) -> Response {
    render(
        status,
        "unsubscribe.html",
        context! { form => false, text => text },
    )
}

/// `GET /unsubscribe?token=…`: a page with one button; a link scanner that follows the link
/// unsubscribes nobody.
pub async fn unsubscribe_page(Query(q): Query<TokenQuery>) -> Response {
    match q.token.filter(|t| !t.is_empty()) {
        Some(t) => render(
            StatusCode::OK,
            "unsubscribe.html",
            context! { form => true, token => t },
        ),
        None => unsub(
            StatusCode::BAD_REQUEST,
            "This unsubscribe link is incomplete.",
        ),
    }
}

/// `POST /unsubscribe?token=…`: RFC 8058 one-click unsubscribe (`List-Unsubscribe=One-Click`),
/// and the page's button. Public; the token's HMAC is the proof.
pub async fn unsubscribe(
    State(app): State<App>,
    Query(q): Query<TokenQuery>,
    headers: axum::http::HeaderMap,
) -> Response {
    let Some(token) = q.token.filter(|t| !t.is_empty()) else {
        return unsub(
            StatusCode::BAD_REQUEST,
            "This unsubscribe link is incomplete.",
        );
    };
    let deps = try_page!(handlers::deps(&app).await);
    match consent::unsubscribe(&deps, &token).await {
        Ok(_) => {
            // The confirmation in the reader's language (Accept-Language), in the
            // workspace's wording when it overrides the shipped phrase.
            let lang = headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split([',', ';']).next())
                .unwrap_or("");
            let phrases = sqa_core::agents::phrases::resolve(lang, &deps.config.phrases);
            unsub(StatusCode::OK, &phrases.opt_out_confirmation)
        }
        Err(e @ (StageError::Transient(_) | StageError::Conflict(_))) => {
            tracing::warn!(error = %e, "unsubscribe failed; the client may retry");
            unsub(
                StatusCode::SERVICE_UNAVAILABLE,
                "Please try again in a minute.",
            )
        }
        Err(StageError::Permanent(_)) => {
            tracing::warn!("unsubscribe refused: the token is not valid");
            unsub(
                StatusCode::BAD_REQUEST,
                "This unsubscribe link is not valid.",
            )
        }
    }
}
