//! A local-directory object store (being written).
