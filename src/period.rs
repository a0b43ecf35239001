//! Cadences and periods: which stretch of the calendar a review covers, and whether it is
//! upcoming, running or over on a given local date. Dates are local (Europe/Copenhagen);
//! instants are UTC and become local dates only through [`local_date`].

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Europe::Copenhagen;
use serde::{Deserialize, Serialize};

use crate::i18n::Lang;

/// How often a duty recurs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Cadence {
    Monthly,
    Quarterly,
    HalfYearly,
    Yearly,
}

impl Cadence {
    /// Every cadence, longest first: the order reviews are listed in.
    pub const ALL: [Cadence; 4] = [
        Cadence::Yearly,
        Cadence::HalfYearly,
        Cadence::Quarterly,
        Cadence::Monthly,
    ];

    /// The word used in checklists and JSON.
    pub fn key(self) -> &'static str {
        match self {
            Cadence::Monthly => "monthly",
            Cadence::Quarterly => "quarterly",
            Cadence::HalfYearly => "half-yearly",
            Cadence::Yearly => "yearly",
        }
    }

    pub fn parse(s: &str) -> Option<Cadence> {
        Cadence::ALL.into_iter().find(|c| c.key() == s)
    }

    /// How many periods of this cadence a year holds.
    pub fn periods_per_year(self) -> u32 {
        match self {
            Cadence::Monthly => 12,
            Cadence::Quarterly => 4,
            Cadence::HalfYearly => 2,
            Cadence::Yearly => 1,
        }
    }

    fn months(self) -> u32 {
        12 / self.periods_per_year()
    }

    /// "Årlig" / "Yearly".
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Cadence::Monthly => lang.pick("Månedlig", "Monthly"),
            Cadence::Quarterly => lang.pick("Kvartalsvis", "Quarterly"),
            Cadence::HalfYearly => lang.pick("Halvårlig", "Half-yearly"),
            Cadence::Yearly => lang.pick("Årlig", "Yearly"),
        }
    }

    /// The review's name: "Kvartalsgennemgang" / "Quarterly review".
    pub fn review_name(self, lang: Lang) -> &'static str {
        match self {
            Cadence::Monthly => lang.pick("Månedsgennemgang", "Monthly review"),
            Cadence::Quarterly => lang.pick("Kvartalsgennemgang", "Quarterly review"),
            Cadence::HalfYearly => lang.pick("Halvårsgennemgang", "Half-yearly review"),
            Cadence::Yearly => lang.pick("Årsgennemgang", "Yearly review"),
        }
    }
}

impl fmt::Display for Cadence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// One stretch of the calendar of one cadence: `2026`, `2026-H2`, `2026-Q4`, `2026-11`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    year: i32,
    cadence: Cadence,
    /// 1-based index within the year (month, quarter, half); 1 for a year.
    index: u32,
}

/// Where a period stands relative to a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timing {
    Upcoming,
    Running,
    Ended,
}

/// A period key that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a period key: use 2026 (yearly), 2026-H2 (half-yearly), 2026-Q4 (quarterly) or 2026-11 (monthly), with a year from 2000 to 2099"
)]
pub struct BadPeriodKey(pub String);

/// The years a period key may name. Outside them a key is a typo (`0001`, `1900`), and
/// refusing it keeps every stored key in the one canonical four-digit form.
pub const YEARS: std::ops::RangeInclusive<i32> = 2000..=2099;

impl Period {
    /// The period of `cadence` that contains `date`.
    pub fn containing(cadence: Cadence, date: NaiveDate) -> Period {
        Period {
            year: date.year(),
            cadence,
            index: date.month0() / cadence.months() + 1,
        }
    }

    /// Every period of `cadence` in `year`, in order.
    pub fn all_in_year(cadence: Cadence, year: i32) -> impl Iterator<Item = Period> {
        (1..=cadence.periods_per_year()).map(move |index| Period {
            year,
            cadence,
            index,
        })
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn cadence(self) -> Cadence {
        self.cadence
    }

    /// The key used on the command line, in the store and in JSON.
    pub fn key(self) -> String {
        match self.cadence {
            Cadence::Yearly => format!("{}", self.year),
            Cadence::HalfYearly => format!("{}-H{}", self.year, self.index),
            Cadence::Quarterly => format!("{}-Q{}", self.year, self.index),
            Cadence::Monthly => format!("{}-{:02}", self.year, self.index),
        }
    }

    /// First day of the period.
    pub fn starts(self) -> NaiveDate {
        let month = (self.index - 1) * self.cadence.months() + 1;
        NaiveDate::from_ymd_opt(self.year, month, 1).expect("month is 1..=12")
    }

    /// Last day of the period.
    pub fn ends(self) -> NaiveDate {
        self.next_start()
            .pred_opt()
            .expect("dates are far from the minimum")
    }

    fn next_start(self) -> NaiveDate {
        let month0 = self.index * self.cadence.months();
        if month0 >= 12 {
            NaiveDate::from_ymd_opt(self.year + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(self.year, month0 + 1, 1)
        }
        .expect("month is 1..=12")
    }

    /// Whether the period has not begun, runs, or is over on `today`.
    pub fn timing(self, today: NaiveDate) -> Timing {
        if today < self.starts() {
            Timing::Upcoming
        } else if today > self.ends() {
            Timing::Ended
        } else {
            Timing::Running
        }
    }

    /// "Kvartalsgennemgang 2026-Q4".
    pub fn review_title(self, lang: Lang) -> String {
        format!("{} {}", self.cadence.review_name(lang), self.key())
    }

    /// "1. oktober–31. december 2026": the span in words.
    pub fn span_words(self, lang: Lang) -> String {
        let (s, e) = (self.starts(), self.ends());
        let start = lang.date(s);
        let start = start
            .strip_suffix(&format!(" {}", s.year()))
            .unwrap_or(&start);
        format!("{start}–{}", lang.date(e))
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.key())
    }
}

impl FromStr for Period {
    type Err = BadPeriodKey;

    fn from_str(s: &str) -> Result<Period, BadPeriodKey> {
        let bad = || BadPeriodKey(s.to_string());
        let (year, rest) = match s.split_once('-') {
            Some((y, r)) => (y, Some(r)),
            None => (s, None),
        };
        if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let year: i32 = year.parse().map_err(|_| bad())?;
        if !YEARS.contains(&year) {
            return Err(bad());
        }
        let number = |digits: &str, max: u32| -> Result<u32, BadPeriodKey> {
            if digits.is_empty() || digits.len() > 2 || !digits.bytes().all(|b| b.is_ascii_digit())
            {
                return Err(bad());
            }
            let n: u32 = digits.parse().map_err(|_| bad())?;
            if (1..=max).contains(&n) {
                Ok(n)
            } else {
                Err(bad())
            }
        };
        let (cadence, index) = match rest {
            None => (Cadence::Yearly, 1),
            Some(r) if r.starts_with('H') => (Cadence::HalfYearly, number(&r[1..], 2)?),
            Some(r) if r.starts_with('Q') => (Cadence::Quarterly, number(&r[1..], 4)?),
            Some(r) if r.len() == 2 => (Cadence::Monthly, number(r, 12)?),
            Some(_) => return Err(bad()),
        };
        Ok(Period {
            year,
            cadence,
            index,
        })
    }
}

/// A date as a person writes it: `2026-11-22` or the Danish `22.11.2026` (the year with four
/// digits; `22.11.26` is refused). `None` for anything else, including a 30 February.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return (s.len() == 10).then_some(d);
    }
    let parts: Vec<&str> = s.split('.').collect();
    match parts.as_slice() {
        [d, m, y]
            if (1..=2).contains(&d.len())
                && (1..=2).contains(&m.len())
                && y.len() == 4
                && [d, m, y]
                    .iter()
                    .all(|p| p.bytes().all(|b| b.is_ascii_digit())) =>
        {
            NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
        }
        _ => None,
    }
}

/// The local (Europe/Copenhagen) calendar date of an instant.
pub fn local_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&Copenhagen).date_naive()
}

/// An instant shown as local time, "2026-11-22 14:05".
pub fn local_time(at: DateTime<Utc>) -> String {
    at.with_timezone(&Copenhagen)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn p(key: &str) -> Period {
        key.parse().unwrap()
    }

    #[test]
    fn keys_round_trip_and_name_the_cadence() {
        for (key, cadence) in [
            ("2026", Cadence::Yearly),
            ("2026-H2", Cadence::HalfYearly),
            ("2026-Q4", Cadence::Quarterly),
            ("2026-11", Cadence::Monthly),
            ("2024-02", Cadence::Monthly),
        ] {
            assert_eq!(p(key).key(), key);
            assert_eq!(p(key).cadence(), cadence);
        }
    }

    #[test]
    fn bad_keys_are_refused() {
        for key in [
            "",
            "26",
            "2026-",
            "2026-H3",
            "2026-H0",
            "2026-Q5",
            "2026-13",
            "2026-00",
            "2026-1",
            "2026-q4",
            "2026-Q",
            "abcd",
            "2026-11-01",
            "2026-H02x",
            "+026",
            "0001",
            "0999",
            "1900",
            "1999",
            "2100",
            "9999-Q1",
        ] {
            assert!(key.parse::<Period>().is_err(), "{key} should be refused");
        }
    }

    #[test]
    fn spans_cover_the_calendar() {
        assert_eq!(
            (p("2026").starts(), p("2026").ends()),
            (d(2026, 1, 1), d(2026, 12, 31))
        );
        assert_eq!(
            (p("2026-H1").starts(), p("2026-H1").ends()),
            (d(2026, 1, 1), d(2026, 6, 30))
        );
        assert_eq!(
            (p("2026-H2").starts(), p("2026-H2").ends()),
            (d(2026, 7, 1), d(2026, 12, 31))
        );
        assert_eq!(
            (p("2026-Q1").starts(), p("2026-Q1").ends()),
            (d(2026, 1, 1), d(2026, 3, 31))
        );
        assert_eq!(
            (p("2026-Q4").starts(), p("2026-Q4").ends()),
            (d(2026, 10, 1), d(2026, 12, 31))
        );
        assert_eq!(p("2024-02").ends(), d(2024, 2, 29), "leap year");
        assert_eq!(p("2026-02").ends(), d(2026, 2, 28));
        assert_eq!(
            Period::containing(Cadence::Monthly, d(2100, 2, 1)).ends(),
            d(2100, 2, 28),
            "century, not leap"
        );
        assert_eq!(p("2000-02").ends(), d(2000, 2, 29), "400-year leap");
        for cadence in Cadence::ALL {
            let periods: Vec<_> = Period::all_in_year(cadence, 2028).collect();
            assert_eq!(periods.first().unwrap().starts(), d(2028, 1, 1));
            assert_eq!(periods.last().unwrap().ends(), d(2028, 12, 31));
            for pair in periods.windows(2) {
                assert_eq!(pair[0].ends().succ_opt().unwrap(), pair[1].starts());
            }
        }
    }

    #[test]
    fn containing_finds_the_period_at_the_boundaries() {
        assert_eq!(
            Period::containing(Cadence::HalfYearly, d(2026, 6, 30)),
            p("2026-H1")
        );
        assert_eq!(
            Period::containing(Cadence::HalfYearly, d(2026, 7, 1)),
            p("2026-H2")
        );
        assert_eq!(
            Period::containing(Cadence::Quarterly, d(2026, 12, 31)),
            p("2026-Q4")
        );
        assert_eq!(
            Period::containing(Cadence::Quarterly, d(2027, 1, 1)),
            p("2027-Q1")
        );
        assert_eq!(
            Period::containing(Cadence::Monthly, d(2024, 2, 29)),
            p("2024-02")
        );
        assert_eq!(
            Period::containing(Cadence::Yearly, d(2026, 12, 31)),
            p("2026")
        );
    }

    #[test]
    fn timing_turns_over_at_midnight_local() {
        let q4 = p("2026-Q4");
        assert_eq!(q4.timing(d(2026, 9, 30)), Timing::Upcoming);
        assert_eq!(q4.timing(d(2026, 10, 1)), Timing::Running);
        assert_eq!(q4.timing(d(2026, 12, 31)), Timing::Running);
        assert_eq!(q4.timing(d(2027, 1, 1)), Timing::Ended);
        let h1 = p("2026-H1");
        assert_eq!(h1.timing(d(2026, 6, 30)), Timing::Running);
        assert_eq!(h1.timing(d(2026, 7, 1)), Timing::Ended);
    }

    #[test]
    fn local_dates_follow_copenhagen_across_new_year_and_dst() {
        let utc = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        // New Year: CET is UTC+1, so 23:30 UTC on 31 Dec is already 1 Jan.
        assert_eq!(local_date(utc("2026-12-31T22:59:59Z")), d(2026, 12, 31));
        assert_eq!(local_date(utc("2026-12-31T23:00:00Z")), d(2027, 1, 1));
        // Midsummer: CEST is UTC+2, so 22:00 UTC on 30 Jun is 1 Jul, the second half-year.
        assert_eq!(local_date(utc("2026-06-30T21:59:59Z")), d(2026, 6, 30));
        assert_eq!(local_date(utc("2026-06-30T22:00:00Z")), d(2026, 7, 1));
        // DST starts 29 Mar 2026 at 01:00 UTC; ends 25 Oct 2026 at 01:00 UTC. The date stays.
        assert_eq!(local_date(utc("2026-03-29T00:59:59Z")), d(2026, 3, 29));
        assert_eq!(local_date(utc("2026-03-29T01:00:00Z")), d(2026, 3, 29));
        assert_eq!(local_date(utc("2026-03-28T22:59:59Z")), d(2026, 3, 28));
        assert_eq!(local_date(utc("2026-03-28T23:00:00Z")), d(2026, 3, 29));
        assert_eq!(local_date(utc("2026-10-24T21:59:59Z")), d(2026, 10, 24));
        assert_eq!(local_date(utc("2026-10-24T22:00:00Z")), d(2026, 10, 25));
        assert_eq!(local_date(utc("2026-10-25T22:59:59Z")), d(2026, 10, 25));
        assert_eq!(local_date(utc("2026-10-25T23:00:00Z")), d(2026, 10, 26));
        // The month of March ends in CEST: 31 Mar 22:00 UTC is already 1 Apr (Q2).
        let at = utc("2026-03-31T22:00:00Z");
        assert_eq!(
            Period::containing(Cadence::Quarterly, local_date(at)),
            p("2026-Q2")
        );
    }

    #[test]
    fn dates_are_read_in_iso_and_danish_form() {
        assert_eq!(parse_date("2026-11-22"), Some(d(2026, 11, 22)));
        assert_eq!(parse_date("22.11.2026"), Some(d(2026, 11, 22)));
        assert_eq!(parse_date("1.9.2026"), Some(d(2026, 9, 1)));
        assert_eq!(
            parse_date(" 29.02.2028 "),
            Some(d(2028, 2, 29)),
            "leap year"
        );
        assert_eq!(parse_date("31.12.2026"), Some(d(2026, 12, 31)));
        for bad in [
            "29.02.2027",
            "30.02.2028",
            "22.11.26",
            "2026-11-31",
            "22/11/2026",
            "22.11.2026.",
            "+2026-11-22",
            "",
            "x.y.zzzz",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn spans_in_words() {
        assert_eq!(
            p("2026-Q4").span_words(Lang::Da),
            "1. oktober–31. december 2026"
        );
        assert_eq!(
            p("2026-Q4").span_words(Lang::En),
            "1 October–31 December 2026"
        );
        assert_eq!(
            p("2026-Q4").review_title(Lang::Da),
            "Kvartalsgennemgang 2026-Q4"
        );
    }
}
