//! The `Notifier` port: tells a vendor that a statement is ready.

use std::fmt::Debug;
use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::ids::VendorId;

/// A notifier shared between tasks.
pub type DynNotifier = Arc<dyn Notifier>;

/// "Your statement for this month is ready."
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementReady {
    /// The vendor.
    pub vendor: VendorId,
    /// The month, `yyyy-mm`.
    pub period: String,
    /// Keys of the stored documents.
    pub objects: Vec<String>,
    /// A digest of the statement's content, so a receiver can tell a
    /// re-issued statement from a repeat.
    pub digest: String,
}

/// Sends notifications.
#[async_trait]
pub trait Notifier: Send + Sync + Debug {
    /// Delivers one notification (implementations retry as they see fit).
    async fn statement_ready(&self, message: &StatementReady) -> Result<()>;
}
