//! Graceful shutdown: under load, SIGTERM; every credit that got a 2xx is
//! in the ledger exactly once afterwards, and verify passes.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;

use crate::harness::{Db, Opts, Server};

async fn sigterm_under_load(db: Db) {
    // `on_with` makes a fresh database and drops it in `finish` (starting
    // the server on a database made here left one behind per run).
    let Some(mut s) = Server::on_with(db, Opts::default()).await else {
        return;
    };
    let shop = s.new_vendor("USD").await;
    let alice = s.new_account().await;
    let till = s.vendor(&shop);
    let url = format!("{}/v1/vendors/{shop}/credits", s.base);
    let stop = Arc::new(AtomicBool::new(false));
    let count = Arc::new(AtomicUsize::new(0));
    let mut workers = Vec::new();
    for w in 0..8 {
        let (url, till, alice, stop, count) = (
            url.clone(),
            till.clone(),
            alice.clone(),
            stop.clone(),
            count.clone(),
        );
        workers.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            let mut acked = Vec::new();
            let mut errors = 0;
            for i in 0.. {
                if stop.load(Ordering::Relaxed) || errors > 20 {
                    break;
                }
                let key = format!("w{w}-{i}");
                let sent = http
                    .post(&url)
                    .bearer_auth(&till)
                    .header("idempotency-key", &key)
                    .json(&json!({"account": alice, "total": "9.01", "tendered": "10.00"}))
                    .send()
                    .await;
                match sent {
                    Ok(r) if r.status() == StatusCode::CREATED => {
                        let v: serde_json::Value = r.json().await.unwrap();
                        acked.push((key, v["tx"]["id"].as_u64().unwrap()));
                        count.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(_) | Err(_) => {
                        errors += 1;
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                }
            }
            acked
        }));
    }
    // SIGTERM in the middle of the load: once 40 credits were acknowledged
    // (however slow the machine is), with 8 requests in flight.
    let t0 = std::time::Instant::now();
    while count.load(Ordering::Relaxed) < 40 && t0.elapsed() < Duration::from_secs(60) {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let status = s.terminate().await;
    assert!(
        status.success(),
        "the server did not exit cleanly: {status}\n{}",
        s.log()
    );
    stop.store(true, Ordering::Relaxed);
    let mut acked = Vec::new();
    for w in workers {
        acked.extend(w.await.unwrap());
    }
    assert!(acked.len() >= 40, "too little load: {}", acked.len());
    assert!(s.log().contains("shutdown"));

    s.restart().await;
    // Each acknowledged credit is there, under its key, with its first id:
    // a retry replays it instead of crediting again.
    for (key, tx) in &acked {
        let r = s
            .call(
                reqwest::Method::POST,
                &format!("/v1/vendors/{shop}/credits"),
                Some(&till),
                Some(key),
                Some(json!({"account": alice, "total": "9.01", "tendered": "10.00"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!(
            r.headers
                .get("idempotent-replayed")
                .map(|v| v.to_str().unwrap()),
            Some("true"),
            "{key} was not there"
        );
        assert_eq!(r.json["tx"]["id"].as_u64(), Some(*tx));
    }
    // Exactly once: the balance is 99 points per credit in the ledger, and
    // no more credits than keys were sent (acknowledged ones included).
    let balance = s.available(&alice, "USD").await;
    assert_eq!(balance % 99, 0);
    assert!(balance / 99 >= acked.len() as i64);
    s.assert_verified().await;
    s.finish().await;
}

#[tokio::test]
async fn sigterm_under_load_loses_no_acknowledged_credit_on_sqlite() {
    sigterm_under_load(Db::Sqlite).await;
}

#[tokio::test]
async fn sigterm_under_load_loses_no_acknowledged_credit_on_postgres() {
    sigterm_under_load(Db::Postgres).await;
}
