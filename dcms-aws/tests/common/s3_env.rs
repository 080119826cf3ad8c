//! The S3 server of the test environment and a client that reaches it
//! without any of our code. Shared by the dcms-aws tests (through
//! `common`) and the server's back-end tests, which include this file by
//! path; it names nothing of either test crate.

#![allow(dead_code)] // each test crate uses part of this

use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
use dcms_aws::AwsSettings;

/// The MinIO (or other S3) server of the test environment.
pub struct S3Env {
    pub endpoint: String,
    pub bucket: String,
    pub access_key: String,
    pub secret_key: String,
    pub region: String,
}

impl S3Env {
    /// The variables `scripts/services/all.sh` writes for it, in the order
    /// `from_values` takes them.
    pub const VARS: [&'static str; 5] = [
        "DCMS_TEST_S3_ENDPOINT",
        "DCMS_TEST_S3_BUCKET",
        "DCMS_TEST_S3_ACCESS_KEY",
        "DCMS_TEST_S3_SECRET_KEY",
        "DCMS_TEST_S3_REGION",
    ];

    /// The server from the values of [`S3Env::VARS`], or None when there
    /// are not five.
    pub fn from_values(values: Vec<String>) -> Option<S3Env> {
        let [endpoint, bucket, access_key, secret_key, region] =
            <[String; 5]>::try_from(values).ok()?;
        Some(S3Env {
            endpoint,
            bucket,
            access_key,
            secret_key,
            region,
        })
    }

    /// Settings that point our S3 code at this server.
    pub fn settings(&self) -> AwsSettings {
        AwsSettings::new()
            .region(&self.region)
            .endpoint_url(&self.endpoint)
            .static_credentials(&self.access_key, &self.secret_key)
    }

    /// A raw SDK client for this server, to check what S3 really holds.
    pub fn raw_client(&self) -> aws_sdk_s3::Client {
        raw_s3_client(
            &self.endpoint,
            &self.region,
            &self.access_key,
            &self.secret_key,
        )
    }
}

/// A raw SDK client (path-style, static credentials) for the S3 server at
/// `endpoint`.
pub fn raw_s3_client(
    endpoint: &str,
    region: &str,
    access_key: &str,
    secret_key: &str,
) -> aws_sdk_s3::Client {
    let config = aws_sdk_s3::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region.to_string()))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new(access_key, secret_key, None, None, "test"))
        .force_path_style(true)
        .build();
    aws_sdk_s3::Client::from_conf(config)
}
