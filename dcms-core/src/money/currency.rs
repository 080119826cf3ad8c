//! ISO 4217 currencies with what coin change needs: the minor-unit exponent,
//! the smallest banknote and the cash rounding increment.

use std::collections::HashMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A three-letter ISO 4217 code, upper case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CurrencyCode([u8; 3]);

impl CurrencyCode {
    /// ISO 4217's "no currency" code.
    pub const XXX: CurrencyCode = CurrencyCode(*b"XXX");

    /// Checks and wraps a code such as `"USD"` (case-insensitive).
    pub fn new(code: &str) -> Result<Self> {
        let b = code.trim().as_bytes();
        if b.len() != 3 || !b.iter().all(u8::is_ascii_alphabetic) {
            return Err(Error::UnknownCurrency(code.to_string()));
        }
        Ok(CurrencyCode([
            b[0].to_ascii_uppercase(),
            b[1].to_ascii_uppercase(),
            b[2].to_ascii_uppercase(),
        ]))
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        // Invariant: the three bytes are ASCII letters (checked in `new`).
        std::str::from_utf8(&self.0).unwrap_or("???")
    }
}

impl fmt::Display for CurrencyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for CurrencyCode {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        CurrencyCode::new(&s)
    }
}

impl From<CurrencyCode> for String {
    fn from(c: CurrencyCode) -> String {
        c.as_str().to_string()
    }
}

/// A currency as coin change sees it. All sizes are in minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Currency {
    /// ISO 4217 code.
    pub code: CurrencyCode,
    /// Decimal places of the minor unit (2 for USD, 0 for JPY, 3 for KWD).
    pub exponent: u8,
    /// The smallest banknote in circulation, in minor units: change below it
    /// is the coin part.
    pub smallest_note: i64,
    /// Cash totals are rounded to a multiple of this many minor units
    /// (5 for CAD, AUD and CHF; 1 where cash is not rounded).
    pub cash_rounding: i64,
}

/// The currencies DCMS knows out of the box.
const BUILTIN: &[(&str, u8, i64, i64)] = &[
    // code, exponent, smallest note (minor units), cash rounding (minor units)
    ("USD", 2, 100, 1),
    ("CAD", 2, 500, 5),
    ("EUR", 2, 500, 1),
    ("GBP", 2, 500, 1),
    ("CHF", 2, 1000, 5),
    ("JPY", 0, 1000, 1),
    ("KRW", 0, 1000, 1),
    ("INR", 2, 1000, 1),
    ("AUD", 2, 500, 5),
    ("KWD", 3, 250, 1),
];

impl Currency {
    /// Defines a currency. Refuses exponents above 6 and non-positive sizes.
    pub fn new(code: &str, exponent: u8, smallest_note: i64, cash_rounding: i64) -> Result<Self> {
        let code = CurrencyCode::new(code)?;
        if exponent > 6 {
            return Err(Error::invalid_input(
                "currency exponent",
                format!("{exponent} is above the supported 6 decimal places"),
            ));
        }
        if smallest_note <= 0 || cash_rounding <= 0 {
            return Err(Error::invalid_input(
                "currency",
                "smallest note and cash rounding must be positive minor-unit counts",
            ));
        }
        if smallest_note % cash_rounding != 0 {
            return Err(Error::invalid_input(
                "currency",
                "the smallest note must be a multiple of the cash rounding",
            ));
        }
        Ok(Currency {
            code,
            exponent,
            smallest_note,
            cash_rounding,
        })
    }

    /// One of the built-in currencies by code.
    pub fn builtin(code: &str) -> Result<Self> {
        let wanted = CurrencyCode::new(code)?;
        BUILTIN
            .iter()
            .find(|(c, ..)| *c == wanted.as_str())
            .map(|&(c, e, n, r)| Currency {
                code: CurrencyCode::new(c).unwrap_or(wanted),
                exponent: e,
                smallest_note: n,
                cash_rounding: r,
            })
            .ok_or_else(|| Error::UnknownCurrency(code.to_string()))
    }

    /// The same currency with another cash-rounding increment (a program's
    /// configuration for a market that rounds cash where ISO does not say so).
    pub fn with_cash_rounding(self, cash_rounding: i64) -> Result<Self> {
        Currency::new(
            self.code.as_str(),
            self.exponent,
            self.smallest_note,
            cash_rounding,
        )
    }

    /// Minor units per major unit (100 for USD).
    pub fn minor_per_major(&self) -> i64 {
        10i64.pow(u32::from(self.exponent))
    }

    /// Rounds a cash total to the currency's cash increment, to the nearest
    /// multiple, halves up (the published Canadian, Australian and Swiss rule:
    /// 1-2 down, 3-4 up to 5, 6-7 down to 5, 8-9 up to 10).
    pub fn round_cash(&self, minor: i64) -> Result<i64> {
        let r = self.cash_rounding;
        let rem = minor.rem_euclid(r);
        let down = minor - rem;
        let rounded = if rem * 2 >= r {
            down.checked_add(r)
        } else {
            Some(down)
        };
        rounded.ok_or_else(|| Error::InvalidAmount {
            value: minor.to_string(),
            reason: "too large".into(),
        })
    }
}

/// The currencies a program accepts: the built-ins plus its own.
#[derive(Debug, Clone)]
pub struct CurrencyRegistry {
    by_code: HashMap<CurrencyCode, Currency>,
}

impl Default for CurrencyRegistry {
    fn default() -> Self {
        let by_code = BUILTIN
            .iter()
            .filter_map(|(c, ..)| Currency::builtin(c).ok())
            .map(|c| (c.code, c))
            .collect();
        CurrencyRegistry { by_code }
    }
}

impl CurrencyRegistry {
    /// Adds or replaces a currency.
    pub fn register(&mut self, currency: Currency) {
        self.by_code.insert(currency.code, currency);
    }

    /// Looks a currency up by code.
    pub fn get(&self, code: &str) -> Result<Currency> {
        let code = CurrencyCode::new(code)?;
        self.by_code
            .get(&code)
            .copied()
            .ok_or_else(|| Error::UnknownCurrency(code.to_string()))
    }

    /// Every currency code the registry knows, in code order.
    pub fn codes(&self) -> Vec<CurrencyCode> {
        let mut codes: Vec<CurrencyCode> = self.by_code.keys().copied().collect();
        codes.sort();
        codes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_registry_lists_its_codes_in_order() {
        let mut registry = CurrencyRegistry::default();
        let codes = registry.codes();
        assert!(codes.windows(2).all(|w| w[0] < w[1]));
        assert!(codes.contains(&CurrencyCode::new("JPY").unwrap()));
        registry.register(Currency::new("XTS", 2, 100, 1).unwrap());
        assert!(registry
            .codes()
            .contains(&CurrencyCode::new("XTS").unwrap()));
    }

    #[test]
    fn builtins_resolve() {
        for code in [
            "USD", "CAD", "EUR", "GBP", "CHF", "JPY", "KRW", "INR", "AUD", "KWD", "usd",
        ] {
            assert!(CurrencyRegistry::default().get(code).is_ok(), "{code}");
        }
        assert!(matches!(
            CurrencyRegistry::default().get("XXX"),
            Err(Error::UnknownCurrency(_))
        ));
    }

    #[test]
    fn a_program_adds_a_currency() {
        let mut reg = CurrencyRegistry::default();
        reg.register(Currency::new("SEK", 2, 2000, 100).unwrap());
        assert_eq!(reg.get("SEK").unwrap().smallest_note, 2000);
    }

    #[test]
    fn canadian_rounding() {
        let cad = Currency::builtin("CAD").unwrap();
        let cases = [
            (101, 100),
            (102, 100),
            (103, 105),
            (104, 105),
            (106, 105),
            (107, 105),
            (108, 110),
            (109, 110),
            (105, 105),
        ];
        for (input, want) in cases {
            assert_eq!(cad.round_cash(input).unwrap(), want, "{input}");
        }
    }

    #[test]
    fn bad_definitions_are_refused() {
        assert!(Currency::new("US", 2, 100, 1).is_err());
        assert!(Currency::new("USD", 9, 100, 1).is_err());
        assert!(Currency::new("USD", 2, 0, 1).is_err());
        assert!(Currency::new("USD", 2, 100, 3).is_err());
    }
}
