//! Statements (vendor and customer) and their lines, and month close into
//! a local object directory.

use dcms_core::notify_log::LogNotifier;
use dcms_core::statement::{
    close_month, customer_statement, customer_statements, for_each_line_page, vendor_statement,
    CloseOptions, StatementLine,
};
use dcms_core::Sse;
use napi::bindgen_prelude::{ClassInstance, PromiseRaw};
use napi::Env;
use napi_derive::napi;
use serde_json::Map;

use super::Ledger;
use crate::convert::{account, month_in, vendor, zone};
use crate::errors::{envelope, CoreResult};
use crate::objects::LocalDirStore;
use crate::run::{spawn, Js};
use crate::types::{CloseFailure, CloseReport, Statement, StatementRow, VendorClose};

/// What `closeMonth` closes and how it encrypts.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct CloseMonthOptions {
    /// Only these vendors (absent: every vendor).
    pub vendors: Option<Vec<String>>,
    /// Seal with this KMS key (SSE-KMS) instead of the store's own (SSE-S3).
    pub kms_key_id: Option<String>,
}

/// The time zone option of customer statements and `journalRows`.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct ZoneOptions {
    /// The IANA zone the month is taken in (default UTC).
    pub time_zone: Option<String>,
}

#[napi]
impl Ledger {
    /// A vendor's statement for a month (`"yyyy-mm"`) of its own calendar.
    #[napi(ts_return_type = "Promise<Statement>")]
    pub fn vendor_statement<'env>(
        &self,
        env: &'env Env,
        vendor_id: String,
        month: String,
    ) -> napi::Result<Js<'env, Statement>> {
        let ledger = self.inner.clone();
        let (v, m) = (vendor(vendor_id)?, month_in(&month)?);
        spawn(env, async move {
            Ok(Statement::from(
                vendor_statement(&ledger, &v, m).await.js()?,
            ))
        })
    }

    /// A customer's statement in one currency for a month taken in
    /// `options.timeZone` (default UTC); empty when the account never held it.
    #[napi(ts_return_type = "Promise<Statement>")]
    pub fn customer_statement<'env>(
        &self,
        env: &'env Env,
        account_id: String,
        month: String,
        currency: String,
        options: Option<ZoneOptions>,
    ) -> napi::Result<Js<'env, Statement>> {
        let ledger = self.inner.clone();
        let code = self.currency(&currency)?;
        let (id, m) = (account(&account_id)?, month_in(&month)?);
        let tz = zone(options.unwrap_or_default().time_zone.as_deref())?;
        spawn(env, async move {
            let s = customer_statement(&ledger, id, code, m, tz).await.js()?;
            Ok(Statement::from(s))
        })
    }

    /// A customer's statements for a month, one per currency the account
    /// has held, in code order.
    #[napi(ts_return_type = "Promise<Array<Statement>>")]
    pub fn customer_statements<'env>(
        &self,
        env: &'env Env,
        account_id: String,
        month: String,
        options: Option<ZoneOptions>,
    ) -> napi::Result<Js<'env, Vec<Statement>>> {
        let ledger = self.inner.clone();
        let (id, m) = (account(&account_id)?, month_in(&month)?);
        let tz = zone(options.unwrap_or_default().time_zone.as_deref())?;
        spawn(env, async move {
            let all = customer_statements(&ledger, id, m, tz).await.js()?;
            Ok(all.into_iter().map(Statement::from).collect())
        })
    }

    /// A statement's lines, oldest first: one row per transaction.
    #[napi(ts_return_type = "Promise<Array<StatementRow>>")]
    pub fn statement_rows<'env>(
        &self,
        env: &'env Env,
        statement: ClassInstance<'env, Statement>,
    ) -> napi::Result<Js<'env, Vec<StatementRow>>> {
        // The statement is copied here, on the JavaScript thread.
        let st = statement.inner.clone();
        let ledger = self.inner.clone();
        spawn(env, async move {
            let mut all: Vec<StatementLine> = Vec::new();
            for_each_line_page(ledger.store().as_ref(), &st, |page| {
                all.extend_from_slice(page);
                Ok(())
            })
            .await
            .js()?;
            let code = st.currency.to_string();
            Ok(all.iter().map(|l| StatementRow::new(l, &code)).collect())
        })
    }

    /// Closes a month: builds every vendor's statement (or those in
    /// `options.vendors`), stores it as CSV, JSON and PDF in `objects` under
    /// `statements/<vendor>/<yyyy-mm>.<ext>`, and logs a notification to
    /// stderr. Idempotent: a re-run of an unchanged month stores and sends
    /// nothing. Rendering and sealing run on the Tokio runtime.
    #[napi(ts_return_type = "Promise<CloseReport>")]
    pub fn close_month<'env>(
        &self,
        env: &'env Env,
        month: String,
        objects: ClassInstance<'env, LocalDirStore>,
        options: Option<CloseMonthOptions>,
    ) -> napi::Result<PromiseRaw<'env, CloseReport>> {
        let o = options.unwrap_or_default();
        let opts = CloseOptions {
            month: month_in(&month)?,
            vendors: o
                .vendors
                .map(|v| v.into_iter().map(vendor).collect::<napi::Result<Vec<_>>>())
                .transpose()?,
            sse: o.kms_key_id.map_or(Sse::S3, |key_id| Sse::Kms { key_id }),
        };
        let store = objects.inner.clone();
        let ledger = self.inner.clone();
        env.spawn_future(async move {
            let notifier = LogNotifier::new();
            let report = close_month(&ledger, store.as_ref(), &notifier, &opts, &mut |_, _, _| {})
                .await
                .js()?;
            Ok(CloseReport {
                closed: report.closed.iter().map(VendorClose::from).collect(),
                failed: report
                    .failed
                    .iter()
                    .map(|(v, e)| CloseFailure {
                        vendor: v.as_str().to_string(),
                        error: envelope(e, Map::new()),
                    })
                    .collect(),
            })
        })
    }
}
