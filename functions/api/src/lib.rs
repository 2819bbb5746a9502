//! The api function: the HTTP routes of a deployment, behind an API Gateway HTTP API.
//!
//! | route | auth | what |
//! |---|---|---|
//! | `GET /health` | none | liveness |
//! | `POST /leads/import[?dry_run=true]` | IAM (SigV4) | import a leads CSV, then enqueue the new leads at once |
//! | `GET /unsubscribe?token=…` | none | a page with one button (link scanners must not unsubscribe anyone) |
//! | `POST /unsubscribe?token=…` | none | RFC 8058 one-click unsubscribe (`List-Unsubscribe=One-Click`) |
//!
//! Authorisation is API Gateway's (the template sets `AWS_IAM` on every route but health and
//! unsubscribe); this code never sees an unauthorised request. Lambda glue only: importing,
//! selecting and unsubscribing are the core's.

use aws_lambda_events::encodings::Body;
use aws_lambda_events::event::apigw::{ApiGatewayV2httpRequest, ApiGatewayV2httpResponse};
use aws_lambda_events::http::{HeaderValue, Method, header};
use sqa_aws::wire::{NeedsSecret, Wiring};
use sqa_core::import::{ImportError, import_csv};
use sqa_core::ports::{Deps, StoreError};
use sqa_core::stages::{StageError, consent, select};

/// The ports this function uses (stores, queue and the unsubscribe secret); nothing else is
/// linked into it.
pub const WIRING: Wiring = Wiring::minimal("api", NeedsSecret::Yes);

/// The answer to any request while the agent config cannot be read (missing, invalid or
/// the table unavailable): the caller may retry; the reason is in the function's log.
pub fn unavailable() -> ApiGatewayV2httpResponse {
    json(
        503,
        &serde_json::json!({"error": "the agent config cannot be read; try again later"}),
    )
}

/// Largest import body accepted (API Gateway's own limit is 10 MB).
const MAX_IMPORT_BYTES: usize = 6 * 1024 * 1024;

pub async fn handler(req: ApiGatewayV2httpRequest, deps: &Deps) -> ApiGatewayV2httpResponse {
    let method = req.request_context.http.method.clone();
    let path = req
        .raw_path
        .clone()
        .or_else(|| req.request_context.http.path.clone())
        .unwrap_or_default();
    let path = path.trim_end_matches('/');
    let response = match (method.clone(), path) {
        (Method::GET, "/health") => json(200, &serde_json::json!({"status": "ok"})),
        (Method::POST, "/leads/import") => import(&req, deps).await,
        (Method::GET, "/unsubscribe") => unsubscribe_page(&req),
        (Method::POST, "/unsubscribe") => unsubscribe(&req, deps).await,
        (_, "/health" | "/leads/import" | "/unsubscribe") => {
            json(405, &serde_json::json!({"error": "method not allowed"}))
        }
        _ => json(404, &serde_json::json!({"error": "not found"})),
    };
    tracing::info!(method = %method, path, status = response.status_code, "request");
    response
}

fn body_bytes(req: &ApiGatewayV2httpRequest) -> Result<Vec<u8>, String> {
    let Some(body) = req.body.as_deref() else {
        return Ok(Vec::new());
    };
    if req.is_base64_encoded {
        sqa_aws::lambda::decode_base64(body).map_err(|e| format!("the body is not base64: {e}"))
    } else {
        Ok(body.as_bytes().to_vec())
    }
}

async fn import(req: &ApiGatewayV2httpRequest, deps: &Deps) -> ApiGatewayV2httpResponse {
    let bytes = match body_bytes(req) {
        Ok(b) => b,
        Err(e) => return json(400, &serde_json::json!({"error": e})),
    };
    if bytes.len() > MAX_IMPORT_BYTES {
        return json(
            413,
            &serde_json::json!({"error": format!("the CSV is larger than {MAX_IMPORT_BYTES} bytes")}),
        );
    }
    let dry_run = req
        .query_string_parameters
        .first("dry_run")
        .is_some_and(|v| matches!(v, "1" | "true" | "yes"));
    let report = match import_csv(deps, &bytes, dry_run).await {
        Ok(r) => r,
        Err(ImportError::Store(e)) => return store_error(&e),
        Err(e) => return json(400, &serde_json::json!({"error": e.to_string()})),
    };
    // A new lead does not wait for the schedule: claim and enqueue it now. A failure here is
    // not the import's: the schedule picks the leads up later.
    let mut enqueued = 0;
    if !dry_run && !report.imported.is_empty() {
        let ids: Vec<_> = report
            .imported
            .iter()
            .filter_map(|id| sqa_core::domain::LeadId::parse(id).ok())
            .collect();
        let run_id = format!(
            "import-{}",
            req.request_context
                .request_id
                .clone()
                .unwrap_or_else(|| deps.ports.clock.now().timestamp_millis().to_string())
        );
        match select::enqueue_new(deps, &ids, &run_id).await {
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
            return json(
                500,
                &serde_json::json!({"error": "the leads were imported but the report could not be written"}),
            );
        }
    };
    if let Some(obj) = value.as_object_mut() {
        obj.insert("enqueued".into(), enqueued.into());
    }
    json(if dry_run { 200 } else { 201 }, &value)
}

fn token(req: &ApiGatewayV2httpRequest) -> Option<String> {
    req.query_string_parameters
        .first("token")
        .map(str::to_string)
        .filter(|t| !t.is_empty())
}

fn unsubscribe_page(req: &ApiGatewayV2httpRequest) -> ApiGatewayV2httpResponse {
    let Some(token) = token(req) else {
        return html(400, "<p>This unsubscribe link is incomplete.</p>");
    };
    // The form posts the same one-click body a mail client sends (RFC 8058).
    let page = format!(
        "<form method=\"post\" action=\"?token={}\">\
         <input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">\
         <p>Stop all emails from us to this address?</p>\
         <button type=\"submit\">Unsubscribe</button></form>",
        html_escape(&url_encode(&token))
    );
    html(200, &page)
}

async fn unsubscribe(req: &ApiGatewayV2httpRequest, deps: &Deps) -> ApiGatewayV2httpResponse {
    let Some(token) = token(req) else {
        return html(400, "<p>This unsubscribe link is incomplete.</p>");
    };
    match consent::unsubscribe(deps, &token).await {
        Ok(_) => {
            // The confirmation in the reader's language (Accept-Language), the workspace's
            // wording when it overrides the shipped phrase.
            let lang = req
                .headers
                .get("accept-language")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split([',', ';']).next())
                .unwrap_or("");
            let phrases = sqa_core::agents::phrases::resolve(lang, &deps.config.phrases);
            html(
                200,
                &format!("<p>{}</p>", html_escape(&phrases.opt_out_confirmation)),
            )
        }
        Err(e @ (StageError::Transient(_) | StageError::Conflict(_))) => {
            tracing::warn!(error = %e, "unsubscribe failed; the client may retry");
            html(503, "<p>Please try again in a minute.</p>")
        }
        Err(StageError::Permanent(e)) => {
            tracing::warn!(error = %format!("{e:#}"), "unsubscribe refused");
            html(400, "<p>This unsubscribe link is not valid.</p>")
        }
    }
}

fn store_error(e: &StoreError) -> ApiGatewayV2httpResponse {
    tracing::error!(error = %e, "store error");
    match e {
        StoreError::Transient(_) => json(503, &serde_json::json!({"error": "try again"})),
        _ => json(500, &serde_json::json!({"error": "internal error"})),
    }
}

fn response(status: i64, content_type: &'static str, body: String) -> ApiGatewayV2httpResponse {
    let mut r = ApiGatewayV2httpResponse::default();
    r.status_code = status;
    r.headers
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r.headers
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r.body = Some(Body::Text(body));
    r
}

fn json(status: i64, value: &serde_json::Value) -> ApiGatewayV2httpResponse {
    response(status, "application/json", value.to_string())
}

fn html(status: i64, fragment: &str) -> ApiGatewayV2httpResponse {
    let page = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Unsubscribe</title></head>\
         <body>{fragment}</body></html>"
    );
    response(status, "text/html; charset=utf-8", page)
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
