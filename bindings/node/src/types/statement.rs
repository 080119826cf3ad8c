//! Monthly statements and the month-close report.

use chrono::{DateTime, Utc};
use dcms_core::store::KindTotal as CoreKindTotal;
use napi_derive::napi;

use crate::convert::{count, money_out, PointCount};

/// One kind's count and points in a statement.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct KindTotal {
    /// The transaction kind.
    #[napi(ts_type = "TxKindName")]
    pub kind: String,
    /// How many transactions of that kind.
    pub count: f64,
    /// Their points, from the owner's point of view.
    pub points: PointCount,
}

/// One local day with movements.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct DayTotals {
    /// The local date, `yyyy-mm-dd`.
    pub date: String,
    /// Per-kind totals of that day.
    pub kinds: Vec<KindTotal>,
    /// The day's net points.
    pub net: PointCount,
}

/// A vendor's net to settle for the month.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct Settlement {
    /// Net points.
    pub points: PointCount,
    /// Their amount, a decimal string in `currency`.
    pub amount: String,
    /// ISO 4217 code of `amount`.
    pub currency: String,
    /// Points below one minor unit, carried to the next month.
    pub remainder_points: PointCount,
}

/// Per-kind totals as objects.
fn totals(list: &[CoreKindTotal]) -> Vec<KindTotal> {
    list.iter()
        .map(|k| KindTotal {
            kind: k.kind.as_str().to_string(),
            count: k.count as f64,
            points: count(k.points),
        })
        .collect()
}

/// A month's statement of a vendor (its liability: points owed, in its
/// currency) or of a customer (points held in one currency). Points are
/// from the owner's point of view. Read-only; `Ledger.statementRows` lists
/// its lines.
#[napi]
#[derive(Debug, Clone)]
pub struct Statement {
    pub(crate) inner: dcms_core::statement::Statement,
}

impl From<dcms_core::statement::Statement> for Statement {
    fn from(inner: dcms_core::statement::Statement) -> Self {
        Statement { inner }
    }
}

#[napi]
impl Statement {
    /// `vendor` or `customer`.
    #[napi(getter, ts_return_type = "'vendor' | 'customer'")]
    pub fn kind(&self) -> &'static str {
        self.inner.kind
    }

    /// Whose statement: the vendor id or the account id.
    #[napi(getter)]
    pub fn owner(&self) -> String {
        self.inner.owner.clone()
    }

    /// Display name (the vendor's name; the account id for customers).
    #[napi(getter)]
    pub fn name(&self) -> String {
        self.inner.name.clone()
    }

    /// The currency of every point in it.
    #[napi(getter)]
    pub fn currency(&self) -> String {
        self.inner.currency.to_string()
    }

    /// The month, `yyyy-mm`.
    #[napi(getter)]
    pub fn month(&self) -> String {
        self.inner.month.to_string()
    }

    /// The IANA zone the month is taken in.
    #[napi(getter)]
    pub fn time_zone(&self) -> String {
        self.inner.time_zone.clone()
    }

    /// First instant of the month.
    #[napi(getter, js_name = "from")]
    pub fn from_(&self) -> DateTime<Utc> {
        self.inner.from
    }

    /// First instant of the next month.
    #[napi(getter)]
    pub fn to(&self) -> DateTime<Utc> {
        self.inner.to
    }

    /// Balance at the start of the month.
    #[napi(getter)]
    pub fn opening(&self) -> PointCount {
        count(self.inner.opening)
    }

    /// Balance at the end of the month.
    #[napi(getter)]
    pub fn closing(&self) -> PointCount {
        count(self.inner.closing)
    }

    /// Per-kind totals of the month.
    #[napi(getter)]
    pub fn totals(&self) -> Vec<KindTotal> {
        totals(&self.inner.totals)
    }

    /// One entry per local day with movements.
    #[napi(getter)]
    pub fn days(&self) -> Vec<DayTotals> {
        self.inner
            .days
            .iter()
            .map(|d| DayTotals {
                date: d.date.to_string(),
                kinds: totals(&d.kinds),
                net: count(d.net),
            })
            .collect()
    }

    /// For vendors: the month's net to settle; null for customers.
    #[napi(getter)]
    pub fn settlement(&self) -> Option<Settlement> {
        self.inner.settlement.as_ref().map(|st| Settlement {
            points: count(st.points),
            amount: money_out(&st.amount),
            currency: st.amount.currency.code.to_string(),
            remainder_points: count(st.remainder_points),
        })
    }
}

/// One statement line (a transaction, from the owner's point of view).
#[napi(object)]
#[derive(Debug, Clone)]
pub struct StatementRow {
    /// The transaction id.
    pub tx: f64,
    /// Local time, RFC 3339 text in the statement's zone.
    pub time: String,
    /// The transaction kind.
    #[napi(ts_type = "TxKindName")]
    pub kind: String,
    /// The statement's currency.
    pub currency: String,
    /// The store, as the POS reported it.
    pub store_id: Option<String>,
    /// The till.
    pub terminal_id: Option<String>,
    /// The POS's receipt number.
    pub receipt_no: Option<String>,
    /// Points, from the owner's point of view.
    pub points: PointCount,
    /// The transaction it reverses or settles.
    pub closes: Option<f64>,
    /// Free text.
    pub memo: Option<String>,
}

impl StatementRow {
    /// A core line of a statement in `currency`.
    pub(crate) fn new(l: &dcms_core::statement::StatementLine, currency: &str) -> Self {
        StatementRow {
            tx: l.tx as f64,
            time: l.time.clone(),
            kind: l.kind.to_string(),
            currency: currency.to_string(),
            store_id: l.store_id.clone(),
            terminal_id: l.terminal_id.clone(),
            receipt_no: l.receipt_no.clone(),
            points: count(l.points),
            closes: l.closes.map(|c| c as f64),
            memo: l.memo.clone(),
        }
    }
}

/// What month close did for one vendor.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct VendorClose {
    /// The vendor id.
    pub vendor: String,
    /// `issued`, `reissued` or `unchanged`.
    #[napi(ts_type = "'issued' | 'reissued' | 'unchanged'")]
    pub outcome: String,
    /// Keys of the stored documents (CSV, JSON, PDF).
    pub objects: Vec<String>,
    /// Lines in the statement.
    pub lines: f64,
    /// Digest of the documents (changes when the month changed).
    pub digest: String,
}

impl From<&dcms_core::statement::VendorClose> for VendorClose {
    fn from(v: &dcms_core::statement::VendorClose) -> Self {
        VendorClose {
            vendor: v.vendor.as_str().to_string(),
            outcome: v.outcome.to_string(),
            objects: v.objects.clone(),
            lines: v.lines as f64,
            digest: v.digest.clone(),
        }
    }
}

/// A vendor month close could not do; `error` is a `DcmsError`.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct CloseFailure {
    /// The vendor id.
    pub vendor: String,
    /// Why (the envelope `index.cjs` turns into a `DcmsError`).
    #[napi(ts_type = "DcmsError")]
    pub error: String,
}

/// The result of `Ledger.closeMonth`: the vendors closed and those that
/// failed (re-run to retry them; the others are not repeated).
#[napi(object)]
#[derive(Debug, Clone)]
pub struct CloseReport {
    /// Vendors done, in id order.
    pub closed: Vec<VendorClose>,
    /// Each vendor that failed, with its error.
    pub failed: Vec<CloseFailure>,
}
