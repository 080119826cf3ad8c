//! `LocalDirStore`: the embedded object store (a local directory) where
//! month close writes each vendor's statement documents, sealed at rest.

use std::path::PathBuf;
use std::sync::Arc;

use dcms_core::ObjectStore;
use napi::bindgen_prelude::Buffer;
use napi_derive::napi;

use crate::errors::CoreResult;

/// Objects (statement documents) kept in a local directory.
#[napi]
#[derive(Debug, Clone)]
pub struct LocalDirStore {
    pub(crate) inner: Arc<dcms_core::object_local::LocalDirStore>,
}

#[napi]
impl LocalDirStore {
    /// Opens (creating if needed) the object directory at `path`.
    #[napi(constructor)]
    pub fn new(path: String) -> napi::Result<Self> {
        let store = dcms_core::object_local::LocalDirStore::open(PathBuf::from(path)).js()?;
        Ok(LocalDirStore {
            inner: Arc::new(store),
        })
    }

    /// The directory.
    #[napi(getter)]
    pub fn root(&self) -> String {
        self.inner.root().to_string_lossy().into_owned()
    }

    /// The bytes stored under `key` (e.g. `statements/<vendor>/2026-03.csv`), opened.
    #[napi]
    pub async fn get(&self, key: String) -> napi::Result<Buffer> {
        let bytes = self.inner.get(&key).await.js()?;
        Ok(Buffer::from(bytes.to_vec()))
    }

    /// The keys stored under `prefix` (default: all), in order.
    #[napi]
    pub async fn list(&self, prefix: Option<String>) -> napi::Result<Vec<String>> {
        let metas = self
            .inner
            .list(prefix.as_deref().unwrap_or(""))
            .await
            .js()?;
        Ok(metas.into_iter().map(|m| m.key).collect())
    }
}
