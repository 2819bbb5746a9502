//! The one multilingual date reader: month and weekday names per language (data files
//! `shared/core/lang/<code>/dates.toml`), dates written with or without a year, and month
//! words standing alone ("in March", "im Dezember"). Names match as whole words only, so
//! "may" never matches inside "maybe"; names that are also ordinary words ("may", "jan") are
//! listed as `ambiguous` and count alone only after a word that introduces a time ("in May",
//! "until May").

use super::patterns::{pattern, re, words};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};
use regex::Regex;
use serde::Deserialize;
use std::sync::LazyLock;

/// The languages whose date words are read, with their data file.
const LANGUAGES: &[(&str, &str)] = &[
    ("en", include_str!("../../lang/en/dates.toml")),
    ("de", include_str!("../../lang/de/dates.toml")),
    ("fr", include_str!("../../lang/fr/dates.toml")),
    ("es", include_str!("../../lang/es/dates.toml")),
    ("nl", include_str!("../../lang/nl/dates.toml")),
    ("it", include_str!("../../lang/it/dates.toml")),
    ("pt", include_str!("../../lang/pt/dates.toml")),
    ("pl", include_str!("../../lang/pl/dates.toml")),
    ("sv", include_str!("../../lang/sv/dates.toml")),
    ("da", include_str!("../../lang/da/dates.toml")),
    ("no", include_str!("../../lang/no/dates.toml")),
    ("fi", include_str!("../../lang/fi/dates.toml")),
    ("cs", include_str!("../../lang/cs/dates.toml")),
    ("ro", include_str!("../../lang/ro/dates.toml")),
    ("hu", include_str!("../../lang/hu/dates.toml")),
    ("el", include_str!("../../lang/el/dates.toml")),
    ("sk", include_str!("../../lang/sk/dates.toml")),
    ("sl", include_str!("../../lang/sl/dates.toml")),
    ("hr", include_str!("../../lang/hr/dates.toml")),
    ("bg", include_str!("../../lang/bg/dates.toml")),
    ("et", include_str!("../../lang/et/dates.toml")),
    ("lv", include_str!("../../lang/lv/dates.toml")),
    ("lt", include_str!("../../lang/lt/dates.toml")),
    ("ca", include_str!("../../lang/ca/dates.toml")),
    ("ru", include_str!("../../lang/ru/dates.toml")),
    ("uk", include_str!("../../lang/uk/dates.toml")),
    ("tr", include_str!("../../lang/tr/dates.toml")),
];

/// One language's `dates.toml`: twelve months and seven weekdays (Monday first), each a
/// list of spellings; the words that introduce a return date (`back`: "back on", "de retour
/// le") and the last day of an absence (`until`: "until", "bis"), as regular-expression
/// fragments.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LangDates {
    months: Vec<Vec<String>>,
    weekdays: Vec<Vec<String>>,
    #[serde(default)]
    ambiguous: Vec<String>,
    #[serde(default)]
    back: Vec<String>,
    #[serde(default)]
    until: Vec<String>,
}

struct Names {
    months: Vec<(String, u32)>,
    weekdays: Vec<(String, Weekday)>,
    ambiguous: Vec<String>,
    back: Vec<String>,
    until: Vec<String>,
}

const WEEK: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

fn lang_dates(code: &str, text: &str) -> LangDates {
    // The files are part of the crate: a mistake in one is a bug the unit tests catch.
    let parsed: LangDates =
        toml::from_str(text).unwrap_or_else(|e| panic!("lang/{code}/dates.toml is not valid: {e}"));
    parsed
}

static NAMES: LazyLock<Names> = LazyLock::new(|| {
    let mut names = Names {
        months: Vec::new(),
        weekdays: Vec::new(),
        ambiguous: Vec::new(),
        back: Vec::new(),
        until: Vec::new(),
    };
    for (code, text) in LANGUAGES {
        let lang = lang_dates(code, text);
        for (i, spellings) in lang.months.iter().enumerate().take(12) {
            for s in spellings {
                names.months.push((s.to_lowercase(), i as u32 + 1));
            }
        }
        for (spellings, wd) in lang.weekdays.iter().zip(WEEK) {
            for s in spellings {
                names.weekdays.push((s.to_lowercase(), wd));
            }
        }
        names
            .ambiguous
            .extend(lang.ambiguous.iter().map(|s| s.to_lowercase()));
        names.back.extend(lang.back);
        names.until.extend(lang.until);
    }
    names
});

/// The words of every language that introduce a return date ("back on", "wieder im Büro
/// ab"), as regular-expression fragments.
pub fn back_words() -> &'static [String] {
    &NAMES.back
}

/// The words of every language that introduce the last day of an absence ("until", "bis
/// einschließlich"), as regular-expression fragments.
pub fn until_words() -> &'static [String] {
    &NAMES.until
}

/// Every month name of every language as a regex alternation, longest first.
static MONTH_ALTERNATION: LazyLock<String> = LazyLock::new(|| {
    let list: Vec<&str> = NAMES.months.iter().map(|(n, _)| n.as_str()).collect();
    words(&list)
});

/// A month name as a whole word.
static MONTH_WORD: LazyLock<Regex> =
    LazyLock::new(|| re(&format!(r"(?i)\b({})\b", MONTH_ALTERNATION.as_str())));

/// A weekday name as a whole word.
static WEEKDAY_WORD: LazyLock<Regex> = LazyLock::new(|| {
    let list: Vec<&str> = NAMES.weekdays.iter().map(|(n, _)| n.as_str()).collect();
    re(&format!(r"(?i)\b({})\b", words(&list)))
});

pattern!(
    /// Words after which an ambiguous month name ("may") is a month: "in May", "by May".
    TIME_INTRO,
    r"(?i)\b(in|by|until|till|after|before|from|since|for|around|early|mid|late|end of|start of|beginning of|during)[\s-]+$"
);

/// The month (1–12) a name stands for, in any language; a trailing dot is ignored.
pub fn month_number(name: &str) -> Option<u32> {
    let n = name.trim_end_matches('.').to_lowercase();
    NAMES.months.iter().find(|(m, _)| *m == n).map(|(_, v)| *v)
}

fn is_ambiguous(name: &str) -> bool {
    let n = name.to_lowercase();
    NAMES.ambiguous.contains(&n)
}

/// Month words standing alone in `text`, as (byte offset, month), in order. An ambiguous
/// name counts only after a word that introduces a time ("in May", not "we may").
pub fn month_words(text: &str) -> Vec<(usize, u32)> {
    MONTH_WORD
        .find_iter(text)
        .filter(|m| !is_ambiguous(m.as_str()) || TIME_INTRO.is_match(&text[..m.start()]))
        .filter_map(|m| Some((m.start(), month_number(m.as_str())?)))
        .collect()
}

/// The first weekday named in `text`, as a whole word.
pub fn weekday_in(text: &str) -> Option<Weekday> {
    let m = WEEKDAY_WORD.find(text)?;
    let n = m.as_str().to_lowercase();
    NAMES
        .weekdays
        .iter()
        .find(|(w, _)| *w == n)
        .map(|(_, d)| *d)
}

/// The first `wd` after `from`.
pub fn next_weekday(from: NaiveDate, wd: Weekday) -> NaiveDate {
    let mut d = from + Duration::days(1);
    while d.weekday() != wd {
        d += Duration::days(1);
    }
    d
}

/// A date found in a text, with where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundDate {
    pub date: NaiveDate,
    pub start: usize,
}

/// Dates in a text, with or without a year: ISO (and the Hungarian `2026. 11. 24.`),
/// day-first numeric (`24.11.2026`, `30/11`), "1 December 2026", "4. Dezember", "30 de
/// noviembre", "November 30", "May 5th", "July 10-31" (the end), "the 30th". Without a year
/// a date is the next occurrence on or after `reference`.
pub fn dates_in(text: &str, reference: DateTime<Utc>) -> Vec<FoundDate> {
    // ISO, and year first with dots as Hungarian writes it ("2026. 11. 24.").
    pattern!(ISO, r"\b(20\d\d)(?:-|\.\s?)(\d{1,2})(?:-|\.\s?)(\d{1,2})\b");
    pattern!(
        NUMERIC,
        r"(?:^|[^\d.:/])(\d{1,2})[./](\d{1,2})(?:[./](\d{2,4}))?\.?(?:[^\d:/]|$)"
    );
    static DAY_MONTH: LazyLock<Regex> = LazyLock::new(|| {
        re(&format!(
            r"(?i)\b(\d{{1,2}})(?:st|nd|rd|th|er|e|\.)?\s*(?:de\s+|of\s+)?({})\.?(?:\s*(?:de\s+)?,?\s*(20\d\d))?\b",
            MONTH_ALTERNATION.as_str()
        ))
    });
    static MONTH_DAY: LazyLock<Regex> = LazyLock::new(|| {
        re(&format!(
            r"(?i)\b({})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:\s*[-–]\s*(\d{{1,2}})(?:st|nd|rd|th)?)?(?:,?\s*(20\d\d))?\b",
            MONTH_ALTERNATION.as_str()
        ))
    });
    static DAY_ONLY: LazyLock<Regex> = LazyLock::new(|| {
        re(&format!(
            r"(?i)\bthe (\d{{1,2}})(?:st|nd|rd|th)\b(?:\s+of\s+(?:{}))?",
            MONTH_ALTERNATION.as_str()
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
            // Day first, as most of the world writes dates; "11/30" can only be month first.
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

fn d_start(c: &regex::Captures<'_>) -> usize {
    c.get(1).map_or(0, |m| m.start())
}

/// A calendar date; without a year, the next occurrence on or after the reference date.
fn resolve_date(
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

/// How the parts of a full date are ordered in one of its written forms.
#[derive(Debug, Clone, Copy)]
enum Order {
    Ymd,
    Dmy,
    DayMonthNameYear,
    MonthNameDayYear,
}

static FULL_DATES: LazyLock<Vec<(Regex, Order)>> = LazyLock::new(|| {
    let months = MONTH_ALTERNATION.as_str();
    vec![
        (
            re(
                r"\b(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)?\b",
            ),
            Order::Ymd,
        ),
        (re(r"\b(\d{4})/(\d{1,2})/(\d{1,2})\b"), Order::Ymd),
        (re(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b"), Order::Dmy),
        (
            re(&format!(
                r"(?i)\b(\d{{1,2}})(?:st|nd|rd|th)?\.?\s+({months})\.?,?\s+(\d{{4}})\b"
            )),
            Order::DayMonthNameYear,
        ),
        (
            re(&format!(
                r"(?i)\b({months})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b"
            )),
            Order::MonthNameDayYear,
        ),
    ]
});

fn full_date(caps: &regex::Captures<'_>, order: Order) -> Option<String> {
    let num = |i: usize| caps.get(i).and_then(|m| m.as_str().parse::<u32>().ok());
    let (y, m, d) = match order {
        Order::Ymd => (num(1)?, num(2)?, num(3)?),
        Order::Dmy => (num(3)?, num(2)?, num(1)?),
        Order::DayMonthNameYear => (num(3)?, month_number(caps.get(2)?.as_str())?, num(1)?),
        Order::MonthNameDayYear => (num(3)?, month_number(caps.get(1)?.as_str())?, num(2)?),
    };
    if !(1900..=2100).contains(&y) {
        return None;
    }
    NaiveDate::from_ymd_opt(y as i32, m, d).map(|dt| dt.format("%Y-%m-%d").to_string())
}

/// Dates with a year in `text` (ISO `2026-03-01`, `2026/03/01`, `01.03.2026`, "1 March
/// 2026", "March 1st, 2026", "4. Dezember 2025"): (start, end, ISO date), in order, without
/// overlaps.
pub fn full_dates(text: &str) -> Vec<(usize, usize, String)> {
    let mut found: Vec<(usize, usize, String)> = Vec::new();
    for (r, order) in FULL_DATES.iter() {
        for caps in r.captures_iter(text) {
            let Some(m) = caps.get(0) else { continue };
            if let Some(iso) = full_date(&caps, *order)
                && !found.iter().any(|(a, b, _)| m.start() < *b && *a < m.end())
            {
                found.push((m.start(), m.end(), iso));
            }
        }
    }
    found.sort_by_key(|f| f.0);
    found
}

/// A date with a year at the very start of `text`: the ISO date and the bytes it takes.
pub fn full_date_prefix(text: &str) -> Option<(String, usize)> {
    full_dates(text)
        .into_iter()
        .find(|(a, _, _)| *a == 0)
        .map(|(_, b, iso)| (iso, b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|d| d.and_hms_opt(12, 0, 0))
            .map(|dt| dt.and_utc())
            .unwrap_or_default()
    }

    #[test]
    fn every_language_file_has_twelve_months_and_seven_weekdays() {
        for (code, text) in LANGUAGES {
            let lang = lang_dates(code, text);
            assert_eq!(lang.months.len(), 12, "{code}");
            assert_eq!(lang.weekdays.len(), 7, "{code}");
            assert!(lang.months.iter().all(|m| !m.is_empty()), "{code}");
            assert!(!lang.back.is_empty(), "{code}: no return words");
            assert!(!lang.until.is_empty(), "{code}: no until words");
            for f in lang.back.iter().chain(&lang.until) {
                assert!(Regex::new(f).is_ok(), "{code}: bad fragment {f:?}");
            }
            for a in &lang.ambiguous {
                assert!(month_number(a).is_some(), "{code}: {a} is no month");
            }
        }
    }

    #[test]
    fn month_names_match_whole_words_in_every_language() {
        assert_eq!(month_number("Dezember"), Some(12));
        assert_eq!(month_number("giugno"), Some(6));
        assert_eq!(month_number("março"), Some(3));
        assert_eq!(month_number("sept."), Some(9));
        assert_eq!(month_words("maybe later"), vec![]);
        assert_eq!(month_words("we may talk in march"), vec![(15, 3)]);
        assert_eq!(month_words("until May"), vec![(6, 5)]);
        assert_eq!(month_words("im Dezember"), vec![(3, 12)]);
        assert_eq!(month_words("marco will call you"), vec![]);
        assert_eq!(month_words("dopo agosto"), vec![(5, 8)]);
    }

    #[test]
    fn weekdays_are_whole_words() {
        assert_eq!(weekday_in("back on Dienstag"), Some(Weekday::Tue));
        assert_eq!(weekday_in("de retour vendredi"), Some(Weekday::Fri));
        assert_eq!(weekday_in("the lunesta office"), None);
        assert_eq!(
            next_weekday(
                NaiveDate::from_ymd_opt(2026, 11, 19).unwrap_or_default(),
                Weekday::Mon
            ),
            NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_default()
        );
    }

    #[test]
    fn no_spelling_names_two_months_or_two_weekdays() {
        for (name, m) in &NAMES.months {
            assert_eq!(month_number(name), Some(*m), "{name}");
        }
        for (name, wd) in &NAMES.weekdays {
            assert_eq!(weekday_in(name), Some(*wd), "{name}");
        }
    }

    #[test]
    fn the_nordic_slavic_and_finnish_files_are_read() {
        let r = at(2026, 11, 19);
        let first = |t: &str| dates_in(t, r).first().map(|f| f.date.to_string());
        assert_eq!(first("wracam 5 grudnia").as_deref(), Some("2026-12-05"));
        assert_eq!(first("zpět 7. prosince").as_deref(), Some("2026-12-07"));
        assert_eq!(first("palaan 3. joulukuuta").as_deref(), Some("2026-12-03"));
        assert_eq!(
            first("tillbaka den 2 december").as_deref(),
            Some("2026-12-02")
        );
        assert_eq!(weekday_in("tilbake på mandag"), Some(Weekday::Mon));
        assert_eq!(weekday_in("wracam w środę"), Some(Weekday::Wed));
        assert_eq!(weekday_in("palaan perjantaina"), Some(Weekday::Fri));
        assert_eq!(month_words("dez minutos"), vec![]);
        assert!(back_words().iter().any(|w| w == "wracam"));
        assert!(until_words().iter().any(|w| w == "asti"));
    }

    #[test]
    fn the_files_of_the_other_european_languages_are_read() {
        let r = at(2026, 11, 10);
        let first = |t: &str| dates_in(t, r).first().map(|f| f.date.to_string());
        for (text, date) in [
            ("până pe 24 noiembrie", "2026-11-24"),
            ("szabadságon vagyok november 24-ig", "2026-11-24"),
            ("2026.11.24-ig szabadságon vagyok", "2026-11-24"),
            ("2026. 11. 24-ig", "2026-11-24"),
            ("έως 24 Νοεμβρίου", "2026-11-24"),
            ("ΕΩΣ 24 ΝΟΕΜΒΡΙΟΥ", "2026-11-24"),
            ("do 24. novembra", "2026-11-24"),
            ("do 24. studenoga", "2026-11-24"),
            ("до 24 ноември", "2026-11-24"),
            ("kuni 24. novembrini", "2026-11-24"),
            ("līdz 24. novembrim", "2026-11-24"),
            ("iki lapkričio 24 d.", "2026-11-24"),
            ("fins al 24 de novembre", "2026-11-24"),
            ("tornaré el 2 d'octubre", "2027-10-02"),
            ("до 24 ноября", "2026-11-24"),
            ("до 24 листопада", "2026-11-24"),
            ("24 Kasım'a kadar", "2026-11-24"),
        ] {
            assert_eq!(first(text).as_deref(), Some(date), "{text}");
        }
        for (text, day) in [
            ("revin luni", Weekday::Mon),
            ("visszatérek pénteken", Weekday::Fri),
            ("επιστρέφω την Τετάρτη", Weekday::Wed),
            ("vrátim sa v stredu", Weekday::Wed),
            ("vrnem se v četrtek", Weekday::Thu),
            ("vraćam se u srijedu", Weekday::Wed),
            ("ще се върна в понеделник", Weekday::Mon),
            ("tagasi esmaspäeval", Weekday::Mon),
            ("atgriezīšos pirmdien", Weekday::Mon),
            ("grįšiu penktadienį", Weekday::Fri),
            ("tornaré dimarts", Weekday::Tue),
            ("вернусь в среду", Weekday::Wed),
            ("повернуся в п’ятницю", Weekday::Fri),
            ("salı dönüyorum", Weekday::Tue),
        ] {
            assert_eq!(weekday_in(text), Some(day), "{text}");
        }
        // Names that are also first names count alone only after a word that introduces a
        // time; the Croatian "listopad" stays the Czech and Polish November.
        assert_eq!(month_words("Ian will call you"), vec![]);
        assert_eq!(month_words("Marta is on leave"), vec![]);
        assert_eq!(month_number("listopad"), Some(11));
        assert_eq!(month_number("oktobra"), Some(10));
        assert!(back_words().iter().any(|w| w == "revin"));
        assert!(until_words().iter().any(|w| w == "kuni"));
    }

    #[test]
    fn dates_with_and_without_a_year() {
        let r = at(2026, 11, 19);
        let d: Vec<String> = dates_in("zurück am 4. Dezember, then 2027-01-10", r)
            .iter()
            .map(|f| f.date.to_string())
            .collect();
        assert_eq!(d, vec!["2026-12-04", "2027-01-10"]);
        let d = dates_in("de volta a 3 de maio", r);
        assert_eq!(
            d.first().map(|f| f.date.to_string()).as_deref(),
            Some("2027-05-03")
        );
        assert_eq!(
            full_dates("Published 4. Dezember 2025 and March 1st, 2026"),
            vec![
                (10, 26, "2025-12-04".to_string()),
                (31, 46, "2026-03-01".to_string())
            ]
        );
        assert_eq!(
            full_date_prefix("12 May 2025 — news"),
            Some(("2025-05-12".to_string(), 11))
        );
    }

    #[test]
    fn dates_without_a_year_take_the_next_occurrence() {
        let r = at(2026, 11, 19);
        let d: Vec<String> = dates_in("back on January 4th", r)
            .iter()
            .map(|f| f.date.to_string())
            .collect();
        assert_eq!(d, vec!["2027-01-04"]);
        let d = dates_in("bis einschließlich 4. Dezember 2026", r);
        assert_eq!(
            d.first().map(|f| f.date.to_string()),
            Some("2026-12-04".into())
        );
        let d = dates_in("until 30/11", r);
        assert_eq!(
            d.first().map(|f| f.date.to_string()),
            Some("2026-11-30".into())
        );
        let d = dates_in("from July 10-31", at(2013, 7, 5));
        assert_eq!(
            d.first().map(|f| f.date.to_string()),
            Some("2013-07-31".into())
        );
    }
}
