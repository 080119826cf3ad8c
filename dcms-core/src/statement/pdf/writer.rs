//! Laid-out pages to PDF bytes, written with pdf-writer: a page tree, one
//! compressed content stream per page, and each font used embedded as a
//! subset (a Type 0 font over a TrueType CID font, Identity-encoded, with a
//! ToUnicode map so the text can be searched and copied).
//!
//! Nothing in the file depends on the time or on chance: no dates, and the
//! file identifier is derived from the statement's id.

use std::sync::Arc;

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Settings, Str, TextStr};
use sha2::{Digest, Sha256};

use super::doc::{Op, Rgb, PAGE_H, PAGE_W};
use super::embed::{compress, Embedded};
use super::fonts::StatementFonts;
use super::text::Slot;
use crate::error::Result;

const SLOTS: [Slot; 3] = [Slot::Regular, Slot::Bold, Slot::Fallback];
const FONT_NAMES: [&[u8]; 3] = [b"F0", b"F1", b"F2"];

fn slot_index(slot: Slot) -> usize {
    match slot {
        Slot::Regular => 0,
        Slot::Bold => 1,
        Slot::Fallback => 2,
    }
}

/// Hands out object numbers in order.
struct Refs(i32);

impl Refs {
    fn next(&mut self) -> Ref {
        self.0 += 1;
        Ref::new(self.0)
    }
}

/// Writes `pages` (each a list of operations, footers included), their
/// content streams compressed when `compress` says.
pub(super) fn write(
    pages: &[Vec<Op>],
    fonts: &StatementFonts,
    title: &str,
    id: &str,
    compress_pages: bool,
) -> Result<Vec<u8>> {
    let subsets = subsets(pages, fonts)?;
    let mut refs = Refs(0);
    let catalog = refs.next();
    let tree = refs.next();
    let info = refs.next();
    let font_refs: Vec<Option<Ref>> = subsets
        .iter()
        .map(|s| s.as_ref().map(|_| refs.next()))
        .collect();
    // Compact: indentation only helps a person reading the raw file.
    let mut pdf = Pdf::with_settings_and_capacity(Settings { pretty: false }, 64 * 1024);
    let mut kids = Vec::with_capacity(pages.len());
    for ops in pages {
        let page = refs.next();
        let content = refs.next();
        kids.push(page);
        let data = draw(ops, &subsets);
        if compress_pages {
            let data = compress(&data, 1);
            pdf.stream(content, &data).filter(Filter::FlateDecode);
        } else {
            pdf.stream(content, &data);
        }
        let mut p = pdf.page(page);
        p.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H))
            .parent(tree)
            .contents(content);
        let mut resources = p.resources();
        let mut dict = resources.fonts();
        for (name, font) in FONT_NAMES.iter().zip(&font_refs) {
            if let Some(font) = font {
                dict.pair(Name(name), *font);
            }
        }
    }
    for (subset, font) in subsets.iter().zip(&font_refs) {
        if let (Some(subset), Some(font)) = (subset, font) {
            embed(&mut pdf, &mut refs, *font, subset);
        }
    }
    let count = i32::try_from(kids.len()).unwrap_or(i32::MAX);
    pdf.pages(tree).kids(kids).count(count);
    pdf.catalog(catalog).pages(tree);
    pdf.document_info(info)
        .title(TextStr(title))
        .creator(TextStr("DCMS"));
    let file_id = Sha256::digest(id.as_bytes())[..16].to_vec();
    pdf.set_file_id((file_id.clone(), file_id));
    Ok(pdf.finish())
}

/// The subset of each font slot the pages use (None for a slot unused).
fn subsets(pages: &[Vec<Op>], fonts: &StatementFonts) -> Result<Vec<Option<Arc<Embedded>>>> {
    let mut used: [Vec<u16>; 3] = Default::default();
    for op in pages.iter().flatten() {
        if let Op::Text { shaped, .. } = op {
            for run in &shaped.runs {
                if let Some(glyphs) = used.get_mut(slot_index(run.slot)) {
                    glyphs.extend(run.glyphs.iter().map(|g| g.0));
                }
            }
        }
    }
    let mut out = Vec::with_capacity(SLOTS.len());
    for (slot, mut glyphs) in SLOTS.into_iter().zip(used) {
        let font = match slot {
            Slot::Regular => Some(&fonts.regular),
            Slot::Bold => Some(&fonts.bold),
            Slot::Fallback => fonts.fallback.as_ref(),
        };
        match font {
            Some(font) if !glyphs.is_empty() => {
                glyphs.sort_unstable();
                glyphs.dedup();
                // The main faces carry the base characters so statements
                // share subsets; the fallback only what is drawn with it.
                out.push(Some(font.subset(&glyphs, slot != Slot::Fallback)?));
            }
            _ => out.push(None),
        }
    }
    Ok(out)
}

/// Writes one subset as a Type 0 font at `font` and its parts after it.
fn embed(pdf: &mut Pdf, refs: &mut Refs, font: Ref, subset: &Embedded) {
    let cid = refs.next();
    let descriptor = refs.next();
    let file = refs.next();
    let cmap = refs.next();
    let name = Name(subset.name.as_bytes());
    pdf.type0_font(font)
        .base_font(name)
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(cid)
        .to_unicode(cmap);
    let mut cid_font = pdf.cid_font(cid);
    cid_font
        .subtype(CidFontType::Type2)
        .base_font(name)
        .system_info(SystemInfo {
            registry: Str(b"Adobe"),
            ordering: Str(b"Identity"),
            supplement: 0,
        })
        .font_descriptor(descriptor)
        .cid_to_gid_map_predefined(Name(b"Identity"));
    cid_font
        .widths()
        .consecutive(0, subset.widths.iter().copied());
    cid_font.finish();
    let [x0, y0, x1, y1] = subset.bbox;
    pdf.font_descriptor(descriptor)
        .name(name)
        .flags(FontFlags::SYMBOLIC)
        .bbox(Rect::new(x0, y0, x1, y1))
        .italic_angle(0.0)
        .ascent(subset.ascent)
        .descent(subset.descent)
        .cap_height(subset.cap_height)
        .stem_v(80.0)
        .font_file2(file);
    pdf.stream(file, &subset.file).filter(Filter::FlateDecode);
    pdf.cmap(cmap, &subset.to_unicode)
        .filter(Filter::FlateDecode);
}

/// A page's content stream. Text is written in as few text objects as
/// possible, each piece placed relative to the one before (`Td`);
/// colours, line width and font are set only when they change; numbers
/// are rounded to 0.01 pt. All of which keeps the stream, and the time to
/// write and compress it, small.
fn draw(ops: &[Op], subsets: &[Option<Arc<Embedded>>]) -> Vec<u8> {
    let mut c = Content::new();
    let mut fill: Option<(u8, u8, u8)> = None;
    let mut stroke: Option<(u8, u8, u8, u32)> = None;
    // Inside a text object: where the last piece started, and its font.
    let mut text: Option<(f32, f32)> = None;
    let mut font: Option<(usize, u32)> = None;
    let mut codes = Vec::new();
    for op in ops {
        match op {
            Op::Text {
                x,
                y,
                style,
                shaped,
            } => {
                set_fill(&mut c, &mut fill, style.color);
                let (mut ox, mut oy) = match text {
                    Some(origin) => origin,
                    None => {
                        c.begin_text();
                        (0.0, 0.0)
                    }
                };
                let mut left = *x;
                for run in &shaped.runs {
                    let i = slot_index(run.slot);
                    let (Some(Some(subset)), Some(name)) = (subsets.get(i), FONT_NAMES.get(i))
                    else {
                        continue;
                    };
                    // Sizes are multiples of 0.01 pt: compared in hundredths.
                    let key = (i, (style.size * 100.0).round() as u32);
                    if font != Some(key) {
                        c.set_font(Name(name), style.size);
                        font = Some(key);
                    }
                    let (dx, dy) = (round(round(left) - ox), round(round(PAGE_H - y) - oy));
                    c.next_line(dx, dy);
                    (ox, oy) = (ox + dx, oy + dy);
                    codes.clear();
                    for (glyph, _) in &run.glyphs {
                        codes.extend_from_slice(&subset.code(*glyph).to_be_bytes());
                    }
                    c.show(Str(&codes));
                    left += run.width * style.size;
                }
                text = Some((ox, oy));
            }
            Op::Rect { x, y, w, h, color } => {
                end_text(&mut c, &mut text);
                set_fill(&mut c, &mut fill, *color);
                c.rect(round(*x), round(PAGE_H - y - h), round(*w), round(*h));
                c.fill_nonzero();
            }
            Op::Line {
                from,
                to,
                width,
                color,
            } => {
                end_text(&mut c, &mut text);
                // Widths are multiples of 0.1 pt: compared in tenths.
                let key = (color.0, color.1, color.2, (width * 10.0).round() as u32);
                if stroke != Some(key) {
                    let (r, g, b) = unit(*color);
                    c.set_stroke_rgb(r, g, b);
                    c.set_line_width(*width);
                    stroke = Some(key);
                }
                c.move_to(round(from.0), round(PAGE_H - from.1));
                c.line_to(round(to.0), round(PAGE_H - to.1));
                c.stroke();
            }
        }
    }
    end_text(&mut c, &mut text);
    c.finish().into_vec()
}

/// Closes the open text object, if any (paths cannot be drawn inside one).
fn end_text(c: &mut Content, text: &mut Option<(f32, f32)>) {
    if text.take().is_some() {
        c.end_text();
    }
}

/// `v` to the nearest 0.01 pt: finer than any screen or printer shows,
/// and short to write.
fn round(v: f32) -> f32 {
    (v * 100.0).round() / 100.0
}

fn set_fill(c: &mut Content, current: &mut Option<(u8, u8, u8)>, color: Rgb) {
    let key = (color.0, color.1, color.2);
    if *current != Some(key) {
        let (r, g, b) = unit(color);
        c.set_fill_rgb(r, g, b);
        *current = Some(key);
    }
}

fn unit(color: Rgb) -> (f32, f32, f32) {
    let f = |v: u8| f32::from(v) / 255.0;
    (f(color.0), f(color.1), f(color.2))
}
