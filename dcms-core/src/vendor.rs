//! Vendors (the stores' owners) and customer accounts.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::change::ChangePolicy;
use crate::error::{Error, Result};
use crate::ids::{CustomerId, VendorId};
use crate::money::Currency;

/// A vendor: the business whose tills credit change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vendor {
    /// Unique id.
    pub id: VendorId,
    /// Display name, 1 to 200 characters.
    pub name: String,
    /// The currency its tills take.
    pub currency: Currency,
    /// IANA time zone: a statement month and a cap's day are this zone's.
    pub time_zone: Tz,
    /// What is credited from a sale's change.
    pub policy: ChangePolicy,
    /// Largest credit, in points, one sale may give (None = no cap).
    pub per_credit_cap: Option<i64>,
    /// Most points one account may be credited at this vendor per local day.
    pub per_day_cap: Option<i64>,
}

impl Vendor {
    /// A vendor with the default policy and no caps.
    pub fn new(id: VendorId, name: impl Into<String>, currency: Currency, time_zone: Tz) -> Self {
        Vendor {
            id,
            name: name.into(),
            currency,
            time_zone,
            policy: ChangePolicy::default(),
            per_credit_cap: None,
            per_day_cap: None,
        }
    }

    /// Parses an IANA zone name such as `"America/New_York"`.
    pub fn parse_time_zone(name: &str) -> Result<Tz> {
        name.parse::<Tz>().map_err(|_| {
            Error::invalid_input("time zone", format!("{name:?} is not an IANA time zone"))
        })
    }

    /// Checks the fields a program chose.
    pub fn validate(&self) -> Result<()> {
        let n = self.name.trim().chars().count();
        if n == 0 || n > 200 || self.name.chars().any(char::is_control) {
            return Err(Error::invalid_input(
                "vendor name",
                "must be 1 to 200 printable characters",
            ));
        }
        for (field, cap) in [
            ("per-credit cap", self.per_credit_cap),
            ("per-day cap", self.per_day_cap),
        ] {
            if matches!(cap, Some(c) if c < 0) {
                return Err(Error::invalid_input(field, "must not be negative"));
            }
        }
        Ok(())
    }
}

/// A customer's points account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerAccount {
    /// The account number with its check digit.
    pub id: CustomerId,
    /// When it was opened.
    pub opened_at: DateTime<Utc>,
}
