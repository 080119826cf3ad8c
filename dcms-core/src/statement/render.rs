//! One pass over a statement's lines for month close: each line the store
//! streams ([`LedgerStore::account_lines`]) is written straight into the CSV
//! and JSON line sections and counted into its day's totals, so the close
//! reads every posting once and needs no separate aggregate query for the
//! month (only the opening balance). The documents are byte for byte what
//! [`super::vendor_statement`] plus [`super::for_each_line_page`] render.

use chrono::{DateTime, Utc};

use super::build::Frame;
use super::close::Rendered;
use super::csv::{self, CsvWriter};
use super::json::JsonWriter;
use super::json_line::JsonLine;
use super::pdf::PdfOptions;
use super::Statement;
use crate::error::{Error, Result};
use crate::ledger::Ledger;
use crate::store::{AccountLine, Activity, KindTotal};
use crate::transaction::{TxKind, ALL_KINDS};

/// Count and points (in the store's sign) of one kind on one day.
type Cell = (u64, i64);

/// Renders lines as they arrive and totals them per day and kind.
pub(super) struct LineRenderer<'a> {
    frame: &'a Frame,
    csv: String,
    json: Vec<u8>,
    lines: u64,
    /// Per day, per kind (in [`ALL_KINDS`] order).
    days: Vec<[Cell; ALL_KINDS.len()]>,
}

/// The kind's place in [`ALL_KINDS`], which lists the variants in
/// declaration order (tested in `transaction.rs`), so the discriminant is
/// that place.
fn kind_index(kind: TxKind) -> usize {
    kind as usize
}

impl<'a> LineRenderer<'a> {
    pub(super) fn new(frame: &'a Frame) -> Self {
        LineRenderer {
            frame,
            csv: String::new(),
            json: Vec::new(),
            lines: 0,
            days: vec![[(0, 0); ALL_KINDS.len()]; frame.dates.len()],
        }
    }

    /// The day `at` falls on, by the frame's boundaries.
    fn day(&self, at: DateTime<Utc>) -> Result<usize> {
        let b = &self.frame.boundaries;
        let after = b.partition_point(|x| *x <= at);
        if after == 0 || after == b.len() {
            return Err(Error::Storage(format!(
                "the store returned a line at {at}, outside {} to {}",
                self.frame.from(),
                self.frame.to()
            )));
        }
        Ok(after - 1)
    }

    pub(super) fn lines(&mut self, lines: &[AccountLine]) -> Result<()> {
        let tz = self.frame.tz;
        let sign = self.frame.sign;
        for l in lines {
            let day = self.day(l.at)?;
            let cell = self
                .days
                .get_mut(day)
                .and_then(|kinds| kinds.get_mut(kind_index(l.kind)))
                .ok_or_else(|| {
                    Error::Storage(format!(
                        "no total for a {} line at {}",
                        l.kind.as_str(),
                        l.at
                    ))
                })?;
            cell.0 += 1;
            cell.1 += l.points;
            let time = l.at.with_timezone(&tz).to_rfc3339();
            let line = JsonLine {
                tx: l.tx.0,
                time: &time,
                kind: l.kind.as_str(),
                store_id: l.pos.store_id.as_deref(),
                terminal_id: l.pos.terminal_id.as_deref(),
                receipt_no: l.pos.receipt_no.as_deref(),
                points: sign * l.points,
                closes: l.closes.map(|c| c.0),
                memo: l.memo.as_deref(),
            };
            csv::line(
                &mut self.csv,
                line.tx,
                line.time,
                line.kind,
                [line.store_id, line.terminal_id, line.receipt_no],
                line.points,
                line.memo,
            );
            if self.lines > 0 {
                self.json.push(b',');
            }
            self.json.push(b'\n');
            line.write(&mut self.json)?;
            self.lines += 1;
        }
        Ok(())
    }

    /// The statement (opening balance from the store, the month from the
    /// lines) and its three documents, the PDF made as `pdf` says.
    pub(super) fn finish(self, opening: i64, pdf: &PdfOptions) -> Result<(Statement, Rendered)> {
        let per_minor = self.frame.settle.map_or(1, |(_, per_minor)| per_minor);
        let buckets = self
            .days
            .iter()
            .map(|cells| {
                ALL_KINDS
                    .iter()
                    .zip(cells)
                    .filter(|(_, c)| c.0 > 0)
                    .map(|(kind, c)| KindTotal {
                        kind: *kind,
                        count: c.0,
                        points: c.1,
                    })
                    .collect()
            })
            .collect();
        let st = self
            .frame
            .clone()
            .statement(&Activity { opening, buckets })?;
        let mut csv = CsvWriter::start(&st);
        csv.raw_lines(&self.csv);
        let mut json = JsonWriter::start(&st)?;
        json.raw_lines(&self.json, self.lines);
        let rendered = Rendered::new(
            &st,
            csv.finish(&st),
            json.finish(),
            self.lines,
            per_minor,
            pdf,
        )?;
        Ok((st, rendered))
    }
}

/// Builds and renders the statement of `frame` in one read of its lines.
pub(super) async fn render_frame(
    ledger: &Ledger,
    frame: Frame,
    pdf: &PdfOptions,
) -> Result<(Statement, Rendered)> {
    let store = ledger.store();
    // The opening balance alone: the activity before the first boundary.
    let opening = store
        .activity(&frame.account, &frame.boundaries[..1])
        .await?
        .opening;
    let mut renderer = LineRenderer::new(&frame);
    store
        .account_lines(&frame.account, frame.from(), frame.to(), &mut |lines| {
            renderer.lines(lines)
        })
        .await?;
    renderer.finish(opening, pdf)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use std::sync::Arc;

    use chrono::{Duration, TimeZone};
    use rust_decimal::Decimal;

    use super::*;
    use crate::calendar::Month;
    use crate::clock::ManualClock;
    use crate::ids::{PosRef, VendorId};
    use crate::ledger::{CreditChange, LedgerConfig, Redeem};
    use crate::memory::MemoryStore;
    use crate::money::Currency;
    use crate::statement::close::render_all;
    use crate::statement::vendor_statement;
    use crate::vendor::Vendor;

    /// A month in New York with the DST change, sub-second times of every
    /// precision, reversals with memos that need CSV quoting and JSON
    /// escaping, and movements just outside the month on both sides.
    async fn ledger() -> (Ledger, VendorId) {
        let start = Utc.with_ymd_and_hms(2026, 10, 28, 12, 0, 0).unwrap();
        let clock = Arc::new(ManualClock::new(start));
        let ledger = Ledger::open(Arc::new(MemoryStore::new()), LedgerConfig::default())
            .await
            .unwrap()
            .with_clock(clock.clone());
        let vendor = ledger
            .create_vendor(Vendor::new(
                VendorId::new("nyc").unwrap(),
                "Corner \"Shop\", NYC",
                Currency::builtin("USD").unwrap(),
                chrono_tz::America::New_York,
            ))
            .await
            .unwrap()
            .id;
        let customer = ledger.open_account("a").await.unwrap().id;
        let nanos = [0, 5_000_000, 250_000, 123_456_789, 999_999_999];
        let mut at = start;
        let mut credits = Vec::new();
        for i in 0..240u32 {
            // Every 2 h 17 min from late October into the second week of
            // November: across the month's end and the DST change (Nov 1).
            at += Duration::minutes(137);
            clock.set(at + Duration::nanoseconds(nanos[i as usize % nanos.len()]));
            let pos = PosRef {
                store_id: (i % 3 != 0).then(|| format!("s{}", i % 4)),
                terminal_id: (i % 5 != 0).then(|| "t-1".to_string()),
                receipt_no: Some(format!("r.{i}")),
            };
            if i % 7 == 3 {
                ledger
                    .redeem(&Redeem {
                        key: format!("redeem-{i}"),
                        vendor: vendor.clone(),
                        account: customer,
                        points: 5,
                        pos,
                    })
                    .await
                    .unwrap();
            } else {
                let sale = ledger
                    .credit_change(&CreditChange {
                        key: format!("sale-{i}"),
                        vendor: vendor.clone(),
                        account: customer,
                        total: Decimal::new(1000 - 1 - i64::from(i % 90), 2),
                        tendered: Decimal::new(1000, 2),
                        pos,
                    })
                    .await
                    .unwrap();
                credits.extend(sale.tx.map(|t| t.id));
            }
            if i % 11 == 5 {
                let memo = ["till error, \"voided\"", "=cmd", "line\nbreak, é"][i as usize % 3];
                let id = credits.pop().unwrap();
                ledger.reverse(&format!("rev-{i}"), id, memo).await.unwrap();
            }
        }
        (ledger, vendor)
    }

    #[tokio::test]
    async fn one_pass_renders_the_same_bytes_as_summary_plus_lines() {
        let (ledger, vendor) = ledger().await;
        for month in ["2026-10", "2026-11", "2026-12"] {
            let month = Month::parse(month).unwrap();
            let v = ledger.vendor(&vendor).await.unwrap();
            let frame = Frame::vendor(&ledger, &v, month).unwrap();
            let (st, one_pass) = render_frame(&ledger, frame, &PdfOptions::default())
                .await
                .unwrap();
            let reference = vendor_statement(&ledger, &vendor, month).await.unwrap();
            assert_eq!(st, reference, "{month}");
            let expected = render_all(&ledger, &reference).await.unwrap();
            assert_eq!(one_pass.lines, expected.lines, "{month}");
            assert_eq!(
                String::from_utf8(one_pass.csv).unwrap(),
                String::from_utf8(expected.csv).unwrap(),
                "{month}"
            );
            assert_eq!(
                String::from_utf8(one_pass.json).unwrap(),
                String::from_utf8(expected.json).unwrap(),
                "{month}"
            );
            assert_eq!(one_pass.pdf, expected.pdf, "{month}");
        }
    }
}
