//! Starting and stopping: open the backends, serve, and on SIGTERM (or
//! Ctrl-C) stop taking connections, let requests in flight finish (each
//! awaits its own ledger write, group-committed or not, so a 2xx is only
//! sent for a committed write), then stop the background tasks.

use std::future::IntoFuture;
use std::sync::Arc;
use std::time::Duration;

use dcms_core::codes::{CodeRules, RedemptionCodes};
use dcms_core::{Ledger, LedgerConfig};
use tokio::sync::watch;

use crate::auth::KeyRing;
use crate::config::{JwtAlg, ServeArgs};
use crate::idempotency::InFlight;
use crate::state::{AppState, Inner};
use crate::{app, backends, tasks};

/// Waits for SIGTERM or Ctrl-C.
async fn shutdown_signal() {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = term => {}
        _ = tokio::signal::ctrl_c() => {}
    }
    tracing::info!("shutdown: no new connections; finishing requests in flight");
}

/// Runs the server until it is told to stop.
pub async fn run(args: ServeArgs) -> Result<(), String> {
    crate::logging::init(&args.log_format);
    let secret = std::env::var("DCMS_JWT_SECRET").ok();
    if args.jwt_alg == JwtAlg::Hs256 {
        tracing::warn!("HS256 tokens with a shared secret: for development only; use EdDSA, ES256 or RS256 keys from a JWKS in production");
    }
    let keys = Arc::new(KeyRing::new(
        args.jwt_alg,
        &args.jwks_path(),
        secret.as_deref().map(str::as_bytes),
        &args.issuer,
        &args.audience,
        args.leeway_secs,
    )?);
    tracing::info!(alg = ?keys.algorithm(), "token keys loaded");

    let b = backends::open(&args).await?;
    let ledger = Ledger::open(b.store, LedgerConfig::default())
        .await
        .map_err(|e| format!("cannot open the ledger: {e}"))?;
    let rules = CodeRules {
        ttl: chrono::Duration::seconds(args.code_ttl_secs),
        ..CodeRules::default()
    };
    let codes = RedemptionCodes::open(&ledger, b.codes, rules)
        .await
        .map_err(|e| format!("cannot set up redemption codes: {e}"))?;
    let state = AppState::new(Inner {
        ledger: ledger.clone(),
        codes,
        objects: b.objects,
        local_objects: b.local_objects,
        notifier: b.notifier,
        keys: keys.clone(),
        inflight: Arc::new(InFlight::default()),
    });

    let (stop_tx, stop_rx) = watch::channel(false);
    let releaser = tokio::spawn(tasks::release_holds(
        ledger.clone(),
        Duration::from_secs(args.hold_release_secs.max(1)),
        stop_rx.clone(),
    ));
    let reloader = tokio::spawn(tasks::reload_keys(
        keys,
        Duration::from_secs(args.jwks_reload_secs.max(1)),
        stop_rx,
    ));

    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    tracing::info!(%addr, "listening");
    // Tests and scripts read the address from this line.
    println!("dcms-server listening on http://{addr}");

    let (signalled_tx, signalled_rx) = watch::channel(false);
    let server = axum::serve(listener, app::app(state, args.body_limit)).with_graceful_shutdown(
        async move {
            shutdown_signal().await;
            let _ = signalled_tx.send(true);
        },
    );
    let grace = Duration::from_secs(args.shutdown_grace_secs);
    let mut server = std::pin::pin!(server.into_future());
    let mut signalled = signalled_rx;
    let served = tokio::select! {
        r = &mut server => r,
        _ = async { let _ = signalled.wait_for(|s| *s).await; tokio::time::sleep(grace).await } => {
            tracing::warn!("shutdown: requests still running after the grace period; stopping");
            Ok(())
        }
    };
    let _ = stop_tx.send(true);
    let _ = releaser.await;
    let _ = reloader.await;
    tracing::info!("stopped");
    served.map_err(|e| format!("server error: {e}"))
}
