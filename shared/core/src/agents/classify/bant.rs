//! BANT facts (budget, authority, need, timing) paraphrased from the sender's text.

use super::*;
use std::sync::LazyLock;

// The wording is data (`lang/<code>/bant.toml`, read by `vocab`); what stays here is the
// language-neutral shape of an amount, a quarter, a year and a clock time, and the seller's
// own need words come from its workspace ([`Topics::of`]).

/// A budget stated: the data's wording, an amount paid per period ("we spend $40k a year"),
/// or an amount per period ("€2k/month").
pub(super) static BUDGET: LazyLock<Regex> = LazyLock::new(|| {
    let states = vocab::bounded(vocab::bant_words(|b| &b.budget.states));
    let spend = vocab::union(vocab::bant_words(|b| &b.budget.spend));
    let period = vocab::union(vocab::bant_words(|b| &b.budget.per_period));
    let unit = vocab::union(vocab::bant_words(|b| &b.budget.amount_unit));
    vocab::compile(&format!(
        r"{states}|\b{spend}\b.{{0,25}}(\$|€|£|usd|eur|gbp)?\s?\d[\d,.]*\s?(k|m|{unit})?\b.{{0,25}}\b{period}|(\$|€|£)\s?\d[\d,.]*\s?(k|m)?\b.{{0,30}}\b{period}"
    ))
});
/// A time to come: the data's wording, a quarter or a year.
pub(super) static TIME_EXPR: LazyLock<Regex> = LazyLock::new(|| {
    let time = vocab::bounded(vocab::bant_words(|b| &b.timeline.time));
    vocab::compile(&format!(r"{time}|\b(q[1-4]|20\d\d)\b"))
});
/// A slot to meet: the data's wording, or a clock time ("14:00", "10h30", "9h").
pub(super) static MEETING_SLOT: LazyLock<Regex> = LazyLock::new(|| {
    let slot = vocab::bounded(vocab::bant_words(|b| &b.meeting.slot));
    vocab::compile(&format!(r"{slot}|\b\d{{1,2}}[:h]\d\d\b|\b\d{{1,2}}h\b"))
});
/// Where a sentence splits into clauses; the subject that starts the next one is `subject`.
static CLAUSE_BREAK: LazyLock<Regex> = LazyLock::new(|| {
    let after_comma = vocab::union(vocab::bant_words(|b| &b.clause.after_comma));
    let joins = vocab::union(vocab::bant_words(|b| &b.clause.joins));
    let subjects = vocab::union(vocab::bant_words(|b| &b.clause.subjects));
    vocab::compile(&format!(
        r"(?i);\s+|\s+[-–—]\s+|,\s+{after_comma}\s+|\s+{joins}\s+(?P<subject>{subjects})\b"
    ))
});

/// Budget, authority, need and timeline as the sender stated them, each the first
/// sentence (shortened) that states it.
pub(super) fn extract_bant(a: &Analysis, intent: Intent, topics: &Topics) -> Bant {
    let statements: Vec<&Sentence> = a.clean().filter(|s| !s.question).collect();
    // The first sentence that states the fact, narrowed to the clause that carries it.
    let first = |f: &dyn Fn(&Sentence) -> bool, clause: &dyn Fn(&str) -> bool| -> Option<String> {
        statements
            .iter()
            .find(|s| f(s))
            .map(|s| paraphrase(&fragment(&s.text, clause)))
    };
    let budget = first(&|s: &Sentence| BUDGET.is_match(&s.lower), &|c| {
        BUDGET.is_match(c)
    });
    let authority_re = &*vocab::AUTHORITY_STATES;
    let authority = first(
        &|s: &Sentence| {
            authority_re.is_match(&s.lower)
                && !authority_re
                    .find_iter(&s.lower)
                    .all(|m| negated_before(&s.lower, m.start()))
        },
        &|c| authority_re.is_match(c),
    );
    let need = if intent == Intent::NotInterested {
        // A decline's reasons are not a requirement; only "no need" is a need fact then.
        first(&|s: &Sentence| vocab::NO_NEED.is_match(&s.lower), &|c| {
            vocab::NO_NEED.is_match(c)
        })
    } else {
        let need = |t: &str| vocab::NEED_STATES.is_match(t) || topics.states_need(t);
        first(
            &|s: &Sentence| need(&s.lower) && !vocab::NEED_NOT.is_match(&s.lower),
            &|c| need(c),
        )
    };
    let timeline = first(
        &|s: &Sentence| {
            let future_time = TIME_EXPR.is_match(&s.lower) && !vocab::TIME_PAST.is_match(&s.lower);
            // "Thursday at 2pm works", "let's talk next week": when to meet, not when to buy.
            let slot = (MEETING_SLOT.is_match(&s.lower) || vocab::MEETING_TALK.is_match(&s.lower))
                && !defers(&s.lower, a.reference);
            let acts = vocab::TIMELINE_ACTION.is_match(&s.lower)
                || (intent == Intent::NotNow && defers(&s.lower, a.reference));
            let about_money_only = vocab::BUDGET_WORD.is_match(&s.lower)
                && !vocab::TIMELINE_ACTION.is_match(&vocab::BUDGET_WORD.replace_all(&s.lower, " "));
            future_time && acts && !slot && !past_only(&s.lower, a.reference) && !about_money_only
        },
        &|c| TIME_EXPR.is_match(c) && !past_only(c, a.reference),
    )
    .or_else(|| {
        // "Money set aside for 2027" dates the budget; it is the timeline only when no other
        // sentence gives one.
        first(
            &|s: &Sentence| {
                TIME_EXPR.is_match(&s.lower)
                    && vocab::BUDGET_WORD.is_match(&s.lower)
                    && !vocab::TIME_PAST.is_match(&s.lower)
                    && !past_only(&s.lower, a.reference)
            },
            &|c| TIME_EXPR.is_match(c) && !past_only(c, a.reference),
        )
    });
    Bant {
        budget,
        authority,
        need,
        timeline,
    }
}

/// The clause of a sentence that `keep` accepts ("I own the data tooling budget and we have
/// money set aside for 2027" → "we have money set aside for 2027" for the budget), or the
/// whole sentence when no clause alone does or the clause is too short to read.
pub(super) fn fragment(text: &str, keep: &dyn Fn(&str) -> bool) -> String {
    let mut start = 0;
    let mut clauses = Vec::new();
    for c in CLAUSE_BREAK.captures_iter(text) {
        let Some(m) = c.get(0) else { continue };
        clauses.push(&text[start..m.start()]);
        // "… and we have …": the next clause starts at its subject.
        start = c.name("subject").map_or(m.end(), |subject| subject.start());
    }
    clauses.push(&text[start..]);
    if clauses.len() < 2 {
        return text.to_string();
    }
    clauses
        .iter()
        .map(|c| c.trim())
        .find(|c| c.split_whitespace().count() >= 3 && keep(&plain_lower(c)))
        .map_or_else(|| text.to_string(), str::to_string)
}

/// A sentence about something done ("we signed a renewal in October") states no timeline.
pub(super) fn past_only(lower: &str, reference: DateTime<Utc>) -> bool {
    vocab::DONE.is_match(lower) && !defers(lower, reference) && !vocab::FUTURE.is_match(lower)
}

/// A short paraphrase: the fragment without a list marker, at most ~160 characters.
pub(super) fn paraphrase(text: &str) -> String {
    let t = text.trim().trim_start_matches(['-', '*', '•']).trim();
    if t.chars().count() <= 160 {
        return t.to_string();
    }
    let cut: String = t.chars().take(157).collect();
    match cut.rfind(' ') {
        Some(p) => format!("{}…", &cut[..p]),
        None => format!("{cut}…"),
    }
}
