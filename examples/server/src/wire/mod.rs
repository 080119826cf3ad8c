//! What crosses the wire: strict request decoding and the response views.
//!
//! Amounts are JSON strings in plain decimal form (`"6.63"`), points are
//! JSON integers; every request type refuses unknown fields.

pub mod amount;
pub mod json;
pub mod views;

pub use amount::Amount;
pub use json::StrictJson;
