//! Crash safety of the embedded backend, on the real `sqa` binary: the worker is killed
//! (`SQA_FAULT`, an abort as abrupt as SIGKILL) at every side effect, a relay empties the
//! outbox while it is down, and `sqa run --until-idle` is started again until it is done.
//! Every lead must end past selection, every touch must have gone out exactly once, and
//! `sqa check` must find nothing wrong. The matrix is printed for the record
//! (`cargo test -p sqa-cli --test crash -- --nocapture`).
#![allow(clippy::expect_used, clippy::unwrap_used)]

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};

const NOW: &str = "2026-11-21T00:00:00Z";
const LEADS: usize = 12;
/// The hit of a point at which each trial kills the worker: early, middle, late.
const TRIALS: [u32; 3] = [1, 3, 8];

fn sqa(dir: &Path, args: &[&str], fault: Option<&str>) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_sqa"));
    c.arg("--dir")
        .arg(dir)
        .arg("--now")
        .arg(NOW)
        .args(args)
        .env("SQA_QUEUE_VISIBILITY_SECS", "1")
        .env_remove("SQA_FAULT");
    if let Some(f) = fault {
        c.env("SQA_FAULT", f);
    }
    c.output().expect("the sqa binary runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A workspace with the example's config and `LEADS` eligible leads of the example. The
/// import claims and queues its new leads itself, so `fault` (the trial's kill) applies to
/// it too: whether the import was killed is the second value.
fn workspace(root: &Path, fault: Option<&str>) -> (std::path::PathBuf, bool) {
    let dir = root.join("ws");
    let out = Command::new(env!("CARGO_BIN_EXE_sqa"))
        .arg("init")
        .arg(&dir)
        .args(["--example", "lumora"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    // The trials run on a Saturday night: first emails go at once, as in the demo, so that
    // every send point is reached (quiet hours have their own tests).
    let cfg_path = dir.join("sqa.toml");
    let cfg = std::fs::read_to_string(&cfg_path).unwrap();
    assert!(
        cfg.contains("quiet_hours = true"),
        "the example names quiet_hours"
    );
    std::fs::write(
        &cfg_path,
        cfg.replace("quiet_hours = true", "quiet_hours = false"),
    )
    .unwrap();
    let csv = std::fs::read_to_string(dir.join("leads/leads.csv")).unwrap();
    let mut lines = csv.lines();
    let header = lines.next().unwrap();
    let mut rows = vec![header.to_string()];
    for line in lines {
        let cols: Vec<&str> = line.split(',').collect();
        // Simple rows only (no quoted commas), status open: each becomes eligible by a
        // creation date inside the selection window.
        if cols.len() == 16 && cols[12] == "open" && !line.contains('"') {
            let mut cols: Vec<String> = cols.iter().map(|c| c.to_string()).collect();
            cols[14] = "2026-11-15T10:00:00Z".into();
            rows.push(cols.join(","));
        }
        if rows.len() > LEADS {
            break;
        }
    }
    assert_eq!(rows.len(), LEADS + 1);
    let file = root.join("leads.csv");
    std::fs::write(&file, rows.join("\n") + "\n").unwrap();
    let out = sqa(&dir, &["leads", "import", file.to_str().unwrap()], fault);
    if out.status.success() {
        return (dir, false);
    }
    assert!(
        fault.is_some() && text(&out.stderr).contains("SQA_FAULT"),
        "the import failed without the fault: {}",
        text(&out.stderr)
    );
    (dir, true)
}

/// The relay: every `.eml` in the outbox moves to `relayed/` (taken for delivery).
fn relay(dir: &Path) {
    let relayed = dir.join("relayed");
    std::fs::create_dir_all(&relayed).unwrap();
    let Ok(entries) = std::fs::read_dir(dir.join("outbox")) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.ends_with(".eml") && !name.starts_with('.') {
            // The same name twice would be the same message delivered twice: keep both.
            let mut target = relayed.join(&name);
            let mut k = 1;
            while target.exists() {
                k += 1;
                target = relayed.join(format!("{name}.{k}"));
            }
            std::fs::rename(e.path(), target).unwrap();
        }
    }
}

/// Message-IDs of every email the relay and the outbox hold, counted.
fn delivered(dir: &Path) -> BTreeMap<String, usize> {
    let mut ids = BTreeMap::new();
    for sub in ["relayed", "outbox"] {
        let Ok(entries) = std::fs::read_dir(dir.join(sub)) else {
            continue;
        };
        for e in entries.flatten() {
            if !e.file_type().unwrap().is_file() || e.file_name().to_string_lossy().starts_with('.')
            {
                continue;
            }
            let raw = text(&std::fs::read(e.path()).unwrap());
            let id = raw
                .lines()
                .find_map(|l| l.strip_prefix("Message-ID:"))
                .map(|v| v.trim().to_string())
                .unwrap_or_else(|| panic!("{} has no Message-ID", e.path().display()));
            *ids.entry(id).or_default() += 1;
        }
    }
    ids
}

#[derive(Default)]
struct Cell {
    killed: u32,
    restarts: u32,
    lost: usize,
    duplicates: usize,
    missing: usize,
    unknown: usize,
    check_failed: u32,
}

/// One trial: kill at the `hit`-th `point`, relay, restart until done, then verify.
fn trial(point: &str, hit: u32) -> (Cell, Vec<String>) {
    let root = tempfile::tempdir().unwrap();
    let fault = format!("{point}:{hit}");
    let (dir, import_killed) = workspace(root.path(), Some(&fault));
    let mut cell = Cell::default();
    let mut failures = Vec::new();
    if import_killed {
        cell.killed += 1;
    }

    let first = sqa(&dir, &["run", "--until-idle"], Some(&fault));
    if !first.status.success() {
        assert!(
            text(&first.stderr).contains("SQA_FAULT"),
            "{point}:{hit}: the run failed without the fault: {}",
            text(&first.stderr)
        );
        cell.killed += 1;
    }
    // The relay takes what was delivered while the worker was down.
    relay(&dir);
    let mut done = first.status.success();
    while !done {
        cell.restarts += 1;
        assert!(
            cell.restarts <= 5,
            "{point}:{hit}: not done after 5 restarts"
        );
        let again = sqa(&dir, &["run", "--until-idle"], None);
        done = again.status.success();
        if !done {
            failures.push(format!(
                "{point}:{hit}: restart {} exited {:?}: {}",
                cell.restarts,
                again.status.code(),
                text(&again.stderr)
            ));
        }
    }

    let list = sqa(&dir, &["--json", "leads", "list"], None);
    assert!(list.status.success(), "{}", text(&list.stderr));
    for line in text(&list.stdout).lines().filter(|l| !l.trim().is_empty()) {
        let row: Value = serde_json::from_str(line).unwrap();
        let stage = row["stage"].as_str().unwrap();
        if matches!(stage, "new" | "selected" | "validated") {
            cell.lost += 1;
            failures.push(format!("{point}:{hit}: lead {} ends {stage}", row["id"]));
        }
    }
    let check = sqa(&dir, &["--json", "check"], None);
    let report: Value = serde_json::from_str(text(&check.stdout).trim())
        .unwrap_or_else(|e| panic!("check --json: {e}: {}", text(&check.stdout)));
    if !check.status.success() {
        cell.check_failed += 1;
        failures.push(format!("{point}:{hit}: sqa check: {}", report["problems"]));
    }
    cell.unknown = report["notes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n.as_str().unwrap().contains("may or may not"))
        .count();
    let sent = report["sent_touches"].as_u64().unwrap() as usize;
    let ids = delivered(&dir);
    cell.duplicates = ids.values().map(|n| n - 1).sum();
    cell.missing = sent.saturating_sub(ids.len());
    if cell.duplicates > 0 || ids.len() != sent || cell.unknown > 0 {
        failures.push(format!(
            "{point}:{hit}: {} emails for {sent} sent touches, {} duplicate(s), {} unknown",
            ids.len(),
            cell.duplicates,
            cell.unknown
        ));
    }
    (cell, failures)
}

#[test]
fn a_worker_killed_at_any_side_effect_loses_no_lead_and_sends_each_touch_once() {
    let mut failures = Vec::new();
    let mut rows = Vec::new();
    for point in sqa_core::fault::POINTS {
        let mut total = Cell::default();
        for hit in TRIALS {
            let (cell, f) = trial(point, hit);
            failures.extend(f);
            total.killed += cell.killed;
            total.restarts += cell.restarts;
            total.lost += cell.lost;
            total.duplicates += cell.duplicates;
            total.missing += cell.missing;
            total.unknown += cell.unknown;
            total.check_failed += cell.check_failed;
        }
        rows.push((point, total));
    }
    println!(
        "fault matrix: {} points x {} trials (kill at hit {:?}), {LEADS} leads each, relay empties the outbox after each kill",
        rows.len(),
        TRIALS.len(),
        TRIALS
    );
    println!(
        "{:<15} {:>6} {:>8} {:>10} {:>10} {:>8} {:>8} {:>12}",
        "point",
        "killed",
        "restarts",
        "leads lost",
        "duplicates",
        "missing",
        "unknown",
        "check failed"
    );
    let mut killed = 0;
    for (point, c) in &rows {
        killed += c.killed;
        println!(
            "{:<15} {:>6} {:>8} {:>10} {:>10} {:>8} {:>8} {:>12}",
            point, c.killed, c.restarts, c.lost, c.duplicates, c.missing, c.unknown, c.check_failed
        );
    }
    println!(
        "total: {killed} kills in {} trials",
        rows.len() * TRIALS.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(
        rows.iter().all(|(_, c)| c.killed > 0),
        "every point must kill the worker at least once"
    );
}

#[test]
fn run_until_idle_reports_messages_a_dead_worker_still_holds_and_then_waits_for_them() {
    let root = tempfile::tempdir().unwrap();
    let (dir, _) = workspace(root.path(), None);
    // The worker dies right after handling its first message: the batch it received is in
    // flight (invisible) until the visibility timeout ends.
    let killed = sqa(&dir, &["run", "--until-idle"], Some("after_handle:1"));
    assert!(!killed.status.success());

    let mut c = Command::new(env!("CARGO_BIN_EXE_sqa"));
    let reported = c
        .arg("--dir")
        .arg(&dir)
        .arg("--now")
        .arg(NOW)
        .args(["run", "--until-idle", "--wait-secs", "0"])
        .env("SQA_QUEUE_VISIBILITY_SECS", "30")
        .env_remove("SQA_FAULT")
        .output()
        .unwrap();
    assert_eq!(
        reported.status.code(),
        Some(3),
        "never done while messages are in flight: {}",
        text(&reported.stdout)
    );
    let err = text(&reported.stderr);
    assert!(
        err.contains("message(s) still in flight"),
        "the count is said on standard error: {err}"
    );

    // Waiting (the default: the visibility timeout and five seconds) works them.
    let waited = sqa(&dir, &["run", "--until-idle"], None);
    assert!(waited.status.success(), "{}", text(&waited.stderr));
    let check = sqa(&dir, &["check"], None);
    assert!(check.status.success(), "{}", text(&check.stderr));
}
