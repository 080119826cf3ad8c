//! The claims of a DCMS token.

use serde::{Deserialize, Serialize};

/// What a caller may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// A customer: its own account only.
    Customer,
    /// A vendor's till or back office: its own vendor only.
    Vendor,
    /// The program's operator.
    Admin,
}

/// The claims a token carries. `exp`, `nbf`, `iss` and `aud` are required
/// and checked by the key ring; `account` is required for a customer and
/// `vendor` for a vendor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// Subject: who the token was issued to.
    pub sub: String,
    /// The role.
    pub role: Role,
    /// A customer's account id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// A vendor's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
    /// Expiry (seconds since the epoch).
    pub exp: u64,
    /// Not before (seconds since the epoch).
    pub nbf: u64,
    /// Issuer.
    pub iss: String,
    /// Audience.
    pub aud: String,
}
