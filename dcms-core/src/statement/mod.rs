//! Monthly statements: what a vendor owes the program, and what moved on a
//! customer's account.
//!
//! A statement's summary is built from the store's aggregates
//! ([`crate::store::LedgerStore::activity`]: an opening balance and per-day
//! totals per kind, in one call). Its lines come from
//! [`crate::store::LedgerStore::account_lines`], which streams only what a
//! line shows, a chunk at a time: a month with a million rows never needs a
//! million rows in memory. Month close ([`close_month`]) reads each vendor's
//! month once: it counts the day totals from the lines as it renders them
//! and asks the store for the opening balance alone. The month is the
//! vendor's calendar month in its IANA time zone.
//!
//! Rendered as CSV and JSON (every line, daily totals, the summary) and as a
//! PDF for people ([`pdf`]: the summary, a chart and the daily totals for a
//! vendor; every movement for a customer).
//! Rendering is deterministic: the same month gives the same bytes, by
//! either path.

mod build;
mod close;
mod csv;
mod json;
mod json_line;
mod lines;
pub mod pdf;
mod receipt;
mod render;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

pub use build::{customer_statement, customer_statements, vendor_statement};
pub use close::{
    close_month, close_month_with_pdf, CloseOptions, CloseReport, VendorClose, CLOSE_IN_FLIGHT,
};
pub use lines::{for_each_line_page, StatementLine};
pub use pdf::{customer_statement_pdf, PageCompression, PdfFont, PdfOptions, StatementFonts};
pub use receipt::{issue_receipt, receipt_key, render_receipt, LineItem, Receipt};

use crate::calendar::Month;
use crate::ids::AccountRef;
use crate::money::{CurrencyCode, Money};
use crate::store::KindTotal;

/// Totals of one local day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayTotals {
    /// The local date.
    pub date: NaiveDate,
    /// Per kind, from the statement owner's point of view.
    pub kinds: Vec<KindTotal>,
    /// Net movement of the day.
    pub net: i64,
}

/// A month's statement for one account (a vendor's liability or a customer's points).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Statement {
    /// `vendor` or `customer`.
    pub kind: &'static str,
    /// Whose statement (vendor id or account id).
    pub owner: String,
    /// Display name (vendor name; the account id for customers).
    pub name: String,
    /// The ledger account it covers.
    #[serde(skip)]
    pub account: AccountRef,
    /// The currency of every point in it: a vendor's own currency, or the
    /// one currency of a customer's section.
    pub currency: CurrencyCode,
    /// The month.
    #[serde(serialize_with = "ser_month")]
    pub month: Month,
    /// The IANA zone the month is taken in.
    pub time_zone: String,
    /// First instant of the month (UTC).
    pub from: DateTime<Utc>,
    /// First instant of the next month (UTC).
    pub to: DateTime<Utc>,
    /// Balance at the start: a vendor's liability (points owed), or a customer's points.
    pub opening: i64,
    /// Per-kind totals of the month.
    pub totals: Vec<KindTotal>,
    /// Per-day totals, one entry per local day with movements.
    pub days: Vec<DayTotals>,
    /// Balance at the end.
    pub closing: i64,
    /// For vendors: the month's net to settle (`closing - opening` points and
    /// its money value in the vendor's currency).
    pub settlement: Option<Settlement>,
}

/// What a vendor settles for the month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Settlement {
    /// Points issued minus points redeemed (and reversed) this month.
    pub points: i64,
    /// Their value: points / points-per-minor-unit, exact.
    pub amount: Money,
    /// Points below one minor unit that carry over (0 at 1 point per unit).
    pub remainder_points: i64,
}

fn ser_month<S: serde::Serializer>(m: &Month, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&m.to_string())
}

impl Statement {
    /// Where this statement is stored: `statements/<vendor>/<yyyy-mm>.<ext>`
    /// (a vendor has one currency), and a customer's section of one
    /// currency at `statements/customers/<id>/<yyyy-mm>-<CUR>.<ext>`.
    pub fn object_key(&self, ext: &str) -> String {
        match self.kind {
            "vendor" => format!("statements/{}/{}.{ext}", self.owner, self.month),
            _ => format!(
                "statements/customers/{}/{}-{}.{ext}",
                self.owner, self.month, self.currency
            ),
        }
    }
}
