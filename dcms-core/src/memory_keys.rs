//! The in-memory store's idempotency-key index.
//!
//! Every append looks its key up and records it. A map from `String` would
//! hold a second copy of each key (the journal already keeps it in the
//! transaction): one allocation and copy per append and twice the memory.
//! This index stores only the transaction id and the request fingerprint,
//! hashes the key text, and compares candidates against the key stored in
//! the journal.

use std::hash::BuildHasher;

use hashbrown::HashTable;

use crate::ids::TxId;

/// One recorded key: the transaction it created and its request's fingerprint.
#[derive(Debug)]
pub(crate) struct KeyEntry {
    /// The transaction the key's first request appended.
    pub(crate) id: TxId,
    /// That request's fingerprint (compared on a replay).
    pub(crate) fingerprint: String,
}

/// Keys -> [`KeyEntry`], with the key text living in the journal.
#[derive(Debug, Default)]
pub(crate) struct KeyIndex {
    table: HashTable<KeyEntry>,
    hasher: foldhash::fast::RandomState,
}

impl KeyIndex {
    /// The entry for `key`; `key_of` gives the key of a stored transaction.
    pub(crate) fn get<'a>(
        &'a self,
        key: &str,
        key_of: impl Fn(TxId) -> Option<&'a str>,
    ) -> Option<&'a KeyEntry> {
        let hash = self.hasher.hash_one(key);
        self.table.find(hash, |e| key_of(e.id) == Some(key))
    }

    /// Records `key` (not present: the caller looked it up first). The
    /// transaction must already be in the journal, since growing the table
    /// rehashes entries through `key_of`.
    pub(crate) fn insert<'a>(
        &mut self,
        key: &str,
        entry: KeyEntry,
        key_of: impl Fn(TxId) -> Option<&'a str>,
    ) {
        let hasher = &self.hasher;
        let hash = hasher.hash_one(key);
        // A stored transaction always has its key (ids come from the
        // journal), so the empty fallback is never hashed in practice.
        self.table.insert_unique(hash, entry, |e| {
            hasher.hash_one(key_of(e.id).unwrap_or_default())
        });
    }
}
