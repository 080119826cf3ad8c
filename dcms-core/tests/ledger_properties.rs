//! Property tests: random sequences of operations in two currencies keep
//! the ledger's invariants: postings sum to zero per currency, balances
//! equal the journal, no customer balance is negative, replaying a key never
//! changes state, and no value crosses a currency: in each currency, the
//! customers' points (available and held) equal what was credited in it
//! minus what was spent in it, as a model kept beside the ledger counts it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use dcms_core::{
    AccountRef, Currency, CurrencyCode, CustomerId, HoldRequest, Ledger, LedgerConfig, ManualClock,
    MemoryStore, PosRef, Redeem, TxId, Vendor, VendorId,
};
use dcms_core::{CreditChange, Error};
use proptest::prelude::*;
use rust_decimal::Decimal;

#[derive(Debug, Clone)]
enum Op {
    Credit {
        cur: usize,
        account: usize,
        total: i64,
        tendered: i64,
    },
    Redeem {
        cur: usize,
        account: usize,
        points: i64,
    },
    Transfer {
        cur: usize,
        from: usize,
        to: usize,
        points: i64,
    },
    Hold {
        cur: usize,
        account: usize,
        points: i64,
    },
    Capture {
        nth: usize,
        points: Option<i64>,
    },
    Void {
        nth: usize,
    },
    Reverse {
        nth: usize,
    },
    Adjust {
        cur: usize,
        account: usize,
        points: i64,
    },
    Expire {
        cur: usize,
        account: usize,
        points: i64,
    },
    Replay {
        nth: usize,
    },
    Wait {
        minutes: i64,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let acct = 0..3usize;
    let cur = 0..2usize;
    prop_oneof![
        4 => (cur.clone(), acct.clone(), 0..5000i64, 0..6000i64).prop_map(|(cur, account, total, extra)| Op::Credit { cur, account, total, tendered: total + extra }),
        2 => (cur.clone(), acct.clone(), 1..300i64).prop_map(|(cur, account, points)| Op::Redeem { cur, account, points }),
        2 => (cur.clone(), acct.clone(), acct.clone(), 1..300i64).prop_map(|(cur, from, to, points)| Op::Transfer { cur, from, to, points }),
        1 => (cur.clone(), acct.clone(), 1..200i64).prop_map(|(cur, account, points)| Op::Hold { cur, account, points }),
        1 => (0..8usize, proptest::option::of(1..200i64)).prop_map(|(nth, points)| Op::Capture { nth, points }),
        1 => (0..8usize).prop_map(|nth| Op::Void { nth }),
        1 => (0..40usize).prop_map(|nth| Op::Reverse { nth }),
        1 => (cur.clone(), acct.clone(), -100..100i64).prop_map(|(cur, account, points)| Op::Adjust { cur, account, points }),
        1 => (cur, acct.clone(), 1..100i64).prop_map(|(cur, account, points)| Op::Expire { cur, account, points }),
        2 => (0..40usize).prop_map(|nth| Op::Replay { nth }),
        1 => (1..30i64).prop_map(|minutes| Op::Wait { minutes }),
    ]
}

struct World {
    ledger: Ledger,
    clock: Arc<ManualClock>,
    /// A EUR vendor (index 0) and a JPY vendor (index 1).
    vendors: [VendorId; 2],
    codes: [CurrencyCode; 2],
    accounts: Vec<CustomerId>,
    done: Vec<(String, Op)>,
    txs: Vec<TxId>,
    holds: Vec<TxId>,
    /// The model: what each transaction did to the customers' points
    /// (available plus held) in its currency, counted from the requests.
    effect: HashMap<TxId, (usize, i64)>,
    /// Each hold's currency index and points.
    held: HashMap<TxId, (usize, i64)>,
}

impl World {
    async fn new() -> World {
        let clock = Arc::new(ManualClock::new(
            Utc.with_ymd_and_hms(2026, 1, 31, 23, 0, 0).unwrap(),
        ));
        let ledger = Ledger::open(Arc::new(MemoryStore::new()), LedgerConfig::default())
            .await
            .unwrap()
            .with_clock(clock.clone());
        let mut v = Vendor::new(
            VendorId::new("v").unwrap(),
            "V",
            Currency::builtin("EUR").unwrap(),
            chrono_tz::Europe::Paris,
        );
        v.per_day_cap = Some(5000);
        let eur = ledger.create_vendor(v).await.unwrap().id;
        let jpy = ledger
            .create_vendor(Vendor::new(
                VendorId::new("tokyo").unwrap(),
                "Tokyo",
                Currency::builtin("JPY").unwrap(),
                chrono_tz::Asia::Tokyo,
            ))
            .await
            .unwrap()
            .id;
        let mut accounts = Vec::new();
        for i in 0..3 {
            accounts.push(ledger.open_account(&format!("acct-{i}")).await.unwrap().id);
        }
        World {
            ledger,
            clock,
            vendors: [eur, jpy],
            codes: [
                CurrencyCode::new("EUR").unwrap(),
                CurrencyCode::new("JPY").unwrap(),
            ],
            accounts,
            done: Vec::new(),
            txs: Vec::new(),
            holds: Vec::new(),
            effect: HashMap::new(),
            held: HashMap::new(),
        }
    }

    /// Runs one operation under `key`; returns the transaction id it wrote.
    async fn run(&mut self, key: &str, op: &Op) -> Result<Option<TxId>, Error> {
        let l = &self.ledger;
        let a = |i: usize| self.accounts[i];
        let pick = |v: &Vec<TxId>, n: usize| {
            if v.is_empty() {
                TxId(1)
            } else {
                v[n % v.len()]
            }
        };
        let code = |c: usize| self.codes[c];
        // (transaction, replayed, currency index, effect on the customers'
        // points in that currency)
        let (id, replayed, cur, effect) = match op {
            Op::Credit {
                cur,
                account,
                total,
                tendered,
            } => {
                // EUR amounts in cents, JPY in yen (no minor unit).
                let scale = if *cur == 0 { 2 } else { 0 };
                let done = l
                    .credit_change(&CreditChange {
                        key: key.into(),
                        vendor: self.vendors[*cur].clone(),
                        account: a(*account),
                        total: Decimal::new(*total, scale),
                        tendered: Decimal::new(*tendered, scale),
                        pos: PosRef::default(),
                    })
                    .await?;
                match done.tx {
                    Some(t) => (t.id, done.replayed, *cur, done.points),
                    None => return Ok(None),
                }
            }
            Op::Redeem {
                cur,
                account,
                points,
            } => {
                let done = l
                    .redeem(&Redeem {
                        key: key.into(),
                        vendor: self.vendors[*cur].clone(),
                        account: a(*account),
                        points: *points,
                        pos: PosRef::default(),
                    })
                    .await?;
                (done.tx.id, done.replayed, *cur, -points)
            }
            Op::Transfer {
                cur,
                from,
                to,
                points,
            } => {
                let done = l
                    .transfer(key, a(*from), a(*to), code(*cur), *points)
                    .await?;
                (done.tx.id, done.replayed, *cur, 0)
            }
            Op::Hold {
                cur,
                account,
                points,
            } => {
                let req = HoldRequest {
                    key: key.into(),
                    vendor: self.vendors[*cur].clone(),
                    account: a(*account),
                    points: *points,
                    ttl: Some(Duration::minutes(20)),
                    pos: PosRef::default(),
                };
                let done = l.hold(&req).await?;
                if !done.replayed {
                    self.holds.push(done.tx.id);
                    self.held.insert(done.tx.id, (*cur, *points));
                }
                (done.tx.id, done.replayed, *cur, 0)
            }
            Op::Capture { nth, points } => {
                let hold = pick(&self.holds, *nth);
                let done = l.capture(key, hold, *points).await?;
                let (cur, held) = self.held[&hold];
                (done.tx.id, done.replayed, cur, -points.unwrap_or(held))
            }
            Op::Void { nth } => {
                let hold = pick(&self.holds, *nth);
                let done = l.void_hold(key, hold).await?;
                (done.tx.id, done.replayed, self.held[&hold].0, 0)
            }
            Op::Reverse { nth } => {
                let target = pick(&self.txs, *nth);
                let done = l.reverse(key, target, "test").await?;
                let (cur, effect) = self.effect[&target];
                (done.tx.id, done.replayed, cur, -effect)
            }
            Op::Adjust {
                cur,
                account,
                points,
            } => {
                let done = l
                    .adjust(key, a(*account), code(*cur), *points, "test")
                    .await?;
                (done.tx.id, done.replayed, *cur, *points)
            }
            Op::Expire {
                cur,
                account,
                points,
            } => {
                let done = l
                    .expire(key, a(*account), code(*cur), *points, "test")
                    .await?;
                (done.tx.id, done.replayed, *cur, -points)
            }
            Op::Replay { .. } | Op::Wait { .. } => return Ok(None),
        };
        if !replayed {
            self.txs.push(id);
            self.effect.insert(id, (cur, effect));
        }
        Ok(Some(id))
    }
}

fn check_invariants(world: &World, rt: &tokio::runtime::Runtime) {
    let report = rt.block_on(world.ledger.verify()).unwrap();
    assert!(report.is_ok(), "{:?}", report.problems);
    let mut points = [0i64; 2];
    for id in &world.accounts {
        let balances = rt.block_on(world.ledger.balance(*id)).unwrap();
        for (code, b) in balances.iter() {
            assert!(b.available >= 0 && b.held >= 0, "{id}: {b:?}");
            let cur = world.codes.iter().position(|c| *c == code).unwrap();
            points[cur] += b.available + b.held;
        }
    }
    // No value crossed a currency: each currency's customer points are
    // exactly what the model counted into and out of that currency.
    for (cur, code) in world.codes.iter().enumerate() {
        let expected: i64 = world
            .effect
            .values()
            .filter(|(c, _)| *c == cur)
            .map(|(_, e)| *e)
            .sum();
        assert_eq!(
            points[cur], expected,
            "{code}: customers hold {}, model says {expected}",
            points[cur]
        );
    }
    // Every point in the program is accounted for: the system is closed.
    let all = rt.block_on(world.ledger.store().all_balances()).unwrap();
    assert_eq!(all.iter().map(|(_, b)| i128::from(*b)).sum::<i128>(), 0);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn random_operations_keep_the_invariants(ops in proptest::collection::vec(op(), 1..60)) {
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let mut world = rt.block_on(World::new());
        for (i, op) in ops.iter().enumerate() {
            match op {
                Op::Wait { minutes } => world.clock.advance(Duration::minutes(*minutes)),
                Op::Replay { nth } if !world.done.is_empty() => {
                    let (key, first) = world.done[nth % world.done.len()].clone();
                    let before = rt.block_on(world.ledger.store().all_balances()).unwrap();
                    let txs = world.txs.len();
                    // A replay returns the first result and changes nothing.
                    let again = rt.block_on(world.run(&key, &first));
                    let after = rt.block_on(world.ledger.store().all_balances()).unwrap();
                    prop_assert_eq!(&before, &after, "replay of {} changed balances", key);
                    if let Ok(Some(id)) = again {
                        prop_assert!(world.txs[..txs].contains(&id), "replay of {} wrote {:?}", key, id);
                    }
                    world.txs.truncate(txs);
                }
                _ => {
                    let key = format!("op-{i}");
                    let before = rt.block_on(world.ledger.store().all_balances()).unwrap();
                    match rt.block_on(world.run(&key, op)) {
                        Ok(Some(_)) => world.done.push((key, op.clone())),
                        Ok(None) => {}
                        Err(e) => {
                            // A refusal changes nothing (expired holds may be released first).
                            let after = rt.block_on(world.ledger.store().all_balances()).unwrap();
                            let released = rt.block_on(world.ledger.store().journal(&dcms_core::JournalQuery {
                                order: dcms_core::Order::NewestFirst,
                                limit: 1,
                                ..Default::default()
                            })).unwrap().items.first().map(|t| t.kind == dcms_core::TxKind::HoldRelease).unwrap_or(false);
                            prop_assert!(before == after || released, "{:?} failed with {} yet changed balances", op, e);
                        }
                    }
                }
            }
            check_invariants(&world, &rt);
        }
        for code in world.codes {
            let holds = rt.block_on(world.ledger.store().account_balance(&AccountRef::Holds(code))).unwrap();
            prop_assert!(holds >= 0);
        }
    }
}
