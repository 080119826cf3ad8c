//! One seeding task: a loop of sales, redemptions and reversals through the
//! `Ledger` API, over the customers this task owns (so it knows their
//! balances, one per currency, and never asks for points they do not have).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use dcms_core::{
    CreditChange, Currency, CurrencyCode, CustomerId, Ledger, PosRef, Redeem, TxId, VendorId,
};
use rust_decimal::Decimal;

use crate::clock::SeedClock;
use crate::rng::Rng;

/// What every task shares.
#[derive(Debug)]
pub struct Shared {
    pub ledger: Ledger,
    /// The ledger's clock: one tick per operation.
    pub clock: Arc<SeedClock>,
    pub vendors: Vec<(VendorId, Currency)>,
    /// Appends done so far in the current segment (for progress lines).
    pub progress: AtomicU64,
}

/// A customer this task owns, with the balances it has left it at: one
/// per currency, as the ledger keeps them (points credited in yen are
/// spent only at a yen vendor).
#[derive(Debug, Clone)]
pub struct Owned {
    pub id: CustomerId,
    pub balances: Vec<(CurrencyCode, i64)>,
}

impl Owned {
    /// A customer with no points yet.
    pub fn new(id: CustomerId) -> Self {
        Owned {
            id,
            balances: Vec::new(),
        }
    }

    /// The points held in `currency`.
    pub fn balance(&self, currency: CurrencyCode) -> i64 {
        self.balances
            .iter()
            .find(|(c, _)| *c == currency)
            .map_or(0, |(_, b)| *b)
    }

    /// Adds `points` (negative to spend) to the balance in `currency`.
    pub fn add(&mut self, currency: CurrencyCode, points: i64) {
        match self.balances.iter_mut().find(|(c, _)| *c == currency) {
            Some((_, b)) => *b += points,
            None => self.balances.push((currency, points)),
        }
    }
}

/// A recent credit that may be reversed.
#[derive(Debug, Clone, Copy)]
struct Credit {
    tx: TxId,
    customer: usize,
    currency: CurrencyCode,
    points: i64,
}

/// A task's state, kept from one segment to the next.
#[derive(Debug)]
pub struct TaskState {
    pub id: usize,
    pub rng: Rng,
    pub customers: Vec<Owned>,
    recent: VecDeque<Credit>,
    /// Operations done so far (part of each idempotency key).
    done: u64,
}

impl TaskState {
    pub fn new(id: usize, customers: Vec<Owned>) -> Self {
        TaskState {
            id,
            rng: Rng::new(id as u64 + 1),
            customers,
            recent: VecDeque::new(),
            done: 0,
        }
    }
}

/// What a task appended: change credits, redemptions, reversals; failures.
#[derive(Debug, Default, Clone)]
pub struct Counts {
    pub credits: u64,
    pub redemptions: u64,
    pub reversals: u64,
    pub failed: u64,
    pub first_error: Option<String>,
}

impl Counts {
    pub fn appended(&self) -> u64 {
        self.credits + self.redemptions + self.reversals
    }

    pub fn add(&mut self, other: &Counts) {
        self.credits += other.credits;
        self.redemptions += other.redemptions;
        self.reversals += other.reversals;
        self.failed += other.failed;
        if self.first_error.is_none() {
            self.first_error.clone_from(&other.first_error);
        }
    }
}

const RECENT: usize = 64;

/// Runs `ops` operations: about 88% change credits, 9% redemptions and 3%
/// reversals of this task's recent credits. Each operation ticks the
/// seeding clock once, so they are spread evenly.
pub async fn run(shared: Arc<Shared>, mut st: TaskState, ops: usize) -> (TaskState, Counts) {
    let mut counts = Counts::default();
    for _ in 0..ops {
        st.done += 1;
        shared.clock.tick();
        let roll = st.rng.below(100);
        let result = if roll >= 97 && !st.recent.is_empty() {
            reverse(&shared, &mut st, &mut counts).await
        } else if roll >= 88 {
            redeem(&shared, &mut st, &mut counts).await
        } else {
            credit(&shared, &mut st, &mut counts).await
        };
        match result {
            Ok(()) => {
                shared.progress.fetch_add(1, Ordering::Relaxed);
            }
            Err(e) => {
                counts.failed += 1;
                if counts.first_error.is_none() {
                    counts.first_error = Some(e.to_string());
                }
            }
        }
    }
    (st, counts)
}

fn key(shared: &Shared, st: &TaskState, vendor: usize) -> String {
    format!("{}/t{}-{}", shared.vendors[vendor].0, st.id, st.done)
}

fn pos(st: &mut TaskState) -> PosRef {
    PosRef {
        store_id: Some(format!("s{}", st.rng.between(1, 3))),
        terminal_id: Some(format!("t{}", st.rng.between(1, 4))),
        receipt_no: Some(format!("r{}-{}", st.id, st.done)),
    }
}

/// A cash sale whose change has a coin part: the total is not a whole
/// number of the smallest note, and the customer pays with notes.
async fn credit(shared: &Shared, st: &mut TaskState, counts: &mut Counts) -> dcms_core::Result<()> {
    let v = st.rng.below(shared.vendors.len() as u64) as usize;
    let c = st.rng.below(st.customers.len() as u64) as usize;
    let currency = shared.vendors[v].1;
    let note = currency.smallest_note;
    let mut total = st.rng.between(1, 40 * note);
    if total % note == 0 {
        total += 1;
    }
    let extra_note = if st.rng.below(4) == 0 { note } else { 0 };
    let tendered = (total / note + 1) * note + extra_note;
    let scale = u32::from(currency.exponent);
    let req = CreditChange {
        key: key(shared, st, v),
        vendor: shared.vendors[v].0.clone(),
        account: st.customers[c].id,
        total: Decimal::new(total, scale),
        tendered: Decimal::new(tendered, scale),
        pos: pos(st),
    };
    let done = shared.ledger.credit_change(&req).await?;
    if let Some(tx) = done.tx {
        st.customers[c].add(currency.code, done.points);
        st.recent.push_back(Credit {
            tx: tx.id,
            customer: c,
            currency: currency.code,
            points: done.points,
        });
        if st.recent.len() > RECENT {
            st.recent.pop_front();
        }
        counts.credits += 1;
    }
    Ok(())
}

/// Spends part of a customer's points at a random vendor (a sale instead
/// when the customer has too few in that vendor's currency).
async fn redeem(shared: &Shared, st: &mut TaskState, counts: &mut Counts) -> dcms_core::Result<()> {
    let c = st.rng.below(st.customers.len() as u64) as usize;
    let v = st.rng.below(shared.vendors.len() as u64) as usize;
    let currency = shared.vendors[v].1.code;
    let balance = st.customers[c].balance(currency);
    if balance < 10 {
        return credit(shared, st, counts).await;
    }
    let points = st.rng.between(1, balance.min(300));
    let req = Redeem {
        key: key(shared, st, v),
        vendor: shared.vendors[v].0.clone(),
        account: st.customers[c].id,
        points,
        pos: pos(st),
    };
    shared.ledger.redeem(&req).await?;
    st.customers[c].add(currency, -points);
    counts.redemptions += 1;
    Ok(())
}

/// Reverses one of this task's recent credits (a sale instead when the
/// customer has already spent those points).
async fn reverse(
    shared: &Shared,
    st: &mut TaskState,
    counts: &mut Counts,
) -> dcms_core::Result<()> {
    let i = st.rng.below(st.recent.len() as u64) as usize;
    let Some(target) = st.recent.remove(i) else {
        return credit(shared, st, counts).await;
    };
    if st.customers[target.customer].balance(target.currency) < target.points {
        return credit(shared, st, counts).await;
    }
    let key = format!("reversal/t{}-{}", st.id, st.done);
    shared
        .ledger
        .reverse(&key, target.tx, "till error, sale voided")
        .await?;
    st.customers[target.customer].add(target.currency, -target.points);
    counts.reversals += 1;
    Ok(())
}
