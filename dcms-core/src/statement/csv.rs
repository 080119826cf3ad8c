//! The CSV rendering: one table whose first column says what each row is
//! (`statement`, `opening`, `line`, `day`, `total`, `closing`, `settlement`).

use std::fmt::Write;

use super::{Statement, StatementLine};

const HEADER: &str =
    "record,date,time,tx,kind,store_id,terminal_id,receipt_no,count,points,balance,memo\n";

/// Quotes a text field when needed, and defuses spreadsheet formulas (a
/// leading `=`, `+`, `-` or `@` gets a `'`).
fn text(out: &mut String, value: &str) {
    let defused = matches!(value.chars().next(), Some('=' | '+' | '-' | '@'));
    let needs_quotes = defused || value.contains([',', '"', '\n', '\r']);
    if needs_quotes {
        out.push('"');
        if defused {
            out.push('\'');
        }
        out.push_str(&value.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(value);
    }
}

fn opt(out: &mut String, value: &Option<String>) {
    if let Some(v) = value {
        text(out, v);
    }
}

/// Writes a statement's CSV in three steps so lines can be streamed.
pub(super) struct CsvWriter {
    out: String,
}

impl CsvWriter {
    pub(super) fn start(st: &Statement) -> Self {
        let mut out = String::from(HEADER);
        out.push_str("statement,,,,");
        out.push_str(st.kind);
        out.push(',');
        text(&mut out, &st.owner);
        out.push(',');
        text(&mut out, &st.name);
        out.push(',');
        out.push_str(&st.month.to_string());
        out.push_str(",,,,");
        out.push_str(&st.time_zone);
        out.push('\n');
        let _ = writeln!(
            out,
            "opening,{},,,,,,,,,{},",
            st.from.format("%Y-%m-%dT%H:%M:%SZ"),
            st.opening
        );
        CsvWriter { out }
    }

    pub(super) fn lines(&mut self, lines: &[StatementLine]) {
        for l in lines {
            let out = &mut self.out;
            let (date, time) = l.time.split_once('T').unwrap_or((&l.time, ""));
            let _ = write!(out, "line,{date},{time},{},{},", l.tx, l.kind);
            opt(out, &l.store_id);
            out.push(',');
            opt(out, &l.terminal_id);
            out.push(',');
            opt(out, &l.receipt_no);
            let _ = write!(out, ",1,{},,", l.points);
            opt(out, &l.memo);
            out.push('\n');
        }
    }

    pub(super) fn finish(mut self, st: &Statement) -> Vec<u8> {
        let out = &mut self.out;
        for d in &st.days {
            for k in &d.kinds {
                let _ = writeln!(
                    out,
                    "day,{},,,{},,,,{},{},,",
                    d.date,
                    k.kind.as_str(),
                    k.count,
                    k.points
                );
            }
        }
        for k in &st.totals {
            let _ = writeln!(
                out,
                "total,,,,{},,,,{},{},,",
                k.kind.as_str(),
                k.count,
                k.points
            );
        }
        let _ = writeln!(
            out,
            "closing,{},,,,,,,,,{},",
            st.to.format("%Y-%m-%dT%H:%M:%SZ"),
            st.closing
        );
        if let Some(s) = &st.settlement {
            let _ = writeln!(
                out,
                "settlement,,,,{},,,,,{},{},remainder {} points",
                s.amount.currency.code,
                s.points,
                s.amount.to_decimal(),
                s.remainder_points
            );
        }
        self.out.into_bytes()
    }
}
