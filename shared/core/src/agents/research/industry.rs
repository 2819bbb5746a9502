//! The company's industry: weighted terms of the default taxonomy (`lang/industries.toml`,
//! about fifty industries in seven languages), mapped onto the workspace's ICP vocabulary.
//!
//! A site that matches no ICP industry keeps its taxonomy label (fit scores it as not in the
//! ICP); when the evidence is weak or split between unrelated industries the answer is `None`
//! ("unknown"), never a confident wrong label.

use super::*;
use serde::Deserialize;

#[derive(Deserialize)]
struct TaxonomyFile {
    industry: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    name: String,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    parent: Option<String>,
    /// A child wins over its parent when it scores at least this much.
    #[serde(default)]
    refines_at: Option<u32>,
    /// Case-sensitive whole words that, when present, let a child refine its parent.
    #[serde(default)]
    signals: Vec<String>,
    #[serde(default)]
    w1: Vec<String>,
    #[serde(default)]
    w2: Vec<String>,
    #[serde(default)]
    w3: Vec<String>,
    #[serde(default)]
    w4: Vec<String>,
    #[serde(default)]
    w5: Vec<String>,
}

/// One industry of the taxonomy (or of the workspace's own ICP vocabulary).
pub(super) struct Industry {
    pub(super) name: String,
    /// The normalised name and aliases.
    names: Vec<String>,
    parent: Option<String>,
    refines_at: Option<u32>,
    signals: Option<Regex>,
    terms: Vec<(Regex, u32)>,
}

impl Industry {
    #[cfg(test)]
    pub(super) fn terms_len(&self) -> usize {
        self.terms.len()
    }
}

/// Lowercase, "&" read as "and", punctuation and repeated spaces dropped.
pub(super) fn normalise(name: &str) -> String {
    name.to_lowercase()
        .replace('&', " and ")
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn compile(fragment: &str) -> Option<Regex> {
    Regex::new(&format!(r"(?i)\b(?:{fragment})\b")).ok()
}

/// The shipped taxonomy. A malformed file or term is a build-time bug the unit tests catch;
/// at run time it only leaves that term (or the taxonomy) out.
pub(super) static TAXONOMY: LazyLock<Vec<Industry>> = LazyLock::new(|| {
    let file: TaxonomyFile = match toml::from_str(include_str!("../../../lang/industries.toml")) {
        Ok(f) => f,
        Err(_) => return Vec::new(),
    };
    file.industry
        .into_iter()
        .map(|e| {
            let mut terms = Vec::new();
            for (list, w) in [(&e.w1, 1), (&e.w2, 2), (&e.w3, 3), (&e.w4, 4), (&e.w5, 5)] {
                terms.extend(list.iter().filter_map(|t| compile(t)).map(|r| (r, w)));
            }
            let mut names = vec![normalise(&e.name)];
            names.extend(e.aliases.iter().map(|a| normalise(a)));
            let signals = (!e.signals.is_empty()).then(|| {
                let alt: Vec<String> = e.signals.iter().map(|s| regex::escape(s)).collect();
                Regex::new(&format!(r"\b(?:{})\b", alt.join("|"))).ok()
            });
            Industry {
                name: e.name,
                names,
                parent: e.parent,
                refines_at: e.refines_at,
                signals: signals.flatten(),
                terms,
            }
        })
        .collect()
});

/// The industries research tells apart for one workspace: the taxonomy, plus an entry per ICP
/// industry the taxonomy does not know (matched by its own words), and the map from taxonomy
/// labels to the ICP's spelling.
pub(super) struct IndustryMap<'a> {
    extra: Vec<Industry>,
    icp: &'a [String],
}

impl<'a> IndustryMap<'a> {
    pub(super) fn new(icp: &'a [String]) -> Self {
        let extra = icp
            .iter()
            .filter(|n| {
                let k = normalise(n);
                !k.is_empty() && !TAXONOMY.iter().any(|t| t.names.contains(&k))
            })
            .filter_map(|n| {
                let words: Vec<String> = normalise(n).split(' ').map(regex::escape).collect();
                let r = compile(&words.join(r"[\s&-]+(?:and\s+)?"))?;
                Some(Industry {
                    name: n.clone(),
                    names: vec![normalise(n)],
                    parent: None,
                    refines_at: None,
                    signals: None,
                    terms: vec![(r, 5)],
                })
            })
            .collect();
        IndustryMap { extra, icp }
    }

    fn all(&self) -> impl Iterator<Item = &Industry> {
        TAXONOMY.iter().chain(self.extra.iter())
    }

    fn find(&self, name: &str) -> Option<&Industry> {
        self.all().find(|i| i.name == name)
    }

    /// `a` is `b` or one of its descendants.
    fn within(&self, a: &str, b: &str) -> bool {
        let mut cur = Some(a.to_string());
        for _ in 0..8 {
            match cur {
                Some(c) if c == b => return true,
                Some(c) => cur = self.find(&c).and_then(|i| i.parent.clone()),
                None => return false,
            }
        }
        false
    }

    /// The ICP's name for `label`: the ICP industry equal to its name or an alias, else one
    /// equal to an ancestor's, else the taxonomy label itself.
    fn to_icp(&self, label: &str) -> String {
        let mut cur = self.find(label);
        for _ in 0..8 {
            let Some(ind) = cur else { break };
            if let Some(n) = self.icp.iter().find(|n| ind.names.contains(&normalise(n))) {
                return n.clone();
            }
            cur = ind.parent.as_deref().and_then(|p| self.find(p));
        }
        label.to_string()
    }

    /// The industry the texts describe: weighted term counts, each text counted once (a
    /// footer on every page is one text), each term at most three times per text; scores are
    /// in half points.
    pub(super) fn classify(&self, texts: &[(String, u32)]) -> Option<String> {
        let mut scores: Vec<(&Industry, u32)> = self.all().map(|i| (i, 0)).collect();
        for (text, weight) in texts {
            for (industry, score) in scores.iter_mut() {
                let mut s = 0;
                for (r, w) in &industry.terms {
                    // Half points for a market served ("software for restaurants").
                    let halves: u32 = r
                        .find_iter(text)
                        .take(3)
                        .map(|m| if serves(&text[..m.start()]) { 1 } else { 2 })
                        .sum();
                    s += halves * w;
                }
                // A child's signals ("ARR") are evidence for it like a strong term.
                if let Some(sig) = &industry.signals {
                    s += (sig.find_iter(text).count().min(3) as u32) * 3 * 2;
                }
                *score += s * weight;
            }
        }
        // An industry's strength is its own score plus its strongest child's ("software" with
        // "SaaS" evidence), so that a refined label does not split its parent's evidence.
        let group = |ind: &Industry, own: u32| {
            own + scores
                .iter()
                .filter(|(c, _)| c.parent.as_deref() == Some(ind.name.as_str()))
                .map(|(_, s)| *s)
                .max()
                .unwrap_or(0)
        };
        let mut ranked: Vec<(&Industry, u32, u32)> =
            scores.iter().map(|(i, s)| (*i, group(i, *s), *s)).collect();
        ranked.sort_by(|a, b| {
            b.1.cmp(&a.1)
                .then(b.2.cmp(&a.2))
                .then(a.0.name.cmp(&b.0.name))
        });
        let &(best, score, _) = ranked.first()?;
        if score < MIN_SCORE {
            return None;
        }
        // A child refines its parent on its own explicit evidence ("SaaS" refines "software").
        let mut label = best.name.clone();
        for (child, s) in &scores {
            if child.parent.as_deref() == Some(best.name.as_str()) {
                let by_score = child.refines_at.is_some_and(|min| *s >= min * 2)
                    || *s
                        > scores
                            .iter()
                            .find(|(p, _)| p.name == best.name)
                            .map_or(0, |(_, own)| *own);
                let by_signal = child
                    .signals
                    .as_ref()
                    .is_some_and(|r| texts.iter().any(|(t, _)| r.is_match(t)));
                if by_score || by_signal {
                    label = child.name.clone();
                    break;
                }
            }
        }
        // Split evidence: an unrelated industry nearly as strong means the site is not clear.
        let rival = ranked
            .iter()
            .skip(1)
            .find(|(i, _, _)| {
                !self.within(&i.name, &best.name) && !self.within(&best.name, &i.name)
            })
            .map_or(0, |(_, g, _)| *g);
        if rival * SPLIT_DEN >= score * SPLIT_NUM {
            return None;
        }
        Some(self.to_icp(&label))
    }
}

/// Does the text before a term introduce the customers rather than the company ("for",
/// "für", "pour", "para", "voor", "per", "serving", optionally a number and one word)?
fn serves(before: &str) -> bool {
    pattern!(
        SERVES,
        r"(?i)\b(?:for|serving|f[üu]r|pour|para|voor|per)\s+(?:[\d.,]+\+?\s+)?(?:\w+\s+)?$"
    );
    let start = before.len().saturating_sub(60);
    let start = (start..before.len())
        .find(|i| before.is_char_boundary(*i))
        .unwrap_or(before.len());
    SERVES.is_match(&before[start..])
}

/// Below this weighted score (in half points) no industry is named.
const MIN_SCORE: u32 = 6;
/// A rival scoring at least `SPLIT_NUM / SPLIT_DEN` of the best makes the answer unknown.
const SPLIT_NUM: u32 = 9;
const SPLIT_DEN: u32 = 10;

/// The taxonomy industry a text describes, without any ICP (`None` when unclear): used to
/// tell a seller's own industry from the markets it names.
pub(crate) fn industry_of(text: &str) -> Option<String> {
    IndustryMap::new(&[]).classify(&[(text.to_string(), 1)])
}

/// Every taxonomy industry a term of which the text names (strong terms only: weight 2 or
/// more), in taxonomy order.
pub(crate) fn industries_named(text: &str) -> Vec<String> {
    TAXONOMY
        .iter()
        .filter(|i| i.terms.iter().any(|(r, w)| *w >= 2 && r.is_match(text)))
        .map(|i| i.name.clone())
        .collect()
}
