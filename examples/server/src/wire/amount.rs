//! Money amounts on the wire: a JSON string in plain decimal form.
//!
//! `"6.63"`, `"10"` and `"0.5"` are amounts; a JSON number, an exponent
//! (`"1e3"`), underscores (`"1_000"`), a sign (`"+1"`, `"-1"`), spaces,
//! a bare point (`".5"`, `"5."`) and leading zeros (`"007"`) are refused with
//! 400 and a message that says what to send. Whether the decimals fit the
//! currency is the core's rule (an `invalid_amount` error).

use std::fmt;

use rust_decimal::Decimal;
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer};
use utoipa::ToSchema;

/// Longest amount text accepted.
const MAX_LEN: usize = 32;

/// A non-negative amount of money, exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ToSchema)]
#[schema(value_type = String, pattern = r"^(0|[1-9][0-9]*)(\.[0-9]+)?$", example = "6.63")]
pub struct Amount(pub Decimal);

/// Checks the plain decimal form and converts it exactly.
pub fn parse_amount(text: &str) -> Result<Decimal, String> {
    let bad = |why: &str| {
        Err(format!(
            "amount {text:?} {why}; send a decimal string such as \"6.63\""
        ))
    };
    if text.is_empty() || text.len() > MAX_LEN {
        return bad(&format!("must be 1 to {MAX_LEN} characters"));
    }
    let (whole, frac) = match text.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (text, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || !frac.is_none_or(digits) {
        return bad("is not plain digits with an optional decimal point (no sign, exponent, spaces or separators)");
    }
    if whole.len() > 1 && whole.starts_with('0') {
        return bad("has leading zeros");
    }
    match Decimal::from_str_exact(text) {
        Ok(d) => Ok(d),
        Err(_) => bad("is too large or has too many decimals"),
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Amount;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an amount as a decimal string such as \"6.63\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Amount, E> {
                parse_amount(v).map(Amount).map_err(E::custom)
            }
        }
        d.deserialize_str(V)
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[derive(Debug, Deserialize)]
    struct Body {
        #[allow(dead_code)]
        amount: Amount,
    }

    #[test]
    fn plain_decimal_strings_are_amounts() {
        for (text, want) in [
            ("6.63", "6.63"),
            ("10", "10"),
            ("0.5", "0.5"),
            ("0", "0"),
            ("10.00", "10.00"),
        ] {
            assert_eq!(parse_amount(text).unwrap().to_string(), want);
        }
    }

    #[test]
    fn every_other_spelling_is_refused_with_a_message() {
        let table: &[(&str, &str)] = &[
            (r#"{"amount": 6.63}"#, "decimal string"),
            (r#"{"amount": 6}"#, "decimal string"),
            (r#"{"amount": "1e3"}"#, "plain digits"),
            (r#"{"amount": "1E3"}"#, "plain digits"),
            (r#"{"amount": "1_000"}"#, "plain digits"),
            (r#"{"amount": "1,000"}"#, "plain digits"),
            (r#"{"amount": "+1"}"#, "plain digits"),
            (r#"{"amount": "-1"}"#, "plain digits"),
            (r#"{"amount": " 1"}"#, "plain digits"),
            (r#"{"amount": "1 "}"#, "plain digits"),
            (r#"{"amount": ".5"}"#, "plain digits"),
            (r#"{"amount": "5."}"#, "plain digits"),
            (r#"{"amount": "1.2.3"}"#, "plain digits"),
            (r#"{"amount": "007"}"#, "leading zeros"),
            (r#"{"amount": ""}"#, "1 to 32"),
            (r#"{"amount": "NaN"}"#, "plain digits"),
            (r#"{"amount": "Infinity"}"#, "plain digits"),
            (r#"{"amount": "0x10"}"#, "plain digits"),
            (r#"{"amount": "١٢"}"#, "plain digits"),
            (
                r#"{"amount": "99999999999999999999999999999"}"#,
                "too large",
            ),
            (
                r#"{"amount": "123456789012345678901234567890123"}"#,
                "1 to 32",
            ),
            (r#"{"amount": null}"#, "decimal string"),
            (r#"{"amount": true}"#, "decimal string"),
            (r#"{"amount": ["1"]}"#, "decimal string"),
        ];
        for (body, says) in table {
            let err = serde_json::from_str::<Body>(body).unwrap_err().to_string();
            assert!(err.contains(says), "{body}: {err}");
        }
    }
}
