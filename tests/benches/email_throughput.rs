//! Throughput of SQA's address check against python email-validator, on the same 100,000
//! mutated addresses. Not a test: `cargo bench -p sqa-tests --bench email_throughput`.
//!
//! Python's time is measured inside Python around its validation loop (after a short warm-up),
//! so interpreter start-up and the pipe are not counted; SQA's likewise covers only the loop.
#![allow(clippy::expect_used, clippy::unwrap_used)]

#[path = "../suite/email_mutations.rs"]
mod mutations;

use std::hint::black_box;
use std::time::Instant;

const N: usize = 100_000;

fn main() -> anyhow::Result<()> {
    let root = sqa_tests::workspace_root();
    let shared = std::env::var_os("SQA_SHARED_DATA")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| root.join("../shared/data"));
    let shared = shared.join("README.md").is_file().then_some(shared);
    let seeds = mutations::seeds(shared.as_deref());
    let addrs = mutations::corpus(&seeds, N, 0xBE4C_0001);
    let bytes: usize = addrs.iter().map(String::len).sum();
    println!(
        "email_throughput: {} addresses ({} seeds, {:.1} bytes on average)",
        addrs.len(),
        seeds.len(),
        bytes as f64 / addrs.len() as f64
    );

    // Warm up the lazily built lists and the caches.
    for a in addrs.iter().take(1000) {
        black_box(sqa_core::agents::email::check(a));
    }
    let mut best = f64::MAX;
    let mut valid = 0;
    for _ in 0..3 {
        let t = Instant::now();
        valid = 0;
        for a in &addrs {
            valid += usize::from(black_box(sqa_core::agents::email::check(black_box(a))).valid);
        }
        best = best.min(t.elapsed().as_secs_f64());
    }
    let sqa_rate = addrs.len() as f64 / best;
    println!(
        "sqa check:              {sqa_rate:>12.0} addresses/s ({best:.3} s best of 3, {valid} valid)"
    );

    let Some(python) = mutations::reference_python(&root) else {
        println!("python email-validator: not installed in .venv, no comparison");
        return Ok(());
    };
    let lines = mutations::run_python(&python, "bench", &addrs)?;
    let report: serde_json::Value = serde_json::from_str(
        lines
            .last()
            .ok_or_else(|| anyhow::anyhow!("python printed nothing"))?,
    )?;
    let seconds = report["seconds"]
        .as_f64()
        .ok_or_else(|| anyhow::anyhow!("python report has no seconds: {report}"))?;
    let py_rate = addrs.len() as f64 / seconds;
    println!(
        "python email-validator: {py_rate:>12.0} addresses/s ({seconds:.3} s, {} valid, version {})",
        report["valid"], report["version"]
    );
    println!("ratio sqa / python:     {:>12.1}x", sqa_rate / py_rate);
    Ok(())
}
