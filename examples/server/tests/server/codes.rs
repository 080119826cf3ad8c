//! One-time redemption codes over HTTP: consent, brute force, reuse.

use reqwest::StatusCode;
use serde_json::json;

use crate::harness::Server;

#[tokio::test]
async fn a_vendor_cannot_redeem_without_the_customers_code_or_guess_it() {
    let s = Server::sqlite().await;
    let shop = s.new_vendor("USD").await;
    let alice = s.new_account().await;
    s.credit(&shop, &alice, "1.01", "2.00").await; // 99 points
    let till = s.vendor(&shop);
    let path = format!("/v1/vendors/{shop}/redemptions");
    // No code was issued.
    let r = s
        .post(
            &path,
            &till,
            json!({"account": alice, "code": "12345678", "points": 10}),
        )
        .await;
    r.problem(StatusCode::UNPROCESSABLE_ENTITY, "code_refused");
    let me = s.customer(&alice);
    let c = s
        .post(
            &format!("/v1/accounts/{alice}/codes"),
            &me,
            json!({"currency": "USD", "max_points": 50}),
        )
        .await;
    let code = c.json["code"].as_str().unwrap().to_string();
    // Five wrong guesses kill it.
    let wrong: Vec<String> = (0..100u32)
        .map(|n| format!("{:08}", n * 7919))
        .filter(|g| *g != code)
        .take(5)
        .collect();
    for g in &wrong {
        let r = s
            .post(
                &path,
                &till,
                json!({"account": alice, "code": g, "points": 10}),
            )
            .await;
        r.problem(StatusCode::UNPROCESSABLE_ENTITY, "code_refused");
    }
    let r = s
        .post(
            &path,
            &till,
            json!({"account": alice, "code": code, "points": 10}),
        )
        .await;
    r.problem(StatusCode::UNPROCESSABLE_ENTITY, "code_refused");
    assert!(
        r.json["detail"]
            .as_str()
            .unwrap()
            .contains("no longer valid"),
        "{}",
        r.text
    );
    assert_eq!(s.available(&alice, "USD").await, 99);
}

#[tokio::test]
async fn a_code_is_used_once_and_within_its_maximum() {
    let s = Server::sqlite().await;
    let shop = s.new_vendor("USD").await;
    let alice = s.new_account().await;
    s.credit(&shop, &alice, "1.01", "2.00").await;
    let till = s.vendor(&shop);
    let path = format!("/v1/vendors/{shop}/redemptions");
    let me = s.customer(&alice);
    let c = s
        .post(
            &format!("/v1/accounts/{alice}/codes"),
            &me,
            json!({"currency": "USD", "max_points": 20}),
        )
        .await;
    let code = c.json["code"].as_str().unwrap().to_string();
    let over = s
        .post(
            &path,
            &till,
            json!({"account": alice, "code": code, "points": 21}),
        )
        .await;
    over.problem(StatusCode::UNPROCESSABLE_ENTITY, "code_refused");
    let ok = s
        .post(
            &path,
            &till,
            json!({"account": alice, "code": code, "points": 20}),
        )
        .await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.text);
    let reuse = s
        .post(
            &path,
            &till,
            json!({"account": alice, "code": code, "points": 1}),
        )
        .await;
    reuse.problem(StatusCode::UNPROCESSABLE_ENTITY, "code_refused");
    // Another vendor cannot use it either.
    let other = s.new_vendor("USD").await;
    let r = s
        .post(
            &format!("/v1/vendors/{other}/redemptions"),
            &s.vendor(&other),
            json!({"account": alice, "code": code, "points": 1}),
        )
        .await;
    r.problem(StatusCode::UNPROCESSABLE_ENTITY, "code_refused");
    assert_eq!(s.available(&alice, "USD").await, 79);
    s.assert_verified().await;
}

#[tokio::test]
async fn an_expired_hold_is_released_by_the_background_task() {
    let s = crate::harness::Server::start(crate::harness::Opts {
        args: vec!["--hold-release-secs".into(), "1".into()],
        ..Default::default()
    })
    .await;
    let shop = s.new_vendor("USD").await;
    let alice = s.new_account().await;
    s.credit(&shop, &alice, "1.01", "2.00").await;
    let me = s.customer(&alice);
    let c = s
        .post(
            &format!("/v1/accounts/{alice}/codes"),
            &me,
            json!({"currency": "USD", "max_points": 50}),
        )
        .await;
    let h = s
        .post(
            &format!("/v1/vendors/{shop}/holds"),
            &s.vendor(&shop),
            json!({"account": alice, "code": c.json["code"], "points": 40, "ttl_secs": 1}),
        )
        .await;
    assert_eq!(h.status, StatusCode::CREATED, "{}", h.text);
    let hold = h.json["id"].as_u64().unwrap();
    let mut released = false;
    for _ in 0..100 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let hist = s.get(&format!("/v1/accounts/{alice}/history"), &me).await;
        if hist.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["kind"] == "hold_release" && t["closes"].as_u64() == Some(hold))
        {
            released = true;
            break;
        }
    }
    assert!(released, "no hold_release written:\n{}", s.log());
    assert_eq!(s.available(&alice, "USD").await, 99);
}

#[tokio::test]
async fn a_code_survives_a_server_restart() {
    let mut s = Server::sqlite().await;
    let shop = s.new_vendor("USD").await;
    let alice = s.new_account().await;
    s.credit(&shop, &alice, "1.01", "2.00").await;
    let c = s
        .post(
            &format!("/v1/accounts/{alice}/codes"),
            &s.customer(&alice),
            json!({"currency": "USD", "max_points": 50}),
        )
        .await;
    let code = c.json["code"].as_str().unwrap().to_string();
    assert!(s.terminate().await.success());
    s.restart().await;
    let r = s
        .post(
            &format!("/v1/vendors/{shop}/redemptions"),
            &s.vendor(&shop),
            json!({"account": alice, "code": code, "points": 9}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(s.available(&alice, "USD").await, 90);
}
