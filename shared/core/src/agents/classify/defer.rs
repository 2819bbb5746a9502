//! Deferrals: "not before Q2", "after the migration", a month two or more months ahead.
//! The wording (`defer`, `deadline`, `past`) lives in the language files.

use super::*;

/// The sentence puts things off to a later time: a month two or more months after the
/// message date, a later quarter or year, or "after the migration".
pub(super) fn defers(lower: &str, reference: DateTime<Utc>) -> bool {
    defer_words(lower, reference) || later_date(lower, reference)
}

/// Deferral wording: "after the migration", "next year", "later", a later quarter.
pub(super) fn defer_words(lower: &str, reference: DateTime<Utc>) -> bool {
    let without_deadlines = without_deadlines(lower);
    let lower = without_deadlines.as_ref();
    if !vocab::DEFER.is_match(lower) {
        return false;
    }
    // "Q1" in a November mail is later; "this quarter" is not.
    if let Some(q) = quarter_named(lower) {
        let current = (reference.month() - 1) / 3 + 1;
        if q == current && !lower.contains("next") {
            return false;
        }
    }
    true
}

/// A date alone that lies ahead: a later year, or a month two to ten months after the
/// message date (not a deadline, not a past event, not last month).
pub(super) fn later_date(lower: &str, reference: DateTime<Utc>) -> bool {
    let without_deadlines = without_deadlines(lower);
    let lower = without_deadlines.as_ref();
    if vocab::PAST.is_match(lower) {
        return false;
    }
    pattern!(YEAR, r"\b(20\d\d)\b");
    let later_year = YEAR
        .captures_iter(lower)
        .filter_map(|c| c.get(1)?.as_str().parse::<i32>().ok())
        .any(|y| y > reference.year());
    if later_year {
        return true;
    }
    // A month two or more months ahead ("may" alone is mostly a verb: `month_words` takes
    // it only after "in", "by", "until" …). The month before the message's is one just
    // past ("the board met in October", written in November), not one eleven months ahead.
    month_words(lower).iter().any(|(_, month)| {
        let ahead = (month + 12 - reference.month()) % 12;
        (2..=10).contains(&ahead)
    })
}

/// The sentence without its deadlines: "before our Q1 planning", "by the end of January" set
/// a deadline, not a postponement; "not before April" is one, and stays.
fn without_deadlines(lower: &str) -> std::borrow::Cow<'_, str> {
    vocab::DEADLINE.replace_all(lower, |c: &regex::Captures| {
        let whole = c.get(0).map_or("", |m| m.as_str());
        let start = c.get(0).map_or(0, |m| m.start());
        let before = lower.get(..start).unwrap_or("");
        let last_word = before.split_whitespace().last().unwrap_or("");
        if has_negation(last_word) {
            whole.to_string()
        } else {
            " ".to_string()
        }
    })
}

pub(super) fn quarter_named(lower: &str) -> Option<u32> {
    pattern!(Q, r"\bq([1-4])\b");
    Q.captures(lower)
        .and_then(|c| c.get(1))
        .and_then(|m| m.as_str().parse().ok())
}
