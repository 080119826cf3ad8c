//! The top of a statement's first page: whose it is, what it is, and the
//! facts that identify it, in two columns of label and value.

use super::doc::{Align, Doc, Rgb, Style, MARGIN, PAGE_W};

/// A label and its value.
pub(super) struct Field<'a>(pub &'a str, pub &'a str);

/// Draws the title, the subtitle, the fields (filled left column first) and
/// full-width lines under them (for values too long for a column, such as
/// a digest).
pub(super) fn header(
    doc: &mut Doc<'_>,
    title: &str,
    subtitle: &str,
    fields: &[Field<'_>],
    wide: &[Field<'_>],
) {
    let width = PAGE_W - 2.0 * MARGIN;
    doc.rect(MARGIN, doc.y - 8.0, width, 3.0, Rgb::ACCENT);
    let y = doc.y + 18.0;
    let title_style = Style {
        size: 18.0,
        ..Style::STRONG
    };
    doc.text_fit(MARGIN, y, width - 60.0, title, title_style, Align::Left);
    let brand = Style::STRONG.colored(Rgb::ACCENT);
    doc.text(PAGE_W - MARGIN, y, "DCMS", brand, Align::Right);
    let y = y + 17.0;
    let sub = Style {
        size: 11.0,
        ..Style::BODY
    }
    .colored(Rgb::MUTED);
    doc.text_fit(MARGIN, y, width, subtitle, sub, Align::Left);
    doc.y = y + 10.0;
    doc.rule(doc.y, 0.5, Rgb::RULE);
    doc.y += 4.0;

    let rows = fields.len().div_ceil(2);
    let column = width / 2.0;
    let label_w = 58.0;
    for (i, Field(label, value)) in fields.iter().enumerate() {
        let (col, row) = (i / rows.max(1), i % rows.max(1));
        let x = MARGIN + column * col as f32;
        let y = doc.y + 12.0 + 12.0 * row as f32;
        doc.text(x, y, label, Style::SMALL, Align::Left);
        let max = column - label_w - 8.0;
        doc.text_fit(x + label_w, y, max, value, Style::BODY, Align::Left);
    }
    doc.y += 12.0 * rows as f32;
    for Field(label, value) in wide {
        let y = doc.y + 12.0;
        doc.text(MARGIN, y, label, Style::SMALL, Align::Left);
        let max = width - label_w;
        doc.text_fit(MARGIN + label_w, y, max, value, Style::BODY, Align::Left);
        doc.y += 12.0;
    }
    doc.y += 8.0;
    doc.rule(doc.y, 0.5, Rgb::RULE);
    doc.y += 6.0;
}
