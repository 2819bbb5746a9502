//! `TestPipeline`: the embedded adapters wired like `sqa`, on a temporary folder, with a fixed
//! clock and the offline model — for tests that run the whole loop.

use crate::example_dir;
use sqa_core::config::AgentConfig;
use sqa_core::ports::{Deps, FixedClock, NoDns, Ports, QueueName};
use sqa_core::stages::{self, InboundMessage, runner};
use sqa_local::{FileInbox, FileMailer, SqliteStore};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub struct TestPipeline {
    pub deps: Deps,
    pub store: Arc<SqliteStore>,
    pub clock: Arc<FixedClock>,
    pub outbox: PathBuf,
    _dir: tempfile::TempDir,
}

/// The example's config (`examples/lumora/sqa.toml`), its files read relative to it.
pub fn example_config() -> AgentConfig {
    let dir = example_dir();
    let text = std::fs::read_to_string(dir.join("sqa.toml")).expect("examples/lumora/sqa.toml");
    sqa_core::config::parse(&text, &sqa_core::fsread::WorkspaceFiles::new(&dir))
        .expect("the example config is valid")
}

impl TestPipeline {
    /// A pipeline at `now` reading websites from `web_root`.
    pub fn new(cfg: AgentConfig, web_root: &Path, now: &str) -> TestPipeline {
        Self::with_model(
            cfg,
            web_root,
            now,
            Arc::new(sqa_core::agents::offline::OfflineModel),
        )
    }

    /// The same, with `model` behind the model port.
    pub fn with_model(
        cfg: AgentConfig,
        web_root: &Path,
        now: &str,
        model: Arc<dyn sqa_core::ports::Model>,
    ) -> TestPipeline {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Arc::new(SqliteStore::open(dir.path().join("sqa.db")).expect("open sqlite"));
        let outbox = dir.path().join("outbox");
        let clock = Arc::new(FixedClock::new(
            sqa_core::import::parse_timestamp(now).expect("a valid --now"),
        ));
        let ports = Ports {
            leads: store.clone(),
            config: store.clone(),
            runs: store.clone(),
            queue: store.clone(),
            mailer: Arc::new(FileMailer::with_store(&outbox, store.clone())),
            inbox: Arc::new(FileInbox::new("/")),
            suppressions: store.clone(),
            model,
            web: Arc::new(sqa_local::web::DirWeb::new(web_root)),
            clock: clock.clone(),
            dns: Arc::new(NoDns),
        };
        TestPipeline {
            deps: Deps {
                ports,
                config: Arc::new(cfg),
                secret: "test-secret".into(),
                research_cache: Default::default(),
                topics: Default::default(),
            },
            store,
            clock,
            outbox,
            _dir: dir,
        }
    }

    pub async fn import(&self, csv: &[u8]) -> sqa_core::import::ImportReport {
        sqa_core::import::import_csv(&self.deps, csv, false)
            .await
            .expect("import")
    }

    /// One selection and every queue drained.
    pub async fn run(&self) -> runner::DrainReport {
        stages::select::run(&self.deps, "test-run")
            .await
            .expect("select");
        self.drain().await
    }

    pub async fn drain(&self) -> runner::DrainReport {
        runner::drain(&self.deps, 1000, |_, _| {})
            .await
            .expect("drain")
    }

    /// Enqueue inbound messages (files) for the engage stage, then drain.
    pub async fn inbound(&self, files: &[PathBuf]) -> runner::DrainReport {
        for f in files {
            let key = std::fs::canonicalize(f).expect("reply file");
            let body = serde_json::to_string(&InboundMessage {
                v: stages::MESSAGE_VERSION,
                key: key.to_string_lossy().into_owned(),
                verdicts: Default::default(),
            })
            .expect("json");
            self.deps
                .ports
                .queue
                .send(QueueName::Engage, &[body])
                .await
                .expect("enqueue");
        }
        self.drain().await
    }

    /// The `.eml` files in the outbox.
    pub fn sent(&self) -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(&self.outbox)
            .map(|r| r.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        v.sort();
        v
    }
}
