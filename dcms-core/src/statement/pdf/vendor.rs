//! The vendor statement a shop owner reads: who and which month, a summary
//! that ends in who pays whom, the month as a chart, and the daily totals.

use super::chart;
use super::doc::{Align, Doc, Rgb, Style, MARGIN, PAGE_W};
use super::format::{count, kind_label, money, month_name, points, signed};
use super::header::{header, Field};
use super::table::{Column, RowKind, Table};
use super::{PageCompression, PdfOptions};
use crate::error::Result;
use crate::money::Currency;
use crate::statement::{DayTotals, Statement};
use crate::transaction::TxKind;

/// Renders a vendor's statement. `digest` is the statement's digest (of its
/// CSV and JSON documents); `per_minor` is the program's points per minor
/// unit of the vendor's currency, for the money column.
pub(crate) fn render(
    st: &Statement,
    digest: &str,
    per_minor: i64,
    options: &PdfOptions,
) -> Result<Vec<u8>> {
    let fonts = options.fonts()?;
    let month = month_name(st.month);
    let footer = format!("{} · vendor {} · statement for {month}", st.name, st.owner);
    let mut doc = Doc::new(&fonts, footer);
    let period = format!(
        "{} to {} UTC",
        st.from.format("%Y-%m-%d %H:%M"),
        st.to.format("%Y-%m-%d %H:%M")
    );
    header(
        &mut doc,
        &st.name,
        &format!("Vendor statement · {month}"),
        &[
            Field("Vendor id", &st.owner),
            Field("Month", &st.month.to_string()),
            Field("Currency", st.currency.as_str()),
            Field("Time zone", &st.time_zone),
        ],
        &[Field("Period", &period), Field("SHA-256", digest)],
    );
    let currency = st.settlement.map(|s| s.amount.currency);
    summary(&mut doc, st, currency, per_minor);
    chart::draw(
        &mut doc,
        st,
        "points issued (change credited)",
        "points redeemed or reversed",
    );
    daily(&mut doc, st);
    doc.ensure(30.0);
    doc.y += 16.0;
    let note = format!(
        "Every transaction of the month is listed in the CSV and JSON statements ({} and .json).",
        st.object_key("csv")
    );
    let y = doc.y;
    doc.text_fit(
        MARGIN,
        y,
        PAGE_W - 2.0 * MARGIN,
        &note,
        Style::SMALL,
        Align::Left,
    );
    let id = format!("dcms:{}", st.object_key("pdf"));
    let title = format!("DCMS vendor statement {} {}", st.owner, st.month);
    let compress = options.page_compression == PageCompression::Always;
    doc.finish(&title, &id, compress)
}

/// Opening, each kind, closing, and the net to settle, with money values.
fn summary(doc: &mut Doc<'_>, st: &Statement, currency: Option<Currency>, per_minor: i64) {
    doc.y += 8.0;
    let y = doc.y + 12.0;
    doc.text(MARGIN, y, "Summary", Style::HEADING, Align::Left);
    doc.y += 20.0;
    let code = st.currency.as_str();
    let amount_title = format!("Amount ({code})");
    let columns = [
        Column::text("", 240.0),
        Column::number("Count", 60.0),
        Column::number("Points", 100.0),
        Column::number("", 99.0),
    ];
    let table = Table { columns: &columns };
    table.header(doc);
    // The last column's title depends on the currency, so it is written
    // over the header's empty title.
    let right = MARGIN + 499.0 - 4.0;
    doc.text(
        right,
        doc.y - 4.0,
        &amount_title,
        Style::SMALL,
        Align::Right,
    );
    let value = |p: i64| currency.map(|c| money(p, per_minor, c)).unwrap_or_default();
    let opening = (points(st.opening), value(st.opening));
    table.row(
        doc,
        &[
            "Opening liability (points owed)",
            "",
            &opening.0,
            &opening.1,
        ],
        RowKind::Plain,
    );
    for (i, t) in st.totals.iter().enumerate() {
        let kind = if i % 2 == 0 {
            RowKind::Shaded
        } else {
            RowKind::Plain
        };
        let cells = [
            kind_label(t.kind).to_string(),
            count(t.count),
            signed(t.points),
            value(t.points),
        ];
        table.row(doc, &cells.each_ref().map(String::as_str), kind);
    }
    let closing = (points(st.closing), value(st.closing));
    table.row(
        doc,
        &["Closing liability", "", &closing.0, &closing.1],
        RowKind::Total,
    );
    if let Some(s) = &st.settlement {
        let net = (signed(s.points), value(s.points));
        table.row(
            doc,
            &["Net to settle for the month", "", &net.0, &net.1],
            RowKind::Total,
        );
        let amount = money(s.amount.minor.abs(), 1, s.amount.currency);
        let month = month_name(st.month);
        let who = if s.amount.minor > 0 {
            format!("{} pays the program {code} {amount} for {month}.", st.name)
        } else if s.amount.minor < 0 {
            format!("The program pays {} {code} {amount} for {month}.", st.name)
        } else {
            format!("Nothing to settle for {month}.")
        };
        doc.ensure(40.0);
        doc.y += 8.0;
        doc.rect(MARGIN, doc.y, 499.0, 22.0, Rgb::SHADE);
        doc.rect(MARGIN, doc.y, 3.0, 22.0, Rgb::ACCENT);
        let y = doc.y + 14.5;
        doc.text_fit(MARGIN + 10.0, y, 480.0, &who, Style::STRONG, Align::Left);
        doc.y += 22.0;
        if s.remainder_points != 0 {
            let carried = format!(
                "{} points worth less than one minor unit of {code} carry over to next month.",
                signed(s.remainder_points)
            );
            doc.y += 11.0;
            let y = doc.y;
            doc.text(MARGIN, y, &carried, Style::SMALL, Align::Left);
        }
    }
    doc.y += 12.0;
}

/// Count and points of the day's kinds that match `pick`.
fn sum(day: &DayTotals, pick: impl Fn(TxKind) -> bool) -> (u64, i64) {
    day.kinds
        .iter()
        .filter(|k| pick(k.kind))
        .fold((0, 0), |(c, p), k| {
            (c.saturating_add(k.count), p.saturating_add(k.points))
        })
}

fn is_credit(kind: TxKind) -> bool {
    kind == TxKind::ChangeCredit
}

fn is_redemption(kind: TxKind) -> bool {
    matches!(kind, TxKind::Redemption | TxKind::HoldCapture)
}

/// `n` written by `write`, or nothing for 0.
fn blank_zero<T: Default + PartialEq>(n: T, write: fn(T) -> String) -> String {
    if n == T::default() {
        String::new()
    } else {
        write(n)
    }
}

/// One row per day with movements, and the liability at each day's end.
fn daily(doc: &mut Doc<'_>, st: &Statement) {
    doc.ensure(80.0);
    let y = doc.y + 12.0;
    doc.text(MARGIN, y, "Daily totals", Style::HEADING, Align::Left);
    doc.y += 20.0;
    let columns = [
        Column::text("Date", 86.0),
        Column::number("Credits", 44.0),
        Column::number("Credited", 64.0),
        Column::number("Redemptions", 62.0),
        Column::number("Redeemed", 62.0),
        Column::number("Reversed, other", 66.0),
        Column::number("Net", 52.0),
        Column::number("Liability", 63.0),
    ];
    let table = Table { columns: &columns };
    table.header(doc);
    let mut liability = st.opening;
    let mut month = [(0u64, 0i64); 3];
    for (i, day) in st.days.iter().enumerate() {
        let credited = sum(day, is_credit);
        let redeemed = sum(day, is_redemption);
        let other = sum(day, |k| !is_credit(k) && !is_redemption(k));
        for (m, d) in month.iter_mut().zip([credited, redeemed, other]) {
            m.0 = m.0.saturating_add(d.0);
            m.1 = m.1.saturating_add(d.1);
        }
        liability = liability.saturating_add(day.net);
        // Blank rather than 0 where a day had none, as on a bank statement.
        let cells = [
            day.date.format("%a %Y-%m-%d").to_string(),
            blank_zero(credited.0, count),
            blank_zero(credited.1, signed),
            blank_zero(redeemed.0, count),
            blank_zero(redeemed.1, signed),
            blank_zero(other.1, signed),
            signed(day.net),
            points(liability),
        ];
        let kind = if i % 2 == 1 {
            RowKind::Shaded
        } else {
            RowKind::Plain
        };
        table.row(doc, &cells.each_ref().map(String::as_str), kind);
    }
    if st.days.is_empty() {
        table.row(
            doc,
            &["No movements", "", "", "", "", "", "", ""],
            RowKind::Plain,
        );
    }
    let cells = [
        "Month".to_string(),
        count(month[0].0),
        signed(month[0].1),
        count(month[1].0),
        signed(month[1].1),
        signed(month[2].1),
        signed(st.closing.saturating_sub(st.opening)),
        points(st.closing),
    ];
    table.row(doc, &cells.each_ref().map(String::as_str), RowKind::Total);
}
