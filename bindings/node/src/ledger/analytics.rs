//! Analytics export: a month of the journal as plain rows
//! (`journalRows`), the Python package's `journal_rows` for Node.

use chrono::{DateTime, Utc};
use dcms_core::store::MAX_PAGE;
use dcms_core::{JournalQuery, Order};
use napi::Env;
use napi_derive::napi;

use super::statements::ZoneOptions;
use super::Ledger;
use crate::convert::{month_in, zone};
use crate::errors::CoreResult;
use crate::run::{spawn, Js};
use crate::types::{rows_of, JournalRow};

/// The journal between two instants, oldest first, every page read.
async fn journal_between(
    ledger: &dcms_core::Ledger,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
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

#[napi]
impl Ledger {
    /// A month (`"yyyy-mm"`, taken in `options.timeZone`, default UTC) of
    /// the journal as rows, one per posting, oldest first: each row holds
    /// its transaction's fields (for change credits the cash sale's amounts
    /// as decimal strings), the posting's `account` and signed `points`,
    /// and for customer postings `balanceAfter`. To count each transaction
    /// once, keep the rows of one account (e.g. `vendor:<id>:<CUR>`). The
    /// whole month is read before the Promise settles.
    #[napi(ts_return_type = "Promise<JournalRow[]>")]
    pub fn journal_rows<'env>(
        &self,
        env: &'env Env,
        month: String,
        options: Option<ZoneOptions>,
    ) -> napi::Result<Js<'env, Vec<JournalRow>>> {
        let ledger = self.inner.clone();
        let m = month_in(&month)?;
        let tz = zone(options.unwrap_or_default().time_zone.as_deref())?;
        spawn(env, async move {
            let (from, to) = m.bounds(tz).js()?;
            let txs = journal_between(&ledger, from, to).await.js()?;
            Ok(txs.iter().flat_map(rows_of).collect())
        })
    }
}
