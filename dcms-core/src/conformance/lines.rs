//! Statement lines for tests: what a store's `account_lines` returns, and
//! the same lines built from whole journal transactions, which every
//! store's `account_lines` must equal. Shared by the conformance suite and
//! the backends' own tests (large months, migrated databases).
//!
//! The journal side pages through `LedgerStore::journal` on its own rather
//! than calling the trait's default `account_lines`: for a store that keeps
//! the default, comparing it with itself would prove nothing.

use chrono::{DateTime, Utc};

use crate::ids::AccountRef;
use crate::store::{AccountLine, JournalQuery, LedgerStore};

/// Every line of `account` in `[from, to)` through `account_lines`, with
/// the size of each chunk it came in. Panics if the read fails or its
/// returned count is not the number of lines delivered.
pub async fn read_lines(
    store: &dyn LedgerStore,
    account: &AccountRef,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> (Vec<AccountLine>, Vec<usize>) {
    let mut lines = Vec::new();
    let mut chunks = Vec::new();
    let n = store
        .account_lines(account, from, to, &mut |chunk| {
            chunks.push(chunk.len());
            lines.extend_from_slice(chunk);
            Ok(())
        })
        .await
        .unwrap();
    assert_eq!(n, lines.len() as u64, "the count account_lines returned");
    (lines, chunks)
}

/// The same lines built from `journal` pages (oldest first).
pub async fn journal_lines(
    store: &dyn LedgerStore,
    account: &AccountRef,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<AccountLine> {
    let mut q = JournalQuery::account_range(account, from, to);
    let mut out = Vec::new();
    loop {
        let page = store.journal(&q).await.unwrap();
        out.extend(page.items.iter().map(|t| AccountLine::of(t, account)));
        match page.next {
            Some(c) => q.after = Some(c),
            None => return out,
        }
    }
}
