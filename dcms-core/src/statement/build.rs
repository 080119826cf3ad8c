//! Builds a statement's summary from the store's aggregates.

use chrono_tz::Tz;

use super::{DayTotals, Settlement, Statement};
use crate::calendar::{local_midnight, Month};
use crate::error::{Error, Result};
use crate::ids::{AccountRef, CustomerId, VendorId};
use crate::ledger::Ledger;
use crate::money::Money;
use crate::store::KindTotal;
use crate::transaction::ALL_KINDS;

/// A vendor's statement for a month of its own calendar.
pub async fn vendor_statement(
    ledger: &Ledger,
    vendor: &VendorId,
    month: Month,
) -> Result<Statement> {
    let v = ledger.vendor(vendor).await?;
    let account = AccountRef::Vendor(v.id.clone());
    // Liability accounts carry credit balances: negate to show what is owed.
    let mut st = build(
        ledger,
        account,
        "vendor",
        v.id.to_string(),
        v.name.clone(),
        v.time_zone,
        month,
        -1,
    )
    .await?;
    let points = st.closing - st.opening;
    let per_minor = ledger.config().points_per_minor;
    st.settlement = Some(Settlement {
        points,
        amount: Money::from_minor(points / per_minor, v.currency),
        remainder_points: points % per_minor,
    });
    Ok(st)
}

/// A customer's statement for a month taken in time zone `tz`.
pub async fn customer_statement(
    ledger: &Ledger,
    account: CustomerId,
    month: Month,
    tz: Tz,
) -> Result<Statement> {
    ledger.account(account).await?;
    build(
        ledger,
        AccountRef::Customer(account),
        "customer",
        account.to_string(),
        account.to_string(),
        tz,
        month,
        1,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn build(
    ledger: &Ledger,
    account: AccountRef,
    kind: &'static str,
    owner: String,
    name: String,
    tz: Tz,
    month: Month,
    sign: i64,
) -> Result<Statement> {
    let dates = month.days()?;
    let mut boundaries = Vec::with_capacity(dates.len() + 1);
    for d in &dates {
        boundaries.push(local_midnight(tz, *d)?);
    }
    let (from, to) = month.bounds(tz)?;
    boundaries.push(to);
    let activity = ledger.store().activity(&account, &boundaries).await?;
    if activity.buckets.len() != dates.len() {
        return Err(Error::Storage(format!(
            "activity returned {} buckets for {} days",
            activity.buckets.len(),
            dates.len()
        )));
    }
    let mut totals: Vec<KindTotal> = Vec::new();
    let mut days = Vec::new();
    let mut net_month = 0i64;
    for (date, bucket) in dates.iter().zip(&activity.buckets) {
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
    Ok(Statement {
        kind,
        owner,
        name,
        account,
        month,
        time_zone: tz.name().to_string(),
        from,
        to,
        opening,
        totals,
        days,
        closing: opening + net_month,
        settlement: None,
    })
}
