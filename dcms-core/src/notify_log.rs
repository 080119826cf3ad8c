//! [`LogNotifier`]: the embedded default [`Notifier`]. It writes one line per
//! notification to stderr and remembers what it sent, which is what a demo
//! shows and what a test asserts on. Nothing leaves the machine.

use async_trait::async_trait;
use parking_lot::Mutex;

use crate::error::Result;
use crate::notify::{Notifier, StatementReady};

/// A [`Notifier`] that logs to stderr and keeps a list of what it sent.
#[derive(Debug, Default)]
pub struct LogNotifier {
    quiet: bool,
    sent: Mutex<Vec<StatementReady>>,
}

impl LogNotifier {
    /// A notifier that writes each notification to stderr.
    pub fn new() -> Self {
        LogNotifier::default()
    }

    /// A notifier that only records (tests that keep their output clean).
    pub fn quiet() -> Self {
        LogNotifier {
            quiet: true,
            ..LogNotifier::default()
        }
    }

    /// Every notification sent so far, oldest first.
    pub fn sent(&self) -> Vec<StatementReady> {
        self.sent.lock().clone()
    }
}

#[async_trait]
impl Notifier for LogNotifier {
    async fn statement_ready(&self, message: &StatementReady) -> Result<()> {
        if !self.quiet {
            // JSON on one line: greppable, and parseable by a log collector.
            // Serialising plain strings cannot fail; fall back to Debug if it ever did.
            let line = serde_json::to_string(message).unwrap_or_else(|_| format!("{message:?}"));
            eprintln!("dcms notify statement_ready {line}");
        }
        self.sent.lock().push(message.clone());
        Ok(())
    }
}
