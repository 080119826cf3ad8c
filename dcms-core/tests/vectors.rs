//! The shared test vectors (`tests/vectors/*.json` at the repository root),
//! run against the core. The Python and Node bindings run the same files
//! with their own test runners, so a binding that drifts from the core (or
//! the core from the published rules the files were written from) fails.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use dcms_core::{
    CreditChange, Currency, CurrencyRegistry, Error, HoldRequest, Ledger, LedgerConfig,
    MemoryStore, Money, PosRef, Redeem, TxId, Vendor, VendorId,
};
use rust_decimal::Decimal;
use serde_json::Value;

/// One vector file, parsed.
fn load(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/vectors")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"))
}

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} missing in {v}"))
}

fn int(v: &Value, key: &str) -> i64 {
    v[key]
        .as_i64()
        .unwrap_or_else(|| panic!("{key} missing in {v}"))
}

fn currency(code: &str) -> Currency {
    CurrencyRegistry::default().get(code).unwrap()
}

/// An amount string of a vector, as the core reads text.
fn dec(text: &str) -> Decimal {
    Decimal::from_str_exact(text).unwrap()
}

/// The error code of a result, or "ok".
fn code_of<T>(r: &Result<T, Error>) -> &'static str {
    r.as_ref().err().map_or("ok", Error::code)
}

async fn memory_ledger(config: LedgerConfig) -> Ledger {
    Ledger::open(Arc::new(MemoryStore::new()), config)
        .await
        .unwrap()
}

#[tokio::test]
async fn coin_change_vectors() {
    let file = load("coin_change.json");
    let cases = file["cases"].as_array().unwrap();
    assert!(cases.len() >= 20);
    for (i, case) in cases.iter().enumerate() {
        let name = s(case, "name");
        let cur = currency(s(case, "currency"));
        let mut config = LedgerConfig::default();
        if let Some(rate) = case["points_per_minor"].as_i64() {
            config.points_per_minor = BTreeMap::from([(cur.code, rate)]);
        }
        let ledger = memory_ledger(config).await;
        let mut vendor = Vendor::new(VendorId::new("v").unwrap(), "V", cur, chrono_tz::UTC);
        if let Some(p) = case["policy"].as_str() {
            vendor.policy = dcms_core::ChangePolicy::parse(p).unwrap();
        }
        let vendor = ledger.create_vendor(vendor).await.unwrap();
        let account = ledger.open_account("a").await.unwrap();
        let req = CreditChange {
            key: format!("k{i}"),
            vendor: vendor.id.clone(),
            account: account.id,
            total: dec(s(case, "total")),
            tendered: dec(s(case, "tendered")),
            pos: PosRef::default(),
        };
        let quote = ledger
            .quote_change(&vendor.id, req.total, req.tendered)
            .await;
        let credited = ledger.credit_change(&req).await;
        if let Some(code) = case["error"].as_str() {
            assert_eq!(code_of(&quote), code, "{name}: quote");
            assert_eq!(code_of(&credited), code, "{name}: credit");
            continue;
        }
        let q = quote.unwrap_or_else(|e| panic!("{name}: {e}"));
        let e = &case["expect"];
        for (field, money) in [
            ("cash_total", q.cash_total),
            ("change", q.change),
            ("coin_part", q.coin_part),
            ("hand_back", q.hand_back),
            ("credit", q.credit),
        ] {
            assert_eq!(
                money.to_decimal().to_string(),
                s(e, field),
                "{name}: {field}"
            );
        }
        let c = credited.unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(c.points, int(e, "points"), "{name}: points");
        let balance = ledger.balance_in(account.id, cur.code).await.unwrap();
        assert_eq!(balance.available, int(e, "points"), "{name}: balance");
    }
}

#[test]
fn amount_value_vectors() {
    let file = load("amounts.json");
    let cases = file["values"].as_array().unwrap();
    assert!(!cases.is_empty());
    for case in cases {
        let text = s(case, "text");
        let got = Money::from_decimal(dec(text), currency(s(case, "currency")));
        check_amount(case, got);
    }
}

#[test]
fn amount_syntax_vectors() {
    let file = load("amounts.json");
    let cases = file["syntax"].as_array().unwrap();
    assert!(!cases.is_empty());
    for case in cases {
        let got = Money::parse(s(case, "text"), currency(s(case, "currency")));
        check_amount(case, got);
    }
}

fn check_amount(case: &Value, got: dcms_core::Result<Money>) {
    let text = s(case, "text");
    match case["error"].as_str() {
        Some(code) => assert_eq!(code_of(&got), code, "{text:?}"),
        None => {
            let m = got.unwrap_or_else(|e| panic!("{text:?}: {e}"));
            assert_eq!(m.minor, int(case, "minor"), "{text:?}");
            if let Some(d) = case["decimal"].as_str() {
                assert_eq!(m.to_decimal().to_string(), d, "{text:?}");
            }
        }
    }
}

#[tokio::test]
async fn account_id_vectors() {
    let file = load("account_ids.json");
    let cases = file["cases"].as_array().unwrap();
    assert!(!cases.is_empty());
    for case in cases {
        let text = s(case, "text");
        let config = LedgerConfig {
            account_id_width: u8::try_from(int(case, "width")).unwrap(),
            ..LedgerConfig::default()
        };
        let ledger = memory_ledger(config).await;
        let got = ledger.parse_account_id(text);
        if case["valid"].as_bool().unwrap() {
            assert_eq!(got.unwrap().to_string(), text);
        } else {
            assert_eq!(
                code_of(&got),
                "invalid_account_id",
                "{text:?}: {}",
                case["why"]
            );
        }
    }
}

/// What the scenario's names stand for.
#[derive(Default)]
struct Names {
    accounts: BTreeMap<String, dcms_core::CustomerId>,
    txs: BTreeMap<String, TxId>,
}

#[tokio::test]
async fn scenario_vector() {
    let file = load("scenario.json");
    let steps = file["steps"].as_array().unwrap();
    let ledger = memory_ledger(LedgerConfig::default()).await;
    let mut names = Names::default();
    let vid = |v: &Value, key: &str| VendorId::new(s(v, key)).unwrap();
    for (n, step) in steps.iter().enumerate() {
        let op = s(step, "op");
        let at = format!("step {n} ({op})");
        let acct = |names: &Names, key: &str| names.accounts[s(step, key)];
        let result: Result<Option<TxId>, Error> = match op {
            "vendor" => {
                let v = Vendor::new(
                    vid(step, "id"),
                    s(step, "name"),
                    currency(s(step, "currency")),
                    Vendor::parse_time_zone(s(step, "time_zone")).unwrap(),
                );
                ledger.create_vendor(v).await.map(|_| None)
            }
            "account" => {
                let a = ledger.open_account(s(step, "as")).await.unwrap();
                names.accounts.insert(s(step, "as").to_string(), a.id);
                Ok(None)
            }
            "credit" => {
                let req = CreditChange {
                    key: s(step, "key").into(),
                    vendor: vid(step, "vendor"),
                    account: acct(&names, "account"),
                    total: dec(s(step, "total")),
                    tendered: dec(s(step, "tendered")),
                    pos: PosRef::default(),
                };
                ledger.credit_change(&req).await.map(|c| {
                    let e = &step["expect"];
                    assert_eq!(c.points, int(e, "points"), "{at}");
                    assert_eq!(c.replayed, e["replayed"].as_bool().unwrap(), "{at}");
                    c.tx.map(|t| t.id)
                })
            }
            "hold" => {
                let req = HoldRequest {
                    key: s(step, "key").into(),
                    vendor: vid(step, "vendor"),
                    account: acct(&names, "account"),
                    points: int(step, "points"),
                    ttl: None,
                    pos: PosRef::default(),
                };
                ledger.hold(&req).await.map(|a| Some(a.tx.id))
            }
            "capture" => {
                let hold = names.txs[s(step, "hold")];
                let pts = step["points"].as_i64();
                ledger
                    .capture(s(step, "key"), hold, pts)
                    .await
                    .map(|a| Some(a.tx.id))
            }
            "transfer" => {
                let code = currency(s(step, "currency")).code;
                let (from, to) = (acct(&names, "from"), acct(&names, "to"));
                ledger
                    .transfer(s(step, "key"), from, to, code, int(step, "points"))
                    .await
                    .map(|a| Some(a.tx.id))
            }
            "redeem" => {
                let req = Redeem {
                    key: s(step, "key").into(),
                    vendor: vid(step, "vendor"),
                    account: acct(&names, "account"),
                    points: int(step, "points"),
                    pos: PosRef::default(),
                };
                ledger.redeem(&req).await.map(|a| Some(a.tx.id))
            }
            "reverse" => {
                let tx = names.txs[s(step, "tx")];
                ledger
                    .reverse(s(step, "key"), tx, s(step, "reason"))
                    .await
                    .map(|a| Some(a.tx.id))
            }
            "balance" => {
                let code = currency(s(step, "currency")).code;
                let b = ledger
                    .balance_in(acct(&names, "account"), code)
                    .await
                    .unwrap();
                assert_eq!(b.available, int(step, "available"), "{at}");
                assert_eq!(b.held, int(step, "held"), "{at}");
                Ok(None)
            }
            "liability" => {
                let owed = ledger.vendor_liability(&vid(step, "vendor")).await;
                assert_eq!(owed.unwrap(), int(step, "points"), "{at}");
                Ok(None)
            }
            "verify" => {
                let report = ledger.verify().await.unwrap();
                assert!(report.is_ok(), "{at}: {:?}", report.problems);
                Ok(None)
            }
            other => panic!("{at}: unknown op {other}"),
        };
        match step["error"].as_str() {
            Some(code) => assert_eq!(code_of(&result), code, "{at}"),
            None => {
                let id = result.unwrap_or_else(|e| panic!("{at}: {e}"));
                if let (Some(name), Some(id)) = (step["as"].as_str(), id) {
                    names.txs.insert(name.to_string(), id);
                }
            }
        }
    }
}
