//! The plain objects that carry core results back to JavaScript: each is
//! converted from the core value at once (napi `object`s), so reading a
//! field costs nothing and `JSON.stringify` shows everything. The
//! statement is the exception: a class, because `statementRows` takes it
//! back.

mod journal;
mod quote;
mod report;
mod statement;
mod transaction;
mod vendor;

pub(crate) use journal::rows_of;
pub use journal::JournalRow;
pub use quote::{ChangeCredited, ChangeQuote};
pub use report::{ExpiringPoints, ExpiryReport, VerifyReport};
pub use statement::{CloseFailure, CloseReport, Statement, StatementRow, VendorClose};
pub use transaction::{Appended, Transaction};
pub use vendor::{Account, Balance, Vendor};
