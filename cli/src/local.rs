//! The embedded default: a workspace folder holding `sqa.toml`, the SQLite file, the outbox
//! and the unsubscribe secret, wired into the core's ports.

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Utc};
use sqa_core::config::{self, AgentConfig, Limits, WebSource};
use sqa_core::fsread::{WorkspaceFiles, read_limited_text};
use sqa_core::ports::{Clock, Deps, FixedClock, Model, Ports, SystemClock, Web};
use sqa_local::{FileInbox, FileMailer, QueueSettings, SqliteStore};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub const CONFIG_FILE: &str = "sqa.toml";
pub const DB_FILE: &str = "sqa.db";
pub const OUTBOX: &str = "outbox";
const SECRET_FILE: &str = ".secret";

/// An opened workspace.
pub struct Workspace {
    pub deps: Deps,
    /// The folder.
    pub dir: PathBuf,
    /// The queues' visibility timeout and redrive (`SQA_QUEUE_VISIBILITY_SECS` sets the
    /// timeout).
    pub queue_settings: QueueSettings,
    /// The store itself, for what no port says (the integrity check).
    pub store: Arc<SqliteStore>,
}

/// The queue settings of the embedded backend: SQS's defaults, with the visibility timeout
/// from `SQA_QUEUE_VISIBILITY_SECS` when set (tests that kill workers use a short one).
pub fn queue_settings() -> Result<QueueSettings> {
    let mut q = QueueSettings::default();
    if let Ok(v) = std::env::var("SQA_QUEUE_VISIBILITY_SECS") {
        let secs: u64 = v.trim().parse().with_context(|| {
            format!("SQA_QUEUE_VISIBILITY_SECS={v:?} is not a number of seconds")
        })?;
        q.visibility = std::time::Duration::from_secs(secs.max(1));
    }
    Ok(q)
}

/// Read and check a config file; every error is listed with its key path and line.
pub fn load_config(path: &Path) -> Result<AgentConfig> {
    let text = read_config_text(path)?;
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    config::parse(&text, &WorkspaceFiles::new(base)).map_err(|errs| {
        let lines: Vec<String> = errs
            .0
            .iter()
            .map(|e| format!("{}: {e}", path.display()))
            .collect();
        anyhow::anyhow!(
            "{} problem(s) in the config:\n{}",
            lines.len(),
            lines.join("\n")
        )
    })
}

/// The text of a config file, read within the default `limits.max_config_bytes` (the file's
/// own limits are not known before it is read).
pub fn read_config_text(path: &Path) -> Result<String> {
    Ok(read_limited_text(
        path,
        Limits::DEFAULT_MAX_CONFIG_BYTES,
        Limits::MAX_CONFIG_BYTES,
    )?)
}

/// The clock: fixed at `--now` when given, else the wall clock.
pub fn clock(now: Option<DateTime<Utc>>) -> Arc<dyn Clock> {
    match now {
        Some(t) => Arc::new(FixedClock::new(t)),
        None => Arc::new(SystemClock),
    }
}

fn secret(dir: &Path) -> Result<String> {
    let path = dir.join(SECRET_FILE);
    if let Ok(s) = std::fs::read_to_string(&path)
        && s.trim().len() >= 32
    {
        return Ok(s.trim().to_string());
    }
    // 32 bytes from the OS, hex: the unsubscribe links' signing secret.
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness from the OS: {e}"))?;
    let s = hex(&bytes);
    std::fs::write(&path, &s).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(s)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The model `[model]` names. The offline engine needs nothing; an OpenAI-compatible
/// endpoint takes its key from the environment variable `model.api_key_env`; Bedrock needs
/// the CLI built with the `bedrock` feature (the default) and AWS credentials as the SDK
/// finds them.
pub async fn model(cfg: &AgentConfig) -> Result<Arc<dyn Model>> {
    use sqa_core::config::Provider;
    match cfg.model.provider {
        Provider::Offline => Ok(Arc::new(sqa_core::agents::offline::OfflineModel)),
        Provider::Openai => sqa_core::model::openai_model(
            &cfg.model,
            sqa_core::model::openai::OpenAiBackend::key_from_env(&cfg.model.api_key_env),
        ),
        Provider::Bedrock => bedrock(cfg).await,
    }
}

#[cfg(feature = "bedrock")]
async fn bedrock(cfg: &AgentConfig) -> Result<Arc<dyn Model>> {
    let sdk = sqa_aws::clients::sdk_defaults().load().await;
    Ok(sqa_aws::bedrock::model(&sdk, &cfg.model))
}

#[cfg(not(feature = "bedrock"))]
async fn bedrock(_cfg: &AgentConfig) -> Result<Arc<dyn Model>> {
    bail!("model.provider = \"bedrock\": this sqa was built without the bedrock feature")
}

/// The web port the config asks for.
pub fn web(cfg: &AgentConfig, base: &Path) -> Result<Arc<dyn Web>> {
    if let WebSource::Dir(dir) = &cfg.web.source {
        let root = base.join(dir);
        if !root.is_dir() {
            bail!("web.source: {} is not a folder", root.display());
        }
        return Ok(Arc::new(sqa_local::web::DirWeb::new(root)));
    }
    // `off` needs no port at all (the research stage answers without one); HTTP is built
    // anyway so that `sqa lead set-company` can still read a site on request.
    Ok(Arc::new(
        sqa_core::web_http::HttpWeb::new(&cfg.web.user_agent, std::time::Duration::from_secs(10))
            .context("cannot build the HTTP client")?,
    ))
}

impl Workspace {
    /// Open the workspace in `dir` (its `sqa.toml`, creating the database on first use).
    pub async fn open(dir: &Path, now: Option<DateTime<Utc>>) -> Result<Workspace> {
        let config_path = dir.join(CONFIG_FILE);
        if !config_path.is_file() {
            bail!(
                "{} has no {CONFIG_FILE}: run `sqa init {}` first, or pass --dir",
                dir.display(),
                dir.display()
            );
        }
        let cfg = load_config(&config_path)?;
        Self::open_with(dir, cfg, now).await
    }

    pub async fn open_with(
        dir: &Path,
        cfg: AgentConfig,
        now: Option<DateTime<Utc>>,
    ) -> Result<Workspace> {
        let queue_settings = queue_settings()?;
        let store = Arc::new(
            SqliteStore::open(dir.join(DB_FILE))
                .with_context(|| format!("cannot open the database in {}", dir.display()))?
                .with_queue_settings(queue_settings),
        );
        // The store keeps the record of every send; what a crash left half way is put
        // right before anything else runs.
        let mailer = Arc::new(FileMailer::with_store(dir.join(OUTBOX), store.clone()));
        mailer
            .recover()
            .with_context(|| format!("cannot recover the outbox in {}", dir.display()))?;
        let dns = sqa_core::agents::email::resolver_from_config(&cfg.validation)?;
        let web = web(&cfg, dir)?;
        let ports = Ports {
            leads: store.clone(),
            config: store.clone(),
            runs: store.clone(),
            queue: store.clone(),
            mailer: mailer.clone(),
            inbox: Arc::new(FileInbox::new(dir).with_max_bytes(cfg.limits.max_message_bytes)),
            suppressions: store.clone(),
            model: model(&cfg).await?,
            web,
            clock: clock(now),
            dns,
        };
        let deps = Deps {
            ports,
            config: Arc::new(cfg),
            secret: secret(dir)?.into(),
            research_cache: Default::default(),
        };
        record_config(&deps, dir).await?;
        Ok(Workspace {
            deps,
            dir: dir.to_path_buf(),
            queue_settings,
            store,
        })
    }
}

/// Keep the config's history in the store; refuse engage → research_only.
async fn record_config(deps: &Deps, dir: &Path) -> Result<()> {
    let text = read_config_text(&dir.join(CONFIG_FILE))?;
    let store = &deps.ports.config;
    let active = store.active().await?;
    if let Some(prev) = &active {
        if prev.toml == text {
            return Ok(());
        }
        if let Ok(old) = config::parse(&prev.toml, &WorkspaceFiles::new(dir)) {
            config::check_upgrade(&old, &deps.config)
                .map_err(|m| anyhow::anyhow!("{}: {m}", dir.join(CONFIG_FILE).display()))?;
        }
    }
    let version = active.map(|a| a.version).unwrap_or(0);
    store.save(&text, version, deps.ports.clock.now()).await?;
    Ok(())
}

/// Where the bundled example (the Lumora corpus) lives.
pub fn example_dir() -> Result<PathBuf> {
    if let Some(d) = std::env::var_os("SQA_EXAMPLE_DIR") {
        return Ok(PathBuf::from(d));
    }
    let built = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/lumora"));
    if built.join(CONFIG_FILE).is_file() {
        return Ok(built);
    }
    bail!(
        "the bundled example is not at {} (set SQA_EXAMPLE_DIR)",
        built.display()
    )
}

/// Copy a folder tree.
pub fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to).with_context(|| format!("cannot create {}", to.display()))?;
    for entry in
        std::fs::read_dir(from).with_context(|| format!("cannot read {}", from.display()))?
    {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target).with_context(|| {
                format!(
                    "cannot copy {} to {}",
                    entry.path().display(),
                    target.display()
                )
            })?;
        }
    }
    Ok(())
}

/// `sqa init DIR`: the example config and its knowledge, ICP and website mirror.
pub fn init(dir: &Path) -> Result<()> {
    if dir.join(CONFIG_FILE).exists() {
        bail!(
            "{} already has a {CONFIG_FILE}; not overwritten",
            dir.display()
        );
    }
    let example = example_dir()?;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for sub in ["company", "leads", "replies", "web"] {
        copy_dir(&example.join(sub), &dir.join(sub))?;
    }
    std::fs::copy(example.join(CONFIG_FILE), dir.join(CONFIG_FILE))
        .with_context(|| format!("cannot write {}", dir.join(CONFIG_FILE).display()))?;
    Ok(())
}
