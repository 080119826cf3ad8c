//! Argument and result conversions between JavaScript values and core types.
//!
//! Money crosses as a decimal string (`"3.37"`); a JS number is refused
//! with a `TypeError`, since money is never a float. Points come in as a
//! safe-integer number or a bigint and go out as numbers (as bigints only
//! beyond `Number.MAX_SAFE_INTEGER`, which no real balance reaches). Times
//! are `Date`s. Account ids are the digit strings printed on cards.
//!
//! The aliases below (`Amount`, `Points`, `TxRef`, `PointCount`) name the
//! JavaScript-facing types; the generated `index.d.ts` refers to them by
//! name and its header (`types-header.d.ts`) declares them.

use dcms_core::calendar::Month;
use dcms_core::{CustomerId, Money, PosRef, TxId, VendorId};
use napi::bindgen_prelude::{BigInt, Either};
use rust_decimal::Decimal;

use crate::errors::{type_error, CoreResult};

/// An amount of money as JavaScript gives it: a decimal string (Left); a
/// number (Right) is refused.
pub(crate) type Amount = Either<String, f64>;

/// A count of points as JavaScript gives it: a number or a bigint.
pub(crate) type Points = Either<f64, BigInt>;

/// A transaction id as JavaScript gives it: a number or a bigint.
pub(crate) type TxRef = Either<f64, BigInt>;

/// A count of points going out: a number, or a bigint beyond 2^53 - 1.
pub(crate) type PointCount = Either<i64, BigInt>;

/// The largest integer a JS number holds exactly (`Number.MAX_SAFE_INTEGER`).
const MAX_SAFE: i64 = (1 << 53) - 1;

/// The decimal an amount string stands for. Parsing is exact and the
/// currency's decimals are checked by the core when it converts to minor
/// units; here only "is this a decimal at all" is decided.
pub(crate) fn amount(value: Amount) -> napi::Result<Decimal> {
    match value {
        Either::A(text) => Money::parse_decimal(&text).js(),
        Either::B(number) => Err(type_error(format!(
            "money is never a float: pass the decimal string \"{number}\" instead of the number {number}"
        ))),
    }
}

/// An integer from a JS number, refusing fractions, NaN and unsafe sizes.
fn whole(number: f64, what: &str) -> napi::Result<i64> {
    // The range check first: within ±2^53 the cast below is exact.
    if !number.is_finite() || number.fract() != 0.0 || number.abs() > MAX_SAFE as f64 {
        return Err(type_error(format!(
            "{what} is a whole number within Number.MAX_SAFE_INTEGER, or a bigint; got {number}"
        )));
    }
    Ok(number as i64)
}

/// An integer from a JS bigint that fits in 64 signed bits.
fn big(value: &BigInt, what: &str) -> napi::Result<i64> {
    let (n, lossless) = value.get_i64();
    if !lossless {
        return Err(type_error(format!("{what} does not fit in 64 bits")));
    }
    Ok(n)
}

/// Points given by JavaScript.
pub(crate) fn points_in(value: Points) -> napi::Result<i64> {
    match value {
        Either::A(n) => whole(n, "points"),
        Either::B(b) => big(&b, "points"),
    }
}

/// Optional points given by JavaScript.
pub(crate) fn points_opt_in(value: Option<Points>) -> napi::Result<Option<i64>> {
    value.map(points_in).transpose()
}

/// A transaction id given by JavaScript.
pub(crate) fn tx_id(value: TxRef) -> napi::Result<TxId> {
    let n = match value {
        Either::A(n) => whole(n, "a transaction id")?,
        Either::B(b) => big(&b, "a transaction id")?,
    };
    u64::try_from(n)
        .map(TxId)
        .map_err(|_| type_error("a transaction id is not negative"))
}

/// Points going back to JavaScript.
pub(crate) fn count(points: i64) -> PointCount {
    if (-MAX_SAFE..=MAX_SAFE).contains(&points) {
        Either::A(points)
    } else {
        Either::B(BigInt::from(points))
    }
}

/// A transaction id going back to JavaScript (ids grow one by one from 1,
/// so they stay far below 2^53).
pub(crate) fn tx_out(id: TxId) -> f64 {
    id.0 as f64
}

/// A money amount as its decimal string with the currency's scale (`"3.00"`).
pub(crate) fn money_out(money: &Money) -> String {
    money.to_decimal().to_string()
}

/// A customer account id given as its digit string.
pub(crate) fn account(text: &str) -> napi::Result<CustomerId> {
    CustomerId::parse(text).js()
}

/// A vendor id.
pub(crate) fn vendor(text: String) -> napi::Result<VendorId> {
    VendorId::new(text).js()
}

/// A calendar month given as `"yyyy-mm"`.
pub(crate) fn month_in(text: &str) -> napi::Result<Month> {
    Month::parse(text).js()
}

/// An IANA time zone name such as `"America/New_York"` (None: UTC).
pub(crate) fn zone(text: Option<&str>) -> napi::Result<chrono_tz::Tz> {
    text.map_or(Ok(chrono_tz::UTC), |t| {
        dcms_core::Vendor::parse_time_zone(t).js()
    })
}

/// A duration in milliseconds, refusing fractions and negatives.
pub(crate) fn millis(ms: f64, what: &str) -> napi::Result<chrono::Duration> {
    let n = whole(ms, what)?;
    if n < 0 {
        return Err(type_error(format!("{what} must not be negative")));
    }
    Ok(chrono::Duration::milliseconds(n))
}

/// The point-of-sale fields every till write takes.
#[napi_derive::napi(object)]
#[derive(Debug, Clone, Default)]
pub struct PosFields {
    /// The store, as the POS reports it.
    pub store_id: Option<String>,
    /// The till.
    pub terminal_id: Option<String>,
    /// The POS's receipt number.
    pub receipt_no: Option<String>,
}

/// The core's POS reference from the optional fields.
pub(crate) fn pos(p: Option<PosFields>) -> PosRef {
    let p = p.unwrap_or_default();
    PosRef {
        store_id: p.store_id,
        terminal_id: p.terminal_id,
        receipt_no: p.receipt_no,
    }
}
