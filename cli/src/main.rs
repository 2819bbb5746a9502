//! `sqa`: the command line of the sales qualification agent on the embedded default (a
//! SQLite file, mail as `.eml` files, the offline model). Read commands take `--json`.
//!
//! This file is the command line's definition and the dispatch to `commands`; every line
//! the commands print goes through `out`. Exit codes: 0 done, 1 failed, 2 a usage error
//! (clap), 3 partly done (`commands::exit`); a closed output pipe ends the command quietly
//! with 0.

mod out;

mod bench;
mod commands;
mod cost;
mod demo;
mod eval;
mod local;
mod serve;
mod simulate;
mod speed;

use anyhow::Result;
use clap::{Args, Parser, Subcommand};
use std::io::Write;
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "sqa",
    version,
    about = "SQA — the open sales qualification agent"
)]
struct Cli {
    /// The workspace folder (sqa.toml, sqa.db, outbox/).
    #[arg(long, global = true, env = "SQA_DIR", default_value = ".")]
    dir: PathBuf,
    /// Run as if it were this time (ISO 8601), e.g. 2026-11-21T00:00:00Z.
    #[arg(long, global = true)]
    now: Option<String>,
    /// Print JSON (one object, or one object per line for per-item commands).
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create a workspace in DIR: a neutral, commented sqa.toml naming what to fill in, or
    /// with --example a copy of an example (lumora, corvid, or a folder laid out like them).
    Init {
        dir: PathBuf,
        #[arg(long)]
        example: Option<String>,
    },
    /// Check or describe agent configuration files.
    #[command(subcommand)]
    Config(ConfigCmd),
    /// Import or list leads.
    #[command(subcommand)]
    Leads(LeadsCmd),
    /// Show or correct one lead.
    #[command(subcommand)]
    Lead(LeadCmd),
    /// What a selection run would select now, and why (changes nothing).
    Preview,
    /// Select leads and work every queue. Without --until-idle, keeps running as a worker.
    Run(RunArgs),
    /// Check the workspace's integrity: no lead waiting for a message that is not queued,
    /// no touch left mid-send, every recorded send in the outbox (exit 1 with each problem).
    Check,
    /// Feed inbound messages (.eml files) to the engage stage.
    Inbound { files: Vec<PathBuf> },
    /// The funnel: leads per stage (with --cost: the model's tokens and cost per lead and
    /// per stage).
    Stats(cost::StatsArgs),
    /// Run the whole loop on an example corpus (default: lumora) in a fresh temporary folder.
    Demo(demo::DemoArgs),
    /// Validate addresses (syntax, normal form, kind; DNS with --dns).
    CheckEmail(commands::evaluate::CheckEmailArgs),
    /// Score leads of a CSV against an ICP.
    Fit(commands::evaluate::FitArgs),
    /// Classify inbound messages (.eml files).
    Classify { files: Vec<PathBuf> },
    /// Research one company site (a folder named after its domain, or an http(s) URL) with
    /// the workspace's user agent and vocabulary when --dir has an sqa.toml.
    Research(commands::research::ResearchArgs),
    /// Push synthetic leads through the whole loop and report throughput and memory.
    Bench(bench::BenchArgs),
    /// Measure a model (and the offline engine, side by side) on labelled replies.
    Eval(eval::EvalArgs),
    /// The HTTP API and the dashboard on this workspace (127.0.0.1:8080 by default).
    Serve(serve::ServeArgs),
    /// Replay whole email threads (thread files, .eml replies, an example's replies) through
    /// the agent in a scratch workspace: each decision, draft and BANT state. Nothing is
    /// sent or stored.
    Simulate(simulate::SimulateArgs),
}

#[derive(Subcommand)]
enum ConfigCmd {
    /// Report every problem of a config file, with its key path and line.
    Check { file: PathBuf },
    /// Print the JSON Schema of sqa.toml.
    Schema,
    /// Propose ICP criteria from the company and product descriptions, segments,
    /// competitors and knowledge a config names (an ICP file to review, with the sentence
    /// behind each criterion). FILE defaults to sqa.toml in --dir.
    SuggestIcp { file: Option<PathBuf> },
}

#[derive(Subcommand)]
enum LeadsCmd {
    /// Import leads from a CSV file (RFC 4180).
    Import {
        file: PathBuf,
        /// Report what would be imported, change nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// List leads, newest first (or by rating: hot first, with the suggested next step).
    List {
        #[arg(long)]
        stage: Option<String>,
        #[arg(long)]
        owner: Option<String>,
        #[arg(long, default_value_t = 1000)]
        limit: usize,
        /// `newest` (default) or `rating`.
        #[arg(long, default_value = "newest")]
        sort: String,
    },
    /// Export leads as spreadsheet-safe CSV.
    Export,
}

#[derive(Subcommand)]
enum LeadCmd {
    /// Insights, conversation and run records of one lead.
    Show { id: String },
    /// Change the lead's address; only validation runs again.
    SetEmail { id: String, address: String },
    /// Override the validation agent's verdict (recorded with who and when).
    Mark(commands::corrections::MarkArgs),
    /// A person decided on the reply the agent escalated: the agent may write to the lead
    /// again (follow-ups, answers).
    Resume { id: String },
    /// Change the lead's company or website; only research and fit run again.
    SetCompany {
        id: String,
        #[arg(long)]
        company: Option<String>,
        #[arg(long)]
        website: Option<String>,
    },
}

#[derive(Args)]
struct RunArgs {
    /// One selection, then work the queues until they are empty, then exit.
    #[arg(long)]
    until_idle: bool,
    /// Worker mode: minutes between full selection runs (the queues are worked every second,
    /// the mailbox every inbox.poll_seconds).
    #[arg(long, default_value_t = 240)]
    every_minutes: u64,
    /// With --until-idle: how long to wait for messages still in flight (received by a
    /// worker that died, or another one still running) before exiting with code 3 and
    /// their count. Default: the queue's visibility timeout and five seconds.
    #[arg(long)]
    wait_secs: Option<u64>,
}

fn main() {
    let cli = Cli::parse();
    init_tracing();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            report_failure(&anyhow::Error::new(e).context("cannot start the runtime"));
            std::process::exit(commands::exit::FAILED);
        }
    };
    let result = runtime
        .block_on(dispatch(cli))
        .and_then(|code| out::flush().map(|()| code));
    let code = match result {
        Ok(code) => code,
        // The reader stopped reading (`sqa … | head -1`): it has what it wanted.
        Err(e) if out::is_pipe_closed(&e) => commands::exit::DONE,
        Err(e) => {
            report_failure(&e);
            commands::exit::FAILED
        }
    };
    std::process::exit(code);
}

/// Say why the command failed. Standard error is the last place to say it: when that is
/// closed too there is nobody left to tell, and the exit code alone says it.
fn report_failure(e: &anyhow::Error) {
    writeln!(std::io::stderr().lock(), "error: {e:#}").ok();
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("SQA_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("off"));
    // `try_init` fails only when a subscriber is set already, and this is the only place
    // that sets one.
    if let Err(e) = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init()
    {
        report_failure(&anyhow::anyhow!("logging is not set up: {e}"));
    }
}

async fn dispatch(cli: Cli) -> Result<i32> {
    let now = cli.now.as_deref().map(commands::parse_now).transpose()?;
    let json = cli.json;
    match cli.command {
        Command::Init { dir, example } => commands::workspace::init(&dir, example.as_deref()),
        Command::Config(ConfigCmd::Check { file }) => commands::config::check(&file, json),
        Command::Config(ConfigCmd::Schema) => commands::config::schema(),
        Command::Config(ConfigCmd::SuggestIcp { file }) => {
            let file = file.unwrap_or_else(|| cli.dir.join("sqa.toml"));
            commands::config::suggest_icp(&file, json)
        }
        Command::CheckEmail(args) => commands::evaluate::check_email(args, json).await,
        Command::Fit(args) => commands::evaluate::fit(args, now, json),
        Command::Classify { files } => commands::evaluate::classify(&files, &cli.dir, json),
        Command::Research(args) => commands::research::run(args, &cli.dir, json).await,
        Command::Demo(args) => demo::run(args, now, json).await,
        Command::Bench(args) => bench::run(args).await,
        Command::Eval(args) => eval::run(args, &cli.dir, now, json).await,
        Command::Simulate(args) => simulate::run(args, &cli.dir, now, json).await,
        other => {
            let ws = local::Workspace::open(&cli.dir, now).await?;
            match other {
                Command::Leads(LeadsCmd::Import { file, dry_run }) => {
                    commands::leads::import(&ws, &file, dry_run, json).await
                }
                Command::Leads(LeadsCmd::List {
                    stage,
                    owner,
                    limit,
                    sort,
                }) => commands::leads::list(&ws, stage, owner, limit, &sort, json).await,
                Command::Leads(LeadsCmd::Export) => commands::leads::export(&ws).await,
                Command::Lead(LeadCmd::Show { id }) => commands::lead::show(&ws, &id, json).await,
                Command::Lead(LeadCmd::SetEmail { id, address }) => {
                    commands::corrections::set_email(&ws, &id, &address, json).await
                }
                Command::Lead(LeadCmd::Resume { id }) => {
                    commands::corrections::resume(&ws, &id, json).await
                }
                Command::Lead(LeadCmd::Mark(args)) => {
                    commands::corrections::mark(&ws, args, json).await
                }
                Command::Lead(LeadCmd::SetCompany {
                    id,
                    company,
                    website,
                }) => commands::corrections::set_company(&ws, &id, company, website, json).await,
                Command::Preview => commands::run::preview(&ws, json).await,
                Command::Run(args) => {
                    let wait = std::time::Duration::from_secs(
                        args.wait_secs
                            .unwrap_or(ws.queue_settings.visibility.as_secs() + 5),
                    );
                    commands::run::run(&ws, args.until_idle, args.every_minutes, wait, json).await
                }
                Command::Check => commands::check::check(&ws, json).await,
                Command::Inbound { files } => commands::run::inbound(&ws, &files, json).await,
                Command::Stats(args) if args.cost => cost::stats(&ws, json).await,
                Command::Stats(_) => commands::views::stats(&ws, json).await,
                Command::Serve(args) => serve::run(args, &cli.dir, ws).await,
                _ => unreachable_command(),
            }
        }
    }
}

fn unreachable_command() -> Result<i32> {
    anyhow::bail!("this command does not use a workspace")
}
