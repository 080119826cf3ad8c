//! A customer's history as a JavaScript async iterator over pages
//! (`for await (const page of ledger.history(id))`). Each step is one core
//! `Ledger::history` call, on the Tokio runtime, from the cursor the
//! previous page returned.

use std::future::Future;
use std::sync::Arc;

use dcms_core::{CurrencyCode, Cursor, CustomerId};
use napi::bindgen_prelude::AsyncGenerator;
use napi_derive::napi;
use parking_lot::Mutex;

use crate::errors::CoreResult;
use crate::types::Transaction;

/// One page of a listing.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct Page {
    /// The transactions of this page, newest first.
    pub items: Vec<Transaction>,
    /// The cursor the next page starts after (null on the last page); pass
    /// it as `after` to resume later.
    pub next_cursor: Option<String>,
}

/// Where the iteration stands.
#[derive(Debug, Default)]
struct State {
    after: Option<Cursor>,
    done: bool,
}

/// `Ledger.history(...)`: iterates over pages, newest transactions first.
#[napi(async_iterator)]
#[derive(Debug)]
pub struct History {
    ledger: dcms_core::Ledger,
    account: CustomerId,
    currency: Option<CurrencyCode>,
    page_size: u32,
    state: Arc<Mutex<State>>,
}

impl History {
    /// An iterator starting after `after` (None: the newest transaction),
    /// over one currency or (None) all of them.
    pub(crate) fn new(
        ledger: dcms_core::Ledger,
        account: CustomerId,
        currency: Option<CurrencyCode>,
        page_size: u32,
        after: Option<String>,
    ) -> Self {
        History {
            ledger,
            account,
            currency,
            page_size,
            state: Arc::new(Mutex::new(State {
                after: after.map(Cursor),
                done: false,
            })),
        }
    }
}

#[napi]
impl AsyncGenerator for History {
    type Yield = Page;
    type Next = ();
    type Return = ();

    fn next(
        &mut self,
        _value: Option<()>,
    ) -> impl Future<Output = napi::Result<Option<Page>>> + Send + 'static {
        let ledger = self.ledger.clone();
        let (account, currency, size) = (self.account, self.currency, self.page_size);
        let state = self.state.clone();
        async move {
            let after = {
                let s = state.lock();
                if s.done {
                    return Ok(None);
                }
                s.after.clone()
            };
            let page = ledger.history(account, currency, after, size).await.js()?;
            {
                let mut s = state.lock();
                s.done = page.next.is_none();
                s.after.clone_from(&page.next);
            }
            if page.items.is_empty() {
                return Ok(None);
            }
            Ok(Some(Page {
                items: page.items.iter().map(Transaction::from).collect(),
                next_cursor: page.next.map(|c| c.0),
            }))
        }
    }
}
