//! The `sqa` binary as a user runs it: exit codes, `--json` shapes, and the evaluation
//! commands against the public corpus.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use serde_json::Value;
use sqa_tests::shared_data;
use std::path::Path;
use std::process::{Command, Output};

fn sqa(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sqa"))
        .args(args)
        .output()
        .expect("the sqa binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn jsonl(text: &str) -> Vec<Value> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

#[test]
fn demo_json_reports_every_lead_with_the_documented_fields() {
    let dir = tempfile::tempdir().unwrap();
    let into = dir.path().join("demo");
    let out = sqa(&["demo", "--json", "--into", into.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_str(stdout(&out).trim()).expect("one JSON object");
    let leads = v["leads"].as_array().expect("a leads array");
    assert!(leads.len() >= 150, "{} leads", leads.len());
    let stages: Vec<&str> = sqa_core::Stage::ALL.iter().map(|s| s.as_str()).collect();
    for l in leads {
        for key in [
            "id",
            "stage",
            "status",
            "email_valid",
            "email_kind",
            "fit_score",
            "tier",
            "emails_sent",
            "last_intent",
            "action",
            "owner",
            "suppressed",
        ] {
            assert!(l.get(key).is_some(), "{key} missing in {l}");
        }
        assert!(stages.contains(&l["stage"].as_str().unwrap()), "{l}");
    }
    let funnel: u64 = v["funnel"]
        .as_object()
        .unwrap()
        .values()
        .map(|n| n.as_u64().unwrap())
        .sum();
    assert_eq!(funnel as usize, leads.len());
    for stage in [
        "handed_over",
        "contacted",
        "suppressed",
        "bounced",
        "nurture",
        "disqualified",
    ] {
        assert!(
            v["funnel"][stage].as_u64().unwrap() > 0,
            "no lead reached {stage}: {}",
            v["funnel"]
        );
    }
    assert!(v["mail_files"].as_u64().unwrap() > 0);
}

#[test]
fn fit_reproduces_the_expected_labels_exactly() {
    let Some(data) = shared_data() else { return };
    let out = sqa(&[
        "fit",
        "--json",
        "--leads",
        data.join("leads/leads.csv").to_str().unwrap(),
        "--icp",
        data.join("company/icp.json").to_str().unwrap(),
        "--now",
        "2026-11-21T00:00:00Z",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got = jsonl(&stdout(&out));
    let want = jsonl(&std::fs::read_to_string(data.join("leads/leads-expected.jsonl")).unwrap());
    assert_eq!(got.len(), want.len());
    let mut wrong = Vec::new();
    for (g, w) in got.iter().zip(&want) {
        for key in [
            "id",
            "selected",
            "email_valid_syntax",
            "email_kind",
            "fit_score",
            "tier",
            "duplicate_of",
        ] {
            if g[key] != w[key] {
                wrong.push(format!("{} {key}: got {} want {}", w["id"], g[key], w[key]));
            }
        }
    }
    println!(
        "sqa fit: {}/{} rows agree on every field",
        want.len() - wrong.len().min(want.len()),
        want.len()
    );
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn check_email_agrees_with_the_address_vectors() {
    let Some(data) = shared_data() else { return };
    let vectors = jsonl(&std::fs::read_to_string(data.join("emails/addresses.jsonl")).unwrap());
    let dir = tempfile::tempdir().unwrap();
    // One address per line: empty vectors and those with line breaks are checked by the
    // library test instead.
    let simple: Vec<&Value> = vectors
        .iter()
        .filter(|v| {
            let a = v["address"].as_str().unwrap();
            !a.is_empty() && !a.contains(['\n', '\r'])
        })
        .collect();
    let file = dir.path().join("addresses.txt");
    let text: String = simple
        .iter()
        .map(|v| format!("{}\n", v["address"].as_str().unwrap()))
        .collect();
    std::fs::write(&file, text).unwrap();
    let out = sqa(&["check-email", "--json", "--file", file.to_str().unwrap()]);
    assert!(out.status.success());
    let got = jsonl(&stdout(&out));
    let got: Vec<&Value> = got.iter().collect();
    let mut agree = 0;
    for (g, w) in got.iter().zip(&simple) {
        if g["valid"] == w["valid"] && g["kind"] == w["kind"] && g["normalized"] == w["normalized"]
        {
            agree += 1;
        } else {
            println!("disagree: {} got {g} want {w}", w["address"]);
        }
    }
    println!("sqa check-email: {agree}/{} vectors agree", simple.len());
    assert_eq!(agree, simple.len());
}

#[test]
fn classify_prints_one_label_per_file() {
    let Some(data) = shared_data() else { return };
    let files: Vec<String> = (1..=5)
        .map(|i| {
            data.join(format!("replies/r{i:03}.eml"))
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    let mut args = vec!["classify", "--json"];
    args.extend(files.iter().map(String::as_str));
    let out = sqa(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows = jsonl(&stdout(&out));
    assert_eq!(rows.len(), 5);
    for r in rows {
        for key in [
            "file",
            "intent",
            "action",
            "ooo_until",
            "referral",
            "bant",
            "question_topics",
            "injection",
            "lang",
            "lead_id",
        ] {
            assert!(r.get(key).is_some(), "{key} missing in {r}");
        }
    }
}

#[test]
fn config_check_lists_every_problem_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("sqa.toml");
    std::fs::write(
        &bad,
        "mode = \"sometimes\"\n[company]\nname = \"X\"\nshoe = 1\n[agent]\nname = \"A\"\n",
    )
    .unwrap();
    let out = sqa(&["config", "check", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 1: mode"), "{err}");
    assert!(err.contains("line 4: company.shoe"), "{err}");
    assert!(err.contains("agent.email"), "{err}");
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/lumora/sqa.toml");
    assert!(
        sqa(&["config", "check", example.to_str().unwrap()])
            .status
            .success()
    );
    let schema = sqa(&["config", "schema"]);
    let v: Value = serde_json::from_slice(&schema.stdout).expect("a JSON schema");
    assert!(v["properties"]["selection"].is_object(), "{v}");
}

#[test]
fn a_bad_csv_keeps_the_good_rows_and_names_the_bad_ones() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    assert!(sqa(&["init", ws.to_str().unwrap()]).status.success());
    let csv = dir.path().join("leads.csv");
    let mut bytes = b"id,first_name,email,extra\nL1,Ann,ann@x.example,1\nL2,Bob\nL3,Caf".to_vec();
    bytes.push(0xE9);
    bytes.extend_from_slice(b",c@x.example,2\nL4,Dee,ann@X.example,3\n");
    std::fs::write(&csv, bytes).unwrap();
    let out = sqa(&[
        "--dir",
        ws.to_str().unwrap(),
        "leads",
        "import",
        csv.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 3"), "{err}");
    assert!(
        err.contains("line 4") && err.contains("first_name"),
        "{err}"
    );
    assert!(err.contains("unknown column \"extra\""), "{err}");
    assert!(err.contains("L4 has the same address as L1"), "{err}");
    assert!(stdout(&out).contains("2 imported"), "{}", stdout(&out));
    let empty = dir.path().join("empty.csv");
    std::fs::write(&empty, "").unwrap();
    let out = sqa(&[
        "--dir",
        ws.to_str().unwrap(),
        "leads",
        "import",
        empty.to_str().unwrap(),
    ]);
    assert_ne!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("empty"));
}

#[test]
fn a_malformed_or_huge_message_is_recorded_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    assert!(sqa(&["init", ws.to_str().unwrap()]).status.success());
    let huge = dir.path().join("huge.eml");
    let mut body = b"From: a@x.example\r\nSubject: hi\r\n\r\n".to_vec();
    body.resize(30 * 1024 * 1024, b'a');
    std::fs::write(&huge, body).unwrap();
    let garbage = dir.path().join("garbage.eml");
    std::fs::write(&garbage, [0xff, 0xfe, 0x00, 0x01, b'\n', b'\n']).unwrap();
    let out = sqa(&[
        "--dir",
        ws.to_str().unwrap(),
        "inbound",
        huge.to_str().unwrap(),
        garbage.to_str().unwrap(),
    ]);
    let all = format!("{}{}", stdout(&out), String::from_utf8_lossy(&out.stderr));
    assert!(!all.contains("panicked"), "{all}");
    assert!(
        all.contains("huge.eml") && all.contains("garbage.eml"),
        "{all}"
    );
}

#[test]
fn a_company_change_reruns_research_and_fit_only() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    assert!(sqa(&["init", ws.to_str().unwrap()]).status.success());
    let csv = dir.path().join("leads.csv");
    std::fs::write(
        &csv,
        "id,first_name,email,title,company,website,industry,employees,country,status,created_at\n\
         L1,Ann,ann@x..example,Head of Data,Unknown,,Software,300,US,open,2026-11-20T00:00:00Z\n",
    )
    .unwrap();
    let w = ws.to_str().unwrap();
    assert!(
        sqa(&["--dir", w, "leads", "import", csv.to_str().unwrap()])
            .status
            .success()
    );
    let out = sqa(&[
        "--dir",
        w,
        "--now",
        "2026-11-21T00:00:00Z",
        "run",
        "--until-idle",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let show = stdout(&sqa(&["--dir", w, "lead", "show", "L1"]));
    assert!(
        show.contains("DomainInvalid / domain_consecutive_dots"),
        "the error category is shown: {show}"
    );
    let before: Value =
        serde_json::from_str(&stdout(&sqa(&["--dir", w, "--json", "lead", "show", "L1"]))).unwrap();
    let out = sqa(&[
        "--dir",
        w,
        "--json",
        "lead",
        "set-company",
        "L1",
        "--company",
        "Kestrel Pay",
        "--website",
        "https://kestrelpay.example/",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let after: Value =
        serde_json::from_str(&stdout(&sqa(&["--dir", w, "--json", "lead", "show", "L1"]))).unwrap();
    assert_eq!(
        after["lead"]["stage"], before["lead"]["stage"],
        "the stage stays"
    );
    assert_eq!(
        after["lead"]["validation"], before["lead"]["validation"],
        "validation does not run again"
    );
    assert_eq!(after["lead"]["research"]["domain"], "kestrelpay.example");
    assert_eq!(after["lead"]["research"]["industry"], "fintech");
}
