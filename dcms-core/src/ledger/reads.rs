//! Reads: balances, history, single transactions.

use std::collections::BTreeMap;

use super::Ledger;
use crate::error::{Error, Result};
use crate::ids::{AccountRef, CustomerId, TxId, VendorId};
use crate::money::CurrencyCode;
use crate::store::{Balance, Balances, Cursor, JournalQuery, Order, Page};
use crate::transaction::{Transaction, TxKind};

impl Ledger {
    /// A customer's available and held points in every currency they have
    /// held. A hold that expired uncaptured counts as available from the
    /// moment it expires, before [`Ledger::release_expired_holds`] writes
    /// its release.
    pub async fn balance(&self, account: CustomerId) -> Result<Balances> {
        let mut balances = self.store.balance(account).await?;
        if balances.0.values().any(|b| b.held > 0) {
            let now = self.clock.now();
            for hold in self.store.expired_holds_of(account, now).await? {
                let Some(currency) = hold.currency() else {
                    continue;
                };
                let points = hold.points_for(&AccountRef::Holds(currency));
                if let Some(b) = balances.0.get_mut(&currency) {
                    // Both stay in range: `points` is part of `held`.
                    b.held = b.held.saturating_sub(points);
                    b.available = b.available.saturating_add(points);
                }
            }
        }
        Ok(balances)
    }

    /// A customer's points in one currency (zero when they never held it).
    pub async fn balance_in(&self, account: CustomerId, currency: CurrencyCode) -> Result<Balance> {
        Ok(self.balance(account).await?.get(currency))
    }

    /// What a vendor owes the program: points it issued minus points
    /// redeemed at its stores (positive while it owes), in its currency.
    pub async fn vendor_liability(&self, vendor: &VendorId) -> Result<i64> {
        let v = self.cached_vendor(vendor).await?;
        // Liability accounts carry credit (negative) balances.
        Ok(-self
            .store
            .account_balance(&AccountRef::Vendor(v.id.clone(), v.currency.code))
            .await?)
    }

    /// A customer's transactions, newest first, one page at a time: in one
    /// currency, or in every currency when `currency` is None (each
    /// transaction is in one currency: [`Transaction::currency`]).
    pub async fn history(
        &self,
        account: CustomerId,
        currency: Option<CurrencyCode>,
        after: Option<Cursor>,
        limit: u32,
    ) -> Result<Page<Transaction>> {
        // Either read also checks that the account exists.
        let currencies: Vec<CurrencyCode> = match currency {
            Some(c) => {
                self.account(account).await?;
                vec![c]
            }
            None => self.store.balance(account).await?.currencies().collect(),
        };
        // One page per currency from the same cursor (ids are global), then
        // the newest `limit` of them: the next page starts after the last.
        let mut merged: BTreeMap<std::cmp::Reverse<TxId>, Transaction> = BTreeMap::new();
        let mut more = false;
        for c in currencies {
            let page = self
                .store
                .journal(&JournalQuery {
                    account: Some(AccountRef::Customer(account, c)),
                    order: Order::NewestFirst,
                    after: after.clone(),
                    limit,
                    ..JournalQuery::default()
                })
                .await?;
            more |= page.next.is_some();
            merged.extend(page.items.into_iter().map(|t| (std::cmp::Reverse(t.id), t)));
        }
        let total = merged.len();
        let items: Vec<Transaction> = merged.into_values().take(limit as usize).collect();
        more |= total > items.len();
        let next = if more {
            items.last().map(|t| Cursor::after(t.id))
        } else {
            None
        };
        Ok(Page { items, next })
    }

    /// One transaction by id.
    pub async fn transaction(&self, id: TxId) -> Result<Transaction> {
        self.store
            .transaction(id)
            .await?
            .ok_or(Error::UnknownTransaction(id))
    }

    /// The customer and currency of an open-or-settled hold, and its points.
    pub(crate) fn hold_parts(tx: &Transaction) -> Option<(CustomerId, CurrencyCode, i64)> {
        if tx.kind != TxKind::Hold {
            return None;
        }
        let currency = tx.currency()?;
        let customer = tx.postings.iter().find_map(|p| p.account.customer())?;
        Some((
            customer,
            currency,
            tx.points_for(&AccountRef::Holds(currency)),
        ))
    }
}
