//! The shipped DejaVu fonts, parsed once, with the metrics the layouts need.

use std::sync::OnceLock;

use ttf_parser::{Face, GlyphId};

use crate::error::Error;

/// One of the shipped fonts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FontId {
    Sans,
    SansBold,
    Serif,
    SerifBold,
    Mono,
    Condensed,
    CondensedBold,
}

impl FontId {
    pub const ALL: [FontId; 7] = [
        FontId::Sans,
        FontId::SansBold,
        FontId::Serif,
        FontId::SerifBold,
        FontId::Mono,
        FontId::Condensed,
        FontId::CondensedBold,
    ];

    pub fn index(self) -> usize {
        self as usize
    }

    /// The PostScript name written as the PDF BaseFont (after the subset tag).
    pub fn ps_name(self) -> &'static str {
        match self {
            FontId::Sans => "DejaVuSans",
            FontId::SansBold => "DejaVuSans-Bold",
            FontId::Serif => "DejaVuSerif",
            FontId::SerifBold => "DejaVuSerif-Bold",
            FontId::Mono => "DejaVuSansMono",
            FontId::Condensed => "DejaVuSansCondensed",
            FontId::CondensedBold => "DejaVuSansCondensed-Bold",
        }
    }

    fn data(self) -> &'static [u8] {
        match self {
            FontId::Sans => include_bytes!("../../fonts/DejaVuSans.ttf"),
            FontId::SansBold => include_bytes!("../../fonts/DejaVuSans-Bold.ttf"),
            FontId::Serif => include_bytes!("../../fonts/DejaVuSerif.ttf"),
            FontId::SerifBold => include_bytes!("../../fonts/DejaVuSerif-Bold.ttf"),
            FontId::Mono => include_bytes!("../../fonts/DejaVuSansMono.ttf"),
            FontId::Condensed => include_bytes!("../../fonts/DejaVuSansCondensed.ttf"),
            FontId::CondensedBold => include_bytes!("../../fonts/DejaVuSansCondensed-Bold.ttf"),
        }
    }

    pub fn is_bold(self) -> bool {
        matches!(self, FontId::SansBold | FontId::SerifBold | FontId::CondensedBold)
    }

    pub fn is_serif(self) -> bool {
        matches!(self, FontId::Serif | FontId::SerifBold)
    }

    pub fn is_mono(self) -> bool {
        self == FontId::Mono
    }
}

/// Number of code points below which glyph ids and advances are cached.
const FAST: usize = 0x300;

/// A parsed font with its metrics in font units.
pub struct Font {
    pub id: FontId,
    pub data: &'static [u8],
    pub face: Face<'static>,
    pub units_per_em: f32,
    /// Ascender and descender as fractions of the em (descender negative).
    pub ascender: f32,
    pub descender: f32,
    pub cap_height: f32,
    /// Font bounding box in 1/1000 em: x0, y0, x1, y1.
    pub bbox: [f32; 4],
    /// Glyph id and advance (in 1/1000 em) for code points below `FAST`; gid 0 = missing.
    fast: Vec<(u16, f32)>,
}

impl Font {
    fn load(id: FontId) -> Result<Font, Error> {
        let data = id.data();
        let face =
            Face::parse(data, 0).map_err(|e| Error::Font(format!("{}: {e}", id.ps_name())))?;
        let upem = f32::from(face.units_per_em());
        let scale = 1000.0 / upem;
        let mut fast = Vec::with_capacity(FAST);
        for cp in 0..FAST as u32 {
            let entry = char::from_u32(cp)
                .and_then(|c| face.glyph_index(c))
                .map(|g| (g.0, f32::from(face.glyph_hor_advance(g).unwrap_or(0)) * scale))
                .unwrap_or((0, 0.0));
            fast.push(entry);
        }
        let gb = face.global_bounding_box();
        Ok(Font {
            id,
            data,
            units_per_em: upem,
            ascender: f32::from(face.ascender()) / upem,
            descender: f32::from(face.descender()) / upem,
            cap_height: f32::from(face.capital_height().unwrap_or(face.ascender())) / upem,
            bbox: [
                f32::from(gb.x_min) * scale,
                f32::from(gb.y_min) * scale,
                f32::from(gb.x_max) * scale,
                f32::from(gb.y_max) * scale,
            ],
            face,
            fast,
        })
    }

    /// Glyph id and advance (1/1000 em) of a character, if the font has it.
    pub fn glyph(&self, c: char) -> Option<(u16, f32)> {
        let cp = c as usize;
        if cp < FAST {
            let (gid, adv) = self.fast[cp];
            return (gid != 0).then_some((gid, adv));
        }
        let gid = self.face.glyph_index(c)?;
        let adv = f32::from(self.face.glyph_hor_advance(gid).unwrap_or(0));
        Some((gid.0, adv * 1000.0 / self.units_per_em))
    }

    /// Advance (1/1000 em) of a glyph id of the full font.
    pub fn advance_of_gid(&self, gid: u16) -> f32 {
        f32::from(self.face.glyph_hor_advance(GlyphId(gid)).unwrap_or(0)) * 1000.0
            / self.units_per_em
    }

    /// Width of a string in points at the given size; missing glyphs count as 0.5 em.
    pub fn width(&self, s: &str, size: f32) -> f32 {
        let mut w = 0.0;
        for c in s.chars() {
            w += self.glyph(c).map_or(500.0, |g| g.1);
        }
        w * size / 1000.0
    }

    /// The first character of `s` the font cannot draw.
    pub fn missing(&self, s: &str) -> Option<char> {
        s.chars().find(|&c| self.glyph(c).is_none())
    }
}

static FONTS: OnceLock<Result<Vec<Font>, String>> = OnceLock::new();

/// All shipped fonts, indexed by [`FontId::index`].
pub fn fonts() -> Result<&'static [Font], Error> {
    let loaded = FONTS.get_or_init(|| {
        FontId::ALL.iter().map(|&id| Font::load(id).map_err(|e| e.to_string())).collect()
    });
    match loaded {
        Ok(v) => Ok(v.as_slice()),
        Err(e) => Err(Error::Font(e.clone())),
    }
}

/// One font by id.
pub fn font(id: FontId) -> Result<&'static Font, Error> {
    fonts()?.get(id.index()).ok_or_else(|| Error::Font(format!("{id:?} not loaded")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_fonts_cover_the_characters_we_print() {
        let needed = "åäöÅÄÖéüßÜÉ€−–§@&%#>/:;.,()+*$£0123456789ABCxyz";
        for f in fonts().unwrap_or_default() {
            assert_eq!(f.missing(needed), None, "{}", f.id.ps_name());
            assert!(f.ascender > 0.5 && f.descender < 0.0);
        }
        assert_eq!(fonts().map(|f| f.len()).unwrap_or(0), 7);
    }
}
