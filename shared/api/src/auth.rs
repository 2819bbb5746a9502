//! Who may call the router, and who did an action.
//!
//! Locally (`Auth::Token`): a bearer token derived from the workspace's secret
//! (HMAC-SHA256, purpose `api-bearer`), sent as `Authorization: Bearer …` by API clients, or
//! as the `sqa_session` cookie (HttpOnly, SameSite=Strict) that `/login?token=…` sets for a
//! browser. A state-changing request authenticated by the cookie must also carry the CSRF
//! token (form field `csrf`, or header `X-CSRF-Token`), itself an HMAC of the secret: a page
//! of another site can make the browser send the cookie, never read the token.
//!
//! On AWS (`Auth::Gateway`): API Gateway's authorizer (IAM or JWT, a template parameter) has
//! let the request in; the actor is the authorizer's principal. Forms still carry the CSRF
//! token.

use crate::App;
use axum::extract::{Query, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

/// How requests are authenticated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Auth {
    /// A bearer token (or its session cookie) derived from the workspace secret.
    Token,
    /// API Gateway authorized the request already.
    Gateway,
}

/// Who made a request, as recorded with each action (`local:<user>`, an IAM ARN, a JWT
/// subject).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor(pub String);

const COOKIE: &str = "sqa_session";

/// The bearer token of a workspace.
pub fn bearer_token(secret: &str) -> String {
    sqa_core::sign::tag(secret, "api-bearer", &[], 64)
}

/// The CSRF token forms carry.
pub fn csrf_token(secret: &str) -> String {
    sqa_core::sign::tag(secret, "api-csrf", &[], 32)
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn local_actor() -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_default();
    let user: String = user
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .take(64)
        .collect();
    if user.is_empty() {
        "local".into()
    } else {
        format!("local:{user}")
    }
}

/// The middleware in front of every route but health, login and unsubscribe.
pub async fn require(State(app): State<App>, mut req: Request, next: Next) -> Response {
    match app.auth {
        Auth::Gateway => {
            if req.extensions().get::<Actor>().is_none() {
                req.extensions_mut().insert(Actor("aws:unknown".into()));
            }
            next.run(req).await
        }
        Auth::Token => {
            let deps = match app.backend.deps().await {
                Ok(d) => d,
                Err(e) => return crate::handlers::unavailable(&e),
            };
            let want = bearer_token(&deps.secret);
            let bearer = req
                .headers()
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
                .map(|t| t.trim().to_string());
            let by_cookie = match (bearer, cookie(req.headers(), COOKIE)) {
                (Some(b), _) if same(&b, &want) => false,
                (None, Some(c)) if same(&c, &want) => true,
                _ => {
                    let html = req
                        .headers()
                        .get(header::ACCEPT)
                        .and_then(|v| v.to_str().ok())
                        .is_some_and(|a| a.contains("text/html"));
                    if html {
                        return (
                            StatusCode::UNAUTHORIZED,
                            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                            "<!doctype html><title>Sign in</title><p>Open the sign-in link \
                             <code>sqa serve</code> printed (<code>/login?token=…</code>).</p>",
                        )
                            .into_response();
                    }
                    return crate::handlers::error(
                        StatusCode::UNAUTHORIZED,
                        "a bearer token is required (sqa serve prints it)",
                    );
                }
            };
            // A JSON call that changes something with only the cookie must prove it read a
            // page of ours (forms check their own field).
            if by_cookie && req.method() != Method::GET && req.uri().path().starts_with("/api/") {
                let header_ok = req
                    .headers()
                    .get("x-csrf-token")
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|t| same(t, &csrf_token(&deps.secret)));
                if !header_ok {
                    return crate::handlers::error(
                        StatusCode::FORBIDDEN,
                        "missing or wrong X-CSRF-Token",
                    );
                }
            }
            req.extensions_mut().insert(Actor(local_actor()));
            next.run(req).await
        }
    }
}

#[derive(Deserialize)]
pub struct LoginQuery {
    token: Option<String>,
}

/// `GET /login?token=…`: a valid token becomes the session cookie, then the overview.
pub async fn login(State(app): State<App>, Query(q): Query<LoginQuery>) -> Response {
    let deps = match app.backend.deps().await {
        Ok(d) => d,
        Err(e) => return crate::handlers::unavailable(&e),
    };
    let want = bearer_token(&deps.secret);
    match q.token {
        Some(t) if same(t.trim(), &want) => {
            let mut resp = Redirect::to("/").into_response();
            if let Ok(v) = format!("{COOKIE}={want}; Path=/; HttpOnly; SameSite=Strict").parse() {
                resp.headers_mut().insert(header::SET_COOKIE, v);
            }
            resp
        }
        _ => crate::handlers::error(StatusCode::UNAUTHORIZED, "this sign-in link is not valid"),
    }
}

/// A form's CSRF field is right.
pub fn form_ok(secret: &str, given: Option<&str>) -> bool {
    given.is_some_and(|g| same(g, &csrf_token(secret)))
}
