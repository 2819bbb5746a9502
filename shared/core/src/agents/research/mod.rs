//! The research agent: what a lead's company says about itself on its own website.
//!
//! Deterministic and offline-capable. It reads at most [`MAX_PAGES`] pages through the
//! [`Web`] port, obeys robots.txt for the agent's product token, and extracts an overview,
//! industry, size, data tools, facts and dated news, each fact with the page it came from.
//!
//! Web pages are untrusted data (DESIGN.md, "Trust boundaries"). Only text a visitor can see
//! counts: hidden elements, comments, scripts other than JSON-LD, `<noscript>`, off-screen and
//! same-colour text are stripped before anything is extracted; blocks of text addressed to AI
//! agents are dropped and flagged (`injection_seen`); and a page robots.txt forbids is never
//! fetched, so nothing on it can reach the output.

use crate::domain::{Fact, NewsItem, Research};
use crate::model::spotlight::PageText;
use crate::ports::{Web, WebError};
use regex::Regex;
use scraper::{ElementRef, Html, Node};
use std::collections::HashSet;
use std::sync::LazyLock;
use url::Url;

use crate::text::dates::{full_date_prefix, full_dates};
use crate::text::html::{Paint, Rgb, Sheet, hidden_by_markup, near, parse_declarations};
use crate::text::injection::{is_injection, json_has_injection};
use crate::text::patterns::{pattern, re};

mod crawl;
mod extract;
mod facts;
mod headcount;
mod industry;
pub(crate) use industry::{industries_named, industry_of};
mod jsonld;
mod page;
mod robots;
mod tech;
mod walk;
mod words;

use crawl::*;
use extract::*;
use facts::*;
use headcount::*;
use industry::*;
use jsonld::*;
use page::*;
use robots::*;
use walk::*;
use words::*;

pub use tech::TechVocabulary;

/// The robots.txt product token used when `web.user_agent` yields none (the config's
/// default); a workspace names its own in `web.user_agent`.
pub const DEFAULT_USER_AGENT_TOKEN: &str = "SQA";

/// What the workspace calls things, for research: the ICP's industries (included and
/// excluded: a site's industry is reported in their spelling when it is one of them) and
/// the technology names to look for.
#[derive(Default)]
pub struct Vocabulary {
    pub industries: Vec<String>,
    pub tech: TechVocabulary,
}

impl Vocabulary {
    /// The vocabulary of a workspace: `icp.industries` and `icp.exclude_industries`;
    /// technology names from `icp.tech_stack_any`, `knowledge.competitors[].name` and
    /// `web.tech`.
    pub fn of(config: &crate::config::AgentConfig) -> Self {
        let icp = config.icp();
        let mut industries = icp.industries.clone();
        industries.extend(icp.exclude_industries.iter().cloned());
        let mut tech: Vec<String> = icp.tech_stack_any.clone();
        tech.extend(config.knowledge.competitors.iter().map(|c| c.name.clone()));
        tech.extend(config.web.tech.iter().cloned());
        Vocabulary {
            industries,
            tech: TechVocabulary::new(&tech),
        }
    }
}
/// At most this many page fetches per company (robots.txt not counted): a polite bound that
/// also keeps one research step within a Lambda's time budget.
pub const MAX_PAGES: usize = 6;
/// The pages every company site is asked for first, in this order.
const SEED_PATHS: [&str; 3] = ["/", "/about.html", "/news.html"];
const MAX_FACTS: usize = 40;
const MAX_NEWS: usize = 20;
/// Larger pages are cut here before parsing: html5ever is linear in size (not in depth, see
/// `MAX_TREE_DEPTH`), but the walk below is proportional to size × depth and a hostile page
/// must not stall the stage.
const MAX_PARSE_BYTES: usize = 1 << 20;
/// Deeper elements are ignored (a hostile page can nest thousands of `<div>`s).
const MAX_DEPTH: usize = 200;
/// Element nesting beyond this depth (as the tree builder sees it) and the page is not read.
const MAX_TREE_DEPTH: usize = 512;

/// The lead's website reduced to its domain: scheme, credentials, port, path and a leading
/// `www.` removed, lowercased and IDNA-encoded. `None` when nothing usable is left (empty
/// input, an IP address, a single label, characters a host name cannot have).
pub fn domain_of(website: &str) -> Option<String> {
    let s = website.trim();
    let rest = match s.find("://") {
        Some(i)
            if s[..i]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)) =>
        {
            &s[i + 3..]
        }
        Some(_) => return None,
        None => s.strip_prefix("//").unwrap_or(s),
    };
    let end = rest.find(['/', '?', '#', '\\']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let host_port = authority.rsplit('@').next().unwrap_or(authority);
    if host_port.starts_with('[') {
        return None; // an IPv6 literal is no company website
    }
    let host = host_port.split(':').next().unwrap_or(host_port);
    let host = host.trim().trim_end_matches('.').to_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    if host.is_empty() || host.chars().any(|c| c.is_whitespace()) {
        return None;
    }
    let ascii = idna::domain_to_ascii(host).ok()?;
    let labels: Vec<&str> = ascii.split('.').collect();
    let valid = ascii.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        // A numeric last label means an IP address, not a domain.
        && labels.last().is_some_and(|tld| !tld.bytes().all(|b| b.is_ascii_digit()));
    valid.then_some(ascii)
}

/// Research the company behind `website`.
///
/// Fetches `https://{domain}/robots.txt` (a missing file allows everything, an unreachable one
/// forbids everything), then the allowed pages among `/`, `/about.html`, `/news.html` and
/// same-site links from the home page, at most [`MAX_PAGES`] fetches. Pages robots.txt forbids
/// are listed in `disallowed` and never fetched. Never fails: what went wrong is in `error`.
/// Industry labels are the default taxonomy's and no technology is looked for: see
/// [`research_with`] for a workspace's vocabulary.
pub async fn research(website: &str, web: &dyn Web, user_agent: &str) -> Research {
    research_with(website, web, user_agent, &Vocabulary::default()).await
}

/// [`research`] in the workspace's vocabulary (its ICP industries and technology names).
pub async fn research_with(
    website: &str,
    web: &dyn Web,
    user_agent: &str,
    vocab: &Vocabulary,
) -> Research {
    read_site(website, web, user_agent, vocab).await.0
}

/// The visible text of one page read: its non-empty blocks, one a line, without the blocks
/// addressed to AI agents. This is what a model may quote (as data, never as instructions).
fn visible_text(page: &Page) -> String {
    let text = page
        .blocks
        .iter()
        .filter(|b| !b.injected)
        .map(|b| b.text.trim())
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    // A model is sent at most this much of a page: it can quote nothing beyond it.
    match text
        .char_indices()
        .nth(crate::model::spotlight::MAX_BLOCK_CHARS)
    {
        Some((i, _)) => text[..i].to_string(),
        None => text,
    }
}

/// [`research_with`], and the visible text of every page read, in the order of `sources`
/// (for the model's research task, which must quote them).
pub async fn read_site(
    website: &str,
    web: &dyn Web,
    user_agent: &str,
    vocab: &Vocabulary,
) -> (Research, Vec<PageText>) {
    let mut out = Research::default();
    let Some(domain) = domain_of(website) else {
        out.error = Some(format!(
            "no usable website domain in {:?}",
            truncate(website, 80)
        ));
        return (out, Vec::new());
    };
    out.domain = Some(domain.clone());
    let origin = format!("https://{domain}");
    let token = product_token(user_agent);

    let robots = match web.fetch(&format!("{origin}/robots.txt")).await {
        Ok(page) if (200..300).contains(&page.status) => Robots::parse(&page.body, &token),
        // RFC 9309 §2.3.1.4: a server error means the crawler must assume complete disallow.
        Ok(page) if page.status >= 500 => Robots::disallow_all(),
        // Any other answer (a 4xx, a redirect that was not followed) means "unavailable":
        // everything may be crawled (RFC 9309 §2.3.1.3).
        Ok(_) | Err(WebError::NotFound(_)) => Robots::allow_all(),
        Err(e) => {
            out.error = Some(format!(
                "robots.txt of {domain} could not be read ({e}); nothing was fetched"
            ));
            return (out, Vec::new());
        }
    };

    let mut pages: Vec<Page> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut bodies: HashSet<u64> = HashSet::new();
    let mut queue: Vec<String> = SEED_PATHS.iter().map(|p| p.to_string()).collect();
    let mut discovered: Vec<(u32, usize, String)> = Vec::new();
    let mut attempts = 0usize;
    let mut last_error: Option<String> = None;

    loop {
        if attempts >= MAX_PAGES {
            break;
        }
        let path = if !queue.is_empty() {
            queue.remove(0)
        } else if !discovered.is_empty() {
            // Highest priority first; ties in the order the links appeared.
            discovered.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            discovered.remove(0).2
        } else {
            break;
        };
        let key = canonical_path(&path);
        if !seen.insert(key) {
            continue;
        }
        let url = format!("{origin}{path}");
        if !robots.allows(&path) {
            push_unique(&mut out.disallowed, url);
            continue;
        }
        attempts += 1;
        let page = match web.fetch(&url).await {
            Ok(page) if (200..300).contains(&page.status) => page,
            Ok(page) => {
                last_error = Some(format!("{url}: HTTP {}", page.status));
                continue;
            }
            Err(WebError::NotFound(_)) => continue,
            Err(e) => {
                last_error = Some(format!("{url}: {e}"));
                continue;
            }
        };
        // A redirect may have led elsewhere: keep only same-site pages robots.txt allows.
        let final_url = match same_site_path(&page.url, &domain) {
            Some(final_path) if final_path == path => url.clone(),
            Some(final_path) => {
                if !robots.allows(&final_path) {
                    push_unique(&mut out.disallowed, format!("{origin}{final_path}"));
                    continue;
                }
                seen.insert(canonical_path(&final_path));
                format!("{origin}{final_path}")
            }
            None if page.url.is_empty() => url.clone(),
            None => {
                last_error = Some(format!("{url} redirected off the site to {}", page.url));
                continue;
            }
        };
        if !looks_like_html(page.content_type.as_deref(), &page.body) {
            continue;
        }
        // The same document under two names (`/` and `/index.html`) is read once.
        if !bodies.insert(fingerprint(&page.body)) {
            continue;
        }
        let parsed = parse_page(&final_url, &page.body);
        if pages.is_empty() {
            for (order, link) in parsed.links.iter().enumerate() {
                if let Some(p) = same_site_path(&link.href, &domain)
                    && let Some(priority) = link_priority(&p, &link.text)
                {
                    discovered.push((priority, order, p));
                }
            }
        }
        out.sources.push(final_url);
        pages.push(parsed);
    }

    if pages.is_empty() {
        out.error = Some(match last_error {
            Some(e) => format!("no page of {domain} could be read; last error: {e}"),
            None if !out.disallowed.is_empty() => {
                format!("robots.txt of {domain} forbids every page the agent reads")
            }
            None => format!("no page of {domain} could be read"),
        });
        return (out, Vec::new());
    }
    extract(&mut out, &pages, &domain, vocab);
    let texts = pages
        .iter()
        .map(|p| PageText {
            url: p.url.clone(),
            text: visible_text(p),
        })
        .filter(|p| !p.text.is_empty())
        .collect();
    (out, texts)
}

#[cfg(test)]
mod tests;
