//! SNS on the test environment's moto: a raw SDK client and what moto
//! recorded as sent. Shared by the dcms-aws tests (through `common`) and
//! the server's back-end tests, which include this file by path; it names
//! nothing of either test crate.

#![allow(dead_code)] // each test crate uses part of this

use aws_sdk_sns::config::{BehaviorVersion, Credentials, Region};

/// A raw SDK client for moto's SNS at `endpoint` (moto accepts any
/// credentials and keeps everything in account 123456789012).
pub fn raw_sns_client(endpoint: &str) -> aws_sdk_sns::Client {
    let config = aws_sdk_sns::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new("test", "test", None, None, "test"))
        .build();
    aws_sdk_sns::Client::from_conf(config)
}

/// The messages moto recorded for `topic_arn`, read from its state
/// (`/moto-api/data.json`): (message id, message, subject).
pub async fn moto_sent(endpoint: &str, topic_arn: &str) -> Vec<(String, String, String)> {
    let url = format!("{endpoint}/moto-api/data.json");
    let text = reqwest::get(url).await.unwrap().text().await.unwrap();
    let data: serde_json::Value = serde_json::from_str(&text).unwrap();
    let topics = data["sns"]["Topic"].as_array().cloned().unwrap_or_default();
    let topic = topics
        .iter()
        .find(|t| t["arn"] == topic_arn)
        .unwrap_or_else(|| panic!("moto has no topic {topic_arn}"));
    topic["sent_notifications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            let s = |i: usize| n[i].as_str().unwrap_or_default().to_owned();
            (s(0), s(1), s(2))
        })
        .collect()
}
