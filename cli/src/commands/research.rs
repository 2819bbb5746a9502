//! `sqa research --site DIR_OR_URL`: the research agent over one site, printed. It reads the
//! workspace's `sqa.toml` when there is one (its `web.user_agent` for robots.txt, its ICP
//! industries and technology names), else the defaults; it changes nothing.

use super::exit;
use crate::local;
use crate::out::{self, outln};
use anyhow::{Result, bail};
use clap::Args;
use sqa_core::agents::research::{self, Vocabulary};
use sqa_core::config::WebConfig;
use std::path::Path;
use std::time::Duration;

#[derive(Args)]
pub struct ResearchArgs {
    /// A site's folder laid out like a web mirror's `<domain>/` (index.html, about.html, …,
    /// robots.txt; the folder is named after the domain), or an http(s) URL.
    #[arg(long)]
    site: String,
}

pub async fn run(args: ResearchArgs, dir: &Path, json: bool) -> Result<i32> {
    let config_path = dir.join(local::CONFIG_FILE);
    let (ua, vocab) = if config_path.is_file() {
        let cfg = local::load_config(&config_path)?;
        (cfg.web.user_agent.clone(), Vocabulary::of(&cfg))
    } else {
        (WebConfig::default().user_agent, Vocabulary::default())
    };
    let site = args.site.trim();
    let found = if site.starts_with("http://") || site.starts_with("https://") {
        let web = sqa_core::web_http::HttpWeb::new(&ua, Duration::from_secs(10))?;
        research::research_with(site, &web, &ua, &vocab).await
    } else {
        let path = Path::new(site);
        if !path.is_dir() {
            bail!("{site}: neither an http(s) URL nor a folder");
        }
        let path = path.canonicalize()?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let Some(domain) = research::domain_of(&name) else {
            bail!(
                "{}: the folder must be named after the site's domain (like websites/<domain>/)",
                path.display()
            );
        };
        let root = path.parent().unwrap_or(&path).to_path_buf();
        let web = sqa_local::web::DirWeb::new(root);
        research::research_with(&format!("https://{domain}/"), &web, &ua, &vocab).await
    };
    if json {
        out::json(&serde_json::to_value(&found)?)?;
    } else {
        print(&found)?;
    }
    Ok(if found.error.is_some() && found.sources.is_empty() {
        exit::FAILED
    } else {
        exit::DONE
    })
}

fn print(r: &sqa_core::Research) -> Result<()> {
    outln!("domain:    {}", r.domain.as_deref().unwrap_or("-"))?;
    outln!("industry:  {}", r.industry.as_deref().unwrap_or("unknown"))?;
    outln!(
        "employees: {}",
        r.employees.map_or("unknown".into(), |n| n.to_string())
    )?;
    if !r.tech.is_empty() {
        outln!("tech:      {}", r.tech.join(", "))?;
    }
    if let Some(o) = &r.overview {
        outln!("overview:  {o}")?;
    }
    if !r.facts.is_empty() {
        outln!("facts:")?;
        for f in &r.facts {
            outln!("  - {}  [{}]", f.text, f.source)?;
        }
    }
    if !r.news.is_empty() {
        outln!("news:")?;
        for n in &r.news {
            outln!(
                "  - {} {}  [{}]",
                n.date.as_deref().unwrap_or("(undated)"),
                n.text,
                n.source
            )?;
        }
    }
    outln!("pages read: {}", r.sources.join(" "))?;
    if !r.disallowed.is_empty() {
        outln!("robots.txt forbids: {}", r.disallowed.join(" "))?;
    }
    if r.injection_seen {
        outln!("text addressed to AI agents was found and ignored")?;
    }
    if let Some(e) = &r.error {
        outln!("error: {e}")?;
    }
    Ok(())
}
