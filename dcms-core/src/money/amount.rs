//! Exact amounts: `Decimal` at the edges, integer minor units inside.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::Currency;
use crate::error::{Error, Result};

/// An exact amount of one currency, held as integer minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    /// Amount in minor units (cents for USD).
    pub minor: i64,
    /// Its currency.
    pub currency: Currency,
}

fn invalid(value: impl fmt::Display, reason: &str) -> Error {
    Error::InvalidAmount {
        value: value.to_string(),
        reason: reason.to_string(),
    }
}

impl Money {
    /// Wraps a minor-unit count.
    pub fn from_minor(minor: i64, currency: Currency) -> Self {
        Money { minor, currency }
    }

    /// Converts a decimal amount exactly. More decimals than the currency
    /// allows, or a value beyond `i64` minor units, is an error, never a rounding.
    pub fn from_decimal(value: Decimal, currency: Currency) -> Result<Self> {
        let exponent = u32::from(currency.exponent);
        // Fast path for the usual till input (`6.63`, `10`, `10.00`): at most
        // the currency's decimals, so `mantissa * 10^(exponent - scale)` is
        // the exact minor-unit count; only its range needs checking.
        if let Some(gap) = exponent.checked_sub(value.scale()) {
            let minor = 10i128
                .checked_pow(gap)
                .and_then(|factor| value.mantissa().checked_mul(factor))
                .and_then(|m| i64::try_from(m).ok())
                .ok_or_else(|| invalid(value, "too large"))?;
            return Ok(Money { minor, currency });
        }
        // More decimals than allowed, unless they are trailing zeros (`6.630`).
        let normalized = value.normalize();
        if normalized.scale() > exponent {
            return Err(invalid(
                value,
                &format!(
                    "{} allows {} decimal places",
                    currency.code, currency.exponent
                ),
            ));
        }
        let scaled = normalized
            .checked_mul(Decimal::from(currency.minor_per_major()))
            .ok_or_else(|| invalid(value, "too large"))?;
        // `scaled` is an integer now: its scale was at most `exponent`.
        let minor = i64::try_from(scaled.trunc()).map_err(|_| invalid(value, "too large"))?;
        Ok(Money { minor, currency })
    }

    /// Like [`Money::from_decimal`] but refuses negative amounts.
    pub fn from_decimal_non_negative(value: Decimal, currency: Currency) -> Result<Self> {
        let m = Money::from_decimal(value, currency)?;
        if m.minor < 0 {
            return Err(invalid(value, "must not be negative"));
        }
        Ok(m)
    }

    /// Parses a plain decimal string such as `"12.30"` exactly.
    pub fn parse(text: &str, currency: Currency) -> Result<Self> {
        Money::from_decimal(Money::parse_decimal(text)?, currency)
    }

    /// Reads a plain decimal string exactly, before any currency is known:
    /// an optional minus sign, digits, and an optional point followed by
    /// digits (surrounding spaces are ignored). Grouping separators, a
    /// decimal comma, exponents, underscores, `NaN` and the like are
    /// refused as [`Error::InvalidAmount`]; whether the currency allows that
    /// many decimals is checked when the value becomes [`Money`].
    pub fn parse_decimal(text: &str) -> Result<Decimal> {
        let t = text.trim();
        let digits = t.strip_prefix('-').unwrap_or(t);
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "1"));
        let all_digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
        if t.len() > 40 || !all_digits(whole) || !all_digits(fraction) {
            return Err(invalid(text, "not a decimal number"));
        }
        Decimal::from_str_exact(t).map_err(|_| invalid(text, "not a decimal number"))
    }

    /// The amount as an exact decimal with the currency's scale.
    pub fn to_decimal(&self) -> Decimal {
        Decimal::new(self.minor, u32::from(self.currency.exponent))
    }

    /// Adds two amounts of one currency.
    pub fn checked_add(self, other: Money) -> Result<Money> {
        self.same_currency(other)?;
        let minor = self
            .minor
            .checked_add(other.minor)
            .ok_or_else(|| invalid(self, "sum too large"))?;
        Ok(Money { minor, ..self })
    }

    /// Subtracts `other` from `self`.
    pub fn checked_sub(self, other: Money) -> Result<Money> {
        self.same_currency(other)?;
        let minor = self
            .minor
            .checked_sub(other.minor)
            .ok_or_else(|| invalid(self, "difference too large"))?;
        Ok(Money { minor, ..self })
    }

    fn same_currency(self, other: Money) -> Result<()> {
        if self.currency.code != other.currency.code {
            return Err(Error::invalid_input(
                "currency",
                format!(
                    "cannot mix {} and {}",
                    self.currency.code, other.currency.code
                ),
            ));
        }
        Ok(())
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.to_decimal(), self.currency.code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd() -> Currency {
        Currency::builtin("USD").unwrap()
    }

    #[test]
    fn exact_conversions() {
        assert_eq!(Money::parse("12.30", usd()).unwrap().minor, 1230);
        assert_eq!(Money::parse("12.3000", usd()).unwrap().minor, 1230);
        assert_eq!(Money::parse("0", usd()).unwrap().minor, 0);
        let jpy = Currency::builtin("JPY").unwrap();
        assert_eq!(Money::parse("3370", jpy).unwrap().minor, 3370);
        let kwd = Currency::builtin("KWD").unwrap();
        assert_eq!(Money::parse("1.125", kwd).unwrap().minor, 1125);
        assert_eq!(
            Money::from_minor(1125, kwd).to_decimal().to_string(),
            "1.125"
        );
    }

    #[test]
    fn refusals_not_roundings() {
        assert!(matches!(
            Money::parse("1.234", usd()),
            Err(Error::InvalidAmount { .. })
        ));
        let jpy = Currency::builtin("JPY").unwrap();
        assert!(Money::parse("1.5", jpy).is_err());
        assert!(Money::parse("99999999999999999999", usd()).is_err());
        assert!(Money::parse("92233720368547758.08", usd()).is_err());
        assert!(Money::parse("92233720368547758.07", usd()).is_ok());
        assert!(Money::parse("abc", usd()).is_err());
        assert!(Money::parse("", usd()).is_err());
        assert!(Money::parse("1e5", usd()).is_err());
        assert!(Money::from_decimal_non_negative(Decimal::new(-1, 2), usd()).is_err());
    }
}
