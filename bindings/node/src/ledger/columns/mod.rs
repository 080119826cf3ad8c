//! The fast batch of change credits: `Ledger.creditChangeColumns`.
//!
//! `creditChangeMany` reads one request object per sale through napi (eight
//! named properties, 2-2.6 µs) and builds one result object per sale; that
//! costs more than the credit itself (benches/README.md). Here the package
//! wrapper (`index.cjs`) hands over the whole batch as one JSON string of
//! columns (`JSON.stringify` in V8 and serde here cost a small part of a
//! napi property read per field), parsed in place (`parse.rs`), and the
//! result is one `CreditBatch` of compact columns whose per-sale details
//! are rebuilt only when asked for (`result.rs`). The sales are credited
//! on the JavaScript thread in slices, the event loop getting a turn
//! between them (`job.rs`).
//!
//! The rules are those of `creditChange`: money is a decimal string (a JSON
//! number for an amount is a `TypeError`, for the whole call, before
//! anything is written); a request the ledger refuses (a bad account id, an
//! unknown vendor, too little cash, ...) is refused alone, writes nothing,
//! and its typed error is reported at its index while the others go on.

mod job;
mod parse;
mod result;

use napi_derive::napi;
use serde_json::{json, Map};

pub use job::ColumnsJob;
pub use result::CreditBatch;

use super::Ledger;
use crate::errors::envelope;
use job::{SliceEnded, SLICE};
use parse::Batch;

/// The envelope of a refused request, its index among the details.
fn refused(error: &dcms_core::Error, index: usize) -> String {
    let mut extra = Map::new();
    extra.insert("index".into(), json!(index));
    envelope(error, extra)
}

#[napi]
impl Ledger {
    /// Credits many sales given as columns (see `CreditChangeColumns`), in
    /// order. A request the ledger refuses writes nothing and is reported
    /// at its index in the result; the others go on. A value of the wrong
    /// JavaScript type (a number for money) is a `TypeError` for the whole
    /// call, before anything is written. When the store answers at once (in
    /// memory) the sales are credited on the calling thread, as a single
    /// call is, 2,048 at a time with a turn of the event loop between;
    /// from the first wait on a SQL store on, on the Tokio runtime.
    #[napi(
        ts_args_type = "batch: CreditChangeColumns",
        ts_return_type = "Promise<CreditBatch>"
    )]
    pub fn credit_change_columns(&self, batch: String) -> ColumnsJob {
        let ledger = self.inner.clone();
        let ended = SliceEnded::default();
        let pause = ended.clone();
        // Parsed in place: the sales' strings borrow from `batch`, which the
        // future owns. The type checks all come before the first credit, so
        // a TypeError writes nothing.
        let credits = async move {
            let sales = Batch::parse(&batch)?;
            let mut out = CreditBatch::with_capacity(sales.len());
            // One request, rewritten in place for each sale.
            let mut slot = None;
            for i in 0..sales.len() {
                if i > 0 && i % SLICE == 0 {
                    pause.pause().await;
                }
                let outcome = match sales.fill(i, &mut slot) {
                    Some(Ok(req)) => ledger.credit_change(req).await.map_err(|e| refused(&e, i)),
                    Some(Err(e)) => Err(refused(e, i)),
                    None => break,
                };
                out.push(outcome);
            }
            Ok(out)
        };
        ColumnsJob::new(Box::pin(credits), ended)
    }
}
