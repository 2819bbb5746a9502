//! Tests: machine mail side by side with Sisimai, the reference bounce analyser (Debian
//! `libsisimai-perl`, installed by `infra/test.sh` when missing).
//!
//! Over `../shared/data/real-mail` (read in place): agreement on bounce / not bounce, on hard /
//! soft and on the failed recipient, and messages per second of both (Sisimai timed inside
//! Perl, without the interpreter's start; ours is parse + classify in this test's build).

use serde_json::Value;
use sqa_core::agents::classify::classify_raw;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

fn sisimai_available() -> bool {
    Command::new("perl")
        .args(["-MSisimai", "-e", "1"])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Sisimai's reading of each file, by file name, and the seconds it spent.
fn sisimai(files: &[PathBuf]) -> (BTreeMap<String, Value>, f64) {
    let script = sqa_tests::workspace_root().join("tests/tools/sisimai_scan.pl");
    let out = Command::new("perl")
        .arg(&script)
        .args(files)
        .output()
        .unwrap_or_else(|e| panic!("cannot run perl: {e}"));
    assert!(
        out.status.success(),
        "sisimai_scan.pl failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut by_file = BTreeMap::new();
    let mut seconds = 0.0;
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{line}: {e}"));
        if let Some(s) = v["seconds"].as_f64() {
            seconds = s;
        } else if let Some(f) = v["file"].as_str() {
            by_file.insert(f.to_string(), v);
        }
    }
    (by_file, seconds)
}

#[derive(Default)]
struct Agree {
    same: usize,
    total: usize,
}

impl Agree {
    fn add(&mut self, same: bool) {
        self.total += 1;
        self.same += usize::from(same);
    }
}

impl std::fmt::Display for Agree {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let pct = if self.total == 0 {
            100.0
        } else {
            100.0 * self.same as f64 / self.total as f64
        };
        write!(f, "{:>3}/{:<3} {pct:5.1}%", self.same, self.total)
    }
}

#[test]
fn machine_mail_agrees_with_sisimai() {
    let Some(data) = sqa_tests::shared_data() else {
        return;
    };
    if !sisimai_available() {
        assert!(
            std::env::var_os("CI").is_none(),
            "Sisimai (libsisimai-perl) is missing; infra/test.sh installs it"
        );
        eprintln!("note: skipped, Sisimai (libsisimai-perl) is not installed");
        return;
    }
    let dir = data.join("real-mail");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    files.sort();
    let labels: BTreeMap<String, Value> = std::fs::read_to_string(dir.join("labels.jsonl"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter_map(|v| Some((v["file"].as_str()?.to_string(), v)))
        .collect();
    let (theirs, their_seconds) = sisimai(&files);

    let raws: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|p| {
            let name = p.file_name().map(|n| n.to_string_lossy().to_string());
            (
                name.unwrap_or_default(),
                std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display())),
            )
        })
        .collect();
    // Ours, timed over several rounds (a message takes well under a millisecond).
    const ROUNDS: usize = 5;
    let start = Instant::now();
    for _ in 0..ROUNDS {
        for (_, raw) in &raws {
            let _ = std::hint::black_box(classify_raw(raw));
        }
    }
    let our_seconds = start.elapsed().as_secs_f64() / ROUNDS as f64;

    let mut bounce = Agree::default();
    let mut hard = Agree::default();
    let mut recipient = Agree::default();
    let mut ours_right = Agree::default();
    let mut theirs_right = Agree::default();
    let mut ours_hard_right = Agree::default();
    let mut theirs_hard_right = Agree::default();
    let mut ours_rcpt_right = Agree::default();
    let mut theirs_rcpt_right = Agree::default();
    let mut differences = Vec::new();
    for (name, raw) in &raws {
        let Ok((mail, c)) = classify_raw(raw) else {
            panic!("{name} does not parse");
        };
        let t = theirs.get(name).cloned().unwrap_or(Value::Null);
        let reason = t["reason"].as_str().unwrap_or("");
        let their_bounce = t["found"].as_bool().unwrap_or(false)
            && !["feedback", "vacation", "delivered"].contains(&reason);
        let our_bounce = c.intent.as_str() == "bounce";
        bounce.add(our_bounce == their_bounce);
        let label = labels.get(name).map(|l| l["intent"].as_str().unwrap_or(""));
        if let Some(want) = label {
            ours_right.add(our_bounce == (want == "bounce"));
            theirs_right.add(their_bounce == (want == "bounce"));
        }
        if our_bounce != their_bounce {
            differences.push(format!(
                "{name}: ours {} / sisimai {} (label {})",
                c.intent.as_str(),
                if reason.is_empty() { "nothing" } else { reason },
                label.unwrap_or("?")
            ));
        }
        let want_hard = labels.get(name).and_then(|l| l["hard"].as_bool());
        let want_rcpt = labels
            .get(name)
            .and_then(|l| l["original_recipient"].as_str())
            .map(str::to_lowercase);
        if label == Some("bounce") {
            let their_hard = match t["softbounce"].as_i64() {
                Some(0) => Some(true),
                Some(1) => Some(false),
                _ => None,
            };
            ours_hard_right.add(mail.dsn.as_ref().and_then(|d| d.hard) == want_hard);
            theirs_hard_right.add(their_hard == want_hard);
            let our_rcpt = mail
                .dsn
                .as_ref()
                .and_then(|d| d.recipient.as_deref())
                .map(str::to_lowercase);
            ours_rcpt_right.add(our_rcpt == want_rcpt);
            theirs_rcpt_right.add(t["recipient"].as_str().map(str::to_string) == want_rcpt);
        }
        if our_bounce && their_bounce {
            let dsn = mail.dsn.as_ref();
            let our_hard = dsn.and_then(|d| d.hard);
            let their_hard = match t["softbounce"].as_i64() {
                Some(0) => Some(true),
                Some(1) => Some(false),
                _ => None,
            };
            if their_hard.is_some() {
                hard.add(our_hard == their_hard);
                if our_hard != their_hard {
                    differences.push(format!(
                        "{name}: hard ours {our_hard:?} / sisimai {their_hard:?} ({reason})"
                    ));
                }
            }
            let our_rcpt = dsn
                .and_then(|d| d.recipient.as_deref())
                .map(str::to_lowercase);
            let their_rcpt = t["recipient"].as_str().map(str::to_string);
            recipient.add(our_rcpt == their_rcpt);
            if our_rcpt != their_rcpt {
                differences.push(format!(
                    "{name}: recipient ours {our_rcpt:?} / sisimai {their_rcpt:?}"
                ));
            }
        }
    }
    let n = raws.len() as f64;
    let ours_rate = n / our_seconds.max(1e-9);
    let theirs_rate = n / their_seconds.max(1e-9);
    println!("side by side with Sisimai ({} messages)", raws.len());
    println!("  bounce / not bounce agree   {bounce}");
    println!("  hard / soft agree           {hard}");
    println!("  failed recipient agree      {recipient}");
    println!("  bounce right vs labels      ours {ours_right}   sisimai {theirs_right}");
    println!("  hard/soft right vs labels   ours {ours_hard_right}   sisimai {theirs_hard_right}");
    println!("  recipient right vs labels   ours {ours_rcpt_right}   sisimai {theirs_rcpt_right}");
    println!(
        "  messages/second             ours {ours_rate:.0}   sisimai {theirs_rate:.0}   ratio {:.1}x{}",
        ours_rate / theirs_rate.max(1e-9),
        if cfg!(debug_assertions) {
            " (a test build: optimise sqa-core and regex for a fair figure, see README)"
        } else {
            ""
        }
    );
    println!("differences:");
    for d in &differences {
        println!("  {d}");
    }
    // Floors: what is reached today, less about one message.
    // Sisimai reads a human message that quotes a bounce as a bounce and misses two formats
    // the labels call bounces; the agreement floor leaves room for those.
    assert!(
        bounce.same * 100 >= bounce.total * 90,
        "bounce agreement {bounce}"
    );
    assert!(
        recipient.same * 100 >= recipient.total * 90,
        "recipient agreement {recipient}"
    );
    assert!(
        ours_rcpt_right.same >= theirs_rcpt_right.same,
        "recipients: {ours_rcpt_right}"
    );
    assert!(
        ours_right.same >= theirs_right.same,
        "Sisimai is right more often"
    );
}
