//! Fonts: how a font's codes become text (ToUnicode maps, encodings) and how far each glyph
//! moves the pen (widths).

use super::objects::{Dict, Lexer, Obj};
use super::{encoding, Doc, MAX_CMAP_ENTRIES};
use std::collections::HashMap;
use std::rc::Rc;

/// How a font's codes become text.
#[derive(Default)]
pub(super) struct Font {
    /// Bytes per code (2 for Identity-H fonts).
    pub(super) width: usize,
    pub(super) map: HashMap<u32, String>,
    /// Glyph advance per code, in thousandths of an em.
    pub(super) advances: HashMap<u32, f64>,
    pub(super) default_advance: f64,
}

impl Font {
    /// How far `bytes` move the pen, in ems.
    pub(super) fn advance(&self, bytes: &[u8]) -> f64 {
        let w = self.width.clamp(1, 4);
        let fallback = if self.default_advance > 0.0 { self.default_advance } else { 500.0 };
        bytes.chunks(w).map(|code| *self.advances.get(&code_of(code)).unwrap_or(&fallback)).sum::<f64>() / 1000.0
    }

    pub(super) fn decode(&self, bytes: &[u8], out: &mut String) {
        let w = self.width.clamp(1, 4);
        if self.map.is_empty() {
            if w == 1 {
                out.extend(bytes.iter().map(|b| win_ansi(*b)));
            }
            return;
        }
        for code in bytes.chunks(w) {
            let c = code.iter().fold(0u32, |acc, b| (acc << 8) | u32::from(*b));
            match self.map.get(&c) {
                Some(s) => out.push_str(s),
                None if w == 1 => out.push(win_ansi(code[0])),
                None => {}
            }
        }
    }
}

/// WinAnsiEncoding, close enough for text search: Latin-1 plus the usual quotes and dashes.
pub(super) fn win_ansi(b: u8) -> char {
    match b {
        0x91 | 0x92 => '\'',
        0x93 | 0x94 => '"',
        0x96 | 0x97 => '-',
        0x95 => '\u{2022}',
        0x85 => '\u{2026}',
        0x80 => '\u{20ac}',
        b if b < 0x20 => ' ',
        b => char::from(b),
    }
}

pub(super) fn utf16be(bytes: &[u8]) -> String {
    let units: Vec<u16> =
        bytes.chunks(2).map(|p| (u16::from(p[0]) << 8) | u16::from(*p.get(1).unwrap_or(&0))).collect();
    String::from_utf16_lossy(&units)
}

pub(super) fn code_of(bytes: &[u8]) -> u32 {
    bytes.iter().take(4).fold(0u32, |acc, b| (acc << 8) | u32::from(*b))
}

/// A ToUnicode CMap: `bfchar` and `bfrange` entries, and the code width.
pub(super) fn parse_cmap(data: &[u8]) -> Font {
    let mut font = Font { width: 1, ..Font::default() };
    let mut lx = Lexer::new(data, 0);
    let mut stack: Vec<Obj> = Vec::new();
    let mut mode: &[u8] = b"";
    let mut entries_left = MAX_CMAP_ENTRIES;
    while let Some(o) = lx.object(0) {
        match o {
            Obj::Op(op) => match op.as_slice() {
                b"begincodespacerange" | b"beginbfchar" | b"beginbfrange" => {
                    mode = match op.as_slice() {
                        b"begincodespacerange" => b"space",
                        b"beginbfchar" => b"char",
                        _ => b"range",
                    };
                    stack.clear();
                }
                b"endcodespacerange" => {
                    if let Some(Obj::Str(s)) = stack.first() {
                        font.width = s.len().clamp(1, 4);
                    }
                    mode = b"";
                }
                // The entries of a block are used once: a repeated `end` adds nothing.
                b"endbfchar" => {
                    for pair in std::mem::take(&mut stack).chunks(2).take(entries_left) {
                        if let [Obj::Str(code), Obj::Str(text)] = pair {
                            font.map.insert(code_of(code), utf16be(text));
                            entries_left -= 1;
                        }
                    }
                    mode = b"";
                }
                b"endbfrange" => {
                    for triple in std::mem::take(&mut stack).chunks(3) {
                        let [Obj::Str(lo), Obj::Str(hi), dst] = triple else { continue };
                        let (lo, hi) = (code_of(lo), code_of(hi));
                        if hi < lo || hi - lo > 0xffff {
                            continue;
                        }
                        let codes = (lo..=hi).take(entries_left);
                        match dst {
                            Obj::Str(start) => {
                                let mut units: Vec<u16> = start
                                    .chunks(2)
                                    .map(|p| (u16::from(p[0]) << 8) | u16::from(*p.get(1).unwrap_or(&0)))
                                    .collect();
                                for code in codes {
                                    font.map.insert(code, String::from_utf16_lossy(&units));
                                    entries_left -= 1;
                                    if let Some(last) = units.last_mut() {
                                        *last = last.wrapping_add(1);
                                    }
                                }
                            }
                            Obj::Array(items) => {
                                for (code, item) in codes.zip(items) {
                                    if let Obj::Str(s) = item {
                                        font.map.insert(code, utf16be(s));
                                        entries_left -= 1;
                                    }
                                }
                            }
                            _ => {}
                        }
                    }
                    mode = b"";
                }
                _ => {}
            },
            other if !mode.is_empty() && stack.len() < 300_000 => stack.push(other),
            _ => {}
        }
    }
    font
}

impl Doc {
    /// The fonts of a resource dictionary. Each font is read once per document: pages and forms
    /// share fonts, and a form may be drawn a thousand times (reading its fonts each time made a
    /// 1 kB file with a large ToUnicode map take about two minutes). Objects do not move once the
    /// file is parsed, so a font dictionary's address identifies it, inline dictionaries included.
    pub(super) fn fonts(&self, resources: &Obj) -> HashMap<Vec<u8>, Rc<Font>> {
        let mut out = HashMap::new();
        let Some(res) = self.get(resources).dict() else { return out };
        let Some(fonts) = self.lookup(res, b"Font").dict() else { return out };
        for (name, f) in fonts {
            let Some(fd) = self.get(f).dict() else { continue };
            let key = std::ptr::from_ref(fd) as usize;
            let known = self.fonts.borrow().get(&key).cloned();
            let font = known.unwrap_or_else(|| {
                let font = Rc::new(self.read_font(fd));
                self.fonts.borrow_mut().insert(key, Rc::clone(&font));
                font
            });
            out.insert(name.clone(), font);
        }
        out
    }

    pub(super) fn read_font(&self, fd: &Dict) -> Font {
        let subtype = self.lookup(fd, b"Subtype").name();
        let composite = subtype == Some(b"Type0");
        let mut font = Font { width: if composite { 2 } else { 1 }, ..Font::default() };
        if !composite {
            font.map = self.encoding_map(fd, subtype == Some(b"Type1") || subtype == Some(b"MMType1"));
        }
        // The ToUnicode map wins over the encoding; without one a composite font shows glyph
        // numbers, not text.
        if let Some(cmap) = fd.get(b"ToUnicode".as_slice()).and_then(|t| self.stream_data(t)) {
            let cmap = parse_cmap(&cmap);
            if composite {
                font.width = cmap.width;
                font.map = cmap.map;
            } else {
                // Simple fonts have one-byte codes, whatever the map's code space says (a
                // `<0000> <FFFF>` space over one-byte entries is common).
                font.map.extend(cmap.map.into_iter().filter(|(code, _)| *code < 256));
            }
        }
        self.read_advances(fd, composite, &mut font);
        if subtype == Some(b"Type3") {
            // Type 3 widths are in glyph space: the font matrix makes them text space.
            let scale = match self.lookup(fd, b"FontMatrix") {
                Obj::Array(m) => m.first().and_then(|a| self.get(a).num()).filter(|a| a.is_finite()).unwrap_or(0.001),
                _ => 0.001,
            };
            for w in font.advances.values_mut() {
                *w *= scale * 1000.0;
            }
        }
        font
    }

    /// A simple font's `/Encoding`: a base encoding and `/Differences`, as text per code.
    /// Empty when the font names neither (codes are then read as WinAnsi). Without a
    /// `/BaseEncoding`, Type 1 fonts start from StandardEncoding (their usual built-in one),
    /// others from WinAnsi.
    pub(super) fn encoding_map(&self, fd: &Dict, type1: bool) -> HashMap<u32, String> {
        let mut map = HashMap::new();
        let (base, differences) = match self.lookup(fd, b"Encoding") {
            Obj::Name(n) => (encoding::Base::from_name(n), None),
            Obj::Dict(d) => (
                self.lookup(d, b"BaseEncoding").name().and_then(encoding::Base::from_name),
                match self.lookup(d, b"Differences") {
                    Obj::Array(a) => Some(a),
                    _ => None,
                },
            ),
            _ => (None, None),
        };
        if base.is_none() && differences.is_none() {
            return map;
        }
        let base = base.unwrap_or(if type1 { encoding::Base::Standard } else { encoding::Base::WinAnsi });
        for code in 0..=255u8 {
            if let Some(c) = base.char(code) {
                map.insert(u32::from(code), c.to_string());
            }
        }
        let mut code = 0u32;
        for item in differences.into_iter().flatten() {
            match self.get(item) {
                Obj::Num(n) => code = n.clamp(0.0, 256.0) as u32,
                Obj::Name(name) if code < 256 => {
                    match encoding::glyph_text(name) {
                        Some(t) => map.insert(code, t),
                        None => map.remove(&code),
                    };
                    code += 1;
                }
                _ => {}
            }
        }
        map
    }

    /// Glyph widths: `/FirstChar` + `/Widths` for simple fonts, `/DW` + `/W` for composite.
    pub(super) fn read_advances(&self, fd: &Dict, composite: bool, font: &mut Font) {
        if !composite {
            let first = self.lookup(fd, b"FirstChar").num().unwrap_or(0.0).max(0.0) as u32;
            if let Obj::Array(widths) = self.lookup(fd, b"Widths") {
                for (i, w) in widths.iter().enumerate().take(65_536) {
                    if let Some(w) = self.get(w).num() {
                        font.advances.insert(first.saturating_add(i as u32), w);
                    }
                }
            }
            return;
        }
        let Obj::Array(desc) = self.lookup(fd, b"DescendantFonts") else { return };
        let Some(cid) = desc.first().and_then(|d| self.get(d).dict()) else { return };
        font.default_advance = self.lookup(cid, b"DW").num().unwrap_or(1000.0);
        let Obj::Array(w) = self.lookup(cid, b"W") else { return };
        let mut i = 0;
        while i < w.len() && font.advances.len() < 65_536 {
            let Some(first) = w.get(i).and_then(|o| self.get(o).num()) else { break };
            match w.get(i + 1).map(|o| self.get(o)) {
                Some(Obj::Array(list)) => {
                    for (k, v) in list.iter().enumerate() {
                        if let Some(v) = self.get(v).num() {
                            font.advances.insert((first as u32).saturating_add(k as u32), v);
                        }
                    }
                    i += 2;
                }
                Some(Obj::Num(last)) => {
                    let v = w.get(i + 2).and_then(|o| self.get(o).num()).unwrap_or(font.default_advance);
                    let (a, b) = (first as u32, (*last as u32).min((first as u32).saturating_add(65_536)));
                    for c in a..=b {
                        font.advances.insert(c, v);
                    }
                    i += 3;
                }
                _ => break,
            }
        }
    }
}
