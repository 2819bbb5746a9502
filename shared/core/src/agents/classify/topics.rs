//! Question topics: what a person asks about, named in the seller's own topic vocabulary.
//!
//! A seller's topics are the tags its knowledge uses (`` `[tag]` `` after a heading,
//! [`knowledge::topics`]). [`Topics::of`] builds what recognises each tag from the
//! workspace:
//! * the generic words of a well-known commercial topic of the same name, from the
//!   per-language data files `lang/<code>/topics.toml`; a generic topic the seller has no tag
//!   for counts under the tag its `falls_back_to` names (hosting location → security when
//!   there is no `data_residency` tag), and otherwise not at all;
//! * the tag's own words: the words of its name (for a tag no data file knows), the
//!   distinctive words of the headings of the sections carrying it (two of one heading), and
//!   the names (products, standards, places) written only in sections carrying it;
//! * product names from `icp.tech_stack_any`, counted for the integrations tag when the
//!   sentence says it works with them; competitors' names and aliases from
//!   `knowledge.competitors`, for the competitors tag.
//!
//! Topics are emitted in the seller's tag order and never outside its tags. Without a
//! workspace ([`Topics::generic`]) the generic topics of the data files are the tags.
//!
//! The same workspace vocabulary carries the seller's own words of a need, for the BANT
//! reader ([`Topics::states_need`]): the distinctive terms of its pain points, and what its
//! knowledge counts ("up to 50 tracked vehicles" → a reply's "we run about 400 vehicles").
//!
//! Nothing here names a seller, a product or an industry.

use super::*;
use crate::agents::knowledge::{self, Section};
use crate::agents::research::TechVocabulary;
use crate::config::AgentConfig;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, LazyLock, Mutex, Weak};

/// The languages with a topic file, in the order their topics are first listed.
const TOPIC_FILES: &[(&str, &str)] = &[
    ("en", include_str!("../../../lang/en/topics.toml")),
    ("de", include_str!("../../../lang/de/topics.toml")),
    ("fr", include_str!("../../../lang/fr/topics.toml")),
    ("es", include_str!("../../../lang/es/topics.toml")),
    ("nl", include_str!("../../../lang/nl/topics.toml")),
    ("it", include_str!("../../../lang/it/topics.toml")),
    ("pt", include_str!("../../../lang/pt/topics.toml")),
];

/// One `topics.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TopicFile {
    /// Phrases blanked before topics are looked for ("set up a call" is not onboarding).
    #[serde(default)]
    pub ignore: Vec<String>,
    /// Saying that something works with something else ("integrates with", "works with").
    #[serde(default)]
    pub integration_verbs: Vec<String>,
    /// Words that name no topic on their own (question frames, time zones, currencies):
    /// never taken from a seller's knowledge as a topic word or name.
    #[serde(default)]
    pub plain: Vec<String>,
    #[serde(default)]
    pub topic: Vec<TopicWords>,
}

/// A generic topic's words in one language.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TopicWords {
    pub name: String,
    /// The topic used instead when the seller has no tag of this name.
    #[serde(default)]
    pub falls_back_to: Option<String>,
    #[serde(default)]
    pub words: Vec<String>,
}

/// The generic topics of all languages, merged.
struct Generic {
    /// Name, fragments of all languages, fallback: in order of first appearance.
    topics: Vec<(String, Vec<String>, Option<String>)>,
    ignore: Regex,
    verbs: Regex,
    /// Words of the support topic: "support hours" is not "supports X".
    support: Regex,
    /// Plain words, lowercased, and their retrieval terms.
    plain: BTreeSet<String>,
}

/// The generic topic a tool or integration question belongs to, and a comparison.
const INTEGRATIONS: &str = "integrations";
const COMPETITORS: &str = "competitors";
const SUPPORT: &str = "support";

static GENERIC: LazyLock<Generic> = LazyLock::new(|| {
    let files: Vec<TopicFile> = TOPIC_FILES
        .iter()
        .map(|(_, text)| toml::from_str(text).unwrap_or_default())
        .collect();
    let mut topics: Vec<(String, Vec<String>, Option<String>)> = Vec::new();
    for f in &files {
        for t in &f.topic {
            match topics.iter_mut().find(|(n, _, _)| *n == t.name) {
                Some((_, words, fallback)) => {
                    words.extend(t.words.iter().cloned());
                    if fallback.is_none() {
                        fallback.clone_from(&t.falls_back_to);
                    }
                }
                None => topics.push((t.name.clone(), t.words.clone(), t.falls_back_to.clone())),
            }
        }
    }
    let support = topics
        .iter()
        .find(|(n, _, _)| n == SUPPORT)
        .map(|(_, w, _)| vocab::alternation(w.iter()))
        .unwrap_or_else(|| vocab::alternation(std::iter::empty()));
    let plain = files
        .iter()
        .flat_map(|f| f.plain.iter())
        .flat_map(|w| {
            let w = w.trim().to_lowercase();
            std::iter::once(w.clone()).chain(knowledge::terms(&w))
        })
        .collect();
    Generic {
        plain,
        ignore: vocab::alternation(files.iter().flat_map(|f| f.ignore.iter())),
        verbs: vocab::alternation(files.iter().flat_map(|f| f.integration_verbs.iter())),
        support,
        topics,
    }
});

/// The seller tag a generic topic counts under: its own name, else where it falls back to.
fn resolve(generic: &str, tags: &[String]) -> Option<usize> {
    let mut name = generic.to_string();
    for _ in 0..4 {
        if let Some(i) = tags.iter().position(|t| *t == name) {
            return Some(i);
        }
        let next = GENERIC
            .topics
            .iter()
            .find(|(n, _, _)| *n == name)
            .and_then(|(_, _, f)| f.clone())?;
        name = next;
    }
    None
}

/// What recognises one of the seller's tags.
struct Tag {
    name: String,
    /// Generic words of the topics that count under this tag.
    words: Option<Regex>,
    /// The terms of the tag's name, for a tag no data file knows ("countries").
    own: Vec<String>,
    /// Per heading of a section carrying the tag, its terms no other tag's heading has.
    headings: Vec<BTreeSet<String>>,
    /// Names written only in sections carrying this tag, and competitors' names.
    names: TechVocabulary,
    /// The same names, as listed (for [`Topics::describe`]).
    listed: Vec<String>,
}

/// A workspace's question-topic vocabulary (see the module documentation).
pub struct Topics {
    tags: Vec<Tag>,
    /// The tag of integration questions and the product names that need a verb of
    /// integration to count for it (its sections' names and `icp.tech_stack_any`).
    tools: Option<(usize, Vec<String>)>,
    tool_vocabulary: TechVocabulary,
    /// What the seller counts (stems), for [`Topics::states_need`].
    counted: BTreeSet<String>,
    /// Per pain point of the seller, its distinctive terms ([`pain_terms`]).
    pains: Vec<BTreeSet<String>>,
}

static GENERIC_TOPICS: LazyLock<Topics> = LazyLock::new(|| {
    let names: Vec<String> = GENERIC.topics.iter().map(|(n, _, _)| n.clone()).collect();
    Topics::build(&names, &[], &[], &[])
});

impl Topics {
    /// The generic topics of the data files, for a reader without a workspace.
    pub fn generic() -> &'static Topics {
        &GENERIC_TOPICS
    }

    /// The vocabulary of a workspace: its knowledge's tags and sections, its ICP's
    /// technologies and its competitors. A workspace whose knowledge has no tags has no
    /// question topics.
    pub fn of(config: &AgentConfig) -> Topics {
        // The knowledge read for answers: a question is about what the agent may answer from.
        let sections = knowledge::sections(&config.knowledge_for(crate::config::Purpose::Answers));
        let tags = knowledge::topics(&sections);
        let competitors: Vec<String> = config
            .knowledge
            .competitors
            .iter()
            .flat_map(|c| std::iter::once(c.name.clone()).chain(c.aliases.iter().cloned()))
            .filter(|n| !n.trim().is_empty())
            .collect();
        let own_names: Vec<String> = std::iter::once(config.company.name.as_str())
            .chain(config.company.products.iter().map(|p| p.name.as_str()))
            .flat_map(|n| {
                n.split_whitespace()
                    .map(str::to_lowercase)
                    .collect::<Vec<_>>()
            })
            .collect();
        let mut topics = Topics::build(&tags, &sections, &competitors, &own_names);
        topics.pains = pain_terms(config, &own_names);
        if let Some((_, tools)) = topics.tools.as_mut() {
            tools.extend(config.icp().tech_stack_any.iter().cloned());
            topics.tool_vocabulary = TechVocabulary::new(tools);
        }
        topics
    }

    fn build(
        tags: &[String],
        sections: &[Section],
        competitors: &[String],
        own_names: &[String],
    ) -> Topics {
        // Each section's tags: its own, or for an untagged section the tags whose name its
        // heading says ("## Integrations", "## Data residency").
        let tag_terms: Vec<Vec<String>> = tags
            .iter()
            .map(|t| knowledge::terms(&t.replace(['_', '-'], " ")))
            .collect();
        let tagged: Vec<(Vec<usize>, &Section)> = sections
            .iter()
            .filter_map(|s| {
                let own: Vec<usize> = s
                    .topics
                    .iter()
                    .filter_map(|t| tags.iter().position(|x| x == t))
                    .collect();
                let of = if own.is_empty() {
                    let heading: BTreeSet<String> =
                        knowledge::terms(&s.heading).into_iter().collect();
                    tag_terms
                        .iter()
                        .enumerate()
                        .filter(|(_, tt)| !tt.is_empty() && tt.iter().all(|w| heading.contains(w)))
                        .map(|(i, _)| i)
                        .collect()
                } else {
                    own
                };
                (!of.is_empty()).then_some((of, s))
            })
            .collect();

        // Heading terms and names, with the tags of the sections they occur in.
        let mut term_tags: BTreeMap<String, BTreeSet<usize>> = BTreeMap::new();
        let mut name_tags: BTreeMap<String, BTreeSet<usize>> = BTreeMap::new();
        for (of, s) in &tagged {
            for t in knowledge::terms(knowledge::strip_number(&s.heading)) {
                term_tags.entry(t).or_default().extend(of.iter().copied());
            }
            for n in names_in(&format!("{}\n{}", s.heading, s.text)) {
                name_tags.entry(n).or_default().extend(of.iter().copied());
            }
        }
        // A capitalised word the knowledge also writes in lower case is an ordinary word
        // ("Free trial", "Business plan"), not a name.
        let written: BTreeSet<&str> = sections
            .iter()
            .flat_map(|s| s.heading.split(|c: char| !c.is_alphanumeric()))
            .chain(
                sections
                    .iter()
                    .flat_map(|s| s.text.split(|c: char| !c.is_alphanumeric())),
            )
            .filter(|w| !w.is_empty())
            .collect();
        name_tags.retain(|n, _| {
            let mut chars = n.chars();
            let capitalised_only = chars.next().is_some_and(char::is_uppercase)
                && !chars.any(|c| c.is_uppercase() || c.is_ascii_digit());
            n.chars().count() >= 3
                && !GENERIC.plain.contains(&n.to_lowercase())
                && !(capitalised_only && written.contains(n.to_lowercase().as_str()))
        });
        let exclusive = |map: &BTreeMap<String, BTreeSet<usize>>, i: usize, w: &str| {
            map.get(w).is_some_and(|t| t.len() == 1 && t.contains(&i))
        };
        let competitors_tag = resolve(COMPETITORS, tags);
        let integrations_tag = resolve(INTEGRATIONS, tags);
        let mut tool_names: Vec<String> = Vec::new();

        let tags = tags
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let fragments: Vec<&String> = GENERIC
                    .topics
                    .iter()
                    .filter(|(g, _, _)| resolve(g, tags) == Some(i))
                    .flat_map(|(_, w, _)| w.iter())
                    .collect();
                let known = GENERIC.topics.iter().any(|(g, _, _)| g == name);
                let headings = tagged
                    .iter()
                    .filter(|(of, s)| of.contains(&i) && s.topics.contains(name))
                    .map(|(_, s)| {
                        knowledge::terms(knowledge::strip_number(&s.heading))
                            .into_iter()
                            .filter(|t| {
                                t.chars().count() >= 3
                                    && !t.chars().all(|c| c.is_ascii_digit())
                                    && !own_names.contains(t)
                                    && !GENERIC.plain.contains(t)
                                    && exclusive(&term_tags, i, t)
                            })
                            .collect::<BTreeSet<String>>()
                    })
                    .filter(|h| h.len() >= 2)
                    .collect();
                let mut names: Vec<String> = name_tags
                    .keys()
                    .filter(|n| {
                        exclusive(&name_tags, i, n) && !own_names.contains(&n.to_lowercase())
                    })
                    .cloned()
                    .collect();
                // A product named in the integrations' sections counts, like the ICP's
                // technologies, only with a verb of integration ("Will it raise our X
                // bill?" asks no integration question).
                if integrations_tag == Some(i) {
                    tool_names.append(&mut names);
                }
                if competitors_tag == Some(i) {
                    names.extend(competitors.iter().cloned());
                }
                Tag {
                    name: name.clone(),
                    words: (!fragments.is_empty())
                        .then(|| vocab::alternation(fragments.into_iter())),
                    own: if known {
                        Vec::new()
                    } else {
                        tag_terms[i].clone()
                    },
                    headings,
                    names: TechVocabulary::new(&names),
                    listed: names,
                }
            })
            .collect();
        Topics {
            tags,
            tool_vocabulary: TechVocabulary::new(&tool_names),
            tools: integrations_tag.map(|i| (i, tool_names)),
            counted: counted_units(sections),
            pains: Vec::new(),
        }
    }

    /// What recognises each tag beyond the generic words, one line per tag: the heading
    /// terms and the names from the workspace (for `--nocapture` test output and debugging).
    pub fn describe(&self) -> String {
        let mut out = String::new();
        for t in &self.tags {
            let headings: Vec<String> = t
                .headings
                .iter()
                .map(|h| h.iter().cloned().collect::<Vec<_>>().join("+"))
                .collect();
            out.push_str(&format!(
                "{}: generic words {}; own words {:?}; headings {:?}; names {:?}\n",
                t.name,
                if t.words.is_some() { "yes" } else { "no" },
                t.own,
                headings,
                t.listed
            ));
        }
        if let Some((i, tools)) = &self.tools {
            let name = self.tags.get(*i).map(|t| t.name.as_str()).unwrap_or("");
            out.push_str(&format!("{name} with a verb of integration: {tools:?}\n"));
        }
        out.push_str(&format!(
            "a need: counted {:?}; pain points {:?}\n",
            self.counted, self.pains
        ));
        out
    }

    /// Does a lowercased sentence state a need in the seller's own terms: two distinctive
    /// terms of one of its pain points, or a number of what it counts ("we run about 400
    /// vehicles", "3 depots")?
    pub(super) fn states_need(&self, lower: &str) -> bool {
        if !self.pains.is_empty() {
            let terms: BTreeSet<String> = knowledge::terms(lower).into_iter().collect();
            if self
                .pains
                .iter()
                .any(|p| p.intersection(&terms).take(2).count() >= 2)
            {
                return true;
            }
        }
        !self.counted.is_empty()
            && number_runs(lower).iter().any(|run| {
                run.iter()
                    .flat_map(|w| knowledge::terms(w))
                    .any(|t| self.counted.contains(&t))
            })
    }

    /// The seller's tags, in its order.
    pub fn tags(&self) -> Vec<String> {
        self.tags.iter().map(|t| t.name.clone()).collect()
    }

    /// The tags (indexes) one sentence asks about.
    pub(super) fn of_sentence(&self, s: &Sentence) -> BTreeSet<usize> {
        let lower = GENERIC.ignore.replace_all(&s.lower, " ");
        let lower = lower.as_ref();
        let terms: BTreeSet<String> = knowledge::terms(lower).into_iter().collect();
        // A sentence typed all in lower case writes names in lower case too ("r u cheaper
        // than stratacore?"): its words are read as if capitalised, since nothing tells a
        // name from a word there.
        let text = if s.text.chars().any(char::is_uppercase) {
            std::borrow::Cow::Borrowed(s.text.as_str())
        } else {
            std::borrow::Cow::Owned(capitalised_words(&s.text))
        };
        let text = text.as_ref();
        let mut found = BTreeSet::new();
        for (i, t) in self.tags.iter().enumerate() {
            let hit = t.words.as_ref().is_some_and(|re| re.is_match(lower))
                || (!t.own.is_empty() && t.own.iter().all(|w| says(&terms, w)))
                || t.headings
                    .iter()
                    .any(|h| h.intersection(&terms).take(2).count() >= 2)
                || !t.names.find(text).is_empty();
            if hit {
                found.insert(i);
            }
        }
        // A product named with "works with" / "supports" asks about an integration; named
        // in a question about support hours or a bill, it does not.
        if let Some((i, _)) = &self.tools
            && !found.contains(i)
            && GENERIC.verbs.is_match(lower)
            && !GENERIC.support.is_match(lower)
            && !self.tool_vocabulary.find(text).is_empty()
        {
            found.insert(*i);
        }
        found
    }

    /// Does the sentence ask about any topic: one of the seller's, or a generic one the
    /// seller has no tag for (a question about a comparison is a question whatever the
    /// knowledge is tagged with)?
    pub(super) fn any(&self, s: &Sentence) -> bool {
        !self.of_sentence(s).is_empty()
            || (!std::ptr::eq(self, Topics::generic())
                && !Topics::generic().of_sentence(s).is_empty())
    }

    /// Topics of what the sender asks (questions and requests), in the seller's tag order.
    pub(super) fn question_topics(&self, a: &Analysis) -> Vec<String> {
        let mut found = BTreeSet::new();
        for s in a.clean().filter(|s| s.question || s.request) {
            found.extend(self.of_sentence(s));
        }
        found
            .into_iter()
            .filter_map(|i| self.tags.get(i).map(|t| t.name.clone()))
            .collect()
    }
}

/// `text` with the first letter of every word in upper case.
fn capitalised_words(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at_start = true;
    for c in text.chars() {
        if at_start && c.is_alphabetic() {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        at_start = !c.is_alphanumeric();
    }
    out
}

/// The distinctive terms of each of the seller's pain points (`[company] pain_points`, each
/// segment's `pain_point`, their translations in `[outreach.localized]`): not the seller's
/// own words (its description, value propositions, products, names), not who its leads are
/// (the ICP's titles and industries, the segments' titles: "data team" states no pain), no
/// plain word.
fn pain_terms(config: &AgentConfig, own_names: &[String]) -> Vec<BTreeSet<String>> {
    let icp = config.icp();
    let seller_side: BTreeSet<String> = std::iter::once(config.company.description.as_str())
        .chain(config.company.value_propositions.iter().map(String::as_str))
        .chain(
            config
                .company
                .products
                .iter()
                .map(|p| p.description.as_str()),
        )
        .chain(icp.titles_include.iter().map(String::as_str))
        .chain(icp.industries.iter().map(String::as_str))
        .chain(
            config
                .outreach
                .segments
                .iter()
                .flat_map(|s| s.titles.iter().map(String::as_str)),
        )
        .chain(own_names.iter().map(String::as_str))
        .flat_map(knowledge::terms)
        .collect();
    config
        .company
        .pain_points
        .iter()
        .chain(config.outreach.segments.iter().map(|s| &s.pain_point))
        .chain(
            config
                .outreach
                .localized
                .values()
                .flat_map(|l| l.pain_points.iter()),
        )
        .map(|p| {
            knowledge::terms(p)
                .into_iter()
                .filter(|t| {
                    t.chars().count() >= 3 && !seller_side.contains(t) && !GENERIC.plain.contains(t)
                })
                .collect::<BTreeSet<String>>()
        })
        .filter(|p| p.len() >= 2)
        .collect()
}

/// Per number of a text, the up to three words that follow it in the same clause
/// ("1,200 vehicles in Spain" → vehicles, in, spain; "**3** regional service depots" →
/// regional, service, depots). A percentage, an amount with a currency sign, a time of day
/// or a range is no count.
fn number_runs(text: &str) -> Vec<Vec<&str>> {
    const CLAUSE_END: &[char] = &[',', '.', ';', ':', '!', '?', ')'];
    let tokens: Vec<&str> = text.split_whitespace().collect();
    let mut out = Vec::new();
    for (i, raw) in tokens.iter().enumerate() {
        let t = raw
            .trim_start_matches(['(', '*', '~', '+'])
            .trim_end_matches('*');
        let number = t.strip_suffix('k').unwrap_or(t);
        let is_count = number.chars().next().is_some_and(|c| c.is_ascii_digit())
            && number
                .chars()
                .all(|c| c.is_ascii_digit() || c == ',' || c == '.');
        if !is_count {
            continue;
        }
        let mut run = Vec::new();
        for next in &tokens[i + 1..] {
            if run.len() == 3 || next.starts_with('(') {
                break;
            }
            let clean = next.trim_matches('*');
            let word = clean.trim_end_matches(CLAUSE_END);
            if word.is_empty() || !word.chars().all(char::is_alphabetic) {
                break;
            }
            run.push(word);
            if word.len() < clean.len() {
                break;
            }
        }
        out.push(run);
    }
    out
}

/// What a seller counts: in its knowledge, the last word of the words after a number ("up
/// to 50 tracked vehicles", "3 regional service depots"), as a stem, when it ends two such
/// runs; words after a unit of time or the like (the data's `need.not_units`: "30 days
/// after …") count nothing.
fn counted_units(sections: &[Section]) -> BTreeSet<String> {
    let not_units = vocab::alternation(vocab::bant_words(|b| &b.need.not_units));
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for s in sections {
        let text = s.text.to_lowercase();
        for run in number_runs(&text) {
            // The run ends before a word that names nothing ("250 vehicles with …").
            let named: Vec<&str> = run
                .iter()
                .take_while(|w| !knowledge::terms(w).is_empty())
                .copied()
                .collect();
            // "30 days after …", "1 business day": a time, not a thing.
            if named.iter().any(|w| not_units.is_match(w)) {
                continue;
            }
            let Some(last) = named.last().filter(|w| w.chars().count() >= 3) else {
                continue;
            };
            for t in knowledge::terms(last) {
                *seen.entry(t).or_default() += 1;
            }
        }
    }
    seen.into_iter()
        .filter(|(_, n)| *n >= 2)
        .map(|(t, _)| t)
        .collect()
}

/// A sentence's terms include `w`, or a longer or shorter form of it ("country" and the
/// stem "countr" of "countries").
fn says(terms: &BTreeSet<String>, w: &str) -> bool {
    terms.iter().any(|t| {
        t == w
            || (w.chars().count() >= 4 && t.starts_with(w))
            || (t.chars().count() >= 4 && w.starts_with(t.as_str()))
    })
}

/// Words of a text that name something: a word with a capital past its first letter
/// ("NetSuite", "GDPR"), or a capitalised word that does not open a sentence, a line, a
/// list item or a table cell; not a month or weekday name.
fn names_in(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let mut opens = true;
        for raw in line.split(|c: char| c.is_whitespace() || c == '/') {
            let word = raw.trim_matches(|c: char| !c.is_alphanumeric());
            let word = word
                .strip_suffix("'s")
                .or_else(|| word.strip_suffix("’s"))
                .unwrap_or(word);
            let starts = opens;
            opens =
                raw.ends_with(['.', '!', '?', ':', '|']) || matches!(raw, "-" | "—" | "|" | "*");
            if word.chars().count() < 2 || !word.chars().any(char::is_alphabetic) {
                continue;
            }
            let mut chars = word.chars();
            let first_upper = chars.next().is_some_and(char::is_uppercase);
            let inner_upper = chars.any(char::is_uppercase);
            let lower = word.to_lowercase();
            if (inner_upper || first_upper && !starts)
                && month_words(&lower).is_empty()
                && weekday_in(&lower).is_none()
                && !out.contains(&word.to_string())
            {
                out.push(word.to_string());
            }
        }
    }
    out
}

/// A workspace's topic vocabulary, built once per configuration: kept on [`Deps`] and
/// rebuilt when the configuration it was built from is replaced.
///
/// [`Deps`]: crate::ports::Deps
#[derive(Default)]
pub struct TopicsCache {
    slot: Mutex<Option<(Weak<AgentConfig>, Arc<Topics>)>>,
}

impl TopicsCache {
    pub fn get(&self, config: &Arc<AgentConfig>) -> Arc<Topics> {
        let mut slot = self.slot.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((built_from, topics)) = slot.as_ref()
            && built_from.strong_count() > 0
            && Weak::ptr_eq(built_from, &Arc::downgrade(config))
        {
            return topics.clone();
        }
        let topics = Arc::new(Topics::of(config));
        *slot = Some((Arc::downgrade(config), topics.clone()));
        topics
    }
}

impl std::fmt::Debug for TopicsCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TopicsCache")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::KnowledgeDoc;

    /// A seller's config with no knowledge.
    fn bare() -> AgentConfig {
        const TEXT: &str = r#"
mode = "engage"
state = "running"
[company]
name = "Neutral Seller"
[agent]
name = "Robin"
email = "robin@agent.seller.example"
signature = "Robin"
ai_disclosure = "I am an AI agent."
postal_address = "1 Main St, Boston"
unsubscribe_url = "https://x.example/u/{token}"
[icp]
industries = ["transport"]
employee_range = [10, 5000]
countries = ["US"]
titles_include = ["fleet"]
seniority_min = "manager"
tech_stack_any = []
weights = { industry = 25, size = 20, geo = 15, title = 25, tech = 15 }
tiers = { A = 80, B = 60, C = 40 }
[[assignment.sellers]]
handle = "sam"
email = "sam@seller.example"
"#;
        let no_files = |f: &crate::config::NamedFile<'_>| Err::<String, String>(f.name.to_string());
        #[allow(clippy::unwrap_used)]
        crate::config::parse(TEXT, &no_files).unwrap()
    }

    /// A neutral seller: tags `pricing`, `fleets` (no data file knows it) and `security`.
    fn config() -> AgentConfig {
        let mut c = bare();
        c.knowledge_docs.push(KnowledgeDoc {
            source: "faq.md".into(),
            text: "# FAQ\n## What does it cost? `[pricing]`\nFrom 10 per vehicle.\n\
                   ## Which vehicle fleets do you track? `[fleets]`\nVans and Quadrix trucks.\n\
                   ## Where is data hosted? `[security]`\nIn the EU.\n"
                .into(),
            ..Default::default()
        });
        c
    }

    fn topics_of(t: &Topics, text: &str) -> Vec<String> {
        let a = Analysis::new(text, Utc::now());
        t.question_topics(&a)
    }

    #[test]
    fn a_sellers_tags_are_found_by_generic_words_own_words_names_and_fallbacks() {
        let t = Topics::of(&config());
        assert_eq!(t.tags(), ["pricing", "fleets", "security"]);
        assert_eq!(
            topics_of(&t, "How much does it cost per month?"),
            ["pricing"]
        );
        assert_eq!(topics_of(&t, "Do you cover mixed fleets?"), ["fleets"]);
        assert_eq!(topics_of(&t, "Does it know Quadrix models?"), ["fleets"]);
        // Typed all in lower case, a name is still a name; in a written sentence a lower-case
        // word that spells a name is not.
        assert_eq!(topics_of(&t, "does it know quadrix models?"), ["fleets"]);
        assert!(topics_of(&t, "Does it know quadrix models?").is_empty());
        // No `data_residency` tag: hosting falls back to security; no `sso` tag and no
        // fallback: not emitted.
        assert_eq!(
            topics_of(&t, "Can the data be hosted in the EU?"),
            ["security"]
        );
        assert!(topics_of(&t, "Do you support SAML single sign-on?").is_empty());
        // Order is the seller's, not the order of the question.
        assert_eq!(
            topics_of(&t, "Where is it hosted, and what is the price?"),
            ["pricing", "security"]
        );
    }

    #[test]
    fn the_cache_builds_once_per_configuration() {
        let cache = TopicsCache::default();
        let first = Arc::new(config());
        let a = cache.get(&first);
        let b = cache.get(&first);
        assert!(Arc::ptr_eq(&a, &b));
        let replaced = Arc::new(bare());
        let c = cache.get(&replaced);
        assert!(!Arc::ptr_eq(&a, &c));
        assert!(c.tags().is_empty());
    }

    #[test]
    fn every_topic_file_parses_and_every_fragment_compiles() {
        for (code, text) in TOPIC_FILES {
            let file: TopicFile =
                toml::from_str(text).unwrap_or_else(|e| panic!("lang/{code}/topics.toml: {e}"));
            let lists = file
                .topic
                .iter()
                .map(|t| &t.words)
                .chain([&file.ignore, &file.integration_verbs]);
            assert!(
                file.plain.iter().all(|w| !w.trim().is_empty()),
                "lang/{code}/topics.toml: an empty plain word"
            );
            for list in lists {
                for f in list {
                    assert!(
                        Regex::new(f).is_ok(),
                        "lang/{code}/topics.toml: bad fragment {f:?}"
                    );
                }
            }
            for t in &file.topic {
                if let Some(to) = &t.falls_back_to {
                    assert!(
                        GENERIC.topics.iter().any(|(n, _, _)| n == to),
                        "lang/{code}/topics.toml: {} falls back to an unknown topic {to}",
                        t.name
                    );
                }
            }
        }
    }

    #[test]
    fn a_need_in_the_sellers_own_terms() {
        let mut c = bare();
        c.company.pain_points.push(
            "Fleet managers often hear about overdue inspections only when a vehicle is stopped."
                .into(),
        );
        c.knowledge_docs.push(KnowledgeDoc {
            source: "pricing.md".into(),
            text: "# Pricing\n## Plans `[pricing]`\nUp to **50** tracked vehicles and 3 depots.\n\
                   Add 10 tracked vehicles for 20 per month; 2 extra depots for 30 per month.\n\
                   Support answers within 2 days, and 4 days after a holiday.\n"
                .into(),
            ..Default::default()
        });
        let t = Topics::of(&c);
        // What the knowledge counts, in any number.
        assert!(t.states_need("we have about 1,200 vehicles in three countries"));
        assert!(t.states_need("(4 depots: north, south, east, west)"));
        assert!(!t.states_need("we could start in 2 days"));
        assert!(!t.states_need("we have 40 drivers"));
        // Two distinctive terms of a pain point; who the leads are (the ICP's titles) is none.
        assert!(t.states_need("we keep missing overdue inspections"));
        assert!(!t.states_need("our fleet managers are busy"));
        // Without a workspace, no seller words.
        assert!(!Topics::generic().states_need("we have about 1,200 vehicles"));
    }
}
