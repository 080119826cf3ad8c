//! [`AwsSettings`]: how to reach AWS (or an S3/SNS-compatible server), shared
//! by the S3 store and the SNS notifier so one configuration serves both.

use std::fmt;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_s3::config::Credentials;
use dcms_core::{Error, Result};

/// Region, endpoint, credentials, timeouts and retries for an AWS client.
///
/// Anything left unset comes from the standard AWS chain (environment,
/// profile files, container or instance credentials) through `aws-config`.
#[derive(Clone)]
pub struct AwsSettings {
    region: Option<String>,
    endpoint_url: Option<String>,
    credentials: Option<(String, String)>,
    connect_timeout: Duration,
    operation_timeout: Duration,
    max_attempts: u32,
}

impl fmt::Debug for AwsSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The secret key never reaches a log; the access key id is not a secret.
        f.debug_struct("AwsSettings")
            .field("region", &self.region)
            .field("endpoint_url", &self.endpoint_url)
            .field(
                "access_key_id",
                &self.credentials.as_ref().map(|(id, _)| id),
            )
            .field("connect_timeout", &self.connect_timeout)
            .field("operation_timeout", &self.operation_timeout)
            .field("max_attempts", &self.max_attempts)
            .finish()
    }
}

impl Default for AwsSettings {
    fn default() -> Self {
        AwsSettings {
            region: None,
            endpoint_url: None,
            credentials: None,
            connect_timeout: Duration::from_secs(5),
            operation_timeout: Duration::from_secs(60),
            max_attempts: 3,
        }
    }
}

impl AwsSettings {
    /// Everything from the standard AWS chain; 5 s to connect, 60 s per
    /// operation, 3 attempts.
    pub fn new() -> Self {
        AwsSettings::default()
    }

    /// The region, e.g. `eu-west-1` (else `AWS_REGION` or the profile's).
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Sends requests to this endpoint instead of AWS's, e.g.
    /// `http://127.0.0.1:9000` for MinIO.
    pub fn endpoint_url(mut self, url: impl Into<String>) -> Self {
        self.endpoint_url = Some(url.into());
        self
    }

    /// Fixed credentials instead of the standard chain.
    pub fn static_credentials(
        mut self,
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
    ) -> Self {
        self.credentials = Some((access_key_id.into(), secret_access_key.into()));
        self
    }

    /// How long to wait for a connection.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long one operation may take, retries included.
    pub fn operation_timeout(mut self, timeout: Duration) -> Self {
        self.operation_timeout = timeout;
        self
    }

    /// Attempts per operation (1 = no retry). Retries are the SDK's standard
    /// ones: throttling, 5xx and connection errors, with backoff.
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Resolves the settings into an SDK configuration.
    pub(crate) async fn load(&self) -> Result<SdkConfig> {
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(self.connect_timeout)
                    .operation_timeout(self.operation_timeout)
                    .build(),
            )
            .retry_config(RetryConfig::standard().with_max_attempts(self.max_attempts));
        if let Some(region) = &self.region {
            loader = loader.region(Region::new(region.clone()));
        }
        if let Some(url) = &self.endpoint_url {
            loader = loader.endpoint_url(url.clone());
        }
        if let Some((id, secret)) = &self.credentials {
            loader = loader.credentials_provider(Credentials::new(
                id,
                secret,
                None,
                None,
                "dcms-static",
            ));
        }
        let config = loader.load().await;
        if config.region().is_none() {
            return Err(Error::InvalidInput {
                field: "region",
                reason: "no AWS region configured: set one in the settings or AWS_REGION".into(),
            });
        }
        Ok(config)
    }
}
