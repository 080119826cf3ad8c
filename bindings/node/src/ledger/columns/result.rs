//! `CreditBatch`, what `creditChangeColumns` returns: compact columns per
//! sale, and each sale's full result rebuilt only when asked for.
//!
//! A core `ChangeCredited` is about 250 bytes (seven `Money` amounts in its
//! quote), and a batch kept one per sale until V8 collected it, without V8
//! knowing (its wrapper object is small). A credited sale's quote is
//! already inside its transaction (`tx.cash`), and the transaction is an
//! `Arc` the in-memory store holds anyway, so per sale this keeps only the
//! points, that `Arc` and the replay flag (17 bytes), plus, for the few
//! sales whose quote no transaction holds (nothing credited) and the
//! refused ones, their quote or error by index. `get(i)` rebuilds the same
//! `ChangeCredited` the core returned.

use std::sync::Arc;

use dcms_core::{ChangeCredited as CoreCredited, ChangeQuote, Transaction};
use napi::bindgen_prelude::{Float64Array, Uint8Array};
use napi_derive::napi;

use crate::convert::{count, PointCount};
use crate::types::ChangeCredited;

/// The result of `creditChangeColumns`: one entry per request, in order.
/// `points`, `txIds` and `replayed` are typed arrays built when read (each
/// read builds a fresh one); `get(i)` gives request `i`'s `ChangeCredited`
/// (null when refused) and `error(i)` its typed error (null when credited).
#[napi]
pub struct CreditBatch {
    /// Points credited per sale (0 when refused).
    points: Vec<i64>,
    /// The transaction per sale (None when refused or nothing credited).
    txs: Vec<Option<Arc<Transaction>>>,
    /// 1 where the key was a replay.
    replayed: Vec<u8>,
    /// The quotes no transaction holds, by ascending index.
    quotes: Vec<(u32, ChangeQuote)>,
    /// The refused sales' error envelopes, by ascending index.
    errors: Vec<(u32, String)>,
}

/// A refused request of a `CreditBatch`.
#[napi(object, object_from_js = false)]
pub struct CreditBatchFailure {
    /// Its position in the batch.
    pub index: u32,
    /// Its error (a `DcmsError` subclass once through the package wrapper).
    #[napi(ts_type = "DcmsError")]
    pub error: String,
}

impl CreditBatch {
    /// An empty batch with room for `n` sales.
    pub(super) fn with_capacity(n: usize) -> Self {
        CreditBatch {
            points: Vec::with_capacity(n),
            txs: Vec::with_capacity(n),
            replayed: Vec::with_capacity(n),
            quotes: Vec::new(),
            errors: Vec::new(),
        }
    }

    /// Appends the next sale's outcome (a credit, or a refusal's envelope).
    pub(super) fn push(&mut self, outcome: Result<CoreCredited, String>) {
        let index = self.points.len() as u32;
        match outcome {
            Ok(c) => {
                if c.tx.as_ref().and_then(|t| t.cash) != Some(c.quote) {
                    self.quotes.push((index, c.quote));
                }
                self.points.push(c.points);
                self.txs.push(c.tx);
                self.replayed.push(u8::from(c.replayed));
            }
            Err(envelope) => {
                self.errors.push((index, envelope));
                self.points.push(0);
                self.txs.push(None);
                self.replayed.push(0);
            }
        }
    }

    /// Sale `i`'s entry in a side table sorted by index, if it has one.
    fn find<T>(table: &[(u32, T)], i: u32) -> Option<&T> {
        table
            .binary_search_by_key(&i, |(at, _)| *at)
            .ok()
            .and_then(|k| table.get(k))
            .map(|(_, v)| v)
    }
}

#[napi]
impl CreditBatch {
    /// How many requests the batch held.
    #[napi(getter)]
    pub fn length(&self) -> u32 {
        self.points.len() as u32
    }

    /// How many were refused (nothing written for them).
    #[napi(getter)]
    pub fn failed(&self) -> u32 {
        self.errors.len() as u32
    }

    /// Points credited per request (0 when refused or nothing credited).
    #[napi(getter)]
    pub fn points(&self) -> Float64Array {
        Float64Array::new(self.points.iter().map(|&p| p as f64).collect())
    }

    /// The transaction id per request (0 when refused or nothing credited;
    /// ids start at 1).
    #[napi(getter)]
    pub fn tx_ids(&self) -> Float64Array {
        Float64Array::new(
            self.txs
                .iter()
                .map(|t| t.as_ref().map_or(0.0, |t| t.id.0 as f64))
                .collect(),
        )
    }

    /// 1 where the key was seen before and nothing new was written.
    #[napi(getter)]
    pub fn replayed(&self) -> Uint8Array {
        Uint8Array::new(self.replayed.clone())
    }

    /// Total points credited by the batch.
    #[napi(getter)]
    pub fn total_points(&self) -> PointCount {
        count(self.points.iter().sum())
    }

    /// Request `i`'s result (null when it was refused or `i` is out of range).
    #[napi]
    pub fn get(&self, i: u32) -> Option<ChangeCredited> {
        if Self::find(&self.errors, i).is_some() {
            return None;
        }
        let at = i as usize;
        let tx = self.txs.get(at)?.clone();
        let quote = Self::find(&self.quotes, i)
            .copied()
            .or_else(|| tx.as_ref().and_then(|t| t.cash))?;
        Some(ChangeCredited::from(CoreCredited {
            quote,
            points: *self.points.get(at)?,
            tx,
            replayed: *self.replayed.get(at)? != 0,
        }))
    }

    /// Request `i`'s error (null when it was credited or `i` is out of range).
    #[napi(ts_return_type = "DcmsError | null")]
    pub fn error(&self, i: u32) -> Option<String> {
        Self::find(&self.errors, i).cloned()
    }

    /// Every refused request, in order.
    #[napi(getter)]
    pub fn errors(&self) -> Vec<CreditBatchFailure> {
        self.errors
            .iter()
            .map(|(index, error)| CreditBatchFailure {
                index: *index,
                error: error.clone(),
            })
            .collect()
    }
}
