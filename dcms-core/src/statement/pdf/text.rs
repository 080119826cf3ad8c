//! Text to glyphs: each character is drawn with the face in use when it has
//! the character, else with the fallback font, and consecutive characters
//! of one font form a run. Widths come from the fonts' own advances, so
//! right-aligned numbers line up exactly.
//!
//! No shaping beyond that (no kerning, ligatures or right-to-left
//! reordering): statement text is names, dates and numbers in tables.

use super::fonts::{PdfFont, StatementFonts};

/// Which of a statement's fonts draws a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Slot {
    Regular,
    Bold,
    Fallback,
}

/// Glyphs of one font.
pub(super) struct Run {
    pub slot: Slot,
    /// Original glyph ids and their advances in ems.
    pub glyphs: Vec<(u16, f32)>,
    /// Sum of the advances, in ems.
    pub width: f32,
}

/// A line of text laid out in runs.
pub(super) struct Shaped {
    pub runs: Vec<Run>,
    /// Total width in ems.
    pub width: f32,
}

/// Lays `text` out in the face of `slot` (regular or bold), with the
/// fallback font for what that face lacks. Control characters (a memo's
/// line break) become spaces.
pub(super) fn shape(text: &str, fonts: &StatementFonts, slot: Slot) -> Shaped {
    let face = match slot {
        Slot::Bold => &fonts.bold,
        Slot::Regular | Slot::Fallback => &fonts.regular,
    };
    let fallback = fonts.fallback.as_ref();
    let mut runs: Vec<Run> = Vec::new();
    let mut width = 0.0;
    for c in text.chars() {
        let c = if c.is_control() { ' ' } else { c };
        let (used, (glyph, advance)) = pick(c, slot, face, fallback);
        width += advance;
        match runs.last_mut() {
            Some(run) if run.slot == used => {
                run.glyphs.push((glyph, advance));
                run.width += advance;
            }
            _ => runs.push(Run {
                slot: used,
                glyphs: vec![(glyph, advance)],
                width: advance,
            }),
        }
    }
    Shaped { runs, width }
}

/// The font and glyph that draw `c`: the face, else the fallback, else the
/// face's missing-glyph box.
fn pick(c: char, slot: Slot, face: &PdfFont, fallback: Option<&PdfFont>) -> (Slot, (u16, f32)) {
    if let Some(g) = face.glyph(c) {
        return (slot, g);
    }
    if let Some(g) = fallback.and_then(|f| f.glyph(c)) {
        return (Slot::Fallback, g);
    }
    (slot, face.missing())
}
