//! Who is calling: bearer tokens (JWT) checked against pinned keys, then
//! the caller's role and what it owns.
//!
//! - [`keys`]: the key ring: the pinned algorithm, the JWKS file with `kid`s
//!   (re-read on SIGHUP and on a timer, so a key can be rotated out), or an
//!   HS256 secret for development;
//! - [`claims`]: the claims a token must carry;
//! - [`caller`]: the extractors handlers take (`Caller`, `Customer`,
//!   `VendorCaller`, `Admin`), which refuse the wrong role with 403.

pub mod caller;
pub mod claims;
pub mod keys;

pub use caller::{Admin, Caller, Customer, VendorCaller};
pub use claims::{Claims, Role};
pub use keys::KeyRing;
