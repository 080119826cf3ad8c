//! The requests a point of sale sends. Amounts are `Decimal` at this edge.

use chrono::Duration;
use rust_decimal::Decimal;

use crate::ids::{CustomerId, PosRef, VendorId};

/// Credit the change of a cash sale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditChange {
    /// Idempotency key; a POS sends vendor id + its receipt number.
    pub key: String,
    /// The vendor whose till rang the sale.
    pub vendor: VendorId,
    /// The customer's account.
    pub account: CustomerId,
    /// The sale total, in the vendor's currency.
    pub total: Decimal,
    /// Cash handed over.
    pub tendered: Decimal,
    /// Store, till and receipt number.
    pub pos: PosRef,
}

/// Spend points at a vendor in one step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redeem {
    /// Idempotency key.
    pub key: String,
    /// The vendor where the points are spent.
    pub vendor: VendorId,
    /// The customer's account.
    pub account: CustomerId,
    /// Points to spend.
    pub points: i64,
    /// Store, till and receipt number.
    pub pos: PosRef,
}

/// Set points aside for a two-phase redemption.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoldRequest {
    /// Idempotency key.
    pub key: String,
    /// The vendor where the points will be spent.
    pub vendor: VendorId,
    /// The customer's account.
    pub account: CustomerId,
    /// Points to hold.
    pub points: i64,
    /// How long the hold lives (None = the program's default).
    pub ttl: Option<Duration>,
    /// Store, till and receipt number.
    pub pos: PosRef,
}
