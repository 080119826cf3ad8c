//! Coin change: from a cash sale's total and the cash tendered, what the
//! cashier hands back and what is credited to the customer's account.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::money::{Currency, Money};

/// What a vendor credits from the change of a cash sale.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangePolicy {
    /// Credit the coins (change below the smallest banknote); hand back notes.
    #[default]
    CoinPart,
    /// Credit all of the change; hand back nothing.
    AllChange,
    /// Credit nothing; the customer takes all change in cash.
    Nothing,
}

impl ChangePolicy {
    /// The name used in storage and in the bindings.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangePolicy::CoinPart => "coin_part",
            ChangePolicy::AllChange => "all_change",
            ChangePolicy::Nothing => "nothing",
        }
    }

    /// Parses [`ChangePolicy::as_str`]'s form.
    pub fn parse(text: &str) -> Result<Self> {
        match text {
            "coin_part" => Ok(ChangePolicy::CoinPart),
            "all_change" => Ok(ChangePolicy::AllChange),
            "nothing" => Ok(ChangePolicy::Nothing),
            other => Err(Error::invalid_input(
                "change policy",
                format!("{other:?} is not one of coin_part, all_change, nothing"),
            )),
        }
    }
}

/// The answer for one cash sale, before anything is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeQuote {
    /// The sale total as rung up.
    pub total: Money,
    /// The total due in cash after the currency's cash rounding.
    pub cash_total: Money,
    /// Cash the customer handed over.
    pub tendered: Money,
    /// `tendered - cash_total`.
    pub change: Money,
    /// The part of the change below the smallest banknote.
    pub coin_part: Money,
    /// What the cashier hands back.
    pub hand_back: Money,
    /// What is credited to the account (in money; points follow the program's rate).
    pub credit: Money,
}

/// Works out the change of a cash sale under a vendor's policy.
///
/// Both amounts must be in `currency` and non-negative. The total is first
/// rounded by the currency's cash rule (CAD, AUD, CHF to 0.05).
pub fn quote_change(
    currency: Currency,
    total: Money,
    tendered: Money,
    policy: ChangePolicy,
) -> Result<ChangeQuote> {
    for (name, m) in [("total", total), ("tendered", tendered)] {
        if m.currency.code != currency.code {
            return Err(Error::invalid_input(
                "currency",
                format!(
                    "{name} is in {}, the vendor takes {}",
                    m.currency.code, currency.code
                ),
            ));
        }
        if m.minor < 0 {
            return Err(Error::InvalidAmount {
                value: m.to_decimal().to_string(),
                reason: format!("the {name} must not be negative"),
            });
        }
    }
    let cash_total = Money::from_minor(currency.round_cash(total.minor)?, currency);
    if tendered.minor < cash_total.minor {
        return Err(Error::InsufficientCash {
            total: cash_total.to_string(),
            tendered: tendered.to_string(),
        });
    }
    // Both non-negative and tendered >= cash_total: no overflow.
    let change = tendered.minor - cash_total.minor;
    let coin_part = change % currency.smallest_note;
    let (credit, hand_back) = match policy {
        ChangePolicy::CoinPart => (coin_part, change - coin_part),
        ChangePolicy::AllChange => (change, 0),
        ChangePolicy::Nothing => (0, change),
    };
    let m = |minor| Money::from_minor(minor, currency);
    Ok(ChangeQuote {
        total,
        cash_total,
        tendered,
        change: m(change),
        coin_part: m(coin_part),
        hand_back: m(hand_back),
        credit: m(credit),
    })
}
