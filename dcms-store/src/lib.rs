//! DCMS ledger stores on SQL databases (work in progress).
