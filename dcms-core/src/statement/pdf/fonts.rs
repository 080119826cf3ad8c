//! The fonts a statement is set in: DejaVu Sans, bundled in the crate so a
//! document looks the same on every machine, or fonts a program supplies.
//!
//! A font is parsed once and shared (cloning is an `Arc` clone), and so are
//! its subsets: month close renders a PDF per vendor, and subsetting and
//! compressing a font for each would cost far more than the layout. The
//! main faces always embed at least the printable ASCII characters (every
//! number, date and label of a statement), so statements whose names are
//! ASCII share one subset; a name with other letters adds them, and that
//! subset is kept too (up to [`MAX_SUBSETS`] per font).

use std::fmt;
use std::sync::{Arc, LazyLock};

use parking_lot::Mutex;
use skrifa::charmap::Charmap;
use skrifa::instance::{LocationRef, Size};
use skrifa::metrics::GlyphMetrics;
use skrifa::{FontRef, MetadataProvider};

use super::embed::Embedded;
use crate::error::{Error, Result};

static DEJAVU_SANS: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
static DEJAVU_SANS_BOLD: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans-Bold.ttf");

/// The bundled fonts, parsed on first use and shared by every document
/// after it. The error is kept as text because [`Error`] is not `Clone`.
static BUNDLED: LazyLock<std::result::Result<StatementFonts, String>> = LazyLock::new(|| {
    Ok(StatementFonts {
        regular: PdfFont::from_static(DEJAVU_SANS).map_err(|e| e.to_string())?,
        bold: PdfFont::from_static(DEJAVU_SANS_BOLD).map_err(|e| e.to_string())?,
        fallback: None,
    })
});

/// Subsets kept per font; when full the oldest is dropped.
pub const MAX_SUBSETS: usize = 64;

/// Characters a main face always embeds: what numbers, dates and the
/// statement's own words are written with.
const BASE: &str = " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`\
                    abcdefghijklmnopqrstuvwxyz{|}~·…";

/// Characters below this (Latin, Latin-1, Latin Extended-A and -B) have
/// their glyphs in a table; others are looked up in the font each time.
const TABLE: u32 = 0x250;

type Bytes = Arc<dyn AsRef<[u8]> + Send + Sync>;

/// A TrueType or OpenType font (or one face of a collection) for statement
/// PDFs. Cheap to clone.
#[derive(Clone)]
pub struct PdfFont(Arc<FontInner>);

struct FontInner {
    bytes: Bytes,
    index: u32,
    units_per_em: f32,
    /// The glyphs of [`BASE`] (sorted, with 0).
    base: Vec<u16>,
    /// Glyph and advance (in ems) of the characters below [`TABLE`], looked
    /// up once: layout asks for a character thousands of times per
    /// statement, and a character map lookup parses the font's tables.
    table: Vec<Option<(u16, f32)>>,
    /// The missing glyph's advance in ems.
    missing: f32,
    /// Subsets built so far, by glyph set.
    subsets: Mutex<Vec<(Vec<u16>, Arc<Embedded>)>>,
}

impl fmt::Debug for PdfFont {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PdfFont")
            .field("bytes", &(*self.0.bytes).as_ref().len())
            .field("index", &self.0.index)
            .finish()
    }
}

impl PdfFont {
    /// Reads a font file's bytes; `index` picks the face of a collection
    /// (`.ttc`), 0 for a single font. [`Error::InvalidInput`] when the bytes
    /// are not a font with a character map.
    pub fn from_bytes(bytes: Vec<u8>, index: u32) -> Result<PdfFont> {
        PdfFont::new(Arc::new(bytes), index)
    }

    fn from_static(bytes: &'static [u8]) -> Result<PdfFont> {
        PdfFont::new(Arc::new(bytes), 0)
    }

    fn new(bytes: Bytes, index: u32) -> Result<PdfFont> {
        let invalid = |reason: String| Error::invalid_input("font", reason);
        let font = FontRef::from_index((*bytes).as_ref(), index)
            .map_err(|e| invalid(format!("not a readable font (face {index}): {e}")))?;
        let charmap = font.charmap();
        if charmap.map('0').is_none() && charmap.map('A').is_none() {
            return Err(invalid(
                "the font maps neither digits nor Latin letters".into(),
            ));
        }
        let units_per_em = f32::from(
            font.metrics(Size::unscaled(), LocationRef::default())
                .units_per_em
                .max(1),
        );
        let metrics = Metrics {
            charmap,
            advances: font.glyph_metrics(Size::unscaled(), LocationRef::default()),
            units_per_em,
        };
        let mut base: Vec<u16> = BASE
            .chars()
            .filter_map(|c| metrics.glyph(c))
            .map(|(glyph, _)| glyph)
            .chain([0])
            .collect();
        base.sort_unstable();
        base.dedup();
        let table = (0..TABLE)
            .map(|c| char::from_u32(c).and_then(|c| metrics.glyph(c)))
            .collect();
        let missing = metrics.missing().1;
        Ok(PdfFont(Arc::new(FontInner {
            bytes,
            index,
            units_per_em,
            base,
            table,
            missing,
            subsets: Mutex::new(Vec::new()),
        })))
    }

    /// The glyph of `c` and its advance in ems, None when the font lacks it.
    pub(super) fn glyph(&self, c: char) -> Option<(u16, f32)> {
        match self.0.table.get(c as usize) {
            Some(found) => *found,
            None => self.metrics()?.glyph(c),
        }
    }

    /// The font's "missing glyph" box and its advance, drawn for a
    /// character no font has (so a reader sees that something is missing).
    pub(super) fn missing(&self) -> (u16, f32) {
        (0, self.0.missing)
    }

    /// Character map and advances, for characters outside the table.
    fn metrics(&self) -> Option<Metrics<'_>> {
        let font = FontRef::from_index((*self.0.bytes).as_ref(), self.0.index).ok()?;
        Some(Metrics {
            charmap: font.charmap(),
            advances: font.glyph_metrics(Size::unscaled(), LocationRef::default()),
            units_per_em: self.0.units_per_em,
        })
    }

    /// The subset holding `used` (sorted glyph ids), plus the base
    /// characters when `with_base`: taken from the kept subsets, or built
    /// and kept.
    pub(super) fn subset(&self, used: &[u16], with_base: bool) -> Result<Arc<Embedded>> {
        let mut glyphs: Vec<u16> = Vec::with_capacity(used.len() + self.0.base.len() + 1);
        glyphs.push(0);
        glyphs.extend_from_slice(used);
        if with_base {
            glyphs.extend_from_slice(&self.0.base);
        }
        glyphs.sort_unstable();
        glyphs.dedup();
        if let Some((_, found)) = self.0.subsets.lock().iter().find(|(g, _)| *g == glyphs) {
            return Ok(found.clone());
        }
        // Built outside the lock: another statement may build the same
        // subset meanwhile, and both get identical bytes.
        let built = Arc::new(Embedded::build(
            (*self.0.bytes).as_ref(),
            self.0.index,
            glyphs.clone(),
        )?);
        let mut subsets = self.0.subsets.lock();
        if subsets.len() >= MAX_SUBSETS {
            subsets.remove(0);
        }
        subsets.push((glyphs, built.clone()));
        Ok(built)
    }
}

/// Which glyph draws a character and how wide it is.
struct Metrics<'a> {
    charmap: Charmap<'a>,
    advances: GlyphMetrics<'a>,
    units_per_em: f32,
}

impl Metrics<'_> {
    fn glyph(&self, c: char) -> Option<(u16, f32)> {
        let id = self.charmap.map(c)?;
        let glyph = u16::try_from(id.to_u32()).ok()?;
        Some((glyph, self.advance(id)))
    }

    fn missing(&self) -> (u16, f32) {
        (0, self.advance(skrifa::GlyphId::new(0)))
    }

    fn advance(&self, id: skrifa::GlyphId) -> f32 {
        self.advances.advance_width(id).unwrap_or(0.0) / self.units_per_em
    }
}

/// The fonts of a statement: a regular and a bold face, and an optional
/// fallback for characters they lack (for example a CJK font for Japanese
/// vendor names, while digits and Latin text stay in the main faces).
#[derive(Debug, Clone)]
pub struct StatementFonts {
    /// Body text and numbers.
    pub regular: PdfFont,
    /// Titles, headings and totals.
    pub bold: PdfFont,
    /// Used for each character the face in use does not have.
    pub fallback: Option<PdfFont>,
}

impl StatementFonts {
    /// DejaVu Sans Regular and Bold (version 2.37, bundled; Bitstream Vera
    /// licence, see `assets/fonts/LICENSE-DejaVu.txt`), with no fallback.
    /// They cover Latin with its accents, Greek, Cyrillic, Armenian and
    /// Georgian; not Chinese, Japanese or Korean. Parsed once per process.
    pub fn dejavu_sans() -> Result<StatementFonts> {
        BUNDLED
            .as_ref()
            .map(Clone::clone)
            .map_err(|e| Error::Unsupported(format!("the bundled DejaVu Sans font: {e}")))
    }

    /// The same faces with `fallback` for the characters they lack.
    pub fn with_fallback(mut self, fallback: PdfFont) -> StatementFonts {
        self.fallback = Some(fallback);
        self
    }
}
