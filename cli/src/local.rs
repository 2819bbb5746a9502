//! The embedded default: a workspace folder holding `sqa.toml`, the SQLite file, the outbox
//! and the unsubscribe secret, wired into the core's ports.

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Utc};
use sqa_core::config::{self, AgentConfig, InboxSource, Limits, Transport, WebSource};
use sqa_core::fsread::{WorkspaceFiles, read_limited_text};
use sqa_core::ports::{Clock, Deps, FixedClock, Mailer, Model, Ports, SystemClock, Web};
use sqa_local::{FileInbox, FileMailer, QueueSettings, SqliteStore};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub const CONFIG_FILE: &str = "sqa.toml";
pub const DB_FILE: &str = "sqa.db";
pub const OUTBOX: &str = "outbox";
/// Where replies read from a mailbox are kept for the engage stage.
pub const SPOOL: &str = "inbound";
const SECRET_FILE: &str = ".secret";
const SMTP_PASSWORD_FILE: &str = ".smtp-password";
const IMAP_PASSWORD_FILE: &str = ".imap-password";

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

/// A password: the environment variable `var` when it is set, else the workspace file `file`
/// (first line), else `None`.
fn password(dir: &Path, var: &str, file: &str) -> Result<Option<String>> {
    if let Some(v) = std::env::var_os(var) {
        return Ok(Some(v.to_string_lossy().into_owned()));
    }
    let path = dir.join(file);
    match std::fs::read_to_string(&path) {
        Ok(s) => Ok(Some(s.lines().next().unwrap_or("").to_string())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(anyhow::Error::new(e).context(format!("cannot read {}", path.display()))),
    }
}

/// The PEM text of a `ca_file` (relative to the workspace), read within the config limit.
fn ca_pem(dir: &Path, key: &str, file: Option<&str>) -> Result<Option<Vec<u8>>> {
    let Some(file) = file else { return Ok(None) };
    let path = dir.join(file);
    sqa_core::fsread::read_limited(
        &path,
        Limits::DEFAULT_MAX_CONFIG_BYTES,
        Limits::MAX_CONFIG_BYTES,
    )
    .map(Some)
    .with_context(|| format!("{key}: cannot read {}", path.display()))
}

/// The mailer `[mail] transport` names.
/// The outbox keeps its send records in `store` and recovers what a crash left half way.
pub fn mailer(cfg: &AgentConfig, dir: &Path, store: &Arc<SqliteStore>) -> Result<Arc<dyn Mailer>> {
    match cfg.mail.transport {
        Transport::Outbox => {
            let outbox = FileMailer::with_store(dir.join(OUTBOX), store.clone());
            outbox
                .recover()
                .with_context(|| format!("cannot recover the outbox in {}", dir.display()))?;
            Ok(Arc::new(outbox))
        }
        Transport::Smtp => {
            let password = password(dir, &cfg.mail.password_env, SMTP_PASSWORD_FILE)?;
            if !cfg.mail.username.trim().is_empty() && password.is_none() {
                bail!(
                    "mail.username is set but there is no password: set {} or write it to {}",
                    cfg.mail.password_env,
                    dir.join(SMTP_PASSWORD_FILE).display()
                );
            }
            let pem = ca_pem(dir, "mail.ca_file", cfg.mail.ca_file.as_deref())?;
            let settings = sqa_local::smtp::SmtpSettings::from_config(
                &cfg.mail,
                password,
                pem,
                cfg.agent.mail_domain(),
            );
            Ok(Arc::new(sqa_local::smtp::SmtpMailer::new(settings)))
        }
    }
}

/// The mailbox `[inbox]` names, ready to poll (`None` for `source = "none"`).
pub enum MailboxReader {
    Imap(sqa_local::mailbox::ImapSettings),
    Maildir(PathBuf),
}

impl Workspace {
    pub fn mailbox(&self) -> Result<Option<MailboxReader>> {
        let cfg = &self.deps.config.inbox;
        match cfg.source {
            InboxSource::None => Ok(None),
            InboxSource::Maildir => Ok(Some(MailboxReader::Maildir(self.dir.join(&cfg.path)))),
            InboxSource::Imap => {
                let Some(pw) = password(&self.dir, &cfg.password_env, IMAP_PASSWORD_FILE)? else {
                    bail!(
                        "inbox.source = \"imap\" needs a password: set {} or write it to {}",
                        cfg.password_env,
                        self.dir.join(IMAP_PASSWORD_FILE).display()
                    );
                };
                let pem = ca_pem(&self.dir, "inbox.ca_file", cfg.ca_file.as_deref())?;
                Ok(Some(MailboxReader::Imap(
                    sqa_local::mailbox::ImapSettings::from_config(cfg, pw, pem),
                )))
            }
        }
    }

    /// Read the mailbox once: new replies are copied to the spool and queued for the engage
    /// stage.
    pub async fn poll_mailbox(
        &self,
        reader: &MailboxReader,
        checker: &sqa_local::auth::MailAuth,
    ) -> Result<sqa_local::mailbox::PollReport> {
        let spool = self.dir.join(SPOOL);
        let sink = sqa_local::mailbox::Sink {
            spool: &spool,
            store: &self.store,
            queue: self.deps.ports.queue.as_ref(),
            checker,
            max_bytes: self.deps.config.limits.max_message_bytes,
        };
        match reader {
            MailboxReader::Imap(s) => sqa_local::mailbox::poll_imap(s, &sink).await,
            MailboxReader::Maildir(d) => sqa_local::mailbox::poll_maildir(d, &sink).await,
        }
    }
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
        let mailer = mailer(&cfg, dir, &store)?;
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
            topics: Default::default(),
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

/// Where the bundled examples live (`SQA_EXAMPLES_DIR`, else the source tree's `examples/`).
fn examples_root() -> PathBuf {
    if let Some(d) = std::env::var_os("SQA_EXAMPLES_DIR") {
        return PathBuf::from(d);
    }
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples"))
}

/// The file in the examples folder that names the default example (data, not code).
const DEFAULT_EXAMPLE_FILE: &str = "DEFAULT";

/// The bundled examples: the folders of the examples root that hold a workspace, by name,
/// the default first.
fn bundled_examples() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(examples_root())
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().join(CONFIG_FILE).is_file())
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    let default = default_example().unwrap_or_default();
    names.sort_by_key(|n| (*n != default, n.clone()));
    names
}

/// The name of the default example, as `examples/DEFAULT` gives it.
fn default_example() -> Result<String> {
    let path = examples_root().join(DEFAULT_EXAMPLE_FILE);
    let name = std::fs::read_to_string(&path).with_context(|| {
        format!(
            "cannot read {} (the default example's name)",
            path.display()
        )
    })?;
    Ok(name.trim().to_string())
}

/// Where the default example lives (`SQA_EXAMPLE_DIR` overrides it).
pub fn example_dir() -> Result<PathBuf> {
    if let Some(d) = std::env::var_os("SQA_EXAMPLE_DIR") {
        return Ok(PathBuf::from(d));
    }
    example(&default_example()?)
}

/// A bundled example by name (a folder of the examples root with an `sqa.toml`) or a folder
/// laid out like one (`sqa.toml`, `leads/`, `replies/`, `web/`, the knowledge it names).
pub fn example(name_or_dir: &str) -> Result<PathBuf> {
    let bundled = bundled_examples();
    let dir = if bundled.iter().any(|n| n == name_or_dir) {
        match std::env::var_os("SQA_EXAMPLE_DIR") {
            Some(d) if default_example().is_ok_and(|n| n == name_or_dir) => PathBuf::from(d),
            _ => examples_root().join(name_or_dir),
        }
    } else {
        PathBuf::from(name_or_dir)
    };
    if dir.join(CONFIG_FILE).is_file() {
        return Ok(dir);
    }
    bail!(
        "{}: no {CONFIG_FILE} there; an example is one of {} or a folder laid out like the bundled ones (set SQA_EXAMPLES_DIR for those)",
        dir.display(),
        bundled.join(", ")
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

/// The neutral workspace `sqa init DIR` writes: a commented `sqa.toml` naming what to fill
/// in, and empty `company/`, `leads/`, `replies/`, `web/` folders.
pub const NEUTRAL_CONFIG: &str = include_str!("neutral.toml");

fn refuse_existing(dir: &Path) -> Result<()> {
    if dir.join(CONFIG_FILE).exists() {
        bail!(
            "{} already has a {CONFIG_FILE}; not overwritten",
            dir.display()
        );
    }
    Ok(())
}

/// `sqa init DIR`: a neutral workspace for a new seller.
pub fn init_neutral(dir: &Path) -> Result<()> {
    refuse_existing(dir)?;
    for sub in ["company/knowledge", "leads", "replies", "web"] {
        std::fs::create_dir_all(dir.join(sub))
            .with_context(|| format!("cannot create {}", dir.join(sub).display()))?;
    }
    let faq = dir.join("company/knowledge/faq.md");
    std::fs::write(
        &faq,
        "# FAQ\n\n<!-- One `### question `[topic]`` heading per answer; the tags are your question\n\
         topics. Answers are quoted sentence by sentence: keep each one short and true. -->\n",
    )
    .with_context(|| format!("cannot write {}", faq.display()))?;
    std::fs::write(dir.join(CONFIG_FILE), NEUTRAL_CONFIG)
        .with_context(|| format!("cannot write {}", dir.join(CONFIG_FILE).display()))?;
    Ok(())
}

/// `sqa init DIR --example E`, and the demo's workspace: a copy of an example folder (its
/// config, knowledge, ICP, leads, replies and website mirror), without any database,
/// outbox or secret it may hold.
pub fn init_from(dir: &Path, example: &Path) -> Result<()> {
    refuse_existing(dir)?;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for entry in
        std::fs::read_dir(example).with_context(|| format!("cannot read {}", example.display()))?
    {
        let entry = entry?;
        let name = entry.file_name();
        let n = name.to_string_lossy();
        if n.starts_with(DB_FILE) || n == OUTBOX || n == SECRET_FILE {
            continue;
        }
        let target = dir.join(&name);
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)
                .with_context(|| format!("cannot write {}", target.display()))?;
        }
    }
    Ok(())
}

/// The default example's workspace (the Lumora corpus), as `sqa demo` and `sqa bench` use.
pub fn init(dir: &Path) -> Result<()> {
    init_from(dir, &example_dir()?)
}
