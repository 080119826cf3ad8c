//! Appending transactions.
//!
//! An append is a batch of one; group commit hands in bigger batches. A
//! batch runs in one database transaction (see [`batch`]): every refusal is
//! decided before the refused item writes anything, so a refused item never
//! disturbs the others and the batch still commits. When the batch as a
//! whole fails for a reason that is not a lost race or an unreachable
//! database, each item is run again on its own, so one bad item cannot fail
//! its neighbours.

mod batch;
mod check;
mod flush;
mod single;

use std::sync::Arc;

use dcms_core::{Appended, Error, NewTransaction, Result};

use crate::store::Inner;

impl Inner {
    /// Appends one transaction in its own database transaction.
    pub(crate) async fn append_one(self: &Arc<Self>, tx: NewTransaction) -> Result<Appended> {
        if let Some(done) = self.append_credit_fast(&tx).await {
            return Ok(done);
        }
        self.run_batch(Arc::new(vec![tx]), None)
            .await?
            .pop()
            .unwrap_or_else(|| Err(Error::Storage("a batch of one gave no result".into())))
    }

    /// Appends `items` in one database transaction; result `i` is item `i`'s.
    /// `writer`, a group-commit writer's index, picks the balance slot row
    /// (None: the next one, round robin).
    pub(crate) async fn append_batch(
        self: &Arc<Self>,
        items: Vec<NewTransaction>,
        writer: Option<usize>,
    ) -> Vec<Result<Appended>> {
        // A batch of one takes the one-statement path when it can (on
        // PostgreSQL, a credit): one round trip where a batch takes five.
        if let [tx] = items.as_slice() {
            if let Some(done) = self.append_credit_fast(tx).await {
                return vec![Ok(done)];
            }
        }
        let items = Arc::new(items);
        match self.run_batch(items.clone(), writer).await {
            Ok(results) => results,
            Err(e) if items.len() > 1 && !e.is_retryable() => {
                let mut results = Vec::with_capacity(items.len());
                for item in items.iter() {
                    results.push(self.append_one(item.clone()).await);
                }
                results
            }
            Err(e) => vec![Err(e); items.len()],
        }
    }

    async fn run_batch(
        self: &Arc<Self>,
        items: Arc<Vec<NewTransaction>>,
        writer: Option<usize>,
    ) -> Result<Vec<Result<Appended>>> {
        let inner = self.clone();
        self.write(move |conn| {
            let (inner, items) = (inner.clone(), items.clone());
            Box::pin(async move { batch::Batch::run(&inner, conn, &items, writer).await })
        })
        .await
    }
}
