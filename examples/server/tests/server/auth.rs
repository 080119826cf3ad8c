//! Every 401 and 403 the issue lists: each sends the attack, checks the
//! status and that nothing changed, and the server stays up throughout.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use dcms_server::auth::Role;
use dcms_server::devkeys::{jwks, DevKey};
use hmac::{Hmac, Mac};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sha2::Sha256;

use crate::harness::Server;

fn b64(v: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(v)
}

/// A token with any header and payload, HS256-signed with `secret`.
fn hs256(header: &Value, payload: &Value, secret: &[u8]) -> String {
    let msg = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(payload.to_string().as_bytes())
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).unwrap();
    mac.update(msg.as_bytes());
    format!("{msg}.{}", b64(&mac.finalize().into_bytes()))
}

/// The claims of a valid customer token as JSON.
fn claims_json(s: &Server, account: &str) -> Value {
    serde_json::to_value(s.claims(Role::Customer, Some(account), None)).unwrap()
}

#[tokio::test]
async fn every_bad_token_is_401_and_changes_nothing() {
    let mut s = Server::sqlite().await;
    let shop = s.new_vendor("USD").await;
    let alice = s.new_account().await;
    let bob = s.new_account().await;
    s.credit(&shop, &alice, "6.63", "10.00").await;
    let good = s.customer(&alice);
    let now = jsonwebtoken::get_current_timestamp();
    let kid = s.key.kid().to_string();
    let claims = claims_json(&s, &alice);
    let with = |k: &str, v: Value| {
        let mut c = claims.clone();
        c[k] = v;
        s.token(&serde_json::from_value(c).unwrap())
    };
    let public_key = jwks(&[&s.key])["keys"][0]["x"]
        .as_str()
        .unwrap()
        .to_string();
    let parts: Vec<&str> = good.split('.').collect();
    let mut altered = claims.clone();
    altered["account"] = json!(bob);
    let altered = format!(
        "{}.{}.{}",
        parts[0],
        b64(altered.to_string().as_bytes()),
        parts[2]
    );
    let mut no_exp = claims.clone();
    no_exp.as_object_mut().unwrap().remove("exp");
    // Signed by the real key: only the missing claim is wrong.
    let no_exp_token = s.key.sign_any(&no_exp).unwrap();
    let rotated = DevKey::generate().unwrap();
    let unknown_kid = rotated
        .sign(&s.claims(Role::Customer, Some(&alice), None))
        .unwrap();

    let attacks: Vec<(&str, String)> = vec![
        (
            "alg none",
            format!(
                "{}.{}.",
                b64(br#"{"alg":"none","typ":"JWT"}"#),
                b64(claims.to_string().as_bytes())
            ),
        ),
        (
            "alg none with a kid",
            format!(
                "{}.{}.",
                b64(json!({"alg":"none","kid":kid}).to_string().as_bytes()),
                b64(claims.to_string().as_bytes())
            ),
        ),
        (
            "HS256 signed with the public key bytes",
            hs256(
                &json!({"alg":"HS256","typ":"JWT","kid":kid}),
                &claims,
                public_key.as_bytes(),
            ),
        ),
        (
            "HS256 signed with the decoded public key",
            hs256(
                &json!({"alg":"HS256","typ":"JWT","kid":kid}),
                &claims,
                &URL_SAFE_NO_PAD.decode(&public_key).unwrap(),
            ),
        ),
        ("expired", with("exp", json!(now - 3600))),
        ("not yet valid", with("nbf", json!(now + 3600))),
        ("wrong audience", with("aud", json!("someone-else"))),
        ("wrong issuer", with("iss", json!("evil"))),
        ("missing exp", no_exp_token),
        ("payload altered after signing", altered),
        ("unknown kid", unknown_kid),
        ("malformed", "not-a-token".to_string()),
        ("two segments", format!("{}.{}", parts[0], parts[1])),
        ("four segments", format!("{good}.{}", parts[2])),
        ("empty signature", format!("{}.{}.", parts[0], parts[1])),
        ("garbage base64", "@@@.###.$$$".to_string()),
        (
            "oversized",
            format!("{}.{}.{}", parts[0], "A".repeat(9000), parts[2]),
        ),
        ("empty", String::new()),
    ];
    let before = s.available(&alice, "USD").await;
    for (name, token) in &attacks {
        // A read and a write, each refused with 401.
        let r = s
            .call(
                Method::GET,
                &format!("/v1/accounts/{alice}/balances"),
                Some(token),
                None,
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{name}: {}", r.text);
        r.problem(StatusCode::UNAUTHORIZED, "unauthorized");
        let w = s
            .call(
                Method::POST,
                &format!("/v1/accounts/{alice}/transfers"),
                Some(token),
                Some("k1"),
                Some(json!({"to": bob, "currency": "USD", "points": 1})),
            )
            .await;
        assert_eq!(w.status, StatusCode::UNAUTHORIZED, "{name}: {}", w.text);
        assert!(s.running(), "the server died on {name}");
    }
    // No Authorization header, and a non-bearer one.
    let r = s
        .call(
            Method::GET,
            &format!("/v1/accounts/{alice}/balances"),
            None,
            None,
            None,
        )
        .await;
    r.problem(StatusCode::UNAUTHORIZED, "unauthorized");
    assert_eq!(s.available(&alice, "USD").await, before);
    assert_eq!(s.available(&bob, "USD").await, 0);
    // The log says why, without the tokens.
    let log = s.log();
    assert!(log.contains("token refused"));
    assert!(!log.contains(&good));
    s.assert_verified().await;
}

#[tokio::test]
async fn a_key_rotated_out_of_the_jwks_stops_working_after_sighup() {
    let s = Server::sqlite().await;
    let alice = s.new_account().await;
    let token = s.customer(&alice);
    let path = format!("/v1/accounts/{alice}/balances");
    assert_eq!(s.get(&path, &token).await.status, StatusCode::OK);
    // Publish only a new key, then tell the server.
    let fresh = DevKey::generate().unwrap();
    std::fs::write(
        s.dir.join("jwks.json"),
        serde_json::to_vec(&jwks(&[&fresh])).unwrap(),
    )
    .unwrap();
    let ok = std::process::Command::new("kill")
        .arg("-HUP")
        .arg(s.pid().to_string())
        .status()
        .unwrap();
    assert!(ok.success());
    let mut refused = false;
    for _ in 0..50 {
        if s.get(&path, &token).await.status == StatusCode::UNAUTHORIZED {
            refused = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(refused, "the rotated-out key still works");
    let new_token = fresh
        .sign(&s.claims(Role::Customer, Some(&alice), None))
        .unwrap();
    assert_eq!(s.get(&path, &new_token).await.status, StatusCode::OK);
}

#[tokio::test]
async fn every_cross_account_cross_vendor_and_admin_attempt_is_403_and_changes_nothing() {
    let mut s = Server::sqlite().await;
    let shop = s.new_vendor("USD").await;
    let rival = s.new_vendor("USD").await;
    let alice = s.new_account().await;
    let bob = s.new_account().await;
    s.credit(&shop, &alice, "6.63", "10.00").await;
    let credit = s
        .post(
            &format!("/v1/vendors/{shop}/credits"),
            &s.vendor(&shop),
            json!({"account": bob, "total": "0.50", "tendered": "1.00"}),
        )
        .await;
    let bob_tx = credit.json["tx"]["id"].as_u64().unwrap();
    let mallory = s.customer(&bob);
    let rival_till = s.vendor(&rival);
    let month = chrono::Utc::now().format("%Y-%m").to_string();

    let attempts: Vec<(&str, Method, String, String, Option<Value>)> = vec![
        (
            "customer reads another's balances",
            Method::GET,
            format!("/v1/accounts/{alice}/balances"),
            mallory.clone(),
            None,
        ),
        (
            "customer reads another's history",
            Method::GET,
            format!("/v1/accounts/{alice}/history"),
            mallory.clone(),
            None,
        ),
        (
            "customer moves another's points",
            Method::POST,
            format!("/v1/accounts/{alice}/transfers"),
            mallory.clone(),
            Some(json!({"to": bob, "currency": "USD", "points": 10})),
        ),
        (
            "customer asks a code on another's account",
            Method::POST,
            format!("/v1/accounts/{alice}/codes"),
            mallory.clone(),
            Some(json!({"currency": "USD", "max_points": 10})),
        ),
        (
            "customer reads another's receipt by path",
            Method::GET,
            format!("/v1/accounts/{alice}/receipts/{bob_tx}"),
            mallory.clone(),
            None,
        ),
        (
            "customer reads another's statement",
            Method::GET,
            format!("/v1/accounts/{alice}/statements/{month}?currency=USD"),
            mallory.clone(),
            None,
        ),
        (
            "vendor credits for another vendor",
            Method::POST,
            format!("/v1/vendors/{shop}/credits"),
            rival_till.clone(),
            Some(json!({"account": alice, "total": "1.00", "tendered": "2.00"})),
        ),
        (
            "vendor reverses another vendor's credit",
            Method::POST,
            format!("/v1/vendors/{rival}/reversals"),
            rival_till.clone(),
            Some(json!({"tx": bob_tx, "reason": "steal"})),
        ),
        (
            "vendor reverses via another vendor's path",
            Method::POST,
            format!("/v1/vendors/{shop}/reversals"),
            rival_till.clone(),
            Some(json!({"tx": bob_tx, "reason": "steal"})),
        ),
        (
            "vendor reads another vendor's statement",
            Method::GET,
            format!("/v1/vendors/{shop}/statements/{month}"),
            rival_till.clone(),
            None,
        ),
        (
            "vendor on a customer route",
            Method::GET,
            format!("/v1/accounts/{alice}/balances"),
            rival_till.clone(),
            None,
        ),
        (
            "customer on a vendor route",
            Method::POST,
            format!("/v1/vendors/{shop}/credits"),
            mallory.clone(),
            Some(json!({"account": bob, "total": "1.00", "tendered": "2.00"})),
        ),
        (
            "customer on admin adjust",
            Method::POST,
            "/v1/admin/adjustments".into(),
            mallory.clone(),
            Some(json!({"account": bob, "currency": "USD", "points": 1000, "reason": "x"})),
        ),
        (
            "vendor on admin adjust",
            Method::POST,
            "/v1/admin/adjustments".into(),
            rival_till.clone(),
            Some(json!({"account": bob, "currency": "USD", "points": 1000, "reason": "x"})),
        ),
        (
            "vendor on admin vendors",
            Method::GET,
            "/v1/admin/vendors".into(),
            rival_till.clone(),
            None,
        ),
        (
            "customer on admin verify",
            Method::GET,
            "/v1/admin/verify".into(),
            mallory.clone(),
            None,
        ),
        (
            "vendor on admin month close",
            Method::POST,
            "/v1/admin/month-close".into(),
            rival_till.clone(),
            Some(json!({"month": month})),
        ),
        (
            "customer opens accounts",
            Method::POST,
            "/v1/admin/accounts".into(),
            mallory.clone(),
            Some(json!({})),
        ),
        (
            "vendor reverses via admin",
            Method::POST,
            "/v1/admin/reversals".into(),
            rival_till.clone(),
            Some(json!({"tx": bob_tx, "reason": "x"})),
        ),
    ];
    let before = (
        s.available(&alice, "USD").await,
        s.available(&bob, "USD").await,
    );
    for (name, method, path, token, body) in attempts {
        let r = s
            .call(method, &path, Some(&token), Some("attack-1"), body)
            .await;
        r.problem(StatusCode::FORBIDDEN, "forbidden");
        let _ = name;
        assert!(s.running());
    }
    // Bob's receipt under his own path is fine; Alice's transaction under Bob's path is not.
    let alice_tx = s
        .get(
            &format!("/v1/accounts/{alice}/history"),
            &s.customer(&alice),
        )
        .await
        .json["items"][0]["id"]
        .as_u64()
        .unwrap();
    let r = s
        .get(&format!("/v1/accounts/{bob}/receipts/{alice_tx}"), &mallory)
        .await;
    r.problem(StatusCode::FORBIDDEN, "forbidden");
    let r = s
        .post(
            &format!("/v1/vendors/{rival}/holds/{bob_tx}/void"),
            &rival_till,
            json!({}),
        )
        .await;
    r.problem(StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(
        (
            s.available(&alice, "USD").await,
            s.available(&bob, "USD").await
        ),
        before
    );
    s.assert_verified().await;
}

#[tokio::test]
async fn hs256_is_development_only_needs_32_bytes_and_says_so() {
    let secret = "0123456789abcdef0123456789abcdef-dev";
    let s = crate::harness::Server::start(crate::harness::Opts {
        args: vec!["--jwt-alg".into(), "HS256".into()],
        env: vec![("DCMS_JWT_SECRET".into(), secret.into())],
        ..Default::default()
    })
    .await;
    assert!(s.log().contains("for development only"), "{}", s.log());
    let claims = s.claims(Role::Admin, None, None);
    let token = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()).unwrap(),
    )
    .unwrap();
    assert_eq!(
        s.get("/v1/admin/vendors", &token).await.status,
        StatusCode::OK
    );
    // An EdDSA token is refused: the algorithm is pinned to HS256 now.
    let r = s.get("/v1/admin/vendors", &s.admin()).await;
    r.problem(StatusCode::UNAUTHORIZED, "unauthorized");
    // A short secret: the server refuses to start.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_dcms-server"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--jwt-alg",
            "HS256",
            "--data-dir",
        ])
        .arg(s.dir.join("short"))
        .env("DCMS_JWT_SECRET", "too-short")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 32 bytes"));
}
