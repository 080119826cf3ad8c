//! Customer routes: the caller's own account only (`{account}` must be the
//! token's account; the `Customer` extractor refuses anything else).

use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::Json;
use chrono::{DateTime, Utc};
use dcms_core::calendar::Month;
use dcms_core::codes::CodeRequest;
use dcms_core::statement::{customer_statement, issue_receipt};
use dcms_core::{CurrencyCode, Cursor, Sse, TxId};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

use super::created;
use crate::auth::Customer;
use crate::idempotency::IdemKey;
use crate::problem::{ApiError, ApiResult, Problem};
use crate::route_table::RouteTable;
use crate::state::AppState;
use crate::wire::views::{BalancesView, HistoryView, StatementView, TransactionView};
use crate::wire::StrictJson;

/// How long a receipt link works.
const RECEIPT_LINK: std::time::Duration = std::time::Duration::from_secs(15 * 60);

/// The customer routes.
pub fn routes(t: RouteTable) -> RouteTable {
    t.described(routes!(balances))
        .described(routes!(history))
        .described(routes!(transfer))
        .described(routes!(request_code))
        .described(routes!(receipt))
        .described(routes!(statement))
}

fn currency(code: &str) -> ApiResult<CurrencyCode> {
    Ok(CurrencyCode::new(code)?)
}

/// The account's points, one balance per currency.
#[utoipa::path(get, path = "/v1/accounts/{account}/balances", tag = "customer",
    params(("account" = String, Path, description = "The caller's account id")),
    responses((status = 200, body = BalancesView), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn balances(State(s): State<AppState>, c: Customer) -> ApiResult<Json<BalancesView>> {
    let b = s.ledger.balance(c.account).await?;
    Ok(Json(BalancesView::new(c.account.to_string(), &b)))
}

/// History query.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct HistoryQuery {
    /// Only this currency (ISO 4217).
    pub currency: Option<String>,
    /// The `next` of the previous page.
    pub after: Option<String>,
    /// Page size, 1 to 100 (default 20).
    pub limit: Option<u32>,
}

/// The account's transactions, newest first, a page at a time.
#[utoipa::path(get, path = "/v1/accounts/{account}/history", tag = "customer",
    params(("account" = String, Path, description = "The caller's account id"), HistoryQuery),
    responses((status = 200, body = HistoryView), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn history(
    State(s): State<AppState>,
    c: Customer,
    Query(q): Query<HistoryQuery>,
) -> ApiResult<Json<HistoryView>> {
    let limit = q.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::bad_request(
            "invalid_input",
            "limit must be 1 to 100",
        ));
    }
    let cur = q.currency.as_deref().map(currency).transpose()?;
    let after = q.after.map(Cursor);
    let page = s.ledger.history(c.account, cur, after, limit).await?;
    Ok(Json(HistoryView {
        items: page.items.iter().map(TransactionView::from).collect(),
        next: page.next.map(|c| c.0),
    }))
}

/// A transfer to another customer.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferBody {
    /// The receiving account id.
    #[schema(pattern = "^[0-9]{3,18}$", example = "482137")]
    pub to: String,
    /// The currency of the points (ISO 4217).
    #[schema(pattern = "^[A-Z]{3}$", example = "USD")]
    pub currency: String,
    /// Points to move.
    #[schema(minimum = 1, maximum = 1e15)]
    pub points: i64,
}

/// Moves points of one currency to another account.
#[utoipa::path(post, path = "/v1/accounts/{account}/transfers", tag = "customer",
    params(("account" = String, Path, description = "The caller's account id"),
        ("Idempotency-Key" = String, Header, description = "Unique per request; reuse only to retry")),
    request_body = TransferBody,
    responses((status = 201, body = TransactionView), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn transfer(
    State(s): State<AppState>,
    c: Customer,
    key: IdemKey,
    StrictJson(b): StrictJson<TransferBody>,
) -> ApiResult<Response> {
    let to = s.ledger.parse_account_id(&b.to)?;
    let a = s
        .ledger
        .transfer(
            key.core_key(),
            c.account,
            to,
            currency(&b.currency)?,
            b.points,
        )
        .await?;
    Ok(created(TransactionView::from(a.tx.as_ref()), a.replayed))
}

/// A request for a one-time redemption code.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeBody {
    /// The currency the code may spend (ISO 4217).
    #[schema(pattern = "^[A-Z]{3}$", example = "USD")]
    pub currency: String,
    /// The most points it may spend.
    #[schema(minimum = 1, maximum = 1e15)]
    pub max_points: i64,
}

/// A one-time redemption code, shown once.
#[derive(Debug, Serialize, ToSchema)]
pub struct CodeView {
    /// The digits to show the cashier (also in the QR code).
    pub code: String,
    /// The currency it may spend.
    pub currency: String,
    /// The most points it may spend.
    #[schema(minimum = 1, maximum = 1e15)]
    pub max_points: i64,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
    /// The code as a QR code (an SVG document), for the till's scanner.
    pub qr_svg: String,
}

/// The code as a QR code in SVG.
fn qr_svg(code: &str) -> ApiResult<String> {
    let qr = qrcode::QrCode::new(code.as_bytes())
        .map_err(|_| ApiError::from(dcms_core::Error::Storage("QR encoding failed".into())))?;
    Ok(qr
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(160, 160)
        .quiet_zone(true)
        .build())
}

/// Issues a one-time code a vendor needs to redeem the customer's points.
#[utoipa::path(post, path = "/v1/accounts/{account}/codes", tag = "customer",
    params(("account" = String, Path, description = "The caller's account id"),
        ("Idempotency-Key" = String, Header, description = "Unique per request; reuse only to retry")),
    request_body = CodeBody,
    responses((status = 201, body = CodeView), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn request_code(
    State(s): State<AppState>,
    c: Customer,
    key: IdemKey,
    StrictJson(b): StrictJson<CodeBody>,
) -> ApiResult<Response> {
    let req = CodeRequest {
        key: key.core_key().to_string(),
        account: c.account,
        currency: currency(&b.currency)?,
        max_points: b.max_points,
    };
    let issued = s.codes.issue(&s.ledger, &req).await?;
    let view = CodeView {
        qr_svg: qr_svg(&issued.code)?,
        code: issued.code,
        currency: issued.currency.to_string(),
        max_points: issued.max_points,
        expires_at: issued.expires_at,
    };
    Ok(created(view, false))
}

/// A link to a receipt.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReceiptView {
    /// The transaction.
    pub tx: u64,
    /// A pre-signed link that reads the receipt until `expires_at`.
    pub url: String,
    /// When the link stops working.
    pub expires_at: DateTime<Utc>,
}

/// A pre-signed link to the receipt of one of the account's transactions.
#[utoipa::path(get, path = "/v1/accounts/{account}/receipts/{tx}", tag = "customer",
    params(("account" = String, Path, description = "The caller's account id"),
        ("tx" = u64, Path, description = "Transaction id")),
    responses((status = 200, body = ReceiptView), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn receipt(
    State(s): State<AppState>,
    c: Customer,
    Path(p): Path<(String, u64)>,
) -> ApiResult<Json<ReceiptView>> {
    let tx = p.1;
    let t = s.ledger.transaction(TxId(tx)).await?;
    if !t
        .postings
        .iter()
        .any(|p| p.account.customer() == Some(c.account))
    {
        return Err(ApiError::forbidden(
            "that transaction is not on your account",
        ));
    }
    let r = issue_receipt(
        &s.ledger,
        s.objects.as_ref(),
        t.id,
        &[],
        RECEIPT_LINK,
        Sse::S3,
    )
    .await?;
    Ok(Json(ReceiptView {
        tx,
        url: crate::routes::objects::public_url(&r.url.url),
        expires_at: r.url.expires_at,
    }))
}

/// Statement query.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct StatementQuery {
    /// The currency section (ISO 4217).
    pub currency: String,
}

/// The account's statement of one currency for a month (UTC months).
#[utoipa::path(get, path = "/v1/accounts/{account}/statements/{month}", tag = "customer",
    params(("account" = String, Path, description = "The caller's account id"),
        ("month" = String, Path, description = "yyyy-mm"), StatementQuery),
    responses((status = 200, body = StatementView), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn statement(
    State(s): State<AppState>,
    c: Customer,
    Path(p): Path<(String, String)>,
    Query(q): Query<StatementQuery>,
) -> ApiResult<Json<StatementView>> {
    let month = Month::parse(&p.1)?;
    let st = customer_statement(
        &s.ledger,
        c.account,
        currency(&q.currency)?,
        month,
        s.ledger.config().time_zone,
    )
    .await?;
    Ok(Json(StatementView::from(&st)))
}
