//! The CSV rendering: one table whose first column says what each row is
//! (`statement`, `opening`, `line`, `day`, `total`, `closing`, `settlement`).
//! A statement is in one currency: the `statement` row names it in its
//! `points` column, and every points figure below is in it.

use std::fmt::Write;

use super::Statement;

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

/// One `line` row: `time` is RFC 3339 (split into the date and time
/// columns), `pos` the store, terminal and receipt number.
pub(super) fn line(
    out: &mut String,
    tx: u64,
    time: &str,
    kind: &str,
    pos: [Option<&str>; 3],
    points: i64,
    memo: Option<&str>,
) {
    // Pieces pushed one by one, numbers through `itoa`: a month close
    // writes a million of these rows, and `write!` was most of their cost.
    let (date, time) = time.split_once('T').unwrap_or((time, ""));
    let mut number = itoa::Buffer::new();
    for piece in [
        "line,",
        date,
        ",",
        time,
        ",",
        number.format(tx),
        ",",
        kind,
        ",",
    ] {
        out.push_str(piece);
    }
    for (i, field) in pos.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        if let Some(v) = field {
            text(out, v);
        }
    }
    out.push_str(",1,");
    out.push_str(number.format(points));
    out.push_str(",,");
    if let Some(v) = memo {
        text(out, v);
    }
    out.push('\n');
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
        // The points column of the statement row names the currency every
        // point of the statement is in.
        out.push_str(",,");
        out.push_str(st.currency.as_str());
        out.push_str(",,");
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

    /// Writes lines read with [`super::for_each_line_page`] (the close
    /// renders in one pass instead; the tests compare the two).
    #[cfg(test)]
    pub(super) fn lines(&mut self, lines: &[super::StatementLine]) {
        for l in lines {
            line(
                &mut self.out,
                l.tx,
                &l.time,
                l.kind,
                [&l.store_id, &l.terminal_id, &l.receipt_no].map(Option::as_deref),
                l.points,
                l.memo.as_deref(),
            );
        }
    }

    /// Appends lines rendered elsewhere with [`line`].
    pub(super) fn raw_lines(&mut self, lines: &str) {
        self.out.push_str(lines);
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

#[cfg(test)]
mod tests {
    use super::line;

    /// The exact bytes of `line` rows: statements already stored are
    /// compared byte for byte when a month is closed again.
    #[test]
    fn line_rows_are_pinned() {
        let mut out = String::new();
        line(
            &mut out,
            42,
            "2026-10-05T13:45:12.5+02:00",
            "change_credit",
            [Some("s-1"), None, Some("r,7")],
            -37,
            None,
        );
        line(
            &mut out,
            18_446_744_073_709_551_615,
            "2026-03-29T01:59:59-05:00",
            "reversal",
            [None, None, None],
            i64::MIN,
            Some("till error, \"voided\"\nsecond line"),
        );
        line(
            &mut out,
            7,
            "no-time",
            "adjustment",
            [Some("=SUM(A1)"), Some("@x"), Some("+1")],
            0,
            Some("-minus"),
        );
        assert_eq!(
            out,
            "line,2026-10-05,13:45:12.5+02:00,42,change_credit,s-1,,\"r,7\",1,-37,,\n\
             line,2026-03-29,01:59:59-05:00,18446744073709551615,reversal,,,,1,-9223372036854775808,,\"till error, \"\"voided\"\"\nsecond line\"\n\
             line,no-time,,7,adjustment,\"'=SUM(A1)\",\"'@x\",\"'+1\",1,0,,\"'-minus\"\n"
        );
    }
}
