//! Admin routes: vendors, accounts, adjustments, reversals, month close
//! and verify. The `Admin` extractor refuses every other role with 403.

use axum::extract::{Path, State};
use axum::response::Response;
use axum::Json;
use dcms_core::calendar::Month;
use dcms_core::statement::{close_month, CloseOptions};
use dcms_core::{ChangePolicy, CurrencyCode, Sse, TxId, Vendor, VendorId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::routes;

use super::created;
use crate::auth::Admin;
use crate::idempotency::IdemKey;
use crate::problem::{ApiResult, Problem};
use crate::route_table::RouteTable;
use crate::state::AppState;
use crate::wire::views::{TransactionView, VendorView};
use crate::wire::StrictJson;

/// The admin routes.
pub fn routes(t: RouteTable) -> RouteTable {
    t.described(routes!(list_vendors, create_vendor))
        .described(routes!(update_vendor))
        .described(routes!(open_account))
        .described(routes!(adjust))
        .described(routes!(reverse))
        .described(routes!(close))
        .described(routes!(verify))
}

/// A vendor's settings.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VendorSettings {
    /// Display name.
    pub name: String,
    /// ISO 4217 code of its tills (cannot change later).
    #[schema(pattern = "^[A-Z]{3}$", example = "USD")]
    pub currency: String,
    /// IANA time zone, e.g. `America/New_York`.
    pub time_zone: String,
    /// `coin_part` (default), `all_change` or `nothing`.
    pub policy: Option<String>,
    /// Largest credit per sale, in points.
    pub per_credit_cap: Option<i64>,
    /// Most points per account per local day.
    pub per_day_cap: Option<i64>,
}

impl VendorSettings {
    fn vendor(self, s: &AppState, id: &str) -> ApiResult<Vendor> {
        let mut v = Vendor::new(
            VendorId::new(id)?,
            self.name,
            s.ledger.currency(&self.currency)?,
            Vendor::parse_time_zone(&self.time_zone)?,
        );
        v.policy = match &self.policy {
            Some(p) => ChangePolicy::parse(p)?,
            None => ChangePolicy::default(),
        };
        v.per_credit_cap = self.per_credit_cap;
        v.per_day_cap = self.per_day_cap;
        Ok(v)
    }
}

/// A new vendor.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewVendor {
    /// Vendor id: 1 to 32 of `[A-Za-z0-9._-]`.
    #[schema(pattern = "^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$", example = "corner-shop")]
    pub id: String,
    /// Display name.
    pub name: String,
    /// ISO 4217 code of its tills (cannot change later).
    #[schema(pattern = "^[A-Z]{3}$", example = "USD")]
    pub currency: String,
    /// IANA time zone, e.g. `America/New_York`.
    pub time_zone: String,
    /// `coin_part` (default), `all_change` or `nothing`.
    pub policy: Option<String>,
    /// Largest credit per sale, in points.
    pub per_credit_cap: Option<i64>,
    /// Most points per account per local day.
    pub per_day_cap: Option<i64>,
}

impl NewVendor {
    /// Its id and settings.
    fn split(self) -> (String, VendorSettings) {
        let settings = VendorSettings {
            name: self.name,
            currency: self.currency,
            time_zone: self.time_zone,
            policy: self.policy,
            per_credit_cap: self.per_credit_cap,
            per_day_cap: self.per_day_cap,
        };
        (self.id, settings)
    }
}

/// Every vendor.
#[utoipa::path(get, path = "/v1/admin/vendors", tag = "admin",
    responses((status = 200, body = [VendorView]), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn list_vendors(
    State(s): State<AppState>,
    _a: Admin,
) -> ApiResult<Json<Vec<VendorView>>> {
    let vs = s.ledger.vendors().await?;
    Ok(Json(vs.iter().map(VendorView::from).collect()))
}

/// Registers a vendor (the same settings again return it).
#[utoipa::path(post, path = "/v1/admin/vendors", tag = "admin",
    params(("Idempotency-Key" = String, Header, description = "Unique per request; reuse only to retry")),
    request_body = NewVendor,
    responses((status = 201, body = VendorView), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn create_vendor(
    State(s): State<AppState>,
    _a: Admin,
    _key: IdemKey,
    StrictJson(b): StrictJson<NewVendor>,
) -> ApiResult<Response> {
    let (id, settings) = b.split();
    let v = settings.vendor(&s, &id)?;
    let v = s.ledger.create_vendor(v).await?;
    Ok(created(VendorView::from(&v), false))
}

/// Changes a vendor's name, policy, caps or zone.
#[utoipa::path(put, path = "/v1/admin/vendors/{vendor}", tag = "admin",
    params(("vendor" = String, Path, description = "Vendor id"),
        ("Idempotency-Key" = String, Header, description = "Unique per request; reuse only to retry")),
    request_body = VendorSettings,
    responses((status = 200, body = VendorView), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn update_vendor(
    State(s): State<AppState>,
    _a: Admin,
    Path(id): Path<String>,
    _key: IdemKey,
    StrictJson(b): StrictJson<VendorSettings>,
) -> ApiResult<Json<VendorView>> {
    let v = b.vendor(&s, &id)?;
    let v = s.ledger.update_vendor(v).await?;
    Ok(Json(VendorView::from(&v)))
}

/// A new account (the body is empty: `{}`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAccount {}

/// An opened account.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountView {
    /// The account id (with its check digit).
    pub id: String,
    /// When it was opened.
    pub opened_at: chrono::DateTime<chrono::Utc>,
}

/// Opens a customer account (the same Idempotency-Key returns the same account).
#[utoipa::path(post, path = "/v1/admin/accounts", tag = "admin",
    params(("Idempotency-Key" = String, Header, description = "Unique per account; reuse only to retry")),
    request_body = NewAccount,
    responses((status = 201, body = AccountView), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn open_account(
    State(s): State<AppState>,
    _a: Admin,
    key: IdemKey,
    StrictJson(_empty): StrictJson<NewAccount>,
) -> ApiResult<Response> {
    let a = s.ledger.open_account(key.core_key()).await?;
    Ok(created(
        AccountView {
            id: a.id.to_string(),
            opened_at: a.opened_at,
        },
        false,
    ))
}

/// A manual correction.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdjustBody {
    /// The account id.
    #[schema(pattern = "^[0-9]{3,18}$", example = "482137")]
    pub account: String,
    /// ISO 4217 code of the points.
    #[schema(pattern = "^[A-Z]{3}$", example = "USD")]
    pub currency: String,
    /// Points to add (negative to remove).
    pub points: i64,
    /// Why, 1 to 500 characters.
    pub reason: String,
}

/// Corrects an account's balance in one currency.
#[utoipa::path(post, path = "/v1/admin/adjustments", tag = "admin",
    params(("Idempotency-Key" = String, Header, description = "Unique per request; reuse only to retry")),
    request_body = AdjustBody,
    responses((status = 201, body = TransactionView), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn adjust(
    State(s): State<AppState>,
    _a: Admin,
    key: IdemKey,
    StrictJson(b): StrictJson<AdjustBody>,
) -> ApiResult<Response> {
    let account = s.ledger.parse_account_id(&b.account)?;
    let currency = CurrencyCode::new(&b.currency)?;
    let a = s
        .ledger
        .adjust(key.core_key(), account, currency, b.points, &b.reason)
        .await?;
    Ok(created(TransactionView::from(a.tx.as_ref()), a.replayed))
}

/// A reversal of any transaction.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReverseAny {
    /// The transaction to undo.
    pub tx: u64,
    /// Why, 1 to 500 characters.
    pub reason: String,
}

/// Reverses any transaction.
#[utoipa::path(post, path = "/v1/admin/reversals", tag = "admin",
    params(("Idempotency-Key" = String, Header, description = "Unique per request; reuse only to retry")),
    request_body = ReverseAny,
    responses((status = 201, body = TransactionView), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn reverse(
    State(s): State<AppState>,
    _a: Admin,
    key: IdemKey,
    StrictJson(b): StrictJson<ReverseAny>,
) -> ApiResult<Response> {
    let a = s
        .ledger
        .reverse(key.core_key(), TxId(b.tx), &b.reason)
        .await?;
    Ok(created(TransactionView::from(a.tx.as_ref()), a.replayed))
}

/// What to close.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseBody {
    /// `yyyy-mm`.
    pub month: String,
    /// Only these vendors (default all).
    pub vendors: Option<Vec<String>>,
}

/// One vendor's closed statement.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClosedView {
    /// The vendor.
    pub vendor: String,
    /// `issued`, `reissued` or `unchanged`.
    pub outcome: String,
    /// Keys of the stored documents.
    pub objects: Vec<String>,
    /// Lines in the statement.
    pub lines: u64,
}

/// A vendor whose close failed (re-run to retry).
#[derive(Debug, Serialize, ToSchema)]
pub struct FailedView {
    /// The vendor.
    pub vendor: String,
    /// The error's stable code.
    pub code: String,
}

/// The month close.
#[derive(Debug, Serialize, ToSchema)]
pub struct CloseView {
    /// Vendors done.
    pub closed: Vec<ClosedView>,
    /// Vendors that failed.
    pub failed: Vec<FailedView>,
}

/// Closes a month: every vendor's statement (or the listed ones), stored
/// and announced; progress goes to the log.
#[utoipa::path(post, path = "/v1/admin/month-close", tag = "admin",
    params(("Idempotency-Key" = String, Header, description = "Unique per request; reuse only to retry")),
    request_body = CloseBody,
    responses((status = 200, body = CloseView), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn close(
    State(s): State<AppState>,
    _a: Admin,
    _key: IdemKey,
    StrictJson(b): StrictJson<CloseBody>,
) -> ApiResult<Json<CloseView>> {
    let vendors = b
        .vendors
        .map(|vs| {
            vs.into_iter()
                .map(VendorId::new)
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?;
    let opts = CloseOptions {
        month: Month::parse(&b.month)?,
        vendors,
        sse: Sse::S3,
    };
    let report = close_month(&s.ledger, s.objects.as_ref(), s.notifier.as_ref(), &opts, &mut |i, n, v| {
        tracing::info!(step = i, of = n, vendor = %v.vendor, outcome = v.outcome, lines = v.lines, "month close");
    })
    .await?;
    Ok(Json(CloseView {
        closed: report
            .closed
            .iter()
            .map(|v| ClosedView {
                vendor: v.vendor.to_string(),
                outcome: v.outcome.to_string(),
                objects: v.objects.clone(),
                lines: v.lines,
            })
            .collect(),
        failed: report
            .failed
            .iter()
            .map(|(v, e)| FailedView {
                vendor: v.to_string(),
                code: e.code().to_string(),
            })
            .collect(),
    }))
}

/// What verify found.
#[derive(Debug, Serialize, ToSchema)]
pub struct VerifyView {
    /// True when every balance matches the journal.
    pub ok: bool,
    /// Transactions read.
    pub transactions: u64,
    /// Accounts compared.
    pub accounts: u64,
    /// Every difference found.
    pub problems: Vec<String>,
}

/// Recomputes every balance from the journal and compares.
#[utoipa::path(get, path = "/v1/admin/verify", tag = "admin",
    responses((status = 200, body = VerifyView), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn verify(State(s): State<AppState>, _a: Admin) -> ApiResult<Json<VerifyView>> {
    let r = s.ledger.verify().await?;
    Ok(Json(VerifyView {
        ok: r.is_ok(),
        transactions: r.transactions,
        accounts: r.accounts,
        problems: r.problems,
    }))
}
