//! The customer statement: for each currency the account holds, the opening
//! balance, every movement of the month with its date, place (vendor and
//! store) and points, and the closing balance.
//!
//! The movements are read from the journal ([`LedgerStore::journal`], one
//! page at a time), which carries the vendor of each transaction; vendor
//! names are looked up once per vendor.

use std::collections::HashMap;

use chrono_tz::Tz;

use super::doc::{Align, Doc, Style, MARGIN, PAGE_W};
use super::format::{kind_label, month_name, points, signed};
use super::header::{header, Field};
use super::table::{Column, RowKind, Table};
use super::{PageCompression, PdfOptions};
use crate::calendar::Month;
use crate::error::Result;
use crate::ids::{AccountRef, CustomerId, VendorId};
use crate::ledger::Ledger;
use crate::statement::{customer_statements, Statement};
use crate::store::{JournalQuery, LedgerStore};
use crate::transaction::Transaction;

/// One line of a customer's section.
struct Movement {
    /// Local date and time.
    when: String,
    what: &'static str,
    place: String,
    points: i64,
}

/// A customer's month as a PDF: one section per currency the account has
/// held (see [`customer_statements`]), the month taken in time zone `tz`.
pub async fn customer_statement_pdf(
    ledger: &Ledger,
    account: CustomerId,
    month: Month,
    tz: Tz,
    options: &PdfOptions,
) -> Result<Vec<u8>> {
    let statements = customer_statements(ledger, account, month, tz).await?;
    let mut names = HashMap::new();
    let mut sections = Vec::with_capacity(statements.len());
    for st in statements {
        let movements = movements(ledger, &st, tz, &mut names).await?;
        sections.push((st, movements));
    }
    render(account, month, tz, &sections, options)
}

/// The section's movements, oldest first.
async fn movements(
    ledger: &Ledger,
    st: &Statement,
    tz: Tz,
    names: &mut HashMap<VendorId, String>,
) -> Result<Vec<Movement>> {
    let store: &dyn LedgerStore = ledger.store().as_ref();
    let mut query = JournalQuery::account_range(&st.account, st.from, st.to);
    let mut out = Vec::new();
    loop {
        let page = store.journal(&query).await?;
        for tx in &page.items {
            let place = place(ledger, tx, &st.account, names).await;
            out.push(Movement {
                when: tx
                    .at
                    .with_timezone(&tz)
                    .format("%Y-%m-%d %H:%M")
                    .to_string(),
                what: kind_label(tx.kind),
                place,
                points: tx.points_for(&st.account),
            });
        }
        match page.next {
            Some(next) => query.after = Some(next),
            None => return Ok(out),
        }
    }
}

/// Where a movement happened: the vendor's name and store, or for a
/// transfer the other account, or the reason of a correction.
async fn place(
    ledger: &Ledger,
    tx: &Transaction,
    account: &AccountRef,
    names: &mut HashMap<VendorId, String>,
) -> String {
    if let Some(vendor) = &tx.vendor {
        let name = match names.get(vendor) {
            Some(name) => name.clone(),
            None => {
                // A vendor that cannot be read is shown by its id rather
                // than failing the whole statement.
                let name = match ledger.vendor(vendor).await {
                    Ok(v) => v.name,
                    Err(_) => vendor.to_string(),
                };
                names.insert(vendor.clone(), name.clone());
                name
            }
        };
        return match &tx.pos.store_id {
            Some(store) => format!("{name} · store {store}"),
            None => name,
        };
    }
    let own = account.customer();
    let other = tx
        .postings
        .iter()
        .filter_map(|p| p.account.customer())
        .find(|c| Some(*c) != own);
    match (other, tx.points_for(account) < 0) {
        (Some(other), true) => format!("to account {other}"),
        (Some(other), false) => format!("from account {other}"),
        (None, _) => tx.memo.clone().unwrap_or_default(),
    }
}

fn render(
    account: CustomerId,
    month: Month,
    tz: Tz,
    sections: &[(Statement, Vec<Movement>)],
    options: &PdfOptions,
) -> Result<Vec<u8>> {
    let fonts = options.fonts()?;
    let name = month_name(month);
    let footer = format!("Account {account} · statement for {name}");
    let mut doc = Doc::new(&fonts, footer);
    let currencies = sections
        .iter()
        .map(|(st, _)| st.currency.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let currencies = if currencies.is_empty() {
        "none yet".to_string()
    } else {
        currencies
    };
    header(
        &mut doc,
        &format!("Account {account}"),
        &format!("Customer statement · {name}"),
        &[
            Field("Account", &account.to_string()),
            Field("Month", &month.to_string()),
            Field("Time zone", tz.name()),
            Field("Currencies", &currencies),
        ],
        &[],
    );
    if sections.is_empty() {
        doc.y += 16.0;
        let y = doc.y;
        let text = "No points yet: this account has not held points in any currency.";
        doc.text(MARGIN, y, text, Style::BODY, Align::Left);
    }
    for (st, movements) in sections {
        section(&mut doc, st, movements);
    }
    let title = format!("DCMS customer statement {account} {month}");
    let id = format!("dcms:statements/customers/{account}/{month}.pdf");
    let compress = options.page_compression != PageCompression::Never;
    doc.finish(&title, &id, compress)
}

/// One currency: opening, movements, closing.
fn section(doc: &mut Doc<'_>, st: &Statement, movements: &[Movement]) {
    doc.ensure(90.0);
    doc.y += 10.0;
    let y = doc.y + 12.0;
    let heading = format!("Points in {}", st.currency.as_str());
    doc.text(MARGIN, y, &heading, Style::HEADING, Align::Left);
    let (gained, spent) = movements.iter().fold((0i64, 0i64), |(g, s), m| {
        if m.points >= 0 {
            (g.saturating_add(m.points), s)
        } else {
            (g, s.saturating_add(m.points))
        }
    });
    let totals = format!(
        "opening {} · in {} · out {} · closing {}",
        points(st.opening),
        signed(gained),
        signed(spent),
        points(st.closing)
    );
    doc.text(PAGE_W - MARGIN, y, &totals, Style::BODY, Align::Right);
    doc.y += 20.0;
    let columns = [
        Column::text("Date", 88.0),
        Column::text("Movement", 96.0),
        Column::text("Place", 185.0),
        Column::number("Points", 60.0),
        Column::number("Balance", 70.0),
    ];
    let table = Table { columns: &columns };
    table.header(doc);
    let start = st
        .month
        .first_day()
        .map(|d| d.to_string())
        .unwrap_or_default();
    let opening = points(st.opening);
    table.row(
        doc,
        &[&start, "Opening balance", "", "", &opening],
        RowKind::Plain,
    );
    let mut balance = st.opening;
    for (i, m) in movements.iter().enumerate() {
        balance = balance.saturating_add(m.points);
        let cells = [signed(m.points), points(balance)];
        let kind = if i % 2 == 0 {
            RowKind::Shaded
        } else {
            RowKind::Plain
        };
        table.row(
            doc,
            &[&m.when, m.what, &m.place, &cells[0], &cells[1]],
            kind,
        );
    }
    if movements.is_empty() {
        table.row(doc, &["", "No movements", "", "", ""], RowKind::Plain);
    }
    let closing = points(st.closing);
    table.row(
        doc,
        &["", "Closing balance", "", "", &closing],
        RowKind::Total,
    );
    doc.y += 6.0;
}
