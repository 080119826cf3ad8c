//! A statement's lines, read from the journal one page at a time.

use chrono_tz::Tz;
use serde::Serialize;

use super::Statement;
use crate::error::Result;
use crate::store::{JournalQuery, LedgerStore, Order, MAX_PAGE};

/// One transaction as a statement shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatementLine {
    /// Transaction id.
    pub tx: u64,
    /// Local time, RFC 3339 with the zone's offset.
    pub time: String,
    /// The kind (`change_credit`, `redemption`, ...).
    pub kind: &'static str,
    /// The vendor's store.
    pub store_id: Option<String>,
    /// The till.
    pub terminal_id: Option<String>,
    /// The POS receipt number.
    pub receipt_no: Option<String>,
    /// Points, from the statement owner's point of view.
    pub points: i64,
    /// The transaction this one reverses or settles.
    pub closes: Option<u64>,
    /// Reason, for reversals and adjustments.
    pub memo: Option<String>,
}

/// Calls `page` with each page of the statement's lines, oldest first.
pub async fn for_each_line_page<F>(
    store: &dyn LedgerStore,
    st: &Statement,
    mut page: F,
) -> Result<()>
where
    F: FnMut(&[StatementLine]) -> Result<()>,
{
    let tz: Tz = st.time_zone.parse().unwrap_or(chrono_tz::UTC);
    let sign = if st.kind == "vendor" { -1 } else { 1 };
    let mut query = JournalQuery {
        account: Some(st.account.clone()),
        from: Some(st.from),
        to: Some(st.to),
        order: Order::OldestFirst,
        after: None,
        limit: MAX_PAGE,
    };
    loop {
        let p = store.journal(&query).await?;
        let lines: Vec<StatementLine> = p
            .items
            .iter()
            .map(|t| StatementLine {
                tx: t.id.0,
                time: t.at.with_timezone(&tz).to_rfc3339(),
                kind: t.kind.as_str(),
                store_id: t.pos.store_id.clone(),
                terminal_id: t.pos.terminal_id.clone(),
                receipt_no: t.pos.receipt_no.clone(),
                points: sign * t.points_for(&st.account),
                closes: t.closes.map(|c| c.0),
                memo: t.memo.clone(),
            })
            .collect();
        page(&lines)?;
        match p.next {
            Some(next) => query.after = Some(next),
            None => return Ok(()),
        }
    }
}
