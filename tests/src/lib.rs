//! Shared helpers for the test suite: the port contract suites (`contract`), the in-memory
//! adapters (`memory`) and the pipeline on them (`memory_pipeline`), a DNS responder, DKIM
//! signing with keys made in the test (`dkim`) and an
//! HTTP server on 127.0.0.1, the pipeline on the embedded adapters (`pipeline`), and where
//! the public corpus is (a test that needs it fails under CI and skips with a note
//! otherwise).
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::path::PathBuf;

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default()
}

/// `../shared/data` beside the checkout (or `SQA_SHARED_DATA`), when it exists.
/// Under `CI` a missing corpus is a failure; elsewhere the caller skips with a printed note.
pub fn shared_data() -> Option<PathBuf> {
    let dir = std::env::var_os("SQA_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("../shared/data"));
    if dir.join("README.md").is_file() {
        return Some(dir);
    }
    if std::env::var_os("CI").is_some() {
        panic!(
            "the public test corpus is missing at {} (set SQA_SHARED_DATA); CI must have it",
            dir.display()
        );
    }
    eprintln!(
        "note: skipped, the public test corpus is not at {}",
        dir.display()
    );
    None
}

/// The project's own copy of the example (company, leads, replies, web) behind `sqa demo`.
pub fn example_dir() -> PathBuf {
    workspace_root().join("examples/lumora")
}

/// A workspace's config (`sqa.toml` and the files it names), read as the CLI reads it.
pub fn workspace_config(path: &std::path::Path) -> sqa_core::config::AgentConfig {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let base = path.parent().map(PathBuf::from).unwrap_or_default();
    sqa_core::config::parse(&text, &sqa_core::fsread::WorkspaceFiles::new(base))
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The question-topic vocabulary of a workspace (`examples/lumora/sqa.toml`, …).
pub fn workspace_topics(path: &std::path::Path) -> sqa_core::agents::classify::Topics {
    sqa_core::agents::classify::Topics::of(&workspace_config(path))
}

pub mod contract;
pub mod dkim;
pub mod dns_server;
pub mod mail_servers;
pub mod memory;
pub mod memory_pipeline;
pub mod pipeline;
pub mod scripted_model;
pub mod web_server;
