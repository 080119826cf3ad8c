//! The PDF rendering for people: a small, dependency-free writer of
//! text-only PDF pages (Courier, A4), and the statement's layout on them.
//!
//! The writer puts no dates or random ids in the file, so the same
//! statement always gives the same bytes.

use std::fmt::Write;

use super::Statement;

const LINES_PER_PAGE: usize = 64;

/// Encodes text for a PDF string in WinAnsiEncoding: Latin-1 characters map
/// to themselves, anything else becomes `?`; `\`, `(` and `)` are escaped.
fn pdf_string(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + 2);
    out.push(b'(');
    for c in text.chars() {
        let b = match u32::from(c) {
            0x20..=0x7e => c as u8,
            0xa0..=0xff => u32::from(c) as u8,
            _ => b'?',
        };
        if matches!(b, b'\\' | b'(' | b')') {
            out.push(b'\\');
        }
        out.push(b);
    }
    out.push(b')');
    out
}

/// Renders lines of text as a PDF document, `LINES_PER_PAGE` to a page.
pub fn text_pdf(lines: &[String]) -> Vec<u8> {
    let pages: Vec<&[String]> = if lines.is_empty() {
        vec![&[][..]]
    } else {
        lines.chunks(LINES_PER_PAGE).collect()
    };
    let font_id = 3;
    let first_page_id = 4;
    // Objects: 1 catalog, 2 pages, 3 font, then (page, content) pairs.
    let mut objects: Vec<Vec<u8>> = Vec::new();
    objects.push(b"<< /Type /Catalog /Pages 2 0 R >>".to_vec());
    let kids: Vec<String> = (0..pages.len())
        .map(|i| format!("{} 0 R", first_page_id + 2 * i))
        .collect();
    objects.push(
        format!(
            "<< /Type /Pages /Kids [{}] /Count {} >>",
            kids.join(" "),
            pages.len()
        )
        .into_bytes(),
    );
    objects.push(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>".to_vec(),
    );
    for (i, page) in pages.iter().enumerate() {
        let content_id = first_page_id + 2 * i + 1;
        objects.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 {font_id} 0 R >> >> /Contents {content_id} 0 R >>"
            )
            .into_bytes(),
        );
        let mut stream = b"BT /F1 9 Tf 12 TL 40 800 Td\n".to_vec();
        for line in page.iter() {
            stream.extend_from_slice(&pdf_string(line));
            stream.extend_from_slice(b" Tj T*\n");
        }
        stream.extend_from_slice(b"ET");
        let mut obj = format!("<< /Length {} >>\nstream\n", stream.len()).into_bytes();
        obj.extend_from_slice(&stream);
        obj.extend_from_slice(b"\nendstream");
        objects.push(obj);
    }
    let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    let mut table = format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
    for o in offsets {
        let _ = writeln!(table, "{o:010} 00000 n ");
    }
    let _ = write!(
        table,
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    );
    out.extend_from_slice(table.as_bytes());
    out
}

/// The statement as a person reads it: summary, totals, then daily totals.
pub(super) fn render(st: &Statement) -> Vec<u8> {
    let mut l: Vec<String> = Vec::new();
    let title = if st.kind == "vendor" {
        "DCMS vendor statement"
    } else {
        "DCMS customer statement"
    };
    l.push(format!("{title} - {}", st.month));
    l.push(String::new());
    l.push(format!(
        "{:<22}{}",
        if st.kind == "vendor" {
            "Vendor:"
        } else {
            "Account:"
        },
        st.name
    ));
    l.push(format!("{:<22}{}", "Id:", st.owner));
    l.push(format!(
        "{:<22}{} ({} to {} UTC)",
        "Period:",
        st.time_zone,
        st.from.format("%Y-%m-%d %H:%M"),
        st.to.format("%Y-%m-%d %H:%M")
    ));
    l.push(String::new());
    let what = if st.kind == "vendor" {
        "liability (points owed)"
    } else {
        "balance (points)"
    };
    l.push(format!(
        "{:<40}{:>16}",
        format!("Opening {what}"),
        st.opening
    ));
    for t in &st.totals {
        l.push(format!(
            "  {:<26}{:>8} x {:>16}",
            t.kind.as_str(),
            t.count,
            t.points
        ));
    }
    l.push(format!(
        "{:<40}{:>16}",
        format!("Closing {what}"),
        st.closing
    ));
    if let Some(s) = &st.settlement {
        l.push(String::new());
        l.push(format!("{:<40}{:>16}", "Net points to settle", s.points));
        l.push(format!(
            "{:<40}{:>16}",
            format!("Net amount to settle ({})", s.amount.currency.code),
            s.amount.to_decimal().to_string()
        ));
        if s.remainder_points != 0 {
            l.push(format!(
                "{:<40}{:>16}",
                "Points carried (below one unit)", s.remainder_points
            ));
        }
    }
    l.push(String::new());
    l.push("Daily totals".to_string());
    l.push(format!(
        "  {:<12}{:<16}{:>8}{:>16}",
        "date", "kind", "count", "points"
    ));
    for d in &st.days {
        for k in &d.kinds {
            l.push(format!(
                "  {:<12}{:<16}{:>8}{:>16}",
                d.date.to_string(),
                k.kind.as_str(),
                k.count,
                k.points
            ));
        }
        l.push(format!("  {:<12}{:<16}{:>8}{:>16}", "", "net", "", d.net));
    }
    l.push(String::new());
    l.push("Every transaction line is in the CSV and JSON statements.".to_string());
    text_pdf(&l)
}
