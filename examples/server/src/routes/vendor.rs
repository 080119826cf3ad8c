//! Vendor routes: a till or back office acting for its own vendor only
//! (`{vendor}` must be the token's vendor; `VendorCaller` refuses others).

use axum::extract::{Path, State};
use axum::response::Response;
use axum::Json;
use dcms_core::calendar::Month;
use dcms_core::statement::vendor_statement;
use dcms_core::{CreditChange, HoldRequest, PosRef, Redeem, TxId, TxKind};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::routes;

use super::created;
use crate::auth::VendorCaller;
use crate::idempotency::IdemKey;
use crate::problem::{ApiError, ApiResult, Problem};
use crate::route_table::RouteTable;
use crate::state::AppState;
use crate::wire::views::{CreditView, QuoteView, StatementView, TransactionView};
use crate::wire::{Amount, StrictJson};

/// The vendor routes.
pub fn routes(t: RouteTable) -> RouteTable {
    t.described(routes!(quote))
        .described(routes!(credit))
        .described(routes!(redeem))
        .described(routes!(hold))
        .described(routes!(capture))
        .described(routes!(void))
        .described(routes!(reverse))
        .described(routes!(statement))
}

/// A cash sale to quote.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuoteBody {
    /// The sale total, e.g. `"6.63"`.
    pub total: Amount,
    /// Cash handed over, e.g. `"10.00"`.
    pub tendered: Amount,
}

/// What a sale's change would give, before anything is written.
#[utoipa::path(post, path = "/v1/vendors/{vendor}/quotes", tag = "vendor",
    params(("vendor" = String, Path, description = "The caller's vendor id")),
    request_body = QuoteBody,
    responses((status = 200, body = QuoteView), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn quote(
    State(s): State<AppState>,
    v: VendorCaller,
    StrictJson(b): StrictJson<QuoteBody>,
) -> ApiResult<Json<QuoteView>> {
    let q = s
        .ledger
        .quote_change(&v.vendor, b.total.0, b.tendered.0)
        .await?;
    Ok(Json(QuoteView::from(&q)))
}

/// Where a sale happened.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PosBody {
    /// The vendor's store.
    pub store_id: Option<String>,
    /// The till.
    pub terminal_id: Option<String>,
    /// The POS's receipt number.
    pub receipt_no: Option<String>,
}

impl PosBody {
    fn into_pos(self) -> PosRef {
        PosRef {
            store_id: self.store_id,
            terminal_id: self.terminal_id,
            receipt_no: self.receipt_no,
        }
    }
}

/// A cash sale whose change is credited.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreditBody {
    /// The customer's account id.
    #[schema(pattern = "^[0-9]{3,18}$", example = "482137")]
    pub account: String,
    /// The sale total, e.g. `"6.63"`.
    pub total: Amount,
    /// Cash handed over, e.g. `"10.00"`.
    pub tendered: Amount,
    /// The vendor's store.
    pub store_id: Option<String>,
    /// The till.
    pub terminal_id: Option<String>,
    /// The POS's receipt number.
    pub receipt_no: Option<String>,
}

/// Credits the change of a cash sale to a customer's account.
#[utoipa::path(post, path = "/v1/vendors/{vendor}/credits", tag = "vendor",
    params(("vendor" = String, Path, description = "The caller's vendor id"),
        ("Idempotency-Key" = String, Header, description = "Unique per sale (e.g. the receipt number); reuse only to retry")),
    request_body = CreditBody,
    responses((status = 201, body = CreditView), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn credit(
    State(s): State<AppState>,
    v: VendorCaller,
    key: IdemKey,
    StrictJson(b): StrictJson<CreditBody>,
) -> ApiResult<Response> {
    let req = CreditChange {
        key: key.core_key().to_string(),
        vendor: v.vendor,
        account: s.ledger.parse_account_id(&b.account)?,
        total: b.total.0,
        tendered: b.tendered.0,
        pos: PosBody {
            store_id: b.store_id,
            terminal_id: b.terminal_id,
            receipt_no: b.receipt_no,
        }
        .into_pos(),
    };
    let c = s.ledger.credit_change(&req).await?;
    let view = CreditView {
        quote: QuoteView::from(&c.quote),
        points: c.points,
        tx: c.tx.as_deref().map(TransactionView::from),
    };
    Ok(created(view, c.replayed))
}

/// A spend with the customer's one-time code.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RedeemBody {
    /// The customer's account id.
    #[schema(pattern = "^[0-9]{3,18}$", example = "482137")]
    pub account: String,
    /// The customer's one-time code.
    #[schema(pattern = "^[0-9]{8}$", example = "04711234")]
    pub code: String,
    /// Points to spend (the vendor's currency).
    #[schema(minimum = 1, maximum = 1e15)]
    pub points: i64,
    /// Seconds a hold lives (holds only; default the program's).
    pub ttl_secs: Option<i64>,
    /// The vendor's store.
    pub store_id: Option<String>,
    /// The till.
    pub terminal_id: Option<String>,
    /// The POS's receipt number.
    pub receipt_no: Option<String>,
}

impl RedeemBody {
    fn pos(&self) -> PosRef {
        PosRef {
            store_id: self.store_id.clone(),
            terminal_id: self.terminal_id.clone(),
            receipt_no: self.receipt_no.clone(),
        }
    }
}

/// Spends points in one step with the customer's one-time code.
#[utoipa::path(post, path = "/v1/vendors/{vendor}/redemptions", tag = "vendor",
    params(("vendor" = String, Path, description = "The caller's vendor id"),
        ("Idempotency-Key" = String, Header, description = "Unique per request; reuse only to retry")),
    request_body = RedeemBody,
    responses((status = 201, body = TransactionView), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn redeem(
    State(s): State<AppState>,
    v: VendorCaller,
    key: IdemKey,
    StrictJson(b): StrictJson<RedeemBody>,
) -> ApiResult<Response> {
    if b.ttl_secs.is_some() {
        return Err(ApiError::bad_request(
            "invalid_input",
            "ttl_secs is for holds only",
        ));
    }
    let req = Redeem {
        key: key.core_key().to_string(),
        vendor: v.vendor,
        account: s.ledger.parse_account_id(&b.account)?,
        points: b.points,
        pos: b.pos(),
    };
    let a = s.codes.redeem(&s.ledger, &req, &b.code).await?;
    Ok(created(TransactionView::from(a.tx.as_ref()), a.replayed))
}

/// Sets points aside with the customer's one-time code (capture or void it later).
#[utoipa::path(post, path = "/v1/vendors/{vendor}/holds", tag = "vendor",
    params(("vendor" = String, Path, description = "The caller's vendor id"),
        ("Idempotency-Key" = String, Header, description = "Unique per request; reuse only to retry")),
    request_body = RedeemBody,
    responses((status = 201, body = TransactionView), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn hold(
    State(s): State<AppState>,
    v: VendorCaller,
    key: IdemKey,
    StrictJson(b): StrictJson<RedeemBody>,
) -> ApiResult<Response> {
    let ttl = match b.ttl_secs {
        Some(secs) if !(1..=86_400).contains(&secs) => {
            return Err(ApiError::bad_request(
                "invalid_input",
                "ttl_secs must be 1 to 86400",
            ))
        }
        other => other.map(chrono::Duration::seconds),
    };
    let req = HoldRequest {
        key: key.core_key().to_string(),
        vendor: v.vendor,
        account: s.ledger.parse_account_id(&b.account)?,
        points: b.points,
        ttl,
        pos: b.pos(),
    };
    let a = s.codes.hold(&s.ledger, &req, &b.code).await?;
    Ok(created(TransactionView::from(a.tx.as_ref()), a.replayed))
}

/// A capture of a hold.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaptureBody {
    /// Points to take (default all; the rest returns to the customer).
    pub points: Option<i64>,
}

/// Refuses a transaction that is not this vendor's own of the given kinds.
async fn own_tx(s: &AppState, v: &VendorCaller, tx: u64, kinds: &[TxKind]) -> ApiResult<TxId> {
    let t = s.ledger.transaction(TxId(tx)).await?;
    if t.vendor.as_ref() != Some(&v.vendor) {
        return Err(ApiError::forbidden("that transaction is another vendor's"));
    }
    if !kinds.contains(&t.kind) {
        return Err(ApiError::bad_request(
            "invalid_input",
            format!("transaction {tx} is a {}", t.kind.as_str()),
        ));
    }
    Ok(t.id)
}

/// Takes all or part of a hold.
#[utoipa::path(post, path = "/v1/vendors/{vendor}/holds/{tx}/capture", tag = "vendor",
    params(("vendor" = String, Path, description = "The caller's vendor id"),
        ("tx" = u64, Path, description = "The hold's transaction id"),
        ("Idempotency-Key" = String, Header, description = "Unique per request; reuse only to retry")),
    request_body = CaptureBody,
    responses((status = 201, body = TransactionView), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn capture(
    State(s): State<AppState>,
    v: VendorCaller,
    Path(p): Path<(String, u64)>,
    key: IdemKey,
    StrictJson(b): StrictJson<CaptureBody>,
) -> ApiResult<Response> {
    let hold = own_tx(&s, &v, p.1, &[TxKind::Hold]).await?;
    let a = s.ledger.capture(key.core_key(), hold, b.points).await?;
    Ok(created(TransactionView::from(a.tx.as_ref()), a.replayed))
}

/// An empty body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Empty {}

/// Voids a hold: every held point returns to the customer.
#[utoipa::path(post, path = "/v1/vendors/{vendor}/holds/{tx}/void", tag = "vendor",
    params(("vendor" = String, Path, description = "The caller's vendor id"),
        ("tx" = u64, Path, description = "The hold's transaction id"),
        ("Idempotency-Key" = String, Header, description = "Unique per request; reuse only to retry")),
    request_body = Empty,
    responses((status = 201, body = TransactionView), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn void(
    State(s): State<AppState>,
    v: VendorCaller,
    Path(p): Path<(String, u64)>,
    key: IdemKey,
    StrictJson(_empty): StrictJson<Empty>,
) -> ApiResult<Response> {
    let hold = own_tx(&s, &v, p.1, &[TxKind::Hold]).await?;
    let a = s.ledger.void_hold(key.core_key(), hold).await?;
    Ok(created(TransactionView::from(a.tx.as_ref()), a.replayed))
}

/// A reversal.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReverseBody {
    /// The transaction to undo.
    pub tx: u64,
    /// Why, 1 to 500 characters.
    pub reason: String,
}

/// Reverses one of this vendor's own change credits.
#[utoipa::path(post, path = "/v1/vendors/{vendor}/reversals", tag = "vendor",
    params(("vendor" = String, Path, description = "The caller's vendor id"),
        ("Idempotency-Key" = String, Header, description = "Unique per request; reuse only to retry")),
    request_body = ReverseBody,
    responses((status = 201, body = TransactionView), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn reverse(
    State(s): State<AppState>,
    v: VendorCaller,
    key: IdemKey,
    StrictJson(b): StrictJson<ReverseBody>,
) -> ApiResult<Response> {
    let target = own_tx(&s, &v, b.tx, &[TxKind::ChangeCredit]).await?;
    let a = s.ledger.reverse(key.core_key(), target, &b.reason).await?;
    Ok(created(TransactionView::from(a.tx.as_ref()), a.replayed))
}

/// The vendor's statement for a month of its own calendar.
#[utoipa::path(get, path = "/v1/vendors/{vendor}/statements/{month}", tag = "vendor",
    params(("vendor" = String, Path, description = "The caller's vendor id"),
        ("month" = String, Path, description = "yyyy-mm")),
    responses((status = 200, body = StatementView), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn statement(
    State(s): State<AppState>,
    v: VendorCaller,
    Path(p): Path<(String, String)>,
) -> ApiResult<Json<StatementView>> {
    let st = vendor_statement(&s.ledger, &v.vendor, Month::parse(&p.1)?).await?;
    Ok(Json(StatementView::from(&st)))
}
