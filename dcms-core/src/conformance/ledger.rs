//! Ledger store conformance (being written).
