//! Statements as PDF documents for people: a vendor's month (summary with
//! who pays whom, a chart of the month by day, daily totals) and a
//! customer's month (every movement, one section per currency).
//!
//! Written with [pdf-writer](https://docs.rs/pdf-writer) (the PDF writer
//! under typst and krilla), fonts subset with
//! [subsetter](https://docs.rs/subsetter) and read with
//! [skrifa](https://docs.rs/skrifa). The text is set in DejaVu Sans, bundled in the
//! crate so a statement looks the same on every machine; it covers Latin
//! with its accents, Greek, Cyrillic, Armenian and Georgian. Names in other
//! scripts need a font that has them ([`PdfOptions::with_fonts`], for
//! example [`StatementFonts::with_fallback`] with a CJK font for Japanese
//! vendor names). Text is not shaped: right-to-left scripts and scripts
//! whose letters join or reorder (Arabic, Hebrew, the Indic scripts, Thai)
//! are not rendered correctly.
//!
//! Deterministic: no dates, a document id derived from the statement's
//! key, so the same month always gives the same bytes.
//!
//! The `f32`s in this module are page geometry in PDF points (positions,
//! font metrics, the chart's bar heights scaled from point counts), which
//! is what pdf-writer takes. No money is ever a float here: amounts are
//! printed from integer points through [`Money`](crate::Money) and its
//! `Decimal` (`format::money`).

mod chart;
mod customer;
mod doc;
mod embed;
mod fonts;
mod format;
mod header;
mod table;
mod text;
mod vendor;
mod writer;

pub use customer::customer_statement_pdf;
pub use fonts::{PdfFont, StatementFonts, MAX_SUBSETS};

pub(crate) use vendor::render as vendor_pdf;

use crate::error::Result;

/// How statement PDFs are made.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct PdfOptions {
    /// The fonts; None for the bundled DejaVu Sans
    /// ([`StatementFonts::dejavu_sans`]).
    pub fonts: Option<StatementFonts>,
    /// Whether each page's content is compressed.
    pub page_compression: PageCompression,
}

/// Whether a statement's pages are compressed. The embedded fonts always
/// are (once per process, see [`StatementFonts`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum PageCompression {
    /// Vendor statements uncompressed, customer statements compressed.
    /// Month close renders a vendor statement per vendor, and compressing
    /// the pages made that up to twice as slow (measured in
    /// `docs/statements.md`) to save about 30% of the size (43 against
    /// 62 KB for two pages); a customer statement is made one at a time.
    #[default]
    Auto,
    /// Every statement compressed: smaller, slower to write.
    Always,
    /// No statement compressed.
    Never,
}

impl PdfOptions {
    /// Options that set the text in `fonts`.
    pub fn with_fonts(fonts: StatementFonts) -> PdfOptions {
        PdfOptions {
            fonts: Some(fonts),
            ..PdfOptions::default()
        }
    }

    /// The same options with `compression` for the pages.
    pub fn with_page_compression(mut self, compression: PageCompression) -> PdfOptions {
        self.page_compression = compression;
        self
    }

    /// The fonts to use (the bundled ones are parsed once per process and
    /// shared).
    fn fonts(&self) -> Result<StatementFonts> {
        match &self.fonts {
            Some(fonts) => Ok(fonts.clone()),
            None => StatementFonts::dejavu_sans(),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use std::sync::Arc;
    use std::time::Instant;

    use chrono::{TimeZone, Utc};
    use rust_decimal::Decimal;

    use super::*;
    use crate::calendar::Month;
    use crate::clock::ManualClock;
    use crate::ids::{PosRef, VendorId};
    use crate::ledger::{CreditChange, Ledger, LedgerConfig};
    use crate::memory::MemoryStore;
    use crate::money::Currency;
    use crate::statement::vendor_statement;
    use crate::vendor::Vendor;

    /// What one vendor PDF costs to render (a month with movements on
    /// every day, two pages): `cargo test --release -p dcms-core --lib
    /// render_cost -- --ignored --nocapture` (`DCMS_RENDER_N` renders,
    /// 500 by default).
    #[tokio::test]
    #[ignore]
    async fn render_cost() {
        let clock = Arc::new(ManualClock::new(
            Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap(),
        ));
        let ledger = Ledger::open(Arc::new(MemoryStore::new()), LedgerConfig::default())
            .await
            .unwrap()
            .with_clock(clock.clone());
        let vendor = ledger
            .create_vendor(Vendor::new(
                VendorId::new("v").unwrap(),
                "Corner Shop, NYC",
                Currency::builtin("USD").unwrap(),
                chrono_tz::America::New_York,
            ))
            .await
            .unwrap()
            .id;
        let account = ledger.open_account("a").await.unwrap().id;
        for i in 0..1000u32 {
            clock.set(
                Utc.with_ymd_and_hms(2026, 3, 1 + i % 31, 15, 0, i % 60)
                    .unwrap(),
            );
            ledger
                .credit_change(&CreditChange {
                    key: format!("k{i}"),
                    vendor: vendor.clone(),
                    account,
                    total: Decimal::new(901 + i64::from(i % 98), 2),
                    tendered: Decimal::new(1000, 2),
                    pos: PosRef::default(),
                })
                .await
                .unwrap();
        }
        let st = vendor_statement(&ledger, &vendor, Month::parse("2026-03").unwrap())
            .await
            .unwrap();
        let digest = "0".repeat(64);
        let n: u32 = std::env::var("DCMS_RENDER_N")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(500);
        for compression in [PageCompression::Auto, PageCompression::Always] {
            let options = PdfOptions::default().with_page_compression(compression);
            let first = vendor_pdf(&st, &digest, 1, &options).unwrap();
            let start = Instant::now();
            for _ in 0..n {
                let pdf = vendor_pdf(&st, &digest, 1, &options).unwrap();
                assert_eq!(pdf, first);
            }
            let each = start.elapsed() / n.max(1);
            eprintln!(
                "vendor PDF, {compression:?}: {} bytes, {each:?} each ({n} renders)",
                first.len()
            );
        }
    }
}
