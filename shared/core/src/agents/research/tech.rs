//! Technology names a site mentions, from the workspace's vocabulary (the ICP's
//! `tech_stack_any`, the competitors of `knowledge.competitors`, `web.tech`).
//!
//! A name is matched as a whole word or phrase. A single word made only of letters may also
//! be an ordinary word ("snowflake", "workday", "airflow"): it counts only when the page
//! writes it as a name, with a capital first letter (or, for names of three letters or
//! fewer, exactly as the vocabulary spells it: "dbt"). Phrases and names with digits or
//! symbols ("SAP PM", "Dynamics 365", "Power BI") are matched in any case.

use super::*;

/// One technology name and how a page must write it.
pub struct TechName {
    /// The name as reported: the vocabulary's spelling when it has capitals, else the page's.
    name: String,
    keep_page_spelling: bool,
    pattern: Regex,
}

/// The compiled technology vocabulary of a workspace.
#[derive(Default)]
pub struct TechVocabulary {
    names: Vec<TechName>,
}

impl TechVocabulary {
    pub fn new<S: AsRef<str>>(names: &[S]) -> Self {
        let mut seen: HashSet<String> = HashSet::new();
        let mut out = Vec::new();
        for raw in names {
            let name = raw
                .as_ref()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            if name.is_empty() || name.chars().count() > 60 || !seen.insert(name.to_lowercase()) {
                continue;
            }
            if let Some(pattern) = tech_pattern(&name) {
                out.push(TechName {
                    keep_page_spelling: !name.chars().any(char::is_uppercase),
                    name,
                    pattern,
                });
            }
        }
        // Longer names first, so that "Looker Studio" is found before "Looker".
        out.sort_by_key(|t| std::cmp::Reverse(t.name.chars().count()));
        TechVocabulary { names: out }
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The names `text` mentions, in the order they first appear.
    pub fn find(&self, text: &str) -> Vec<String> {
        let mut taken: Vec<(usize, usize)> = Vec::new();
        let mut hits: Vec<(usize, String)> = Vec::new();
        for t in &self.names {
            let Some(m) = t
                .pattern
                .find_iter(text)
                .find(|m| !taken.iter().any(|(s, e)| m.start() < *e && *s < m.end()))
            else {
                continue;
            };
            taken.push((m.start(), m.end()));
            let name = if t.keep_page_spelling {
                m.as_str().split_whitespace().collect::<Vec<_>>().join(" ")
            } else {
                t.name.clone()
            };
            hits.push((m.start(), name));
        }
        hits.sort();
        hits.into_iter().map(|(_, n)| n).collect()
    }
}

fn tech_pattern(name: &str) -> Option<Regex> {
    let single_word = name.chars().all(char::is_alphabetic);
    let edge = |c: Option<char>| {
        if c.is_some_and(char::is_alphanumeric) {
            r"\b"
        } else {
            ""
        }
    };
    let (start, end) = (edge(name.chars().next()), edge(name.chars().last()));
    let body = if single_word {
        let mut chars = name.chars();
        let first = chars.next()?;
        let rest: String = chars.collect();
        let upper: String = first.to_uppercase().collect();
        let capitalised = format!("{}(?i:{})", regex::escape(&upper), regex::escape(&rest));
        if name.chars().count() <= 3 {
            format!("{capitalised}|{}", regex::escape(name))
        } else {
            capitalised
        }
    } else {
        let parts: Vec<String> = name.split(' ').map(regex::escape).collect();
        format!("(?i:{})", parts.join(r"[\s-]*"))
    };
    Regex::new(&format!("{start}(?:{body}){end}")).ok()
}
