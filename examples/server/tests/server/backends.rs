//! The server on the back ends its flags select instead of the embedded
//! default: S3 (MinIO) as the object store, the webhook and SNS (moto)
//! notifiers. MariaDB as the ledger store runs the whole main path in
//! `main_path.rs`. Each test starts the real binary with the flags and
//! environment an operator would use, walks the main path (vendor and
//! account as admin, a credit, a balance read, a receipt link, a month
//! close) and checks the back end itself with a client independent of the
//! server: the raw AWS SDK for S3 and SNS, a receiver on 127.0.0.1 for the
//! webhook. Each is skipped (or fails, with `DCMS_REQUIRE_SERVERS=1`)
//! without its service's variables; object keys and topics are unique per
//! run.

use std::sync::{Arc, Mutex};

use aws_sdk_s3::types::ServerSideEncryption;
use axum::body::Bytes;
use axum::http::HeaderMap;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sha2::Sha256;

use crate::harness::{env_or_skip, unique, Db, Opts, Server};

/// The current month of the test vendors' zone (statements follow the
/// vendor's calendar, not UTC).
fn this_month() -> String {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::America::New_York)
        .format("%Y-%m")
        .to_string()
}

/// The common part of every test: a vendor, an account, one credit of 37
/// points, read back as the customer. Returns (vendor, account).
async fn vendor_account_credit(s: &Server) -> (String, String) {
    let shop = s.new_vendor("USD").await;
    let alice = s.new_account().await;
    assert_eq!(s.available(&alice, "USD").await, 0);
    assert_eq!(s.credit(&shop, &alice, "6.63", "10.00").await, 37);
    assert_eq!(s.available(&alice, "USD").await, 37);
    (shop, alice)
}

/// Closes `month` for `vendor` as admin; returns the vendor's outcome.
async fn close(s: &Server, vendor: &str, month: &str) -> Value {
    let r = s
        .post(
            "/v1/admin/month-close",
            &s.admin(),
            json!({"month": month, "vendors": [vendor]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json["failed"], json!([]), "{}", r.text);
    assert_eq!(r.json["closed"][0]["vendor"], vendor, "{}", r.text);
    r.json["closed"][0].clone()
}

// --- S3 -------------------------------------------------------------------

// The MinIO of the test environment and a raw SDK client for it: the same
// helper as the dcms-aws tests, included by path (test crates cannot
// import one another).
#[path = "../../../../dcms-aws/tests/common/s3_env.rs"]
mod s3_env;
use s3_env::S3Env;

impl S3Env {
    fn from_env(test: &str) -> Option<S3Env> {
        env_or_skip(test, &Self::VARS).and_then(Self::from_values)
    }

    /// The flags and AWS environment that point the server at this S3,
    /// under `prefix` in the bucket.
    fn server_opts(&self, prefix: &str) -> Opts {
        Opts {
            args: vec![
                "--s3-bucket".into(),
                self.bucket.clone(),
                "--s3-endpoint".into(),
                self.endpoint.clone(),
                "--s3-prefix".into(),
                prefix.into(),
            ],
            env: aws_env(&self.access_key, &self.secret_key, &self.region),
            ..Opts::default()
        }
    }
}

/// The standard AWS environment the server's SDK reads (no instance
/// metadata lookups: there is no instance here).
fn aws_env(access_key: &str, secret_key: &str, region: &str) -> Vec<(String, String)> {
    [
        ("AWS_ACCESS_KEY_ID", access_key),
        ("AWS_SECRET_ACCESS_KEY", secret_key),
        ("AWS_REGION", region),
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

#[tokio::test]
async fn s3_holds_receipts_and_statements_encrypted_with_working_links() {
    let Some(env) = S3Env::from_env("the server's S3 object store test") else {
        return;
    };
    let prefix = unique("server-it-");
    let s = Server::start(env.server_opts(&prefix)).await;
    let (shop, alice) = vendor_account_credit(&s).await;
    let raw = env.raw_client();

    // The receipt: S3's own pre-signed link (not the server's /objects/),
    // readable with no credential but the link, and only as signed.
    let me = s.customer(&alice);
    let history = s
        .get(&format!("/v1/accounts/{alice}/history?limit=1"), &me)
        .await;
    let tx = history.json["items"][0]["id"].as_u64().unwrap();
    let rc = s
        .get(&format!("/v1/accounts/{alice}/receipts/{tx}"), &me)
        .await;
    assert_eq!(rc.status, StatusCode::OK, "{}", rc.text);
    let url = rc.json["url"].as_str().unwrap().to_string();
    let in_bucket = format!("{}/{}/{prefix}/receipts/", env.endpoint, env.bucket);
    assert!(url.starts_with(&in_bucket), "{url}");
    assert!(url.contains("X-Amz-Signature="), "{url}");
    let got = reqwest::get(&url).await.unwrap();
    assert_eq!(got.status(), StatusCode::OK);
    let text = got.text().await.unwrap();
    assert!(text.contains("0.37"), "{text}");
    // One hex digit of the signature changed.
    let at = url.find("X-Amz-Signature=").unwrap() + "X-Amz-Signature=".len();
    let flipped = if url[at..].starts_with('0') { "1" } else { "0" };
    let tampered = format!("{}{flipped}{}", &url[..at], &url[at + 1..]);
    let refused = reqwest::get(&tampered).await.unwrap().status();
    assert_eq!(refused, StatusCode::FORBIDDEN, "{tampered}");

    // The month close stores the statement documents under the prefix.
    let month = this_month();
    let closed = close(&s, &shop, &month).await;
    assert_eq!(closed["outcome"], "issued");
    let expected: Vec<String> = ["csv", "json", "pdf"]
        .iter()
        .map(|ext| format!("statements/{shop}/{month}.{ext}"))
        .collect();
    assert_eq!(closed["objects"], json!(expected));

    // What S3 itself holds under the prefix: the receipt, the three
    // documents and the close marker, every one encrypted at rest.
    let listed = raw
        .list_objects_v2()
        .bucket(&env.bucket)
        .prefix(format!("{prefix}/"))
        .send()
        .await
        .unwrap();
    let keys: Vec<String> = listed
        .contents()
        .iter()
        .filter_map(|o| o.key())
        .map(|k| k[prefix.len() + 1..].to_string())
        .collect();
    for key in &expected {
        assert!(keys.contains(key), "{key} not in {keys:?}");
    }
    assert!(
        keys.iter().any(|k| k.starts_with("receipts/")),
        "no receipt in {keys:?}"
    );
    assert_eq!(keys.len(), 5, "{keys:?}");
    for key in &keys {
        let head = raw
            .head_object()
            .bucket(&env.bucket)
            .key(format!("{prefix}/{key}"))
            .send()
            .await
            .unwrap();
        assert_eq!(
            head.server_side_encryption(),
            Some(&ServerSideEncryption::Aes256),
            "{key}"
        );
    }
    let csv = raw
        .get_object()
        .bucket(&env.bucket)
        .key(format!("{prefix}/statements/{shop}/{month}.csv"))
        .send()
        .await
        .unwrap()
        .body
        .collect()
        .await
        .unwrap()
        .into_bytes();
    let csv = String::from_utf8(csv.to_vec()).unwrap();
    assert!(csv.contains(&shop) && csv.contains("37"), "{csv}");
    s.assert_verified().await;
    s.finish().await;
}

// --- Webhook ----------------------------------------------------------------

/// One POST the receiver got.
struct Hook {
    headers: HeaderMap,
    body: Bytes,
}

/// An HTTP receiver on 127.0.0.1 that records every POST to `/hook` and
/// answers 204.
async fn webhook_receiver() -> (String, Arc<Mutex<Vec<Hook>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let got = Arc::new(Mutex::new(Vec::new()));
    let log = got.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let log = log.clone();
            async move {
                log.lock().unwrap().push(Hook { headers, body });
                StatusCode::NO_CONTENT
            }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, got)
}

/// Checks a Standard Webhooks signature from the specification alone:
/// `v1,` and base64 HMAC-SHA256 of `id.timestamp.body`, keyed with the
/// secret's bytes, and a timestamp of about now.
fn assert_signed(hook: &Hook, key: &[u8]) {
    let header = |name: &str| {
        hook.headers
            .get(name)
            .unwrap_or_else(|| panic!("no {name} header"))
            .to_str()
            .unwrap()
            .to_string()
    };
    let (id, timestamp) = (header("webhook-id"), header("webhook-timestamp"));
    let sent: i64 = timestamp.parse().unwrap();
    assert!(
        (chrono::Utc::now().timestamp() - sent).abs() < 300,
        "{sent}"
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(&hook.body);
    let expected = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
    let signatures = header("webhook-signature");
    assert!(
        signatures.split(' ').any(|s| s == expected),
        "{signatures} has no {expected}"
    );
}

#[tokio::test]
async fn the_webhook_notifier_posts_a_signed_statement_ready_on_month_close() {
    // No service to reach: the receiver is the test's own.
    let (hook_url, got) = webhook_receiver().await;
    let key = b"dcms-server-test-webhook-key-32b";
    let secret = format!("whsec_{}", STANDARD.encode(key));
    let s = Server::start(Opts {
        args: vec![
            "--notifier".into(),
            "webhook".into(),
            "--webhook-url".into(),
            hook_url,
        ],
        env: vec![("DCMS_WEBHOOK_SECRET".into(), secret.clone())],
        ..Opts::default()
    })
    .await;
    let (shop, alice) = vendor_account_credit(&s).await;
    assert_eq!(
        got.lock().unwrap().len(),
        0,
        "nothing is sent before a close"
    );

    // The close awaits delivery, so the POST is here when it answers.
    let month = this_month();
    let closed = close(&s, &shop, &month).await;
    assert_eq!(closed["outcome"], "issued");
    let first_id = {
        let hooks = got.lock().unwrap();
        assert_eq!(hooks.len(), 1);
        let hook = &hooks[0];
        assert_signed(hook, key);
        let note: Value = serde_json::from_slice(&hook.body).unwrap();
        assert_eq!(note["event"], "statement.ready");
        assert_eq!(note["statement"]["vendor"], shop.as_str());
        assert_eq!(note["statement"]["period"], month.as_str());
        assert_eq!(note["statement"]["objects"], closed["objects"]);
        hook.headers["webhook-id"].to_str().unwrap().to_string()
    };

    // The same month again is unchanged: nobody is told twice.
    assert_eq!(close(&s, &shop, &month).await["outcome"], "unchanged");
    assert_eq!(got.lock().unwrap().len(), 1);

    // A later credit changes the statement: reissued, announced anew
    // under another message id.
    s.credit(&shop, &alice, "1.01", "2.00").await;
    assert_eq!(close(&s, &shop, &month).await["outcome"], "reissued");
    {
        let hooks = got.lock().unwrap();
        assert_eq!(hooks.len(), 2);
        assert_signed(&hooks[1], key);
        assert_ne!(hooks[1].headers["webhook-id"], first_id.as_str());
    }
    assert!(!s.log().contains(&secret), "the webhook secret leaked");
    s.finish().await;
}

// --- SNS ------------------------------------------------------------------

// moto's SNS: the same helper as the dcms-aws tests, included by path.
#[path = "../../../../dcms-aws/tests/common/moto_sns.rs"]
mod moto_sns;
use moto_sns::{moto_sent, raw_sns_client};

/// The messages moto recorded for a topic: (message, subject).
async fn sns_published(endpoint: &str, topic_arn: &str) -> Vec<(Value, String)> {
    moto_sent(endpoint, topic_arn)
        .await
        .into_iter()
        .map(|(_, message, subject)| (serde_json::from_str(&message).unwrap(), subject))
        .collect()
}

/// A new topic on moto (which takes any credentials and keeps everything
/// in account 123456789012).
async fn sns_topic(endpoint: &str) -> String {
    raw_sns_client(endpoint)
        .create_topic()
        .name(unique("dcms-server-it-"))
        .send()
        .await
        .unwrap()
        .topic_arn()
        .unwrap()
        .to_string()
}

/// The flags of the SNS notifier on `topic_arn` at `endpoint`.
fn sns_args(topic_arn: &str, endpoint: &str) -> Vec<String> {
    [
        "--notifier",
        "sns",
        "--sns-topic-arn",
        topic_arn,
        "--sns-endpoint",
        endpoint,
    ]
    .map(String::from)
    .to_vec()
}

#[tokio::test]
async fn the_sns_notifier_publishes_statement_ready_on_month_close() {
    let Some(v) = env_or_skip(
        "the server's SNS notifier test",
        &["DCMS_TEST_SNS_ENDPOINT"],
    ) else {
        return;
    };
    let endpoint = v[0].clone();
    let topic_arn = sns_topic(&endpoint).await;
    let s = Server::start(Opts {
        args: sns_args(&topic_arn, &endpoint),
        env: aws_env("test", "test", "us-east-1"),
        ..Opts::default()
    })
    .await;
    let (shop, _alice) = vendor_account_credit(&s).await;
    assert!(sns_published(&endpoint, &topic_arn).await.is_empty());

    let month = this_month();
    let closed = close(&s, &shop, &month).await;
    assert_eq!(closed["outcome"], "issued");
    let sent = sns_published(&endpoint, &topic_arn).await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    let (note, subject) = &sent[0];
    assert_eq!(subject, "DCMS statement ready");
    assert_eq!(note["event"], "statement.ready");
    assert_eq!(note["statement"]["vendor"], shop.as_str());
    assert_eq!(note["statement"]["period"], month.as_str());
    assert_eq!(note["statement"]["objects"], closed["objects"]);

    // Unchanged on a second close: no second publish.
    assert_eq!(close(&s, &shop, &month).await["outcome"], "unchanged");
    assert_eq!(sns_published(&endpoint, &topic_arn).await.len(), 1);
    s.finish().await;
}

// --- All together -----------------------------------------------------------

/// The shape of a production deployment: MariaDB, S3 and SNS at once, each
/// on its own endpoint (S3 and SNS on different hosts, as outside AWS).
#[tokio::test]
async fn mariadb_s3_and_sns_together() {
    let test = "the server on MariaDB, S3 and SNS together";
    let (Some(env), Some(sns)) = (
        S3Env::from_env(test),
        env_or_skip(test, &["DCMS_TEST_SNS_ENDPOINT"]),
    ) else {
        return;
    };
    let sns = sns[0].clone();
    let prefix = unique("server-it-");
    let topic_arn = sns_topic(&sns).await;
    let mut opts = env.server_opts(&prefix);
    opts.args.extend(sns_args(&topic_arn, &sns));
    let Some(s) = Server::on_with(Db::Mysql, opts).await else {
        return;
    };
    assert!(s.log().contains(r#""engine":"mysql""#), "{}", s.log());
    let (shop, _alice) = vendor_account_credit(&s).await;
    let month = this_month();
    let closed = close(&s, &shop, &month).await;
    assert_eq!(closed["outcome"], "issued");
    let listed = env
        .raw_client()
        .list_objects_v2()
        .bucket(&env.bucket)
        .prefix(format!("{prefix}/statements/{shop}/"))
        .send()
        .await
        .unwrap();
    assert_eq!(listed.key_count(), Some(4), "{listed:?}");
    let sent = sns_published(&sns, &topic_arn).await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].0["statement"]["vendor"], shop.as_str());
    s.assert_verified().await;
    s.finish().await;
}
