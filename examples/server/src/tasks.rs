//! Background work: releasing expired holds, and re-reading the JWKS file
//! on a timer and on SIGHUP.

use std::sync::Arc;
use std::time::Duration;

use dcms_core::Ledger;
use tokio::sync::watch;

use crate::auth::KeyRing;

/// Releases expired holds every `every` until `stop` turns true.
pub async fn release_holds(ledger: Ledger, every: Duration, mut stop: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.changed() => return,
        }
        match ledger.release_expired_holds().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(released = n, "expired holds released"),
            Err(e) => tracing::warn!(
                code = e.code(),
                "releasing expired holds failed; will retry"
            ),
        }
    }
}

/// Re-reads the JWKS every `every` and on SIGHUP until `stop` turns true.
pub async fn reload_keys(keys: Arc<KeyRing>, every: Duration, mut stop: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tick.tick().await;
    let mut hup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).ok();
    loop {
        let why = tokio::select! {
            _ = tick.tick() => "timer",
            Some(()) = async { match hup.as_mut() { Some(h) => h.recv().await, None => std::future::pending().await } } => "SIGHUP",
            _ = stop.changed() => return,
        };
        match keys.reload() {
            Ok(n) => tracing::info!(keys = n, trigger = why, "JWKS reloaded"),
            Err(e) => {
                tracing::warn!(error = %e, trigger = why, "JWKS reload failed; the keys in force stay")
            }
        }
    }
}
