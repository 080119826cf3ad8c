//! The main path through every route, on SQLite, PostgreSQL and MariaDB.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::harness::{Db, Server};

async fn every_route(db: Db) {
    let Some(s) = Server::on(db).await else {
        return;
    };
    // Health.
    let r = s.call(Method::GET, "/healthz", None, None, None).await;
    assert_eq!(r.status, StatusCode::OK);
    let r = s.call(Method::GET, "/readyz", None, None, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);

    // Admin: vendors and accounts.
    let shop = s.new_vendor("USD").await;
    let admin = s.admin();
    let list = s.get("/v1/admin/vendors", &admin).await;
    assert!(list
        .json
        .as_array()
        .unwrap()
        .iter()
        .any(|v| v["id"] == shop.as_str()));
    let r = s
        .call(Method::PUT, &format!("/v1/admin/vendors/{shop}"), Some(&admin), Some("upd-1"),
            Some(json!({"name": "Renamed", "currency": "USD", "time_zone": "America/New_York", "per_credit_cap": 500})))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json["name"], "Renamed");
    let alice = s.new_account().await;
    let bob = s.new_account().await;
    assert_ne!(alice, bob);

    // Vendor: quote, credit.
    let till = s.vendor(&shop);
    let q = s
        .post(
            &format!("/v1/vendors/{shop}/quotes"),
            &till,
            json!({"total": "6.63", "tendered": "10.00"}),
        )
        .await;
    assert_eq!(q.status, StatusCode::OK, "{}", q.text);
    assert_eq!(q.json["hand_back"], "3.00");
    assert_eq!(q.json["credit"], "0.37");
    let c = s
        .post(&format!("/v1/vendors/{shop}/credits"), &till,
            json!({"account": alice, "total": "6.63", "tendered": "10.00", "store_id": "s1", "terminal_id": "t1", "receipt_no": "r-1001"}))
        .await;
    assert_eq!(c.status, StatusCode::CREATED, "{}", c.text);
    assert_eq!(c.json["points"], 37);
    let credit_tx = c.json["tx"]["id"].as_u64().unwrap();
    s.credit(&shop, &alice, "1.01", "2.00").await; // 99 more
    assert_eq!(s.available(&alice, "USD").await, 136);

    // Customer: balances, history (paged), transfer, receipt, statement.
    let me = s.customer(&alice);
    let h = s
        .get(&format!("/v1/accounts/{alice}/history?limit=1"), &me)
        .await;
    assert_eq!(h.status, StatusCode::OK, "{}", h.text);
    assert_eq!(h.json["items"].as_array().unwrap().len(), 1);
    let next = h.json["next"].as_str().unwrap().to_string();
    let h2 = s
        .get(
            &format!("/v1/accounts/{alice}/history?limit=1&after={next}"),
            &me,
        )
        .await;
    assert_eq!(h2.json["items"][0]["id"].as_u64(), Some(credit_tx));
    let t = s
        .post(
            &format!("/v1/accounts/{alice}/transfers"),
            &me,
            json!({"to": bob, "currency": "USD", "points": 6}),
        )
        .await;
    assert_eq!(t.status, StatusCode::CREATED, "{}", t.text);
    assert_eq!(s.available(&bob, "USD").await, 6);
    let rc = s
        .get(&format!("/v1/accounts/{alice}/receipts/{credit_tx}"), &me)
        .await;
    assert_eq!(rc.status, StatusCode::OK, "{}", rc.text);
    let url = rc.json["url"].as_str().unwrap();
    assert!(url.starts_with("/objects/receipts/"), "{url}");
    let doc = s.call(Method::GET, url, None, None, None).await;
    assert_eq!(doc.status, StatusCode::OK);
    assert!(doc.text.contains("0.37"), "{}", doc.text);
    // A tampered link is refused.
    let bad = s
        .call(
            Method::GET,
            &url.replace("sig=", "sig=00"),
            None,
            None,
            None,
        )
        .await;
    bad.problem(StatusCode::FORBIDDEN, "forbidden");
    let month = chrono::Utc::now().format("%Y-%m").to_string();
    let st = s
        .get(
            &format!("/v1/accounts/{alice}/statements/{month}?currency=USD"),
            &me,
        )
        .await;
    assert_eq!(st.status, StatusCode::OK, "{}", st.text);
    assert_eq!(st.json["closing"], 130);

    // Redemption with a code, in one step and as a hold.
    let code = s
        .post(
            &format!("/v1/accounts/{alice}/codes"),
            &me,
            json!({"currency": "USD", "max_points": 50}),
        )
        .await;
    assert_eq!(code.status, StatusCode::CREATED, "{}", code.text);
    let digits = code.json["code"].as_str().unwrap().to_string();
    let red = s
        .post(
            &format!("/v1/vendors/{shop}/redemptions"),
            &till,
            json!({"account": alice, "code": digits, "points": 30}),
        )
        .await;
    assert_eq!(red.status, StatusCode::CREATED, "{}", red.text);
    assert_eq!(s.available(&alice, "USD").await, 100);
    let code2 = s
        .post(
            &format!("/v1/accounts/{alice}/codes"),
            &me,
            json!({"currency": "USD", "max_points": 50}),
        )
        .await;
    let digits2 = code2.json["code"].as_str().unwrap().to_string();
    let hold = s
        .post(
            &format!("/v1/vendors/{shop}/holds"),
            &till,
            json!({"account": alice, "code": digits2, "points": 40, "ttl_secs": 600}),
        )
        .await;
    assert_eq!(hold.status, StatusCode::CREATED, "{}", hold.text);
    let hold_tx = hold.json["id"].as_u64().unwrap();
    let cap = s
        .post(
            &format!("/v1/vendors/{shop}/holds/{hold_tx}/capture"),
            &till,
            json!({"points": 25}),
        )
        .await;
    assert_eq!(cap.status, StatusCode::CREATED, "{}", cap.text);
    assert_eq!(s.available(&alice, "USD").await, 75);
    let code3 = s
        .post(
            &format!("/v1/accounts/{alice}/codes"),
            &me,
            json!({"currency": "USD", "max_points": 10}),
        )
        .await;
    let hold2 = s
        .post(
            &format!("/v1/vendors/{shop}/holds"),
            &till,
            json!({"account": alice, "code": code3.json["code"], "points": 10}),
        )
        .await;
    let hold2_tx = hold2.json["id"].as_u64().unwrap();
    let void = s
        .post(
            &format!("/v1/vendors/{shop}/holds/{hold2_tx}/void"),
            &till,
            json!({}),
        )
        .await;
    assert_eq!(void.status, StatusCode::CREATED, "{}", void.text);
    assert_eq!(s.available(&alice, "USD").await, 75);

    // Vendor reversal of its own credit; vendor statement.
    let extra = s
        .post(
            &format!("/v1/vendors/{shop}/credits"),
            &till,
            json!({"account": bob, "total": "0.50", "tendered": "1.00"}),
        )
        .await;
    let extra_tx = extra.json["tx"]["id"].as_u64().unwrap();
    let rev = s
        .post(
            &format!("/v1/vendors/{shop}/reversals"),
            &till,
            json!({"tx": extra_tx, "reason": "wrong account"}),
        )
        .await;
    assert_eq!(rev.status, StatusCode::CREATED, "{}", rev.text);
    assert_eq!(s.available(&bob, "USD").await, 6);
    let vs = s
        .get(&format!("/v1/vendors/{shop}/statements/{month}"), &till)
        .await;
    assert_eq!(vs.status, StatusCode::OK, "{}", vs.text);

    // Admin: adjustment, reversal of any transaction, month close, verify.
    let adj = s
        .post(
            "/v1/admin/adjustments",
            &admin,
            json!({"account": bob, "currency": "USD", "points": 4, "reason": "goodwill"}),
        )
        .await;
    assert_eq!(adj.status, StatusCode::CREATED, "{}", adj.text);
    assert_eq!(s.available(&bob, "USD").await, 10);
    let tr = t.json["id"].as_u64().unwrap();
    let rev2 = s
        .post(
            "/v1/admin/reversals",
            &admin,
            json!({"tx": tr, "reason": "disputed transfer"}),
        )
        .await;
    assert_eq!(rev2.status, StatusCode::CREATED, "{}", rev2.text);
    assert_eq!(s.available(&bob, "USD").await, 4);
    let close = s
        .post("/v1/admin/month-close", &admin, json!({"month": month}))
        .await;
    assert_eq!(close.status, StatusCode::OK, "{}", close.text);
    assert!(
        close.json["closed"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["vendor"] == shop.as_str()),
        "{}",
        close.text
    );
    assert!(s.log().contains("month close"));
    s.assert_verified().await;
    s.finish().await;
}

#[tokio::test]
async fn every_route_on_sqlite() {
    every_route(Db::Sqlite).await;
}

#[tokio::test]
async fn every_route_on_postgres() {
    every_route(Db::Postgres).await;
}

#[tokio::test]
async fn every_route_on_mariadb() {
    every_route(Db::Mysql).await;
}

#[tokio::test]
async fn logs_carry_request_ids_and_never_tokens_codes_or_full_account_ids() {
    let s = Server::sqlite().await;
    let shop = s.new_vendor("USD").await;
    let alice = s.new_account().await;
    s.credit(&shop, &alice, "6.63", "10.00").await;
    let me = s.customer(&alice);
    let code = s
        .post(
            &format!("/v1/accounts/{alice}/codes"),
            &me,
            json!({"currency": "USD", "max_points": 5}),
        )
        .await;
    let digits = code.json["code"].as_str().unwrap().to_string();
    let r = s.get(&format!("/v1/accounts/{alice}/balances"), &me).await;
    let rid = r
        .headers
        .get("x-request-id")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let log = s.log();
    assert!(log.contains(&rid), "request id {rid} not in the log");
    assert!(
        log.contains(&format!("****{}", &alice[4..])),
        "masked account not in the log"
    );
    for secret in [&alice, &digits, &me, &s.admin()] {
        assert!(
            !contains_number(&log, secret),
            "{secret} leaked into the log"
        );
    }
}

/// Whether `needle` occurs in `hay` not as part of a longer digit run.
fn contains_number(hay: &str, needle: &str) -> bool {
    hay.match_indices(needle).any(|(i, _)| {
        let before = hay[..i].chars().next_back();
        let after = hay[i + needle.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_digit()) && !after.is_some_and(|c| c.is_ascii_digit())
    })
}
