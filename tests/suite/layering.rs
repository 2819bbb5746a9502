//! Architecture invariants read from `cargo metadata`: the core knows no backend, and the
//! Lambda functions reach AWS only through the adapters.

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// The host's target triple (`rustc -vV`).
fn host_triple() -> String {
    let out = std::process::Command::new("rustc")
        .arg("-vV")
        .output()
        .expect("rustc -vV runs");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .expect("rustc -vV names the host")
        .trim()
        .to_string()
}

/// The dependency graph for the host platform: offline, and filtered to the host so that
/// crates only other platforms use (never downloaded by a build here) are not needed.
fn metadata() -> Value {
    let host = host_triple();
    let out = std::process::Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--offline"])
        .args(["--filter-platform", &host])
        .current_dir(sqa_tests::workspace_root())
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("metadata JSON")
}

/// Normal (non-dev) dependency closure of a package, by crate name.
fn closure(meta: &Value, package: &str) -> BTreeSet<String> {
    let nodes: BTreeMap<&str, &Value> = meta["resolve"]["nodes"]
        .as_array()
        .expect("resolve nodes")
        .iter()
        .map(|n| (n["id"].as_str().unwrap_or(""), n))
        .collect();
    let name_of: BTreeMap<&str, &str> = meta["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .map(|p| {
            (
                p["id"].as_str().unwrap_or(""),
                p["name"].as_str().unwrap_or(""),
            )
        })
        .collect();
    let root = name_of
        .iter()
        .find(|(_, n)| **n == package)
        .map(|(id, _)| *id)
        .unwrap_or_else(|| panic!("package {package} is in the workspace"));
    let mut seen = BTreeSet::new();
    let mut todo = vec![root];
    while let Some(id) = todo.pop() {
        if !seen.insert(id) {
            continue;
        }
        if let Some(node) = nodes.get(id) {
            for dep in node["deps"].as_array().into_iter().flatten() {
                let normal = dep["dep_kinds"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|k| k["kind"].is_null());
                if normal && let Some(d) = dep["pkg"].as_str() {
                    todo.push(d);
                }
            }
        }
    }
    seen.iter()
        .filter_map(|id| name_of.get(id).map(|n| n.to_string()))
        .collect()
}

#[test]
fn the_core_depends_on_no_aws_sdk_and_no_sqlite() {
    let meta = metadata();
    let deps = closure(&meta, "sqa-core");
    let banned: Vec<&String> = deps
        .iter()
        .filter(|d| {
            d.starts_with("aws-sdk-")
                || d.starts_with("aws-smithy-")
                || d.as_str() == "aws-config"
                || d.as_str() == "rusqlite"
                || d.as_str() == "libsqlite3-sys"
                || d.as_str() == "lambda_runtime"
        })
        .collect();
    assert!(banned.is_empty(), "sqa-core depends on {banned:?}");
}

#[test]
fn functions_reach_aws_only_through_the_adapters() {
    let meta = metadata();
    for p in meta["packages"].as_array().expect("packages") {
        let manifest = p["manifest_path"].as_str().unwrap_or("");
        if !manifest.contains("/functions/") {
            continue;
        }
        for d in p["dependencies"].as_array().into_iter().flatten() {
            let name = d["name"].as_str().unwrap_or("");
            assert!(
                !name.starts_with("aws-sdk-"),
                "{} depends on {name} directly; use sqa-aws",
                p["name"]
            );
        }
    }
}

#[test]
fn the_embedded_backend_has_no_aws_crate() {
    let meta = metadata();
    let deps = closure(&meta, "sqa-local");
    assert!(
        !deps
            .iter()
            .any(|d| d.starts_with("aws-sdk-") || d == "aws-config"),
        "sqa-local depends on an AWS SDK crate"
    );
}

/// The words no shared code or data may name: every example workspace's company, products,
/// technologies and competitors, and the first example seller's domain words the classifier
/// once had built in.
fn seller_words() -> Vec<String> {
    let root = sqa_tests::workspace_root();
    let mut words: Vec<String> = Vec::new();
    for ws in [
        "examples/lumora/sqa.toml",
        "examples/corvid/sqa.toml",
        "tests/fixtures/sellers/vantorq-maintenance/sqa.toml",
    ] {
        let cfg = sqa_tests::workspace_config(&root.join(ws));
        words.push(cfg.company.name.clone());
        words.extend(cfg.company.products.iter().map(|p| p.name.clone()));
        words.extend(cfg.icp().tech_stack_any.iter().cloned());
        for c in &cfg.knowledge.competitors {
            words.push(c.name.clone());
            words.extend(c.aliases.iter().cloned());
        }
        // The seller's own name words ("Lumora", "Corvid") on their own.
        words.extend(
            cfg.company
                .name
                .split_whitespace()
                .filter(|w| w.chars().count() >= 5)
                .map(str::to_string),
        );
    }
    words.extend(
        [
            "snowflake",
            "bigquery",
            "databricks",
            "redshift",
            "airflow",
            "dagster",
            "dbt",
            "looker",
            "tableau",
            "monte carlo",
            "bigeye",
            "metaplane",
            "acceldata",
            "lineage",
            "anomaly detection",
            "column-level",
            "per table",
            "as tables",
            "warehouse",
            "payroll",
            "payslip",
            "personio",
            "datev",
            "observability",
            "freshness",
            "stale",
            "dbt models",
            "pipelines",
            "dags",
            "tables",
        ]
        .map(str::to_string),
    );
    words
}

/// Where in `files` a seller word stands as a word of its own.
fn seller_words_in(files: &[std::path::PathBuf]) -> Vec<String> {
    let words = seller_words();
    let word_at = |hay: &str, w: &str| {
        hay.match_indices(w).any(|(i, _)| {
            let before = hay[..i].chars().next_back();
            let after = hay[i + w.len()..].chars().next();
            !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
        })
    };
    let mut found = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(f).expect("readable").to_lowercase();
        for w in &words {
            let w = w.trim().to_lowercase();
            if !w.is_empty() && word_at(&text, &w) {
                found.push(format!("{}: {w}", f.display()));
            }
        }
    }
    found
}

/// The question-topic code and its data files name no seller: no company, product,
/// competitor or technology of an example workspace, and none of the first example seller's
/// product words the topic reader once had built in.
#[test]
fn question_topics_name_no_seller() {
    let root = sqa_tests::workspace_root();
    let mut files = vec![root.join("shared/core/src/agents/classify/topics.rs")];
    for entry in std::fs::read_dir(root.join("shared/core/lang")).expect("lang folder") {
        let f = entry.expect("entry").path().join("topics.toml");
        if f.is_file() {
            files.push(f);
        }
    }
    assert!(
        files.len() >= 8,
        "topics.rs and the topic files of seven languages"
    );
    let found = seller_words_in(&files);
    assert!(
        found.is_empty(),
        "seller words in the topic reader: {found:?}"
    );
}

/// The BANT reader and its data files name no seller either: a seller's own need words come
/// from its workspace.
#[test]
fn the_bant_reader_names_no_seller() {
    let root = sqa_tests::workspace_root();
    let mut files = vec![root.join("shared/core/src/agents/classify/bant.rs")];
    for entry in std::fs::read_dir(root.join("shared/core/lang")).expect("lang folder") {
        let f = entry.expect("entry").path().join("bant.toml");
        if f.is_file() {
            files.push(f);
        }
    }
    assert!(
        files.len() >= 8,
        "bant.rs and the BANT files of seven languages"
    );
    let found = seller_words_in(&files);
    assert!(
        found.is_empty(),
        "seller words in the BANT reader: {found:?}"
    );
}
