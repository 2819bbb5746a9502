//! The `sqa` binary as a user runs it: exit codes, `--json` shapes, and the evaluation
//! commands against the public corpus.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use serde_json::Value;
use sqa_tests::shared_data;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

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
    assert!(
        sqa(&["init", ws.to_str().unwrap(), "--example", "lumora"])
            .status
            .success()
    );
    let csv = dir.path().join("leads.csv");
    let bytes = "id,first_name,email,extra\nL1,Ann,ann@x.example,1\nL2,Bob\n\
                 L3,\"Cy,c@x.example,2\nL4,Dee,ann@X.example,3\n";
    std::fs::write(&csv, bytes).unwrap();
    let out = sqa(&[
        "--dir",
        ws.to_str().unwrap(),
        "leads",
        "import",
        csv.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(3),
        "some rows had errors, the others were imported"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 3 (L2): has 2 fields"), "{err}");
    assert!(
        err.contains("line 4 (L3), field first_name: unbalanced quote"),
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
fn a_latin1_csv_is_refused_with_its_encoding_named() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    assert!(
        sqa(&["init", ws.to_str().unwrap(), "--example", "lumora"])
            .status
            .success()
    );
    let csv = dir.path().join("latin1.csv");
    let mut bytes = b"id,first_name,email\nL1,Ann,ann@x.example\nL2,Ren".to_vec();
    bytes.push(0xE9);
    bytes.extend_from_slice(b",rene@x.example\n");
    std::fs::write(&csv, bytes).unwrap();
    let out = sqa(&[
        "--dir",
        ws.to_str().unwrap(),
        "leads",
        "import",
        csv.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("line 3: byte 0xE9 is not UTF-8") && err.contains("windows-1252"),
        "{err}"
    );
}

/// A 2 GiB file (sparse: it takes no disk) is refused from its size, before a byte is read;
/// reading it whole used to need a 4 GiB allocation and abort.
#[test]
fn files_over_their_limit_are_refused_before_they_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    assert!(
        sqa(&["init", ws.to_str().unwrap(), "--example", "lumora"])
            .status
            .success()
    );
    let huge = dir.path().join("huge.csv");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(2 << 30)
        .unwrap();
    let huge = huge.to_str().unwrap();
    let w = ws.to_str().unwrap();
    for (args, key) in [
        (
            vec!["--dir", w, "leads", "import", huge],
            "limits.max_csv_bytes",
        ),
        (vec!["classify", huge], "limits.max_message_bytes"),
        (
            vec!["--dir", w, "inbound", huge],
            "limits.max_message_bytes",
        ),
        (
            vec!["fit", "--leads", huge, "--icp", huge],
            "limits.max_config_bytes",
        ),
        (vec!["check-email", "--file", huge], "limits.max_csv_bytes"),
    ] {
        let started = std::time::Instant::now();
        let out = sqa(&args);
        let all = format!("{}{}", stdout(&out), String::from_utf8_lossy(&out.stderr));
        assert_ne!(out.status.code(), Some(0), "{args:?}: {all}");
        assert!(
            all.contains("2147483648 bytes, over the limit") && all.contains(key),
            "{args:?}: {all}"
        );
        assert!(
            started.elapsed().as_secs() < 10,
            "{args:?} took {:?}",
            started.elapsed()
        );
    }
    let out = sqa(&["--dir", w, "leads", "import", "/dev/zero"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("/dev/zero: a character device, not a regular file"),
        "{err}"
    );
}

#[test]
fn a_knowledge_source_outside_the_workspace_is_refused_by_key() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    assert!(
        sqa(&["init", ws.to_str().unwrap(), "--example", "lumora"])
            .status
            .success()
    );
    let config = ws.join("sqa.toml");
    let text = std::fs::read_to_string(&config).unwrap().replace(
        "    \"company/knowledge/security.md\",",
        "    \"company/knowledge/security.md\",\n    \"/proc/self/environ\",",
    );
    std::fs::write(&config, &text).unwrap();
    let out = sqa(&["config", "check", config.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    let line = text.lines().position(|l| l.starts_with("sources")).unwrap() + 1;
    assert!(
        err.contains(&format!(
            "line {line}: knowledge.sources[5]: /proc/self/environ resolves to /proc/"
        )) && err.contains("outside the workspace"),
        "{err}"
    );
    let out = sqa(&["--dir", ws.to_str().unwrap(), "stats"]);
    assert_ne!(out.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("knowledge.sources[5]"),
        "the workspace does not open"
    );
}

#[test]
fn a_malformed_or_huge_message_is_recorded_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    assert!(
        sqa(&["init", ws.to_str().unwrap(), "--example", "lumora"])
            .status
            .success()
    );
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
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(out.status.code(), Some(1), "no file was handled: {err}");
    assert!(
        err.contains("huge.eml: malformed, not handled: ") && err.contains("limit"),
        "the size is the reason given: {err}"
    );
    assert!(
        err.contains("garbage.eml: malformed, not handled: "),
        "{err}"
    );
}

#[test]
fn a_company_change_reruns_research_and_fit_only() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    assert!(
        sqa(&["init", ws.to_str().unwrap(), "--example", "lumora"])
            .status
            .success()
    );
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

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/lumora")
}

/// A workspace with the example's leads imported, in `dir`.
fn workspace_with_leads(dir: &Path) -> String {
    let ws = dir.join("ws");
    let w = ws.to_str().unwrap().to_string();
    assert!(sqa(&["init", &w, "--example", "lumora"]).status.success());
    let csv = ws.join("leads/leads.csv");
    let out = sqa(&["--dir", &w, "leads", "import", csv.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    w
}

/// Run `sqa` with a reader that takes `keep` bytes of its output and then closes the pipe,
/// as `sqa … | head -c keep` does (with 0, the pipe is closed before anything is written, so
/// the first write meets a closed pipe whatever the size of the output).
fn sqa_closed_after(args: &[&str], keep: usize) -> (Vec<u8>, Output) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sqa"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the sqa binary runs");
    let mut head = vec![0; keep];
    {
        let mut pipe = child.stdout.take().expect("a stdout pipe");
        pipe.read_exact(&mut head).expect("the first bytes");
        // Dropping the reader closes the pipe.
    }
    let out = child.wait_with_output().expect("sqa ends");
    (head, out)
}

#[test]
fn a_reader_that_stops_early_ends_each_command_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let w = workspace_with_leads(dir.path());
    let commands: [&[&str]; 8] = [
        &["leads", "list"],
        &["--json", "leads", "list"],
        &["lead", "show", "L0001"],
        &["--json", "lead", "show", "L0001"],
        &["leads", "export"],
        &["stats"],
        &["preview"],
        &["config", "schema"],
    ];
    for command in commands {
        for keep in [0, 1] {
            let mut args = vec!["--dir", w.as_str()];
            args.extend_from_slice(command);
            let (head, out) = sqa_closed_after(&args, keep);
            assert_eq!(head.len(), keep);
            assert_eq!(
                out.status.code(),
                Some(0),
                "sqa {} | head -c {keep}: {}",
                command.join(" "),
                stderr(&out)
            );
            assert!(
                out.stderr.is_empty(),
                "sqa {} | head -c {keep} says nothing: {}",
                command.join(" "),
                stderr(&out)
            );
        }
    }
}

#[test]
fn lead_show_piped_into_head_prints_its_first_line() {
    let dir = tempfile::tempdir().unwrap();
    let w = workspace_with_leads(dir.path());
    let mut child = Command::new(env!("CARGO_BIN_EXE_sqa"))
        .args(["--dir", &w, "lead", "show", "L0001"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    {
        let pipe = child.stdout.take().unwrap();
        std::io::BufRead::read_line(&mut std::io::BufReader::new(pipe), &mut first).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(first.starts_with("L0001 — "), "{first}");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
}

#[test]
fn demo_json_into_a_closed_pipe_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let into = dir.path().join("demo");
    let (_, out) = sqa_closed_after(&["demo", "--json", "--into", into.to_str().unwrap()], 0);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(out.stderr.is_empty(), "{}", stderr(&out));
    assert!(
        into.join("outbox").is_dir(),
        "the demo ran to its end before it printed"
    );
}

#[test]
fn inbound_of_a_malformed_file_fails_and_names_the_file_and_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let w = workspace_with_leads(dir.path());
    let bad = dir.path().join("bad.eml");
    std::fs::write(&bad, [0xff, 0xfe, 0x00, 0x01, b'\n', b'\n']).unwrap();
    let good = example().join("replies/r001.eml");
    let missing = dir.path().join("missing.eml");

    let alone = sqa(&["--dir", &w, "inbound", bad.to_str().unwrap()]);
    let mixed = sqa(&[
        "--dir",
        &w,
        "inbound",
        bad.to_str().unwrap(),
        good.to_str().unwrap(),
        missing.to_str().unwrap(),
    ]);

    assert_eq!(alone.status.code(), Some(1), "{}", stderr(&alone));
    assert!(
        stderr(&alone).contains("bad.eml: malformed, not handled: not an RFC 5322 message"),
        "{}",
        stderr(&alone)
    );
    assert_eq!(
        mixed.status.code(),
        Some(3),
        "one of three files was handled: {}",
        stderr(&mixed)
    );
    let err = stderr(&mixed);
    assert!(err.contains("bad.eml: malformed"), "{err}");
    assert!(err.contains("missing.eml: cannot read it"), "{err}");
    assert!(!err.contains("r001.eml"), "{err}");
    assert!(stdout(&mixed).contains("r001.eml: "), "{}", stdout(&mixed));
}

#[test]
fn classify_of_an_unreadable_or_malformed_file_fails_and_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.eml");
    std::fs::write(&bad, "no header here, only words\n").unwrap();
    let missing = dir.path().join("missing.eml");
    let good = example().join("replies/r001.eml");

    let all_bad = sqa(&["classify", bad.to_str().unwrap(), missing.to_str().unwrap()]);
    let mixed = sqa(&[
        "--json",
        "classify",
        good.to_str().unwrap(),
        bad.to_str().unwrap(),
    ]);

    assert_eq!(all_bad.status.code(), Some(1), "{}", stderr(&all_bad));
    let err = stderr(&all_bad);
    assert!(err.contains("bad.eml: not classified: "), "{err}");
    assert!(err.contains("missing.eml: no such file"), "{err}");
    assert_eq!(mixed.status.code(), Some(3), "{}", stderr(&mixed));
    let rows = jsonl(&stdout(&mixed));
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["file"], "r001.eml");
}

#[test]
fn an_import_exits_0_when_clean_3_when_some_rows_fail_and_1_when_none_is_usable() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    let w = ws.to_str().unwrap();
    assert!(sqa(&["init", w, "--example", "lumora"]).status.success());
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.to_str().unwrap().to_string()
    };
    let clean = write("clean.csv", "id,first_name,email\nL1,Ann,ann@x.example\n");
    let partly = write(
        "partly.csv",
        "id,first_name,email\nL2,Bob,bob@x.example\nL3,Cy\n",
    );
    let none = write("none.csv", "id,first_name,email\nL4,Di\nL5\n");
    let headless = write("headless.csv", "first_name\nAnn\n");

    let clean = sqa(&["--dir", w, "leads", "import", &clean]);
    let dry = sqa(&["--dir", w, "leads", "import", "--dry-run", &partly]);
    let partly = sqa(&["--dir", w, "leads", "import", &partly]);
    let none = sqa(&["--dir", w, "leads", "import", &none]);
    let headless = sqa(&["--dir", w, "leads", "import", &headless]);

    assert_eq!(clean.status.code(), Some(0), "{}", stderr(&clean));
    assert_eq!(dry.status.code(), Some(3), "a dry run reports the same");
    assert_eq!(partly.status.code(), Some(3), "{}", stderr(&partly));
    assert!(
        stderr(&partly).contains("partly.csv: line 3 (L3)"),
        "{}",
        stderr(&partly)
    );
    assert!(
        stdout(&partly).contains("1 imported"),
        "{}",
        stdout(&partly)
    );
    assert_eq!(none.status.code(), Some(1), "{}", stderr(&none));
    assert!(
        stderr(&none).contains("none.csv: line 2"),
        "{}",
        stderr(&none)
    );
    assert_eq!(headless.status.code(), Some(1));
    assert!(
        stderr(&headless).contains("headless.csv: line 1"),
        "{}",
        stderr(&headless)
    );
    let list = stdout(&sqa(&["--dir", w, "--json", "leads", "list"]));
    let ids: Vec<String> = jsonl(&list)
        .iter()
        .map(|l| l["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, ["L2", "L1"], "only the good rows are stored");
}

#[test]
fn fit_scores_the_good_rows_and_exits_3_when_some_rows_fail() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("leads.csv");
    std::fs::write(&csv, "id,first_name,email\nL1,Ann,ann@x.example\nL2,Bob\n").unwrap();
    let icp = example().join("company/icp.json");

    let out = sqa(&[
        "--json",
        "fit",
        "--leads",
        csv.to_str().unwrap(),
        "--icp",
        icp.to_str().unwrap(),
    ]);

    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("leads.csv: line 3 (L2)"),
        "{}",
        stderr(&out)
    );
    let rows = jsonl(&stdout(&out));
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["id"], "L1");
}

#[test]
fn inbound_checks_dkim_itself_and_a_tampered_reply_is_not_handed_over() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let signer = sqa_tests::dkim::Signer::new();
    let domain = "brightlane-logistics.example";
    // The responder runs on the runtime's workers while the test waits for `sqa`.
    let dns = rt.block_on(sqa_tests::dkim::dns_for(domain, &signer));
    let reply = std::fs::read_to_string(example().join("replies/r001.eml")).unwrap();
    let signed = signer.sign(&reply, domain);
    let mut decisions = Vec::new();
    for tamper in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let w = workspace_with_leads(dir.path());
        let toml = Path::new(&w).join("sqa.toml");
        let cfg = std::fs::read_to_string(&toml).unwrap().replace(
            "receiving_host = \"\"",
            &format!("receiving_host = \"\"\ndns = \"{}\"", dns.addr),
        );
        std::fs::write(&toml, cfg).unwrap();
        let eml = dir.path().join("r001-signed.eml");
        let text = if tamper {
            signed.replace("Snowflake", "Snowflake and a free licence")
        } else {
            signed.clone()
        };
        std::fs::write(&eml, text).unwrap();

        let out = sqa(&["--dir", &w, "--json", "inbound", eml.to_str().unwrap()]);

        assert!(out.status.success(), "{}", stderr(&out));
        let line = jsonl(&stdout(&out)).remove(0);
        decisions.push(line["decision"].as_str().unwrap_or_default().to_string());
    }
    assert!(
        dns.queries() > 0,
        "the key was looked up on the test server"
    );
    assert_ne!(decisions[0], "escalated", "the intact reply: {decisions:?}");
    assert_eq!(
        decisions[1], "escalated",
        "the tampered reply: {decisions:?}"
    );
}

#[test]
fn init_writes_a_neutral_workspace_whose_check_names_what_to_fill_in() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    assert!(sqa(&["init", ws.to_str().unwrap()]).status.success());
    let text = std::fs::read_to_string(ws.join("sqa.toml")).unwrap();
    for seller in ["Lumora", "Corvid", "observability", "payroll"] {
        assert!(!text.contains(seller), "the neutral config names {seller}");
    }
    let out = sqa(&[
        "--json",
        "config",
        "check",
        ws.join("sqa.toml").to_str().unwrap(),
    ]);
    assert!(!out.status.success(), "an empty workspace is not ready");
    let v: Value = serde_json::from_str(stdout(&out).trim()).expect("one JSON object");
    let paths: Vec<&str> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["path"].as_str())
        .collect();
    for key in [
        "company.name",
        "agent.ai_disclosure",
        "agent.postal_address",
    ] {
        assert!(paths.contains(&key), "{key} not named: {paths:?}");
    }
}

#[test]
fn init_example_corvid_and_demo_example_run_the_second_seller() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    assert!(
        sqa(&["init", ws.to_str().unwrap(), "--example", "corvid"])
            .status
            .success()
    );
    let out = sqa(&[
        "--json",
        "config",
        "check",
        ws.join("sqa.toml").to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_str(stdout(&out).trim()).expect("one JSON object");
    let lacks: Vec<&str> = v["lacks"]
        .as_array()
        .expect("a lacks array")
        .iter()
        .filter_map(|e| e["path"].as_str())
        .collect();
    assert_eq!(lacks, ["outreach.calendar_link"], "{v}");

    let into = dir.path().join("demo");
    let out = sqa(&[
        "demo",
        "--json",
        "--example",
        "corvid",
        "--into",
        into.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_str(stdout(&out).trim()).expect("one JSON object");
    let leads = v["leads"].as_array().expect("a leads array");
    // The 48 imported leads and the 2 colleagues that two replies refer the agent to.
    assert_eq!(leads.len(), 50, "every Corvid lead");
    let mut sent = 0;
    for f in std::fs::read_dir(into.join("outbox")).unwrap() {
        let raw = std::fs::read_to_string(f.unwrap().path()).unwrap();
        assert!(!raw.contains("Lumora"), "a Corvid mail names Lumora");
        sent += 1;
    }
    assert!(sent > 20, "{sent} mails");
    // A folder that is no example is refused with a message naming the examples.
    let out = sqa(&[
        "demo",
        "--example",
        dir.path().join("nowhere").to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("lumora, corvid"));
}

#[test]
fn research_prints_one_site_with_the_workspaces_user_agent_and_vocabulary() {
    let Some(data) = shared_data() else { return };
    let corvid = data.join("sellers/corvid-payroll");
    let site = corvid.join("web/brennwerk.example");
    let site = site.to_str().unwrap();

    // With corvid's workspace: its robots.txt token (which this site allows) and its ICP's
    // industry names; every fact names the page it came from.
    let out = sqa(&[
        "research",
        "--site",
        site,
        "--json",
        "--dir",
        corvid.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_str(stdout(&out).trim()).expect("one JSON object");
    assert_eq!(v["domain"], "brennwerk.example");
    assert_eq!(v["industry"], "manufacturing");
    let facts = v["facts"].as_array().expect("facts");
    assert!(!facts.is_empty(), "{v}");
    for f in facts {
        assert!(
            f["source"]
                .as_str()
                .unwrap()
                .starts_with("https://brennwerk.example/"),
            "{f}"
        );
    }

    // Without a workspace the token is the default "SQA", which this robots.txt forbids
    // everything: nothing is read and the command fails.
    let empty = tempfile::tempdir().unwrap();
    let out = sqa(&[
        "research",
        "--site",
        site,
        "--dir",
        empty.path().to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(stdout(&out).contains("robots.txt"), "{}", stdout(&out));

    // The text view names the industry, or says it is unknown.
    let lumora_site = data.join("web/kestrelpay.example");
    let out = sqa(&[
        "research",
        "--site",
        lumora_site.to_str().unwrap(),
        "--dir",
        empty.path().to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout(&out).contains("industry:  fintech"),
        "{}",
        stdout(&out)
    );

    // A folder not named after a domain is refused.
    let out = sqa(&["research", "--site", empty.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
}

/// `sqa config suggest-icp` proposes an ICP from what each seller wrote about itself: for the
/// two public examples (and the third-seller fixture, printed only) the proposal is compared
/// with the ICP the seller wrote by hand, and every criterion names its evidence.
#[test]
fn suggest_icp_proposes_criteria_close_to_each_sellers_own_icp() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    for (name, config, strict) in [
        ("lumora", root.join("examples/lumora/sqa.toml"), true),
        ("corvid", root.join("examples/corvid/sqa.toml"), true),
        (
            "vantorq",
            root.join("tests/fixtures/sellers/vantorq-maintenance/sqa.toml"),
            false,
        ),
    ] {
        let out = sqa(&["config", "suggest-icp", config.to_str().unwrap(), "--json"]);
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let got: Value = serde_json::from_str(&stdout(&out)).expect("one JSON object");
        let cfg = std::fs::read_to_string(&config).unwrap();
        let icp_file = cfg
            .lines()
            .find_map(|l| l.trim().strip_prefix("icp_file"))
            .and_then(|l| l.split('"').nth(1))
            .expect("icp_file");
        let want: Value = serde_json::from_str(
            &std::fs::read_to_string(config.parent().unwrap().join(icp_file)).unwrap(),
        )
        .unwrap();
        let set = |v: &Value, k: &str| -> Vec<String> {
            v[k].as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str())
                        .map(str::to_lowercase)
                        .collect()
                })
                .unwrap_or_default()
        };
        let recall = |k: &str| {
            let w = set(&want, k);
            let g = set(&got, k);
            let hit = w.iter().filter(|x| g.contains(x)).count();
            (hit, w.len(), g.len())
        };
        let (ih, iw, ig) = recall("industries");
        let (ch, cw, cg) = recall("countries");
        let (th, tw, tg) = recall("titles_include");
        let (kh, kw, kg) = recall("tech_stack_any");
        println!(
            "suggest-icp {name}: industries {ih}/{iw} (proposed {ig}), countries {ch}/{cw} ({cg}), \
             titles {th}/{tw} ({tg}), tech {kh}/{kw} ({kg}), employees {} vs {}",
            got["employee_range"], want["employee_range"]
        );
        let evidence = got["evidence"].as_array().cloned().unwrap_or_default();
        for k in [
            "industries",
            "countries",
            "titles_include",
            "tech_stack_any",
        ] {
            for v in set(&got, k) {
                assert!(
                    evidence.iter().any(|e| e["criterion"] == k
                        && e["value"].as_str().is_some_and(|x| x.to_lowercase() == v)),
                    "{name}: {k} {v:?} has no evidence"
                );
            }
        }
        if strict {
            assert!(ih * 2 >= iw, "{name}: industries {ih}/{iw}: {got}");
            assert!(ch * 2 >= cw, "{name}: countries {ch}/{cw}: {got}");
            assert!(th >= 1, "{name}: titles {th}/{tw}: {got}");
            assert_eq!(got["employee_range"], want["employee_range"], "{name}");
        }
    }
}

#[test]
fn leads_list_sorts_by_rating_and_lead_show_gives_the_next_step() {
    let dir = tempfile::tempdir().unwrap();
    let w = workspace_with_leads(dir.path());
    let out = sqa(&[
        "--dir",
        &w,
        "--now",
        "2026-11-23T10:00:00Z",
        "run",
        "--until-idle",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));

    let rows = jsonl(&stdout(&sqa(&[
        "--dir",
        &w,
        "--now",
        "2026-11-23T10:00:00Z",
        "--json",
        "leads",
        "list",
        "--sort",
        "rating",
    ])));
    assert!(rows.len() > 10, "{rows:?}");
    let scores: Vec<u64> = rows
        .iter()
        .map(|r| r["rating"]["score"].as_u64().expect("a score"))
        .collect();
    assert!(
        scores.windows(2).all(|w| w[0] >= w[1]),
        "highest first: {scores:?}"
    );
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(r["rating"]["rank"].as_u64(), Some(i as u64 + 1));
        let heat = r["rating"]["heat"].as_str().unwrap_or("");
        assert!(["hot", "warm", "cold"].contains(&heat), "{r}");
        assert!(
            !r["rating"]["action"].as_str().unwrap_or("").is_empty(),
            "{r}"
        );
    }
    let text = stdout(&sqa(&["--dir", &w, "leads", "list", "--sort", "rating"]));
    assert!(text.starts_with("   1. "), "{text}");
    let bad = sqa(&["--dir", &w, "leads", "list", "--sort", "colour"]);
    assert!(!bad.status.success());

    let top = rows[0]["id"].as_str().unwrap().to_string();
    let show = stdout(&sqa(&["--dir", &w, "lead", "show", &top]));
    assert!(
        show.contains("rating ") && show.contains("next step: "),
        "{show}"
    );
}

fn corvid_config() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/corvid/sqa.toml")
}

/// `sqa simulate --json` on thread files written into `dir`: the output and the documents.
fn simulate(dir: &Path, threads: &[(&str, &str)]) -> (Output, Vec<Value>) {
    let mut args = vec![
        "--json".to_string(),
        "simulate".to_string(),
        "--config".to_string(),
        corvid_config().display().to_string(),
    ];
    for (name, text) in threads {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        args.push(path.display().to_string());
    }
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = sqa(&refs);
    let docs = jsonl(&stdout(&out));
    (out, docs)
}

#[test]
fn simulate_answers_a_question_from_the_knowledge_then_hands_the_lead_over() {
    let dir = tempfile::tempdir().unwrap();
    let (out, docs) = simulate(
        dir.path(),
        &[(
            "question.thread",
            "name: Hanna Berg\nemail: hanna.berg@nordhafen-logistik.example\n\
             company: Nordhafen Logistik Ltd\ntitle: Head of Payroll\ncountry: GB\nid: T1\n\n\
             --- reply +4d\nHi Mila, thanks for reaching out. How much does Corvid Pay cost per \
             employee per month?\n\n\
             --- reply +1d\nThanks, that is within our budget. Could we book a demo next week?\n",
        )],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(docs.len(), 1, "{docs:?}");
    let d = &docs[0];
    assert_eq!(d["lead"]["id"], "T1");
    let first = &d["first_email"]["mail"];
    assert_eq!(first["kind"], "first", "{d}");
    assert_eq!(first["state"], "sent", "{d}");
    assert!(first["body"].as_str().unwrap().contains("Hanna"), "{first}");
    let r = d["replies"].as_array().unwrap();
    assert_eq!(r.len(), 2);
    // Four days without a reply: the first follow-up went out meanwhile, on a business morning.
    let meanwhile = r[0]["meanwhile"].as_array().unwrap();
    assert_eq!(meanwhile.len(), 1, "{}", r[0]);
    assert_eq!(meanwhile[0]["kind"], "follow_up");
    assert_eq!(meanwhile[0]["at"], "2026-11-24T09:00:00+00:00");
    assert_eq!(r[0]["at"], "2026-11-25T00:00:00+00:00");
    // The question: answered from the pricing knowledge, on the thread.
    assert_eq!(r[0]["classification"]["intent"], "question", "{}", r[0]);
    assert!(
        r[0]["classification"]["topics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "pricing"),
        "{}",
        r[0]
    );
    assert_eq!(r[0]["decision"], "answer", "{}", r[0]);
    let answer = &r[0]["mail"];
    assert_eq!(answer["kind"], "answer", "{}", r[0]);
    assert!(
        answer["subject"].as_str().unwrap().starts_with("Re: "),
        "{answer}"
    );
    // Quoted from the workspace's pricing answer, and said where it came from.
    assert!(
        answer["body"]
            .as_str()
            .unwrap()
            .contains("Essentials is €7"),
        "{answer}"
    );
    assert!(
        r[0]["reasons"].as_array().unwrap().iter().any(|x| x
            .as_str()
            .unwrap()
            .starts_with("answered from: company/knowledge/faq.md")),
        "{}",
        r[0]
    );
    assert_eq!(r[0]["stage"], "engaged");
    // The demo request: purchase intent, handed over, no mail from the agent.
    assert_eq!(r[1]["classification"]["intent"], "interested", "{}", r[1]);
    assert_eq!(r[1]["decision"], "handover", "{}", r[1]);
    assert_eq!(r[1]["readiness"]["ready"], true, "{}", r[1]);
    assert!(r[1]["mail"].is_null(), "{}", r[1]);
    assert!(
        r[1]["no_mail"].as_str().unwrap().contains("handed over"),
        "{}",
        r[1]
    );
    assert_eq!(r[1]["bant"]["budget"]["level"], "medium", "{}", r[1]);
    assert!(
        r[1]["signals"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["kind"] == "meeting_request"),
        "{}",
        r[1]
    );
    assert_eq!(d["final_stage"], "handed_over", "{d}");
    assert!(d["handover"].is_string(), "{d}");

    // The same thread in the terminal: the decision, the BANT table and the answer's text.
    let text = stdout(&sqa(&[
        "simulate",
        "--config",
        corvid_config().to_str().unwrap(),
        dir.path().join("question.thread").to_str().unwrap(),
    ]));
    for needle in [
        "First email",
        "classified: intent question, action answer, lang en, topics pricing",
        "decision: answer",
        "decision: handover",
        "    budget    medium",
        "readiness: ready for a seller",
        "no mail: handed over to",
        "Final stage: handed_over",
    ] {
        assert!(text.contains(needle), "{needle:?} not in:\n{text}");
    }
}

#[test]
fn simulate_honours_an_opt_out_and_sends_nothing_more() {
    let dir = tempfile::tempdir().unwrap();
    let (out, docs) = simulate(
        dir.path(),
        &[(
            "optout.thread",
            "name: Tom Reed\nemail: tom.reed@reed-haulage.example\ncompany: Reed Haulage Ltd\n\
             title: Finance Director\ncountry: GB\n\n\
             --- reply\nPlease remove me from your list and do not email me again.\n\
             --- reply +10d\nWhy is nobody answering?\n",
        )],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let d = &docs[0];
    assert_eq!(d["lead"]["id"], "optout", "the file's name is the id");
    let r = d["replies"].as_array().unwrap();
    assert_eq!(r[0]["classification"]["intent"], "unsubscribe", "{}", r[0]);
    assert_eq!(r[0]["decision"], "suppress", "{}", r[0]);
    assert_eq!(r[0]["stage"], "suppressed");
    assert!(r[0]["mail"].is_null());
    assert!(
        r[0]["no_mail"].as_str().unwrap().contains("suppressed"),
        "{}",
        r[0]
    );
    // Ten days later (past every follow-up day) and after another message: nothing went out.
    assert_eq!(r[1]["meanwhile"].as_array().unwrap().len(), 0, "{}", r[1]);
    assert!(r[1]["mail"].is_null(), "{}", r[1]);
    assert_eq!(d["final_stage"], "suppressed", "{d}");
}

#[test]
fn simulate_answers_a_german_lead_in_german() {
    let dir = tempfile::tempdir().unwrap();
    let (out, docs) = simulate(
        dir.path(),
        &[(
            "de.thread",
            "name: Jonas Keller\nemail: jonas.keller@keller-spedition.example\n\
             company: Keller Spedition GmbH\ntitle: Leiter Personal\ncountry: DE\n\n\
             --- reply\nGuten Tag, was kostet Corvid Pay pro Mitarbeiter und Monat?\n\
             Viele Grüße\nJonas Keller\n",
        )],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = &docs[0]["replies"][0];
    assert_eq!(r["classification"]["lang"], "de", "{r}");
    assert_eq!(r["decision"], "answer", "{r}");
    let body = r["mail"]["body"].as_str().unwrap();
    assert!(body.contains("Jonas"), "{body}");
    assert!(
        ["Hallo", "Guten Tag", "Grüße", "Danke"]
            .iter()
            .any(|w| body.contains(w)),
        "not German: {body}"
    );
}

#[test]
fn simulate_replays_every_reply_of_the_corvid_example_the_same_way_twice() {
    let run = || {
        let out = sqa(&["--json", "simulate", "--example", "corvid"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout(&out)
    };
    let a = run();
    assert_eq!(a, run(), "two runs differ");
    let docs = jsonl(&a);
    let replies: usize = docs
        .iter()
        .map(|d| d["replies"].as_array().unwrap().len())
        .sum();
    assert_eq!(replies, 36, "every reply of examples/corvid/replies");
    // c005 and c008 come from one lead: one thread, in Date order.
    assert!(docs.len() < 36 && docs.len() > 15, "{} threads", docs.len());
    let mut decisions = std::collections::BTreeSet::new();
    for d in &docs {
        for r in d["replies"].as_array().unwrap() {
            let decision = r["decision"].as_str().unwrap();
            assert!(!decision.is_empty() && decision != "none", "{r}");
            assert!(r["mail"].is_object() || r["no_mail"].is_string(), "{r}");
            decisions.insert(decision.to_string());
        }
    }
    for expected in ["answer", "suppress", "handover", "reschedule"] {
        assert!(decisions.contains(expected), "{expected} in {decisions:?}");
    }
    // One lead only.
    let out = sqa(&[
        "--json",
        "simulate",
        "--example",
        "corvid",
        "--lead",
        "C0020",
    ]);
    let docs = jsonl(&stdout(&out));
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0]["replies"].as_array().unwrap().len(), 2);
}

#[test]
fn simulate_names_the_file_and_line_of_a_malformed_thread_and_plays_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let good = "name: Ada Park\nemail: ada.park@park-retail.example\ncompany: Park Retail Ltd\n\
                country: GB\n\n--- reply\nNot interested, thanks.\n";
    let bad = "name: Ben Ode\nemail: ben@ode.example\nshoe size: 44\n--- reply\nHi\n";
    let bad_gap = "name: Cy Lu\nemail: cy@lu.example\n--- reply\nHi\n--- reply soon\nHello?\n";
    let (out, docs) = simulate(
        dir.path(),
        &[
            ("bad.thread", bad),
            ("good.thread", good),
            ("gap.thread", bad_gap),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.thread:3:") && err.contains("shoe size"),
        "{err}"
    );
    assert!(
        err.contains("gap.thread:5:") && err.contains("soon"),
        "{err}"
    );
    let played: Vec<&Value> = docs.iter().filter(|d| d.get("thread").is_some()).collect();
    assert_eq!(played.len(), 1, "{docs:?}");
    assert_eq!(played[0]["replies"][0]["decision"], "disqualify");
    let errors = docs.iter().filter(|d| d.get("error").is_some()).count();
    assert_eq!(errors, 2, "{docs:?}");
    // An unreadable file is named too.
    let out = sqa(&[
        "simulate",
        "--config",
        corvid_config().to_str().unwrap(),
        dir.path().join("missing.thread").to_str().unwrap(),
        dir.path().join("good.thread").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.thread"));
    assert!(
        stdout(&out).contains("decision: disqualify"),
        "{}",
        stdout(&out)
    );
}
