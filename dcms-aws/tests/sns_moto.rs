//! The SNS notifier against moto's SNS (from `scripts/services`): a publish is
//! accepted, and moto's own record of the topic holds exactly our JSON.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{env_or_skip, moto_sent, raw_sns_client, unique};
use dcms_aws::{AwsSettings, Notification, SnsNotifier};
use dcms_core::{Error, Notifier, StatementReady, VendorId};

fn settings(endpoint: &str) -> AwsSettings {
    // moto accepts any credentials; the account is always 123456789012.
    AwsSettings::new()
        .region("us-east-1")
        .endpoint_url(endpoint)
        .static_credentials("test", "test")
}

fn statement() -> StatementReady {
    StatementReady {
        vendor: VendorId::new("corner-shop").unwrap(),
        period: "2026-01".into(),
        objects: vec!["statements/corner-shop/2026-01.csv".into()],
        digest: "sha256:abc".into(),
    }
}

#[tokio::test]
async fn publishes_the_notification_json_to_the_topic() {
    let Some(v) = env_or_skip("sns publish", &["DCMS_TEST_SNS_ENDPOINT"]) else {
        return;
    };
    let endpoint = &v[0];
    let name = unique("topic").replace(['/', '-'], "_");
    let topic_arn = raw_sns_client(endpoint)
        .create_topic()
        .name(&name)
        .send()
        .await
        .unwrap()
        .topic_arn()
        .unwrap()
        .to_owned();

    let sns = SnsNotifier::new(&topic_arn, &settings(endpoint))
        .await
        .unwrap();
    let notification = Notification::statement_ready(&statement());
    let message_id = sns.publish(&notification).await.unwrap();
    assert!(!message_id.is_empty());
    sns.statement_ready(&statement()).await.unwrap(); // through the port

    let sent = moto_sent(endpoint, &topic_arn).await;
    assert_eq!(sent.len(), 2, "{sent:?}");
    let (id, message, subject) = &sent[0];
    assert_eq!(id, &message_id);
    assert_eq!(subject, "DCMS statement ready");
    let received: Notification = serde_json::from_str(message).unwrap();
    assert_eq!(received, notification);
    let second: Notification = serde_json::from_str(&sent[1].1).unwrap();
    assert_eq!(
        (second.event.as_str(), second.statement),
        ("statement.ready", statement())
    );
}

#[tokio::test]
async fn a_missing_topic_is_notify_failed_with_the_service_code() {
    let Some(v) = env_or_skip("sns missing topic", &["DCMS_TEST_SNS_ENDPOINT"]) else {
        return;
    };
    let arn = "arn:aws:sns:us-east-1:123456789012:dcms-no-such-topic";
    let sns = SnsNotifier::new(arn, &settings(&v[0])).await.unwrap();
    match sns.statement_ready(&statement()).await {
        Err(Error::NotifyFailed(message)) => assert!(message.contains("NotFound"), "{message}"),
        other => panic!("expected NotifyFailed(NotFound), got {other:?}"),
    }
}

#[tokio::test]
async fn a_topic_that_is_not_an_arn_is_refused() {
    let err = SnsNotifier::new("my-topic", &settings("http://127.0.0.1:1"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
}
