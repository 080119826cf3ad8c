//! Strict bodies over HTTP: amounts, points, unknown fields, malformed
//! JSON, size limit, and no internals in any response.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::harness::Server;

#[tokio::test]
async fn bad_amounts_are_400_with_a_clear_message() {
    let s = Server::sqlite().await;
    let shop = s.new_vendor("USD").await;
    let jpy = s.new_vendor("JPY").await;
    let alice = s.new_account().await;
    let till = s.vendor(&shop);
    let path = format!("/v1/vendors/{shop}/credits");
    let table = [
        (json!(6.63), "invalid_body", "decimal string"),
        (json!(6), "invalid_body", "decimal string"),
        (json!("6.63e0"), "invalid_body", "plain digits"),
        (json!("1e3"), "invalid_body", "plain digits"),
        (json!("1_000"), "invalid_body", "plain digits"),
        (json!("+6.63"), "invalid_body", "plain digits"),
        (json!("-6.63"), "invalid_body", "plain digits"),
        (json!(" 6.63"), "invalid_body", "plain digits"),
        (json!("6,63"), "invalid_body", "plain digits"),
        (json!("006.63"), "invalid_body", "leading zeros"),
        (json!(""), "invalid_body", "1 to 32"),
        (json!(null), "invalid_body", "decimal string"),
        (json!("6.631"), "invalid_amount", "decimal places"),
    ];
    for (total, code, says) in table {
        let r = s
            .post(
                &path,
                &till,
                json!({"account": alice, "total": total, "tendered": "10.00"}),
            )
            .await;
        r.problem(StatusCode::BAD_REQUEST, code);
        assert!(
            r.json["detail"].as_str().unwrap().contains(says),
            "{total}: {}",
            r.text
        );
    }
    // Yen have no decimals.
    let r = s
        .post(
            &format!("/v1/vendors/{jpy}/credits"),
            &s.vendor(&jpy),
            json!({"account": alice, "total": "630.5", "tendered": "1000"}),
        )
        .await;
    r.problem(StatusCode::BAD_REQUEST, "invalid_amount");
    // Points are JSON integers within the core's bounds.
    let me = s.customer(&alice);
    for (points, code) in [
        (json!("5"), "invalid_body"),
        (json!(1.5), "invalid_body"),
        (json!(0), "invalid_input"),
        (json!(-3), "invalid_input"),
        (json!(1_000_000_000_000_000_001_i64), "invalid_input"),
        (json!(1e30), "invalid_body"),
    ] {
        let r = s
            .post(
                &format!("/v1/accounts/{alice}/transfers"),
                &me,
                json!({"to": alice, "currency": "USD", "points": points}),
            )
            .await;
        r.problem(StatusCode::BAD_REQUEST, code);
    }
    assert_eq!(s.available(&alice, "USD").await, 0);
}

#[tokio::test]
async fn unknown_fields_malformed_json_and_big_bodies_are_refused() {
    let s = Server::sqlite().await;
    let shop = s.new_vendor("USD").await;
    let alice = s.new_account().await;
    let till = s.vendor(&shop);
    let path = format!("/v1/vendors/{shop}/credits");
    let r = s
        .post(
            &path,
            &till,
            json!({"account": alice, "total": "6.63", "tendered": "10.00", "points": 1000}),
        )
        .await;
    r.problem(StatusCode::BAD_REQUEST, "invalid_body");
    assert!(
        r.json["detail"].as_str().unwrap().contains("unknown field"),
        "{}",
        r.text
    );
    for raw in [
        "{",
        "{\"account\": }",
        "{\"account\":",
        "nul",
        "{\"account\": \"1\", \"total\": \"1\", \"tendered\": \"2\"} trailing",
    ] {
        let resp = reqwest::Client::new()
            .post(format!("{}{path}", s.base))
            .bearer_auth(&till)
            .header("idempotency-key", crate::harness::unique("k"))
            .header("content-type", "application/json")
            .body(raw)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "{raw}");
        let v: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(v["code"], "malformed_json", "{raw}: {v}");
    }
    let big = json!({"account": alice, "total": "6.63", "tendered": "10.00", "receipt_no": "x".repeat(64 * 1024)});
    // On its own connection: the server closes it after refusing the body
    // unread, which a pooled connection would only see on its next request.
    let resp = reqwest::Client::new()
        .post(format!("{}{path}", s.base))
        .bearer_auth(&till)
        .header("idempotency-key", crate::harness::unique("k"))
        .json(&big)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let v: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(v["code"], "body_too_large", "{v}");
    let r = s
        .call(Method::GET, "/no/such/route", None, None, None)
        .await;
    r.problem(StatusCode::NOT_FOUND, "not_found");
    assert_eq!(s.available(&alice, "USD").await, 0);
}

#[tokio::test]
async fn no_response_leaks_sql_paths_or_internals() {
    let s = Server::sqlite().await;
    let shop = s.new_vendor("USD").await;
    let alice = s.new_account().await;
    let till = s.vendor(&shop);
    let me = s.customer(&alice);
    s.credit(&shop, &alice, "6.63", "10.00").await;
    let mut bodies = Vec::new();
    for (m, path, token, body) in [
        (
            Method::POST,
            format!("/v1/vendors/{shop}/credits"),
            till.clone(),
            Some(json!({"account": "000000", "total": "1", "tendered": "2"})),
        ),
        (
            Method::POST,
            format!("/v1/vendors/{shop}/reversals"),
            till.clone(),
            Some(json!({"tx": 999_999, "reason": "x"})),
        ),
        (
            Method::GET,
            format!("/v1/accounts/{alice}/history?after=';DROP TABLE x;--"),
            me.clone(),
            None,
        ),
        (
            Method::GET,
            format!("/v1/accounts/{alice}/history?limit=0"),
            me.clone(),
            None,
        ),
        (
            Method::GET,
            format!("/v1/accounts/{alice}/statements/2026-13?currency=USD"),
            me.clone(),
            None,
        ),
        (
            Method::GET,
            format!("/v1/accounts/{alice}/receipts/999999"),
            me.clone(),
            None,
        ),
        (
            Method::GET,
            "/objects/receipts/x.txt?expires=1&sig=00".to_string(),
            me.clone(),
            None,
        ),
        (
            Method::GET,
            "/objects/../../etc/passwd".to_string(),
            me.clone(),
            None,
        ),
    ] {
        let r = s
            .call(
                m,
                &path,
                Some(&token),
                Some(&crate::harness::unique("k")),
                body,
            )
            .await;
        assert!(r.status.is_client_error(), "{path}: {}", r.text);
        bodies.push(r.text);
    }
    let dir = s.dir.display().to_string();
    for b in bodies {
        for leak in [
            "SELECT",
            "sqlite",
            "sqlx",
            dir.as_str(),
            "/tmp",
            "panicked",
            "src/",
            ".rs:",
        ] {
            assert!(!b.contains(leak), "{leak} in {b}");
        }
    }
}
