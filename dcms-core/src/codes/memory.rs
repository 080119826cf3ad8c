//! Codes kept in the process.

use std::collections::HashMap;

use async_trait::async_trait;
use parking_lot::Mutex;

use super::record::{CodeRecord, CodeState, CodeStore};
use crate::error::Result;
use crate::ids::CustomerId;

/// A [`CodeStore`] in memory. Codes live a few minutes, so losing them on a
/// restart only means customers ask for a new one; but two server
/// processes do not share them, so a program that runs several needs a
/// store both reach.
#[derive(Debug, Default)]
pub struct MemoryCodeStore {
    codes: Mutex<HashMap<CustomerId, CodeRecord>>,
    /// Issuance keys seen, with the account they issued for (replays).
    keys: Mutex<HashMap<String, CodeRecord>>,
}

impl MemoryCodeStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

#[async_trait]
impl CodeStore for MemoryCodeStore {
    async fn issue(&self, record: CodeRecord) -> Result<CodeRecord> {
        let mut keys = self.keys.lock();
        if let Some(first) = keys.get(&record.key) {
            return Ok(first.clone());
        }
        let mut codes = self.codes.lock();
        let mut record = record;
        if let Some(old) = codes.get(&record.account) {
            // Versions keep rising per account, so a stale swap never lands.
            record.version = old.version.saturating_add(1);
        }
        keys.insert(record.key.clone(), record.clone());
        codes.insert(record.account, record.clone());
        Ok(record)
    }

    async fn current(&self, account: CustomerId) -> Result<Option<CodeRecord>> {
        Ok(self.codes.lock().get(&account).cloned())
    }

    async fn replace(&self, expected: u64, mut next: CodeRecord) -> Result<bool> {
        let mut codes = self.codes.lock();
        match codes.get(&next.account) {
            Some(cur) if cur.version == expected && cur.key == next.key => {
                next.version = expected.saturating_add(1);
                codes.insert(next.account, next);
                Ok(true)
            }
            _ => Ok(false),
        }
    }
}

impl CodeRecord {
    /// Whether a spend may still use this code at `now`.
    pub fn is_live(&self, now: chrono::DateTime<chrono::Utc>) -> bool {
        self.state == CodeState::Live && now < self.expires_at
    }
}
