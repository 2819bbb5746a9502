//! Research words per language (data files `shared/core/lang/<code>/research.toml`): what
//! makes a sentence a company fact, the nouns for a company's people (a number before them is
//! its headcount) and the qualifiers before such a number ("rund", "oltre", "plus de").

use super::*;
use serde::Deserialize;
use std::collections::HashMap;

const LANGUAGES: &[(&str, &str)] = &[
    ("en", include_str!("../../../lang/en/research.toml")),
    ("de", include_str!("../../../lang/de/research.toml")),
    ("fr", include_str!("../../../lang/fr/research.toml")),
    ("es", include_str!("../../../lang/es/research.toml")),
    ("nl", include_str!("../../../lang/nl/research.toml")),
    ("it", include_str!("../../../lang/it/research.toml")),
    ("pt", include_str!("../../../lang/pt/research.toml")),
];

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct LangWords {
    #[serde(default)]
    pub(super) fact_words: Vec<String>,
    #[serde(default)]
    pub(super) staff: Vec<String>,
    #[serde(default)]
    pub(super) qualifiers: Vec<String>,
}

/// Every language's words, merged. A file that does not parse is a bug the unit tests
/// catch; at run time its words are left out.
pub(super) fn all_words() -> LangWords {
    let mut out = LangWords::default();
    for (_, text) in LANGUAGES {
        if let Ok(w) = toml::from_str::<LangWords>(text) {
            out.fact_words.extend(w.fact_words);
            out.staff.extend(w.staff);
            out.qualifiers.extend(w.qualifiers);
        }
    }
    out
}

/// The alternation of `list`, longest first, each escaped; a trailing `*` matches on.
pub(super) fn alternation(list: &[String]) -> String {
    let mut items: Vec<&String> = list.iter().filter(|w| !w.trim().is_empty()).collect();
    items.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
    items.dedup();
    items
        .iter()
        .map(|w| {
            let w = w.trim().to_lowercase();
            match w.strip_suffix('*') {
                Some(stem) => format!(r"{}\w*", escape_spaced(stem)),
                None => escape_spaced(&w),
            }
        })
        .collect::<Vec<_>>()
        .join("|")
}

fn escape_spaced(w: &str) -> String {
    w.split_whitespace()
        .map(regex::escape)
        .collect::<Vec<_>>()
        .join(r"\s+")
}

/// A sentence names a fact in one of the languages (founding, seat, people, leadership,
/// products, ownership).
pub(super) static FACT_WORDS_ANY: LazyLock<Regex> = LazyLock::new(|| {
    let w = all_words();
    Regex::new(&format!(r"(?i)\b(?:{})\b", alternation(&w.fact_words)))
        .unwrap_or_else(|_| re(r"^\b$"))
});

#[cfg(test)]
pub(super) fn parse_all() -> Result<(), String> {
    for (code, text) in LANGUAGES {
        toml::from_str::<LangWords>(text).map_err(|e| format!("lang/{code}/research.toml: {e}"))?;
    }
    Ok(())
}

/// Names in other languages and their English equivalent, from a data file of
/// `English = ["name", …]` entries.
struct Glossary {
    pattern: Option<Regex>,
    /// Key: the name as written (case-sensitive glossaries) or lowercased.
    to_english: HashMap<String, String>,
    ignore_case: bool,
}

impl Glossary {
    fn new(text: &str, ignore_case: bool) -> Self {
        let table: HashMap<String, Vec<String>> = toml::from_str(text).unwrap_or_default();
        let mut to_english = HashMap::new();
        for (english, names) in table {
            for n in names {
                if n != english {
                    let key = if ignore_case { n.to_lowercase() } else { n };
                    to_english.insert(key, english.clone());
                }
            }
        }
        let mut names: Vec<&String> = to_english.keys().collect();
        names.sort_by_key(|n| std::cmp::Reverse(n.chars().count()));
        let alt: Vec<String> = names.iter().map(|n| escape_spaced(n)).collect();
        let flags = if ignore_case { "(?i)" } else { "" };
        let pattern = (!alt.is_empty())
            .then(|| Regex::new(&format!(r"{flags}\b(?:{})\b", alt.join("|"))).ok())
            .flatten();
        Glossary {
            pattern,
            to_english,
            ignore_case,
        }
    }

    /// The English names of what `text` names only in another language, in order.
    fn english_of(&self, text: &str, lower: &str, add: &mut Vec<String>) {
        let Some(r) = &self.pattern else { return };
        for m in r.find_iter(text) {
            let key = if self.ignore_case {
                m.as_str()
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .to_lowercase()
            } else {
                m.as_str().split_whitespace().collect::<Vec<_>>().join(" ")
            };
            if let Some(en) = self.to_english.get(&key)
                && !lower.contains(&en.to_lowercase())
                && !add.contains(en)
            {
                add.push(en.clone());
            }
        }
    }
}

/// Country names (`lang/countries.toml`, case-sensitive) and leadership titles
/// (`lang/titles.toml`, any case).
static GLOSSARIES: LazyLock<[Glossary; 2]> = LazyLock::new(|| {
    [
        Glossary::new(include_str!("../../../lang/countries.toml"), false),
        Glossary::new(include_str!("../../../lang/titles.toml"), true),
    ]
});

/// `text` with the English names of the countries and leadership titles it names only in
/// another language added in brackets: "8120 Peggau, Österreich (Austria)", "Paolo Ferrandi
/// (Amministratore delegato) (CEO)".
pub(super) fn gloss(text: &str) -> String {
    let lower = text.to_lowercase();
    let mut add: Vec<String> = Vec::new();
    for g in GLOSSARIES.iter() {
        g.english_of(text, &lower, &mut add);
    }
    if add.is_empty() {
        text.to_string()
    } else {
        format!("{text} ({})", add.join(", "))
    }
}
