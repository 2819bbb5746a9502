//! Any company: the whole loop for each public example (Lumora, Corvid) and the third-seller
//! fixture (Vantorq, a stand-in for a seller nobody tuned to). Every mail the loop sends is
//! reviewed and the table printed: it cites a research fact, names the seller's product, is
//! in the lead's language, carries the footer, passes the guardrails and holds none of the
//! other sellers' words.

use sqa_core::agents::{outreach, phrases};
use sqa_core::config::AgentConfig;
use sqa_core::domain::Lead;
use sqa_tests::pipeline::TestPipeline;
use sqa_tests::workspace_root;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const NOW: &str = "2026-11-21T00:00:00Z";

fn sellers() -> Vec<(&'static str, PathBuf)> {
    let root = workspace_root();
    vec![
        ("lumora", root.join("examples/lumora")),
        ("corvid", root.join("examples/corvid")),
        (
            "vantorq",
            root.join("tests/fixtures/sellers/vantorq-maintenance"),
        ),
    ]
}

fn config(dir: &Path) -> AgentConfig {
    let text = std::fs::read_to_string(dir.join("sqa.toml")).expect("sqa.toml");
    sqa_core::config::parse(&text, &sqa_core::fsread::WorkspaceFiles::new(dir))
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
}

fn words(text: &str) -> BTreeSet<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 6)
        .map(str::to_string)
        .collect()
}

/// Everything a seller's own mail may say: its config's texts, knowledge and battle cards.
fn own_text(cfg: &AgentConfig) -> String {
    let c = &cfg.company;
    let mut t = format!(
        "{} {} {} {} {} {} {}",
        c.name,
        c.description,
        c.value_propositions.join(" "),
        c.pain_points.join(" "),
        c.proof_points.join(" "),
        cfg.agent.signature,
        cfg.agent.ai_disclosure
    );
    for p in &c.products {
        t.push_str(&format!(" {} {}", p.name, p.description));
    }
    for d in cfg.knowledge_docs.iter().chain(cfg.battle_cards.iter()) {
        t.push(' ');
        t.push_str(&d.text);
    }
    t
}

/// A seller's names and product words: its names (company, products, agent, competitors)
/// and the long words of its product descriptions, value propositions and pain points.
fn signature_words(cfg: &AgentConfig) -> (Vec<String>, BTreeSet<String>) {
    let c = &cfg.company;
    let mut names = vec![c.name.clone(), cfg.agent.name.clone()];
    names.extend(c.products.iter().map(|p| p.name.clone()));
    names.extend(cfg.knowledge.competitors.iter().map(|x| x.name.clone()));
    let mut product_words = words(&format!(
        "{} {} {} {}",
        c.value_propositions.join(" "),
        c.pain_points.join(" "),
        cfg.outreach.subject_topic,
        c.products
            .iter()
            .map(|p| format!("{} {}", p.name, p.description))
            .collect::<Vec<_>>()
            .join(" ")
    ));
    product_words.extend(names.iter().flat_map(|n| words(n)));
    (names, product_words)
}

#[derive(Default, Clone)]
struct Review {
    to_leads: usize,
    internal: usize,
    firsts: usize,
    first_cites_fact: usize,
    first_with_facts: usize,
    answers: usize,
    answers_cite_knowledge: usize,
    follow_ups: usize,
    names_product: usize,
    outreach_mails: usize,
    language_ok: usize,
    footer_ok: usize,
    guardrails_ok: usize,
    foreign_words: Vec<String>,
    languages: BTreeMap<String, usize>,
    problems: Vec<String>,
}

/// The `eml` files' parsed form and name, sorted.
fn sent(p: &TestPipeline) -> Vec<(String, sqa_core::mail::parse::InboundEmail)> {
    p.sent()
        .into_iter()
        .map(|f| {
            let raw = std::fs::read(&f).expect("eml");
            let name = f.file_name().unwrap().to_string_lossy().into_owned();
            let mail = sqa_core::mail::parse::parse(&raw).expect("our own mail parses");
            (name, mail)
        })
        .collect()
}

async fn run_loop(dir: &Path, cfg: AgentConfig) -> (TestPipeline, BTreeMap<String, String>) {
    let p = TestPipeline::new(cfg, &dir.join("web"), NOW);
    let csv = std::fs::read(dir.join("leads/leads.csv")).expect("leads.csv");
    p.import(&csv).await;
    let first = p.run().await;
    assert!(first.failed.is_empty(), "{:?}", first.failed);
    let mut replies: Vec<PathBuf> = std::fs::read_dir(dir.join("replies"))
        .expect("replies")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    replies.sort();
    // The labelled language of every reply, by its Message-ID.
    let labels: BTreeMap<String, String> =
        std::fs::read_to_string(dir.join("replies/labels.jsonl"))
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .map(|v| {
                (
                    v["file"].as_str().unwrap_or("").to_string(),
                    v["lang"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect();
    let mut lang_of_message = BTreeMap::new();
    for r in &replies {
        let raw = std::fs::read(r).expect("reply");
        if let (Ok(m), Some(lang)) = (
            sqa_core::mail::parse::parse(&raw),
            labels.get(&r.file_name().unwrap().to_string_lossy().into_owned()),
        ) && let Some(id) = m.message_id
        {
            lang_of_message.insert(id, lang.clone());
        }
    }
    let second = p.inbound(&replies).await;
    assert!(second.failed.is_empty(), "{:?}", second.failed);
    // A week later: follow-ups are due.
    p.clock.advance(chrono::Duration::days(8));
    let third = p.run().await;
    assert!(third.failed.is_empty(), "{:?}", third.failed);
    (p, lang_of_message)
}

/// The lead and touch number a mail file names: `outreach-{LEAD}-{n}-{tag}@…`,
/// `reply-{LEAD}-{n}-{tag}@…`, `handover-{LEAD}@…`. A lead id may hold dashes (a referral's
/// `C0033-R1`), so the parts are taken from the right.
fn ids_of(file: &str) -> Option<(String, u32)> {
    if let Some(rest) = file.strip_prefix("handover-") {
        return rest.split('@').next().map(|l| (l.to_string(), 0));
    }
    let rest = file
        .strip_prefix("outreach-")
        .or_else(|| file.strip_prefix("reply-"))?;
    let local = rest.split('@').next()?;
    let mut parts = local.rsplitn(3, '-');
    let _tag = parts.next()?;
    let n = parts.next()?.parse().ok()?;
    parts.next().map(|l| (l.to_string(), n))
}

fn lead_id_of(file: &str) -> Option<String> {
    ids_of(file).map(|(lead, _)| lead)
}

/// The prefix of a phrase before its first placeholder ("Hi ", "Hallo ").
fn lead_in(phrase: &str) -> String {
    phrase.split('{').next().unwrap_or("").trim().to_string()
}

async fn review(
    name: &str,
    cfg: &AgentConfig,
    p: &TestPipeline,
    langs: &BTreeMap<String, String>,
    others: &[(String, AgentConfig)],
) -> Review {
    let mut r = Review::default();
    // The seller's own texts and the shipped generic phrasing may be said by anyone.
    let mut own = words(&own_text(cfg));
    for lang in phrases::LANGUAGES {
        let ph = serde_json::to_string(&phrases::resolve(lang, &cfg.phrases)).unwrap();
        own.extend(words(&ph));
    }
    let unsub_prefix = cfg
        .agent
        .unsubscribe_url
        .split("{token}")
        .next()
        .unwrap_or("")
        .to_string();
    let products: Vec<String> = cfg
        .company
        .products
        .iter()
        .map(|p| p.name.clone())
        .collect();
    for (file, mail) in sent(p) {
        let text = mail.text.clone();
        let lead_id = lead_id_of(&file);
        let lead: Option<Lead> = match &lead_id {
            Some(id) => p
                .deps
                .ports
                .leads
                .get(&sqa_core::LeadId::parse(id).expect("id"))
                .await
                .expect("store"),
            None => None,
        };
        // What the lead and its research say may be quoted back.
        let lead_words = lead
            .as_ref()
            .map(|l| {
                let mut t = format!("{} {} {} {}", l.company, l.title, l.tech_stack, l.notes);
                if let Some(res) = &l.research {
                    for f in res
                        .facts
                        .iter()
                        .map(|f| &f.text)
                        .chain(res.news.iter().map(|n| &n.text))
                    {
                        t.push(' ');
                        t.push_str(f);
                    }
                }
                for e in &l.inbound {
                    t.push(' ');
                    t.push_str(&e.text);
                }
                words(&t)
            })
            .unwrap_or_default();
        let lower = format!("{}\n{}", mail.subject, text).to_lowercase();
        for (other, ocfg) in others {
            let (names, product_words) = signature_words(ocfg);
            for n in names.iter().filter(|n| n.trim().chars().count() >= 3) {
                if lower.contains(&n.to_lowercase())
                    && !own_text(cfg).to_lowercase().contains(&n.to_lowercase())
                {
                    r.foreign_words
                        .push(format!("{file}: {other}'s name {n:?}"));
                }
            }
            // Mail to the seller's team quotes the lead's message: its names are checked.
            if lead.is_none() || file.starts_with("handover-") {
                continue;
            }
            let here = words(&lower);
            for w in here.intersection(&product_words) {
                if !own.contains(w) && !lead_words.contains(w) {
                    r.foreign_words
                        .push(format!("{file}: {other}'s word {w:?}"));
                }
            }
        }
        let Some(lead) = lead.filter(|_| !file.starts_with("handover-")) else {
            r.internal += 1;
            continue;
        };
        r.to_leads += 1;
        let is_answer = file.starts_with("reply-");
        let touch_n: u32 = if file.starts_with("outreach-") {
            ids_of(&file).map_or(0, |(_, n)| n)
        } else {
            0
        };
        let touch = lead.touches.iter().find(|t| {
            t.message_id.trim_matches(['<', '>'])
                == mail
                    .message_id
                    .clone()
                    .unwrap_or_default()
                    .trim_matches(['<', '>'])
        });
        let cited: Vec<String> = touch.map(|t| t.cited_facts.clone()).unwrap_or_default();
        // The expected language: the labelled language of the message answered, else the
        // config's first-email language for the lead.
        let expected = if is_answer {
            mail.in_reply_to
                .first()
                .and_then(|id| langs.get(id))
                .map(|l| phrases::normalise(l))
                .unwrap_or_else(|| outreach::language_for(&lead, cfg))
        } else if touch_n <= 1 {
            outreach::first_language(&lead, cfg)
        } else {
            outreach::language_for(&lead, cfg)
        };
        *r.languages.entry(expected.clone()).or_default() += 1;
        let ph = phrases::resolve(&expected, &cfg.phrases);
        let greets = text.trim_start().starts_with(&lead_in(&ph.greeting))
            || text
                .trim_start()
                .starts_with(&lead_in(&ph.greeting_anonymous));
        let closing = if is_answer {
            &ph.answer_intro
        } else if touch_n <= 1 {
            &ph.opt_out
        } else {
            &ph.follow_up_close
        };
        if greets && text.contains(closing.as_str()) {
            r.language_ok += 1;
        } else {
            r.problems.push(format!("{file}: not in {expected}"));
        }
        if is_answer {
            r.answers += 1;
            if !cited.is_empty() {
                r.answers_cite_knowledge += 1;
            }
        } else {
            r.outreach_mails += 1;
            if products.iter().any(|p| text.contains(p.as_str())) {
                r.names_product += 1;
            } else {
                r.problems.push(format!("{file}: names no product"));
            }
            if touch_n <= 1 {
                r.firsts += 1;
                let facts: Vec<String> = lead
                    .research
                    .as_ref()
                    .map(|res| {
                        res.facts
                            .iter()
                            .map(|f| f.text.clone())
                            .chain(res.news.iter().map(|n| n.text.clone()))
                            .collect()
                    })
                    .unwrap_or_default();
                if !facts.is_empty() {
                    r.first_with_facts += 1;
                }
                if cited.iter().any(|c| facts.contains(c)) {
                    r.first_cites_fact += 1;
                } else if !facts.is_empty() {
                    r.problems.push(format!(
                        "{file}: cites no research fact though research has {:?}",
                        facts
                    ));
                }
            } else {
                r.follow_ups += 1;
            }
        }
        let unsub: String = text
            .split_whitespace()
            .find(|w| w.starts_with(&unsub_prefix))
            .unwrap_or("")
            .to_string();
        if !unsub.is_empty()
            && text.contains(cfg.agent.ai_disclosure.trim())
            && text.contains(cfg.agent.postal_address.trim())
        {
            r.footer_ok += 1;
        } else {
            r.problems.push(format!("{file}: footer missing"));
        }
        let body_ok = outreach::guardrails(&text, cfg, &unsub, &cited);
        let subject_ok = outreach::subject_guardrails(&mail.subject, cfg, &cited);
        match (body_ok, subject_ok) {
            (Ok(()), Ok(())) => r.guardrails_ok += 1,
            (b, s) => r
                .problems
                .push(format!("{file}: guardrails {:?} {:?}", b.err(), s.err())),
        }
    }
    println!(
        "{name:<8} {:>5} {:>5} {:>12} {:>11} {:>6} {:>9} {:>9} {:>8} {:>10} {:>8}",
        r.to_leads,
        r.internal,
        format!("{}/{}/{}", r.first_cites_fact, r.first_with_facts, r.firsts),
        format!("{}/{}", r.answers_cite_knowledge, r.answers),
        r.follow_ups,
        format!("{}/{}", r.names_product, r.outreach_mails),
        format!("{}/{}", r.language_ok, r.to_leads),
        format!("{}/{}", r.footer_ok, r.to_leads),
        format!("{}/{}", r.guardrails_ok, r.to_leads),
        r.foreign_words.len()
    );
    r
}

#[tokio::test]
async fn every_sellers_mail_is_its_own_in_the_leads_language_and_passes_the_review() {
    let all: Vec<(String, PathBuf, AgentConfig)> = sellers()
        .into_iter()
        .map(|(n, d)| {
            let c = config(&d);
            (n.to_string(), d, c)
        })
        .collect();
    println!(
        "email review (every mail the loop sends; first emails, answers after the replies, follow-ups 8 days later)\n\
         (fact/res/1st: first emails citing a research fact / with research facts / all)\n\
         {:<8} {:>5} {:>5} {:>12} {:>11} {:>6} {:>9} {:>9} {:>8} {:>10} {:>8}",
        "seller",
        "leads",
        "int.",
        "fact/res/1st",
        "ans:cited",
        "f-ups",
        "product",
        "language",
        "footer",
        "guardrails",
        "foreign"
    );
    let mut reviews = Vec::new();
    for (name, dir, cfg) in &all {
        let others: Vec<(String, AgentConfig)> = all
            .iter()
            .filter(|(n, _, _)| n != name)
            .map(|(n, _, c)| (n.clone(), c.clone()))
            .collect();
        let (p, langs) = run_loop(dir, cfg.clone()).await;
        let r = review(name, cfg, &p, &langs, &others).await;
        reviews.push((name.clone(), r));
    }
    for (name, r) in &reviews {
        println!("{name}: languages of the mails to leads {:?}", r.languages);
        for p in r.problems.iter().take(40) {
            println!("  {name}: {p}");
        }
        for f in &r.foreign_words {
            println!("  {name}: foreign {f}");
        }
    }
    for (name, r) in &reviews {
        assert!(r.to_leads > 0, "{name}: the loop sent mail");
        assert!(r.answers > 0, "{name}: some questions were answered");
        assert!(
            r.foreign_words.is_empty(),
            "{name}: another seller's words: {:#?}",
            r.foreign_words
        );
        assert_eq!(r.footer_ok, r.to_leads, "{name}: {:#?}", r.problems);
        assert_eq!(r.guardrails_ok, r.to_leads, "{name}: {:#?}", r.problems);
        assert_eq!(
            r.names_product, r.outreach_mails,
            "{name}: {:#?}",
            r.problems
        );
        assert_eq!(
            r.answers_cite_knowledge, r.answers,
            "{name}: every answer cites its passages"
        );
    }
    // Public examples: every mail in the lead's language (labelled for answers).
    for (name, r) in reviews.iter().filter(|(n, _)| n != "vantorq") {
        assert_eq!(r.language_ok, r.to_leads, "{name}: {:#?}", r.problems);
    }
}
