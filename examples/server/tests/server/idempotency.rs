//! The Idempotency-Key header over HTTP: replay, conflict, missing, scope.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::harness::Server;

#[tokio::test]
async fn a_retry_returns_the_first_response_and_credits_once() {
    let s = Server::sqlite().await;
    let shop = s.new_vendor("USD").await;
    let alice = s.new_account().await;
    let till = s.vendor(&shop);
    let path = format!("/v1/vendors/{shop}/credits");
    let body = json!({"account": alice, "total": "6.63", "tendered": "10.00", "receipt_no": "r-1"});
    let first = s
        .call(
            Method::POST,
            &path,
            Some(&till),
            Some("receipt-r-1"),
            Some(body.clone()),
        )
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
    assert!(first.headers.get("idempotent-replayed").is_none());
    let again = s
        .call(
            Method::POST,
            &path,
            Some(&till),
            Some("receipt-r-1"),
            Some(body.clone()),
        )
        .await;
    assert_eq!(again.status, first.status);
    assert_eq!(again.json, first.json);
    assert_eq!(again.headers.get("idempotent-replayed").unwrap(), "true");
    // The structured-field spelling of the same key is the same key.
    let quoted = s
        .call(
            Method::POST,
            &path,
            Some(&till),
            Some("\"receipt-r-1\""),
            Some(body),
        )
        .await;
    assert_eq!(quoted.json, first.json);
    assert_eq!(s.available(&alice, "USD").await, 37);
}

#[tokio::test]
async fn the_same_key_with_another_body_is_422_and_a_missing_key_is_400() {
    let s = Server::sqlite().await;
    let shop = s.new_vendor("USD").await;
    let alice = s.new_account().await;
    let till = s.vendor(&shop);
    let path = format!("/v1/vendors/{shop}/credits");
    let r = s
        .call(
            Method::POST,
            &path,
            Some(&till),
            Some("k-1"),
            Some(json!({"account": alice, "total": "6.63", "tendered": "10.00"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let other = s
        .call(
            Method::POST,
            &path,
            Some(&till),
            Some("k-1"),
            Some(json!({"account": alice, "total": "6.00", "tendered": "10.00"})),
        )
        .await;
    other.problem(StatusCode::UNPROCESSABLE_ENTITY, "idempotency_conflict");
    let missing = s
        .call(
            Method::POST,
            &path,
            Some(&till),
            None,
            Some(json!({"account": alice, "total": "6.63", "tendered": "10.00"})),
        )
        .await;
    missing.problem(StatusCode::BAD_REQUEST, "missing_idempotency_key");
    for bad in ["", "a b", &"x".repeat(129)] {
        let r = s
            .call(
                Method::POST,
                &path,
                Some(&till),
                Some(bad),
                Some(json!({"account": alice, "total": "6.63", "tendered": "10.00"})),
            )
            .await;
        r.problem(StatusCode::BAD_REQUEST, "invalid_idempotency_key");
    }
    // Every write route needs the header.
    let me = s.customer(&alice);
    for (path, token, body) in [
        (
            format!("/v1/accounts/{alice}/transfers"),
            me.clone(),
            json!({"to": alice, "currency": "USD", "points": 1}),
        ),
        (
            format!("/v1/accounts/{alice}/codes"),
            me.clone(),
            json!({"currency": "USD", "max_points": 1}),
        ),
        ("/v1/admin/accounts".to_string(), s.admin(), json!({})),
        (
            "/v1/admin/adjustments".to_string(),
            s.admin(),
            json!({"account": alice, "currency": "USD", "points": 1, "reason": "x"}),
        ),
    ] {
        let r = s
            .call(Method::POST, &path, Some(&token), None, Some(body))
            .await;
        r.problem(StatusCode::BAD_REQUEST, "missing_idempotency_key");
    }
    assert_eq!(s.available(&alice, "USD").await, 37);
}

#[tokio::test]
async fn keys_are_scoped_to_the_caller() {
    let s = Server::sqlite().await;
    let a = s.new_vendor("USD").await;
    let b = s.new_vendor("USD").await;
    let alice = s.new_account().await;
    // Two vendors use the same header value for different sales: both credit.
    for v in [&a, &b] {
        let r = s
            .call(
                Method::POST,
                &format!("/v1/vendors/{v}/credits"),
                Some(&s.vendor(v)),
                Some("receipt-1"),
                Some(json!({"account": alice, "total": "6.63", "tendered": "10.00"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert!(
            r.headers.get("idempotent-replayed").is_none(),
            "vendor {v} replayed another's key"
        );
    }
    assert_eq!(s.available(&alice, "USD").await, 74);
    // A vendor cannot probe another's key with a different body either:
    // its own scope has no such key, so it is a new credit, not a 422.
    let r = s
        .call(
            Method::POST,
            &format!("/v1/vendors/{b}/credits"),
            Some(&s.vendor(&b)),
            Some("receipt-2"),
            Some(json!({"account": alice, "total": "9.99", "tendered": "10.00"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
}

#[tokio::test]
async fn a_key_whose_first_request_is_running_is_409() {
    let s = Server::sqlite().await;
    let shop = s.new_vendor("USD").await;
    let alice = s.new_account().await;
    let till = s.vendor(&shop);
    let path = format!("/v1/vendors/{shop}/credits");
    let body = json!({"account": alice, "total": "6.63", "tendered": "10.00"});
    // Many identical requests at once: each is 201 (first or replay) or 409.
    let mut handles = Vec::new();
    for _ in 0..16 {
        let (base, till, path, body) = (s.base.clone(), till.clone(), path.clone(), body.clone());
        handles.push(tokio::spawn(async move {
            reqwest::Client::new()
                .post(format!("{base}{path}"))
                .bearer_auth(till)
                .header("idempotency-key", "same")
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    for h in handles {
        let st = h.await.unwrap();
        assert!(
            st == StatusCode::CREATED || st == StatusCode::CONFLICT,
            "{st}"
        );
    }
    assert_eq!(s.available(&alice, "USD").await, 37);
}
