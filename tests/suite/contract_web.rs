//! The `Web` contract against its three adapters: in memory, the directory mirror
//! (`DirWeb`), and HTTP (`HttpWeb`) against a server on 127.0.0.1 that the test starts.

use sqa_core::ports::{Web, WebError};
use sqa_core::web_http::HttpWeb;
use sqa_local::web::DirWeb;
use sqa_tests::contract::web::{self, HOST, MAX_BODY, Resource, Serves};
use sqa_tests::memory::MemoryWeb;
use sqa_tests::web_server::{Route, WebServer};
use std::collections::HashMap;
use std::time::Duration;

const UA: &str = "ContractSQA/1.0";

#[tokio::test]
async fn memory_web_keeps_the_web_contract() {
    // Memory has statuses, redirects and header charsets, but cannot hang.
    let serves = Serves {
        stalls: false,
        ..Serves::EVERYTHING
    };
    let w = MemoryWeb::new().with_max_body(MAX_BODY);
    for (path, resource) in web::site(serves) {
        let url = format!("https://{HOST}{path}");
        match resource {
            Resource::Page { content_type, body } => {
                w.insert_page(&url, 200, Some(content_type), body)
            }
            Resource::Status(code) => w.insert_status(&url, code),
            Resource::Redirect(to) => w.insert_redirect(&url, &to),
            Resource::Stall => unreachable!("not asked for"),
        }
    }
    web::web(&w, serves).await;
}

#[tokio::test]
async fn dir_web_keeps_the_web_contract() {
    let dir = tempfile::tempdir().unwrap();
    for (path, resource) in web::site(Serves::FILES) {
        let Resource::Page { body, .. } = resource else {
            unreachable!("a mirror serves pages only");
        };
        let rel = if path == "/" {
            "index.html"
        } else {
            path.trim_start_matches('/')
        };
        let file = dir.path().join(HOST).join(rel);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, body).unwrap();
    }
    let w = DirWeb::new(dir.path()).with_max_body(MAX_BODY);
    web::web(&w, Serves::FILES).await;
}

#[tokio::test]
async fn http_web_keeps_the_web_contract_against_a_server_on_localhost() {
    let mut routes = HashMap::new();
    for (path, resource) in web::site(Serves::EVERYTHING) {
        let route = match resource {
            Resource::Page { content_type, body } => Route::Page {
                content_type: Some(content_type.to_string()),
                body,
            },
            Resource::Status(code) => Route::Status(code),
            // A redirect on the site is a path on the server, under the host's folder.
            Resource::Redirect(to) if to.starts_with('/') => {
                Route::Redirect(format!("/{HOST}{to}"))
            }
            Resource::Redirect(to) => Route::Redirect(to),
            Resource::Stall => Route::Stall,
        };
        routes.insert(format!("/{HOST}{path}"), route);
    }
    let server = WebServer::start(routes).await.unwrap();
    let w = HttpWeb::new(UA, Duration::from_secs(1))
        .unwrap()
        .with_base(&server.base())
        .unwrap()
        .with_max_body(MAX_BODY);
    web::web(&w, Serves::EVERYTHING).await;
}

#[tokio::test]
async fn http_web_without_a_base_never_requests_a_loopback_or_private_address() {
    let server = WebServer::start(HashMap::from([(
        "/".to_string(),
        Route::Page {
            content_type: Some("text/html".into()),
            body: b"<p>internal</p>".to_vec(),
        },
    )]))
    .await
    .unwrap();
    let w = HttpWeb::new(UA, Duration::from_secs(1)).unwrap();
    for url in [
        format!("http://{}/", server.addr),
        "http://localhost/".to_string(),
        "http://169.254.169.254/latest/meta-data/".to_string(),
        "http://[::1]/".to_string(),
        "http://10.0.0.1/".to_string(),
    ] {
        match w.fetch(&url).await {
            Err(WebError::Unexpected(_)) => {}
            other => panic!("{url} MUST be refused as Unexpected, got {other:?}"),
        }
    }
}
