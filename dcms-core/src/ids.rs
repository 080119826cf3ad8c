//! Identifiers: customer account numbers with a check digit, vendor ids,
//! transaction ids and the ledger accounts postings point at.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::money::CurrencyCode;

/// Damm's quasigroup table of order 10: one mistyped digit or one swap of
/// adjacent digits always changes the check digit.
const DAMM: [[u8; 10]; 10] = [
    [0, 3, 1, 7, 5, 9, 8, 6, 4, 2],
    [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
    [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
    [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
    [6, 1, 2, 3, 0, 4, 5, 9, 7, 8],
    [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
    [5, 8, 6, 9, 7, 2, 0, 1, 3, 4],
    [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
    [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
    [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
];

/// The Damm check digit of a number's decimal digits.
pub fn damm_check_digit(mut payload: u64) -> u8 {
    let mut digits = [0u8; 20];
    let mut n = 0;
    loop {
        digits[n] = (payload % 10) as u8;
        n += 1;
        payload /= 10;
        if payload == 0 {
            break;
        }
    }
    digits[..n]
        .iter()
        .rev()
        .fold(0u8, |interim, &d| DAMM[interim as usize][d as usize])
}

/// Smallest and largest width (digits, check digit included) of a customer id.
pub const ACCOUNT_ID_WIDTH_RANGE: std::ops::RangeInclusive<u8> = 3..=18;

/// A customer account number: `width - 1` digits (the first not zero) followed
/// by a Damm check digit, so a mistyped number is refused instead of crediting
/// a stranger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CustomerId(u64);

impl CustomerId {
    /// Builds the id for a payload (the digits before the check digit).
    pub fn from_payload(payload: u64) -> Self {
        CustomerId(payload * 10 + u64::from(damm_check_digit(payload)))
    }

    /// Parses and checks an id typed at a till or sent by a client.
    pub fn parse(text: &str) -> Result<Self> {
        let invalid = |reason: &str| Error::InvalidAccountId {
            id: text.to_string(),
            reason: reason.to_string(),
        };
        let t = text.trim();
        if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid("an account id is digits only"));
        }
        let width = t.len();
        if !ACCOUNT_ID_WIDTH_RANGE.contains(&(width as u8)) || width > 18 {
            return Err(invalid("wrong number of digits"));
        }
        if t.starts_with('0') {
            return Err(invalid("an account id never starts with 0"));
        }
        let value: u64 = t.parse().map_err(|_| invalid("not a number"))?;
        if damm_check_digit(value / 10) != (value % 10) as u8 {
            return Err(invalid("check digit does not match"));
        }
        Ok(CustomerId(value))
    }

    /// The full number, check digit included.
    pub fn value(self) -> u64 {
        self.0
    }

    /// Number of digits.
    pub fn width(self) -> u8 {
        let mut n = 1;
        let mut v = self.0 / 10;
        while v > 0 {
            n += 1;
            v /= 10;
        }
        n
    }
}

impl fmt::Display for CustomerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl FromStr for CustomerId {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        CustomerId::parse(s)
    }
}

impl TryFrom<String> for CustomerId {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        CustomerId::parse(&s)
    }
}

impl From<CustomerId> for String {
    fn from(id: CustomerId) -> String {
        id.to_string()
    }
}

/// Checks a short identifier chosen by a program (vendor, store, terminal).
fn check_slug(field: &'static str, text: &str, max: usize) -> Result<()> {
    if text.is_empty() || text.len() > max {
        return Err(Error::invalid_input(
            field,
            format!("must be 1 to {max} characters, got {}", text.len()),
        ));
    }
    // Not empty (checked above), so byte 0 exists.
    if !text.as_bytes()[0].is_ascii_alphanumeric()
        || !text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    {
        return Err(Error::invalid_input(
            field,
            format!("{text:?} must start with a letter or digit and hold only letters, digits, '-', '_' and '.'"),
        ));
    }
    Ok(())
}

/// A vendor's id, chosen by the program: 1 to 32 of `[A-Za-z0-9._-]`.
/// Shared (`Arc<str>`), so the many copies a journal holds cost no allocation.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct VendorId(Arc<str>);

impl VendorId {
    /// Checks and wraps a vendor id.
    pub fn new(id: impl Into<String>) -> Result<Self> {
        let id = id.into();
        check_slug("vendor id", &id, 32)?;
        Ok(VendorId(id.into()))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for VendorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for VendorId {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        VendorId::new(s)
    }
}

impl From<VendorId> for String {
    fn from(id: VendorId) -> String {
        id.0.to_string()
    }
}

/// A journal transaction's id, assigned by the store, increasing in the order
/// appends take them. SQL stores may leave gaps (an id taken by a rolled-back
/// transaction is not reused), and with concurrent writers a higher id can
/// commit a moment before a lower one: a reader following the journal while
/// it is written should re-read a short window behind its cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TxId(pub u64);

impl fmt::Display for TxId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "tx-{}", self.0)
    }
}

/// Where a sale happened, as the point of sale reports it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PosRef {
    /// The vendor's store.
    pub store_id: Option<String>,
    /// The till.
    pub terminal_id: Option<String>,
    /// The POS's own receipt number.
    pub receipt_no: Option<String>,
}

impl PosRef {
    /// Checks each given field: 1 to 64 of `[A-Za-z0-9._-]`.
    pub fn validate(&self) -> Result<()> {
        for (field, value) in [
            ("store id", &self.store_id),
            ("terminal id", &self.terminal_id),
            ("receipt number", &self.receipt_no),
        ] {
            if let Some(v) = value {
                check_slug(field, v, 64)?;
            }
        }
        Ok(())
    }
}

/// A ledger account postings point at. Every account holds points of one
/// currency, the last part of its name: a customer holds one account per
/// currency (`customer:123457:JPY`), and the program's holds, breakage and
/// adjustments accounts are per currency too. A transaction moves one
/// currency only, so value never crosses currencies by accident.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum AccountRef {
    /// A customer's points in one currency. Never negative.
    Customer(CustomerId, CurrencyCode),
    /// A vendor's liability to the program, in the vendor's currency:
    /// negative balance = points the vendor issued and has not yet had
    /// redeemed (a credit balance).
    Vendor(VendorId, CurrencyCode),
    /// Points held by open two-phase redemptions.
    Holds(CurrencyCode),
    /// Points removed by expiry.
    Breakage(CurrencyCode),
    /// The program's side of manual adjustments.
    Adjustments(CurrencyCode),
}

impl AccountRef {
    /// The customer id, when this is a customer account.
    pub fn customer(&self) -> Option<CustomerId> {
        match self {
            AccountRef::Customer(c, _) => Some(*c),
            _ => None,
        }
    }

    /// The currency of the points this account holds.
    pub fn currency(&self) -> CurrencyCode {
        match self {
            AccountRef::Customer(_, c)
            | AccountRef::Vendor(_, c)
            | AccountRef::Holds(c)
            | AccountRef::Breakage(c)
            | AccountRef::Adjustments(c) => *c,
        }
    }

    /// Parses the form produced by `Display` (`customer:123457:USD`,
    /// `vendor:V1:USD`, `program:holds:USD`, `program:breakage:USD`,
    /// `program:adjustments:USD`).
    pub fn parse(text: &str) -> Result<Self> {
        let invalid = || {
            Error::invalid_input(
                "account",
                format!("{text:?} is not an account reference (kind:id:CUR)"),
            )
        };
        let (rest, code) = text.rsplit_once(':').ok_or_else(invalid)?;
        if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(invalid());
        }
        let cur = CurrencyCode::new(code).map_err(|_| invalid())?;
        match rest.split_once(':') {
            Some(("customer", id)) => Ok(AccountRef::Customer(CustomerId::parse(id)?, cur)),
            Some(("vendor", id)) => Ok(AccountRef::Vendor(VendorId::new(id)?, cur)),
            Some(("program", "holds")) => Ok(AccountRef::Holds(cur)),
            Some(("program", "breakage")) => Ok(AccountRef::Breakage(cur)),
            Some(("program", "adjustments")) => Ok(AccountRef::Adjustments(cur)),
            _ => Err(invalid()),
        }
    }
}

impl fmt::Display for AccountRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AccountRef::Customer(c, cur) => write!(f, "customer:{c}:{cur}"),
            AccountRef::Vendor(v, cur) => write!(f, "vendor:{v}:{cur}"),
            AccountRef::Holds(cur) => write!(f, "program:holds:{cur}"),
            AccountRef::Breakage(cur) => write!(f, "program:breakage:{cur}"),
            AccountRef::Adjustments(cur) => write!(f, "program:adjustments:{cur}"),
        }
    }
}

impl TryFrom<String> for AccountRef {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        AccountRef::parse(&s)
    }
}

impl From<AccountRef> for String {
    fn from(a: AccountRef) -> String {
        a.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn damm_known_value() {
        // The textbook example: 572 -> check digit 4.
        assert_eq!(damm_check_digit(572), 4);
        assert!(CustomerId::parse("5724").is_ok());
    }

    #[test]
    fn every_single_digit_typo_is_refused() {
        let id = CustomerId::from_payload(48213).to_string();
        for pos in 0..id.len() {
            for d in b'0'..=b'9' {
                let mut typo = id.clone().into_bytes();
                if typo[pos] == d {
                    continue;
                }
                typo[pos] = d;
                let typo = String::from_utf8(typo).unwrap();
                assert!(CustomerId::parse(&typo).is_err(), "{typo} accepted");
            }
        }
    }

    #[test]
    fn adjacent_swaps_are_refused() {
        let id = CustomerId::from_payload(48213).to_string().into_bytes();
        for i in 0..id.len() - 1 {
            if id[i] == id[i + 1] {
                continue;
            }
            let mut t = id.clone();
            t.swap(i, i + 1);
            let t = String::from_utf8(t).unwrap();
            assert!(CustomerId::parse(&t).is_err(), "{t} accepted");
        }
    }

    #[test]
    fn account_refs_round_trip() {
        let usd = CurrencyCode::new("USD").unwrap();
        let jpy = CurrencyCode::new("JPY").unwrap();
        for a in [
            AccountRef::Customer(CustomerId::from_payload(12345), jpy),
            AccountRef::Vendor(VendorId::new("V-1").unwrap(), usd),
            AccountRef::Holds(usd),
            AccountRef::Breakage(jpy),
            AccountRef::Adjustments(usd),
        ] {
            assert_eq!(AccountRef::parse(&a.to_string()).unwrap(), a);
            assert!(a.to_string().ends_with(a.currency().as_str()));
        }
        // The form written before accounts had a currency is refused.
        for old in [
            "program:holds",
            "vendor:V-1",
            "customer:123457",
            "program:holds:usd",
        ] {
            assert!(AccountRef::parse(old).is_err(), "{old}");
        }
    }

    #[test]
    fn hostile_ids_are_errors() {
        for s in [
            "",
            "abc",
            "0123456",
            "99999999999999999999999",
            "12 45",
            "-12345",
        ] {
            assert!(CustomerId::parse(s).is_err(), "{s}");
        }
        assert!(VendorId::new("a/b").is_err());
        assert!(VendorId::new("").is_err());
        assert!(VendorId::new("..").is_err());
        assert!(VendorId::new("x".repeat(33)).is_err());
    }
}
