//! A statement's lines, read from the journal one page at a time.

use chrono_tz::Tz;
use serde::Serialize;

use super::Statement;
use crate::error::Result;
use crate::store::LedgerStore;

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

/// Calls `page` with each page of the statement's lines, oldest first
/// (pages of at most [`crate::store::MAX_PAGE`] lines, read with
/// [`LedgerStore::account_lines`]).
pub async fn for_each_line_page<F>(
    store: &dyn LedgerStore,
    st: &Statement,
    mut page: F,
) -> Result<()>
where
    F: FnMut(&[StatementLine]) -> Result<()> + Send,
{
    let tz: Tz = st.time_zone.parse().unwrap_or(chrono_tz::UTC);
    let sign = if st.kind == "vendor" { -1 } else { 1 };
    let mut lines = Vec::new();
    store
        .account_lines(&st.account, st.from, st.to, &mut |chunk| {
            lines.clear();
            lines.extend(chunk.iter().map(|l| StatementLine {
                tx: l.tx.0,
                time: l.at.with_timezone(&tz).to_rfc3339(),
                kind: l.kind.as_str(),
                store_id: l.pos.store_id.clone(),
                terminal_id: l.pos.terminal_id.clone(),
                receipt_no: l.pos.receipt_no.clone(),
                points: sign * l.points,
                closes: l.closes.map(|c| c.0),
                memo: l.memo.clone(),
            }));
            page(&lines)
        })
        .await?;
    Ok(())
}
