//! The vendors and their local days, read with plain SQL (the vendor's
//! settings are a JSON body; only its time zone matters here).

use dcms_core::calendar::Month;
use dcms_core::Vendor;
use sqlx::{AnyConnection, Row};

use crate::calendar::{days, Day};
use crate::Res;

/// A vendor's ledger account and the local days of the month.
#[derive(Debug, Clone)]
pub struct VendorMonth {
    pub account: String,
    pub days: Vec<Day>,
}

impl VendorMonth {
    /// Start of the month (UTC nanoseconds).
    pub fn from(&self) -> i64 {
        self.days.first().map(|d| d.lo).unwrap_or(0)
    }

    /// End of the month (UTC nanoseconds).
    pub fn to(&self) -> i64 {
        self.days.last().map(|d| d.hi).unwrap_or(0)
    }
}

/// Every vendor, in id order, with its month.
pub async fn read(conn: &mut AnyConnection, month: Month) -> Res<Vec<VendorMonth>> {
    let rows = sqlx::query("SELECT id, body FROM dcms_vendors ORDER BY id")
        .fetch_all(&mut *conn)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        let id: String = row.try_get(0)?;
        let body: String = row.try_get(1)?;
        let vendor: Vendor = serde_json::from_str(&body)?;
        out.push(VendorMonth {
            account: format!("vendor:{id}:{}", vendor.currency.code),
            days: days(vendor.time_zone, month)?,
        });
    }
    Ok(out)
}
