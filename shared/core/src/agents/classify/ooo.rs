//! The return date of an out-of-office notice.

use super::*;

pattern!(
    pub(super) RETURN_WORDS,
    r"(?i)\b(back (in|at|on|to)?|return(ing|s)?|be back|zurück|wieder (im büro|da|erreichbar|zurück|verfügbar|im haus|am arbeitsplatz)|ab dem|de retour|retour (le|au)|je reviens|reviendrai|regres(o|aré|ará|a)|vuelvo|volveré|de vuelta|estaré de nuevo|weer (bereikbaar|aanwezig|op kantoor|terug|beschikbaar)|terug (op|vanaf)|vanaf)\b"
);
pattern!(
    pub(super) UNTIL_WORDS,
    r"(?i)\b(until|till|through|thru|up to and including|bis (einschließlich|einschliesslich|zum|am)?|jusqu'(au|à)|hasta( el)?|tot en met|t/m|tot)\b"
);

/// Return wording ("back on", "wracam", "palaan") in code or in any language's data.
fn returns(s: &str, lower: &str) -> bool {
    RETURN_WORDS.is_match(s) || vocab::DATE_BACK.is_match(lower)
}

/// A date found in a sentence, with where it starts.
pub(super) struct FoundDate {
    pub(super) date: NaiveDate,
    pub(super) start: usize,
}

/// Dates in a text: ISO, day-first numeric (`24.11.2026`, `30/11`), "1 December 2026",
/// "4. Dezember", "30 de noviembre", "November 30", "May 5th", "July 10-31" (the end).
pub(super) fn dates_in(text: &str, reference: DateTime<Utc>) -> Vec<FoundDate> {
    static ISO: LazyLock<Regex> = LazyLock::new(|| re(r"\b(20\d\d)-(\d{1,2})-(\d{1,2})\b"));
    static NUMERIC: LazyLock<Regex> = LazyLock::new(|| {
        re(r"(?:^|[^\d.:/])(\d{1,2})[./](\d{1,2})(?:[./](\d{2,4}))?\.?(?:[^\d:/]|$)")
    });
    static DAY_MONTH: LazyLock<Regex> = LazyLock::new(|| {
        let months = vocab::MONTH_ALTERNATION.as_str();
        re(&format!(
            r"(?i)\b(\d{{1,2}})(?:st|nd|rd|th|er|e|\.)?\s*(?:de\s+|of\s+)?({months})\.?(?:\s*(?:de\s+)?,?\s*(20\d\d))?\b"
        ))
    });
    static MONTH_DAY: LazyLock<Regex> = LazyLock::new(|| {
        let months = vocab::MONTH_ALTERNATION.as_str();
        re(&format!(
            r"(?i)\b({months})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:\s*[-–]\s*(\d{{1,2}})(?:st|nd|rd|th)?)?(?:,?\s*(20\d\d))?\b"
        ))
    });
    static DAY_ONLY: LazyLock<Regex> = LazyLock::new(|| {
        let months = vocab::MONTH_ALTERNATION.as_str();
        re(&format!(
            r"(?i)\bthe (\d{{1,2}})(?:st|nd|rd|th)\b(?:\s+of\s+(?:{months}))?"
        ))
    });
    let mut found = Vec::new();
    let year_of = |y: Option<&str>| -> Option<i32> {
        let y = y?;
        let n: i32 = y.parse().ok()?;
        Some(if n < 100 { 2000 + n } else { n })
    };
    let mut push = |start: usize, y: Option<i32>, m: u32, d: u32| {
        if let Some(date) = resolve_date(y, m, d, reference) {
            found.push(FoundDate { date, start });
        }
    };
    for c in ISO.captures_iter(text) {
        let (Some(y), Some(m), Some(d)) = (c.get(1), c.get(2), c.get(3)) else {
            continue;
        };
        if let (Ok(y), Ok(m), Ok(d)) = (y.as_str().parse(), m.as_str().parse(), d.as_str().parse())
        {
            push(c.get(0).map_or(0, |x| x.start()), Some(y), m, d);
        }
    }
    for c in NUMERIC.captures_iter(text) {
        let (Some(d), Some(m)) = (c.get(1), c.get(2)) else {
            continue;
        };
        if let (Ok(d), Ok(m)) = (d.as_str().parse::<u32>(), m.as_str().parse::<u32>()) {
            // Day first, as the corpus writes dates; "11/30" can only be month first.
            let (d, m) = if m > 12 && d <= 12 { (m, d) } else { (d, m) };
            push(d_start(&c), year_of(c.get(3).map(|x| x.as_str())), m, d);
        }
    }
    for c in DAY_MONTH.captures_iter(text) {
        let (Some(d), Some(m)) = (c.get(1), c.get(2)) else {
            continue;
        };
        let Some(month) = month_number(m.as_str()) else {
            continue;
        };
        if let Ok(d) = d.as_str().parse() {
            push(d_start(&c), year_of(c.get(3).map(|x| x.as_str())), month, d);
        }
    }
    for c in MONTH_DAY.captures_iter(text) {
        let (Some(m), Some(d)) = (c.get(1), c.get(2)) else {
            continue;
        };
        let Some(month) = month_number(m.as_str()) else {
            continue;
        };
        // A range "July 10-31" ends on its second day.
        let day = c.get(3).unwrap_or(d);
        if let Ok(d) = day.as_str().parse() {
            push(d_start(&c), year_of(c.get(4).map(|x| x.as_str())), month, d);
        }
    }
    // "back on the 30th": the next such day.
    for c in DAY_ONLY.captures_iter(text) {
        let Some(d) = c.get(1).and_then(|m| m.as_str().parse::<u32>().ok()) else {
            continue;
        };
        let today = reference.date_naive();
        let this_month =
            NaiveDate::from_ymd_opt(today.year(), today.month(), d).filter(|x| *x >= today);
        let date = this_month.or_else(|| {
            let (y, m) = if today.month() == 12 {
                (today.year() + 1, 1)
            } else {
                (today.year(), today.month() + 1)
            };
            NaiveDate::from_ymd_opt(y, m, d)
        });
        if let Some(date) = date {
            found.push(FoundDate {
                date,
                start: d_start(&c),
            });
        }
    }
    found.sort_by_key(|f| f.start);
    found
}

pub(super) fn d_start(c: &regex::Captures<'_>) -> usize {
    c.get(1).map_or(0, |m| m.start())
}

/// A calendar date; without a year, the next occurrence on or after the message date.
pub(super) fn resolve_date(
    year: Option<i32>,
    month: u32,
    day: u32,
    reference: DateTime<Utc>,
) -> Option<NaiveDate> {
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let today = reference.date_naive();
    match year {
        Some(y) => NaiveDate::from_ymd_opt(y, month, day),
        None => {
            let this_year = NaiveDate::from_ymd_opt(today.year(), month, day)?;
            if this_year >= today {
                Some(this_year)
            } else {
                NaiveDate::from_ymd_opt(today.year() + 1, month, day)
            }
        }
    }
}

pub(super) const WEEKDAYS: &[(&str, Weekday)] = &[
    ("monday", Weekday::Mon),
    ("tuesday", Weekday::Tue),
    ("wednesday", Weekday::Wed),
    ("thursday", Weekday::Thu),
    ("friday", Weekday::Fri),
    ("montag", Weekday::Mon),
    ("dienstag", Weekday::Tue),
    ("mittwoch", Weekday::Wed),
    ("donnerstag", Weekday::Thu),
    ("freitag", Weekday::Fri),
    ("lundi", Weekday::Mon),
    ("mardi", Weekday::Tue),
    ("mercredi", Weekday::Wed),
    ("jeudi", Weekday::Thu),
    ("vendredi", Weekday::Fri),
    ("lunes", Weekday::Mon),
    ("martes", Weekday::Tue),
    ("miércoles", Weekday::Wed),
    ("jueves", Weekday::Thu),
    ("viernes", Weekday::Fri),
    ("maandag", Weekday::Mon),
    ("dinsdag", Weekday::Tue),
    ("woensdag", Weekday::Wed),
    ("donderdag", Weekday::Thu),
    ("vrijdag", Weekday::Fri),
];

/// The date an absent person is back: the stated return date, else the end of the
/// absence ("until", "bis einschließlich", "tot en met"), else a weekday after "back on".
pub(super) fn ooo_until(mail: &InboundEmail, reference: DateTime<Utc>) -> Option<String> {
    let body = if mail.own_text.trim().is_empty() {
        mail.text.as_str()
    } else {
        mail.own_text.as_str()
    };
    let text = format!("{}\n{}", mail.subject, truncate(body, 4000));
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
        if return_date.is_none() && returns(s, &lower) {
            // The date after the return words, else the one before them ("Vanaf maandag
            // 30 november ben ik weer bereikbaar").
            let pos = RETURN_WORDS
                .find(s)
                .or_else(|| vocab::DATE_BACK.find(&lower))
                .map_or(0, |m| m.start());
            return_date = dates
                .iter()
                .find(|d| d.start >= pos)
                .or(dates.last())
                .map(|d| d.date);
        }
        if until_date.is_none() && (UNTIL_WORDS.is_match(s) || vocab::DATE_UNTIL.is_match(&lower)) {
            let pos = UNTIL_WORDS
                .find(s)
                .or_else(|| vocab::DATE_UNTIL.find(&lower))
                .map_or(0, |m| m.start());
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
            if !returns(&lower, &lower) {
                return None;
            }
            WEEKDAYS.iter().find_map(|(name, wd)| {
                lower
                    .contains(name)
                    .then(|| next_weekday(reference.date_naive(), *wd))
            })
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

pub(super) fn next_weekday(from: NaiveDate, wd: Weekday) -> NaiveDate {
    let mut d = from + Duration::days(1);
    while d.weekday() != wd {
        d += Duration::days(1);
    }
    d
}
