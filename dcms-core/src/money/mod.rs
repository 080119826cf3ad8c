//! Money: currencies and exact amounts in integer minor units.

mod amount;
mod currency;

pub use amount::Money;
pub use currency::{Currency, CurrencyCode, CurrencyRegistry};
