//! A batch worked through in slices on the JavaScript thread.
//!
//! Crediting on the JavaScript thread measured 12-18 points closer to the
//! core's own rate than on a Tokio worker (benches/README.md), but a long
//! batch must not hold the event loop. So the batch runs as a future that
//! stops after each slice of `SLICE` sales; the package wrapper calls
//! `step()` again after the event loop had a turn (`setImmediate`). When
//! the store has to wait (a SQL store), the rest of the batch moves to
//! the Tokio runtime and `step()` hands back its Promise.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use napi::bindgen_prelude::Either;
use napi::Env;
use napi_derive::napi;

use super::CreditBatch;
use crate::errors::type_error;
use crate::run::{poll_here, Js};

/// Sales credited between two turns of the event loop: about 5 ms of
/// work on the in-memory store.
pub(super) const SLICE: usize = 2_048;

/// The batch's work, owning everything it reads.
pub(super) type Credits = Pin<Box<dyn Future<Output = napi::Result<CreditBatch>> + Send>>;

/// Set when the batch stopped at the end of a slice (rather than to wait
/// on the store).
#[derive(Debug, Clone, Default)]
pub(super) struct SliceEnded(Arc<AtomicBool>);

impl SliceEnded {
    /// A future that is pending once, marking the end of a slice.
    pub(super) fn pause(&self) -> Pause {
        Pause {
            ended: self.clone(),
            paused: false,
        }
    }
}

/// See [`SliceEnded::pause`].
#[derive(Debug)]
pub(super) struct Pause {
    ended: SliceEnded,
    paused: bool,
}

impl Future for Pause {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.paused {
            return Poll::Ready(());
        }
        self.paused = true;
        self.ended.0.store(true, Ordering::Relaxed);
        // On the runtime (after a hand-off) this asks to be polled again;
        // on the JavaScript thread the waker does nothing and `step` is
        // called again instead.
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

/// Internal: the native half of one `creditChangeColumns` call, driven by
/// the package wrapper. Exported only so that these declarations hold;
/// not meant to be used directly.
#[napi]
pub struct ColumnsJob {
    credits: Option<Credits>,
    ended: SliceEnded,
}

impl ColumnsJob {
    /// A job over `credits`, whose pauses mark `ended`.
    pub(super) fn new(credits: Credits, ended: SliceEnded) -> Self {
        ColumnsJob {
            credits: Some(credits),
            ended,
        }
    }
}

#[napi]
impl ColumnsJob {
    /// Works on the batch here until it is done (the `CreditBatch`), a
    /// slice ends (undefined: call again after the event loop had a turn),
    /// or the store must wait (a Promise of the `CreditBatch`, finished on
    /// the Tokio runtime).
    #[napi(skip_typescript)]
    pub fn step<'env>(&mut self, env: &'env Env) -> napi::Result<Option<Js<'env, CreditBatch>>> {
        let Some(mut credits) = self.credits.take() else {
            return Err(type_error("this creditChangeColumns call is already done"));
        };
        self.ended.0.store(false, Ordering::Relaxed);
        match poll_here(&mut credits) {
            Poll::Ready(result) => result.map(|batch| Some(Either::A(batch))),
            Poll::Pending if self.ended.0.load(Ordering::Relaxed) => {
                self.credits = Some(credits);
                Ok(None)
            }
            Poll::Pending => env.spawn_future(credits).map(|p| Some(Either::B(p))),
        }
    }
}
