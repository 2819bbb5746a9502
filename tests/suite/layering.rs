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
