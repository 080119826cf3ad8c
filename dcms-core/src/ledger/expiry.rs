//! Expiry of points on inactive accounts ([`super::ExpiryPolicy`]).
//!
//! `expire_inactive(as_of)` writes one `Expiry` transaction per customer
//! and currency whose points have not moved for the policy's months. Its
//! idempotency keys derive from the account, the currency and the date of
//! `as_of` in the program's time zone, so running it twice, or from two
//! processes at once, expires nothing twice.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Months, Utc};
use serde::{Deserialize, Serialize};

use super::Ledger;
use crate::error::{Error, Result};
use crate::ids::CustomerId;
use crate::money::CurrencyCode;
use crate::store::{DormantBalance, MAX_PAGE};

/// What [`Ledger::expire_inactive`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpiryReport {
    /// Accounts (customer and currency) whose points expired in this run.
    pub expired: u64,
    /// Accounts expired by an earlier run of the same day (replayed keys).
    pub already_expired: u64,
    /// Accounts skipped because they moved while the run read them.
    pub skipped: u64,
    /// Points expired per currency (this run's and replayed ones).
    pub points: BTreeMap<CurrencyCode, i64>,
}

/// Points that will expire unless the account moves first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpiringPoints {
    /// The customer.
    pub customer: CustomerId,
    /// The currency of the points.
    pub currency: CurrencyCode,
    /// Points that would expire (available, not held).
    pub points: i64,
    /// The account's last movement in this currency.
    pub last_activity: DateTime<Utc>,
    /// When they expire: the last movement plus the policy's months.
    pub expires_at: DateTime<Utc>,
}

fn months_before(at: DateTime<Utc>, months: u32) -> Result<DateTime<Utc>> {
    at.checked_sub_months(Months::new(months)).ok_or_else(|| {
        Error::invalid_input(
            "as of",
            format!("{at} minus {months} months is out of range"),
        )
    })
}

impl Ledger {
    /// The next page of dormant balances since `inactive_since` after the
    /// cursor `after` (None at the start), which it moves past the page;
    /// None once the last page has been read. The cursor is a (customer,
    /// currency) key, so accounts expired while paging are never skipped.
    async fn next_dormant_page(
        &self,
        inactive_since: DateTime<Utc>,
        after: &mut Option<Option<(CustomerId, CurrencyCode)>>,
    ) -> Result<Option<Vec<DormantBalance>>> {
        let Some(from) = *after else {
            return Ok(None);
        };
        let page = self
            .store
            .dormant_balances(inactive_since, from, MAX_PAGE)
            .await?;
        // A short page is the last one.
        *after = (page.len() == MAX_PAGE as usize)
            .then(|| page.last().map(|d| (d.customer, d.currency)));
        Ok(Some(page))
    }

    /// Expires the available points of every account (customer and
    /// currency) that has not moved for the policy's months before `as_of`:
    /// one `Expiry` transaction each, to the currency's breakage account.
    /// Without an expiry policy nothing expires. Safe to run again and from
    /// several processes: an account expires once per day at most, and an
    /// expired account has nothing left to expire.
    pub async fn expire_inactive(&self, as_of: DateTime<Utc>) -> Result<ExpiryReport> {
        let mut report = ExpiryReport::default();
        let Some(policy) = self.config.expiry else {
            return Ok(report);
        };
        let since = months_before(as_of, policy.inactive_months)?;
        let date = as_of.with_timezone(&self.config.time_zone).date_naive();
        // Each page is expired before the next is read: memory stays at a
        // page whatever the number of dormant accounts.
        let mut after = Some(None);
        while let Some(page) = self.next_dormant_page(since, &mut after).await? {
            for d in page {
                self.expire_dormant(&d, date, &mut report).await?;
            }
        }
        Ok(report)
    }

    /// Expires one dormant balance under its day's key, counting the
    /// outcome in `report`.
    async fn expire_dormant(
        &self,
        d: &DormantBalance,
        date: chrono::NaiveDate,
        report: &mut ExpiryReport,
    ) -> Result<()> {
        let key = format!("dcms:expire:{}:{}:{date}", d.customer, d.currency);
        let reason = format!(
            "no activity since {}",
            d.last_activity
                .with_timezone(&self.config.time_zone)
                .date_naive()
        );
        match self
            .expire(&key, d.customer, d.currency, d.available, &reason)
            .await
        {
            Ok(done) => {
                if done.replayed {
                    report.already_expired += 1;
                } else {
                    report.expired += 1;
                }
                *report.points.entry(d.currency).or_default() += d.available;
            }
            // Moved while we read it (spent or credited, or expired by
            // another process with other figures): active, not expired.
            Err(Error::InsufficientPoints { .. } | Error::IdempotencyConflict { .. }) => {
                report.skipped += 1;
            }
            Err(e) => return Err(e),
        }
        Ok(())
    }

    /// The points that will expire by `as_of + within` unless their account
    /// moves first, so a program can warn its customers. Empty without an
    /// expiry policy.
    pub async fn expiring_within(
        &self,
        as_of: DateTime<Utc>,
        within: Duration,
    ) -> Result<Vec<ExpiringPoints>> {
        let Some(policy) = self.config.expiry else {
            return Ok(Vec::new());
        };
        if within < Duration::zero() {
            return Err(Error::invalid_input("within", "must not be negative"));
        }
        let horizon = as_of
            .checked_add_signed(within)
            .ok_or_else(|| Error::invalid_input("within", "out of range"))?;
        let since = months_before(horizon, policy.inactive_months)?;
        let months = Months::new(policy.inactive_months);
        let mut out = Vec::new();
        let mut after = Some(None);
        while let Some(page) = self.next_dormant_page(since, &mut after).await? {
            out.extend(page.into_iter().map(|d| {
                ExpiringPoints {
                    customer: d.customer,
                    currency: d.currency,
                    points: d.available,
                    last_activity: d.last_activity,
                    expires_at: d
                        .last_activity
                        .checked_add_months(months)
                        .unwrap_or(horizon),
                }
            }));
        }
        Ok(out)
    }
}
