//! One statement line as JSON, for month close: the bytes `serde_json`
//! writes for [`super::StatementLine`] (the same fields, names and order),
//! written by hand. A close writes a million of these, and the generic
//! serializer (a map entry and an escaped key per field) was the largest
//! part of rendering them. A unit test compares with `serde_json`.

use crate::error::{Error, Result};

/// A line's JSON fields, borrowed.
#[cfg_attr(test, derive(serde::Serialize))]
pub(super) struct JsonLine<'a> {
    pub tx: u64,
    pub time: &'a str,
    pub kind: &'static str,
    pub store_id: Option<&'a str>,
    pub terminal_id: Option<&'a str>,
    pub receipt_no: Option<&'a str>,
    pub points: i64,
    pub closes: Option<u64>,
    pub memo: Option<&'a str>,
}

/// A JSON string. Text with nothing to escape (the usual case: ids, times,
/// kinds) is copied as it is; anything else goes through `serde_json`, so
/// escapes are always its own.
fn string(out: &mut Vec<u8>, s: &str) -> Result<()> {
    if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
        Ok(())
    } else {
        serde_json::to_writer(&mut *out, s)
            .map_err(|e| Error::Storage(format!("json encoding: {e}")))
    }
}

fn optional_string(out: &mut Vec<u8>, s: Option<&str>) -> Result<()> {
    match s {
        Some(s) => string(out, s),
        None => {
            out.extend_from_slice(b"null");
            Ok(())
        }
    }
}

impl JsonLine<'_> {
    /// Appends the line as one compact JSON object.
    pub(super) fn write(&self, out: &mut Vec<u8>) -> Result<()> {
        let mut number = itoa::Buffer::new();
        out.extend_from_slice(b"{\"tx\":");
        out.extend_from_slice(number.format(self.tx).as_bytes());
        out.extend_from_slice(b",\"time\":");
        string(out, self.time)?;
        out.extend_from_slice(b",\"kind\":");
        string(out, self.kind)?;
        out.extend_from_slice(b",\"store_id\":");
        optional_string(out, self.store_id)?;
        out.extend_from_slice(b",\"terminal_id\":");
        optional_string(out, self.terminal_id)?;
        out.extend_from_slice(b",\"receipt_no\":");
        optional_string(out, self.receipt_no)?;
        out.extend_from_slice(b",\"points\":");
        out.extend_from_slice(number.format(self.points).as_bytes());
        out.extend_from_slice(b",\"closes\":");
        match self.closes {
            Some(c) => out.extend_from_slice(number.format(c).as_bytes()),
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b",\"memo\":");
        optional_string(out, self.memo)?;
        out.push(b'}');
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::JsonLine;
    use crate::statement::StatementLine;

    #[test]
    fn the_same_bytes_as_serde_json() {
        let texts = [
            "",
            "s-1",
            "2026-10-05T13:45:12.123456789+02:00",
            "quote \" and backslash \\",
            "till error, \"voided\"\nsecond line",
            "tab\tcr\rff\u{c}bs\u{8}nul\u{0}unit\u{1f}del\u{7f}",
            "é ü 中文 🚀 </script>",
        ];
        for (i, text) in texts.iter().enumerate() {
            for (points, closes, opt) in [
                (i64::MIN, Some(u64::MAX), Some(*text)),
                (0, None, None),
                (-37, Some(7), Some(*text)),
                (i64::MAX, None, Some("r.1")),
            ] {
                let line = JsonLine {
                    tx: i as u64 * 1_000_003,
                    time: text,
                    kind: "change_credit",
                    store_id: opt,
                    terminal_id: None,
                    receipt_no: opt,
                    points,
                    closes,
                    memo: opt,
                };
                let mut ours = Vec::new();
                line.write(&mut ours).unwrap();
                assert_eq!(
                    String::from_utf8(ours).unwrap(),
                    serde_json::to_string(&line).unwrap(),
                    "{text:?}"
                );
            }
        }
        // And the field names and order are StatementLine's.
        let owned = StatementLine {
            tx: 1,
            time: "t".into(),
            kind: "reversal",
            store_id: None,
            terminal_id: Some("t-1".into()),
            receipt_no: None,
            points: -2,
            closes: Some(3),
            memo: Some("m".into()),
        };
        let line = JsonLine {
            tx: 1,
            time: "t",
            kind: "reversal",
            store_id: None,
            terminal_id: Some("t-1"),
            receipt_no: None,
            points: -2,
            closes: Some(3),
            memo: Some("m"),
        };
        let mut ours = Vec::new();
        line.write(&mut ours).unwrap();
        assert_eq!(
            String::from_utf8(ours).unwrap(),
            serde_json::to_string(&owned).unwrap()
        );
    }
}
