//! `LocalDirStore`: the embedded object store (a local directory) where
//! month close writes each vendor's statement documents.

use std::path::PathBuf;
use std::sync::Arc;

use dcms_core::ObjectStore;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::errors::CoreResult;
use crate::runtime::block_on;

/// Objects (statement documents) kept in a local directory.
#[pyclass(module = "dcms", name = "LocalDirStore", frozen)]
#[derive(Debug, Clone)]
pub(crate) struct LocalDirStore {
    pub(crate) inner: Arc<dcms_core::object_local::LocalDirStore>,
}

#[pymethods]
impl LocalDirStore {
    /// Opens (creating if needed) the object directory at `path`.
    #[new]
    fn new(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        let store = dcms_core::object_local::LocalDirStore::open(path).py(py)?;
        Ok(LocalDirStore {
            inner: Arc::new(store),
        })
    }

    /// The directory.
    #[getter]
    fn root(&self) -> PathBuf {
        self.inner.root().to_path_buf()
    }

    /// The bytes stored under `key` (e.g. `statements/<vendor>/2026-03.csv`).
    fn get<'py>(&self, py: Python<'py>, key: &str) -> PyResult<Bound<'py, PyBytes>> {
        let store = self.inner.clone();
        let bytes = block_on(py, async move { store.get(key).await })?.py(py)?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// The keys stored under `prefix`, in order.
    #[pyo3(signature = (prefix = ""))]
    fn list(&self, py: Python<'_>, prefix: &str) -> PyResult<Vec<String>> {
        let store = self.inner.clone();
        let metas = block_on(py, async move { store.list(prefix).await })?.py(py)?;
        Ok(metas.into_iter().map(|m| m.key).collect())
    }

    fn __repr__(&self) -> String {
        format!("LocalDirStore({:?})", self.inner.root())
    }
}
