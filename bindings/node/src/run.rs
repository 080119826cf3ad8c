//! How a binding method runs its core call and hands JavaScript the result.
//!
//! The future is polled once on the calling thread, inside the Tokio
//! runtime's context. When it finishes there (the in-memory store answers
//! without ever waiting), its value goes back at once; otherwise (a SQL
//! store waiting on I/O) it moves to napi's Tokio runtime and JavaScript
//! gets a Promise, so the event loop never waits on a database. The
//! package's `index.cjs` awaits either, so every method a caller sees
//! returns a Promise. Skipping the hop to a worker thread and back keeps a
//! single call's cost close to that of its conversions (figures in
//! benches/README.md).
//!
//! Calls that read a whole journal or month (verify, statements, expiry
//! sweeps, month close) use [`spawn`] instead: straight to the runtime, so
//! even an in-memory ledger never holds the event loop for long.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use napi::bindgen_prelude::{within_runtime_if_available, Either, PromiseRaw, ToNapiValue};
use napi::Env;

/// A method's result: the value, or a Promise of it.
pub(crate) type Js<'env, T> = Either<T, PromiseRaw<'env, T>>;

/// Runs `fut` as described in the module docs.
pub(crate) fn run<'env, T, F>(env: &'env Env, fut: F) -> napi::Result<Js<'env, T>>
where
    T: ToNapiValue + Send + 'static,
    F: Future<Output = napi::Result<T>> + Send + 'static,
{
    let mut fut = Box::pin(fut);
    match poll_here(&mut fut) {
        Poll::Ready(result) => result.map(Either::A),
        Poll::Pending => env.spawn_future(fut).map(Either::B),
    }
}

/// Polls `fut` once on the calling thread, inside the Tokio runtime's
/// context. A no-op waker is enough: a future that is not done is either
/// handed to the runtime, which polls it again at once with its own
/// waker, or polled here again later (`creditChangeColumns`' slices).
pub(crate) fn poll_here<F: Future + ?Sized>(fut: &mut Pin<Box<F>>) -> Poll<F::Output> {
    let mut cx = Context::from_waker(Waker::noop());
    within_runtime_if_available(|| fut.as_mut().poll(&mut cx))
}

/// Runs `fut` on the Tokio runtime from the start (long reads and renders).
pub(crate) fn spawn<'env, T, F>(env: &'env Env, fut: F) -> napi::Result<Js<'env, T>>
where
    T: ToNapiValue + Send + 'static,
    F: Future<Output = napi::Result<T>> + Send + 'static,
{
    env.spawn_future(fut).map(Either::B)
}
