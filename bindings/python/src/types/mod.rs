//! The Python classes that carry core results back: thin, immutable wrappers
//! around the core values, converting each field when it is read.

mod expiry;
mod quote;
mod report;
mod statement;
mod transaction;
mod vendor;

pub(crate) use expiry::{ExpiringPoints, ExpiryReport};
pub(crate) use quote::{ChangeCredited, ChangeQuote};
pub(crate) use report::VerifyReport;
pub(crate) use statement::{CloseReport, Statement, VendorClose};
pub(crate) use transaction::{header_into, Appended, Posting, Transaction};
pub(crate) use vendor::{Account, Balance, Vendor};
