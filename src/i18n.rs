//! Danish and English. Texts live next to the code that shows them, as `lang.pick(da, en)`:
//! two short languages do not need a catalogue, and the pair keeps both in view.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

/// The language of everything a user reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Danish, the default: the users are Danish organisations.
    #[default]
    Da,
    En,
}

impl Lang {
    /// Chooses between the Danish and the English text.
    pub fn pick<T>(self, da: T, en: T) -> T {
        match self {
            Lang::Da => da,
            Lang::En => en,
        }
    }

    /// Parses `da` / `en` (as given to `--lang` or in a checklist).
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "da" => Some(Lang::Da),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The language from the locale variables (`LC_ALL`, `LC_MESSAGES`, `LANG`, first set).
    /// English only when the locale says English; Danish otherwise, also for `C` or unset,
    /// because the people using this read Danish first.
    pub fn from_locale(get: impl Fn(&str) -> Option<String>) -> Lang {
        let locale = ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|k| get(k))
            .find(|v| !v.is_empty())
            .unwrap_or_default();
        if locale.starts_with("en") {
            Lang::En
        } else {
            Lang::Da
        }
    }

    /// A date as people write it: "22. november 2026" / "22 November 2026".
    pub fn date(self, d: NaiveDate) -> String {
        let m = d.month0() as usize;
        match self {
            Lang::Da => format!("{}. {} {}", d.day(), MONTHS_DA[m], d.year()),
            Lang::En => format!("{} {} {}", d.day(), MONTHS_EN[m], d.year()),
        }
    }

    /// "1 afvigelse", "2 afvigelser": a count with its noun in the right number.
    pub fn count(self, n: usize, da: (&str, &str), en: (&str, &str)) -> String {
        let (one, many) = self.pick(da, en);
        format!("{n} {}", if n == 1 { one } else { many })
    }

    /// A month's name, lower case in Danish as Danish writes it.
    pub fn month(self, month0: usize) -> &'static str {
        self.pick(MONTHS_DA, MONTHS_EN)[month0 % 12]
    }
}

const MONTHS_DA: [&str; 12] = [
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
    }

    #[test]
    fn locale_picks_english_only_when_asked() {
        assert_eq!(Lang::from_locale(env(&[("LANG", "en_GB.UTF-8")])), Lang::En);
        assert_eq!(Lang::from_locale(env(&[("LANG", "da_DK.UTF-8")])), Lang::Da);
        assert_eq!(Lang::from_locale(env(&[("LANG", "C.UTF-8")])), Lang::Da);
        assert_eq!(Lang::from_locale(env(&[])), Lang::Da);
        assert_eq!(
            Lang::from_locale(env(&[("LC_ALL", "da_DK"), ("LANG", "en_US")])),
            Lang::Da
        );
        assert_eq!(
            Lang::from_locale(env(&[("LC_ALL", ""), ("LANG", "en_US")])),
            Lang::En
        );
    }

    #[test]
    fn counts_take_the_right_number() {
        let dev = (("afvigelse", "afvigelser"), ("deviation", "deviations"));
        assert_eq!(Lang::Da.count(1, dev.0, dev.1), "1 afvigelse");
        assert_eq!(Lang::Da.count(0, dev.0, dev.1), "0 afvigelser");
        assert_eq!(Lang::En.count(2, dev.0, dev.1), "2 deviations");
    }

    #[test]
    fn dates_read_as_people_write_them() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        assert_eq!(Lang::Da.date(d), "22. november 2026");
        assert_eq!(Lang::En.date(d), "22 November 2026");
    }
}
