//! Response bodies: the core's results in wire form. Amounts are decimal
//! strings, points integers, times RFC 3339, transaction ids integers.

use chrono::{DateTime, Utc};
use dcms_core::store::KindTotal;
use dcms_core::{Balances, ChangeQuote, Money, Transaction, Vendor};
use serde::Serialize;
use utoipa::ToSchema;

/// A money amount as a decimal string with its currency's scale.
fn money(m: &Money) -> String {
    m.to_decimal().to_string()
}

/// One currency's points of an account.
#[derive(Debug, Serialize, ToSchema)]
pub struct BalanceView {
    /// ISO 4217 code of the points.
    pub currency: String,
    /// Points that can be spent now.
    pub available: i64,
    /// Points set aside by open holds.
    pub held: i64,
}

/// An account's balances, one per currency it has held.
#[derive(Debug, Serialize, ToSchema)]
pub struct BalancesView {
    /// The account (full id: the caller owns it).
    pub account: String,
    /// One entry per currency, in code order.
    pub balances: Vec<BalanceView>,
}

impl BalancesView {
    /// From the core's balances.
    pub fn new(account: String, b: &Balances) -> Self {
        BalancesView {
            account,
            balances: b
                .iter()
                .map(|(c, b)| BalanceView {
                    currency: c.to_string(),
                    available: b.available,
                    held: b.held,
                })
                .collect(),
        }
    }
}

/// One leg of a transaction.
#[derive(Debug, Serialize, ToSchema)]
pub struct PostingView {
    /// Ledger account name, e.g. `customer:482137:USD`.
    pub account: String,
    /// Points moved (positive in, negative out).
    pub points: i64,
}

/// A journal transaction.
#[derive(Debug, Serialize, ToSchema)]
pub struct TransactionView {
    /// Transaction id.
    pub id: u64,
    /// What it did (`change_credit`, `redemption`, ...).
    pub kind: String,
    /// The one currency it moved.
    #[schema(nullable)]
    pub currency: Option<String>,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// The vendor involved.
    #[schema(nullable)]
    pub vendor: Option<String>,
    /// The vendor's store.
    #[schema(nullable)]
    pub store_id: Option<String>,
    /// The till.
    #[schema(nullable)]
    pub terminal_id: Option<String>,
    /// The POS receipt number.
    #[schema(nullable)]
    pub receipt_no: Option<String>,
    /// The transaction this one reverses or settles.
    #[schema(nullable)]
    pub closes: Option<u64>,
    /// For holds: when an uncaptured hold is released.
    #[schema(nullable)]
    pub expires_at: Option<DateTime<Utc>>,
    /// Free text (reasons).
    #[schema(nullable)]
    pub memo: Option<String>,
    /// The legs; they sum to zero.
    pub postings: Vec<PostingView>,
}

impl From<&Transaction> for TransactionView {
    fn from(t: &Transaction) -> Self {
        TransactionView {
            id: t.id.0,
            kind: t.kind.as_str().to_string(),
            currency: t.currency().map(|c| c.to_string()),
            at: t.at,
            vendor: t.vendor.as_ref().map(|v| v.to_string()),
            store_id: t.pos.store_id.clone(),
            terminal_id: t.pos.terminal_id.clone(),
            receipt_no: t.pos.receipt_no.clone(),
            closes: t.closes.map(|c| c.0),
            expires_at: t.expires_at,
            memo: t.memo.clone(),
            postings: t
                .postings
                .iter()
                .map(|p| PostingView {
                    account: p.account.to_string(),
                    points: p.points,
                })
                .collect(),
        }
    }
}

/// A page of history.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryView {
    /// Newest first.
    pub items: Vec<TransactionView>,
    /// Pass as `after` for the next page; absent on the last page.
    #[schema(nullable)]
    pub next: Option<String>,
}

/// What a sale's change gives.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuoteView {
    /// The currency of every amount.
    pub currency: String,
    /// The sale total.
    pub total: String,
    /// The total due in cash after cash rounding.
    pub cash_total: String,
    /// Cash handed over.
    pub tendered: String,
    /// `tendered - cash_total`.
    pub change: String,
    /// The part of the change below the smallest banknote.
    pub coin_part: String,
    /// What the cashier hands back.
    pub hand_back: String,
    /// What is credited, in money.
    pub credit: String,
}

impl From<&ChangeQuote> for QuoteView {
    fn from(q: &ChangeQuote) -> Self {
        QuoteView {
            currency: q.total.currency.code.to_string(),
            total: money(&q.total),
            cash_total: money(&q.cash_total),
            tendered: money(&q.tendered),
            change: money(&q.change),
            coin_part: money(&q.coin_part),
            hand_back: money(&q.hand_back),
            credit: money(&q.credit),
        }
    }
}

/// The result of a change credit.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreditView {
    /// What to hand back and what was credited.
    pub quote: QuoteView,
    /// Points credited.
    pub points: i64,
    /// The transaction (absent when nothing was credited).
    #[schema(nullable)]
    pub tx: Option<TransactionView>,
}

/// A vendor and its policy.
#[derive(Debug, Serialize, ToSchema)]
pub struct VendorView {
    /// Vendor id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// ISO 4217 code of its tills.
    pub currency: String,
    /// IANA time zone.
    pub time_zone: String,
    /// `coin_part`, `all_change` or `nothing`.
    pub policy: String,
    /// Largest credit per sale, in points.
    #[schema(nullable)]
    pub per_credit_cap: Option<i64>,
    /// Most points per account per local day.
    #[schema(nullable)]
    pub per_day_cap: Option<i64>,
}

impl From<&Vendor> for VendorView {
    fn from(v: &Vendor) -> Self {
        VendorView {
            id: v.id.to_string(),
            name: v.name.clone(),
            currency: v.currency.code.to_string(),
            time_zone: v.time_zone.name().to_string(),
            policy: v.policy.as_str().to_string(),
            per_credit_cap: v.per_credit_cap,
            per_day_cap: v.per_day_cap,
        }
    }
}

/// Totals of one kind in a statement.
#[derive(Debug, Serialize, ToSchema)]
pub struct KindTotalView {
    /// The kind.
    pub kind: String,
    /// How many.
    pub count: u64,
    /// Their points on the statement's account.
    pub points: i64,
}

impl From<&KindTotal> for KindTotalView {
    fn from(k: &KindTotal) -> Self {
        KindTotalView {
            kind: k.kind.as_str().to_string(),
            count: k.count,
            points: k.points,
        }
    }
}

/// A month's statement (summary; the full documents are in the object store).
#[derive(Debug, Serialize, ToSchema)]
pub struct StatementView {
    /// `vendor` or `customer`.
    pub kind: String,
    /// Vendor id or account id.
    pub owner: String,
    /// The currency of every point in it.
    pub currency: String,
    /// `yyyy-mm`.
    pub month: String,
    /// The zone the month is taken in.
    pub time_zone: String,
    /// First instant of the month.
    pub from: DateTime<Utc>,
    /// First instant of the next month.
    pub to: DateTime<Utc>,
    /// Balance at the start.
    pub opening: i64,
    /// Per kind.
    pub totals: Vec<KindTotalView>,
    /// Balance at the end.
    pub closing: i64,
    /// For vendors: net points to settle.
    #[schema(nullable)]
    pub settlement_points: Option<i64>,
    /// For vendors: their value in the vendor's currency.
    #[schema(nullable)]
    pub settlement_amount: Option<String>,
}

impl From<&dcms_core::statement::Statement> for StatementView {
    fn from(s: &dcms_core::statement::Statement) -> Self {
        StatementView {
            kind: s.kind.to_string(),
            owner: s.owner.clone(),
            currency: s.currency.to_string(),
            month: s.month.to_string(),
            time_zone: s.time_zone.clone(),
            from: s.from,
            to: s.to,
            opening: s.opening,
            totals: s.totals.iter().map(KindTotalView::from).collect(),
            closing: s.closing,
            settlement_points: s.settlement.map(|x| x.points),
            settlement_amount: s.settlement.map(|x| money(&x.amount)),
        }
    }
}
