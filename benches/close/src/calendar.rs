//! A vendor's statement month as the plain SQL sees it: UTC nanosecond
//! bounds of each local day, computed exactly as the statement does
//! (`dcms_core::calendar`), so both sides bucket the same rows.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use dcms_core::calendar::{local_midnight, Month};

use crate::Res;

/// The month before `m`.
pub fn previous(m: Month) -> Res<Month> {
    Ok(if m.month == 1 {
        Month::new(m.year - 1, 12)?
    } else {
        Month::new(m.year, m.month - 1)?
    })
}

/// Nanoseconds since the epoch, as the stores keep times.
pub fn nanos(t: DateTime<Utc>) -> Res<i64> {
    t.timestamp_nanos_opt()
        .ok_or_else(|| format!("{t} is out of the nanosecond range").into())
}

/// One local day: its date and `[lo, hi)` in UTC nanoseconds.
#[derive(Debug, Clone, Copy)]
pub struct Day {
    pub date: NaiveDate,
    pub lo: i64,
    pub hi: i64,
}

/// The local days of `month` in `tz`, in order; the first `lo` is the
/// month's start and the last `hi` its end.
pub fn days(tz: Tz, month: Month) -> Res<Vec<Day>> {
    let dates = month.days()?;
    let mut bounds = Vec::with_capacity(dates.len() + 1);
    for d in &dates {
        bounds.push(nanos(local_midnight(tz, *d)?)?);
    }
    bounds.push(nanos(month.bounds(tz)?.1)?);
    Ok(dates
        .iter()
        .zip(bounds.windows(2))
        .map(|(date, w)| Day {
            date: *date,
            lo: w[0],
            hi: w[1],
        })
        .collect())
}
