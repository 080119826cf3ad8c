//! A customer's history as a Python iterator over pages. Each step is one
//! core `Ledger::history` call from the cursor the previous page returned.

use dcms_core::{CurrencyCode, Cursor, CustomerId};
use parking_lot::Mutex;
use pyo3::prelude::*;
use pyo3::types::{PyIterator, PyList};

use crate::errors::CoreResult;
use crate::runtime::block_on;
use crate::types::Transaction;

/// One page of a listing.
#[pyclass(module = "dcms", name = "Page", frozen)]
#[derive(Debug, Clone)]
pub(crate) struct Page {
    items: Vec<dcms_core::Transaction>,
    next: Option<Cursor>,
}

#[pymethods]
impl Page {
    /// The transactions of this page.
    #[getter]
    fn items(&self) -> Vec<Transaction> {
        self.items
            .iter()
            .map(|t| Transaction { inner: t.clone() })
            .collect()
    }

    /// The cursor the next page starts after (None on the last page).
    #[getter]
    fn next_cursor(&self) -> Option<&str> {
        self.next.as_ref().map(|c| c.0.as_str())
    }

    fn __len__(&self) -> usize {
        self.items.len()
    }

    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyIterator>> {
        PyList::new(py, self.items())?.try_iter()
    }

    fn __repr__(&self) -> String {
        format!(
            "Page(items={}, next_cursor={:?})",
            self.items.len(),
            self.next.as_ref().map(|c| c.0.as_str())
        )
    }
}

/// Where the iteration stands.
#[derive(Debug)]
struct State {
    after: Option<Cursor>,
    done: bool,
}

/// `Ledger.history(...)`: iterates over pages, newest transactions first.
#[pyclass(module = "dcms", name = "History", frozen)]
#[derive(Debug)]
pub(crate) struct History {
    ledger: dcms_core::Ledger,
    account: CustomerId,
    currency: Option<CurrencyCode>,
    page_size: u32,
    state: Mutex<State>,
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
            state: Mutex::new(State {
                after: after.map(Cursor),
                done: false,
            }),
        }
    }
}

#[pymethods]
impl History {
    fn __iter__(slf: Bound<'_, Self>) -> Bound<'_, Self> {
        slf
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<Option<Page>> {
        let after = {
            let state = self.state.lock();
            if state.done {
                return Ok(None);
            }
            state.after.clone()
        };
        let page = block_on(
            py,
            self.ledger
                .history(self.account, self.currency, after, self.page_size),
        )?
        .py(py)?;
        {
            let mut state = self.state.lock();
            state.done = page.next.is_none();
            state.after.clone_from(&page.next);
        }
        if page.items.is_empty() {
            return Ok(None);
        }
        Ok(Some(Page {
            items: page.items,
            next: page.next,
        }))
    }
}
