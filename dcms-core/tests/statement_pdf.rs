//! The PDF statements as people see them: read back with poppler's
//! `pdftotext`, first pages rendered to PNG with `pdftoppm` (kept in
//! `<target>/tmp/statement-png/` to look at), the same bytes on every
//! render, and names in accented Latin and in Japanese (with a CJK
//! fallback font from Debian's fonts-wqy-microhei).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use dcms_core::calendar::Month;
use dcms_core::notify_log::LogNotifier;
use dcms_core::statement::customer_statement;
use dcms_core::statement::{
    close_month_with_pdf, customer_statement_pdf, vendor_statement, CloseOptions, PageCompression,
    PdfFont, PdfOptions, StatementFonts,
};
use dcms_core::*;
use rust_decimal::Decimal;

const CJK_FONT: &str = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc";

struct World {
    ledger: Ledger,
    clock: Arc<ManualClock>,
    montreal: VendorId,
    tokyo: VendorId,
    a: CustomerId,
    b: CustomerId,
}

fn at(d: u32, h: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, d, h, 0, 0).unwrap()
}

/// March 2026: a Montréal shop (CAD, accented name) and a Tokyo shop
/// (JPY, Japanese name); credits most days, some redemptions, a reversal,
/// a transfer between two customers.
async fn world() -> World {
    let clock = Arc::new(ManualClock::new(at(1, 12)));
    let ledger = Ledger::open(Arc::new(MemoryStore::new()), LedgerConfig::default())
        .await
        .unwrap()
        .with_clock(clock.clone());
    let montreal = ledger
        .create_vendor(Vendor::new(
            VendorId::new("depanneur-mtl").unwrap(),
            "Dépanneur, Montréal",
            Currency::builtin("CAD").unwrap(),
            chrono_tz::America::Toronto,
        ))
        .await
        .unwrap()
        .id;
    let tokyo = ledger
        .create_vendor(Vendor::new(
            VendorId::new("konbini-tokyo").unwrap(),
            "コンビニ東京 渋谷店",
            Currency::builtin("JPY").unwrap(),
            chrono_tz::Asia::Tokyo,
        ))
        .await
        .unwrap()
        .id;
    let a = ledger.open_account("a").await.unwrap().id;
    let b = ledger.open_account("b").await.unwrap().id;
    let w = World {
        ledger,
        clock,
        montreal,
        tokyo,
        a,
        b,
    };
    for day in 1..=31u32 {
        for n in 0..(day % 4 + 1) {
            let key = format!("mtl-{day}-{n}");
            let cents = 1000 - 1 - i64::from((day * 7 + n * 13) % 95);
            w.credit(
                &key,
                &w.montreal,
                at(day, 14 + n),
                Decimal::new(cents, 2),
                1000,
            )
            .await;
        }
        if day % 3 == 0 {
            let key = format!("tky-{day}");
            let yen = 1000 - i64::from(day * 17 % 900);
            w.credit(&key, &w.tokyo, at(day, 2), Decimal::from(yen), 100000)
                .await;
        }
        if day % 5 == 2 {
            w.clock.set(at(day, 20));
            w.ledger
                .redeem(&Redeem {
                    key: format!("redeem-{day}"),
                    vendor: w.montreal.clone(),
                    account: w.a,
                    points: 40,
                    pos: PosRef {
                        store_id: Some("rue-st-denis".into()),
                        ..PosRef::default()
                    },
                })
                .await
                .unwrap();
        }
    }
    let tx = w
        .ledger
        .store()
        .transaction_by_key("mtl-9-1")
        .await
        .unwrap()
        .unwrap();
    w.clock.set(at(10, 9));
    w.ledger
        .reverse("rev-9-1", tx.id, "wrong account, voided")
        .await
        .unwrap();
    w.clock.set(at(12, 9));
    w.ledger
        .transfer("gift", w.a, w.b, CurrencyCode::new("CAD").unwrap(), 25)
        .await
        .unwrap();
    w
}

impl World {
    /// A cash sale of `total` paid with `tendered` minor units' worth
    /// (cents or yen, as whole major units for JPY).
    async fn credit(
        &self,
        key: &str,
        vendor: &VendorId,
        when: chrono::DateTime<Utc>,
        total: Decimal,
        tendered: i64,
    ) {
        self.clock.set(when);
        let tendered = if total.scale() == 2 {
            Decimal::new(tendered, 2)
        } else {
            Decimal::from(tendered)
        };
        self.ledger
            .credit_change(&CreditChange {
                key: key.into(),
                vendor: vendor.clone(),
                account: self.a,
                total,
                tendered,
                pos: PosRef {
                    store_id: Some("rue-st-denis".into()),
                    terminal_id: Some("t1".into()),
                    receipt_no: Some(key.into()),
                },
            })
            .await
            .unwrap();
    }
}

fn march() -> Month {
    Month::parse("2026-03").unwrap()
}

/// `Some(fonts)` with the CJK fallback when Debian's font is installed;
/// None (the test is skipped) otherwise, unless the test command requires
/// everything to be there.
fn cjk_fonts() -> Option<StatementFonts> {
    match std::fs::read(CJK_FONT) {
        Ok(bytes) => {
            let fallback = PdfFont::from_bytes(bytes, 0).unwrap();
            Some(
                StatementFonts::dejavu_sans()
                    .unwrap()
                    .with_fallback(fallback),
            )
        }
        Err(e) => {
            assert!(
                std::env::var("DCMS_REQUIRE_SERVERS").as_deref() != Ok("1"),
                "{CJK_FONT} is required (apt-get install fonts-wqy-microhei): {e}"
            );
            eprintln!("SKIPPED the CJK font check: {CJK_FONT}: {e}");
            None
        }
    }
}

/// Where the rendered pages are kept.
fn out_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("statement-png");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs a poppler tool; None when poppler is not installed (and the test
/// command does not require it).
fn poppler(tool: &str, args: &[&str]) -> Option<Vec<u8>> {
    match Command::new(tool).args(args).output() {
        Ok(out) => {
            assert!(
                out.status.success(),
                "{tool} failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            Some(out.stdout)
        }
        Err(e) => {
            assert!(
                std::env::var("DCMS_REQUIRE_SERVERS").as_deref() != Ok("1"),
                "{tool} is required (apt-get install poppler-utils): {e}"
            );
            eprintln!("SKIPPED {tool}: {e}");
            None
        }
    }
}

/// Saves `pdf` as `<name>.pdf`, renders its first page to `<name>.png`
/// and returns its text as `pdftotext -layout` reads it.
fn look_at(pdf: &[u8], name: &str) -> Option<String> {
    let dir = out_dir();
    let path = dir.join(format!("{name}.pdf"));
    std::fs::write(&path, pdf).unwrap();
    let file = path.to_str().unwrap();
    let png = dir.join(name);
    poppler(
        "pdftoppm",
        &[
            "-png",
            "-r",
            "80",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            file,
            png.to_str().unwrap(),
        ],
    )?;
    assert!(dir.join(format!("{name}.png")).exists());
    let text = poppler("pdftotext", &["-layout", file, "-"])?;
    Some(String::from_utf8(text).unwrap())
}

/// `1234567` as the statement writes it: `1,234,567`.
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

/// The line of `text` that contains `label`.
fn line<'t>(text: &'t str, label: &str) -> &'t str {
    text.lines()
        .find(|l| l.contains(label))
        .unwrap_or_else(|| panic!("no {label:?} in\n{text}"))
}

#[tokio::test]
async fn vendor_statement_reads_back_and_renders() {
    let w = world().await;
    let objects = MemoryObjectStore::new();
    let opts = CloseOptions {
        month: march(),
        vendors: Some(vec![w.montreal.clone()]),
        sse: Sse::S3,
    };
    let pdf_opts = PdfOptions::default();
    let notes = LogNotifier::quiet();
    let report = close_month_with_pdf(
        &w.ledger,
        &objects,
        &notes,
        &opts,
        &pdf_opts,
        &mut |_, _, _| {},
    )
    .await
    .unwrap();
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    let digest = &report.closed[0].digest;
    let pdf = objects
        .get("statements/depanneur-mtl/2026-03.pdf")
        .await
        .unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    eprintln!("vendor statement: {} bytes", pdf.len());
    assert!(pdf.len() < 80_000, "{} bytes", pdf.len());
    let st = vendor_statement(&w.ledger, &w.montreal, march())
        .await
        .unwrap();
    let Some(text) = look_at(&pdf, "vendor-depanneur-2026-03") else {
        return;
    };
    assert!(text.contains("Dépanneur, Montréal"), "{text}");
    assert!(text.contains("Vendor statement · March 2026"), "{text}");
    assert!(text.contains("America/Toronto"), "{text}");
    assert!(text.contains(digest.as_str()), "{text}");
    for label in ["Change credited", "Redeemed", "Reversed"] {
        assert!(text.contains(label), "{label} missing from\n{text}");
    }
    let closing = line(&text, "Closing liability");
    assert!(closing.contains(&grouped(st.closing)), "{closing}");
    let s = st.settlement.unwrap();
    let net = line(&text, "Net to settle");
    assert!(
        net.trim_end().ends_with(&s.amount.to_decimal().to_string()),
        "{net}"
    );
    let who = line(&text, "pays the program");
    assert!(
        who.contains(&format!("CAD {}", s.amount.to_decimal())),
        "{who}"
    );
    // The daily table's last row is the month's, ending in the closing
    // liability; pages are numbered.
    let month_row = text
        .lines()
        .rfind(|l| l.trim_start().starts_with("Month "))
        .unwrap();
    assert!(
        month_row.trim_end().ends_with(&grouped(st.closing)),
        "{month_row}"
    );
    assert!(text.contains("page 1 of "), "{text}");
}

#[tokio::test]
async fn japanese_vendor_names_render_with_a_cjk_fallback_font() {
    let w = world().await;
    let Some(fonts) = cjk_fonts() else {
        return;
    };
    let objects = MemoryObjectStore::new();
    let opts = CloseOptions {
        month: march(),
        vendors: Some(vec![w.tokyo.clone()]),
        sse: Sse::S3,
    };
    let pdf_opts = PdfOptions::with_fonts(fonts.clone());
    let notes = LogNotifier::quiet();
    close_month_with_pdf(
        &w.ledger,
        &objects,
        &notes,
        &opts,
        &pdf_opts,
        &mut |_, _, _| {},
    )
    .await
    .unwrap();
    let pdf = objects
        .get("statements/konbini-tokyo/2026-03.pdf")
        .await
        .unwrap();
    // Only the glyphs used are embedded from a 5 MB font.
    eprintln!("vendor statement with CJK fallback: {} bytes", pdf.len());
    assert!(pdf.len() < 70_000, "{} bytes", pdf.len());
    if let Some(text) = look_at(&pdf, "vendor-konbini-2026-03") {
        assert!(text.contains("コンビニ東京 渋谷店"), "{text}");
        assert!(text.contains("Asia/Tokyo"), "{text}");
    }
    // The customer's sections name the Japanese shop too.
    let pdf = customer_statement_pdf(&w.ledger, w.a, march(), chrono_tz::UTC, &pdf_opts)
        .await
        .unwrap();
    if let Some(text) = look_at(&pdf, "customer-cjk-2026-03") {
        assert!(
            text.contains("コンビニ東京 渋谷店 · store rue-st-denis"),
            "{text}"
        );
    }
}

#[tokio::test]
async fn customer_statement_has_a_section_per_currency() {
    let w = world().await;
    let tz = chrono_tz::America::Toronto;
    let pdf = customer_statement_pdf(&w.ledger, w.a, march(), tz, &PdfOptions::default())
        .await
        .unwrap();
    eprintln!("customer statement: {} bytes", pdf.len());
    assert!(pdf.len() < 70_000, "{} bytes", pdf.len());
    let again = customer_statement_pdf(&w.ledger, w.a, march(), tz, &PdfOptions::default())
        .await
        .unwrap();
    assert_eq!(pdf, again, "the same month gives the same bytes");
    let Some(text) = look_at(&pdf, "customer-2026-03") else {
        return;
    };
    assert!(text.contains("Customer statement · March 2026"), "{text}");
    for currency in ["CAD", "JPY"] {
        let st = customer_statement(
            &w.ledger,
            w.a,
            CurrencyCode::new(currency).unwrap(),
            march(),
            tz,
        )
        .await
        .unwrap();
        assert!(text.contains(&format!("Points in {currency}")), "{text}");
        let closing = text
            .lines()
            .filter(|l| l.contains("Closing balance"))
            .find(|l| l.trim_end().ends_with(&grouped(st.closing)));
        assert!(
            closing.is_some(),
            "{currency} closing {} in\n{text}",
            st.closing
        );
    }
    assert!(
        text.contains("Dépanneur, Montréal · store rue-st-denis"),
        "{text}"
    );
    assert!(text.contains(&format!("to account {}", w.b)), "{text}");
    assert!(text.contains("Reversed"), "{text}");
    // The other customer's statement shows the gift.
    let pdf = customer_statement_pdf(&w.ledger, w.b, march(), tz, &PdfOptions::default())
        .await
        .unwrap();
    if let Some(text) = look_at(&pdf, "customer-b-2026-03") {
        assert!(text.contains(&format!("from account {}", w.a)), "{text}");
    }
}

#[tokio::test]
async fn an_account_without_points_gets_a_one_page_statement() {
    let w = world().await;
    let c = w.ledger.open_account("c").await.unwrap().id;
    let pdf = customer_statement_pdf(
        &w.ledger,
        c,
        march(),
        chrono_tz::UTC,
        &PdfOptions::default(),
    )
    .await
    .unwrap();
    if let Some(text) = look_at(&pdf, "customer-empty-2026-03") {
        assert!(text.contains("No points yet"), "{text}");
        assert!(text.contains("page 1 of 1"), "{text}");
    }
}

#[test]
fn a_file_that_is_not_a_font_is_refused() {
    assert!(matches!(
        PdfFont::from_bytes(b"not a font".to_vec(), 0),
        Err(Error::InvalidInput { .. })
    ));
}

/// The same month gives the same bytes: rendered again, and rendered with
/// fonts loaded afresh (no subset kept from an earlier statement).
#[tokio::test]
async fn the_same_month_gives_the_same_bytes() {
    let w = world().await;
    let fonts_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/fonts");
    let load = |file: &str| PdfFont::from_bytes(std::fs::read(fonts_dir.join(file)).unwrap(), 0);
    let fresh = StatementFonts {
        regular: load("DejaVuSans.ttf").unwrap(),
        bold: load("DejaVuSans-Bold.ttf").unwrap(),
        fallback: None,
    };
    let mut pdfs = Vec::new();
    for options in [
        PdfOptions::default(),
        PdfOptions::default(),
        PdfOptions::with_fonts(fresh),
    ] {
        let objects = MemoryObjectStore::new();
        let opts = CloseOptions {
            month: march(),
            vendors: None,
            sse: Sse::S3,
        };
        let notes = LogNotifier::quiet();
        close_month_with_pdf(
            &w.ledger,
            &objects,
            &notes,
            &opts,
            &options,
            &mut |_, _, _| {},
        )
        .await
        .unwrap();
        let mut docs = Vec::new();
        for vendor in ["depanneur-mtl", "konbini-tokyo"] {
            let key = format!("statements/{vendor}/2026-03.pdf");
            docs.push(objects.get(&key).await.unwrap());
        }
        pdfs.push(docs);
    }
    assert_eq!(pdfs[0], pdfs[1]);
    assert_eq!(pdfs[0], pdfs[2]);
    // No creation date or random id in the file.
    let text = String::from_utf8_lossy(&pdfs[0][0]);
    assert!(!text.contains("/CreationDate"), "a date in the PDF");
    assert!(!text.contains("/ModDate"), "a date in the PDF");
}

/// Compressed pages: a smaller file with the same text.
#[tokio::test]
async fn compressed_pages_are_smaller_and_read_the_same() {
    let w = world().await;
    let mut sizes = Vec::new();
    let mut texts = Vec::new();
    for (name, options) in [
        ("plain", PdfOptions::default()),
        (
            "compressed",
            PdfOptions::default().with_page_compression(PageCompression::Always),
        ),
    ] {
        let objects = MemoryObjectStore::new();
        let opts = CloseOptions {
            month: march(),
            vendors: Some(vec![w.montreal.clone()]),
            sse: Sse::S3,
        };
        let notes = LogNotifier::quiet();
        close_month_with_pdf(
            &w.ledger,
            &objects,
            &notes,
            &opts,
            &options,
            &mut |_, _, _| {},
        )
        .await
        .unwrap();
        let pdf = objects
            .get("statements/depanneur-mtl/2026-03.pdf")
            .await
            .unwrap();
        eprintln!("{name}: {} bytes", pdf.len());
        sizes.push(pdf.len());
        texts.push(look_at(&pdf, &format!("vendor-depanneur-{name}")));
    }
    assert!(sizes[1] < sizes[0], "{sizes:?}");
    assert_eq!(texts[0], texts[1]);
}
