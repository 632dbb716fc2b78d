//! Content streams: the graphics state (a stack, so `Q` restores the font), the text
//! operators, and form XObjects; shown text becomes positioned runs for [`super::text`].

use super::fonts::Font;
use super::objects::{find, is_white, Lexer, Obj};
use super::text::{Layout, Run};
use super::{Doc, MAX_FORM_NESTING};
use std::rc::Rc;

impl Doc {
    pub(super) fn run_content(&self, data: &[u8], resources: &Obj, out: &mut Layout, depth: usize, ctm: Matrix) {
        if depth > MAX_FORM_NESTING {
            return;
        }
        self.run_with(data, resources, out, depth, GraphicsState { ctm, ..GraphicsState::default() });
    }

    /// Runs a content stream from a graphics state: the page's default one, or the state at
    /// the `Do` that draws a form (a form may show text in the font set before it was drawn).
    fn run_with(&self, data: &[u8], resources: &Obj, out: &mut Layout, depth: usize, mut gs: GraphicsState) {
        if depth > MAX_FORM_NESTING {
            return;
        }
        let fonts = self.fonts(resources);
        let empty = Rc::new(Font::default());
        let mut saved: Vec<GraphicsState> = Vec::new();
        // `q` beyond MAX_SAVED states: counted, so the matching `Q`s do not pop real ones.
        let mut unsaved = 0usize;
        let (mut tm, mut tlm) = (IDENTITY, IDENTITY);
        let mut lx = Lexer::new(data, 0);
        let mut operands: Vec<Obj> = Vec::new();
        while let Some(o) = lx.object(0) {
            let Obj::Op(op) = o else {
                if operands.len() < 64 {
                    operands.push(o);
                }
                continue;
            };
            let num = |i: usize| operands.get(i).and_then(Obj::num).filter(|n| n.is_finite()).unwrap_or(0.0);
            let matrix = || [num(0), num(1), num(2), num(3), num(4), num(5)];
            match op.as_slice() {
                b"q" => {
                    if saved.len() < MAX_SAVED {
                        saved.push(gs.clone());
                    } else {
                        unsaved += 1;
                    }
                }
                b"Q" => {
                    if unsaved > 0 {
                        unsaved -= 1;
                    } else if let Some(prev) = saved.pop() {
                        gs = prev;
                    }
                }
                b"cm" => gs.ctm = mul(&matrix(), &gs.ctm),
                b"BT" => (tm, tlm) = (IDENTITY, IDENTITY),
                b"Tf" => {
                    if let Some(Obj::Name(n)) = operands.first() {
                        gs.font = fonts.get(n).map_or_else(|| Rc::clone(&empty), Rc::clone);
                    }
                    gs.size = num(1);
                }
                b"Tc" => gs.char_space = num(0),
                b"Tw" => gs.word_space = num(0),
                b"Tz" => gs.scale = num(0) / 100.0,
                b"TL" => gs.leading = num(0),
                b"Ts" => gs.rise = num(0),
                b"Tm" => {
                    tlm = matrix();
                    tm = tlm;
                }
                b"Td" | b"TD" => {
                    if op.as_slice() == b"TD" {
                        gs.leading = -num(1);
                    }
                    tlm = mul(&[1.0, 0.0, 0.0, 1.0, num(0), num(1)], &tlm);
                    tm = tlm;
                }
                b"T*" | b"'" | b"\"" => {
                    if op.as_slice() == b"\"" {
                        gs.word_space = num(0);
                        gs.char_space = num(1);
                    }
                    tlm = mul(&[1.0, 0.0, 0.0, 1.0, 0.0, -gs.leading], &tlm);
                    tm = tlm;
                    if op.as_slice() != b"T*" {
                        if let Some(Obj::Str(s)) = operands.last() {
                            show(&gs, &mut tm, s, out);
                        }
                    }
                }
                b"Tj" => {
                    if let Some(Obj::Str(s)) = operands.first() {
                        show(&gs, &mut tm, s, out);
                    }
                }
                b"TJ" => {
                    if let Some(Obj::Array(items)) = operands.first() {
                        for item in items {
                            match item {
                                Obj::Str(s) => show(&gs, &mut tm, s, out),
                                Obj::Num(n) if n.is_finite() => {
                                    let tx = -n / 1000.0 * gs.size * gs.scale;
                                    tm = mul(&[1.0, 0.0, 0.0, 1.0, tx, 0.0], &tm);
                                }
                                _ => {}
                            }
                        }
                    }
                }
                b"Do" => {
                    if let Some(Obj::Name(n)) = operands.first() {
                        let xobject = self
                            .get(resources)
                            .dict()
                            .and_then(|r| self.lookup(r, b"XObject").dict())
                            .and_then(|x| x.get(n.as_slice()));
                        if let Some(x) = xobject {
                            let form = self.get(x);
                            let is_form =
                                form.dict().is_some_and(|d| self.lookup(d, b"Subtype").name() == Some(b"Form"));
                            if is_form && depth < MAX_FORM_NESTING && out.forms_left > 0 {
                                out.forms_left -= 1;
                                if let Some(inner) = self.stream_data(form) {
                                    let d = form.dict();
                                    let res = d.and_then(|d| d.get(b"Resources".as_slice())).unwrap_or(resources);
                                    let m = match d.map(|d| self.lookup(d, b"Matrix")) {
                                        Some(Obj::Array(a)) if a.len() == 6 => {
                                            let v: Vec<f64> = a
                                                .iter()
                                                .map(|o| self.get(o).num().filter(|n| n.is_finite()).unwrap_or(0.0))
                                                .collect();
                                            [v[0], v[1], v[2], v[3], v[4], v[5]]
                                        }
                                        _ => IDENTITY,
                                    };
                                    let inner_gs = GraphicsState { ctm: mul(&m, &gs.ctm), ..gs.clone() };
                                    self.run_with(&inner, res, out, depth + 1, inner_gs);
                                }
                            }
                        }
                    }
                }
                b"ID" => {
                    // Inline image data: skip to the "EI" that ends it.
                    let mut p = lx.pos;
                    while let Some(i) = find(data, b"EI", p) {
                        let before = i == 0 || is_white(data[i - 1]);
                        let after = data.get(i + 2).is_none_or(|c| is_white(*c));
                        p = i + 2;
                        if before && after {
                            break;
                        }
                    }
                    lx.pos = p.min(data.len());
                }
                _ => {}
            }
            operands.clear();
        }
    }
}

/// Saved states (`q`) kept per content stream; deeper nesting is counted, not stored.
pub(super) const MAX_SAVED: usize = 64;

/// A matrix `[a b c d e f]` as PDF writes them (row vectors: `p' = p × M`).
pub(super) type Matrix = [f64; 6];

pub(super) const IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

pub(super) fn mul(m: &Matrix, n: &Matrix) -> Matrix {
    [
        m[0] * n[0] + m[1] * n[2],
        m[0] * n[1] + m[1] * n[3],
        m[2] * n[0] + m[3] * n[2],
        m[2] * n[1] + m[3] * n[3],
        m[4] * n[0] + m[5] * n[2] + n[4],
        m[4] * n[1] + m[5] * n[3] + n[5],
    ]
}

pub(super) fn apply(m: &Matrix, x: f64, y: f64) -> (f64, f64) {
    (x * m[0] + y * m[2] + m[4], x * m[1] + y * m[3] + m[5])
}

/// What `q` saves and `Q` restores: the transformation and the text state (the font too:
/// after `Q` the font of before `q` applies again).
#[derive(Clone)]
pub(super) struct GraphicsState {
    ctm: Matrix,
    font: Rc<Font>,
    size: f64,
    char_space: f64,
    word_space: f64,
    scale: f64,
    leading: f64,
    rise: f64,
}

impl Default for GraphicsState {
    fn default() -> Self {
        GraphicsState {
            ctm: IDENTITY,
            font: Rc::new(Font::default()),
            size: 0.0,
            char_space: 0.0,
            word_space: 0.0,
            scale: 1.0,
            leading: 0.0,
            rise: 0.0,
        }
    }
}

/// Shows a string: a run from the pen's position to where the glyph widths move it.
pub(super) fn show(gs: &GraphicsState, tm: &mut Matrix, bytes: &[u8], out: &mut Layout) {
    let font = &gs.font;
    let mut text = String::new();
    font.decode(bytes, &mut text);
    let w = font.width.clamp(1, 4);
    let mut tx = 0.0;
    for code in bytes.chunks(w) {
        let spacing = if w == 1 && code == [32] { gs.word_space } else { 0.0 };
        tx += (font.advance(code) * gs.size + gs.char_space + spacing) * gs.scale;
    }
    let trm = mul(tm, &gs.ctm);
    let (x, y) = apply(&trm, 0.0, gs.rise);
    *tm = mul(&[1.0, 0.0, 0.0, 1.0, tx, 0.0], tm);
    let (ex, ey) = apply(&mul(tm, &gs.ctm), 0.0, gs.rise);
    // Rotated text (a vertical label, a landscape table) is laid out in its own frame: x along
    // its baseline, y across it, so its glyphs still make lines.
    let len = trm[0].hypot(trm[1]);
    let (dx, dy) = if len > 0.0 && len.is_finite() { (trm[0] / len, trm[1] / len) } else { (1.0, 0.0) };
    let frame = |x: f64, y: f64| (x * dx + y * dy, y * dx - x * dy);
    let ((x, y), (end_x, _)) = (frame(x, y), frame(ex, ey));
    let size = gs.size.abs() * trm[2].hypot(trm[3]);
    if !text.is_empty() {
        out.push(Run { x, y, end_x, size, text: expand_ligatures(text) });
    }
}

/// Ligature characters (U+FB00 to U+FB06) as their letters, as pdftotext writes them.
pub(super) fn expand_ligatures(text: String) -> String {
    if !text.chars().any(|c| ('\u{fb00}'..='\u{fb06}').contains(&c)) {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 4);
    for c in text.chars() {
        match c {
            '\u{fb00}' => out.push_str("ff"),
            '\u{fb01}' => out.push_str("fi"),
            '\u{fb02}' => out.push_str("fl"),
            '\u{fb03}' => out.push_str("ffi"),
            '\u{fb04}' => out.push_str("ffl"),
            '\u{fb05}' | '\u{fb06}' => out.push_str("st"),
            c => out.push(c),
        }
    }
    out
}
