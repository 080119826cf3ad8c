//! A font subset ready to embed: the subset font file and its character
//! map back to Unicode (both compressed), the glyph widths and the font's
//! descriptor values. Built by [`Embedded::build`] for one set of glyphs
//! and kept by the font ([`super::fonts::PdfFont`]), so the many statements
//! of a month close that use the same glyphs share one subset and never
//! subset or compress a font again.

use std::collections::BTreeMap;
use std::fmt::Write;

use sha2::{Digest, Sha256};
use skrifa::instance::{LocationRef, Size};
use skrifa::string::StringId;
use skrifa::{FontRef, MetadataProvider};
use subsetter::GlyphRemapper;

use crate::error::{Error, Result};

/// One subset of a font, in PDF units (1000 per em).
#[derive(Debug)]
pub(super) struct Embedded {
    /// `ABCDEF+PostScriptName`: the tag names the subset.
    pub name: String,
    /// The original glyph ids in the subset, sorted; a glyph's place here
    /// is its id in the subset, which is also its character code in the
    /// PDF (Identity encoding and CID-to-GID map).
    pub glyphs: Vec<u16>,
    /// The subset font file, zlib-compressed.
    pub file: Vec<u8>,
    /// The glyph widths, in subset order, in thousandths of an em (PDF
    /// glyph space). Like every float in this module, a font or page
    /// measure for pdf-writer, never money.
    pub widths: Vec<f32>,
    /// The ToUnicode CMap, zlib-compressed.
    pub to_unicode: Vec<u8>,
    /// The font's ascent, in thousandths of an em.
    pub ascent: f32,
    /// The font's descent (negative), in thousandths of an em.
    pub descent: f32,
    /// The height of capital letters, in thousandths of an em.
    pub cap_height: f32,
    /// The font's bounding box (x min, y min, x max, y max), in
    /// thousandths of an em.
    pub bbox: [f32; 4],
}

impl Embedded {
    /// Subsets the font in `bytes` (face `index`) to `glyphs` (sorted,
    /// without repeats, starting with 0, the missing glyph).
    pub fn build(bytes: &[u8], index: u32, glyphs: Vec<u16>) -> Result<Embedded> {
        let unsupported = |what: &str, e: String| Error::Unsupported(format!("{what}: {e}"));
        let font = FontRef::from_index(bytes, index)
            .map_err(|e| unsupported("reading the font", e.to_string()))?;
        let remapper = GlyphRemapper::new_from_glyphs_sorted(&glyphs);
        let subset = subsetter::subset(bytes, index, &remapper)
            .map_err(|e| unsupported("subsetting the font", e.to_string()))?;
        let metrics = font.metrics(Size::unscaled(), LocationRef::default());
        let scale = 1000.0 / f32::from(metrics.units_per_em.max(1));
        let advances = font.glyph_metrics(Size::unscaled(), LocationRef::default());
        let widths = glyphs
            .iter()
            .map(|g| {
                let id = skrifa::GlyphId::new(u32::from(*g));
                advances.advance_width(id).unwrap_or(0.0) * scale
            })
            .collect();
        let bbox = metrics
            .bounds
            .map_or([0.0, metrics.descent, 1000.0, metrics.ascent], |b| {
                [b.x_min, b.y_min, b.x_max, b.y_max]
            });
        let postscript = font
            .localized_strings(StringId::POSTSCRIPT_NAME)
            .english_or_first()
            .map(|s| {
                s.chars()
                    .filter(char::is_ascii_alphanumeric)
                    .collect::<String>()
            })
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "Font".to_string());
        Ok(Embedded {
            name: format!("{}+{postscript}", tag(&glyphs)),
            // Built once per glyph set: worth the best compression.
            to_unicode: compress(to_unicode(&font, &glyphs).as_bytes(), 9),
            file: compress(&subset, 9),
            glyphs,
            widths,
            ascent: metrics.ascent * scale,
            descent: metrics.descent * scale,
            cap_height: metrics.cap_height.unwrap_or(metrics.ascent) * scale,
            bbox: bbox.map(|v| v * scale),
        })
    }

    /// The subset's id (and PDF character code) of original glyph `glyph`.
    pub fn code(&self, glyph: u16) -> u16 {
        // The subset holds every glyph the document uses (it was built
        // from them); 0 (the missing glyph) otherwise.
        self.glyphs
            .binary_search(&glyph)
            .map_or(0, |i| u16::try_from(i).unwrap_or(0))
    }
}

/// Six capital letters from the glyph set, as PDF wants before a subset's
/// name: the same subset always gets the same tag.
fn tag(glyphs: &[u16]) -> String {
    let mut h = Sha256::new();
    for g in glyphs {
        h.update(g.to_be_bytes());
    }
    h.finalize()
        .iter()
        .take(6)
        .map(|b| char::from(b'A' + b % 26))
        .collect()
}

/// The CMap that maps each subset glyph back to its character (the lowest
/// code point the font maps to it), so text can be copied and searched.
fn to_unicode(font: &FontRef<'_>, glyphs: &[u16]) -> String {
    let mut chars: BTreeMap<u16, char> = BTreeMap::new();
    for (code, glyph) in font.charmap().mappings() {
        let Ok(glyph) = u16::try_from(glyph.to_u32()) else {
            continue;
        };
        let (Some(c), Ok(i)) = (char::from_u32(code), glyphs.binary_search(&glyph)) else {
            continue;
        };
        let Ok(cid) = u16::try_from(i) else {
            continue;
        };
        chars.entry(cid).or_insert(c);
    }
    let mut out = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
         1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    let pairs: Vec<(u16, char)> = chars.into_iter().collect();
    // A CMap section holds at most 100 entries.
    for chunk in pairs.chunks(100) {
        let _ = writeln!(out, "{} beginbfchar", chunk.len());
        for (cid, c) in chunk {
            let mut units = [0u16; 2];
            let hex: String = c
                .encode_utf16(&mut units)
                .iter()
                .map(|u| format!("{u:04X}"))
                .collect();
            let _ = writeln!(out, "<{cid:04X}> <{hex}>");
        }
        out.push_str("endbfchar\n");
    }
    out.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    out
}

/// zlib-compresses `data` at `level` (1 fast to 9 small).
pub(super) fn compress(data: &[u8], level: u8) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(data, level)
}
