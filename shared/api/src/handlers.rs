//! The JSON routes (`/api/…`, `/health`, `/leads/import`) and what the pages share with them:
//! reading leads with filters, the actions, the config writes.

use crate::{Actor, App};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Deserialize;
use serde_json::{Value, json};
use sqa_core::config::AgentState;
use sqa_core::domain::{Lead, LeadId, Stage, TouchState};
use sqa_core::import::{ImportError, import_csv};
use sqa_core::ports::{Deps, LeadFilter, StoreError};
use sqa_core::stages::supervise::{self, ConfigSaveError};
use sqa_core::stages::{StageError, corrections, select};
use std::sync::Arc;

pub type Result<T> = std::result::Result<T, Response>;

pub fn error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}

pub fn unavailable(e: &anyhow::Error) -> Response {
    tracing::error!(error = %format!("{e:#}"), "the backend is unavailable");
    error(
        StatusCode::SERVICE_UNAVAILABLE,
        "the agent config cannot be read; try again later",
    )
}

pub async fn deps(app: &App) -> Result<Arc<Deps>> {
    app.backend.deps().await.map_err(|e| unavailable(&e))
}

pub fn store_error(e: &StoreError) -> Response {
    tracing::error!(error = %e, "store error");
    match e {
        StoreError::Transient(_) => error(StatusCode::SERVICE_UNAVAILABLE, "try again"),
        _ => error(StatusCode::INTERNAL_SERVER_ERROR, "internal error"),
    }
}

pub fn stage_error(e: &StageError) -> Response {
    match e {
        StageError::Permanent(e) => error(StatusCode::UNPROCESSABLE_ENTITY, &format!("{e:#}")),
        StageError::Conflict(what) => error(StatusCode::CONFLICT, what),
        StageError::Transient(e) => {
            tracing::warn!(error = %format!("{e:#}"), "transient failure");
            error(StatusCode::SERVICE_UNAVAILABLE, "try again")
        }
    }
}

pub async fn health() -> Response {
    Json(json!({"status": "ok"})).into_response()
}

pub async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], crate::OPENAPI).into_response()
}

/// The filters of the lead list (JSON and page).
#[derive(Debug, Default, Clone, Deserialize, serde::Serialize)]
pub struct ListQuery {
    pub stage: Option<String>,
    pub owner: Option<String>,
    pub source: Option<String>,
    /// Fit tier: `a`, `b`, `c`.
    pub tier: Option<String>,
    /// Rating: `hot`, `warm`, `cold` (`agents::rating` at the request's time, without the
    /// boost an interested colleague gives in `sqa leads list --sort rating`).
    pub rating: Option<String>,
    /// `true`: only leads the agent selected (claimed by a selection run).
    pub from_agent: Option<String>,
    /// `true`: only the control group (selected, then left to their owners); `false`: none
    /// of it.
    pub control: Option<String>,
    /// Last change at or after (RFC 3339 or `YYYY-MM-DD`).
    pub from: Option<String>,
    /// Last change at or before.
    pub to: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<usize>,
}

fn empty_none(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// A date or time from a query: RFC 3339, or a day (its start for `from`, its end for `to`).
pub fn parse_time(s: &str, end_of_day: bool) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    let d = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
    let t = if end_of_day {
        d.and_hms_opt(23, 59, 59)?
    } else {
        d.and_hms_opt(0, 0, 0)?
    };
    Some(t.and_utc())
}

/// One page of leads matching the query; `next` continues it. The store pages by stage and
/// owner; the other filters are applied to each store page, so a page can hold fewer than
/// `limit` leads while `next` is set.
pub async fn list_leads(deps: &Deps, q: &ListQuery) -> Result<(Vec<Lead>, Option<String>)> {
    let stage = match empty_none(&q.stage) {
        Some(s) => Some(Stage::parse(s).ok_or_else(|| {
            error(
                StatusCode::BAD_REQUEST,
                &format!("stage {s:?} is not a stage"),
            )
        })?),
        None => None,
    };
    let time = |v: &Option<String>, end: bool, name: &str| match empty_none(v) {
        Some(s) => parse_time(s, end).map(Some).ok_or_else(|| {
            error(
                StatusCode::BAD_REQUEST,
                &format!("{name} is not a date (YYYY-MM-DD) or an RFC 3339 time"),
            )
        }),
        None => Ok(None),
    };
    let from = time(&q.from, false, "from")?;
    let to = time(&q.to, true, "to")?;
    let filter = LeadFilter {
        stage,
        owner: empty_none(&q.owner).map(str::to_string),
    };
    let limit = q.limit.unwrap_or(50).clamp(1, 500);
    let source = empty_none(&q.source).map(str::to_lowercase);
    let tier = empty_none(&q.tier).map(str::to_lowercase);
    let rating = match empty_none(&q.rating).map(str::to_lowercase) {
        Some(r) if ["hot", "warm", "cold"].contains(&r.as_str()) => Some(r),
        Some(r) => {
            return Err(error(
                StatusCode::BAD_REQUEST,
                &format!("rating {r:?} is not hot, warm or cold"),
            ));
        }
        None => None,
    };
    let now = deps.ports.clock.now();
    let from_agent = empty_none(&q.from_agent).map(|v| matches!(v, "1" | "true" | "yes"));
    let control = empty_none(&q.control).map(|v| matches!(v, "1" | "true" | "yes"));
    let keep = |l: &Lead| {
        source
            .as_ref()
            .is_none_or(|s| l.source.trim().to_lowercase() == *s)
            && tier.as_ref().is_none_or(|t| {
                l.fit
                    .as_ref()
                    .is_some_and(|f| f.tier.as_str().eq_ignore_ascii_case(t))
            })
            && from_agent.is_none_or(|a| (l.claimed_by.is_some() && !l.control) == a)
            && control.is_none_or(|c| l.control == c)
            && rating
                .as_ref()
                .is_none_or(|r| sqa_core::agents::rating::rate(l, now, false).heat.as_str() == r)
            && from.is_none_or(|f| l.updated_at >= f)
            && to.is_none_or(|t| l.updated_at <= t)
    };
    let mut out = Vec::new();
    let mut cursor = empty_none(&q.cursor).map(str::to_string);
    let mut scanned = 0;
    loop {
        let want = limit - out.len();
        let page = deps
            .ports
            .leads
            .list(&filter, cursor.clone(), want)
            .await
            .map_err(|e| match e {
                StoreError::Unexpected(_) if cursor.is_some() => {
                    error(StatusCode::BAD_REQUEST, "the cursor is not valid")
                }
                e => store_error(&e),
            })?;
        scanned += page.items.len();
        out.extend(page.items.into_iter().filter(|l| keep(l)));
        cursor = page.next;
        if cursor.is_none() || out.len() >= limit || scanned >= 5000 {
            break;
        }
    }
    Ok((out, cursor))
}

/// One lead as the list shows it.
pub fn summary(lead: &Lead) -> Value {
    json!({
        "id": lead.id,
        "name": lead.display_name(),
        "company": lead.company.trim(),
        "title": lead.title.trim(),
        "stage": lead.stage.as_str(),
        "owner": lead.handover.as_ref().map(|h| h.seller.clone()).unwrap_or_else(|| lead.owner.trim().to_string()),
        "source": lead.source.trim(),
        "industry": lead.industry.trim(),
        "fit_score": lead.fit.as_ref().map(|f| f.score),
        "tier": lead.fit.as_ref().map(|f| f.tier.as_str()),
        "from_agent": lead.claimed_by.is_some() && !lead.control,
        "control": lead.control,
        "emails_sent": lead.emails_sent(),
        "replies": lead.inbound.len(),
        "drafts": lead.touches.iter().filter(|t| t.state == TouchState::Draft).count(),
        "blocked": lead.blocked.as_ref().map(|b| b.to_string()),
        "reason": lead.reason,
        "updated_at": lead.updated_at,
    })
}

pub async fn leads(State(app): State<App>, Query(q): Query<ListQuery>) -> Response {
    let deps = match deps(&app).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    match list_leads(&deps, &q).await {
        Ok((leads, next)) => Json(json!({
            "leads": leads.iter().map(summary).collect::<Vec<_>>(),
            "next": next,
        }))
        .into_response(),
        Err(r) => r,
    }
}

pub fn parse_id(id: &str) -> Result<LeadId> {
    LeadId::parse(id).map_err(|_| error(StatusCode::NOT_FOUND, "no such lead"))
}

pub async fn get_lead(deps: &Deps, id: &str) -> Result<Lead> {
    let id = parse_id(id)?;
    deps.ports
        .leads
        .get(&id)
        .await
        .map_err(|e| store_error(&e))?
        .ok_or_else(|| error(StatusCode::NOT_FOUND, "no such lead"))
}

/// Everything known about one lead: research with its sources, fit reasons, the
/// conversation, BANT, the handover summary, and its run records.
pub async fn lead_detail(deps: &Deps, id: &str) -> Result<Value> {
    let lead = get_lead(deps, id).await?;
    let runs = deps
        .ports
        .runs
        .for_lead(&lead.id)
        .await
        .map_err(|e| store_error(&e))?;
    Ok(json!({ "summary": summary(&lead), "lead": lead, "runs": runs }))
}

pub async fn lead(State(app): State<App>, Path(id): Path<String>) -> Response {
    let deps = match deps(&app).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    match lead_detail(&deps, &id).await {
        Ok(v) => Json(v).into_response(),
        Err(r) => r,
    }
}

/// An action on a lead, as the JSON routes and the lead page's forms name it.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum LeadAction {
    Reassign { owner: String },
    Disqualify { reason: String },
    Reopen,
    Address { valid: bool },
    Approve { touch: Option<u32> },
    Resume,
}

/// Run an action through the core; the lead as it is now. `may_send`: the backend's
/// [`crate::Backend::may_send`].
pub async fn act(
    deps: &Deps,
    id: &str,
    action: LeadAction,
    by: &str,
    may_send: bool,
) -> Result<Lead> {
    let lead = get_lead(deps, id).await?;
    if matches!(action, LeadAction::Approve { .. }) && !may_send {
        return Err(error(
            StatusCode::FORBIDDEN,
            "this deployment is research-only (its Mode parameter): it sends no mail to leads; \
             a seller sends the draft",
        ));
    }
    let id = &lead.id;
    let done = match action {
        LeadAction::Reassign { owner } => supervise::reassign(deps, id, &owner, by).await,
        LeadAction::Disqualify { reason } => supervise::disqualify(deps, id, &reason, by).await,
        LeadAction::Reopen => supervise::reopen(deps, id, by).await,
        LeadAction::Address { valid } => {
            corrections::mark_address(deps, id, Some(valid), None, by).await
        }
        LeadAction::Approve { touch } => {
            supervise::approve_draft(deps, id, touch.unwrap_or(1), by).await
        }
        LeadAction::Resume => corrections::resume(deps, id, by).await,
    };
    done.map_err(|e| stage_error(&e))
}

async fn act_json(app: App, id: String, action: LeadAction, actor: Actor) -> Response {
    let deps = match deps(&app).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    match act(&deps, &id, action, &actor.0, app.backend.may_send()).await {
        Ok(lead) => Json(json!({ "lead": summary(&lead), "by": actor.0 })).into_response(),
        Err(r) => r,
    }
}

#[derive(Deserialize)]
pub struct OwnerBody {
    owner: String,
}
#[derive(Deserialize)]
pub struct ReasonBody {
    reason: String,
}
#[derive(Deserialize)]
pub struct AddressBody {
    valid: bool,
}
#[derive(Deserialize, Default)]
pub struct ApproveBody {
    touch: Option<u32>,
}

pub async fn reassign(
    State(app): State<App>,
    Path(id): Path<String>,
    axum::Extension(actor): axum::Extension<Actor>,
    Json(b): Json<OwnerBody>,
) -> Response {
    act_json(app, id, LeadAction::Reassign { owner: b.owner }, actor).await
}

pub async fn disqualify(
    State(app): State<App>,
    Path(id): Path<String>,
    axum::Extension(actor): axum::Extension<Actor>,
    Json(b): Json<ReasonBody>,
) -> Response {
    act_json(app, id, LeadAction::Disqualify { reason: b.reason }, actor).await
}

pub async fn reopen(
    State(app): State<App>,
    Path(id): Path<String>,
    axum::Extension(actor): axum::Extension<Actor>,
) -> Response {
    act_json(app, id, LeadAction::Reopen, actor).await
}

pub async fn address(
    State(app): State<App>,
    Path(id): Path<String>,
    axum::Extension(actor): axum::Extension<Actor>,
    Json(b): Json<AddressBody>,
) -> Response {
    act_json(app, id, LeadAction::Address { valid: b.valid }, actor).await
}

pub async fn approve(
    State(app): State<App>,
    Path(id): Path<String>,
    axum::Extension(actor): axum::Extension<Actor>,
    body: Bytes,
) -> Response {
    let b: ApproveBody = if body.iter().all(u8::is_ascii_whitespace) {
        ApproveBody::default()
    } else {
        match serde_json::from_slice(&body) {
            Ok(b) => b,
            Err(e) => return error(StatusCode::BAD_REQUEST, &format!("bad JSON: {e}")),
        }
    };
    act_json(app, id, LeadAction::Approve { touch: b.touch }, actor).await
}

pub async fn config_get(State(app): State<App>) -> Response {
    let deps = match deps(&app).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    match deps.ports.config.active().await {
        Ok(Some(c)) => Json(json!({
            "version": c.version, "saved_at": c.saved_at, "toml": c.toml,
            "mode": deps.config.mode, "state": deps.config.state,
        }))
        .into_response(),
        Ok(None) => error(StatusCode::NOT_FOUND, "no config has been saved yet"),
        Err(e) => store_error(&e),
    }
}

pub async fn config_history(State(app): State<App>) -> Response {
    let deps = match deps(&app).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    match deps.ports.config.history().await {
        Ok(h) => Json(json!({ "versions": h })).into_response(),
        Err(e) => store_error(&e),
    }
}

#[derive(Deserialize)]
pub struct ConfigBody {
    toml: String,
    #[serde(default)]
    expected_version: u64,
}

pub fn config_error(e: &ConfigSaveError) -> Response {
    match e {
        ConfigSaveError::Invalid(issues) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({ "error": e.to_string(), "issues": issues })),
        )
            .into_response(),
        ConfigSaveError::Refused(why) => error(StatusCode::UNPROCESSABLE_ENTITY, why),
        ConfigSaveError::Stale(_) => error(StatusCode::CONFLICT, &e.to_string()),
        ConfigSaveError::Store(s) => store_error(s),
    }
}

/// Save a config through the core, then tell the backend.
pub async fn save_config(
    app: &App,
    text: &str,
    expected: u64,
    by: &str,
) -> std::result::Result<u64, Response> {
    let deps = deps(app).await?;
    let files = app
        .backend
        .config_files(text)
        .await
        .map_err(|e| unavailable(&e))?;
    let (version, _) = supervise::save_config(&deps, files.as_ref(), text, expected, by)
        .await
        .map_err(|e| config_error(&e))?;
    app.backend
        .config_saved(text)
        .await
        .map_err(|e| unavailable(&e))?;
    Ok(version)
}

pub async fn config_put(
    State(app): State<App>,
    axum::Extension(actor): axum::Extension<Actor>,
    Json(b): Json<ConfigBody>,
) -> Response {
    match save_config(&app, &b.toml, b.expected_version, &actor.0).await {
        Ok(v) => Json(json!({ "version": v, "by": actor.0 })).into_response(),
        Err(r) => r,
    }
}

pub async fn config_validate(State(app): State<App>, Json(b): Json<ConfigBody>) -> Response {
    let files = match app.backend.config_files(&b.toml).await {
        Ok(f) => f,
        Err(e) => return unavailable(&e),
    };
    match supervise::check(&b.toml, files.as_ref()) {
        Ok(c) => Json(json!({ "valid": true, "issues": [], "mode": c.mode, "state": c.state }))
            .into_response(),
        Err(ConfigSaveError::Invalid(issues)) => {
            Json(json!({ "valid": false, "issues": issues })).into_response()
        }
        Err(e) => config_error(&e),
    }
}

/// Pause or resume the agent (a new config version with its `state`).
pub async fn set_state(app: &App, state: AgentState, by: &str) -> Result<u64> {
    let deps = deps(app).await?;
    let active = deps
        .ports
        .config
        .active()
        .await
        .map_err(|e| store_error(&e))?
        .ok_or_else(|| error(StatusCode::CONFLICT, "no config has been saved yet"))?;
    let text = supervise::with_state(&active.toml, state);
    save_config(app, &text, active.version, by).await
}

pub async fn pause(
    State(app): State<App>,
    axum::Extension(actor): axum::Extension<Actor>,
) -> Response {
    match set_state(&app, AgentState::Stopped, &actor.0).await {
        Ok(v) => Json(json!({ "version": v, "state": "stopped", "by": actor.0 })).into_response(),
        Err(r) => r,
    }
}

pub async fn resume(
    State(app): State<App>,
    axum::Extension(actor): axum::Extension<Actor>,
) -> Response {
    match set_state(&app, AgentState::Running, &actor.0).await {
        Ok(v) => Json(json!({ "version": v, "state": "running", "by": actor.0 })).into_response(),
        Err(r) => r,
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct PeriodQuery {
    pub from: Option<String>,
    pub to: Option<String>,
}

/// The period of a query: `to` defaults to now, `from` to seven days before `to`.
pub fn period(deps: &Deps, q: &PeriodQuery) -> Result<(DateTime<Utc>, DateTime<Utc>)> {
    let bad = |n: &str| {
        error(
            StatusCode::BAD_REQUEST,
            &format!("{n} is not a date (YYYY-MM-DD) or an RFC 3339 time"),
        )
    };
    let to = match empty_none(&q.to) {
        Some(s) => parse_time(s, true).ok_or_else(|| bad("to"))?,
        None => deps.ports.clock.now(),
    };
    let from = match empty_none(&q.from) {
        Some(s) => parse_time(s, false).ok_or_else(|| bad("from"))?,
        None => to - Duration::days(7),
    };
    Ok((from, to))
}

pub async fn metrics(State(app): State<App>, Query(q): Query<PeriodQuery>) -> Response {
    let deps = match deps(&app).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    let (from, to) = match period(&deps, &q) {
        Ok(p) => p,
        Err(r) => return r,
    };
    match sqa_core::metrics::compute(&deps, from, to).await {
        Ok(m) => Json(m).into_response(),
        Err(e) => store_error(&e),
    }
}

#[derive(Deserialize)]
pub struct ImportQuery {
    dry_run: Option<String>,
}

/// Largest import body accepted (API Gateway's own limit is 10 MB).
const MAX_IMPORT_BYTES: usize = 6 * 1024 * 1024;

/// `POST /leads/import[?dry_run=true]`: import a leads CSV, then enqueue the new leads at
/// once (the schedule picks them up otherwise).
pub async fn import(State(app): State<App>, Query(q): Query<ImportQuery>, body: Bytes) -> Response {
    let deps = match deps(&app).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    if body.len() > MAX_IMPORT_BYTES {
        return error(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!("the CSV is larger than {MAX_IMPORT_BYTES} bytes"),
        );
    }
    let dry_run = q
        .dry_run
        .as_deref()
        .is_some_and(|v| matches!(v, "1" | "true" | "yes"));
    let report = match import_csv(&deps, &body, dry_run).await {
        Ok(r) => r,
        Err(ImportError::Store(e)) => return store_error(&e),
        Err(e) => return error(StatusCode::BAD_REQUEST, &e.to_string()),
    };
    let mut enqueued = 0;
    if !dry_run && !report.imported.is_empty() {
        let ids: Vec<_> = report
            .imported
            .iter()
            .filter_map(|id| LeadId::parse(id).ok())
            .collect();
        let run_id = format!("import-{}", deps.ports.clock.now().timestamp_millis());
        match select::enqueue_new(&deps, &ids, &run_id).await {
            Ok(n) => enqueued = n,
            Err(e) => {
                tracing::warn!(error = %e, "immediate enqueue failed; the schedule will select")
            }
        }
    }
    let mut value = match serde_json::to_value(&report) {
        Ok(v) => v,
        Err(e) => {
            tracing::error!(imported = report.imported.len(), error = %e, "the import report could not be serialised");
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the leads were imported but the report could not be written",
            );
        }
    };
    if let Some(obj) = value.as_object_mut() {
        obj.insert("enqueued".into(), enqueued.into());
    }
    let status = if dry_run {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    (status, Json(value)).into_response()
}
