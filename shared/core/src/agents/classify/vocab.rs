//! The classifier's vocabulary, as data: one `classify.toml` per language under
//! `shared/core/lang/<code>/`, compiled into the binary (`include_str!`) and parsed once.
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
    pub budget: Vec<String>,
    #[serde(default)]
    pub authority: Vec<String>,
    #[serde(default)]
    pub need: Vec<String>,
    #[serde(default)]
    pub timeline: Vec<String>,
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
    /// A budget that is missing or constrained ("no budget", "frozen").
    #[serde(default)]
    pub budget_short: Vec<String>,
    /// The writer decides or signs off ("I sign off", "ich entscheide").
    #[serde(default)]
    pub self_decides: Vec<String>,
    /// Not the writer's decision ("not my call").
    #[serde(default)]
    pub not_my_call: Vec<String>,
    /// Soon: a timeline within about three months ("asap", "next month").
    #[serde(default)]
    pub urgent: Vec<String>,
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
}

pub(crate) struct Lang {
    pub code: &'static str,
    pub classify: ClassifyFile,
}

/// Every language's file, parsed once. A file that does not parse is a bug of the data and
/// fails the per-language tests; at run time it contributes nothing rather than panicking.
pub(crate) static LANG_DATA: LazyLock<Vec<Lang>> = LazyLock::new(|| {
    CLASSIFY_FILES
        .iter()
        .map(|(code, text)| Lang {
            code,
            classify: toml::from_str(text).unwrap_or_default(),
        })
        .collect()
});

/// `\b(?:f1|f2|…)\b` over the fragments of all languages, their groups made non-capturing;
/// a regex that matches nothing when the lists are empty.
pub(crate) fn alternation<'a>(fragments: impl Iterator<Item = &'a String>) -> Regex {
    let parts: Vec<String> = fragments
        .filter(|f| !f.trim().is_empty())
        .map(|f| format!("(?:{})", non_capturing(f)))
        .collect();
    let pattern = if parts.is_empty() {
        r"[^\s\S]".to_string()
    } else {
        format!(r"(?:^|\b)(?:{})(?:\b|$)", parts.join("|"))
    };
    compile(&pattern).unwrap_or_else(|_| {
        // A broken fragment in one list: keep the others working (the data tests name it).
        #[allow(clippy::expect_used)]
        Regex::new(r"[^\s\S]").expect("the empty pattern")
    })
}

/// One list's union of all languages: Unicode classes and bounded gaps (`.{0,60}`) make it
/// large, so the compiled size allowed is above the regex crate's default (a test checks
/// that every union compiles: one that does not would silently match nothing).
pub(crate) fn compile(pattern: &str) -> Result<Regex, regex::Error> {
    regex::RegexBuilder::new(pattern)
        .size_limit(64 << 20)
        .dfa_size_limit(64 << 20)
        .build()
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

/// The union over all languages of one list of `classify.toml`.
macro_rules! vocab {
    ($(#[$doc:meta])* $name:ident, $field:ident) => {
        $(#[$doc])*
        pub(crate) static $name: LazyLock<Regex> = LazyLock::new(|| {
            alternation(LANG_DATA.iter().flat_map(|l| l.classify.$field.iter()))
        });
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
vocab!(BUDGET_SHORT, budget_short);
vocab!(SELF_DECIDES, self_decides);
vocab!(NOT_MY_CALL, not_my_call);
vocab!(URGENT, urgent);
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
vocab!(ABSENCE, absence);
vocab!(ABSENCE_SUBJECT, absence_subject);
vocab!(AUTO_SUBJECT, auto_subject);
vocab!(AUTO_BODY, auto_body);
vocab!(BUDGET, budget);
vocab!(AUTHORITY, authority);
vocab!(NEED, need);
vocab!(TIMELINE, timeline);
vocab!(PRICING_REQUEST, pricing_request);
vocab!(TRIAL_REQUEST, trial_request);
vocab!(MEETING_REQUEST, meeting_request);
vocab!(COMPETITOR_COMPARISON, competitor_comparison);
vocab!(THEN_REF, then_ref);
vocab!(SARCASM, sarcasm);
/// A split point between the two sides of an alternative question: ";" or a language's "or".
pub(crate) static QUESTION_OR: LazyLock<Regex> = LazyLock::new(|| {
    let words: Vec<String> = LANG_DATA
        .iter()
        .flat_map(|l| l.classify.question_or.iter())
        .map(|w| format!(",?\\s+{w}\\s+"))
        .chain(std::iter::once(";".to_string()))
        .collect();
    Regex::new(&words.join("|")).unwrap_or_else(|_| {
        #[allow(clippy::expect_used)]
        Regex::new(";").expect("a semicolon")
    })
});

/// Return and until words of all languages (`dates.toml`, read by [`crate::text::dates`]).
pub(crate) static DATE_BACK: LazyLock<Regex> =
    LazyLock::new(|| alternation(crate::text::dates::back_words().iter()));
pub(crate) static DATE_UNTIL: LazyLock<Regex> =
    LazyLock::new(|| alternation(crate::text::dates::until_words().iter()));

#[cfg(test)]
mod tests {
    use super::*;

    /// Every list of one file, in one order (the union test pairs them across languages).
    fn lists(file: &ClassifyFile) -> Vec<&Vec<String>> {
        vec![
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
            &file.budget_short,
            &file.self_decides,
            &file.not_my_call,
            &file.urgent,
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
            &file.budget,
            &file.authority,
            &file.need,
            &file.timeline,
            &file.pricing_request,
            &file.trial_request,
            &file.meeting_request,
            &file.competitor_comparison,
            &file.then_ref,
            &file.sarcasm,
            &file.question_or,
        ]
    }

    #[test]
    fn every_data_file_parses_and_every_fragment_compiles() {
        assert_eq!(CLASSIFY_FILES.len(), LANGS.len());
        for (code, text) in CLASSIFY_FILES {
            let file: ClassifyFile =
                toml::from_str(text).unwrap_or_else(|e| panic!("lang/{code}/classify.toml: {e}"));
            let lists = lists(&file);
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
            BUDGET_SHORT: budget_short,
            SELF_DECIDES: self_decides,
            NOT_MY_CALL: not_my_call,
            URGENT: urgent,
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
            BUDGET: budget,
            AUTHORITY: authority,
            NEED: need,
            TIMELINE: timeline,
            PRICING_REQUEST: pricing_request,
            TRIAL_REQUEST: trial_request,
            MEETING_REQUEST: meeting_request,
            COMPETITOR_COMPARISON: competitor_comparison,
            THEN_REF: then_ref,
            SARCASM: sarcasm
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
        for (what, re) in [("return", &*DATE_BACK), ("until", &*DATE_UNTIL)] {
            assert_ne!(re.as_str(), r"[^\s\S]", "the {what} words do not compile");
        }
    }
}
