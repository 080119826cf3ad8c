//! The webhook notifier against a small HTTP receiver in the test: the
//! Standard Webhooks signature checks out (verified here with `hmac` and
//! `base64` directly, from the specification, not with our own helper), the
//! legacy headers come only when asked for, 5xx and connection errors are
//! retried, 4xx is not. The published verifier libraries (Python, npm) check
//! the same notifications in `tests/webhooks/`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use dcms_aws::webhook::{legacy, standard, Backoff};
use dcms_aws::{Notification, WebhookNotifier, WebhookSecret};
use dcms_core::{Error, ManualClock, Notifier, StatementReady, VendorId};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const SECRET: &[u8] = b"test-webhook-secret-32-bytes-long";

#[derive(Debug, Clone)]
struct Received {
    headers: HashMap<String, String>,
    body: Vec<u8>,
}

/// An HTTP/1.1 receiver answering the n-th request with `statuses[n]` (the
/// last one repeats), recording every request.
struct Receiver {
    addr: SocketAddr,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    async fn start(statuses: &[u16]) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let received = Arc::new(Mutex::new(Vec::new()));
        let (log, statuses) = (received.clone(), statuses.to_vec());
        tokio::spawn(async move {
            loop {
                let (stream, _) = listener.accept().await.unwrap();
                let (mut stream, request) = read_request(stream).await;
                let n = {
                    let mut log = log.lock().unwrap();
                    log.push(request);
                    log.len() - 1
                };
                let status = statuses[n.min(statuses.len() - 1)];
                let reply = format!(
                    "HTTP/1.1 {status} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                );
                stream.write_all(reply.as_bytes()).await.unwrap();
                stream.shutdown().await.ok();
            }
        });
        Receiver { addr, received }
    }

    fn url(&self) -> String {
        format!("http://{}/hooks/dcms", self.addr)
    }

    fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

async fn read_request(mut stream: TcpStream) -> (TcpStream, Received) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let header_end = loop {
        let n = stream.read(&mut chunk).await.unwrap();
        assert!(n > 0, "connection closed before the headers ended");
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8(buf[..header_end].to_vec()).unwrap();
    let headers: HashMap<String, String> = head
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers["content-length"].parse().unwrap();
    while buf.len() < header_end + length {
        let n = stream.read(&mut chunk).await.unwrap();
        assert!(n > 0, "connection closed inside the body");
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = buf[header_end..header_end + length].to_vec();
    (stream, Received { headers, body })
}

fn statement() -> StatementReady {
    StatementReady {
        vendor: VendorId::new("corner-shop").unwrap(),
        period: "2026-01".into(),
        objects: vec!["statements/corner-shop/2026-01.json".into()],
        digest: "sha256:abc".into(),
    }
}

fn secret() -> WebhookSecret {
    WebhookSecret::from_bytes(SECRET).unwrap()
}

fn notifier(url: &str, attempts: u32) -> WebhookNotifier {
    builder(url, attempts).build().unwrap()
}

fn builder(url: &str, attempts: u32) -> dcms_aws::WebhookBuilder {
    WebhookNotifier::builder(url, secret())
        .max_attempts(attempts)
        .backoff(Backoff {
            initial: Duration::from_millis(20),
            max: Duration::from_millis(100),
        })
        .timeout(Duration::from_secs(5))
}

/// The receiver's check, written from the Standard Webhooks specification
/// rather than with our helper: HMAC-SHA256 of `id.timestamp.body`, base64,
/// after `v1,`, and a timestamp within five minutes.
fn signature_is_valid(r: &Received) -> bool {
    let (id, ts) = (&r.headers["webhook-id"], &r.headers["webhook-timestamp"]);
    let age = chrono::Utc::now().timestamp() - ts.parse::<i64>().unwrap();
    let Some(b64) = r.headers["webhook-signature"].strip_prefix("v1,") else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET).unwrap();
    mac.update(format!("{id}.{ts}.").as_bytes());
    mac.update(&r.body);
    age.abs() <= 300 && mac.verify_slice(&STANDARD.decode(b64).unwrap()).is_ok()
}

/// Our own verifier, as a Rust receiver would call it.
fn ours(r: &Received, body: &[u8], now: i64) -> dcms_core::Result<()> {
    standard::verify(
        &secret(),
        &r.headers["webhook-id"],
        &r.headers["webhook-timestamp"],
        &r.headers["webhook-signature"],
        body,
        now,
        standard::DEFAULT_TOLERANCE_SECS,
    )
}

#[tokio::test]
async fn delivers_standard_webhooks_signed_json() {
    let receiver = Receiver::start(&[200]).await;
    notifier(&receiver.url(), 3)
        .statement_ready(&statement())
        .await
        .unwrap();

    let got = receiver.received();
    assert_eq!(got.len(), 1);
    let r = &got[0];
    assert!(signature_is_valid(r), "bad signature: {:?}", r.headers);
    assert_eq!(r.headers["content-type"], "application/json");
    let n: Notification = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(n.statement, statement());
    assert_eq!(r.headers["webhook-id"], n.id());
    assert!(r.headers["webhook-id"].starts_with("msg_"));
    assert!((chrono::Utc::now().timestamp() - n.sent_at).abs() < 60);
    // The legacy headers are off unless asked for.
    assert!(
        !r.headers.contains_key("x-dcms-signature"),
        "{:?}",
        r.headers
    );

    // Our verifier agrees; a changed body, a later replay and another secret fail it.
    let now = chrono::Utc::now().timestamp();
    ours(r, &r.body, now).unwrap();
    let mut altered = r.body.clone();
    altered[10] ^= 1;
    assert!(ours(r, &altered, now).is_err(), "altered body");
    assert!(
        ours(r, &r.body, now + 301).is_err(),
        "replayed after the tolerance"
    );
    let other = WebhookSecret::generate().unwrap();
    let headers = (&r.headers["webhook-id"], &r.headers["webhook-timestamp"]);
    let sig = &r.headers["webhook-signature"];
    assert!(standard::verify(&other, headers.0, headers.1, sig, &r.body, now, 300).is_err());
}

#[tokio::test]
async fn legacy_headers_come_only_when_asked_for() {
    let receiver = Receiver::start(&[200]).await;
    builder(&receiver.url(), 1)
        .legacy_headers(true)
        .build()
        .unwrap()
        .statement_ready(&statement())
        .await
        .unwrap();
    let r = &receiver.received()[0];
    assert!(
        signature_is_valid(r),
        "the standard headers are still there"
    );
    assert_eq!(r.headers["x-dcms-event"], "statement.ready");
    let n: Notification = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(r.headers["x-dcms-timestamp"], n.sent_at.to_string());
    // The old receiver's check, from its description, still passes with the same secret.
    let hex_sig = r.headers["x-dcms-signature"]
        .strip_prefix("sha256=")
        .unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET).unwrap();
    mac.update(&r.body);
    mac.verify_slice(&hex::decode(hex_sig).unwrap()).unwrap();
    assert!(legacy::verify(
        SECRET,
        &r.body,
        &r.headers["x-dcms-signature"]
    ));
}

#[tokio::test]
async fn a_stale_message_is_what_a_replay_looks_like_and_is_refused() {
    let receiver = Receiver::start(&[200]).await;
    let ten_minutes_ago = chrono::Utc::now() - chrono::Duration::minutes(10);
    builder(&receiver.url(), 1)
        .clock(Arc::new(ManualClock::new(ten_minutes_ago)))
        .build()
        .unwrap()
        .statement_ready(&statement())
        .await
        .unwrap();
    let r = &receiver.received()[0];
    assert!(
        !signature_is_valid(r),
        "a 10-minute-old message must not pass"
    );
    let refused = ours(r, &r.body, chrono::Utc::now().timestamp()).unwrap_err();
    assert!(refused.to_string().contains("too old"), "{refused}");
}

#[tokio::test]
async fn retries_a_500_with_the_same_signed_bytes() {
    let receiver = Receiver::start(&[500, 200]).await;
    let attempts = notifier(&receiver.url(), 3)
        .deliver(&Notification::statement_ready(&statement()))
        .await
        .unwrap();
    assert_eq!(attempts, 2);
    let got = receiver.received();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].body, got[1].body);
    assert_eq!(got[0].headers["webhook-id"], got[1].headers["webhook-id"]);
    assert!(got.iter().all(signature_is_valid));
}

#[tokio::test]
async fn does_not_retry_a_4xx() {
    let receiver = Receiver::start(&[400, 200]).await;
    let err = notifier(&receiver.url(), 4)
        .statement_ready(&statement())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::NotifyFailed(m) if m.contains("400")),
        "{err:?}"
    );
    assert_eq!(receiver.received().len(), 1);
}

#[tokio::test]
async fn gives_up_after_the_attempt_limit() {
    let receiver = Receiver::start(&[503]).await;
    let err = notifier(&receiver.url(), 3)
        .statement_ready(&statement())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::NotifyFailed(m) if m.contains("after 3 attempts")),
        "{err:?}"
    );
    assert_eq!(receiver.received().len(), 3);
}

#[tokio::test]
async fn retries_connection_errors_then_fails() {
    // A port that was just free: connections are refused.
    let addr = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap();
    let err = notifier(&format!("http://{addr}/hook"), 2)
        .statement_ready(&statement())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::NotifyFailed(m) if m.contains("after 2 attempts")),
        "{err:?}"
    );
}

#[test]
fn refuses_bad_configuration() {
    for url in ["ftp://example.com/x", "not a url"] {
        let built = WebhookNotifier::builder(url, secret()).build();
        assert!(
            matches!(built, Err(Error::InvalidInput { .. })),
            "{url}: {built:?}"
        );
    }
    for short in [b"short".as_slice(), &[1u8; 15]] {
        assert!(matches!(
            WebhookSecret::from_bytes(short),
            Err(Error::InvalidInput { .. })
        ));
    }
}
