//! `verify()`: recompute every balance from the journal and compare.

use std::collections::{BTreeMap, HashMap};

use super::Ledger;
use crate::error::Result;
use crate::ids::{AccountRef, TxId};
use crate::money::CurrencyCode;
use crate::store::{JournalQuery, Order, MAX_PAGE};

/// What [`Ledger::verify`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VerifyReport {
    /// Transactions read.
    pub transactions: u64,
    /// Accounts compared.
    pub accounts: u64,
    /// Every difference found, in words. Empty when the ledger is sound.
    pub problems: Vec<String>,
}

impl VerifyReport {
    /// True when no problem was found.
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

impl Ledger {
    /// Reads the whole journal and checks that every transaction balances
    /// in each currency (and moves one currency only), every stored balance
    /// equals the sum of its postings, no customer is negative, each
    /// transaction is closed at most once, and each currency's holds
    /// account equals its open holds.
    pub async fn verify(&self) -> Result<VerifyReport> {
        let mut report = VerifyReport::default();
        let mut sums: HashMap<AccountRef, i128> = HashMap::new();
        let mut closed: HashMap<TxId, TxId> = HashMap::new();
        let mut holds: BTreeMap<TxId, (CurrencyCode, i64)> = BTreeMap::new();
        let mut query = JournalQuery {
            order: Order::OldestFirst,
            limit: MAX_PAGE,
            ..JournalQuery::default()
        };
        loop {
            let page = self.store.journal(&query).await?;
            for tx in &page.items {
                report.transactions += 1;
                let mut per_currency: BTreeMap<CurrencyCode, i128> = BTreeMap::new();
                for p in &tx.postings {
                    *per_currency.entry(p.account.currency()).or_default() += i128::from(p.points);
                }
                for (currency, total) in &per_currency {
                    if *total != 0 {
                        report.problems.push(format!(
                            "{} {currency} postings sum to {total}, not 0",
                            tx.id
                        ));
                    }
                }
                if per_currency.len() > 1 {
                    report.problems.push(format!(
                        "{} moves {} currencies; a transaction moves one",
                        tx.id,
                        per_currency.len()
                    ));
                }
                for p in &tx.postings {
                    *sums.entry(p.account.clone()).or_default() += i128::from(p.points);
                }
                if let Some((_, currency, held)) = Ledger::hold_parts(tx) {
                    holds.insert(tx.id, (currency, held));
                }
                if let Some(target) = tx.closes {
                    if let Some(first) = closed.insert(target, tx.id) {
                        report
                            .problems
                            .push(format!("{target} closed twice: by {first} and {}", tx.id));
                    }
                    holds.remove(&target);
                }
            }
            match page.next {
                Some(next) => query.after = Some(next),
                None => break,
            }
        }
        let stored = self.store.all_balances().await?;
        let mut seen = 0u64;
        for (account, balance) in &stored {
            let expected = sums.get(account).copied().unwrap_or(0);
            if i128::from(*balance) != expected {
                report.problems.push(format!(
                    "{account}: stored balance {balance}, journal says {expected}"
                ));
            }
            if account.customer().is_some() && *balance < 0 {
                report
                    .problems
                    .push(format!("{account}: negative balance {balance}"));
            }
            if sums.contains_key(account) {
                seen += 1;
            }
        }
        report.accounts = stored.len() as u64;
        if seen as usize != sums.len() {
            for account in sums.keys() {
                if !stored.iter().any(|(a, _)| a == account) {
                    report.problems.push(format!(
                        "{account}: in the journal but has no stored balance"
                    ));
                }
            }
        }
        let mut open: BTreeMap<CurrencyCode, i128> = BTreeMap::new();
        for (currency, h) in holds.values() {
            *open.entry(*currency).or_default() += i128::from(*h);
        }
        let mut currencies: Vec<CurrencyCode> = open.keys().copied().collect();
        for account in sums.keys() {
            if let AccountRef::Holds(c) = account {
                currencies.push(*c);
            }
        }
        currencies.sort();
        currencies.dedup();
        for currency in currencies {
            let open = open.get(&currency).copied().unwrap_or(0);
            let held = sums.get(&AccountRef::Holds(currency)).copied().unwrap_or(0);
            if open != held {
                report.problems.push(format!(
                    "{currency} holds account is {held}, open holds add up to {open}"
                ));
            }
        }
        Ok(report)
    }
}
