//! Local days and months in a vendor's IANA time zone, as UTC instants.
//!
//! A vendor's day (for caps) and month (for statements) are its own calendar's,
//! so their bounds move with daylight-saving changes.

use chrono::{DateTime, Datelike, Days, LocalResult, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

use crate::error::{Error, Result};

/// The UTC instant at which local date `date` begins in `tz`. Where midnight
/// does not exist (a DST jump at midnight), the day begins at the first
/// local time that does.
pub fn local_midnight(tz: Tz, date: NaiveDate) -> Result<DateTime<Utc>> {
    let mut local = date.and_time(NaiveTime::MIN);
    // A gap lasts at most a few hours; probe forward in 15-minute steps.
    for _ in 0..(4 * 24) {
        match tz.from_local_datetime(&local) {
            LocalResult::Single(t) => return Ok(t.with_timezone(&Utc)),
            LocalResult::Ambiguous(first, _) => return Ok(first.with_timezone(&Utc)),
            LocalResult::None => local += chrono::Duration::minutes(15),
        }
    }
    Err(Error::invalid_input(
        "date",
        format!("{date} has no start in {tz}"),
    ))
}

/// `[start, end)` in UTC of the local day containing `at`.
pub fn local_day(tz: Tz, at: DateTime<Utc>) -> Result<(DateTime<Utc>, DateTime<Utc>)> {
    let date = at.with_timezone(&tz).date_naive();
    let next = date
        .checked_add_days(Days::new(1))
        .ok_or_else(|| Error::invalid_input("date", "out of range"))?;
    Ok((local_midnight(tz, date)?, local_midnight(tz, next)?))
}

/// A calendar month, e.g. 2026-03.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Month {
    /// The year.
    pub year: i32,
    /// 1 to 12.
    pub month: u32,
}

impl Month {
    /// Checks and builds a month.
    pub fn new(year: i32, month: u32) -> Result<Self> {
        if !(1..=12).contains(&month) || !(1970..=9999).contains(&year) {
            return Err(Error::invalid_input(
                "month",
                format!("{year}-{month} is not a month"),
            ));
        }
        Ok(Month { year, month })
    }

    /// Parses `yyyy-mm`.
    pub fn parse(text: &str) -> Result<Self> {
        let bad = || Error::invalid_input("month", format!("{text:?} is not yyyy-mm"));
        let (y, m) = text.split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(bad());
        }
        Month::new(y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?)
    }

    /// The month containing local date `date`.
    pub fn of(date: NaiveDate) -> Self {
        Month {
            year: date.year(),
            month: date.month(),
        }
    }

    /// The first day.
    pub fn first_day(self) -> Result<NaiveDate> {
        NaiveDate::from_ymd_opt(self.year, self.month, 1)
            .ok_or_else(|| Error::invalid_input("month", "out of range"))
    }

    /// The following month.
    pub fn next(self) -> Self {
        if self.month == 12 {
            Month {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Month {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    /// The local days of the month, in order.
    pub fn days(self) -> Result<Vec<NaiveDate>> {
        let first = self.first_day()?;
        let end = self.next().first_day()?;
        Ok(first.iter_days().take_while(|d| *d < end).collect())
    }

    /// `[start, end)` in UTC of this month in `tz`.
    pub fn bounds(self, tz: Tz) -> Result<(DateTime<Utc>, DateTime<Utc>)> {
        Ok((
            local_midnight(tz, self.first_day()?)?,
            local_midnight(tz, self.next().first_day()?)?,
        ))
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dst_day_is_23_hours() {
        let tz: Tz = "America/New_York".parse().unwrap();
        let at = Utc.with_ymd_and_hms(2026, 3, 8, 12, 0, 0).unwrap();
        let (s, e) = local_day(tz, at).unwrap();
        assert_eq!((e - s).num_hours(), 23);
    }

    #[test]
    fn midnight_gap_starts_at_one() {
        // Havana moved clocks from 00:00 to 01:00 on 2026-03-08.
        let tz: Tz = "America/Havana".parse().unwrap();
        let d = NaiveDate::from_ymd_opt(2026, 3, 8).unwrap();
        let s = local_midnight(tz, d).unwrap();
        assert_eq!(s.with_timezone(&tz).date_naive(), d);
    }

    #[test]
    fn months_parse_and_bound() {
        let m = Month::parse("2026-12").unwrap();
        assert_eq!(m.next().to_string(), "2027-01");
        assert!(Month::parse("2026-13").is_err());
        assert!(Month::parse("26-1").is_err());
        let tz: Tz = "Asia/Tokyo".parse().unwrap();
        let (s, _) = m.bounds(tz).unwrap();
        assert_eq!(s, Utc.with_ymd_and_hms(2026, 11, 30, 15, 0, 0).unwrap());
        assert_eq!(m.days().unwrap().len(), 31);
    }
}
