//! Builds a statement's summary from the store's aggregates.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use super::{DayTotals, Settlement, Statement};
use crate::calendar::{local_midnight, Month};
use crate::error::{Error, Result};
use crate::ids::{AccountRef, CustomerId, VendorId};
use crate::ledger::Ledger;
use crate::money::{CurrencyCode, Money};
use crate::store::{Activity, KindTotal};
use crate::transaction::ALL_KINDS;
use crate::vendor::Vendor;

/// What a statement covers, before anything is read: whose, which account,
/// and the month's local days with their UTC boundaries.
#[derive(Debug, Clone)]
pub(super) struct Frame {
    pub account: AccountRef,
    pub kind: &'static str,
    pub owner: String,
    pub name: String,
    pub tz: Tz,
    pub month: Month,
    /// -1 for vendors (liability accounts carry credit balances: negated,
    /// they show what is owed), 1 for customers.
    pub sign: i64,
    /// The local days of the month.
    pub dates: Vec<NaiveDate>,
    /// Local midnight of each day, then of the next month's first day: one
    /// more than `dates`.
    pub boundaries: Vec<DateTime<Utc>>,
    /// Set for vendors: the currency and points per minor unit of the
    /// settlement.
    pub settle: Option<(crate::money::Currency, i64)>,
}

impl Frame {
    #[allow(clippy::too_many_arguments)]
    fn new(
        account: AccountRef,
        kind: &'static str,
        owner: String,
        name: String,
        tz: Tz,
        month: Month,
        sign: i64,
        settle: Option<(crate::money::Currency, i64)>,
    ) -> Result<Frame> {
        let dates = month.days()?;
        let mut boundaries = Vec::with_capacity(dates.len() + 1);
        for d in &dates {
            boundaries.push(local_midnight(tz, *d)?);
        }
        boundaries.push(month.bounds(tz)?.1);
        Ok(Frame {
            account,
            kind,
            owner,
            name,
            tz,
            month,
            sign,
            dates,
            boundaries,
            settle,
        })
    }

    /// A customer's frame for one currency.
    pub(super) fn customer(
        account: CustomerId,
        currency: CurrencyCode,
        month: Month,
        tz: Tz,
    ) -> Result<Frame> {
        Frame::new(
            AccountRef::Customer(account, currency),
            "customer",
            account.to_string(),
            account.to_string(),
            tz,
            month,
            1,
            None,
        )
    }

    /// A vendor's frame.
    pub(super) fn vendor(ledger: &Ledger, v: &Vendor, month: Month) -> Result<Frame> {
        Frame::new(
            AccountRef::Vendor(v.id.clone(), v.currency.code),
            "vendor",
            v.id.to_string(),
            v.name.clone(),
            v.time_zone,
            month,
            -1,
            Some((
                v.currency,
                ledger.config().points_per_minor_in(v.currency.code),
            )),
        )
    }

    /// First instant of the month (UTC).
    pub(super) fn from(&self) -> DateTime<Utc> {
        self.boundaries[0]
    }

    /// First instant of the next month (UTC).
    pub(super) fn to(&self) -> DateTime<Utc> {
        self.boundaries[self.boundaries.len() - 1]
    }

    /// The statement, from the account's activity over `boundaries`
    /// (`activity.buckets` in the store's sign, one per day).
    pub(super) fn statement(self, activity: &Activity) -> Result<Statement> {
        if activity.buckets.len() != self.dates.len() {
            return Err(Error::Storage(format!(
                "activity returned {} buckets for {} days",
                activity.buckets.len(),
                self.dates.len()
            )));
        }
        let sign = self.sign;
        let mut totals: Vec<KindTotal> = Vec::new();
        let mut days = Vec::new();
        let mut net_month = 0i64;
        for (date, bucket) in self.dates.iter().zip(&activity.buckets) {
            if bucket.is_empty() {
                continue;
            }
            let kinds: Vec<KindTotal> = bucket
                .iter()
                .map(|k| KindTotal {
                    kind: k.kind,
                    count: k.count,
                    points: sign * k.points,
                })
                .collect();
            let net: i64 = kinds.iter().map(|k| k.points).sum();
            net_month += net;
            for k in &kinds {
                match totals.iter_mut().find(|t| t.kind == k.kind) {
                    Some(t) => {
                        t.count += k.count;
                        t.points += k.points;
                    }
                    None => totals.push(*k),
                }
            }
            days.push(DayTotals {
                date: *date,
                kinds,
                net,
            });
        }
        totals.sort_by_key(|t| ALL_KINDS.iter().position(|k| *k == t.kind));
        let opening = sign * activity.opening;
        let closing = opening + net_month;
        let settlement = self.settle.map(|(currency, per_minor)| {
            let points = closing - opening;
            Settlement {
                points,
                amount: Money::from_minor(points / per_minor, currency),
                remainder_points: points % per_minor,
            }
        });
        let (from, to) = (self.from(), self.to());
        Ok(Statement {
            kind: self.kind,
            owner: self.owner,
            name: self.name,
            currency: self.account.currency(),
            account: self.account,
            month: self.month,
            time_zone: self.tz.name().to_string(),
            from,
            to,
            opening,
            totals,
            days,
            closing,
            settlement,
        })
    }

    /// The statement from the store's aggregates ([`crate::store::LedgerStore::activity`]).
    async fn read(self, ledger: &Ledger) -> Result<Statement> {
        let activity = ledger
            .store()
            .activity(&self.account, &self.boundaries)
            .await?;
        self.statement(&activity)
    }
}

/// A vendor's statement for a month of its own calendar.
pub async fn vendor_statement(
    ledger: &Ledger,
    vendor: &VendorId,
    month: Month,
) -> Result<Statement> {
    let v = ledger.vendor(vendor).await?;
    Frame::vendor(ledger, &v, month)?.read(ledger).await
}

/// A customer's statement of one currency for a month taken in time zone
/// `tz` (a currency the account never held gives an empty statement).
pub async fn customer_statement(
    ledger: &Ledger,
    account: CustomerId,
    currency: CurrencyCode,
    month: Month,
    tz: Tz,
) -> Result<Statement> {
    ledger.account(account).await?;
    Frame::customer(account, currency, month, tz)?
        .read(ledger)
        .await
}

/// A customer's statements for a month, one section per currency the
/// account has held, in currency-code order.
pub async fn customer_statements(
    ledger: &Ledger,
    account: CustomerId,
    month: Month,
    tz: Tz,
) -> Result<Vec<Statement>> {
    let balances = ledger.store().balance(account).await?;
    let mut out = Vec::new();
    for currency in balances.currencies() {
        out.push(
            Frame::customer(account, currency, month, tz)?
                .read(ledger)
                .await?,
        );
    }
    Ok(out)
}
