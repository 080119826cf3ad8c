//! An in-memory `ObjectStore`, for tests and simulations. It keeps the
//! encryption each put asked for and reports it back, like S3 does, and
//! counts writes so tests can prove that a re-run wrote nothing.

use std::collections::BTreeMap;
use std::time::Duration;

use async_trait::async_trait;
use parking_lot::Mutex;

use crate::error::{Error, Result};
use crate::object::{
    check_object_key, ObjectMeta, ObjectStore, PresignedUrl, PutOptions, MAX_PRESIGN,
};

/// Objects in memory.
#[derive(Debug, Default)]
pub struct MemoryObjectStore {
    objects: Mutex<BTreeMap<String, (Vec<u8>, ObjectMeta)>>,
    puts: Mutex<u64>,
}

impl MemoryObjectStore {
    /// An empty store.
    pub fn new() -> Self {
        MemoryObjectStore::default()
    }

    /// How many puts succeeded so far.
    pub fn put_count(&self) -> u64 {
        *self.puts.lock()
    }
}

#[async_trait]
impl ObjectStore for MemoryObjectStore {
    async fn put(&self, key: &str, bytes: Vec<u8>, options: &PutOptions) -> Result<ObjectMeta> {
        check_object_key(key)?;
        let meta = ObjectMeta {
            key: key.to_string(),
            size: bytes.len() as u64,
            sse: Some(options.sse.clone()),
            content_type: Some(options.content_type.clone()),
        };
        self.objects
            .lock()
            .insert(key.to_string(), (bytes, meta.clone()));
        *self.puts.lock() += 1;
        Ok(meta)
    }

    async fn get(&self, key: &str) -> Result<Vec<u8>> {
        check_object_key(key)?;
        self.objects
            .lock()
            .get(key)
            .map(|(b, _)| b.clone())
            .ok_or_else(|| Error::ObjectNotFound(key.to_string()))
    }

    async fn head(&self, key: &str) -> Result<Option<ObjectMeta>> {
        check_object_key(key)?;
        Ok(self.objects.lock().get(key).map(|(_, m)| m.clone()))
    }

    async fn presign_get(&self, key: &str, expires_in: Duration) -> Result<PresignedUrl> {
        check_object_key(key)?;
        if expires_in.is_zero() || expires_in > MAX_PRESIGN {
            return Err(Error::invalid_input(
                "expiry",
                "must be more than 0 and at most 7 days",
            ));
        }
        let expires_at = chrono::Utc::now()
            + chrono::Duration::from_std(expires_in)
                .map_err(|_| Error::invalid_input("expiry", "out of range"))?;
        Ok(PresignedUrl {
            url: format!("memory://{key}?expires={}", expires_at.timestamp()),
            expires_at,
        })
    }

    async fn list(&self, prefix: &str) -> Result<Vec<ObjectMeta>> {
        Ok(self
            .objects
            .lock()
            .range(prefix.to_string()..)
            .take_while(|(k, _)| k.starts_with(prefix))
            .map(|(_, (_, m))| m.clone())
            .collect())
    }
}
