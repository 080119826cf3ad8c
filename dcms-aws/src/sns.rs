//! [`SnsNotifier`]: publishes each notification to an SNS topic, from which
//! AWS fans it out to e-mail, SQS or HTTPS subscribers.

use async_trait::async_trait;
use aws_sdk_sns::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_sns::types::MessageAttributeValue;
use dcms_core::{Error, Notifier, Result, StatementReady};

use crate::message::Notification;
use crate::settings::AwsSettings;

/// Publishes [`Notification`] JSON to an SNS topic.
#[derive(Debug, Clone)]
pub struct SnsNotifier {
    client: aws_sdk_sns::Client,
    topic_arn: String,
}

impl SnsNotifier {
    /// A notifier for `topic_arn`, reaching SNS as `aws` says. Does not
    /// contact SNS.
    pub async fn new(topic_arn: impl Into<String>, aws: &AwsSettings) -> Result<Self> {
        let topic_arn = topic_arn.into();
        if !topic_arn.starts_with("arn:") {
            return Err(Error::InvalidInput {
                field: "topic ARN",
                reason: format!("{topic_arn:?} is not an ARN"),
            });
        }
        let sdk = aws.load().await?;
        Ok(SnsNotifier {
            client: aws_sdk_sns::Client::new(&sdk),
            topic_arn,
        })
    }

    /// The topic.
    pub fn topic_arn(&self) -> &str {
        &self.topic_arn
    }

    /// Publishes one notification; returns SNS's message id.
    pub async fn publish(&self, notification: &Notification) -> Result<String> {
        let body = String::from_utf8(notification.to_json()?)
            .map_err(|e| Error::NotifyFailed(format!("encode notification: {e}")))?;
        // An attribute lets subscribers filter by event without parsing the body.
        let event = MessageAttributeValue::builder()
            .data_type("String")
            .string_value(&notification.event)
            .build()
            .map_err(|e| Error::NotifyFailed(format!("SNS message attribute: {e}")))?;
        let out = self
            .client
            .publish()
            .topic_arn(&self.topic_arn)
            .subject("DCMS statement ready")
            .message(body)
            .message_attributes("event", event)
            .send()
            .await
            .map_err(|e| self.failed(e))?;
        Ok(out.message_id().unwrap_or_default().to_owned())
    }

    fn failed<E>(&self, err: SdkError<E>) -> Error
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let topic = &self.topic_arn;
        match &err {
            SdkError::ServiceError(service) => Error::NotifyFailed(format!(
                "SNS publish to {topic}: {} (HTTP {})",
                service.err().code().unwrap_or("no error code"),
                service.raw().status().as_u16()
            )),
            _ => Error::NotifyFailed(format!(
                "SNS publish to {topic}: {}",
                DisplayErrorContext(&err)
            )),
        }
    }
}

#[async_trait]
impl Notifier for SnsNotifier {
    async fn statement_ready(&self, message: &StatementReady) -> Result<()> {
        self.publish(&Notification::statement_ready(message))
            .await
            .map(drop)
    }
}
