//! Dates in page text.

use super::*;

// Dates

pub(super) const MONTHS: &str = r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)";

pub(super) static DATE_RES: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    vec![
        (
            re(
                r"\b(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)?\b",
            ),
            "ymd",
        ),
        (re(r"\b(\d{4})/(\d{1,2})/(\d{1,2})\b"), "ymd"),
        (re(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b"), "dmy"),
        (
            re(&format!(
                r"(?i)\b(\d{{1,2}})(?:st|nd|rd|th)?\.?\s+{MONTHS}\.?,?\s+(\d{{4}})\b"
            )),
            "d_mon_y",
        ),
        (
            re(&format!(
                r"(?i)\b{MONTHS}\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b"
            )),
            "mon_d_y",
        ),
    ]
});

pub(super) fn month_number(name: &str) -> Option<u32> {
    let n = name.get(..3)?.to_ascii_lowercase();
    let i = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ]
    .iter()
    .position(|m| *m == n)?;
    Some(i as u32 + 1)
}

pub(super) fn date_from(caps: &regex::Captures<'_>, kind: &str) -> Option<String> {
    let num = |i: usize| caps.get(i).and_then(|m| m.as_str().parse::<u32>().ok());
    let (y, m, d) = match kind {
        "ymd" => (num(1)?, num(2)?, num(3)?),
        "dmy" => (num(3)?, num(2)?, num(1)?),
        "d_mon_y" => (num(3)?, month_number(caps.get(2)?.as_str())?, num(1)?),
        _ => (num(3)?, month_number(caps.get(1)?.as_str())?, num(2)?),
    };
    if !(1900..=2100).contains(&y) {
        return None;
    }
    NaiveDate::from_ymd_opt(y as i32, m, d).map(|dt| dt.format("%Y-%m-%d").to_string())
}

/// Full dates in `text`: (start, end, ISO date), in order, without overlaps.
pub(super) fn find_dates(text: &str) -> Vec<(usize, usize, String)> {
    let mut found: Vec<(usize, usize, String)> = Vec::new();
    for (r, kind) in DATE_RES.iter() {
        for caps in r.captures_iter(text) {
            let Some(m) = caps.get(0) else { continue };
            if let Some(iso) = date_from(&caps, kind)
                && !found.iter().any(|(a, b, _)| m.start() < *b && *a < m.end())
            {
                found.push((m.start(), m.end(), iso));
            }
        }
    }
    found.sort_by_key(|f| f.0);
    found
}

/// A date at the very start of `text` (ISO, and the number of bytes it takes).
pub(super) fn parse_date_prefix(text: &str) -> Option<(String, usize)> {
    find_dates(text)
        .into_iter()
        .find(|(a, _, _)| *a == 0)
        .map(|(_, b, iso)| (iso, b))
}
