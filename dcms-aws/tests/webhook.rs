//! The webhook notifier against a small HTTP receiver in the test: the
//! signature checks out (verified here with `hmac` directly, not with our own
//! helper), 5xx and connection errors are retried, 4xx is not.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use dcms_aws::webhook::{self, Backoff};
use dcms_aws::{Notification, WebhookNotifier};
use dcms_core::{Error, Notifier, StatementReady, VendorId};
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

fn notifier(url: &str, attempts: u32) -> WebhookNotifier {
    WebhookNotifier::builder(url, SECRET)
        .max_attempts(attempts)
        .backoff(Backoff {
            initial: Duration::from_millis(20),
            max: Duration::from_millis(100),
        })
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

/// The receiver's check, written from the spec rather than with our helper.
fn signature_is_valid(r: &Received) -> bool {
    let Some(hex_sig) = r.headers["x-dcms-signature"].strip_prefix("sha256=") else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET).unwrap();
    mac.update(&r.body);
    mac.verify_slice(&hex::decode(hex_sig).unwrap()).is_ok()
}

#[tokio::test]
async fn delivers_signed_json() {
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
    assert_eq!(r.headers["x-dcms-event"], "statement.ready");
    let n: Notification = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(n.statement, statement());
    assert_eq!(r.headers["x-dcms-timestamp"], n.sent_at.to_string());
    assert!((chrono::Utc::now().timestamp() - n.sent_at).abs() < 60);

    // Our helper agrees, and a changed body fails it.
    let header = &r.headers["x-dcms-signature"];
    assert!(webhook::verify(SECRET, &r.body, header));
    let mut altered = r.body.clone();
    altered[10] ^= 1;
    assert!(!webhook::verify(SECRET, &altered, header));
    assert!(!webhook::verify(b"another-secret-of-16+", &r.body, header));
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
    assert_eq!(
        got[0].headers["x-dcms-signature"],
        got[1].headers["x-dcms-signature"]
    );
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
    for (url, secret) in [
        ("ftp://example.com/x", SECRET),
        ("not a url", SECRET),
        ("https://example.com/x", b"short".as_slice()),
    ] {
        let built = WebhookNotifier::builder(url, secret).build();
        assert!(
            matches!(built, Err(Error::InvalidInput { .. })),
            "{url}: {built:?}"
        );
    }
}
