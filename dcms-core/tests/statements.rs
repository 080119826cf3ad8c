//! Statements, receipts and month close on the in-memory stores.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{TimeZone, Utc};
use dcms_core::calendar::Month;
use dcms_core::statement::{
    close_month, customer_statement, issue_receipt, render_receipt, vendor_statement, CloseOptions,
    LineItem,
};
use dcms_core::*;
use parking_lot::Mutex;
use rust_decimal::Decimal;

struct World {
    ledger: Ledger,
    clock: Arc<ManualClock>,
    nyc: VendorId,
    tokyo: VendorId,
    a: CustomerId,
    b: CustomerId,
}

async fn world() -> World {
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 2, 1, 0, 0, 0).unwrap(),
    ));
    let ledger = Ledger::open(Arc::new(MemoryStore::new()), LedgerConfig::default())
        .await
        .unwrap()
        .with_clock(clock.clone());
    let usd = Currency::builtin("USD").unwrap();
    let nyc = ledger
        .create_vendor(Vendor::new(
            VendorId::new("nyc").unwrap(),
            "Corner Shop, NYC",
            usd,
            chrono_tz::America::New_York,
        ))
        .await
        .unwrap()
        .id;
    let jpy = Currency::builtin("JPY").unwrap();
    let tokyo = ledger
        .create_vendor(Vendor::new(
            VendorId::new("tokyo").unwrap(),
            "Konbini",
            jpy,
            chrono_tz::Asia::Tokyo,
        ))
        .await
        .unwrap()
        .id;
    let a = ledger.open_account("a").await.unwrap().id;
    let b = ledger.open_account("b").await.unwrap().id;
    World {
        ledger,
        clock,
        nyc,
        tokyo,
        a,
        b,
    }
}

impl World {
    async fn credit(
        &self,
        key: &str,
        vendor: &VendorId,
        at: (i32, u32, u32, u32, u32),
        total: Decimal,
        tendered: Decimal,
    ) {
        self.clock.set(
            Utc.with_ymd_and_hms(at.0, at.1, at.2, at.3, at.4, 0)
                .unwrap(),
        );
        self.ledger
            .credit_change(&CreditChange {
                key: key.into(),
                vendor: vendor.clone(),
                account: self.a,
                total,
                tendered,
                pos: PosRef {
                    store_id: Some("s1".into()),
                    terminal_id: Some("t1".into()),
                    receipt_no: Some(key.into()),
                },
            })
            .await
            .unwrap();
    }
}

fn usd(cents: i64) -> Decimal {
    Decimal::new(cents, 2)
}

#[tokio::test]
async fn vendor_month_follows_local_calendar_across_dst() {
    let w = world().await;
    // 2026-02-28 22:00 in New York is 2026-03-01 03:00 UTC: February's.
    w.credit("feb", &w.nyc, (2026, 3, 1, 3, 0), usd(663), usd(1000))
        .await; // 37
                // March: before and after the DST change on 2026-03-08.
    w.credit("m1", &w.nyc, (2026, 3, 7, 15, 0), usd(990), usd(1000))
        .await; // 10
    w.credit("m2", &w.nyc, (2026, 3, 8, 15, 0), usd(980), usd(1000))
        .await; // 20
                // 2026-03-31 23:30 New York (EDT) is 2026-04-01 03:30 UTC: still March.
    w.credit("m3", &w.nyc, (2026, 4, 1, 3, 30), usd(970), usd(1000))
        .await; // 30
                // April 1st local.
    w.credit("apr", &w.nyc, (2026, 4, 1, 4, 30), usd(960), usd(1000))
        .await; // 40
    w.clock
        .set(Utc.with_ymd_and_hms(2026, 3, 20, 12, 0, 0).unwrap());
    w.ledger
        .redeem(&Redeem {
            key: "r".into(),
            vendor: w.nyc.clone(),
            account: w.a,
            points: 25,
            pos: PosRef::default(),
        })
        .await
        .unwrap();

    let march = vendor_statement(&w.ledger, &w.nyc, Month::parse("2026-03").unwrap())
        .await
        .unwrap();
    assert_eq!(march.opening, 37);
    assert_eq!(march.closing, 37 + 10 + 20 + 30 - 25);
    let s = march.settlement.unwrap();
    assert_eq!((s.points, s.amount.to_decimal()), (35, usd(35)));
    let days: Vec<String> = march.days.iter().map(|d| d.date.to_string()).collect();
    assert_eq!(
        days,
        vec!["2026-03-07", "2026-03-08", "2026-03-20", "2026-03-31"]
    );
    let credits = march
        .totals
        .iter()
        .find(|t| t.kind == TxKind::ChangeCredit)
        .unwrap();
    assert_eq!((credits.count, credits.points), (3, 60));

    let feb = vendor_statement(&w.ledger, &w.nyc, Month::parse("2026-02").unwrap())
        .await
        .unwrap();
    assert_eq!((feb.opening, feb.closing), (0, 37));
    let cust = customer_statement(
        &w.ledger,
        w.a,
        dcms_core::CurrencyCode::new("USD").unwrap(),
        Month::parse("2026-03").unwrap(),
        chrono_tz::UTC,
    )
    .await
    .unwrap();
    // In UTC the 03:00 credit of March 1st belongs to March, and m3 to April.
    assert_eq!((cust.opening, cust.closing), (0, 37 + 10 + 20 - 25));
}

#[tokio::test]
async fn year_end_in_tokyo() {
    let w = world().await;
    // 2026-12-31 23:30 JST = 14:30 UTC; 2027-01-01 00:30 JST = 15:30 UTC.
    w.credit(
        "dec",
        &w.tokyo,
        (2026, 12, 31, 14, 30),
        Decimal::from(630),
        Decimal::from(1000),
    )
    .await;
    w.credit(
        "jan",
        &w.tokyo,
        (2026, 12, 31, 15, 30),
        Decimal::from(640),
        Decimal::from(1000),
    )
    .await;
    let dec = vendor_statement(&w.ledger, &w.tokyo, Month::parse("2026-12").unwrap())
        .await
        .unwrap();
    let jan = vendor_statement(&w.ledger, &w.tokyo, Month::parse("2027-01").unwrap())
        .await
        .unwrap();
    assert_eq!((dec.opening, dec.closing), (0, 370));
    assert_eq!((jan.opening, jan.closing), (370, 730));
    assert_eq!(jan.days[0].date.to_string(), "2027-01-01");
    assert_eq!(
        jan.settlement.unwrap().amount.to_decimal(),
        Decimal::from(360)
    );
}

#[derive(Debug, Default)]
struct Recorder(Mutex<Vec<StatementReady>>);

#[async_trait]
impl Notifier for Recorder {
    async fn statement_ready(&self, m: &StatementReady) -> Result<()> {
        self.0.lock().push(m.clone());
        Ok(())
    }
}

/// An object store that fails every put after the first `allowed`.
#[derive(Debug)]
struct Crashing {
    inner: MemoryObjectStore,
    allowed: Mutex<u32>,
}

#[async_trait]
impl ObjectStore for Crashing {
    async fn put(&self, key: &str, bytes: Vec<u8>, o: &PutOptions) -> Result<ObjectMeta> {
        {
            let mut left = self.allowed.lock();
            if *left == 0 {
                return Err(Error::StorageUnavailable("simulated crash".into()));
            }
            *left -= 1;
        }
        self.inner.put(key, bytes, o).await
    }
    async fn get(&self, key: &str) -> Result<Vec<u8>> {
        self.inner.get(key).await
    }
    async fn head(&self, key: &str) -> Result<Option<ObjectMeta>> {
        self.inner.head(key).await
    }
    async fn presign_get(&self, key: &str, d: Duration) -> Result<PresignedUrl> {
        self.inner.presign_get(key, d).await
    }
    async fn list(&self, prefix: &str) -> Result<Vec<ObjectMeta>> {
        self.inner.list(prefix).await
    }
}

#[tokio::test]
async fn month_close_is_idempotent_and_survives_a_crash() {
    let w = world().await;
    w.credit("c1", &w.nyc, (2026, 3, 10, 15, 0), usd(663), usd(1000))
        .await;
    w.credit(
        "c2",
        &w.tokyo,
        (2026, 3, 10, 5, 0),
        Decimal::from(1630),
        Decimal::from(5000),
    )
    .await;
    let march = Month::parse("2026-03").unwrap();
    let opts = CloseOptions {
        month: march,
        vendors: None,
        sse: Sse::S3,
    };
    let notes = Recorder::default();

    // Crash after the first vendor's three documents: its marker and the
    // second vendor are never written.
    let crashing = Crashing {
        inner: MemoryObjectStore::new(),
        allowed: Mutex::new(3),
    };
    let report = close_month(&w.ledger, &crashing, &notes, &opts, &mut |_, _, _| {})
        .await
        .unwrap();
    assert_eq!((report.closed.len(), report.failed.len()), (0, 2));
    *crashing.allowed.lock() = u32::MAX;
    let mut seen = Vec::new();
    let report = close_month(&w.ledger, &crashing, &notes, &opts, &mut |i, n, v| {
        seen.push((i, n, v.outcome))
    })
    .await
    .unwrap();
    assert!(report.failed.is_empty());
    assert_eq!(seen, vec![(1, 2, "issued"), (2, 2, "issued")]);
    let keys: Vec<String> = crashing
        .inner
        .list("statements/")
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.key)
        .collect();
    assert_eq!(
        keys,
        vec![
            "statements/nyc/2026-03.csv",
            "statements/nyc/2026-03.done.json",
            "statements/nyc/2026-03.json",
            "statements/nyc/2026-03.pdf",
            "statements/tokyo/2026-03.csv",
            "statements/tokyo/2026-03.done.json",
            "statements/tokyo/2026-03.json",
            "statements/tokyo/2026-03.pdf",
        ]
    );
    for m in crashing.inner.list("statements/").await.unwrap() {
        assert_eq!(m.sse, Some(Sse::S3), "{}", m.key);
    }
    // The crash came after nyc's notification and before its marker, so nyc
    // was told twice, with the same digest: receivers dedupe on it.
    let sent: Vec<(String, String)> = notes
        .0
        .lock()
        .iter()
        .map(|m| (m.vendor.to_string(), m.digest.clone()))
        .collect();
    assert_eq!(sent.len(), 3);
    assert_eq!(sent[0], sent[1]);
    assert_eq!(sent[2].0, "tokyo");
    let csv = crashing
        .inner
        .get("statements/nyc/2026-03.csv")
        .await
        .unwrap();

    // Run again: no stored byte changes, no notification.
    let puts = crashing.inner.put_count();
    let report = close_month(&w.ledger, &crashing, &notes, &opts, &mut |_, _, _| {})
        .await
        .unwrap();
    assert!(report.closed.iter().all(|c| c.outcome == "unchanged"));
    assert_eq!(crashing.inner.put_count(), puts);
    assert_eq!(notes.0.lock().len(), 3);
    assert_eq!(
        crashing
            .inner
            .get("statements/nyc/2026-03.csv")
            .await
            .unwrap(),
        csv
    );

    // A late reversal in March re-issues that vendor's statement only.
    let c1 = w
        .ledger
        .store()
        .transaction_by_key("c1")
        .await
        .unwrap()
        .unwrap();
    w.ledger
        .reverse("rv", c1.id, "wrong account")
        .await
        .unwrap();
    let report = close_month(&w.ledger, &crashing, &notes, &opts, &mut |_, _, _| {})
        .await
        .unwrap();
    let outcomes: Vec<&str> = report.closed.iter().map(|c| c.outcome).collect();
    assert_eq!(outcomes, vec!["reissued", "unchanged"]);
    assert_eq!(notes.0.lock().len(), 4);
}

#[tokio::test]
async fn renderings_are_deterministic_and_complete() {
    let w = world().await;
    for i in 0..2500 {
        w.credit(
            &format!("k{i}"),
            &w.nyc,
            (2026, 3, 1 + (i % 28) as u32, 14, 0),
            usd(601 + (i % 98) as i64),
            usd(1000),
        )
        .await;
    }
    let march = Month::parse("2026-03").unwrap();
    let opts = CloseOptions {
        month: march,
        vendors: Some(vec![w.nyc.clone()]),
        sse: Sse::Kms {
            key_id: "k1".into(),
        },
    };
    let a = MemoryObjectStore::new();
    let b = MemoryObjectStore::new();
    let r1 = close_month(
        &w.ledger,
        &a,
        &Recorder::default(),
        &opts,
        &mut |_, _, _| {},
    )
    .await
    .unwrap();
    let r2 = close_month(
        &w.ledger,
        &b,
        &Recorder::default(),
        &opts,
        &mut |_, _, _| {},
    )
    .await
    .unwrap();
    assert_eq!(r1.closed[0].lines, 2500);
    assert_eq!(r1.closed[0].digest, r2.closed[0].digest);
    for ext in ["csv", "json", "pdf"] {
        let key = format!("statements/nyc/2026-03.{ext}");
        assert_eq!(
            a.get(&key).await.unwrap(),
            b.get(&key).await.unwrap(),
            "{ext}"
        );
        assert_eq!(
            a.head(&key).await.unwrap().unwrap().sse,
            Some(Sse::Kms {
                key_id: "k1".into()
            })
        );
    }
    let csv = String::from_utf8(a.get("statements/nyc/2026-03.csv").await.unwrap()).unwrap();
    assert_eq!(csv.lines().filter(|l| l.starts_with("line,")).count(), 2500);
    let st = vendor_statement(&w.ledger, &w.nyc, march).await.unwrap();
    assert!(csv.contains(&format!(
        "closing,2026-04-01T04:00:00Z,,,,,,,,,{},",
        st.closing
    )));
    let json: serde_json::Value =
        serde_json::from_slice(&a.get("statements/nyc/2026-03.json").await.unwrap()).unwrap();
    assert_eq!(json["lines"].as_array().unwrap().len(), 2500);
    assert_eq!(json["statement"]["closing"], st.closing);

    // The PDF reads back with the right totals through poppler's pdftotext.
    let pdf = a.get("statements/nyc/2026-03.pdf").await.unwrap();
    let dir = std::env::temp_dir().join(format!("dcms-pdf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("statement.pdf");
    std::fs::write(&path, &pdf).unwrap();
    match std::process::Command::new("pdftotext")
        .arg("-layout")
        .arg(&path)
        .arg("-")
        .output()
    {
        Ok(out) => {
            assert!(
                out.status.success(),
                "pdftotext failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let text = String::from_utf8(out.stdout).unwrap();
            assert!(text.contains("Vendor statement · March 2026"), "{text}");
            assert!(text.contains("Corner Shop, NYC"));
            assert!(text.contains(&r1.closed[0].digest), "{text}");
            let line = |label: &str| {
                text.lines()
                    .find(|l| l.contains(label))
                    .unwrap_or_else(|| panic!("no {label:?} in\n{text}"))
                    .trim_end()
            };
            // Points are grouped by thousands on the page.
            let closing = line("Closing liability");
            assert!(closing.contains(&grouped(st.closing)), "{closing}");
            let settlement = st.settlement.unwrap();
            let amount = settlement.amount.to_decimal().to_string();
            let net = line("Net to settle");
            assert!(net.ends_with(&grouped_decimal(&amount)), "{net}");
            let credited = line("Change credited");
            assert!(credited.contains("2,500"), "{credited}");
            let who = line("pays the program");
            assert!(
                who.contains(&format!("USD {}", grouped_decimal(&amount))),
                "{who}"
            );
        }
        Err(e) => {
            assert!(
                std::env::var("DCMS_REQUIRE_SERVERS").as_deref() != Ok("1"),
                "pdftotext is required: {e}"
            );
            eprintln!("SKIPPED pdftotext check: {e} (install poppler-utils)");
        }
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// `1234567` as the PDF writes it: `1,234,567`.
fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    if n < 0 {
        out.push('-');
    }
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// `1234.56` as the PDF writes it: `1,234.56`.
fn grouped_decimal(text: &str) -> String {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let whole = grouped(whole.parse().unwrap());
    if fraction.is_empty() {
        whole
    } else {
        format!("{whole}.{fraction}")
    }
}

#[tokio::test]
async fn receipts_are_stored_encrypted_with_an_expiring_link() {
    let w = world().await;
    w.credit("r-1", &w.nyc, (2026, 3, 10, 15, 0), usd(663), usd(1000))
        .await;
    let tx = w
        .ledger
        .store()
        .transaction_by_key("r-1")
        .await
        .unwrap()
        .unwrap();
    let items = vec![
        LineItem {
            description: "Coffee".into(),
            quantity: 2,
            amount: usd(400),
        },
        LineItem {
            description: "Bagel".into(),
            quantity: 1,
            amount: usd(263),
        },
    ];
    let objects = MemoryObjectStore::new();
    let r = issue_receipt(
        &w.ledger,
        &objects,
        tx.id,
        &items,
        Duration::from_secs(600),
        Sse::S3,
    )
    .await
    .unwrap();
    assert_eq!(r.key, format!("receipts/nyc/2026-03-10/tx-{}.txt", tx.id.0));
    assert!(r.url.expires_at > Utc::now());
    let text = String::from_utf8(objects.get(&r.key).await.unwrap()).unwrap();
    for want in [
        "Corner Shop, NYC",
        "Till t1",
        "2026-03-10 11:00:00 EDT",
        "Coffee",
        "6.63 USD",
        "10.00 USD",
        "3.00 USD",
        "0.37 USD",
        "Balance after",
    ] {
        assert!(text.contains(want), "{want} missing from\n{text}");
    }
    assert_eq!(
        objects.head(&r.key).await.unwrap().unwrap().sse,
        Some(Sse::S3)
    );
    let bad = vec![LineItem {
        description: "x".into(),
        quantity: 1,
        amount: Decimal::new(1, 3),
    }];
    assert!(render_receipt(&tx, None, &[]).is_ok());
    let v = w.ledger.vendor(&w.nyc).await.unwrap();
    assert!(matches!(
        render_receipt(&tx, Some(&v), &bad),
        Err(Error::InvalidAmount { .. })
    ));
    assert!(issue_receipt(
        &w.ledger,
        &objects,
        tx.id,
        &items,
        Duration::from_secs(8 * 86400),
        Sse::S3
    )
    .await
    .is_err());
    let _ = w.b;
}
