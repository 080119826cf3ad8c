//! Analytics exports: a month of the journal as plain rows (list of dicts),
//! ready for `csv`, pandas or a notebook. CSV files and DataFrames are made
//! from these rows by `dcms.analytics` on the Python side.

use dcms_core::store::MAX_PAGE;
use dcms_core::{AccountRef, JournalQuery, Order};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use super::Ledger;
use crate::convert::{MonthArg, Zone};
use crate::errors::CoreResult;
use crate::types::header_into;

/// The journal between two instants, oldest first, every page read.
async fn journal_between(
    ledger: &dcms_core::Ledger,
    from: chrono::DateTime<chrono::Utc>,
    to: chrono::DateTime<chrono::Utc>,
) -> dcms_core::Result<Vec<dcms_core::Transaction>> {
    let mut query = JournalQuery {
        from: Some(from),
        to: Some(to),
        order: Order::OldestFirst,
        limit: MAX_PAGE,
        ..JournalQuery::default()
    };
    let mut all = Vec::new();
    loop {
        let page = ledger.store().journal(&query).await?;
        all.extend(page.items);
        match page.next {
            Some(next) => query.after = Some(next),
            None => return Ok(all),
        }
    }
}

#[pymethods]
impl Ledger {
    /// A month of the journal as rows, one per posting (journal lines),
    /// oldest first. `month` is `"yyyy-mm"` in `time_zone` (default UTC).
    ///
    /// Each row holds the transaction's fields (`tx_id`, `at`, `kind`, `key`,
    /// `vendor`, POS fields, `closes`, `expires_at`, `memo`, `currency` (the
    /// transaction's, for every kind), and for change credits the cash sale
    /// as `Decimal`s: `total`, `cash_total`, `tendered`, `change`,
    /// `coin_part`, `hand_back`, `credit`) and the posting's `account`
    /// (`customer:<id>:<CUR>`, `vendor:<id>:<CUR>`, ...), signed `points`
    /// and, for customer legs, `balance_after` (in that currency). To count
    /// each transaction once, filter on one account (e.g. the rows whose
    /// `account` is `vendor:<id>:<CUR>`).
    #[pyo3(signature = (month, *, time_zone = Zone(chrono_tz::UTC)), text_signature = "(self, month, *, time_zone='UTC')")]
    fn journal_rows<'py>(
        &self,
        py: Python<'py>,
        month: MonthArg,
        time_zone: Zone,
    ) -> PyResult<Bound<'py, PyList>> {
        let (from, to) = month.0.bounds(time_zone.0).py(py)?;
        let txs = self.run(py, journal_between(&self.inner, from, to))?;
        let rows = PyList::empty(py);
        for t in &txs {
            let header = PyDict::new(py);
            header.set_item("tx_id", t.id.0)?;
            header.set_item("at", t.at)?;
            header.set_item("kind", t.kind.as_str())?;
            header.set_item("account", py.None())?;
            header.set_item("points", 0)?;
            header.set_item("balance_after", py.None())?;
            header_into(py, t, &header)?;
            for p in &t.postings {
                let row = header.copy()?;
                row.set_item("account", p.account.to_string())?;
                row.set_item("points", p.points)?;
                if let AccountRef::Customer(c, _) = p.account {
                    row.set_item("balance_after", t.balance_after(c))?;
                }
                rows.append(row)?;
            }
        }
        Ok(rows)
    }
}
