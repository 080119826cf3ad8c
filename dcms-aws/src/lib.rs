//! # dcms-aws
//!
//! The network adapters of DCMS: everything that talks to another machine
//! lives here, so `dcms-core` stays free of I/O crates.
//!
//! - [`S3ObjectStore`]: the [`ObjectStore`](dcms_core::ObjectStore) on S3 or an
//!   S3-compatible server (MinIO…): server-side encryption on every put,
//!   encryption reported back by `head`, pre-signed GET URLs, paginated listing.
//! - [`SnsNotifier`]: publishes "statement ready" to an SNS topic.
//! - [`WebhookNotifier`]: POSTs it to a vendor's URL, signed per Standard
//!   Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature` with a
//!   `whsec_` [`WebhookSecret`]), with bounded retries. Not AWS, but a
//!   network adapter all the same.
//!
//! [`AwsSettings`] says how to reach AWS (region, endpoint, credentials,
//! timeouts); unset parts come from the standard AWS chain. Both notifiers
//! send the same [`Notification`] JSON.
//!
//! ```no_run
//! # async fn demo() -> dcms_core::Result<()> {
//! use dcms_aws::{AwsSettings, S3ObjectStore};
//! let aws = AwsSettings::new()
//!     .region("us-east-1")
//!     .endpoint_url("http://127.0.0.1:9000")
//!     .static_credentials("access-key", "secret-key");
//! let store = S3ObjectStore::builder("dcms-statements")
//!     .aws(aws)
//!     .path_style(true)
//!     .key_prefix("prod")
//!     .build()
//!     .await?;
//! # Ok(()) }
//! ```

pub mod message;
pub mod s3;
pub mod settings;
pub mod sns;
pub mod webhook;

pub use message::Notification;
pub use s3::{S3ObjectStore, S3ObjectStoreBuilder};
pub use settings::AwsSettings;
pub use sns::SnsNotifier;
pub use webhook::{WebhookBuilder, WebhookNotifier, WebhookSecret};
