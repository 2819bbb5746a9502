//! How model calls for different leads overlap: N leads through the loop (research-only, so
//! each lead costs one draft call) against a scripted OpenAI-compatible server on 127.0.0.1
//! that takes a fixed time per answer. Not a test: `cargo bench -p sqa-tests --bench
//! model_overlap` (env: `SQA_BENCH_LEADS` = 100, `SQA_BENCH_DELAY_MS` = 500,
//! `SQA_BENCH_CONCURRENCY` = "4,10,20"). Prints, per concurrency, the loop's wall time with the
//! model, the same loop with the offline engine, and the model's share against the ideal
//! (N / concurrency) × delay.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use sqa_core::config::{Mode, Provider};
use sqa_core::ports::ModelTask;
use sqa_tests::example_dir;
use sqa_tests::pipeline::{TestPipeline, example_config};
use sqa_tests::scripted_model::{Readings, Reply, ScriptedModel, offline_answer};
use std::fmt::Write as _;
use std::time::{Duration, Instant};

const NOW: &str = "2026-11-21T00:00:00Z";
const DOMAINS: [&str; 6] = [
    "brightlane-logistics.example",
    "kestrelpay.example",
    "halcyon-media.example",
    "fernhill-retail.example",
    "orchardhealth.example",
    "parcelwise.example",
];

fn env(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_string())
}

fn leads(n: usize) -> String {
    let mut s = String::from(
        "id,first_name,last_name,email,title,company,website,industry,employees,country,tech_stack,source,status,owner,created_at,notes\n",
    );
    for i in 0..n {
        let d = DOMAINS[i % DOMAINS.len()];
        writeln!(
            s,
            "M{i:04},Alex,Tester{i},alex.tester{i}@{d},Head of Data,Company {i},https://www.{d}/,Software,800,US,Snowflake;dbt,webinar,open,,2026-11-15T10:00:00Z,"
        )
        .unwrap();
    }
    s
}

async fn run(model: Option<(&ScriptedModel, usize)>, n: usize) -> (Duration, usize) {
    let mut cfg = example_config();
    cfg.mode = Mode::ResearchOnly;
    let p = match model {
        None => TestPipeline::new(cfg, &example_dir().join("web"), NOW),
        Some((server, concurrency)) => {
            let m = &mut cfg.model;
            m.provider = Provider::Openai;
            m.endpoint = server.base_url();
            m.name = "scripted-slow".into();
            m.concurrency = concurrency;
            m.timeout_ms = 10_000;
            m.tasks = vec![ModelTask::Draft];
            let model = sqa_core::model::openai_model(&cfg.model, None).unwrap();
            TestPipeline::with_model(cfg, &example_dir().join("web"), NOW, model)
        }
    };
    let report = p.import(leads(n).as_bytes()).await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let started = Instant::now();
    let drained = p.run().await;
    let took = started.elapsed();
    assert!(drained.failed.is_empty(), "{:?}", drained.failed);
    let drafted = drained
        .decisions
        .get("outreach:drafted")
        .copied()
        .unwrap_or(0) as usize;
    (took, drafted)
}

fn main() {
    let n: usize = env("SQA_BENCH_LEADS", "100").parse().unwrap();
    let delay = Duration::from_millis(env("SQA_BENCH_DELAY_MS", "500").parse().unwrap());
    let levels: Vec<usize> = env("SQA_BENCH_CONCURRENCY", "4,10,20")
        .split(',')
        .map(|c| c.trim().parse().unwrap())
        .collect();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let (offline, drafted) = run(None, n).await;
        println!(
            "{n} leads, offline engine: {:.2} s ({drafted} drafts)",
            offline.as_secs_f64()
        );
        println!(
            "{:>11} {:>9} {:>9} {:>9} {:>9} {:>7} {:>9}",
            "concurrency", "drafts", "calls", "total s", "model s", "ideal s", "ratio"
        );
        let readings = Readings::default();
        for c in levels {
            let readings = readings.clone();
            let server = ScriptedModel::start(move |req, _| {
                match offline_answer(req, &readings) {
                    Some(a) => Reply::json(&a),
                    None => Reply::status(500, "{}"),
                }
                .after(delay)
            })
            .await;
            let (total, drafted) = run(Some((&server, c)), n).await;
            let model = total.saturating_sub(offline);
            let ideal = (n as f64 / c as f64) * delay.as_secs_f64();
            println!(
                "{c:>11} {drafted:>9} {:>9} {:>9.2} {:>9.2} {ideal:>7.2} {:>9.2}",
                server.requests().len(),
                total.as_secs_f64(),
                model.as_secs_f64(),
                total.as_secs_f64() / ideal
            );
        }
    });
}
