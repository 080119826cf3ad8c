//! A document laid out page by page into a list of drawing operations, then
//! written as PDF ([`writer`]). Laying out first means the page count is known
//! before anything is drawn, so every footer can say "page 2 of 3".
//!
//! Coordinates are PDF points (1/72 inch) on A4, from the top left corner
//! down (the writer turns them into PDF's upward ones); text is placed at
//! its baseline.

use super::fonts::StatementFonts;
use super::text::{shape, Shaped, Slot};
use super::writer;
use crate::error::Result;

/// A4 width in points.
pub(super) const PAGE_W: f32 = 595.0;
/// A4 height in points.
pub(super) const PAGE_H: f32 = 842.0;
/// Left and right margin.
pub(super) const MARGIN: f32 = 48.0;
/// Where content starts on a page.
const TOP: f32 = 56.0;
/// Where content must end on a page (the footer is below).
const BOTTOM: f32 = PAGE_H - 64.0;

/// A colour.
#[derive(Debug, Clone, Copy)]
pub(super) struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    pub const TEXT: Rgb = Rgb(0x1f, 0x29, 0x37);
    pub const MUTED: Rgb = Rgb(0x6b, 0x72, 0x80);
    pub const RULE: Rgb = Rgb(0xd1, 0xd5, 0xdb);
    pub const SHADE: Rgb = Rgb(0xf3, 0xf4, 0xf6);
    pub const ACCENT: Rgb = Rgb(0x1d, 0x4e, 0xd8);
    pub const OUT: Rgb = Rgb(0xd9, 0x77, 0x06);
}

/// Regular or bold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Weight {
    Regular,
    Bold,
}

/// Where `x` is for a piece of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Align {
    /// `x` is the left end.
    Left,
    /// `x` is the right end (numbers).
    Right,
    /// `x` is the middle.
    Center,
}

/// Size, weight and colour of a piece of text.
#[derive(Debug, Clone, Copy)]
pub(super) struct Style {
    pub size: f32,
    pub weight: Weight,
    pub color: Rgb,
}

impl Style {
    pub const BODY: Style = Style {
        size: 8.5,
        weight: Weight::Regular,
        color: Rgb::TEXT,
    };
    pub const STRONG: Style = Style {
        weight: Weight::Bold,
        ..Style::BODY
    };
    pub const SMALL: Style = Style {
        size: 7.0,
        weight: Weight::Regular,
        color: Rgb::MUTED,
    };
    pub const HEADING: Style = Style {
        size: 11.0,
        weight: Weight::Bold,
        color: Rgb::TEXT,
    };

    /// The same style in another colour.
    pub fn colored(self, color: Rgb) -> Style {
        Style { color, ..self }
    }
}

/// One drawing operation, in layout coordinates (y down).
pub(super) enum Op {
    Text {
        x: f32,
        y: f32,
        style: Style,
        shaped: Shaped,
    },
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        color: Rgb,
    },
    Line {
        from: (f32, f32),
        to: (f32, f32),
        width: f32,
        color: Rgb,
    },
}

/// A document being laid out.
pub(super) struct Doc<'f> {
    fonts: &'f StatementFonts,
    pages: Vec<Vec<Op>>,
    /// The page being drawn on (the last one, except while footers are
    /// added at the end).
    current: usize,
    /// The next free line on the current page.
    pub y: f32,
    /// Left part of every page's footer.
    footer: String,
}

impl<'f> Doc<'f> {
    /// An empty document with one page.
    pub fn new(fonts: &'f StatementFonts, footer: String) -> Self {
        Doc {
            fonts,
            pages: vec![Vec::new()],
            current: 0,
            y: TOP,
            footer,
        }
    }

    fn shape(&self, text: &str, weight: Weight) -> Shaped {
        let slot = match weight {
            Weight::Regular => Slot::Regular,
            Weight::Bold => Slot::Bold,
        };
        shape(text, self.fonts, slot)
    }

    fn push(&mut self, op: Op) {
        if let Some(page) = self.pages.get_mut(self.current) {
            page.push(op);
        }
    }

    /// Width of `text` in points.
    pub fn measure(&self, text: &str, style: Style) -> f32 {
        self.shape(text, style.weight).width * style.size
    }

    /// Places `text` with its baseline at `y`.
    pub fn text(&mut self, x: f32, y: f32, text: &str, style: Style, align: Align) {
        let shaped = self.shape(text, style.weight);
        self.place(x, y, shaped, style, align);
    }

    fn place(&mut self, x: f32, y: f32, shaped: Shaped, style: Style, align: Align) {
        let width = shaped.width * style.size;
        let left = match align {
            Align::Left => x,
            Align::Right => x - width,
            Align::Center => x - width / 2.0,
        };
        self.push(Op::Text {
            x: left,
            y,
            style,
            shaped,
        });
    }

    /// Places `text`, shortened with an ellipsis to fit in `max` points.
    pub fn text_fit(&mut self, x: f32, y: f32, max: f32, text: &str, style: Style, align: Align) {
        let shaped = self.shape(text, style.weight);
        if shaped.width * style.size <= max {
            return self.place(x, y, shaped, style, align);
        }
        let mut cut: String = text.to_string();
        while !cut.is_empty() {
            cut.pop();
            let candidate = format!("{}…", cut.trim_end());
            let shaped = self.shape(&candidate, style.weight);
            if shaped.width * style.size <= max {
                return self.place(x, y, shaped, style, align);
            }
        }
        self.text(x, y, "…", style, align);
    }

    /// A filled rectangle; `y` is its top.
    pub fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, color: Rgb) {
        self.push(Op::Rect { x, y, w, h, color });
    }

    /// A horizontal rule across the page at `y`.
    pub fn rule(&mut self, y: f32, width: f32, color: Rgb) {
        self.line(MARGIN, y, PAGE_W - MARGIN, y, width, color);
    }

    /// A straight line.
    pub fn line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, width: f32, color: Rgb) {
        self.push(Op::Line {
            from: (x1, y1),
            to: (x2, y2),
            width,
            color,
        });
    }

    /// Starts a new page.
    pub fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.current = self.pages.len() - 1;
        self.y = TOP;
    }

    /// Makes room for `height` points, on a new page if this one is full.
    /// True when a page was started.
    pub fn ensure(&mut self, height: f32) -> bool {
        if self.y + height > BOTTOM {
            self.new_page();
            true
        } else {
            false
        }
    }

    /// Writes the PDF. `title` and `id` go into the document's metadata;
    /// the id fixes the file identifier, and no date is written, so the
    /// same layout always gives the same bytes. `compress` compresses the
    /// pages' content.
    pub fn finish(mut self, title: &str, id: &str, compress: bool) -> Result<Vec<u8>> {
        let count = self.pages.len();
        for n in 0..count {
            self.current = n;
            self.footer(n + 1, count);
        }
        writer::write(&self.pages, self.fonts, title, id, compress)
    }

    /// Adds the footer of page `n` of `count` to the current page.
    fn footer(&mut self, n: usize, count: usize) {
        let y = PAGE_H - 40.0;
        self.rule(y - 10.0, 0.5, Rgb::RULE);
        let footer = std::mem::take(&mut self.footer);
        self.text_fit(MARGIN, y, 380.0, &footer, Style::SMALL, Align::Left);
        self.footer = footer;
        self.text(
            PAGE_W - MARGIN,
            y,
            &format!("page {n} of {count}"),
            Style::SMALL,
            Align::Right,
        );
    }
}
