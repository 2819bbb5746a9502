//! Business days and hours in the lead's time zone: when a first email or a follow-up may go
//! out.
//!
//! The time zone comes from the lead's country (ISO code) through a small data table
//! (`data/timezones.tsv`: the main business zone's standard offset and its daylight-saving
//! rule); an unknown country is read as UTC. Countries with several zones use the one where
//! most of their business is done, so a lead on the other coast may get its email an hour or
//! three off — still on a business day.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};

const TABLE: &str = include_str!("../../data/timezones.tsv");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dst {
    None,
    Eu,
    Us,
}

fn zone_of(country: &str) -> Option<(i64, Dst)> {
    let code = country.trim();
    if code.len() != 2 {
        return None;
    }
    TABLE
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .find_map(|l| {
            let mut cols = l.split('\t');
            let c = cols.next()?;
            if !c.eq_ignore_ascii_case(code) {
                return None;
            }
            let minutes: i64 = cols.next()?.trim().parse().ok()?;
            let dst = match cols.next().map(str::trim) {
                Some("eu") => Dst::Eu,
                Some("us") => Dst::Us,
                _ => Dst::None,
            };
            Some((minutes, dst))
        })
}

/// The `n`-th (1-based) `day` of a month, or the last one when `n` is 0.
fn nth_weekday(year: i32, month: u32, day: Weekday, n: u32) -> Option<NaiveDate> {
    if n == 0 {
        let next = if month == 12 {
            NaiveDate::from_ymd_opt(year + 1, 1, 1)?
        } else {
            NaiveDate::from_ymd_opt(year, month + 1, 1)?
        };
        let mut d = next.pred_opt()?;
        while d.weekday() != day {
            d = d.pred_opt()?;
        }
        return Some(d);
    }
    NaiveDate::from_weekday_of_month_opt(year, month, day, u8::try_from(n).ok()?)
}

fn utc_at(date: NaiveDate, hour: u32, minus_minutes: i64) -> Option<DateTime<Utc>> {
    let t = NaiveTime::from_hms_opt(hour, 0, 0)?;
    Some(Utc.from_utc_datetime(&date.and_time(t)) - Duration::minutes(minus_minutes))
}

/// The lead's offset from UTC in minutes at `at`, from its country (0 when unknown).
pub fn offset_minutes(country: &str, at: DateTime<Utc>) -> i64 {
    let Some((standard, dst)) = zone_of(country) else {
        return 0;
    };
    let y = at.year();
    let summer = match dst {
        Dst::None => false,
        // 01:00 UTC on the last Sundays of March and October.
        Dst::Eu => {
            let start = nth_weekday(y, 3, Weekday::Sun, 0).and_then(|d| utc_at(d, 1, 0));
            let end = nth_weekday(y, 10, Weekday::Sun, 0).and_then(|d| utc_at(d, 1, 0));
            matches!((start, end), (Some(s), Some(e)) if at >= s && at < e)
        }
        // 02:00 local time on the second Sunday of March and the first of November.
        Dst::Us => {
            let start = nth_weekday(y, 3, Weekday::Sun, 2).and_then(|d| utc_at(d, 2, standard));
            let end = nth_weekday(y, 11, Weekday::Sun, 1).and_then(|d| utc_at(d, 2, standard + 60));
            matches!((start, end), (Some(s), Some(e)) if at >= s && at < e)
        }
    };
    standard + if summer { 60 } else { 0 }
}

/// When mail may go out: business days and the hours of the day, in local time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusinessHours {
    /// Monday first.
    days: [bool; 7],
    /// Minutes after midnight: the first minute open and the first minute closed.
    open: u32,
    close: u32,
}

fn parse_hm(s: &str) -> Option<u32> {
    let (h, m) = s.trim().split_once(':')?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h <= 24 && m < 60 && h * 60 + m <= 24 * 60).then_some(h * 60 + m)
}

fn parse_day(s: &str) -> Option<usize> {
    let s = s.trim().to_ascii_lowercase();
    let days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    days.iter().position(|d| s.starts_with(d))
}

impl BusinessHours {
    /// From `cadence.business_hours` ("09:00-17:00"; empty = any time) and
    /// `cadence.business_days` ("mon" … "sun"). `None` when mail may go out at any time.
    pub fn parse(hours: &str, days: &[String]) -> Result<Option<BusinessHours>, String> {
        if hours.trim().is_empty() {
            return Ok(None);
        }
        let (a, b) = hours
            .split_once('-')
            .ok_or_else(|| format!("{hours:?} is not of the form HH:MM-HH:MM"))?;
        let (open, close) = match (parse_hm(a), parse_hm(b)) {
            (Some(o), Some(c)) if o < c => (o, c),
            _ => {
                return Err(format!(
                    "{hours:?} is not of the form HH:MM-HH:MM, opening first"
                ));
            }
        };
        let mut set = [false; 7];
        for d in days {
            let i = parse_day(d).ok_or_else(|| format!("{d:?} is not a day (mon … sun)"))?;
            set[i] = true;
        }
        if !set.contains(&true) {
            return Err("name at least one business day".into());
        }
        Ok(Some(BusinessHours {
            days: set,
            open,
            close,
        }))
    }

    /// Is `at` within business hours for a lead in `country`?
    pub fn is_open(&self, country: &str, at: DateTime<Utc>) -> bool {
        self.next_open(country, at) == at
    }

    /// The first moment at or after `at` within business hours in the lead's time zone.
    pub fn next_open(&self, country: &str, at: DateTime<Utc>) -> DateTime<Utc> {
        let offset = offset_minutes(country, at);
        let local = at + Duration::minutes(offset);
        let minute = local.hour_minute();
        let mut day = local.date_naive();
        let open_today = self.days[day.weekday().num_days_from_monday() as usize];
        if open_today && minute >= self.open && minute < self.close {
            return at;
        }
        if !(open_today && minute < self.open) {
            day = day.succ_opt().unwrap_or(day);
        }
        for _ in 0..8 {
            if self.days[day.weekday().num_days_from_monday() as usize] {
                let start = Utc.from_utc_datetime(&day.and_time(NaiveTime::MIN))
                    + Duration::minutes(i64::from(self.open));
                // The offset on that day (daylight saving may have changed meanwhile).
                let guess = start - Duration::minutes(offset);
                return start - Duration::minutes(offset_minutes(country, guess));
            }
            day = day.succ_opt().unwrap_or(day);
        }
        at
    }
}

trait HourMinute {
    fn hour_minute(&self) -> u32;
}

impl HourMinute for DateTime<Utc> {
    fn hour_minute(&self) -> u32 {
        use chrono::Timelike;
        self.hour() * 60 + self.minute()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn office() -> BusinessHours {
        let days: Vec<String> = ["mon", "tue", "wed", "thu", "fri"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        BusinessHours::parse("09:00-17:00", &days).unwrap().unwrap()
    }

    #[test]
    fn offsets_follow_the_country_and_daylight_saving() {
        assert_eq!(offset_minutes("DE", t("2026-01-15T12:00:00Z")), 60);
        assert_eq!(offset_minutes("de", t("2026-07-15T12:00:00Z")), 120);
        assert_eq!(offset_minutes("US", t("2026-01-15T12:00:00Z")), -300);
        assert_eq!(offset_minutes("US", t("2026-07-15T12:00:00Z")), -240);
        assert_eq!(offset_minutes("JP", t("2026-07-15T12:00:00Z")), 540);
        assert_eq!(offset_minutes("", t("2026-07-15T12:00:00Z")), 0);
        assert_eq!(offset_minutes("Atlantis", t("2026-07-15T12:00:00Z")), 0);
    }

    #[test]
    fn a_night_or_weekend_moves_to_the_next_business_morning() {
        let h = office();
        // Friday 2026-11-20 23:00 UTC is midnight in Berlin: Monday 09:00 Berlin = 08:00 UTC.
        assert_eq!(
            h.next_open("DE", t("2026-11-20T23:00:00Z")),
            t("2026-11-23T08:00:00Z")
        );
        // Tuesday 03:00 UTC is Monday 22:00 in New York: Tuesday 09:00 New York.
        assert_eq!(
            h.next_open("US", t("2026-11-24T03:00:00Z")),
            t("2026-11-24T14:00:00Z")
        );
        // Within hours: unchanged.
        let noon = t("2026-11-24T11:00:00Z");
        assert!(h.is_open("GB", noon));
        assert_eq!(h.next_open("GB", noon), noon);
    }

    #[test]
    fn bad_hours_are_refused_and_empty_means_any_time() {
        assert!(BusinessHours::parse("", &[]).unwrap().is_none());
        assert!(BusinessHours::parse("17:00-09:00", &["mon".into()]).is_err());
        assert!(BusinessHours::parse("9-17", &["mon".into()]).is_err());
        assert!(BusinessHours::parse("09:00-17:00", &["funday".into()]).is_err());
        assert!(BusinessHours::parse("09:00-17:00", &[]).is_err());
    }
}
