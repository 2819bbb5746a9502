//! The api function: the HTTP API and dashboard of a deployment (`sqa_api::router`, the same
//! router `sqa serve` runs), behind an API Gateway HTTP API (payload format 2.0).
//!
//! | route | auth | what |
//! |---|---|---|
//! | `GET /health` | none | liveness |
//! | `GET/POST /unsubscribe?token=…` | none (the token's HMAC) | one-click unsubscribe: a page with one button, and RFC 8058 POST |
//! | `POST /leads/import[?dry_run=true]` | the authorizer | import a leads CSV, then enqueue the new leads at once |
//! | `/api/…`, `/`, `/leads…`, `/config`, `/cost` | the authorizer | the API (OpenAPI at `/api/openapi.json`) and the dashboard |
//!
//! Authorisation is API Gateway's: the template's `ApiAuth` parameter puts IAM (SigV4) or a
//! JWT authorizer on every route but health and unsubscribe; the router runs with
//! `Auth::Gateway` and records the authorizer's principal as who acted. This file is Lambda
//! glue only: converting the event to an HTTP request and back.

use aws_lambda_events::encodings::Body;
use aws_lambda_events::event::apigw::{ApiGatewayV2httpRequest, ApiGatewayV2httpResponse};
use aws_lambda_events::http::{HeaderValue, header};
use sqa_api::{Actor, Auth, Backend};
use sqa_aws::lambda::Runtime;
use sqa_aws::wire::{NeedsSecret, Wiring};
use sqa_core::config::{ConfigFiles, NamedFile};
use sqa_core::ports::Deps;
use std::sync::Arc;
use tower::ServiceExt;

/// The ports this function uses: the stores, queue and unsubscribe secret, and the mailer
/// (a supervisor approves and sends a research-only draft); no model, web or DNS.
pub const WIRING: Wiring = Wiring {
    mailer: Some(sqa_aws::wire::ses_mailer),
    ..Wiring::minimal("api", NeedsSecret::Yes)
};

/// The answer to any request while the agent config cannot be read (missing, invalid or
/// the table unavailable): the caller may retry; the reason is in the function's log.
pub fn unavailable() -> ApiGatewayV2httpResponse {
    let mut r = ApiGatewayV2httpResponse::default();
    r.status_code = 503;
    r.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r.body = Some(Body::Text(
        serde_json::json!({"error": "the agent config cannot be read; try again later"})
            .to_string(),
    ));
    r
}

/// The deployed backend: the runtime's ports and cached config, and the knowledge bucket for
/// the files a config names.
pub struct Deployed(pub Arc<Runtime>);

#[async_trait::async_trait]
impl Backend for Deployed {
    async fn deps(&self) -> anyhow::Result<Arc<Deps>> {
        self.0.deps().await
    }
    async fn config_files(&self, text: &str) -> anyhow::Result<Box<dyn ConfigFiles + Send + Sync>> {
        Ok(Box::new(
            sqa_aws::wire::fetch_named_files(&self.0.clients, &self.0.settings, text).await?,
        ))
    }
    async fn config_saved(&self, _text: &str) -> anyhow::Result<()> {
        // Every function reads the new version within its config TTL.
        Ok(())
    }
    fn may_send(&self) -> bool {
        self.0.settings.mode != Some(sqa_core::config::Mode::ResearchOnly)
    }
}

/// A backend over fixed ports (tests, one-off harnesses): a config that names files cannot
/// be checked here.
pub struct Fixed(pub Arc<Deps>);

struct NoFiles;
impl ConfigFiles for NoFiles {
    fn read(&self, f: &NamedFile<'_>) -> Result<String, String> {
        Err(format!("{}: no knowledge bucket in this harness", f.name))
    }
}

#[async_trait::async_trait]
impl Backend for Fixed {
    async fn deps(&self) -> anyhow::Result<Arc<Deps>> {
        Ok(self.0.clone())
    }
    async fn config_files(
        &self,
        _text: &str,
    ) -> anyhow::Result<Box<dyn ConfigFiles + Send + Sync>> {
        Ok(Box::new(NoFiles))
    }
    async fn config_saved(&self, _text: &str) -> anyhow::Result<()> {
        Ok(())
    }
}

/// The router of this function.
pub fn router(backend: Arc<dyn Backend>) -> axum::Router {
    sqa_api::router(backend, Auth::Gateway)
}

/// Answer one request with fixed ports (the router built for it).
pub async fn handler(req: ApiGatewayV2httpRequest, deps: &Deps) -> ApiGatewayV2httpResponse {
    let app = router(Arc::new(Fixed(Arc::new(deps.clone()))));
    handle(&app, req).await
}

/// Who the authorizer let in: the IAM caller's ARN, or the JWT's subject.
fn actor(req: &ApiGatewayV2httpRequest) -> Actor {
    let auth = req.request_context.authorizer.as_ref();
    if let Some(arn) = auth
        .and_then(|a| a.iam.as_ref())
        .and_then(|i| i.user_arn.clone())
    {
        return Actor(format!("iam:{arn}"));
    }
    if let Some(sub) = auth
        .and_then(|a| a.jwt.as_ref())
        .and_then(|j| j.claims.get("sub").cloned())
    {
        return Actor(format!("jwt:{sub}"));
    }
    Actor("aws:unknown".into())
}

fn bad_request(msg: &str) -> ApiGatewayV2httpResponse {
    let mut r = ApiGatewayV2httpResponse::default();
    r.status_code = 400;
    r.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r.body = Some(Body::Text(serde_json::json!({ "error": msg }).to_string()));
    r
}

/// The event as an HTTP request, through the router, and the answer as the event's response.
pub async fn handle(app: &axum::Router, req: ApiGatewayV2httpRequest) -> ApiGatewayV2httpResponse {
    let path = req
        .raw_path
        .clone()
        .or_else(|| req.request_context.http.path.clone())
        .unwrap_or_else(|| "/".into());
    let uri = match req.raw_query_string.as_deref().filter(|q| !q.is_empty()) {
        Some(q) => format!("{path}?{q}"),
        None => path,
    };
    let body = match req.body.as_deref() {
        None => Vec::new(),
        Some(b) if req.is_base64_encoded => match sqa_aws::lambda::decode_base64(b) {
            Ok(bytes) => bytes,
            Err(e) => return bad_request(&format!("the body is not base64: {e}")),
        },
        Some(b) => b.as_bytes().to_vec(),
    };
    let mut builder = axum::http::Request::builder()
        .method(req.request_context.http.method.clone())
        .uri(uri);
    for (k, v) in &req.headers {
        builder = builder.header(k, v);
    }
    if let Some(cookies) = req.cookies.as_ref().filter(|c| !c.is_empty()) {
        builder = builder.header(header::COOKIE, cookies.join("; "));
    }
    let mut request = match builder.body(axum::body::Body::from(body)) {
        Ok(r) => r,
        Err(e) => return bad_request(&format!("the request is not valid HTTP: {e}")),
    };
    request.extensions_mut().insert(actor(&req));
    let response = match app.clone().oneshot(request).await {
        Ok(r) => r,
        Err(never) => match never {},
    };
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, 16 * 1024 * 1024)
        .await
        .unwrap_or_default();
    let mut out = ApiGatewayV2httpResponse::default();
    out.status_code = i64::from(parts.status.as_u16());
    for (k, v) in &parts.headers {
        if k == header::SET_COOKIE {
            if let Ok(c) = v.to_str() {
                out.cookies.push(c.to_string());
            }
        } else {
            out.headers.insert(k.clone(), v.clone());
        }
    }
    out.body = Some(match String::from_utf8(bytes.to_vec()) {
        Ok(text) => Body::Text(text),
        Err(e) => {
            out.is_base64_encoded = true;
            Body::Binary(e.into_bytes())
        }
    });
    out
}
