//! The classifier's vocabulary, as data: one `classify.toml` per language under
//! `shared/core/lang/<code>/`, and beside it a `bant.toml` with the wording of BANT facts,
//! compiled into the binary (`include_str!`) and parsed once.
//! Month and weekday names and the words around a return date live in the same folder's
//! `dates.toml`, read by the one date reader, [`crate::text::dates`].
//!
//! Every list in `classify.toml` holds regular-expression fragments matched against a
//! lowercased sentence with plain apostrophes; each list becomes one alternation wrapped in
//! word boundaries, and the lists of all languages are joined, so a reply is read in every
//! language at once (a Swedish opt-out quoted in an English reply still counts).

use regex::Regex;
use serde::Deserialize;
use std::sync::LazyLock;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// The languages with data files, in detection order.
#[cfg(test)]
const LANGS: &[&str] = &[
    "en", "de", "fr", "es", "nl", "it", "pt", "pl", "sv", "da", "no", "fi", "cs", "ro", "hu", "el",
    "sk", "sl", "hr", "bg", "et", "lv", "lt", "ca", "ru", "uk", "tr",
];

const CLASSIFY_FILES: &[(&str, &str)] = &[
    ("en", include_str!("../../../lang/en/classify.toml")),
    ("de", include_str!("../../../lang/de/classify.toml")),
    ("fr", include_str!("../../../lang/fr/classify.toml")),
    ("es", include_str!("../../../lang/es/classify.toml")),
    ("nl", include_str!("../../../lang/nl/classify.toml")),
    ("it", include_str!("../../../lang/it/classify.toml")),
    ("pt", include_str!("../../../lang/pt/classify.toml")),
    ("pl", include_str!("../../../lang/pl/classify.toml")),
    ("sv", include_str!("../../../lang/sv/classify.toml")),
    ("da", include_str!("../../../lang/da/classify.toml")),
    ("no", include_str!("../../../lang/no/classify.toml")),
    ("fi", include_str!("../../../lang/fi/classify.toml")),
    ("cs", include_str!("../../../lang/cs/classify.toml")),
    ("ro", include_str!("../../../lang/ro/classify.toml")),
    ("hu", include_str!("../../../lang/hu/classify.toml")),
    ("el", include_str!("../../../lang/el/classify.toml")),
    ("sk", include_str!("../../../lang/sk/classify.toml")),
    ("sl", include_str!("../../../lang/sl/classify.toml")),
    ("hr", include_str!("../../../lang/hr/classify.toml")),
    ("bg", include_str!("../../../lang/bg/classify.toml")),
    ("et", include_str!("../../../lang/et/classify.toml")),
    ("lv", include_str!("../../../lang/lv/classify.toml")),
    ("lt", include_str!("../../../lang/lt/classify.toml")),
    ("ca", include_str!("../../../lang/ca/classify.toml")),
    ("ru", include_str!("../../../lang/ru/classify.toml")),
    ("uk", include_str!("../../../lang/uk/classify.toml")),
    ("tr", include_str!("../../../lang/tr/classify.toml")),
];

/// The languages with a `bant.toml` (the others state no BANT fact the reader knows).
const BANT_FILES: &[(&str, &str)] = &[
    ("en", include_str!("../../../lang/en/bant.toml")),
    ("de", include_str!("../../../lang/de/bant.toml")),
    ("fr", include_str!("../../../lang/fr/bant.toml")),
    ("es", include_str!("../../../lang/es/bant.toml")),
    ("nl", include_str!("../../../lang/nl/bant.toml")),
    ("it", include_str!("../../../lang/it/bant.toml")),
    ("pt", include_str!("../../../lang/pt/bant.toml")),
];

/// The lists one `classify.toml` may hold (all optional).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ClassifyFile {
    /// Frequent short words that identify the language.
    #[serde(default)]
    pub stopwords: Vec<String>,
    /// Letters typical of the language (a small bonus in detection).
    #[serde(default)]
    pub letters: String,
    /// Chat shorthand and its full form, `"pls = please"`: a whole word written so in a
    /// reply in this language is read as its full form.
    #[serde(default)]
    pub shorthand: Vec<String>,
    #[serde(default)]
    pub unsubscribe: Vec<String>,
    /// A newsletter footer's opt-out notice ("you can unsubscribe at any time"): not a request.
    #[serde(default)]
    pub opt_out_footer: Vec<String>,
    #[serde(default)]
    pub complaint: Vec<String>,
    #[serde(default)]
    pub wrong_person: Vec<String>,
    #[serde(default)]
    pub redirect: Vec<String>,
    /// Weaker hints of a redirect, counted only when the reply names an address ("her e-mail
    /// is …").
    #[serde(default)]
    pub redirect_weak: Vec<String>,
    #[serde(default)]
    pub interested: Vec<String>,
    #[serde(default)]
    pub interest_noun: Vec<String>,
    #[serde(default)]
    pub interest_marker: Vec<String>,
    /// Text that tries to instruct the agent (added to `text::injection`).
    #[serde(default)]
    pub injection: Vec<String>,
    #[serde(default)]
    pub question: Vec<String>,
    /// Asking to know something ("I'd like to know whether …"), not asking for a meeting.
    #[serde(default)]
    pub info_only: Vec<String>,
    #[serde(default)]
    pub not_now: Vec<String>,
    #[serde(default)]
    pub not_interested: Vec<String>,
    /// Sentiment of annoyance or hostility (flagged for a person).
    #[serde(default)]
    pub negative: Vec<String>,
    /// Words that negate what follows in the clause ("no", "non", "não").
    #[serde(default)]
    pub negation: Vec<String>,
    /// What looks like a negation word but is not one (Portuguese "no próximo ano").
    #[serde(default)]
    pub not_negation: Vec<String>,
    #[serde(default)]
    pub absence: Vec<String>,
    #[serde(default)]
    pub absence_subject: Vec<String>,
    #[serde(default)]
    pub auto_subject: Vec<String>,
    #[serde(default)]
    pub auto_body: Vec<String>,
    #[serde(default)]
    pub pricing_request: Vec<String>,
    #[serde(default)]
    pub trial_request: Vec<String>,
    #[serde(default)]
    pub meeting_request: Vec<String>,
    #[serde(default)]
    pub competitor_comparison: Vec<String>,
    /// Requests strong enough alone ("let's talk", "send me a calendar invite"); also a person's sign in a message without automatic headers.
    #[serde(default)]
    pub interest_strong: Vec<String>,
    /// A meeting, call or demo (a request with one is not a mere question about a trial).
    #[serde(default)]
    pub meeting_noun: Vec<String>,
    /// Asking about something (how the trial works, information, a brochure), not for it.
    #[serde(default)]
    pub info_request: Vec<String>,
    /// Verbs of contact that make a later time a deferral ("write to me in March").
    #[serde(default)]
    pub contact_verb: Vec<String>,
    /// Declines that settle the intent but do not overrule a request in the same reply ("we already have", "all set").
    #[serde(default)]
    pub not_interested_weak: Vec<String>,
    /// An outright refusal that no request in the same reply survives.
    #[serde(default)]
    pub decline: Vec<String>,
    /// A later time ("next year", "after the migration", "in a few months").
    #[serde(default)]
    pub defer: Vec<String>,
    /// A deadline, not a postponement ("before our Q1 planning"): removed before reading a deferral.
    #[serde(default)]
    pub deadline: Vec<String>,
    /// Past-tense markers: a date in their company is no deferral ("we signed last March").
    #[serde(default)]
    pub past: Vec<String>,
    /// What joins two questions in one sentence after a comma ("…, and what is …"): the
    /// answers look each half up on its own.
    #[serde(default)]
    pub question_join: Vec<String>,
    /// An assistant's or urgent-contact line: the address after it is never a referral.
    #[serde(default)]
    pub assistant_or_urgent: Vec<String>,
    /// Words that greet the one a message is for ("Hi Mark"): the word after one is a name.
    #[serde(default)]
    pub greeting: Vec<String>,
    /// Words after a greeting that name no one ("Hi all", "Dear sir").
    #[serde(default)]
    pub not_a_name: Vec<String>,
    /// Forwarding to a colleague ("see below", "FYI").
    #[serde(default)]
    pub internal_note: Vec<String>,
    /// A spam folder named without complaining ("it was in my spam folder").
    #[serde(default)]
    pub spam_folder: Vec<String>,
    /// How an automatic reply's subject starts ("Automatic reply:"), read at its start.
    #[serde(default)]
    pub auto_subject_start: Vec<String>,
    /// A read or delivery receipt's subject word, before a colon ("Read: …").
    #[serde(default)]
    pub receipt_subject: Vec<String>,
    /// A ticket system's subject words ("[Ticket #123]", "Case no. 4711"), those that count
    /// only at the start ("Support #12"), and the words of a number ("no.").
    #[serde(default)]
    pub ticket_subject: Vec<String>,
    #[serde(default)]
    pub ticket_subject_start: Vec<String>,
    #[serde(default)]
    pub ticket_number: Vec<String>,
    /// The first word of a question that asks how something works ("Do you delete …?").
    #[serde(default)]
    pub question_opener: Vec<String>,
    /// A question about what the product does, whole ("bieten Sie"), or as an auxiliary,
    /// a subject other than one word ("your platform") and a verb ("Does X support …").
    #[serde(default)]
    pub product_question: Vec<String>,
    #[serde(default)]
    pub product_question_aux: Vec<String>,
    #[serde(default)]
    pub product_question_subject: Vec<String>,
    #[serde(default)]
    pub product_question_verb: Vec<String>,
    /// Subjects of such a question that are not the product ("Why would we need this?").
    #[serde(default)]
    pub not_the_product: Vec<String>,
    /// Asking for something without a question mark ("please send", "I'd like to know").
    #[serde(default)]
    pub request_lead: Vec<String>,
    /// Titles written before a name with a full stop ("Dr. Weber"): no end of a sentence.
    #[serde(default)]
    pub title_abbreviation: Vec<String>,
    /// Words that address a machine reader in hidden text ("AI", "assistant", "KI").
    #[serde(default)]
    pub ai_addressee: Vec<String>,
    /// The writer after a redirect word ("contact me in Q2"): no redirect to someone else.
    #[serde(default)]
    pub redirect_to_self: Vec<String>,
    /// The writer as a pronoun before a redirect verb ("mi scriva a gennaio"): no redirect.
    #[serde(default)]
    pub redirect_self_before: Vec<String>,
    /// A time that points back to a deferral in the same reply ("happy to talk then",
    /// "after that"): the request waits for it.
    #[serde(default)]
    pub then_ref: Vec<String>,
    /// Irony around a request ("Sure, I'd love a demo, right after …", "yet another …"): with
    /// a decline in the same reply, the decline is meant.
    #[serde(default)]
    pub sarcasm: Vec<String>,
    /// The "or" of an alternative question ("…, or can we pay monthly?"): each side is read
    /// on its own when looking for a request.
    #[serde(default)]
    pub question_or: Vec<String>,
    /// The writer proposes to start ("we could start in January", "potremmo partire a
    /// gennaio"): a request when the sentence before names what would start (a pilot, a
    /// trial).
    #[serde(default)]
    pub start_request: Vec<String>,
    /// A condition on a future event ("if the budget survives", "cuando terminemos"): a
    /// request with a later date that waits for it does not ask now.
    #[serde(default)]
    pub condition: Vec<String>,
    /// A sentence that turns against the one before ("En revanche, …", "But …"): an explicit
    /// request so introduced is the point of the reply, beside a deferral.
    #[serde(default)]
    pub contrast: Vec<String>,
    /// A question that takes our message for another matter ("Is this about the October
    /// invoice?"): the writer has not understood who writes; a person answers.
    #[serde(default)]
    pub other_matter: Vec<String>,
    /// Asking to be phoned ("give me a ring", "llámame"): with a phone number in the same
    /// sentence, a request for a call now.
    #[serde(default)]
    pub call_me: Vec<String>,
    /// The opening of a signature's legal notice (confidentiality, registered office, a
    /// privacy notice naming the reader's rights): that paragraph is no part of the message.
    #[serde(default)]
    pub legal_notice: Vec<String>,
}

/// One `bant.toml`: the wording of budget, authority, need and timeline, of a meeting (when
/// to meet is not when to buy) and of the joints between clauses. Every list is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct BantFile {
    #[serde(default)]
    pub budget: BudgetWords,
    #[serde(default)]
    pub authority: AuthorityWords,
    #[serde(default)]
    pub need: NeedWords,
    #[serde(default)]
    pub timeline: TimelineWords,
    #[serde(default)]
    pub meeting: MeetingWords,
    #[serde(default)]
    pub clause: ClauseWords,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct BudgetWords {
    /// A sentence that states a budget ("budget approved", "no budget").
    pub states: Vec<String>,
    /// Verbs of paying an amount per period ("we spend $40k a year").
    pub spend: Vec<String>,
    /// The period after an amount ("a year", "per month").
    pub per_period: Vec<String>,
    /// Words after a number that make it an amount ("million", "tsd").
    pub amount_unit: Vec<String>,
    /// Words about money, not time ("money set aside for 2027" dates the budget).
    pub word: Vec<String>,
    /// Budget wording the levels complete the reader with.
    pub mentions: Vec<String>,
    /// A budget that is missing or constrained ("no budget", "frozen").
    pub short: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct AuthorityWords {
    pub states: Vec<String>,
    pub mentions: Vec<String>,
    /// The writer decides or signs off ("I sign off", "ich entscheide").
    pub self_decides: Vec<String>,
    /// Not the writer's decision ("not my call").
    pub not_my_call: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct NeedWords {
    /// A problem or requirement in general words; a seller's own words come from its
    /// workspace ([`super::Topics::of`]).
    pub states: Vec<String>,
    /// What introduces something else ("what we need is …").
    pub not: Vec<String>,
    /// Saying there is no need: the only need fact of a decline.
    pub none: Vec<String>,
    /// Words after a number in a seller's knowledge that name no thing it counts ("30 days").
    pub not_units: Vec<String>,
    pub mentions: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct TimelineWords {
    /// What is to happen at a time (deciding, starting, buying, talking again).
    pub action: Vec<String>,
    /// A time to come ("next quarter", "im März").
    pub time: Vec<String>,
    /// A time past ("last year", "ago").
    pub past: Vec<String>,
    /// Verbs of something done ("we signed").
    pub done: Vec<String>,
    /// A future ("will"): a sentence with one is not only about the past.
    pub future: Vec<String>,
    pub mentions: Vec<String>,
    /// Soon: a timeline within about three months ("asap", "next month").
    pub urgent: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct MeetingWords {
    /// A slot ("Thursday", "2pm", "mornings").
    pub slot: Vec<String>,
    /// A meeting, a call, a talk.
    pub talk: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct ClauseWords {
    /// Words after a comma that start a new clause (", because …").
    pub after_comma: Vec<String>,
    /// Words that join two clauses when a subject follows (" and we …").
    pub joins: Vec<String>,
    pub subjects: Vec<String>,
}

#[cfg(test)]
impl BantFile {
    /// Every list, by its key.
    fn lists(&self) -> Vec<(&'static str, &Vec<String>)> {
        let (b, a, n, t, m, c) = (
            &self.budget,
            &self.authority,
            &self.need,
            &self.timeline,
            &self.meeting,
            &self.clause,
        );
        vec![
            ("budget.states", &b.states),
            ("budget.spend", &b.spend),
            ("budget.per_period", &b.per_period),
            ("budget.amount_unit", &b.amount_unit),
            ("budget.word", &b.word),
            ("budget.mentions", &b.mentions),
            ("budget.short", &b.short),
            ("authority.states", &a.states),
            ("authority.mentions", &a.mentions),
            ("authority.self_decides", &a.self_decides),
            ("authority.not_my_call", &a.not_my_call),
            ("need.states", &n.states),
            ("need.not", &n.not),
            ("need.none", &n.none),
            ("need.not_units", &n.not_units),
            ("need.mentions", &n.mentions),
            ("timeline.action", &t.action),
            ("timeline.time", &t.time),
            ("timeline.past", &t.past),
            ("timeline.done", &t.done),
            ("timeline.future", &t.future),
            ("timeline.mentions", &t.mentions),
            ("timeline.urgent", &t.urgent),
            ("meeting.slot", &m.slot),
            ("meeting.talk", &m.talk),
            ("clause.after_comma", &c.after_comma),
            ("clause.joins", &c.joins),
            ("clause.subjects", &c.subjects),
        ]
    }
}

pub(crate) struct Lang {
    pub code: &'static str,
    pub classify: ClassifyFile,
    pub bant: BantFile,
}

/// Every language's file, parsed once. A file that does not parse is a bug of the data and
/// fails the per-language tests; at run time it contributes nothing rather than panicking.
pub(crate) static LANG_DATA: LazyLock<Vec<Lang>> = LazyLock::new(|| {
    CLASSIFY_FILES
        .iter()
        .map(|(code, text)| Lang {
            code,
            classify: toml::from_str(text).unwrap_or_default(),
            bant: BANT_FILES
                .iter()
                .find(|(c, _)| c == code)
                .and_then(|(_, text)| toml::from_str(text).ok())
                .unwrap_or_default(),
        })
        .collect()
});

/// A language's shorthand ("u", "pls", "b4") and the pattern that finds its words.
pub(crate) struct Shorthand {
    words: std::collections::HashMap<String, String>,
    pattern: Regex,
}

/// Each language's shorthand, by language code.
static SHORTHAND: LazyLock<std::collections::HashMap<&'static str, Shorthand>> =
    LazyLock::new(|| {
        LANG_DATA
            .iter()
            .filter_map(|l| {
                let words: std::collections::HashMap<String, String> = l
                    .classify
                    .shorthand
                    .iter()
                    .filter_map(|entry| entry.split_once(" = "))
                    .map(|(short, full)| (short.trim().to_string(), full.trim().to_string()))
                    .filter(|(short, full)| !short.is_empty() && !full.is_empty())
                    .collect();
                if words.is_empty() {
                    return None;
                }
                let mut keys: Vec<&String> = words.keys().collect();
                // The longest first, so "b4" is not read as "b" then "4".
                keys.sort_by_key(|k| std::cmp::Reverse(k.len()));
                let alternation = keys
                    .iter()
                    .map(|k| regex::escape(k))
                    .collect::<Vec<_>>()
                    .join("|");
                let pattern = compile(&format!(r"(?:^|\b)(?:{alternation})(?:\b|$)"));
                Some((l.code, Shorthand { words, pattern }))
            })
            .collect()
    });

/// Is `word` a piece of `lang`'s chat shorthand ("vc" in Portuguese)?
pub(crate) fn is_shorthand(lang: &str, word: &str) -> bool {
    SHORTHAND
        .get(lang)
        .is_some_and(|s| s.words.contains_key(word))
}

/// `lower` with the chat shorthand of `lang` written out ("do u do payroll in zurich" →
/// "do you do payroll in zurich"); unchanged in a language without shorthand.
pub(crate) fn expand_shorthand(lower: &str, lang: &str) -> String {
    let Some(s) = SHORTHAND.get(lang) else {
        return lower.to_string();
    };
    s.pattern
        .replace_all(lower, |c: &regex::Captures| {
            s.words
                .get(&c[0])
                .cloned()
                .unwrap_or_else(|| c[0].to_string())
        })
        .into_owned()
}

/// One list of every language's `classify.toml`, in language order (to build a pattern
/// around it).
pub(crate) fn classify_words(
    list: fn(&ClassifyFile) -> &Vec<String>,
) -> impl Iterator<Item = &'static String> {
    LANG_DATA.iter().flat_map(move |l| list(&l.classify).iter())
}

/// One list of every language's `bant.toml`, in language order.
pub(crate) fn bant_words(
    list: fn(&BantFile) -> &Vec<String>,
) -> impl Iterator<Item = &'static String> {
    LANG_DATA.iter().flat_map(move |l| list(&l.bant).iter())
}

/// `(?:f1|f2|…)` over the fragments, without word boundaries (to build a larger pattern
/// around them); a class that matches nothing when the list is empty.
pub(crate) fn union<'a>(fragments: impl Iterator<Item = &'a String>) -> String {
    let parts: Vec<String> = fragments
        .filter(|f| !f.trim().is_empty())
        .map(|f| format!("(?:{})", non_capturing(&tolerant(f))))
        .collect();
    if parts.is_empty() {
        r"[^\s\S]".to_string()
    } else {
        format!("(?:{})", parts.join("|"))
    }
}

/// A pattern built around data fragments; one that matches nothing if a fragment is broken
/// or the whole is too large (the data tests name both). The union of all languages'
/// Unicode classes and bounded gaps (`.{0,60}`) is large, so the compiled size allowed is
/// above the regex crate's default.
pub(crate) fn compile(pattern: &str) -> Regex {
    regex::RegexBuilder::new(pattern)
        .size_limit(64 << 20)
        .dfa_size_limit(64 << 20)
        .build()
        .unwrap_or_else(|_| {
            #[allow(clippy::expect_used)]
            Regex::new(r"[^\s\S]").expect("the empty pattern")
        })
}

/// Words of at least this many letters also match when written without their accents.
const TOLERANT_FROM: usize = 5;

/// `fragment`, so that it also matches as people type on a phone or a foreign keyboard:
/// longer words without their accents ("später" also matches "spaeter" and "spater",
/// "désolé" "desole", "děkuji" "dekuji", "ευχαριστώ" "ευχαριστω"), and apostrophes left out
/// ("don't" "dont", "i'm" "im", "j'ai" "jai"). Accents only in words of five letters or more:
/// in shorter ones the accent often tells two words apart (es "sí" / "si", fr "où" / "ou",
/// pt "é" / "e"). Escapes, classes and group syntax are kept as they are.
pub(crate) fn tolerant(fragment: &str) -> String {
    let chars: Vec<char> = fragment.chars().collect();
    // Which characters are letters of the fragment's words (not of `\b`, `\p{L}`, `(?i)`).
    let mut letter = vec![false; chars.len()];
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\\' => {
                i += 2;
                if matches!(chars.get(i - 1), Some('p' | 'P')) && chars.get(i) == Some(&'{') {
                    while i < chars.len() && chars[i] != '}' {
                        i += 1;
                    }
                }
            }
            '(' if chars.get(i + 1) == Some(&'?') => {
                i += 2;
                while i < chars.len() && chars[i].is_alphabetic() {
                    i += 1;
                }
            }
            c => {
                letter[i] = c.is_alphabetic();
                i += 1;
            }
        }
    }
    // The length of the word each letter is in.
    let mut word_len = vec![0usize; chars.len()];
    let mut start = 0;
    while start < chars.len() {
        if !letter[start] {
            start += 1;
            continue;
        }
        let end = (start..chars.len())
            .find(|&j| !letter[j])
            .unwrap_or(chars.len());
        word_len[start..end].fill(end - start);
        start = end;
    }
    let mut out = String::with_capacity(fragment.len() + 16);
    let mut class = 0usize;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        // An escape is copied as written, `\p{…}` with its braces (`\[` opens no class).
        if c == '\\' {
            out.push(c);
            let escaped = chars.get(i + 1).copied();
            out.extend(escaped);
            i += 2;
            if matches!(escaped, Some('p' | 'P')) && chars.get(i) == Some(&'{') {
                while i < chars.len() {
                    out.push(chars[i]);
                    i += 1;
                    if chars[i - 1] == '}' {
                        break;
                    }
                }
            }
            continue;
        }
        if !letter[i] {
            // Copied as written; only classes are tracked (a letter in one gets its plain
            // form added beside it, not a group).
            match c {
                '[' => class += 1,
                ']' if class > 0 => class -= 1,
                _ => {}
            }
            out.push(c);
            // An apostrophe may be left out, unless the fragment already says how often.
            if c == '\'' && class == 0 && !matches!(chars.get(i + 1), Some('?' | '*' | '+' | '{')) {
                out.push('?');
            }
            if c == '[' {
                // "[]…]" and "[^]…]": a "]" first in a class is a literal.
                if chars.get(i + 1) == Some(&'^') {
                    i += 1;
                    out.push('^');
                }
                if chars.get(i + 1) == Some(&']') {
                    i += 1;
                    out.push(']');
                }
            }
            i += 1;
            continue;
        }
        let plain = if word_len[i] >= TOLERANT_FROM {
            unaccented(c)
        } else {
            Vec::new()
        };
        if plain.is_empty() {
            out.push(c);
        } else if class > 0 {
            out.push(c);
            out.extend(
                plain
                    .iter()
                    .filter(|p| p.chars().count() == 1)
                    .map(String::as_str),
            );
        } else {
            out.push_str("(?:");
            out.push(c);
            for p in &plain {
                out.push('|');
                out.push_str(p);
            }
            out.push(')');
        }
        i += 1;
    }
    out
}

/// How a letter is written without its accent: "ä" as "ae" or "a", "ß" as "ss", "é" as
/// "e"; nothing for a plain letter.
fn unaccented(c: char) -> Vec<String> {
    let spelled: &[(char, &[&str])] = &[
        ('ä', &["ae", "a"]),
        ('ö', &["oe", "o"]),
        ('ü', &["ue", "u"]),
        ('ß', &["ss"]),
        ('æ', &["ae"]),
        ('ø', &["oe", "o"]),
        ('å', &["aa", "a"]),
        ('ł', &["l"]),
        ('đ', &["d"]),
        ('ı', &["i"]),
    ];
    if let Some((_, plain)) = spelled.iter().find(|(k, _)| *k == c) {
        return plain.iter().map(|p| p.to_string()).collect();
    }
    let mut decomposed = std::iter::once(c).nfd();
    match decomposed.next() {
        Some(base) if base != c && decomposed.all(is_combining_mark) => vec![base.to_string()],
        _ => Vec::new(),
    }
}

/// `fragment` with its groups made non-capturing. Nothing reads the groups of a joined list,
/// and the regex engine keeps a slot for each group in every state of its search: with the
/// groups of every language's opt-out phrases that is gigabytes per searching thread.
fn non_capturing(fragment: &str) -> String {
    let mut out = String::with_capacity(fragment.len() + 16);
    let mut chars = fragment.chars().peekable();
    // Depth of (possibly nested) character classes: a "(" inside one is a literal.
    let mut class = 0usize;
    while let Some(c) = chars.next() {
        out.push(c);
        match c {
            '\\' => out.extend(chars.next()),
            '[' => {
                class += 1;
                // "[]…]" and "[^]…]": a "]" first in a class is a literal.
                if chars.peek() == Some(&'^') {
                    out.extend(chars.next());
                }
                if chars.peek() == Some(&']') {
                    out.extend(chars.next());
                }
            }
            ']' if class > 0 => class -= 1,
            '(' if class == 0 && chars.peek() != Some(&'?') => out.push_str("?:"),
            _ => {}
        }
    }
    out
}

/// `\b(?:f1|f2|…)\b` over the fragments of all languages; a regex that matches nothing when
/// the lists are empty.
pub(crate) fn alternation<'a>(fragments: impl Iterator<Item = &'a String>) -> Regex {
    // A broken fragment in one list: the list matches nothing (the data tests name it).
    compile(&bounded(fragments))
}

/// Does `re` match the whole of `word` ("all" is a word of `not_a_name`, "allison" is not)?
pub(crate) fn whole(re: &Regex, word: &str) -> bool {
    re.find(word)
        .is_some_and(|m| m.start() == 0 && m.end() == word.len())
}

/// The pattern of [`alternation`], to build a larger one around.
pub(crate) fn bounded<'a>(fragments: impl Iterator<Item = &'a String>) -> String {
    let parts: Vec<&String> = fragments.filter(|f| !f.trim().is_empty()).collect();
    if parts.is_empty() {
        return r"[^\s\S]".to_string();
    }
    format!(r"(?:^|\b){}(?:\b|$)", union(parts.into_iter()))
}

/// The union over all languages of one list of `classify.toml` (`vocab!(NAME, list)`) or
/// of `bant.toml` (`vocab!(NAME, bant table.list)`).
macro_rules! vocab {
    ($(#[$doc:meta])* $name:ident, $field:ident) => {
        $(#[$doc])*
        pub(crate) static $name: LazyLock<Regex> = LazyLock::new(|| {
            alternation(LANG_DATA.iter().flat_map(|l| l.classify.$field.iter()))
        });
    };
    ($(#[$doc:meta])* $name:ident, bant $($field:ident).+) => {
        $(#[$doc])*
        pub(crate) static $name: LazyLock<Regex> =
            LazyLock::new(|| alternation(bant_words(|b| &b.$($field).+)));
    };
}

vocab!(UNSUBSCRIBE, unsubscribe);
vocab!(COMPLAINT, complaint);
vocab!(OPT_OUT_FOOTER, opt_out_footer);
vocab!(WRONG_PERSON, wrong_person);
vocab!(REDIRECT, redirect);
vocab!(REDIRECT_WEAK, redirect_weak);
vocab!(INTERESTED, interested);
vocab!(INTEREST_NOUN, interest_noun);
vocab!(INTEREST_MARKER, interest_marker);
vocab!(QUESTION, question);
vocab!(INJECTION, injection);
vocab!(INFO_ONLY, info_only);
vocab!(NOT_NOW, not_now);
vocab!(NOT_INTERESTED, not_interested);
vocab!(NEGATIVE, negative);
vocab!(NEGATION, negation);
vocab!(NOT_NEGATION, not_negation);
vocab!(INTEREST_STRONG, interest_strong);
vocab!(MEETING_NOUN, meeting_noun);
vocab!(INFO_REQUEST, info_request);
vocab!(CONTACT_VERB, contact_verb);
vocab!(NOT_INTERESTED_WEAK, not_interested_weak);
vocab!(DECLINE, decline);
vocab!(DEFER, defer);
vocab!(DEADLINE, deadline);
vocab!(PAST, past);
vocab!(QUESTION_JOIN, question_join);
vocab!(ASSISTANT_OR_URGENT, assistant_or_urgent);
vocab!(NOT_A_NAME, not_a_name);
vocab!(INTERNAL_NOTE, internal_note);
vocab!(SPAM_FOLDER, spam_folder);
vocab!(PRODUCT_QUESTION, product_question);
vocab!(NOT_THE_PRODUCT, not_the_product);
vocab!(REQUEST_LEAD, request_lead);
vocab!(TITLE_ABBREVIATION, title_abbreviation);
vocab!(AI_ADDRESSEE, ai_addressee);
vocab!(ABSENCE, absence);
vocab!(ABSENCE_SUBJECT, absence_subject);
vocab!(AUTO_SUBJECT, auto_subject);
vocab!(AUTO_BODY, auto_body);
vocab!(PRICING_REQUEST, pricing_request);
vocab!(TRIAL_REQUEST, trial_request);
vocab!(MEETING_REQUEST, meeting_request);
vocab!(COMPETITOR_COMPARISON, competitor_comparison);
vocab!(THEN_REF, then_ref);
vocab!(START_REQUEST, start_request);
vocab!(CONDITION, condition);
vocab!(CONTRAST, contrast);
vocab!(OTHER_MATTER, other_matter);
vocab!(CALL_ME, call_me);
vocab!(LEGAL_NOTICE, legal_notice);
vocab!(SARCASM, sarcasm);
/// A split point between the two sides of an alternative question: ";" or a language's "or".
pub(crate) static QUESTION_OR: LazyLock<Regex> =
    LazyLock::new(|| question_or_of(LANG_DATA.iter().flat_map(|l| l.classify.question_or.iter())));

/// The split points of one language: Dutch "of" is English "of", not "or", so a reply is
/// split by its own language's word (all languages' words when its language is unknown).
pub(crate) fn question_or(lang: &str) -> &'static Regex {
    static BY_LANG: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
        LANG_DATA
            .iter()
            .map(|l| (l.code, question_or_of(l.classify.question_or.iter())))
            .collect()
    });
    BY_LANG
        .iter()
        .find(|(code, _)| *code == lang)
        .map_or(&*QUESTION_OR, |(_, re)| re)
}

fn question_or_of<'a>(words: impl Iterator<Item = &'a String>) -> Regex {
    let words: Vec<String> = words
        .map(|w| format!(",?\\s+{w}\\s+"))
        .chain(std::iter::once(";".to_string()))
        .collect();
    Regex::new(&words.join("|")).unwrap_or_else(|_| {
        #[allow(clippy::expect_used)]
        Regex::new(";").expect("a semicolon")
    })
}

// BANT wording (`bant.toml`): what the reader looks for, and what the levels complete it with.
vocab!(AUTHORITY_STATES, bant authority.states);
vocab!(NEED_STATES, bant need.states);
vocab!(NEED_NOT, bant need.not);
vocab!(NO_NEED, bant need.none);
vocab!(TIMELINE_ACTION, bant timeline.action);
vocab!(TIME_PAST, bant timeline.past);
vocab!(DONE, bant timeline.done);
vocab!(FUTURE, bant timeline.future);
vocab!(BUDGET_WORD, bant budget.word);
vocab!(MEETING_TALK, bant meeting.talk);
vocab!(BUDGET_MENTION, bant budget.mentions);
vocab!(AUTHORITY_MENTION, bant authority.mentions);
vocab!(NEED_MENTION, bant need.mentions);
vocab!(TIMELINE_MENTION, bant timeline.mentions);
vocab!(BUDGET_SHORT, bant budget.short);
vocab!(SELF_DECIDES, bant authority.self_decides);
vocab!(NOT_MY_CALL, bant authority.not_my_call);
vocab!(URGENT, bant timeline.urgent);

/// Return and until words of all languages (`dates.toml`, read by [`crate::text::dates`]).
pub(crate) static DATE_BACK: LazyLock<Regex> =
    LazyLock::new(|| alternation(crate::text::dates::back_words().iter()));
pub(crate) static DATE_UNTIL: LazyLock<Regex> =
    LazyLock::new(|| alternation(crate::text::dates::until_words().iter()));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_also_match_without_their_accents_or_apostrophes() {
        let re = |f: &str| compile(&bounded([f.to_string()].iter()));
        let later = re("erst (?:im|ab) (?:april|später)");
        for text in ["erst ab später", "erst ab spaeter", "erst ab spater"] {
            assert!(later.is_match(text), "{text}");
        }
        assert!(re("désolé").is_match("desole"));
        assert!(re("děkuji").is_match("dekuji"));
        assert!(re("ευχαριστώ").is_match("ευχαριστω"));
        assert!(re("große pläne").is_match("grosse plaene"));
        // A class keeps being a class, escapes and groups stay as written.
        assert!(re(r"[äa]ndern\b").is_match("andern"));
        assert!(re(r"(?:nächst)\w*").is_match("naechste"));
        assert!(re(r"\w+ später").is_match("wir spater"));
        assert_eq!(tolerant(r"\p{L}+ später"), r"\p{L}+ sp(?:ä|ae|a)ter");
        assert!(re("i don't need it").is_match("i dont need it"));
        assert!(re("j'ai pas le temps").is_match("jai pas le temps"));
        assert!(re("[a-z]+'s").is_match("its"));
        assert_eq!(tolerant("l'?ho"), "l'?ho");
        // Short words keep their accent: "si" is no "sí", "ou" no "où".
        assert!(!re("sí").is_match("si"));
        assert!(!re("où").is_match("ou"));
        assert_eq!(tolerant(r"no\s+\w+"), r"no\s+\w+");
        // An escaped bracket opens no class: the word after it is still made tolerant.
        assert_eq!(tolerant(r"\[später\]"), r"\[sp(?:ä|ae|a)ter\]");
        assert_eq!(tolerant(r"\'"), r"\'");
    }

    #[test]
    fn every_data_file_parses_and_every_fragment_compiles() {
        assert_eq!(CLASSIFY_FILES.len(), LANGS.len());
        for (code, text) in CLASSIFY_FILES {
            let file: ClassifyFile =
                toml::from_str(text).unwrap_or_else(|e| panic!("lang/{code}/classify.toml: {e}"));
            let lists = [
                &file.unsubscribe,
                &file.complaint,
                &file.opt_out_footer,
                &file.wrong_person,
                &file.redirect,
                &file.redirect_weak,
                &file.interested,
                &file.interest_noun,
                &file.interest_marker,
                &file.question,
                &file.injection,
                &file.info_only,
                &file.not_now,
                &file.not_interested,
                &file.negative,
                &file.negation,
                &file.not_negation,
                &file.interest_strong,
                &file.meeting_noun,
                &file.info_request,
                &file.contact_verb,
                &file.not_interested_weak,
                &file.decline,
                &file.defer,
                &file.deadline,
                &file.past,
                &file.question_join,
                &file.assistant_or_urgent,
                &file.absence,
                &file.absence_subject,
                &file.auto_subject,
                &file.auto_body,
                &file.pricing_request,
                &file.trial_request,
                &file.meeting_request,
                &file.competitor_comparison,
                &file.greeting,
                &file.not_a_name,
                &file.internal_note,
                &file.spam_folder,
                &file.auto_subject_start,
                &file.receipt_subject,
                &file.ticket_subject,
                &file.ticket_subject_start,
                &file.ticket_number,
                &file.question_opener,
                &file.product_question,
                &file.product_question_aux,
                &file.product_question_subject,
                &file.product_question_verb,
                &file.not_the_product,
                &file.request_lead,
                &file.title_abbreviation,
                &file.ai_addressee,
                &file.redirect_to_self,
                &file.redirect_self_before,
                &file.then_ref,
                &file.sarcasm,
                &file.question_or,
                &file.start_request,
                &file.condition,
                &file.contrast,
                &file.other_matter,
                &file.call_me,
                &file.legal_notice,
            ];
            for list in lists {
                for f in list {
                    assert!(
                        Regex::new(f).is_ok(),
                        "lang/{code}/classify.toml: bad fragment {f:?}"
                    );
                }
            }
            assert!(!file.stopwords.is_empty(), "lang/{code}: no stop words");
            assert!(
                !file.unsubscribe.is_empty(),
                "lang/{code}: no opt-out phrases"
            );
            assert!(
                !file.complaint.is_empty(),
                "lang/{code}: no complaint phrases"
            );
            assert!(!file.absence.is_empty(), "lang/{code}: no absence phrases");
            assert!(
                !file.auto_body.is_empty(),
                "lang/{code}: no auto-reply phrases"
            );
        }
    }

    #[test]
    fn groups_of_a_joined_list_capture_nothing() {
        assert_eq!(
            non_capturing(r"(a|b\(c\))[(x]?(?:d)(?i)(e[^]f(]*)"),
            r"(?:a|b\(c\))[(x]?(?:d)(?i)(?:e[^]f(]*)"
        );
        assert_eq!(UNSUBSCRIBE.captures_len(), 1);
    }

    /// A list too large for the regex size limit once all languages are joined would match
    /// nothing at all (`alternation` falls back to the empty pattern): every opt-out missed.
    #[test]
    fn every_list_of_all_languages_compiles_as_one_regex() {
        macro_rules! joined {
            ($($name:ident: $field:ident),*) => {
                [$((
                    stringify!($field),
                    &*$name,
                    LANG_DATA.iter().map(|l| l.classify.$field.len()).sum::<usize>(),
                )),*]
            };
        }
        let lists = joined!(
            UNSUBSCRIBE: unsubscribe,
            COMPLAINT: complaint,
            OPT_OUT_FOOTER: opt_out_footer,
            WRONG_PERSON: wrong_person,
            REDIRECT: redirect,
            REDIRECT_WEAK: redirect_weak,
            INTERESTED: interested,
            INTEREST_NOUN: interest_noun,
            INTEREST_MARKER: interest_marker,
            QUESTION: question,
            INJECTION: injection,
            INFO_ONLY: info_only,
            NOT_NOW: not_now,
            NOT_INTERESTED: not_interested,
            NEGATIVE: negative,
            NEGATION: negation,
            NOT_NEGATION: not_negation,
            INTEREST_STRONG: interest_strong,
            MEETING_NOUN: meeting_noun,
            INFO_REQUEST: info_request,
            CONTACT_VERB: contact_verb,
            NOT_INTERESTED_WEAK: not_interested_weak,
            DECLINE: decline,
            DEFER: defer,
            DEADLINE: deadline,
            PAST: past,
            QUESTION_JOIN: question_join,
            ASSISTANT_OR_URGENT: assistant_or_urgent,
            ABSENCE: absence,
            ABSENCE_SUBJECT: absence_subject,
            AUTO_SUBJECT: auto_subject,
            AUTO_BODY: auto_body,
            PRICING_REQUEST: pricing_request,
            TRIAL_REQUEST: trial_request,
            MEETING_REQUEST: meeting_request,
            COMPETITOR_COMPARISON: competitor_comparison,
            THEN_REF: then_ref,
            SARCASM: sarcasm,
            START_REQUEST: start_request,
            CONDITION: condition,
            CONTRAST: contrast,
            OTHER_MATTER: other_matter,
            CALL_ME: call_me,
            LEGAL_NOTICE: legal_notice
        );
        assert_ne!(
            QUESTION_OR.as_str(),
            ";",
            "the question_or words do not compile"
        );
        for (field, re, fragments) in lists {
            assert!(
                fragments == 0 || re.as_str() != r"[^\s\S]",
                "the {field} lists of all languages do not compile as one regex"
            );
        }
        for (field, re) in [
            ("AUTHORITY_STATES", &*AUTHORITY_STATES),
            ("NEED_STATES", &*NEED_STATES),
            ("NEED_NOT", &*NEED_NOT),
            ("NO_NEED", &*NO_NEED),
            ("TIMELINE_ACTION", &*TIMELINE_ACTION),
            ("TIME_PAST", &*TIME_PAST),
            ("DONE", &*DONE),
            ("FUTURE", &*FUTURE),
            ("BUDGET_WORD", &*BUDGET_WORD),
            ("MEETING_TALK", &*MEETING_TALK),
            ("BUDGET_MENTION", &*BUDGET_MENTION),
            ("AUTHORITY_MENTION", &*AUTHORITY_MENTION),
            ("NEED_MENTION", &*NEED_MENTION),
            ("TIMELINE_MENTION", &*TIMELINE_MENTION),
            ("BUDGET_SHORT", &*BUDGET_SHORT),
            ("SELF_DECIDES", &*SELF_DECIDES),
            ("NOT_MY_CALL", &*NOT_MY_CALL),
            ("URGENT", &*URGENT),
        ] {
            assert_ne!(
                re.as_str(),
                r"[^\s\S]",
                "the bant {field} lists do not compile as one regex"
            );
        }
        for (what, re) in [("return", &*DATE_BACK), ("until", &*DATE_UNTIL)] {
            assert_ne!(re.as_str(), r"[^\s\S]", "the {what} words do not compile");
        }
    }

    fn bant_file(code: &str) -> BantFile {
        let text = BANT_FILES
            .iter()
            .find(|(c, _)| *c == code)
            .map_or_else(|| panic!("lang/{code}/bant.toml missing"), |(_, t)| *t);
        toml::from_str(text).unwrap_or_else(|e| panic!("lang/{code}/bant.toml: {e}"))
    }

    #[test]
    fn every_bant_file_parses_and_every_fragment_compiles() {
        for (code, _) in BANT_FILES {
            assert!(
                LANGS.contains(code),
                "lang/{code}/bant.toml: no classify.toml"
            );
            let file = bant_file(code);
            for (key, list) in file.lists() {
                for f in list {
                    assert!(
                        Regex::new(f).is_ok(),
                        "lang/{code}/bant.toml: bad fragment in {key}: {f:?}"
                    );
                }
            }
        }
        // The wording built into larger patterns compiles there too.
        for re in [
            &*super::super::bant::BUDGET,
            &*super::super::bant::TIME_EXPR,
            &*super::super::bant::MEETING_SLOT,
        ] {
            assert_ne!(re.as_str(), r"[^\s\S]");
        }
    }

    /// Each language of the BANT reader, in its own words: one sample per list, matched by
    /// that language's fragments alone.
    #[test]
    fn every_language_states_bant_facts_in_its_own_words() {
        let samples: &[(&str, &[(&str, &str)])] = &[
            (
                "en",
                &[
                    ("budget.states", "the budget is approved for this"),
                    ("budget.mentions", "what is the price range"),
                    ("budget.short", "our budget is tight"),
                    ("authority.states", "our cfo would sign off on it"),
                    ("authority.self_decides", "i make the call on tooling"),
                    ("authority.not_my_call", "it's not my call"),
                    ("need.states", "we keep struggling with outages"),
                    ("need.none", "we have no need for it"),
                    ("timeline.action", "we want to decide"),
                    ("timeline.time", "by the end of march"),
                    ("timeline.urgent", "we need it asap"),
                    ("meeting.talk", "let's set up a call"),
                ],
            ),
            (
                "de",
                &[
                    ("budget.states", "das budget ist freigegeben"),
                    ("budget.mentions", "wie ist der kostenrahmen"),
                    ("budget.short", "das budget ist knapp"),
                    ("authority.states", "die freigabe liegt beim cfo"),
                    ("authority.self_decides", "ich entscheide das"),
                    ("authority.not_my_call", "das ist nicht meine entscheidung"),
                    ("need.states", "wir haben ständig probleme mit ausfällen"),
                    ("timeline.action", "wir wollen im märz starten"),
                    ("timeline.time", "nächstes quartal"),
                    ("timeline.urgent", "wir brauchen es dringend"),
                    ("meeting.talk", "ein kurzes gespräch"),
                ],
            ),
            (
                "fr",
                &[
                    ("budget.states", "le budget est validé"),
                    ("budget.mentions", "quelle enveloppe faut-il prévoir"),
                    ("budget.short", "notre budget est serré"),
                    ("authority.states", "c'est moi qui décide"),
                    ("authority.self_decides", "je valide les achats"),
                    ("authority.not_my_call", "ce n'est pas ma décision"),
                    ("need.states", "nous avons besoin d'une solution"),
                    ("timeline.action", "nous voulons démarrer"),
                    ("timeline.time", "d'ici avril"),
                    ("timeline.urgent", "dès que possible"),
                    ("meeting.talk", "un appel rapide"),
                ],
            ),
            (
                "es",
                &[
                    ("budget.states", "el presupuesto está aprobado"),
                    ("budget.mentions", "cuál es el coste"),
                    ("budget.short", "sin presupuesto este año"),
                    ("authority.states", "la decisión final es mía"),
                    ("authority.self_decides", "yo decido sobre las herramientas"),
                    ("authority.not_my_call", "no depende de mí"),
                    ("need.states", "tenemos problemas cada semana"),
                    ("timeline.action", "queremos empezar pronto"),
                    ("timeline.time", "el próximo trimestre"),
                    ("timeline.urgent", "lo antes posible"),
                    ("meeting.talk", "una llamada corta"),
                ],
            ),
            (
                "nl",
                &[
                    ("budget.states", "het budget is goedgekeurd"),
                    ("budget.mentions", "wat zijn de kosten"),
                    ("budget.short", "ons budget is beperkt"),
                    ("authority.states", "de beslissing ligt bij onze cfo"),
                    ("authority.self_decides", "ik beslis daarover"),
                    ("authority.not_my_call", "dat is niet mijn beslissing"),
                    ("need.states", "we hebben elke week storingen"),
                    ("timeline.action", "we willen in maart beginnen"),
                    ("timeline.time", "volgend kwartaal"),
                    ("timeline.urgent", "zo snel mogelijk"),
                    ("meeting.talk", "een kort gesprek"),
                ],
            ),
            (
                "it",
                &[
                    ("budget.states", "il budget è stato approvato"),
                    ("budget.mentions", "qual è il costo"),
                    ("budget.short", "nessun budget quest'anno"),
                    ("authority.states", "la decisione finale spetta al cfo"),
                    ("authority.self_decides", "decido io sugli strumenti"),
                    ("authority.not_my_call", "non spetta a me"),
                    ("need.states", "abbiamo continui problemi con i dati"),
                    ("timeline.action", "vogliamo iniziare a marzo"),
                    ("timeline.time", "il prossimo trimestre"),
                    ("timeline.urgent", "al più presto"),
                    ("meeting.talk", "una breve chiamata"),
                ],
            ),
            (
                "pt",
                &[
                    ("budget.states", "o orçamento está aprovado"),
                    ("budget.mentions", "qual é o custo"),
                    ("budget.short", "estamos sem orçamento"),
                    ("authority.states", "a decisão final é minha"),
                    ("authority.self_decides", "eu decido sobre as ferramentas"),
                    ("authority.not_my_call", "não depende de mim"),
                    ("need.states", "temos problemas todas as semanas"),
                    ("timeline.action", "queremos começar em março"),
                    ("timeline.time", "no próximo trimestre"),
                    ("timeline.urgent", "o quanto antes"),
                    ("meeting.talk", "uma reunião rápida"),
                ],
            ),
        ];
        assert_eq!(samples.len(), BANT_FILES.len());
        for (code, lists) in samples {
            let file = bant_file(code);
            let all = file.lists();
            for (key, sample) in *lists {
                let Some((_, list)) = all.iter().find(|(k, _)| k == key) else {
                    panic!("no list {key}");
                };
                assert!(
                    alternation(list.iter()).is_match(sample),
                    "lang/{code}/bant.toml: {key} does not match {sample:?}"
                );
            }
        }
    }

    /// The wording that once lived in code (greetings, forwarding notes, spam folders,
    /// automatic-reply subjects, question shapes, negations), one sample per language and
    /// list, matched by that language's fragments alone.
    #[test]
    fn every_language_reads_its_message_shapes_in_its_own_words() {
        fn list<'a>(f: &'a ClassifyFile, key: &str) -> &'a Vec<String> {
            match key {
                "greeting" => &f.greeting,
                "not_a_name" => &f.not_a_name,
                "internal_note" => &f.internal_note,
                "spam_folder" => &f.spam_folder,
                "auto_subject_start" => &f.auto_subject_start,
                "receipt_subject" => &f.receipt_subject,
                "ticket_subject" => &f.ticket_subject,
                "question_opener" => &f.question_opener,
                "product_question" => &f.product_question,
                "product_question_verb" => &f.product_question_verb,
                "negation" => &f.negation,
                "request_lead" => &f.request_lead,
                "title_abbreviation" => &f.title_abbreviation,
                _ => panic!("no list {key}"),
            }
        }
        let samples: &[(&str, &[(&str, &str)])] = &[
            (
                "en",
                &[
                    ("greeting", "hi mark, see below"),
                    ("not_a_name", "team"),
                    ("internal_note", "mark - see below, any thoughts"),
                    ("spam_folder", "it landed in my spam folder"),
                    ("auto_subject_start", "automatic reply: your message"),
                    ("receipt_subject", "read"),
                    ("ticket_subject", "ticket"),
                    ("question_opener", "how does the trial work"),
                    ("product_question_verb", "support"),
                    ("negation", "we do not need it"),
                    ("request_lead", "please send the price list"),
                    ("title_abbreviation", "dr"),
                ],
            ),
            (
                "de",
                &[
                    ("greeting", "hallo markus, siehe unten"),
                    ("not_a_name", "herr"),
                    ("internal_note", "zur info"),
                    ("spam_folder", "die mail lag im spamordner"),
                    ("auto_subject_start", "automatische antwort: ihre nachricht"),
                    ("receipt_subject", "gelesen"),
                    ("question_opener", "wie funktioniert der test"),
                    ("product_question", "unterstützen sie sso"),
                    ("negation", "wir brauchen das nicht"),
                    ("request_lead", "bitte senden sie uns die preise"),
                    ("title_abbreviation", "herr"),
                ],
            ),
            (
                "fr",
                &[
                    ("greeting", "bonjour marc, voir ci-dessous"),
                    ("not_a_name", "madame"),
                    ("internal_note", "pour info"),
                    ("spam_folder", "c'était dans le dossier des spams"),
                    ("auto_subject_start", "réponse automatique : votre message"),
                    ("receipt_subject", "lu"),
                    ("question_opener", "comment fonctionne l'essai"),
                    ("product_question", "proposez-vous le sso"),
                    ("negation", "nous n'avons jamais"),
                    ("request_lead", "pourriez-vous m'envoyer les tarifs"),
                    ("title_abbreviation", "mme"),
                ],
            ),
            (
                "es",
                &[
                    ("greeting", "hola marta, ver abajo"),
                    ("not_a_name", "señora"),
                    ("internal_note", "qué opinas"),
                    ("spam_folder", "estaba en la carpeta de spam"),
                    ("auto_subject_start", "respuesta automática: su mensaje"),
                    ("question_opener", "cómo funciona la prueba"),
                    ("product_question", "ofrecen sso"),
                    ("negation", "nunca"),
                    ("request_lead", "podría enviarme los precios"),
                    ("title_abbreviation", "sra"),
                ],
            ),
            (
                "nl",
                &[
                    ("greeting", "hoi sanne, zie hieronder"),
                    ("not_a_name", "mevrouw"),
                    ("internal_note", "ter info"),
                    ("spam_folder", "hij zat in mijn spam"),
                    ("auto_subject_start", "automatisch antwoord: uw bericht"),
                    ("question_opener", "hoe werkt de proef"),
                    ("product_question", "ondersteunen jullie sso"),
                    ("negation", "we hebben geen tijd"),
                    ("request_lead", "kunt u mij de prijzen sturen"),
                    ("title_abbreviation", "dhr"),
                ],
            ),
            (
                "it",
                &[
                    ("greeting", "ciao marco, vedi sotto"),
                    ("not_a_name", "tutti"),
                    ("internal_note", "che ne pensi"),
                    ("spam_folder", "era nella cartella dello spam"),
                    (
                        "auto_subject_start",
                        "risposta automatica: il suo messaggio",
                    ),
                    ("negation", "non ci interessa"),
                ],
            ),
            (
                "pt",
                &[
                    ("greeting", "olá joão, ver abaixo"),
                    ("not_a_name", "todos"),
                    ("internal_note", "o que achas"),
                    ("spam_folder", "estava na pasta de spam"),
                    ("auto_subject_start", "resposta automática: a sua mensagem"),
                    ("negation", "não temos interesse"),
                ],
            ),
        ];
        for (code, lists) in samples {
            let text = CLASSIFY_FILES
                .iter()
                .find(|(c, _)| c == code)
                .map_or_else(|| panic!("no lang/{code}/classify.toml"), |(_, t)| *t);
            let file: ClassifyFile =
                toml::from_str(text).unwrap_or_else(|e| panic!("lang/{code}/classify.toml: {e}"));
            for (key, sample) in *lists {
                assert!(
                    alternation(list(&file, key).iter()).is_match(sample),
                    "lang/{code}/classify.toml: {key} does not match {sample:?}"
                );
            }
        }
    }
}
