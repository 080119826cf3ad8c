//! Writes: every operation that appends to the journal.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use super::fingerprint::Fingerprint;
use super::requests::{CreditChange, HoldRequest, Redeem};
use super::{Ledger, MAX_POINTS};
use crate::calendar::local_day;
use crate::change::{quote_change, ChangeQuote};
use crate::error::{Error, Result};
use crate::ids::{AccountRef, CustomerId, PosRef, TxId, VendorId};
use crate::money::CurrencyCode;
use crate::money::Money;
use crate::transaction::{
    check_key, Appended, CapScope, DailyCap, NewTransaction, Posting, Transaction, TxKind,
};
use rust_decimal::Decimal;

fn check_points(points: i64) -> Result<()> {
    if !(1..=MAX_POINTS).contains(&points) {
        return Err(Error::invalid_input(
            "points",
            format!("must be 1 to {MAX_POINTS}, got {points}"),
        ));
    }
    Ok(())
}

fn check_memo(field: &'static str, text: &str) -> Result<()> {
    // The whole text counts, spaces around it too: it is stored as given,
    // and SQL stores index it with the statement lines (a bounded size).
    let blank = text.trim().is_empty();
    if blank || text.chars().count() > 500 || text.chars().any(|c| c.is_control() && c != '\n') {
        return Err(Error::invalid_input(
            field,
            "must be 1 to 500 printable characters",
        ));
    }
    Ok(())
}

/// A transaction skeleton with the fields every kind shares.
pub(crate) fn new_tx(
    key: &str,
    fingerprint: String,
    kind: TxKind,
    at: DateTime<Utc>,
    postings: Vec<Posting>,
) -> NewTransaction {
    NewTransaction {
        key: key.to_string(),
        fingerprint,
        kind,
        postings,
        vendor: None,
        pos: PosRef::default(),
        cash: None,
        closes: None,
        expires_at: None,
        memo: None,
        at,
        daily_cap: None,
    }
}

/// The future of a store's append (what `async_trait` methods return).
type AppendFuture<'a> = Pin<Box<dyn Future<Output = Result<Appended>> + Send + 'a>>;

fn leg(account: AccountRef, points: i64) -> Posting {
    Posting { account, points }
}

impl Ledger {
    /// Appends, first replaying an existing key without any other check
    /// (so a retry of an acknowledged write succeeds even if the world has
    /// changed since, e.g. the vendor's caps).
    ///
    /// Returns the store's future itself rather than wrapping it in another
    /// `async fn`: the transaction then moves once into the store's boxed
    /// future instead of through one more future's state on every write.
    ///
    /// Only the key is checked here. The legs are checked by the store
    /// itself, which must refuse legs that mix currencies or do not sum to
    /// zero whoever calls it (the `LedgerStore::append` contract, which the
    /// conformance case `store_refuses_bad_legs` holds every store to), so a
    /// second check here would only run the same loop twice per write.
    fn append(&self, tx: NewTransaction) -> Result<AppendFuture<'_>> {
        check_key(&tx.key)?;
        Ok(self.store.append(tx))
    }

    /// Appends a spend from a customer. An expired hold's points are
    /// available from the moment it expires: when the balance falls short
    /// and the customer has expired holds in the spend's currency, they are
    /// released and the spend tried once more.
    async fn append_spend(&self, tx: NewTransaction, customer: CustomerId) -> Result<Appended> {
        match self.append(tx.clone())?.await {
            Err(e @ Error::InsufficientPoints { .. }) => {
                let currency = tx.currency();
                let mut released = false;
                for hold in self
                    .store
                    .expired_holds_of(customer, self.clock.now())
                    .await?
                {
                    if hold.currency() != currency {
                        continue;
                    }
                    if let Some((c, _, held)) = Self::hold_parts(&hold) {
                        if let Some(vendor) = hold.vendor.clone() {
                            released |= self.release(&hold, c, &vendor, held).await?;
                        }
                    }
                }
                if released {
                    self.append(tx)?.await
                } else {
                    Err(e)
                }
            }
            other => other,
        }
    }

    /// What a sale's change would give, before anything is written.
    pub async fn quote_change(
        &self,
        vendor: &VendorId,
        total: Decimal,
        tendered: Decimal,
    ) -> Result<ChangeQuote> {
        let v = self.cached_vendor(vendor).await?;
        let total = Money::from_decimal_non_negative(total, v.currency)?;
        let tendered = Money::from_decimal_non_negative(tendered, v.currency)?;
        quote_change(v.currency, total, tendered, v.policy)
    }

    /// Credits the change of a cash sale to a customer's account.
    ///
    /// A sale whose policy credits nothing (or exact tender) still records a
    /// transaction only when there is something to credit; otherwise the
    /// quote is returned with `tx = None`.
    pub async fn credit_change(&self, req: &CreditChange) -> Result<ChangeCredited> {
        req.pos.validate()?;
        let now = self.clock.now();
        let vendor = self.cached_vendor_at(&req.vendor, now).await?;
        let total = Money::from_decimal_non_negative(req.total, vendor.currency)?;
        let tendered = Money::from_decimal_non_negative(req.tendered, vendor.currency)?;
        let quote = quote_change(vendor.currency, total, tendered, vendor.policy)?;
        let points = quote
            .credit
            .minor
            .checked_mul(self.config.points_per_minor_in(vendor.currency.code))
            .filter(|p| *p <= MAX_POINTS)
            .ok_or_else(|| Error::InvalidAmount {
                value: quote.credit.to_string(),
                reason: "credit too large".into(),
            })?;
        let fingerprint = Fingerprint::new("credit")
            .text(vendor.id.as_str())
            .customer(req.account)
            .int(total.minor)
            .int(tendered.minor)
            .pos(&req.pos)
            .finish();
        if points == 0 {
            // Nothing to credit: a replayed key must still match its request.
            if let Some(tx) = self.store.transaction_by_key(&req.key).await? {
                return Err(Error::IdempotencyConflict { key: tx.key });
            }
            self.account(req.account).await?;
            return Ok(ChangeCredited {
                quote,
                points,
                tx: None,
                replayed: false,
            });
        }
        if let Some(cap) = vendor.per_credit_cap {
            if points > cap {
                return Err(Error::LimitExceeded {
                    limit: "per-credit",
                    cap,
                    requested: points,
                    remaining: cap,
                });
            }
        }
        let daily_cap = match vendor.per_day_cap {
            Some(cap) => {
                let (from, to) = local_day(vendor.time_zone, now)?;
                Some(DailyCap {
                    account: AccountRef::Customer(req.account, vendor.currency.code),
                    scope: CapScope::ChangeCredits {
                        vendor: vendor.id.clone(),
                    },
                    from,
                    to,
                    cap,
                })
            }
            None => None,
        };
        let mut tx = new_tx(
            &req.key,
            fingerprint,
            TxKind::ChangeCredit,
            now,
            vec![
                leg(
                    AccountRef::Vendor(vendor.id.clone(), vendor.currency.code),
                    -points,
                ),
                leg(
                    AccountRef::Customer(req.account, vendor.currency.code),
                    points,
                ),
            ],
        );
        tx.vendor = Some(vendor.id.clone());
        tx.pos = req.pos.clone();
        tx.cash = Some(quote);
        tx.daily_cap = daily_cap;
        let appended = self.append(tx)?.await?;
        Ok(ChangeCredited {
            // A replay answers with the first request's quote; a new credit
            // stored the one just made (no copy out of the record).
            quote: if appended.replayed {
                appended.tx.cash.unwrap_or(quote)
            } else {
                quote
            },
            points,
            replayed: appended.replayed,
            tx: Some(appended.tx),
        })
    }

    /// Spends points at a vendor in one step, from the customer's balance
    /// in the vendor's currency (points of other currencies never count).
    pub async fn redeem(&self, req: &Redeem) -> Result<Appended> {
        check_points(req.points)?;
        req.pos.validate()?;
        let vendor = self.cached_vendor(&req.vendor).await?;
        let currency = vendor.currency.code;
        let fingerprint = Fingerprint::new("redeem")
            .text(req.vendor.as_str())
            .customer(req.account)
            .int(req.points)
            .pos(&req.pos)
            .finish();
        let mut tx = new_tx(
            &req.key,
            fingerprint,
            TxKind::Redemption,
            self.clock.now(),
            vec![
                leg(AccountRef::Customer(req.account, currency), -req.points),
                leg(AccountRef::Vendor(req.vendor.clone(), currency), req.points),
            ],
        );
        tx.vendor = Some(req.vendor.clone());
        tx.pos = req.pos.clone();
        self.append_spend(tx, req.account).await
    }

    /// Sets points aside for a two-phase redemption (lowers the available
    /// balance at once; capture, void or expiry settles it).
    pub async fn hold(&self, req: &HoldRequest) -> Result<Appended> {
        check_points(req.points)?;
        req.pos.validate()?;
        let ttl = req.ttl.unwrap_or(self.config.hold_ttl);
        if ttl <= Duration::zero() || ttl > Duration::days(30) {
            return Err(Error::invalid_input(
                "hold ttl",
                "must be positive and at most 30 days",
            ));
        }
        let fingerprint = Fingerprint::new("hold")
            .text(req.vendor.as_str())
            .customer(req.account)
            .int(req.points)
            .int(ttl.num_milliseconds())
            .pos(&req.pos)
            .finish();
        let now = self.clock.now();
        // The hold spends the vendor's currency (no vendor leg moves yet).
        let currency = self.cached_vendor(&req.vendor).await?.currency.code;
        let mut tx = new_tx(
            &req.key,
            fingerprint,
            TxKind::Hold,
            now,
            vec![
                leg(AccountRef::Customer(req.account, currency), -req.points),
                leg(AccountRef::Holds(currency), req.points),
            ],
        );
        tx.vendor = Some(req.vendor.clone());
        tx.pos = req.pos.clone();
        tx.expires_at = Some(now + ttl);
        self.append_spend(tx, req.account).await
    }

    /// Reads a hold: the hold, its customer, vendor and points.
    async fn open_hold(&self, hold: TxId) -> Result<(Transaction, CustomerId, VendorId, i64)> {
        let tx = self.transaction(hold).await?;
        match (Self::hold_parts(&tx), tx.vendor.clone()) {
            (Some((customer, _, held)), Some(vendor)) => Ok((tx, customer, vendor, held)),
            _ => Err(Error::HoldNotOpen {
                hold,
                state: "not a hold".into(),
            }),
        }
    }

    /// Reports why a hold cannot be settled when its close failed.
    async fn hold_state(&self, hold: TxId) -> Result<String> {
        Ok(match self.store.closed_by(hold).await? {
            Some(id) => match self.store.transaction(id).await? {
                Some(t) => format!("{} by {id}", t.kind.as_str()),
                None => format!("settled by {id}"),
            },
            None => "open".into(),
        })
    }

    /// Settles a hold: `capture` points go to the vendor, the rest back.
    async fn settle_hold(
        &self,
        key: &str,
        hold: TxId,
        kind: TxKind,
        capture: i64,
    ) -> Result<Appended> {
        let (tx, customer, vendor, held) = self.open_hold(hold).await?;
        // A replay of an earlier settle must not trip over the closed hold.
        let fingerprint = Fingerprint::new(kind.as_str())
            .tx(hold)
            .int(capture)
            .finish();
        let now = self.clock.now();
        if self.store.transaction_by_key(key).await?.is_some() {
            // A retry: the store replays it (or reports a conflict).
            return self
                .append(self.settle_tx(
                    key,
                    fingerprint,
                    kind,
                    &tx,
                    customer,
                    &vendor,
                    held,
                    capture,
                    now,
                ))?
                .await;
        }
        if kind == TxKind::HoldCapture {
            if tx.expires_at.is_some_and(|e| e <= now) {
                self.release(&tx, customer, &vendor, held).await?;
                return Err(Error::HoldNotOpen {
                    hold,
                    state: "expired".into(),
                });
            }
            if capture > held {
                return Err(Error::invalid_input(
                    "points",
                    format!("cannot capture {capture} of a hold of {held}"),
                ));
            }
        }
        let new = self.settle_tx(
            key,
            fingerprint,
            kind,
            &tx,
            customer,
            &vendor,
            held,
            capture,
            now,
        );
        match self.append(new)?.await {
            Err(Error::AlreadyClosed(_)) => Err(Error::HoldNotOpen {
                hold,
                state: self.hold_state(hold).await?,
            }),
            other => other,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn settle_tx(
        &self,
        key: &str,
        fingerprint: String,
        kind: TxKind,
        hold: &Transaction,
        customer: CustomerId,
        vendor: &VendorId,
        held: i64,
        capture: i64,
        at: DateTime<Utc>,
    ) -> NewTransaction {
        // A hold has legs (`NewTransaction::check`), so it has a currency;
        // the fallback names no account and would be refused by the store.
        let currency = hold.currency().unwrap_or(CurrencyCode::XXX);
        let mut legs = vec![leg(AccountRef::Holds(currency), -held)];
        if capture > 0 {
            legs.push(leg(AccountRef::Vendor(vendor.clone(), currency), capture));
        }
        if held > capture {
            legs.push(leg(
                AccountRef::Customer(customer, currency),
                held - capture,
            ));
        }
        let mut tx = new_tx(key, fingerprint, kind, at, legs);
        tx.vendor = Some(vendor.clone());
        tx.pos = hold.pos.clone();
        tx.closes = Some(hold.id);
        tx
    }

    /// Captures `points` of an open hold (all of it when None); the rest
    /// returns to the customer.
    pub async fn capture(&self, key: &str, hold: TxId, points: Option<i64>) -> Result<Appended> {
        let capture = match points {
            Some(p) => {
                check_points(p)?;
                p
            }
            None => self.open_hold(hold).await?.3,
        };
        self.settle_hold(key, hold, TxKind::HoldCapture, capture)
            .await
    }

    /// Cancels an open hold; all its points return to the customer.
    pub async fn void_hold(&self, key: &str, hold: TxId) -> Result<Appended> {
        self.settle_hold(key, hold, TxKind::HoldVoid, 0).await
    }

    /// Releases every hold whose expiry has passed; returns how many.
    pub async fn release_expired_holds(&self) -> Result<u64> {
        let now = self.clock.now();
        let mut released = 0;
        loop {
            let expired = self.store.expired_holds(now, 100).await?;
            if expired.is_empty() {
                return Ok(released);
            }
            for hold in &expired {
                let (_, customer, vendor, held) = self.open_hold(hold.id).await?;
                if self.release(hold, customer, &vendor, held).await? {
                    released += 1;
                }
            }
            if expired.len() < 100 {
                return Ok(released);
            }
        }
    }

    /// Releases one expired hold; false when something else settled it first.
    async fn release(
        &self,
        hold: &Transaction,
        customer: CustomerId,
        vendor: &VendorId,
        held: i64,
    ) -> Result<bool> {
        let key = format!("dcms:release:{}", hold.id.0);
        let fingerprint = Fingerprint::new(TxKind::HoldRelease.as_str())
            .tx(hold.id)
            .int(0)
            .finish();
        let tx = self.settle_tx(
            &key,
            fingerprint,
            TxKind::HoldRelease,
            hold,
            customer,
            vendor,
            held,
            0,
            self.clock.now(),
        );
        match self.append(tx)?.await {
            Ok(a) => Ok(!a.replayed),
            Err(Error::AlreadyClosed(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Moves points of one currency from one customer to another, within
    /// the program's transfer limits for that currency.
    pub async fn transfer(
        &self,
        key: &str,
        from: CustomerId,
        to: CustomerId,
        currency: CurrencyCode,
        points: i64,
    ) -> Result<Appended> {
        check_points(points)?;
        self.config.currencies.get(currency.as_str())?;
        if from == to {
            return Err(Error::invalid_input(
                "transfer",
                "cannot transfer to the same account",
            ));
        }
        let fingerprint = Fingerprint::new("transfer")
            .customer(from)
            .customer(to)
            .int(points)
            .text(currency.as_str())
            .finish();
        if let Some(cap) = self.config.transfer_limits_in(currency).per_transfer {
            // A retry of an acknowledged transfer replays (or is a conflict)
            // whatever the limit says now; the store decides.
            if points > cap && self.store.transaction_by_key(key).await?.is_none() {
                return Err(Error::LimitExceeded {
                    limit: "per-transfer",
                    cap,
                    requested: points,
                    remaining: cap,
                });
            }
        }
        let now = self.clock.now();
        let mut tx = new_tx(
            key,
            fingerprint,
            TxKind::Transfer,
            now,
            vec![
                leg(AccountRef::Customer(from, currency), -points),
                leg(AccountRef::Customer(to, currency), points),
            ],
        );
        if let Some(cap) = self.config.transfer_limits_in(currency).per_day {
            let (from_at, to_at) = local_day(self.config.time_zone, now)?;
            tx.daily_cap = Some(DailyCap {
                account: AccountRef::Customer(from, currency),
                scope: CapScope::TransfersOut,
                from: from_at,
                to: to_at,
                cap,
            });
        }
        self.append_spend(tx, from).await
    }

    /// Reverses a transaction: exactly its opposite, pointing at it. A
    /// transaction is reversed at most once; reversing points that were
    /// already spent is [`Error::NotReversible`].
    pub async fn reverse(&self, key: &str, target: TxId, reason: &str) -> Result<Appended> {
        check_memo("reason", reason)?;
        let original = self.transaction(target).await?;
        let postings: Vec<Posting> = match original.kind {
            TxKind::ChangeCredit
            | TxKind::Redemption
            | TxKind::Transfer
            | TxKind::Adjustment
            | TxKind::Expiry => original
                .postings
                .iter()
                .map(|p| leg(p.account.clone(), -p.points))
                .collect(),
            // A capture is refunded: the vendor gives back what it took; the
            // part that returned to the customer at capture stays there.
            TxKind::HoldCapture => {
                let hold = original
                    .closes
                    .ok_or_else(|| Error::Storage(format!("capture {target} names no hold")))?;
                let (_, customer, _, _) = self.open_hold(hold).await?;
                original
                    .postings
                    .iter()
                    .filter(|p| matches!(p.account, AccountRef::Vendor(..)))
                    .flat_map(|p| {
                        [
                            leg(p.account.clone(), -p.points),
                            leg(
                                AccountRef::Customer(customer, p.account.currency()),
                                p.points,
                            ),
                        ]
                    })
                    .collect()
            }
            kind => {
                return Err(Error::NotReversible {
                    tx: target,
                    reason: format!("a {} is settled, not reversed", kind.as_str()),
                })
            }
        };
        let fingerprint = Fingerprint::new("reverse").tx(target).text(reason).finish();
        let mut tx = new_tx(
            key,
            fingerprint,
            TxKind::Reversal,
            self.clock.now(),
            postings,
        );
        tx.vendor = original.vendor.clone();
        tx.pos = original.pos.clone();
        tx.closes = Some(target);
        tx.memo = Some(reason.to_string());
        match self.append(tx)?.await {
            Err(Error::InsufficientPoints { account, currency, available, requested }) => Err(Error::NotReversible {
                tx: target,
                reason: format!(
                    "account {account} has only {available} of the {requested} {currency} points to take back (already spent)"
                ),
            }),
            other => other,
        }
    }

    /// Corrects a customer's balance in one currency by hand (positive or
    /// negative points), against that currency's adjustments account.
    pub async fn adjust(
        &self,
        key: &str,
        account: CustomerId,
        currency: CurrencyCode,
        points: i64,
        reason: &str,
    ) -> Result<Appended> {
        check_points(points.checked_abs().unwrap_or(i64::MAX))?;
        check_memo("reason", reason)?;
        self.config.currencies.get(currency.as_str())?;
        let fingerprint = Fingerprint::new("adjust")
            .customer(account)
            .int(points)
            .text(reason)
            .text(currency.as_str())
            .finish();
        let mut tx = new_tx(
            key,
            fingerprint,
            TxKind::Adjustment,
            self.clock.now(),
            vec![
                leg(AccountRef::Customer(account, currency), points),
                leg(AccountRef::Adjustments(currency), -points),
            ],
        );
        tx.memo = Some(reason.to_string());
        self.append(tx)?.await
    }

    /// Removes expired points of one currency from a customer's account,
    /// to that currency's breakage account (see also
    /// [`Ledger::expire_inactive`]).
    pub async fn expire(
        &self,
        key: &str,
        account: CustomerId,
        currency: CurrencyCode,
        points: i64,
        reason: &str,
    ) -> Result<Appended> {
        check_points(points)?;
        check_memo("reason", reason)?;
        self.config.currencies.get(currency.as_str())?;
        let fingerprint = Fingerprint::new("expire")
            .customer(account)
            .int(points)
            .text(reason)
            .text(currency.as_str())
            .finish();
        let mut tx = new_tx(
            key,
            fingerprint,
            TxKind::Expiry,
            self.clock.now(),
            vec![
                leg(AccountRef::Customer(account, currency), -points),
                leg(AccountRef::Breakage(currency), points),
            ],
        );
        tx.memo = Some(reason.to_string());
        self.append(tx)?.await
    }
}

/// The result of a change credit: the quote for the cashier and, when
/// points were credited, the journal transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeCredited {
    /// What to hand back and what was credited.
    pub quote: ChangeQuote,
    /// Points credited.
    pub points: i64,
    /// The transaction (None when nothing was credited).
    pub tx: Option<Arc<Transaction>>,
    /// True when the key was seen before and nothing new was written.
    pub replayed: bool,
}

#[cfg(test)]
mod tests {
    use super::check_memo;

    #[test]
    fn a_memo_is_1_to_500_printable_characters_counting_every_space() {
        assert!(check_memo("reason", &"é".repeat(500)).is_ok());
        assert!(check_memo("reason", "two\nlines").is_ok());
        for bad in [
            String::new(),
            "   ".to_string(),
            "x".repeat(501),
            // Spaces count: stored as given, indexed with the lines.
            format!("{}{}", "x".repeat(490), " ".repeat(20)),
            "tab\there".to_string(),
        ] {
            assert!(check_memo("reason", &bad).is_err(), "{bad:?} accepted");
        }
    }
}
