//! Turns a drawn [`Doc`] into PDF bytes: subsetted TrueType fonts embedded as
//! Type0/CIDFontType2 (Identity-H, W widths, ToUnicode), Flate-compressed streams.

use std::collections::BTreeMap;

use miniz_oxide::deflate::compress_to_vec_zlib;
use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use subsetter::GlyphRemapper;

use crate::error::Error;
use crate::pdf::canvas::{Doc, Op, PAGE_H, PAGE_W};
use crate::pdf::fonts::{Font, FontId, font};

/// Deflate level: a good size/speed trade-off for many small files.
const LEVEL: u8 = 6;

/// Glyphs used from one font in one document.
struct Used {
    remapper: GlyphRemapper,
    /// New glyph id -> the character it shows.
    unicode: BTreeMap<u16, char>,
}

impl Used {
    fn new() -> Used {
        Used { remapper: GlyphRemapper::new(), unicode: BTreeMap::new() }
    }

    /// Encodes `text` as big-endian new glyph ids.
    fn encode(&mut self, f: &Font, text: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len() * 2);
        for c in text.chars() {
            let old = f.glyph(c).map_or(0, |g| g.0);
            let new = self.remapper.remap(old);
            if old != 0 {
                self.unicode.entry(new).or_insert(c);
            }
            out.extend_from_slice(&new.to_be_bytes());
        }
        out
    }
}

fn font_resource(id: FontId) -> String {
    format!("F{}", id.index())
}

/// A deterministic six-letter subset tag from the glyph set.
fn subset_tag(id: FontId, used: &Used) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ id.index() as u64;
    for g in used.remapper.remapped_gids() {
        h ^= u64::from(g);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    (0..6)
        .map(|i| {
            let v = ((h >> (i * 8)) % 26) as u8;
            char::from(b'A' + v)
        })
        .collect()
}

/// Serialises the document. `title` goes into the document information.
pub fn write_pdf(doc: &Doc, title: &str) -> Result<Vec<u8>, Error> {
    let mut next = 1;
    let mut alloc = || {
        let r = Ref::new(next);
        next += 1;
        r
    };
    let catalog_id = alloc();
    let tree_id = alloc();
    let info_id = alloc();
    let mut pdf = Pdf::new();
    let mut used: BTreeMap<FontId, Used> = BTreeMap::new();
    let mut page_ids = Vec::new();
    let mut streams = Vec::new();

    for page in &doc.pages {
        let mut c = Content::new();
        let mut fonts_on_page: Vec<FontId> = Vec::new();
        for op in &page.ops {
            match op {
                Op::Text { style, x, y, text } => {
                    let f = font(style.font)?;
                    let bytes = used.entry(style.font).or_insert_with(Used::new).encode(f, text);
                    if !fonts_on_page.contains(&style.font) {
                        fonts_on_page.push(style.font);
                    }
                    let name = font_resource(style.font);
                    c.begin_text();
                    c.set_fill_rgb(style.color.0, style.color.1, style.color.2);
                    c.set_font(Name(name.as_bytes()), style.size);
                    c.set_text_matrix([1.0, 0.0, 0.0, 1.0, *x, PAGE_H - *y]);
                    c.show(Str(&bytes));
                    c.end_text();
                }
                Op::Line { x0, y0, x1, y1, width, color, dash } => {
                    c.save_state();
                    c.set_stroke_rgb(color.0, color.1, color.2);
                    c.set_line_width(*width);
                    if let Some(d) = dash {
                        c.set_dash_pattern(d.iter().copied(), 0.0);
                    }
                    c.move_to(*x0, PAGE_H - *y0);
                    c.line_to(*x1, PAGE_H - *y1);
                    c.stroke();
                    c.restore_state();
                }
                Op::Rect { x, y, w, h, fill, stroke } => {
                    c.save_state();
                    if let Some(f) = fill {
                        c.set_fill_rgb(f.0, f.1, f.2);
                    }
                    if let Some((s, lw)) = stroke {
                        c.set_stroke_rgb(s.0, s.1, s.2);
                        c.set_line_width(*lw);
                    }
                    c.rect(*x, PAGE_H - *y - *h, *w, *h);
                    match (fill, stroke) {
                        (Some(_), Some(_)) => c.fill_nonzero_and_stroke(),
                        (Some(_), None) => c.fill_nonzero(),
                        _ => c.stroke(),
                    };
                    c.restore_state();
                }
            }
        }
        let data = compress_to_vec_zlib(&c.finish(), LEVEL);
        let page_id = alloc();
        let content_id = alloc();
        page_ids.push(page_id);
        streams.push((page_id, content_id, data, fonts_on_page));
    }

    // Font objects: one Type0 + CIDFont + descriptor + file + ToUnicode per font.
    let mut font_refs: BTreeMap<FontId, Ref> = BTreeMap::new();
    for id in used.keys() {
        font_refs.insert(*id, alloc());
    }
    for (id, u) in &used {
        let f = font(*id)?;
        let type0 = font_refs.get(id).copied().ok_or_else(|| Error::Font("font ref".into()))?;
        let (cid_ref, desc_ref, file_ref, cmap_ref) = (alloc(), alloc(), alloc(), alloc());
        let base = format!("{}+{}", subset_tag(*id, u), id.ps_name());
        let subset = subsetter::subset(f.data, 0, &u.remapper)
            .map_err(|e| Error::Font(format!("subsetting {}: {e}", id.ps_name())))?;
        let system_info =
            SystemInfo { registry: Str(b"Adobe"), ordering: Str(b"Identity"), supplement: 0 };

        pdf.type0_font(type0)
            .base_font(Name(base.as_bytes()))
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(cid_ref)
            .to_unicode(cmap_ref);

        let widths: Vec<f32> =
            u.remapper.remapped_gids().map(|g| f.advance_of_gid(g).round()).collect();
        let mut cid = pdf.cid_font(cid_ref);
        cid.subtype(CidFontType::Type2);
        cid.base_font(Name(base.as_bytes()));
        cid.system_info(system_info);
        cid.font_descriptor(desc_ref);
        cid.default_width(0.0);
        cid.cid_to_gid_map_predefined(Name(b"Identity"));
        cid.widths().consecutive(0, widths);
        cid.finish();

        let mut flags = FontFlags::NON_SYMBOLIC;
        if id.is_serif() {
            flags |= FontFlags::SERIF;
        }
        if id.is_mono() {
            flags |= FontFlags::FIXED_PITCH;
        }
        pdf.font_descriptor(desc_ref)
            .name(Name(base.as_bytes()))
            .flags(flags)
            .bbox(Rect::new(f.bbox[0], f.bbox[1], f.bbox[2], f.bbox[3]))
            .italic_angle(0.0)
            .ascent((f.ascender * 1000.0).round())
            .descent((f.descender * 1000.0).round())
            .cap_height((f.cap_height * 1000.0).round())
            .stem_v(if id.is_bold() { 140.0 } else { 80.0 })
            .font_file2(file_ref);

        let packed = compress_to_vec_zlib(&subset, LEVEL);
        pdf.stream(file_ref, &packed)
            .filter(Filter::FlateDecode)
            .pair(Name(b"Length1"), subset.len() as i32);

        let mut cmap = UnicodeCmap::new(Name(b"Custom"), system_info);
        for (g, ch) in &u.unicode {
            cmap.pair(*g, *ch);
        }
        let cmap_data = compress_to_vec_zlib(&cmap.finish(), LEVEL);
        pdf.cmap(cmap_ref, &cmap_data).filter(Filter::FlateDecode);
    }

    pdf.catalog(catalog_id).pages(tree_id);
    pdf.pages(tree_id).kids(page_ids.iter().copied()).count(page_ids.len() as i32);
    for (page_id, content_id, data, fonts_on_page) in &streams {
        let mut page = pdf.page(*page_id);
        page.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H));
        page.parent(tree_id);
        page.contents(*content_id);
        let mut res = page.resources();
        let mut fonts = res.fonts();
        for id in fonts_on_page {
            if let Some(r) = font_refs.get(id) {
                let name = font_resource(*id);
                fonts.pair(Name(name.as_bytes()), *r);
            }
        }
        fonts.finish();
        res.finish();
        page.finish();
        pdf.stream(*content_id, data).filter(Filter::FlateDecode);
    }
    pdf.document_info(info_id).title(TextStr(title)).producer(TextStr("invex-datasets"));
    Ok(pdf.finish())
}
