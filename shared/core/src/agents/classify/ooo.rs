//! The return date of an out-of-office notice.

use super::*;

/// Return wording ("back on", "wracam", "palaan") of any language's `dates.toml`.
fn returns(lower: &str) -> bool {
    vocab::DATE_BACK.is_match(lower)
}

/// The date an absent person is back: the stated return date, else the end of the
/// absence ("until", "bis einschließlich", "tot en met"), else a weekday after "back on".
pub(super) fn ooo_until(mail: &InboundEmail, reference: DateTime<Utc>) -> Option<String> {
    let body = if mail.own_text.trim().is_empty() {
        mail.text.as_str()
    } else {
        mail.own_text.as_str()
    };
    let text = format!("{}\n{}", mail.subject, truncate_bytes(body, 4000));
    let sentences: Vec<String> = split_paragraphs(&text)
        .iter()
        .flat_map(|p| split_sentences(&p.replace('\n', " ")))
        .collect();
    let mut return_date = None;
    let mut until_date = None;
    let mut any_date = None;
    for s in &sentences {
        let dates = dates_in(s, reference);
        if dates.is_empty() {
            continue;
        }
        let lower = plain_lower(s);
        if return_date.is_none() && returns(&lower) {
            // The date after the return words, else the one before them ("Vanaf maandag
            // 30 november ben ik weer bereikbaar").
            let pos = vocab::DATE_BACK.find(&lower).map_or(0, |m| m.start());
            return_date = dates
                .iter()
                .find(|d| d.start >= pos)
                .or(dates.last())
                .map(|d| d.date);
        }
        if until_date.is_none() && vocab::DATE_UNTIL.is_match(&lower) {
            let pos = vocab::DATE_UNTIL.find(&lower).map_or(0, |m| m.start());
            until_date = dates
                .iter()
                .find(|d| d.start >= pos)
                .or(dates.last())
                .map(|d| d.date);
        }
        if any_date.is_none() {
            any_date = dates.last().map(|d| d.date);
        }
    }
    let weekday_return = || {
        sentences.iter().find_map(|s| {
            let lower = s.to_lowercase();
            if !returns(&lower) {
                return None;
            }
            weekday_in(&lower).map(|wd| next_weekday(reference.date_naive(), wd))
        })
    };
    // Apple's vacation responder states the end only in a header:
    // `X-Apple-Criteria: {kind=VACATION,startDate=…,endDate=2020-01-10T14:59:59Z}`.
    let header_end = || {
        let criteria = mail.auto.get("x-apple-criteria")?;
        let pos = criteria.find("endDate=")?;
        let value = criteria.get(pos + 8..pos + 18)?;
        NaiveDate::parse_from_str(value, "%Y-%m-%d").ok()
    };
    return_date
        .or(until_date)
        .or_else(weekday_return)
        .or(any_date)
        .or_else(header_end)
        .filter(|d| *d >= reference.date_naive() - Duration::days(1))
        .map(|d| d.format("%Y-%m-%d").to_string())
}
