//! Coin change, table-driven, across currencies and policies.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use dcms_core::{quote_change, ChangePolicy, Currency, CurrencyRegistry, Error, Money};

use ChangePolicy::{AllChange, CoinPart, Nothing};

/// (currency, total, tendered, policy, cash total, hand back, credit)
const CASES: &[(&str, &str, &str, ChangePolicy, &str, &str, &str)] = &[
    ("USD", "6.63", "10.00", CoinPart, "6.63", "3.00", "0.37"),
    ("USD", "6.63", "10.00", AllChange, "6.63", "0.00", "3.37"),
    ("USD", "6.63", "10.00", Nothing, "6.63", "3.37", "0.00"),
    ("USD", "6.63", "6.63", CoinPart, "6.63", "0.00", "0.00"),
    ("USD", "0.01", "1.00", CoinPart, "0.01", "0.00", "0.99"),
    ("USD", "0.00", "0.37", CoinPart, "0.00", "0.00", "0.37"),
    ("USD", "19.99", "20.00", CoinPart, "19.99", "0.00", "0.01"),
    ("USD", "5.00", "20.00", CoinPart, "5.00", "15.00", "0.00"),
    ("EUR", "12.63", "20.00", CoinPart, "12.63", "5.00", "2.37"),
    ("EUR", "15.01", "20.00", CoinPart, "15.01", "0.00", "4.99"),
    ("EUR", "0.50", "50.00", CoinPart, "0.50", "45.00", "4.50"),
    ("GBP", "3.20", "10.00", CoinPart, "3.20", "5.00", "1.80"),
    ("JPY", "1630", "5000", CoinPart, "1630", "3000", "370"),
    ("JPY", "999", "1000", CoinPart, "999", "0", "1"),
    ("JPY", "1000", "10000", CoinPart, "1000", "9000", "0"),
    ("KRW", "4500", "10000", CoinPart, "4500", "5000", "500"),
    ("INR", "42.50", "100.00", CoinPart, "42.50", "50.00", "7.50"),
    ("CHF", "7.32", "20.00", CoinPart, "7.30", "10.00", "2.70"),
    ("CHF", "7.33", "20.00", CoinPart, "7.35", "10.00", "2.65"),
    ("CAD", "3.31", "10.00", CoinPart, "3.30", "5.00", "1.70"),
    ("CAD", "3.32", "10.00", CoinPart, "3.30", "5.00", "1.70"),
    ("CAD", "3.33", "10.00", CoinPart, "3.35", "5.00", "1.65"),
    ("CAD", "3.36", "10.00", CoinPart, "3.35", "5.00", "1.65"),
    ("CAD", "3.38", "10.00", CoinPart, "3.40", "5.00", "1.60"),
    ("CAD", "9.98", "10.00", CoinPart, "10.00", "0.00", "0.00"),
    ("AUD", "4.97", "10.00", CoinPart, "4.95", "5.00", "0.05"),
    ("AUD", "4.99", "5.00", AllChange, "5.00", "0.00", "0.00"),
    ("KWD", "1.125", "5.000", CoinPart, "1.125", "3.750", "0.125"),
    ("KWD", "0.900", "1.000", CoinPart, "0.900", "0.000", "0.100"),
];

#[test]
fn change_table() {
    let reg = CurrencyRegistry::default();
    for &(code, total, tendered, policy, cash_total, hand_back, credit) in CASES {
        let c = reg.get(code).unwrap();
        let m = |s: &str| Money::parse(s, c).unwrap();
        let q = quote_change(c, m(total), m(tendered), policy).unwrap();
        let case = format!("{code} {tendered} - {total} ({policy:?})");
        assert_eq!(q.cash_total, m(cash_total), "cash total of {case}");
        assert_eq!(q.hand_back, m(hand_back), "hand back of {case}");
        assert_eq!(q.credit, m(credit), "credit of {case}");
        // What is handed back plus what is credited is all the change.
        assert_eq!(q.hand_back.minor + q.credit.minor, q.change.minor, "{case}");
        assert!(
            q.hand_back.minor % c.smallest_note == 0 || policy == Nothing,
            "{case}"
        );
    }
    assert!(CASES.len() >= 25);
}

#[test]
fn edges_are_errors() {
    let usd = Currency::builtin("USD").unwrap();
    let eur = Currency::builtin("EUR").unwrap();
    let m = |s: &str| Money::parse(s, usd).unwrap();
    assert!(matches!(
        quote_change(usd, m("10.00"), m("9.99"), CoinPart),
        Err(Error::InsufficientCash { .. })
    ));
    // CAD: 9.98 rounds to 10.00, so 9.99 tendered is short.
    let cad = Currency::builtin("CAD").unwrap();
    let c = |s: &str| Money::parse(s, cad).unwrap();
    assert!(matches!(
        quote_change(cad, c("9.98"), c("9.99"), CoinPart),
        Err(Error::InsufficientCash { .. })
    ));
    assert!(quote_change(usd, m("-1.00"), m("5.00"), CoinPart).is_err());
    assert!(quote_change(usd, Money::parse("1.00", eur).unwrap(), m("5.00"), CoinPart).is_err());
    // The largest amounts do not overflow.
    let max = Money::from_minor(i64::MAX, usd);
    let q = quote_change(usd, Money::from_minor(0, usd), max, CoinPart).unwrap();
    assert_eq!(q.credit.minor, i64::MAX % 100);
    // A program's own cash rounding.
    let sek = Currency::new("SEK", 2, 2000, 100).unwrap();
    let s = |x: &str| Money::parse(x, sek).unwrap();
    let q = quote_change(sek, s("12.49"), s("50.00"), CoinPart).unwrap();
    assert_eq!(
        (q.cash_total, q.hand_back, q.credit),
        (s("12.00"), s("20.00"), s("18.00"))
    );
}
