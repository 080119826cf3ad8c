//! Object store conformance (being written).
