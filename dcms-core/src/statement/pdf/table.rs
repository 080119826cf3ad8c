//! Tables with a header row that repeats on every page they run onto,
//! thin rules between rows, and right-aligned number columns.

use super::doc::{Align, Doc, Rgb, Style, MARGIN};

/// One column: its title, width in points and alignment.
pub(super) struct Column {
    pub title: &'static str,
    pub width: f32,
    pub align: Align,
}

impl Column {
    /// A text column.
    pub const fn text(title: &'static str, width: f32) -> Column {
        Column {
            title,
            width,
            align: Align::Left,
        }
    }

    /// A number column (right-aligned).
    pub const fn number(title: &'static str, width: f32) -> Column {
        Column {
            title,
            width,
            align: Align::Right,
        }
    }
}

/// How a row is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum RowKind {
    /// An ordinary row.
    Plain,
    /// An ordinary row on a light background (every other row).
    Shaded,
    /// A total: bold, with a stronger rule above.
    Total,
}

/// A table's columns, laid left to right from the left margin.
pub(super) struct Table<'c> {
    pub columns: &'c [Column],
}

const ROW: f32 = 14.0;
const PAD: f32 = 4.0;

impl Table<'_> {
    /// The header row: column titles over a dark rule.
    pub fn header(&self, doc: &mut Doc<'_>) {
        doc.ensure(ROW * 3.0);
        let base = doc.y + ROW - PAD;
        let mut x = MARGIN;
        for c in self.columns {
            let style = Style::SMALL.colored(Rgb::MUTED);
            let at = match c.align {
                Align::Left => x + PAD,
                Align::Right => x + c.width - PAD,
                Align::Center => x + c.width / 2.0,
            };
            doc.text_fit(at, base, c.width - PAD, c.title, style, c.align);
            x += c.width;
        }
        doc.y += ROW;
        doc.line(MARGIN, doc.y, x, doc.y, 0.8, Rgb::TEXT);
    }

    /// One row; on a new page the header is drawn again first.
    pub fn row(&self, doc: &mut Doc<'_>, cells: &[&str], kind: RowKind) {
        if doc.ensure(ROW) {
            self.header(doc);
        }
        let width: f32 = self.columns.iter().map(|c| c.width).sum();
        match kind {
            RowKind::Shaded => doc.rect(MARGIN, doc.y, width, ROW, Rgb::SHADE),
            RowKind::Total => doc.line(MARGIN, doc.y, MARGIN + width, doc.y, 0.8, Rgb::TEXT),
            RowKind::Plain => {}
        }
        let style = if kind == RowKind::Total {
            Style::STRONG
        } else {
            Style::BODY
        };
        let base = doc.y + ROW - PAD;
        let mut x = MARGIN;
        for (c, cell) in self.columns.iter().zip(cells) {
            let at = match c.align {
                Align::Left => x + PAD,
                Align::Right => x + c.width - PAD,
                Align::Center => x + c.width / 2.0,
            };
            doc.text_fit(at, base, c.width - 2.0 * PAD, cell, style, c.align);
            x += c.width;
        }
        doc.y += ROW;
        doc.line(MARGIN, doc.y, MARGIN + width, doc.y, 0.3, Rgb::RULE);
    }
}
