//! The canonical text of a write request (its idempotency fingerprint).
//!
//! Stores keep this text beside the key and compare it on a replay, so its
//! form is fixed forever: `kind|field|field...`, integers in plain decimal,
//! POS fields empty when absent. Every write builds it here, with `itoa`
//! instead of `format!`, because it is on the path of every sale (the
//! formatting machinery cost about a tenth of a change credit on the
//! in-memory store).

use crate::ids::{CustomerId, PosRef, TxId};

/// Builds a fingerprint field by field.
pub(super) struct Fingerprint(String);

impl Fingerprint {
    /// Starts with the request's kind (`credit`, `transfer`, ...).
    pub(super) fn new(kind: &str) -> Self {
        let mut text = String::with_capacity(64);
        text.push_str(kind);
        Fingerprint(text)
    }

    /// Adds a text field.
    pub(super) fn text(mut self, value: &str) -> Self {
        self.0.push('|');
        self.0.push_str(value);
        self
    }

    /// Adds an integer field.
    pub(super) fn int(self, value: i64) -> Self {
        let mut digits = itoa::Buffer::new();
        let text = digits.format(value);
        self.text(text)
    }

    /// Adds a customer id field (its number, as `Display` writes it).
    pub(super) fn customer(self, id: CustomerId) -> Self {
        let mut digits = itoa::Buffer::new();
        let text = digits.format(id.value());
        self.text(text)
    }

    /// Adds a transaction id field (its number).
    pub(super) fn tx(self, id: TxId) -> Self {
        let mut digits = itoa::Buffer::new();
        let text = digits.format(id.0);
        self.text(text)
    }

    /// Adds the store, till and receipt number from the POS.
    pub(super) fn pos(mut self, pos: &PosRef) -> Self {
        for v in [&pos.store_id, &pos.terminal_id, &pos.receipt_no] {
            self = self.text(v.as_deref().unwrap_or(""));
        }
        self
    }

    /// The finished text.
    pub(super) fn finish(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The form stored by earlier releases must not change: a retry of an
    /// acknowledged write would otherwise be refused as a conflict.
    #[test]
    fn same_text_as_the_format_it_replaced() {
        let pos = PosRef {
            store_id: Some("s1".into()),
            terminal_id: None,
            receipt_no: Some("r-9".into()),
        };
        let id = CustomerId::from_payload(123456);
        let built = Fingerprint::new("credit")
            .text("acme")
            .customer(id)
            .int(663)
            .int(-1000)
            .pos(&pos)
            .finish();
        assert_eq!(built, format!("credit|acme|{id}|663|-1000|s1||r-9"));
    }

    #[test]
    fn transaction_ids_and_free_text_as_before() {
        let built = Fingerprint::new("reverse")
            .tx(TxId(42))
            .text("till error | twice")
            .finish();
        assert_eq!(built, format!("reverse|{}|till error | twice", TxId(42).0));
    }
}
