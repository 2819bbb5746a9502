//! The seller's knowledge as the agent reads it: every source chunked into sections at its
//! headings, ranked for a question with BM25, the seller's own topic tags (the `` `[tag]` ``
//! after a heading) as a boost, and the relevant sentences of a passage picked for an
//! answer. Competitors and their battle cards come from `knowledge.competitors`.
//!
//! Nothing here knows a seller: the vocabulary is the knowledge's own.

use crate::config::{AgentConfig, KnowledgeDoc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};

/// One retrievable section of the knowledge: a heading and its text, with its topic tags.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    pub source: String,
    pub heading: String,
    pub topics: Vec<String>,
    pub text: String,
}

/// Split Markdown knowledge into sections at its headings (`#` to `####`); a trailing
/// `` `[topic, …]` `` tag on a heading names its question topics. Text before the first
/// heading is a section named after the source; sections without text are left out.
pub fn sections(docs: &[KnowledgeDoc]) -> Vec<Section> {
    let mut out = Vec::new();
    for doc in docs {
        let mut current = Some(Section {
            source: doc.source.clone(),
            heading: doc.source.clone(),
            topics: Vec::new(),
            text: String::new(),
        });
        for line in doc.text.lines() {
            let t = line.trim_start();
            let level = t.chars().take_while(|c| *c == '#').count();
            if (1..=4).contains(&level) && t[level..].starts_with(' ') {
                if let Some(s) = current.take().filter(|s| !s.text.trim().is_empty()) {
                    out.push(s);
                }
                let heading = t[level..].trim();
                let (clean, topics) = split_tags(heading);
                current = Some(Section {
                    source: doc.source.clone(),
                    heading: clean,
                    topics,
                    text: String::new(),
                });
            } else if let Some(s) = current.as_mut() {
                s.text.push_str(line);
                s.text.push('\n');
            }
        }
        if let Some(s) = current.filter(|s| !s.text.trim().is_empty()) {
            out.push(s);
        }
    }
    out
}

fn split_tags(heading: &str) -> (String, Vec<String>) {
    match heading.find("`[") {
        Some(start) => {
            let tags = heading[start + 2..].trim_end_matches(['`', ']']);
            let topics = tags
                .split(',')
                .map(|t| t.trim().trim_matches(['[', ']', '`']).to_string())
                .filter(|t| !t.is_empty())
                .collect();
            (heading[..start].trim().to_string(), topics)
        }
        None => (heading.to_string(), Vec::new()),
    }
}

/// The seller's question topics: the tags its knowledge uses, in order of first use.
pub fn topics(all: &[Section]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in all {
        for t in &s.topics {
            if !out.contains(t) {
                out.push(t.clone());
            }
        }
    }
    out
}

/// Words common to most languages the agent writes that carry no meaning for retrieval.
const STOP: &[&str] = &[
    // en
    "the", "and", "for", "you", "your", "are", "with", "what", "how", "does", "can", "our", "have",
    "this", "that", "from", "any", "there", "which", "would", "about", "will", "was", "who",
    "into", "not", "but", "its", "all", "they", "has", "per", "one", "also", "more", "use", "is",
    "it", "do", "we", "us", "to", "of", "in", "on", "or", "an", "be", "if", "by", "at", "as", "me",
    "my", "so", "no", "yes", "hi", "hello", "thanks", "thank", "please", "could", "should",
    "there", "their", "them", "then", "than", "when", "where", "why", "just", "like", "get", "got",
    "let", "know", "need", "want", "some", "other", "out", "up", "too", "very", "much", "many",
    "been", "were", "had", "did", "i", "a", // de
    "der", "die", "das", "und", "ist", "sie", "wir", "ihr", "ihre", "mit", "für", "von", "den",
    "dem", "ein", "eine", "einen", "auch", "wie", "was", "bei", "auf", "aus", "oder", "nicht",
    "es", "zu", "im", "uns", "unser", "unsere", "gibt", "haben", "können", "danke",
    // fr
    "le", "la", "les", "et", "est", "vous", "nous", "des", "du", "un", "une", "pour", "avec", "sur",
    "que", "qui", "pas", "votre", "vos", "notre", "nos", "ce", "cette", "il", "elle", "merci",
    "bonjour", // es / pt / it
    "el", "los", "las", "y", "es", "en", "para", "con", "por", "que", "una", "uno", "su", "sus",
    "nuestro", "nuestra", "gracias", "hola", "o", "os", "as", "um", "uma", "com", "não",
    "obrigado", "il", "lo", "gli", "di", "che", "per", "non", "grazie", "voi", // nl
    "de", "het", "een", "en", "van", "voor", "met", "wij", "jullie", "uw", "ons", "onze", "niet",
    "ook", "bedankt", "dank",
];

/// A light suffix stemmer: enough that "prices", "pricing" and "price" meet.
fn stem(w: &str) -> String {
    const SUFFIXES: &[&str] = &[
        "ations", "ation", "ings", "ing", "ies", "es", "ed", "s", "e", "en", "er",
    ];
    for suf in SUFFIXES {
        if let Some(base) = w.strip_suffix(suf)
            && base.chars().count() >= 3
        {
            return base.to_string();
        }
    }
    w.to_string()
}

/// The retrieval terms of a text: lowercased words, stop words out, stemmed.
pub fn terms(s: &str) -> Vec<String> {
    s.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| t.chars().count() >= 2 && !STOP.contains(t))
        .map(stem)
        .collect()
}

const K1: f64 = 1.2;
const B: f64 = 0.75;

/// A BM25 index over sections (each section's heading counts twice).
pub struct Bm25 {
    docs: Vec<HashMap<String, u32>>,
    lens: Vec<f64>,
    df: HashMap<String, u32>,
    avg: f64,
}

impl Bm25 {
    pub fn new(sections: &[Section]) -> Bm25 {
        let mut docs = Vec::new();
        let mut lens = Vec::new();
        let mut df: HashMap<String, u32> = HashMap::new();
        for s in sections {
            let mut tf: HashMap<String, u32> = HashMap::new();
            let mut n = 0u32;
            let heading = terms(&s.heading);
            let tags = s.topics.join(" ").replace('_', " ");
            for t in heading
                .iter()
                .chain(heading.iter())
                .cloned()
                .chain(terms(&tags))
                .chain(terms(&s.text))
            {
                *tf.entry(t).or_default() += 1;
                n += 1;
            }
            for t in tf.keys() {
                *df.entry(t.clone()).or_default() += 1;
            }
            docs.push(tf);
            lens.push(f64::from(n));
        }
        let avg = if lens.is_empty() {
            1.0
        } else {
            lens.iter().sum::<f64>() / lens.len() as f64
        };
        Bm25 {
            docs,
            lens,
            df,
            avg: avg.max(1.0),
        }
    }

    fn n(&self) -> f64 {
        self.docs.len() as f64
    }

    pub fn idf(&self, term: &str) -> f64 {
        let df = f64::from(self.df.get(term).copied().unwrap_or(0));
        (1.0 + (self.n() - df + 0.5) / (df + 0.5)).ln()
    }

    /// A term that names most of the knowledge (the seller's own name) tells nothing.
    pub fn informative(&self, term: &str) -> bool {
        let df = f64::from(self.df.get(term).copied().unwrap_or(0));
        df > 0.0 && df <= (self.n() / 3.0).max(1.0)
    }

    /// BM25 of document `i` for the (deduplicated) query terms, and how many informative
    /// query terms it contains.
    pub fn score(&self, i: usize, query: &BTreeSet<String>) -> (f64, usize) {
        let (Some(doc), Some(len)) = (self.docs.get(i), self.lens.get(i)) else {
            return (0.0, 0);
        };
        let mut score = 0.0;
        let mut matched = 0;
        for q in query {
            let Some(&tf) = doc.get(q) else { continue };
            let tf = f64::from(tf);
            score += self.idf(q) * tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * len / self.avg));
            if self.informative(q) {
                matched += 1;
            }
        }
        (score, matched)
    }
}

/// The best sections for a question: ranked by BM25 over every section, with the seller's
/// topic tags (`topics`: tags a classifier found, kept when the knowledge uses them; and
/// every tag the question itself names) as a boost. A section is a candidate when it carries
/// one of those tags or shares at least two informative words with the question; none means
/// the knowledge cannot answer (a person must).
pub fn retrieve<'a>(
    all: &'a [Section],
    question: &str,
    topics: &[String],
    k: usize,
) -> Vec<&'a Section> {
    let index = Bm25::new(all);
    let q_terms: Vec<String> = terms(question);
    let query: BTreeSet<String> = q_terms.iter().cloned().collect();
    let known = self::topics(all);
    let mut wanted: Vec<String> = topics
        .iter()
        .filter(|t| known.contains(t))
        .cloned()
        .collect();
    for tag in &known {
        let parts = terms(&tag.replace(['_', '-'], " "));
        if !parts.is_empty() && parts.iter().all(|p| query.contains(p)) && !wanted.contains(tag) {
            wanted.push(tag.clone());
        }
    }
    let mut scored: Vec<(f64, &Section)> = all
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            let (bm, matched) = index.score(i, &query);
            let tagged = wanted.iter().any(|t| s.topics.contains(t));
            let score = bm + if tagged { 5.0 } else { 0.0 };
            (tagged || matched >= 2).then_some((score, s))
        })
        .collect();
    scored.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal));
    // One section per wanted topic first, so a two-topic question gets both answered.
    let mut picked: Vec<&Section> = Vec::new();
    for t in &wanted {
        if let Some((_, s)) = scored.iter().find(|(_, s)| s.topics.contains(t))
            && !picked.iter().any(|p| std::ptr::eq(*p, *s))
        {
            picked.push(s);
        }
    }
    for (_, s) in &scored {
        if picked.len() >= k {
            break;
        }
        if !picked.iter().any(|p| std::ptr::eq(*p, *s)) {
            picked.push(s);
        }
    }
    picked.truncate(k.max(wanted.len().min(4)));
    picked
}

/// The sentences of a passage, as plain text: prose split at sentence ends, each list item
/// and table row one sentence (a row as `first cell: second cell`), Markdown marks and item
/// numbers removed, headings and table rules left out.
pub fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut para = String::new();
    let flush = |para: &mut String, out: &mut Vec<String>| {
        for s in split_prose(para) {
            out.push(s);
        }
        para.clear();
    };
    let mut rows = 0;
    for line in text.lines() {
        let t = line.trim();
        if !t.starts_with('|') {
            rows = 0;
        }
        if t.is_empty() || t.starts_with('#') {
            flush(&mut para, &mut out);
            continue;
        }
        if t.starts_with('|') {
            flush(&mut para, &mut out);
            rows += 1;
            let cells: Vec<&str> = t
                .trim_matches('|')
                .split('|')
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .collect();
            if cells
                .iter()
                .all(|c| c.chars().all(|ch| matches!(ch, '-' | ':' | ' ')))
            {
                // The row above a table's rule is its header, not a statement.
                if rows == 2 {
                    out.pop();
                }
                continue;
            }
            if cells.len() >= 2 {
                out.push(clean(&format!("{}: {}", cells[0], cells[1])));
            }
            continue;
        }
        let item = strip_item(t);
        if item.len() != t.len() {
            flush(&mut para, &mut out);
            para.push_str(item);
            continue;
        }
        if !para.is_empty() {
            para.push(' ');
        }
        para.push_str(t);
    }
    flush(&mut para, &mut out);
    out.retain(|s| s.chars().any(char::is_alphanumeric));
    out
}

/// A heading without its item number (`21. Do you support SSO?` → `Do you support SSO?`).
pub fn strip_number(heading: &str) -> &str {
    strip_item(heading.trim())
}

/// `- x`, `* x`, `1. x`, `12) x` → `x`.
fn strip_item(t: &str) -> &str {
    if let Some(rest) = t.strip_prefix("- ").or_else(|| t.strip_prefix("* ")) {
        return rest.trim_start();
    }
    let digits = t.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 && digits <= 3 {
        let rest = &t[digits..];
        if let Some(r) = rest.strip_prefix(". ").or_else(|| rest.strip_prefix(") ")) {
            return r.trim_start();
        }
    }
    t
}

fn clean(s: &str) -> String {
    s.replace("**", "")
        .replace('`', "")
        .replace("__", "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Prose split after `.`, `!` or `?` followed by a space and a capital, digit or quote.
fn split_prose(p: &str) -> Vec<String> {
    let p = clean(p);
    let chars: Vec<char> = p.chars().collect();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if matches!(c, '.' | '!' | '?')
            && chars.get(i + 1) == Some(&' ')
            && chars.get(i + 2).is_some_and(|n| {
                n.is_uppercase() || n.is_ascii_digit() || matches!(n, '"' | '(' | '¿' | '¡')
            })
            && !abbreviation(&chars[start..=i], chars.get(i + 2))
        {
            out.push(
                chars[start..=i]
                    .iter()
                    .collect::<String>()
                    .trim()
                    .to_string(),
            );
            start = i + 2;
            i += 2;
            continue;
        }
        i += 1;
    }
    if start < chars.len() {
        out.push(chars[start..].iter().collect::<String>().trim().to_string());
    }
    out.retain(|s| !s.is_empty());
    out
}

fn abbreviation(s: &[char], next: Option<&char>) -> bool {
    let text: String = s.iter().collect();
    let word = text.rsplit(' ').next().unwrap_or("");
    // "N. Virginia", "J. Smith": an initial.
    let initial: Vec<char> = word.trim_end_matches('.').chars().collect();
    if initial.len() == 1 && initial[0].is_uppercase() {
        return true;
    }
    // "Art. 28", "No. 5", "Nr. 3": a short capitalised word before a number.
    let letters = word.trim_end_matches('.');
    if next.is_some_and(char::is_ascii_digit)
        && (1..=3).contains(&letters.chars().count())
        && letters.chars().next().is_some_and(char::is_uppercase)
        && letters.chars().all(char::is_alphabetic)
    {
        return true;
    }
    let last = word.to_lowercase();
    matches!(
        last.as_str(),
        "e.g."
            | "i.e."
            | "etc."
            | "vs."
            | "z.b."
            | "bzw."
            | "ca."
            | "inc."
            | "ltd."
            | "no."
            | "approx."
    )
}

/// The sentences of `text` most relevant to `question`, in their own order: those sharing
/// the most informative words with it (at most `max`), else the first sentence.
pub fn relevant_sentences(text: &str, question: &str, max: usize) -> Vec<String> {
    // An answer hands out no addresses, and a very long list item is not a reply.
    let all: Vec<String> = sentences(text)
        .into_iter()
        .filter(|s| !s.contains('@') && s.split_whitespace().count() <= 45)
        .map(|s| {
            if s.ends_with(['.', '!', '?', ':', ';', ')']) {
                s
            } else {
                format!("{s}.")
            }
        })
        .collect();
    if all.is_empty() {
        return Vec::new();
    }
    let q: BTreeSet<String> = terms(question).into_iter().collect();
    let mut scored: Vec<(usize, usize)> = all
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let words: BTreeSet<String> = terms(s).into_iter().collect();
            (i, words.intersection(&q).count())
        })
        .filter(|(_, n)| *n > 0)
        .collect();
    scored.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut keep: Vec<usize> = scored.iter().take(max).map(|(i, _)| *i).collect();
    if keep.is_empty() {
        keep.push(0);
    }
    keep.sort_unstable();
    keep.into_iter()
        .filter_map(|i| all.get(i).cloned())
        .collect()
}

/// The competitors (indexes into `knowledge.competitors`) a text names, at most three, in
/// the order they are named in the config.
pub fn competitors_named(cfg: &AgentConfig, texts: &[&str]) -> Vec<usize> {
    let hay: Vec<String> = texts.iter().map(|t| t.to_lowercase()).collect();
    let mut out = Vec::new();
    for (i, c) in cfg.knowledge.competitors.iter().enumerate() {
        let named = std::iter::once(&c.name)
            .chain(c.aliases.iter())
            .filter(|n| !n.trim().is_empty())
            .any(|n| hay.iter().any(|h| contains_word(h, &n.to_lowercase())));
        if named {
            out.push(i);
        }
        if out.len() >= 3 {
            break;
        }
    }
    out
}

/// `needle` in `hay` with no letter or digit right before or after it.
pub fn contains_word(hay: &str, needle: &str) -> bool {
    let needle = needle.trim();
    if needle.is_empty() {
        return false;
    }
    let mut from = 0;
    while let Some(pos) = hay[from..].find(needle) {
        let start = from + pos;
        let end = start + needle.len();
        let before = hay[..start].chars().next_back();
        let after = hay[end..].chars().next();
        if !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric) {
            return true;
        }
        from = start + needle.len().max(1);
        while from < hay.len() && !hay.is_char_boundary(from) {
            from += 1;
        }
    }
    false
}

/// The section of competitor `i`'s battle card that best answers `question`: by BM25 when
/// the question shares words with the card, else the section whose heading names the seller
/// (where the seller wins), else the card's second section.
pub fn battle_card_section(cfg: &AgentConfig, i: usize, question: &str) -> Option<Section> {
    let card = cfg.battle_cards.get(i)?;
    let all = sections(std::slice::from_ref(card));
    if all.is_empty() {
        return None;
    }
    let index = Bm25::new(&all);
    let name_terms: BTreeSet<String> = cfg
        .knowledge
        .competitors
        .get(i)
        .map(|c| terms(&c.name).into_iter().collect())
        .unwrap_or_default();
    let query: BTreeSet<String> = terms(question)
        .into_iter()
        .filter(|t| !name_terms.contains(t))
        .collect();
    let best = (0..all.len())
        .map(|j| (index.score(j, &query), j))
        .filter(|((_, matched), _)| *matched >= 2)
        .max_by(|a, b| {
            a.0.0
                .partial_cmp(&b.0.0)
                .unwrap_or(std::cmp::Ordering::Equal)
        })
        .map(|(_, j)| j);
    let seller: Vec<String> = std::iter::once(cfg.company.name.as_str())
        .chain(cfg.company.products.iter().map(|p| p.name.as_str()))
        .flat_map(|n| {
            n.split_whitespace()
                .map(str::to_lowercase)
                .collect::<Vec<_>>()
        })
        .filter(|w| w.chars().count() >= 3)
        .collect();
    let wins = all.iter().position(|s| {
        let h = s.heading.to_lowercase();
        seller.iter().any(|w| contains_word(&h, w))
    });
    let j = best.or(wins).unwrap_or(if all.len() > 1 { 1 } else { 0 });
    all.get(j).cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(source: &str, text: &str) -> KnowledgeDoc {
        KnowledgeDoc {
            source: source.into(),
            text: text.into(),
            ..Default::default()
        }
    }

    #[test]
    fn every_heading_starts_a_section_and_tags_are_kept() {
        let s = sections(&[doc(
            "faq.md",
            "Intro text.\n# FAQ\n\n## Pricing\n\n### 1. How much? `[pricing]`\nTeam is $1,500/month.\n\n### 2. SSO? `[sso, security]`\nSAML on Business.\n#### Notes\nMore.\n",
        )]);
        let headings: Vec<&str> = s.iter().map(|s| s.heading.as_str()).collect();
        assert_eq!(headings, ["faq.md", "1. How much?", "2. SSO?", "Notes"]);
        assert_eq!(s[2].topics, ["sso", "security"]);
        assert_eq!(topics(&s), ["pricing", "sso", "security"]);
    }

    #[test]
    fn bm25_finds_untagged_sections_by_their_words_and_tags_by_name() {
        let s = sections(&[
            doc(
                "product.md",
                "# Product\n## Payslips on the phone\nEmployees see their payslips and absences in the app. It runs on iOS and Android.\n## Reports\nMonthly cost reports per entity.\n",
            ),
            doc(
                "faq.md",
                "## Is there a trial? `[trial]`\nYes, 30 days with your own data.\n",
            ),
        ]);
        let hits = retrieve(&s, "Can employees see payslips on Android phones?", &[], 2);
        assert_eq!(hits[0].heading, "Payslips on the phone");
        let hits = retrieve(&s, "How long is the trial?", &[], 2);
        assert_eq!(hits[0].heading, "Is there a trial?");
        assert!(retrieve(&s, "Do you support our mainframe from 1987?", &[], 2).is_empty());
        // A classifier's topic counts only when the knowledge uses it.
        assert!(retrieve(&s, "Hmm?", &["pricing".to_string()], 2).is_empty());
    }

    #[test]
    fn sentences_drop_numbers_marks_and_table_rules() {
        assert_eq!(
            sentences("A processor signs Art. 28 GDPR terms. Done. Hosted in N. Virginia. Yes."),
            [
                "A processor signs Art. 28 GDPR terms.",
                "Done.",
                "Hosted in N. Virginia.",
                "Yes."
            ]
        );
        let text = "Team is **$1,500/month**, billed annually. Enterprise is custom, e.g. for banks.\n\n- Item one.\n2. Item two\n| Topic | Us | Them |\n|---|---|---|\n| Setup | 30 min | weeks |\n";
        assert_eq!(
            sentences(text),
            [
                "Team is $1,500/month, billed annually.",
                "Enterprise is custom, e.g. for banks.",
                "Item one.",
                "Item two",
                "Setup: 30 min"
            ]
        );
        assert_eq!(
            relevant_sentences(text, "How long does setup take?", 1),
            ["Setup: 30 min."]
        );
        assert!(contains_word("we use payvia today", "payvia"));
        assert!(!contains_word("payviamax", "payvia"));
    }
}
