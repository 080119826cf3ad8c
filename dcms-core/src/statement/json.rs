//! The JSON rendering: `{"statement": {...summary...}, "lines": [...]}`,
//! written incrementally so lines can be streamed.

use super::Statement;
use crate::error::{Error, Result};

pub(super) struct JsonWriter {
    out: Vec<u8>,
    first: bool,
}

fn encode<T: serde::Serialize>(out: &mut Vec<u8>, value: &T) -> Result<()> {
    serde_json::to_writer(out, value).map_err(|e| Error::Storage(format!("json encoding: {e}")))
}

impl JsonWriter {
    pub(super) fn start(st: &Statement) -> Result<Self> {
        let mut out = b"{\"statement\":".to_vec();
        encode(&mut out, st)?;
        out.extend_from_slice(b",\"lines\":[");
        Ok(JsonWriter { out, first: true })
    }

    /// Writes lines read with [`super::for_each_line_page`] (the close
    /// renders in one pass instead; the tests compare the two).
    #[cfg(test)]
    pub(super) fn lines(&mut self, lines: &[super::StatementLine]) -> Result<()> {
        for l in lines {
            if !self.first {
                self.out.push(b',');
            }
            self.first = false;
            self.out.push(b'\n');
            encode(&mut self.out, l)?;
        }
        Ok(())
    }

    /// Appends lines rendered elsewhere: each one `,` (but the first) and
    /// a newline, then the line's JSON, as [`JsonWriter::lines`] writes them.
    pub(super) fn raw_lines(&mut self, lines: &[u8], count: u64) {
        if count > 0 {
            self.out.extend_from_slice(lines);
            self.first = false;
        }
    }

    pub(super) fn finish(mut self) -> Vec<u8> {
        self.out.extend_from_slice(b"\n]}\n");
        self.out
    }
}
