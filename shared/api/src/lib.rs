//! The supervisor's view: one HTTP router over the core's ports, served by `sqa serve` on the
//! embedded backend and by the `api` Lambda behind API Gateway (HTTP API).
//!
//! - `/api/…`: JSON (leads, a lead, actions, config, metrics); described by the OpenAPI
//!   document at `/api/openapi.json` ([`ROUTES`] lists every route; a test checks each is in
//!   the document and answers);
//! - `/`, `/leads`, `/leads/{id}`, `/config`, `/cost`: the dashboard, server-rendered HTML
//!   (minijinja templates, charts as inline SVG) usable without JavaScript; actions are forms
//!   with a CSRF token;
//! - `/unsubscribe?token=…`: the one-click unsubscribe (RFC 8058 POST, and a GET page with one
//!   button), public, verified by its HMAC token;
//! - `/health` and, on AWS, `POST /leads/import`.
//!
//! Every action goes through the core (`sqa_core::stages::{supervise, corrections}`), the same
//! functions the command line calls, and is recorded with who and when. Authentication is the
//! [`Auth`] the backend chooses: a bearer token derived from the workspace secret (locally),
//! or API Gateway's authorizer (on AWS). Logs carry the method, the route template and the
//! status only: no lead id, address, token or body.

// Handlers return `Result<T, Response>`: the error is the answer itself, built once per
// request, so its size does not matter.
#![allow(clippy::result_large_err)]

mod auth;
mod handlers;
mod pages;

use async_trait::async_trait;
use axum::Router;
use axum::routing::{get, post};
use sqa_core::config::ConfigFiles;
use sqa_core::ports::Deps;
use std::sync::Arc;

pub use auth::{Actor, Auth, bearer_token, csrf_token};

/// What the router needs from a backend: its ports with the active config, the files a config
/// text names, and what follows a saved config.
#[async_trait]
pub trait Backend: Send + Sync + 'static {
    /// The ports and the active config for one request.
    async fn deps(&self) -> anyhow::Result<Arc<Deps>>;
    /// The files `text` names (ICP, knowledge), read where this backend keeps them, for
    /// `config::parse`.
    async fn config_files(&self, text: &str) -> anyhow::Result<Box<dyn ConfigFiles + Send + Sync>>;
    /// Called after a new config version was saved in the config store (the embedded
    /// backend also writes its `sqa.toml` and reloads).
    async fn config_saved(&self, text: &str) -> anyhow::Result<()>;
    /// Whether this deployment may send mail to leads at all. A stack deployed research-only
    /// (the template's `Mode`) never does, so an approved draft is refused there.
    fn may_send(&self) -> bool {
        true
    }
}

/// The state every handler shares.
#[derive(Clone)]
pub struct App {
    pub backend: Arc<dyn Backend>,
    pub auth: Auth,
}

/// Every route of the router: method, path (OpenAPI form), whether it is JSON API
/// (`true`) or a page/form (`false`). The OpenAPI document lists every JSON route.
pub const ROUTES: &[(&str, &str, bool)] = &[
    ("get", "/health", true),
    ("post", "/leads/import", true),
    ("get", "/unsubscribe", false),
    ("post", "/unsubscribe", false),
    ("get", "/api/openapi.json", true),
    ("get", "/api/leads", true),
    ("get", "/api/leads/{id}", true),
    ("post", "/api/leads/{id}/reassign", true),
    ("post", "/api/leads/{id}/disqualify", true),
    ("post", "/api/leads/{id}/reopen", true),
    ("post", "/api/leads/{id}/address", true),
    ("post", "/api/leads/{id}/approve", true),
    ("get", "/api/config", true),
    ("put", "/api/config", true),
    ("post", "/api/config/validate", true),
    ("get", "/api/config/history", true),
    ("post", "/api/agent/pause", true),
    ("post", "/api/agent/resume", true),
    ("get", "/api/metrics", true),
    ("get", "/", false),
    ("get", "/login", false),
    ("get", "/leads", false),
    ("get", "/leads/{id}", false),
    ("post", "/leads/{id}/action", false),
    ("get", "/config", false),
    ("post", "/config", false),
    ("post", "/agent", false),
    ("get", "/cost", false),
];

/// The OpenAPI 3.1 document of the JSON routes.
pub const OPENAPI: &str = include_str!("../openapi.json");

/// The router, for `sqa serve` (with `Auth::Token`) and the api Lambda (`Auth::Gateway`).
pub fn router(backend: Arc<dyn Backend>, auth: Auth) -> Router {
    let app = App { backend, auth };
    let protected = Router::new()
        .route("/api/openapi.json", get(handlers::openapi))
        .route("/api/leads", get(handlers::leads))
        .route("/api/leads/{id}", get(handlers::lead))
        .route("/api/leads/{id}/reassign", post(handlers::reassign))
        .route("/api/leads/{id}/disqualify", post(handlers::disqualify))
        .route("/api/leads/{id}/reopen", post(handlers::reopen))
        .route("/api/leads/{id}/address", post(handlers::address))
        .route("/api/leads/{id}/approve", post(handlers::approve))
        .route(
            "/api/config",
            get(handlers::config_get).put(handlers::config_put),
        )
        .route("/api/config/validate", post(handlers::config_validate))
        .route("/api/config/history", get(handlers::config_history))
        .route("/api/agent/pause", post(handlers::pause))
        .route("/api/agent/resume", post(handlers::resume))
        .route("/api/metrics", get(handlers::metrics))
        .route("/leads/import", post(handlers::import))
        .route("/", get(pages::overview))
        .route("/leads", get(pages::leads))
        .route("/leads/{id}", get(pages::lead))
        .route("/leads/{id}/action", post(pages::action))
        .route("/config", get(pages::config).post(pages::config_post))
        .route("/agent", post(pages::agent))
        .route("/cost", get(pages::cost))
        .route_layer(axum::middleware::from_fn_with_state(
            app.clone(),
            auth::require,
        ));
    Router::new()
        .route("/health", get(handlers::health))
        .route("/login", get(auth::login))
        .route(
            "/unsubscribe",
            get(pages::unsubscribe_page).post(pages::unsubscribe),
        )
        .merge(protected)
        .layer(axum::middleware::from_fn(log_request))
        .with_state(app)
}

/// One log line per request: method, route template, status — nothing personal.
async fn log_request(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let method = req.method().clone();
    let route = req
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "(unmatched)".into());
    let started = std::time::Instant::now();
    let resp = next.run(req).await;
    tracing::info!(
        method = %method,
        route,
        status = resp.status().as_u16(),
        ms = started.elapsed().as_millis() as u64,
        "request"
    );
    resp
}
