//! Statements (vendor and customer) as objects and plain rows, and month
//! close into a local object directory.

use dcms_core::notify_log::LogNotifier;
use dcms_core::statement::{
    close_month, customer_statement, customer_statements, for_each_line_page, vendor_statement,
    CloseOptions, StatementLine,
};
use dcms_core::Sse;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use pyo3::IntoPyObjectExt;

use super::Ledger;
use crate::convert::{AccountId, MonthArg, VendorKey, Zone};
use crate::errors::to_py;
use crate::objects::LocalDirStore;
use crate::types::{CloseReport, Statement, VendorClose};

/// A statement line as a dict (the core's field names, as in the JSON
/// document, and the statement's currency).
fn line_dict<'py>(
    py: Python<'py>,
    l: &StatementLine,
    currency: &str,
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("tx", l.tx)?;
    d.set_item("time", &l.time)?;
    d.set_item("kind", l.kind)?;
    d.set_item("currency", currency)?;
    d.set_item("store_id", l.store_id.as_deref())?;
    d.set_item("terminal_id", l.terminal_id.as_deref())?;
    d.set_item("receipt_no", l.receipt_no.as_deref())?;
    d.set_item("points", l.points)?;
    d.set_item("closes", l.closes)?;
    d.set_item("memo", l.memo.as_deref())?;
    Ok(d)
}

#[pymethods]
impl Ledger {
    /// A vendor's statement for a month (`"yyyy-mm"`) of its own calendar.
    fn vendor_statement(
        &self,
        py: Python<'_>,
        vendor: VendorKey,
        month: MonthArg,
    ) -> PyResult<Statement> {
        let inner = self.run(py, vendor_statement(&self.inner, &vendor.0, month.0))?;
        Ok(Statement { inner })
    }

    /// A customer's statement for a month taken in `time_zone` (default
    /// UTC). With `currency` (e.g. `"JPY"`): that currency's `Statement`
    /// (empty when the account never held it). Without: a list with one
    /// `Statement` per currency the account has held, in code order.
    #[pyo3(signature = (account, month, currency = None, *, time_zone = Zone(chrono_tz::UTC)), text_signature = "(self, account, month, currency=None, *, time_zone='UTC')")]
    fn customer_statement<'py>(
        &self,
        py: Python<'py>,
        account: AccountId,
        month: MonthArg,
        currency: Option<&str>,
        time_zone: Zone,
    ) -> PyResult<Bound<'py, PyAny>> {
        if let Some(code) = currency {
            let code = self.currency(py, code)?;
            let inner = self.run(
                py,
                customer_statement(&self.inner, account.0, code, month.0, time_zone.0),
            )?;
            return Statement { inner }.into_bound_py_any(py);
        }
        let all = self.run(
            py,
            customer_statements(&self.inner, account.0, month.0, time_zone.0),
        )?;
        all.into_iter()
            .map(|inner| Statement { inner })
            .collect::<Vec<_>>()
            .into_bound_py_any(py)
    }

    /// A statement's lines as rows, oldest first: one dict per transaction
    /// with `tx`, `time` (local RFC 3339 text), `kind`, `currency`, `store_id`,
    /// `terminal_id`, `receipt_no`, `points` (the owner's view), `closes`, `memo`.
    fn statement_rows<'py>(
        &self,
        py: Python<'py>,
        statement: &Statement,
    ) -> PyResult<Bound<'py, PyList>> {
        let st = &statement.inner;
        let lines = self.run(py, async move {
            let mut all: Vec<StatementLine> = Vec::new();
            for_each_line_page(self.inner.store().as_ref(), st, |page| {
                all.extend_from_slice(page);
                Ok(())
            })
            .await?;
            Ok(all)
        })?;
        let rows = PyList::empty(py);
        for l in &lines {
            rows.append(line_dict(py, l, st.currency.as_str())?)?;
        }
        Ok(rows)
    }

    /// Closes a month: builds every vendor's statement (or those in
    /// `vendors`), stores it as CSV, JSON and PDF in `objects` under
    /// `statements/<vendor>/<yyyy-mm>.<ext>` (SSE-S3, or SSE-KMS with
    /// `kms_key_id`), and logs a notification to stderr. Idempotent: a re-run
    /// of an unchanged month stores and sends nothing.
    #[pyo3(signature = (month, objects, *, vendors = None, kms_key_id = None))]
    fn close_month(
        &self,
        py: Python<'_>,
        month: MonthArg,
        objects: &LocalDirStore,
        vendors: Option<Vec<VendorKey>>,
        kms_key_id: Option<String>,
    ) -> PyResult<CloseReport> {
        let opts = CloseOptions {
            month: month.0,
            vendors: vendors.map(|v| v.into_iter().map(|k| k.0).collect()),
            sse: kms_key_id.map_or(Sse::S3, |key_id| Sse::Kms { key_id }),
        };
        let store = objects.inner.clone();
        let notifier = LogNotifier::new();
        let report = self.run(py, async move {
            close_month(
                &self.inner,
                store.as_ref(),
                &notifier,
                &opts,
                &mut |_, _, _| {},
            )
            .await
        })?;
        Ok(CloseReport {
            closed: report
                .closed
                .into_iter()
                .map(|inner| VendorClose { inner })
                .collect(),
            failed: report
                .failed
                .into_iter()
                .map(|(v, e)| (v.to_string(), to_py(py, &e).into_value(py).into_any()))
                .collect(),
        })
    }
}
