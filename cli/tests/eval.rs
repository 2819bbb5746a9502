//! `sqa eval` and `sqa stats --cost` against a scripted OpenAI-compatible server on 127.0.0.1
//! that answers like the offline engine: no network, no key.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use serde_json::Value;
use sqa_tests::example_dir;
use sqa_tests::scripted_model::{Readings, Reply, ScriptedModel, offline_answer};
use std::path::Path;
use std::process::{Command, Output};

fn sqa(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sqa"))
        .args(args)
        .output()
        .expect("the sqa binary runs")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// A workspace with the example's config, its model pointed at `server`.
fn workspace(server: &ScriptedModel, dir: &Path) {
    let example = example_dir();
    for sub in ["company", "web", "leads", "replies"] {
        copy_dir(&example.join(sub), &dir.join(sub));
    }
    let text = std::fs::read_to_string(example.join("sqa.toml")).unwrap();
    let text = text.replace(
        "provider = \"offline\"",
        &format!(
            "provider = \"openai\"\nendpoint = \"{}\"\nname = \"scripted-1\"\nprice_in_per_million = 0.5\nprice_out_per_million = 1.5\ntimeout_ms = 5000",
            server.base_url()
        ),
    );
    // A Saturday night: first emails go at once (the quiet hours have their own tests).
    assert!(text.contains("quiet_hours = true"));
    let text = text.replace("quiet_hours = true", "quiet_hours = false");
    std::fs::write(dir.join("sqa.toml"), text).unwrap();
}

fn offline_like(rt: &tokio::runtime::Runtime) -> ScriptedModel {
    let readings = Readings::of_dir(&example_dir().join("replies"));
    rt.block_on(ScriptedModel::start(move |req, _| {
        match offline_answer(req, &readings) {
            Some(answer) => Reply::json(&answer),
            None => Reply::status(500, "{}"),
        }
    }))
}

#[test]
fn eval_puts_a_model_beside_the_offline_engine_on_labelled_replies() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = offline_like(&rt);
    let dir = tempfile::tempdir().unwrap();
    workspace(&server, dir.path());
    let d = dir.path().to_str().unwrap();
    let args = [
        "--dir",
        d,
        "--now",
        "2026-11-21T00:00:00Z",
        "eval",
        "--replies",
        &format!("{d}/replies"),
        "--labels",
        &format!("{d}/replies/labels.jsonl"),
        "--leads",
        &format!("{d}/leads/leads.csv"),
    ];
    let human = sqa(&args);
    assert!(
        human.status.success(),
        "{}",
        String::from_utf8_lossy(&human.stderr)
    );
    let text = String::from_utf8_lossy(&human.stdout);
    println!("{text}");
    for line in [
        "accuracy",
        "recall interested",
        "harmful: opt-out not honoured",
        "latency p50 / p95 ms",
        "guardrails passed",
    ] {
        assert!(text.contains(line), "{line} in:\n{text}");
    }

    let mut json_args = vec!["--json"];
    json_args.extend(args);
    let out = sqa(&json_args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    let sides = v["replies"].as_array().unwrap();
    assert_eq!(sides.len(), 2);
    assert_eq!(sides[0]["name"], "offline");
    assert_eq!(sides[1]["name"], "openai scripted-1");
    // A server that answers like the offline engine is exactly as accurate, and harmless.
    assert_eq!(sides[0]["accuracy"], sides[1]["accuracy"]);
    assert_eq!(sides[0]["harmful"], sides[1]["harmful"]);
    assert_eq!(sides[0]["replies"], 70);
    assert_eq!(sides[0]["tokens_in"], 0);
    let calls = sides[1]["model_calls"].as_u64().unwrap();
    assert!(
        calls > 30 && calls < 70,
        "machine mail is never sent to the model: {calls} calls"
    );
    assert_eq!(sides[1]["fallbacks"], 0);
    assert_eq!(sides[1]["tokens_in"].as_u64(), Some(calls * 120));
    let cost = sides[1]["cost"].as_f64().unwrap();
    assert!((cost - calls as f64 * (120.0 * 0.5 + 30.0 * 1.5) / 1e6).abs() < 1e-9);
    let drafts = v["drafts"].as_array().unwrap();
    assert_eq!(drafts.len(), 2);
    for d in drafts {
        assert_eq!(d["guardrail_pass_rate"], 1.0, "{d}");
    }
}

#[test]
fn stats_cost_prints_tokens_and_cost_per_lead_and_stage() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = offline_like(&rt);
    let dir = tempfile::tempdir().unwrap();
    workspace(&server, dir.path());
    let d = dir.path().to_str().unwrap();
    let now = "2026-11-21T00:00:00Z";
    let csv = format!("{d}/leads/leads.csv");
    for args in [
        vec!["--dir", d, "--now", now, "leads", "import", csv.as_str()],
        vec!["--dir", d, "--now", now, "run", "--until-idle"],
    ] {
        let o = sqa(&args);
        assert!(
            o.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let out = sqa(&["--dir", d, "--now", now, "--json", "stats", "--cost"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let drafts = &v["stages"]["outreach"];
    let calls = drafts["calls"].as_u64().unwrap();
    assert!(calls > 10, "{v}");
    assert_eq!(drafts["tokens_in"].as_u64(), Some(calls * 120));
    assert!(v["cost_per_lead"].as_f64().unwrap() > 0.0);
    assert_eq!(v["provider"], "openai");
    let human = sqa(&["--dir", d, "--now", now, "stats", "--cost"]);
    let text = String::from_utf8_lossy(&human.stdout);
    println!("{text}");
    assert!(text.contains("cost per lead"), "{text}");
    assert!(text.contains("outreach"), "{text}");
}
