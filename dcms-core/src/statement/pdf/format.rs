//! Words and numbers as a statement shows them: kinds with human labels,
//! points and money grouped by thousands.

use crate::calendar::Month;
use crate::money::{Currency, Money};
use crate::transaction::TxKind;

/// What a person calls a kind of movement.
pub(super) fn kind_label(kind: TxKind) -> &'static str {
    match kind {
        TxKind::ChangeCredit => "Change credited",
        TxKind::Redemption => "Redeemed",
        TxKind::Hold => "Held for a purchase",
        TxKind::HoldCapture => "Redeemed (held)",
        TxKind::HoldVoid => "Hold cancelled",
        TxKind::HoldRelease => "Hold expired",
        TxKind::Transfer => "Transferred",
        TxKind::Reversal => "Reversed",
        TxKind::Adjustment => "Adjusted",
        TxKind::Expiry => "Expired",
    }
}

/// `1234567` as `1,234,567`, `-5` as `-5`.
pub(super) fn points(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    group(&digits, &mut out);
    out
}

/// A count, grouped like [`points`].
pub(super) fn count(n: u64) -> String {
    points(i64::try_from(n).unwrap_or(i64::MAX))
}

/// Like [`points`], with `+` on positive numbers (a movement's direction).
pub(super) fn signed(n: i64) -> String {
    if n > 0 {
        format!("+{}", points(n))
    } else {
        points(n)
    }
}

/// Appends the ASCII digits `digits` to `out` with a comma every three.
fn group(digits: &str, out: &mut String) {
    let len = digits.len();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (len - i) % 3 == 0 {
            out.push(',');
        }
        out.push(d);
    }
}

/// The money value of `points` at `per_minor` points per minor unit, as
/// `1,234.56` (no currency code: the column header names it). A value
/// below one minor unit that does not divide evenly is marked `~`.
pub(super) fn money(points: i64, per_minor: i64, currency: Currency) -> String {
    let per_minor = per_minor.max(1);
    let value = Money::from_minor(points / per_minor, currency).to_decimal();
    let text = value.abs().to_string();
    let (whole, fraction) = match text.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (text.as_str(), None),
    };
    let mut out = String::new();
    if points % per_minor != 0 {
        out.push('~');
    }
    if value.is_sign_negative() && !value.is_zero() {
        out.push('-');
    }
    group(whole, &mut out);
    if let Some(f) = fraction {
        out.push('.');
        out.push_str(f);
    }
    out
}

/// `2026-03` as `March 2026` (the month's number when it has no date).
pub(super) fn month_name(month: Month) -> String {
    match month.first_day() {
        Ok(day) => day.format("%B %Y").to_string(),
        Err(_) => month.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn numbers_are_grouped_by_thousands() {
        assert_eq!(points(0), "0");
        assert_eq!(points(999), "999");
        assert_eq!(points(1000), "1,000");
        assert_eq!(points(-1234567), "-1,234,567");
        assert_eq!(points(i64::MIN), "-9,223,372,036,854,775,808");
        assert_eq!(signed(25), "+25");
        assert_eq!(signed(-25), "-25");
        let usd = Currency::builtin("USD").unwrap();
        assert_eq!(money(123456, 1, usd), "1,234.56");
        assert_eq!(money(-5, 1, usd), "-0.05");
        assert_eq!(money(0, 1, usd), "0.00");
        assert_eq!(money(25, 10, usd), "~0.02");
        let jpy = Currency::builtin("JPY").unwrap();
        assert_eq!(money(1_000_000, 1, jpy), "1,000,000");
        assert_eq!(month_name(Month::parse("2026-03").unwrap()), "March 2026");
    }
}
