//! The core's ledger conformance suite on every engine, with and without
//! group commit. Each case gets a fresh database.

mod common;

use common::{options, Kind, Made, TestDb};

async fn conforms(kind: Kind) {
    // Probe once: skips (or fails) when the server is not configured.
    let Some(probe) = TestDb::create(kind).await else {
        return;
    };
    probe.remove().await;
    for group_commit in [false, true] {
        eprintln!("{kind:?}, group commit {group_commit}:");
        let made = Made::default();
        let m = made.clone();
        dcms_core::conformance::ledger::run_all(move || {
            let m = m.clone();
            async move { m.fresh(kind, options(group_commit)).await }
        })
        .await;
        made.remove_all().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_conforms() {
    conforms(Kind::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_conforms() {
    conforms(Kind::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn mysql_conforms() {
    conforms(Kind::Mysql).await;
}
