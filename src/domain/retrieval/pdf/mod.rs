//! Reading the text layer of a PDF, in pure Rust and small. The parts, one file each:
//!
//! - `objects`: the object syntax and its lexer (files and content streams);
//! - this file: the document (objects, also inside object streams; the trailer; the page tree),
//!   stream decoding, and encryption set-up;
//! - `filters`: ASCIIHex, ASCII85, LZW and the predictors (Flate is `miniz_oxide`);
//! - `crypt`: the standard security handler for files that open without a password;
//! - `fonts` and `encoding`: ToUnicode maps, `/Encoding` with `/Differences`, glyph widths;
//! - `content`: the content-stream operators with the graphics state as a stack;
//! - `text`: positioned runs into words, lines and paragraphs (reading order, right to left).
//!
//! It is a reader for text extraction, not a renderer: scanned pages have no text layer and give
//! nothing (the caller says so). Every length, depth and size is bounded, and nothing panics on
//! hostile bytes.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

mod content;
mod crypt;
mod encoding;
mod filters;
mod fonts;
mod objects;
mod text;

use content::IDENTITY;
use fonts::Font;
use objects::{find, is_white, Dict, Lexer, Obj};
use text::Layout;

/// Streams may not inflate past this (a zip bomb stays small).
const MAX_INFLATED: usize = 64 * 1024 * 1024;
/// Nesting of arrays/dicts, page trees and form XObjects.
const MAX_DEPTH: usize = 32;
/// Entries a ToUnicode map may define. Two-byte codes number 65,536; the margin allows for
/// overlapping ranges. Without a limit, a map repeating the range `<0000> <FFFF>` 3,000 times
/// (216 bytes compressed) kept the reader busy for a minute and a half.
const MAX_CMAP_ENTRIES: usize = 4 * 65_536;
/// Nesting of form XObjects (forms drawing forms).
const MAX_FORM_NESTING: usize = 4;
/// Form XObjects drawn per page. Forms draw forms, even themselves: without a limit, a form
/// drawing itself 38 times ran about 38^4 times, and a 1 kB file kept the reader busy for more
/// than a minute.
const MAX_FORMS_PER_PAGE: usize = 1_000;
/// Stream bytes a document may decode in all, counting a stream each time it is read (pages
/// sharing one content stream, forms drawn again). Far more than the text of a real file
/// needs; it bounds what a small hostile file can cost (many pages drawing one stream that
/// inflates to `MAX_INFLATED`, or a form drawn a thousand times on every page).
const MAX_DECODED_TOTAL: usize = 4 * MAX_INFLATED;

struct Doc {
    objects: HashMap<u32, Obj>,
    trailer_root: Option<u32>,
    /// Fonts read so far, by the address of their dictionary (see [`Doc::fonts`]).
    fonts: RefCell<HashMap<usize, Rc<Font>>>,
    /// What is left of [`MAX_DECODED_TOTAL`].
    decoded_left: Cell<usize>,
    /// Why the file cannot be read, when it is encrypted with a password (or a handler this
    /// reader does not know).
    locked: Option<&'static str>,
}

const LOCKED: &str = "it is encrypted. Save an unprotected copy, or paste its text.";
const PASSWORD: &str = "it is protected by a password. Save an unprotected copy, or paste its text.";

impl Doc {
    fn parse(b: &[u8]) -> Doc {
        let mut objects = HashMap::new();
        let mut gens: HashMap<u32, u16> = HashMap::new();
        let mut trailer_root = None;
        // `/Encrypt` and `/ID` from classic trailers and cross-reference streams.
        let mut encrypt: Option<Obj> = None;
        let mut id: Option<Vec<u8>> = None;
        let from_trailer = |d: &Dict, encrypt: &mut Option<Obj>, id: &mut Option<Vec<u8>>| {
            if let Some(e) = d.get(b"Encrypt".as_slice()) {
                *encrypt = Some(e.clone());
            }
            if let Some(Obj::Array(a)) = d.get(b"ID".as_slice()) {
                if let Some(Obj::Str(first)) = a.first() {
                    *id = Some(first.clone());
                }
            }
        };
        let mut at = 0;
        while let Some(i) = find(b, b" obj", at) {
            at = i + 4;
            // Walk back over "num gen".
            let mut s = i;
            let mut fields = 0;
            while fields < 2 {
                while s > 0 && is_white(b[s - 1]) {
                    s -= 1;
                }
                let end = s;
                while s > 0 && b[s - 1].is_ascii_digit() {
                    s -= 1;
                }
                if s == end {
                    break;
                }
                fields += 1;
            }
            if fields < 2 {
                continue;
            }
            let mut fields = std::str::from_utf8(&b[s..i]).ok().into_iter().flat_map(|t| t.split_whitespace());
            let Some(num) = fields.next().and_then(|n| n.parse::<u32>().ok()) else {
                continue;
            };
            let gen = fields.next().and_then(|g| g.parse::<u16>().ok()).unwrap_or(0);
            let mut lx = Lexer::new(b, at);
            let Some(obj) = lx.object(0) else { continue };
            lx.skip_space();
            let obj = match obj {
                Obj::Dict(d) if b[lx.pos.min(b.len())..].starts_with(b"stream") => {
                    let mut start = lx.pos + 6;
                    if b.get(start) == Some(&b'\r') {
                        start += 1;
                    }
                    if b.get(start) == Some(&b'\n') {
                        start += 1;
                    }
                    let by_length = d
                        .get(b"Length".as_slice())
                        .and_then(Obj::num)
                        .map(|n| start.saturating_add(n.max(0.0) as usize));
                    let end = match by_length {
                        Some(e) if e <= b.len() && find(b, b"endstream", e).is_some_and(|k| k - e <= 4) => e,
                        _ => find(b, b"endstream", start).unwrap_or(b.len()),
                    };
                    at = end;
                    Obj::Stream(d, b.get(start..end).unwrap_or_default().to_vec())
                }
                other => {
                    at = lx.pos.max(at);
                    other
                }
            };
            if let Some(Obj::Ref(r)) = obj.dict().and_then(|d| d.get(b"Root".as_slice())) {
                trailer_root = Some(*r);
            }
            if let Obj::Stream(d, _) = &obj {
                if d.get(b"Type".as_slice()).and_then(Obj::name) == Some(b"XRef") {
                    from_trailer(d, &mut encrypt, &mut id);
                }
            }
            gens.insert(num, gen);
            objects.insert(num, obj);
        }
        // Classic trailers.
        let mut t = 0;
        while let Some(i) = find(b, b"trailer", t) {
            t = i + 7;
            if let Some(Obj::Dict(d)) = Lexer::new(b, t).object(0) {
                if let Some(Obj::Ref(r)) = d.get(b"Root".as_slice()) {
                    trailer_root = Some(*r);
                }
                from_trailer(&d, &mut encrypt, &mut id);
            }
        }
        let mut doc = Doc {
            objects,
            trailer_root,
            fonts: RefCell::default(),
            decoded_left: Cell::new(MAX_DECODED_TOTAL),
            locked: None,
        };
        if let Some(e) = encrypt {
            doc.decrypt(&e, &id.unwrap_or_default(), &gens);
        }
        doc.unpack_object_streams();
        doc
    }

    /// Decrypts every string and stream in place when the file opens with the empty user
    /// password; otherwise sets [`Doc::locked`]. Objects inside object streams are decrypted
    /// with their stream, so this runs before those are unpacked.
    fn decrypt(&mut self, encrypt: &Obj, id: &[u8], gens: &HashMap<u32, u16>) {
        let Some(handler) = self.security_handler(encrypt, id) else {
            return;
        };
        let skip = match encrypt {
            Obj::Ref(r) => Some(*r),
            _ => None,
        };
        for (num, obj) in &mut self.objects {
            if Some(*num) == skip {
                continue;
            }
            let gen = gens.get(num).copied().unwrap_or(0);
            decrypt_obj(obj, &handler, *num, gen, 0);
        }
    }

    fn security_handler(&mut self, encrypt: &Obj, id: &[u8]) -> Option<crypt::Handler> {
        let Some(e) = self.get(encrypt).dict() else {
            self.locked = Some(LOCKED);
            return None;
        };
        let num = |k: &[u8]| self.lookup(e, k).num().filter(|n| n.is_finite());
        let bytes = |k: &[u8]| match self.lookup(e, k) {
            Obj::Str(s) => s.as_slice(),
            _ => &[],
        };
        let v = num(b"V").unwrap_or(0.0) as i64;
        let revision = num(b"R").unwrap_or(0.0).clamp(0.0, 99.0) as u32;
        // Crypt filters (V4 and V5) name the methods of strings and streams.
        let method = |key: &[u8]| -> crypt::Method {
            if v < 4 {
                return crypt::Method::Rc4;
            }
            let name = self.lookup(e, key).name().unwrap_or(b"Identity");
            if name == b"Identity" {
                return crypt::Method::None;
            }
            let cf = self.lookup(e, b"CF").dict().map(|cf| self.lookup(cf, name));
            cf.and_then(Obj::dict)
                .and_then(|f| self.lookup(f, b"CFM").name())
                .map_or(crypt::Method::None, crypt::Method::from_cfm)
        };
        let params = crypt::Params {
            revision,
            length: (num(b"Length").unwrap_or(40.0).clamp(40.0, 256.0) as usize) / 8,
            owner: bytes(b"O"),
            user: bytes(b"U"),
            user_key: bytes(b"UE"),
            owner_key: bytes(b"OE"),
            permissions: num(b"P").unwrap_or(0.0).clamp(f64::from(i32::MIN), f64::from(u32::MAX)) as i64 as i32,
            id,
            encrypt_metadata: !matches!(self.lookup(e, b"EncryptMetadata"), Obj::Bool(false)),
            strings: method(b"StrF"),
            streams: method(b"StmF"),
        };
        let standard = self.lookup(e, b"Filter").name() == Some(b"Standard");
        let handler = if standard { crypt::Handler::open(&params) } else { None };
        if handler.is_none() {
            self.locked = Some(if standard && (2..=6).contains(&revision) { PASSWORD } else { LOCKED });
        }
        handler
    }

    /// Objects stored compressed inside `/Type /ObjStm` streams (PDF 1.5+).
    fn unpack_object_streams(&mut self) {
        let streams: Vec<Obj> = self
            .objects
            .values()
            .filter(
                |o| matches!(o, Obj::Stream(d, _) if d.get(b"Type".as_slice()).and_then(Obj::name) == Some(b"ObjStm")),
            )
            .cloned()
            .collect();
        for s in streams {
            let Obj::Stream(d, _) = &s else { continue };
            let Some(data) = self.stream_data(&s) else { continue };
            let n = d.get(b"N".as_slice()).and_then(Obj::num).unwrap_or(0.0).clamp(0.0, 1e6) as usize;
            let first = d.get(b"First".as_slice()).and_then(Obj::num).unwrap_or(0.0).max(0.0) as usize;
            let mut header = Lexer::new(&data, 0);
            for _ in 0..n {
                let (Some(Obj::Num(num)), Some(Obj::Num(off))) = (header.object(0), header.object(0)) else { break };
                let pos = first.saturating_add(off.max(0.0) as usize);
                if pos >= data.len() {
                    continue;
                }
                if let Some(obj) = Lexer::new(&data, pos).object(0) {
                    self.objects.entry(num as u32).or_insert(obj);
                }
            }
        }
    }

    fn get<'o>(&'o self, o: &'o Obj) -> &'o Obj {
        let mut cur = o;
        for _ in 0..8 {
            match cur {
                Obj::Ref(r) => match self.objects.get(r) {
                    Some(next) => cur = next,
                    None => return &Obj::Null,
                },
                _ => return cur,
            }
        }
        &Obj::Null
    }

    fn lookup<'o>(&'o self, d: &'o Dict, key: &[u8]) -> &'o Obj {
        d.get(key).map_or(&Obj::Null, |o| self.get(o))
    }

    /// A stream's decoded bytes: Flate, LZW, ASCIIHex, ASCII85 (in a chain, with predictors) or
    /// none; `None` for filters this reader skips (images), and once the document has decoded
    /// [`MAX_DECODED_TOTAL`] bytes.
    fn stream_data(&self, o: &Obj) -> Option<Vec<u8>> {
        let Obj::Stream(d, raw) = self.get(o) else { return None };
        let filters: Vec<&[u8]> = match self.lookup(d, b"Filter") {
            Obj::Name(n) => vec![n.as_slice()],
            Obj::Array(a) => a.iter().filter_map(|f| self.get(f).name()).collect(),
            _ => Vec::new(),
        };
        let parms: Vec<filters::Parms> = match self.lookup(d, b"DecodeParms") {
            Obj::Array(a) => a.iter().map(|p| self.parms(self.get(p))).collect(),
            p => vec![self.parms(p)],
        };
        let mut data = raw.clone();
        for (i, f) in filters.into_iter().take(8).enumerate() {
            let p = parms.get(i).copied().unwrap_or_default();
            let limit = MAX_INFLATED.min(self.decoded_left.get());
            data = match f {
                b"FlateDecode" | b"Fl" => {
                    let inflated = miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(&data, limit)
                        .or_else(|_| miniz_oxide::inflate::decompress_to_vec_with_limit(&data, limit))
                        .ok()?;
                    filters::unpredict(inflated, &p)
                }
                b"LZWDecode" | b"LZW" => filters::unpredict(filters::lzw(&data, p.early_change, limit)?, &p),
                b"ASCIIHexDecode" | b"AHx" => filters::ascii_hex(&data),
                b"ASCII85Decode" | b"A85" => filters::ascii85(&data, limit)?,
                _ => return None,
            };
        }
        self.decoded_left.set(self.decoded_left.get().checked_sub(data.len())?);
        Some(data)
    }

    fn parms(&self, p: &Obj) -> filters::Parms {
        let mut out = filters::Parms::default();
        let Some(d) = p.dict() else { return out };
        let int = |key: &[u8], default: usize| {
            self.lookup(d, key).num().filter(|n| n.is_finite() && *n >= 0.0).map_or(default, |n| n.min(1e9) as usize)
        };
        out.predictor = int(b"Predictor", 1);
        out.colors = int(b"Colors", 1);
        out.bits = int(b"BitsPerComponent", 8);
        out.columns = int(b"Columns", 1);
        out.early_change = int(b"EarlyChange", 1) != 0;
        out
    }

    /// Page dictionaries in reading order: the page tree from the root, or (with a broken
    /// tree) every page object in file order.
    fn pages(&self) -> Vec<&Dict> {
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        if let Some(root) = self.trailer_root.and_then(|r| self.objects.get(&r)).and_then(Obj::dict) {
            if let Some(pages) = root.get(b"Pages".as_slice()) {
                self.walk(pages, 0, &mut out, &mut seen);
            }
        }
        if out.is_empty() {
            let mut nums: Vec<&u32> = self.objects.keys().collect();
            nums.sort();
            for n in nums {
                if let Some(d) = self.objects.get(n).and_then(Obj::dict) {
                    if d.get(b"Type".as_slice()).and_then(Obj::name) == Some(b"Page") {
                        out.push(d);
                    }
                }
            }
        }
        out
    }

    fn walk<'o>(&'o self, node: &'o Obj, depth: usize, out: &mut Vec<&'o Dict>, seen: &mut HashSet<u32>) {
        if depth > MAX_DEPTH {
            return;
        }
        if let Obj::Ref(r) = node {
            if !seen.insert(*r) {
                return;
            }
        }
        let Some(d) = self.get(node).dict() else { return };
        match d.get(b"Kids".as_slice()).map(|k| self.get(k)) {
            Some(Obj::Array(kids)) => {
                for kid in kids {
                    self.walk(kid, depth + 1, out, seen);
                }
            }
            _ => out.push(d),
        }
    }

    /// A key of a page, looked up the page tree when inherited (`Resources`).
    fn inherited<'o>(&'o self, page: &'o Dict, key: &[u8]) -> &'o Obj {
        let mut cur = page;
        for _ in 0..MAX_DEPTH {
            if let Some(v) = cur.get(key) {
                return self.get(v);
            }
            match cur.get(b"Parent".as_slice()).and_then(|p| self.get(p).dict()) {
                Some(parent) => cur = parent,
                None => break,
            }
        }
        &Obj::Null
    }
}

/// Decrypts the strings and the stream data of an object (not cross-reference streams, which
/// are never encrypted).
fn decrypt_obj(obj: &mut Obj, h: &crypt::Handler, num: u32, gen: u16, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    match obj {
        Obj::Str(s) => *s = h.decrypt(h.strings, num, gen, s),
        Obj::Array(items) => items.iter_mut().for_each(|o| decrypt_obj(o, h, num, gen, depth + 1)),
        Obj::Dict(d) => d.values_mut().for_each(|o| decrypt_obj(o, h, num, gen, depth + 1)),
        Obj::Stream(d, data) => {
            if d.get(b"Type".as_slice()).and_then(Obj::name) == Some(b"XRef") {
                return;
            }
            d.values_mut().for_each(|o| decrypt_obj(o, h, num, gen, depth + 1));
            *data = h.decrypt(h.streams, num, gen, data);
        }
        _ => {}
    }
}

/// The text of every page, pages separated by a blank line. An empty result means the PDF
/// has no text layer. `Err` says why the bytes are not a readable PDF.
pub fn extract_text(bytes: &[u8]) -> Result<String, String> {
    let head = &bytes[..bytes.len().min(1024)];
    if find(head, b"%PDF-", 0).is_none() {
        return Err("it does not start like a PDF file (no %PDF- header).".to_string());
    }
    let doc = Doc::parse(bytes);
    if let Some(reason) = doc.locked {
        return Err(reason.to_string());
    }
    let pages = doc.pages();
    if pages.is_empty() {
        return Err("no pages were found; the file may be damaged or cut short.".to_string());
    }
    let mut text = String::new();
    for page in pages {
        let resources = doc.inherited(page, b"Resources");
        let contents: Vec<&Obj> = match page.get(b"Contents".as_slice()) {
            Some(c) => match doc.get(c) {
                Obj::Array(items) => items.iter().collect(),
                _ => vec![c],
            },
            None => Vec::new(),
        };
        // A page's content may be split across streams mid-operator: join them first.
        let mut data = Vec::new();
        for c in contents {
            if let Some(d) = doc.stream_data(c) {
                data.extend_from_slice(&d);
                data.push(b'\n');
            }
        }
        let mut out = Layout::new(MAX_FORMS_PER_PAGE);
        doc.run_content(&data, resources, &mut out, 0, IDENTITY);
        let page_text = out.finish();
        let page_text = page_text.trim();
        if !page_text.is_empty() {
            if !text.is_empty() {
                text.push_str("\n\n");
            }
            text.push_str(page_text);
        }
    }
    // Tidy spaces the operators left at line ends.
    let tidy: Vec<String> = text.split('\n').map(|l| l.split_whitespace().collect::<Vec<_>>().join(" ")).collect();
    Ok(tidy.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::fonts::parse_cmap;
    use super::*;

    #[test]
    fn a_cmap_of_repeated_full_ranges_is_bounded() {
        // Found by tests/fuzz.rs: 21 ranges over every two-byte code took seconds; a few
        // thousand (a few hundred bytes once compressed) would freeze the tab.
        let cmap = format!("beginbfchar {}endbfrange ", "<0000> <FFFF> <0041> ".repeat(21));
        let font = parse_cmap(cmap.as_bytes());
        assert_eq!(font.map.len(), 65_536);
        assert_eq!(font.map.get(&0x0041).map(String::as_str), Some("\u{0082}"));
        // Distinct codes stop at the limit.
        let ranges: String = (0..5u32).map(|hi| format!("<{hi:04X}0000> <{hi:04X}FFFF> <0041> ")).collect();
        let font = parse_cmap(format!("beginbfrange {ranges}endbfrange").as_bytes());
        assert_eq!(font.map.len(), MAX_CMAP_ENTRIES);
    }

    /// A page that draws form /X1, which shows "x" and draws itself 40 times.
    fn self_drawing_form() -> Vec<u8> {
        let form = format!("BT /F1 9 Tf (x) Tj ET {}", "/X1 Do ".repeat(40));
        let mut pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n\
            2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n\
            3 0 obj << /Type /Page /Parent 2 0 R /Resources 6 0 R /Contents 4 0 R >> endobj\n\
            4 0 obj << /Length 6 >>\nstream\n/X1 Do\nendstream endobj\n\
            5 0 obj << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> endobj\n\
            6 0 obj << /Font << /F1 5 0 R >> /XObject << /X1 7 0 R >> >> endobj\n"
            .to_vec();
        pdf.extend(format!("7 0 obj << /Subtype /Form /Resources 6 0 R /Length {} >>\nstream\n", form.len()).bytes());
        pdf.extend(form.bytes());
        pdf.extend(b"\nendstream endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");
        pdf
    }

    #[test]
    fn a_form_drawing_itself_is_drawn_a_bounded_number_of_times() {
        // Found by tests/fuzz.rs: such a form ran about 40^4 times.
        let text = extract_text(&self_drawing_form()).expect("readable");
        assert_eq!(text.matches('x').count(), MAX_FORMS_PER_PAGE);
    }

    #[test]
    fn fonts_are_read_once_however_often_forms_draw_them() {
        // Found by tests/fuzz.rs: each of those form runs read the fonts (and a large
        // ToUnicode map) again.
        let doc = Doc::parse(&self_drawing_form());
        let page = doc.pages()[0];
        let mut out = Layout::new(MAX_FORMS_PER_PAGE);
        doc.run_content(b"/X1 Do", doc.inherited(page, b"Resources"), &mut out, 0, IDENTITY);
        assert_eq!(out.forms_left, 0);
        assert_eq!(doc.fonts.borrow().len(), 1);
    }

    #[test]
    fn decoding_stops_at_the_document_budget() {
        let doc = Doc::parse(&self_drawing_form());
        let content = Obj::Ref(4);
        doc.decoded_left.set(15);
        assert_eq!(doc.stream_data(&content).as_deref(), Some(b"/X1 Do".as_slice()));
        assert!(doc.stream_data(&content).is_some());
        assert!(doc.stream_data(&content).is_none(), "12 of 15 bytes spent: a third read is refused");
    }

    #[test]
    fn absurd_lengths_and_codes_are_read_without_overflow() {
        // Found by tests/fuzz.rs: `/Length 585858585858585858588` overflowed `start + length`
        // (a panic where overflow is checked). The glyph-width sums beside it had the same flaw.
        let pdf = b"%PDF-1.4\n1 0 obj << /Type /Page /Resources << /Font << /F1 2 0 R /F2 4 0 R >> >> /Contents 3 0 R >> endobj\n\
            2 0 obj << /Type /Font /Subtype /Type1 /FirstChar 4294967295 /Widths [1 2 3] >> endobj\n\
            3 0 obj << /Length 585858585858585858588 >>\nstream\nBT /F1 9 Tf (ok) Tj /F2 9 Tf <0041> Tj ET\nendstream endobj\n\
            4 0 obj << /Subtype /Type0 /DescendantFonts [<< /W [4294967295 [1 2] 4294967295 4294967295 5] >>] >> endobj\n";
        assert_eq!(extract_text(pdf).as_deref(), Ok("ok"));
    }

    #[test]
    fn cmap_entries_are_used_once() {
        let font = parse_cmap(b"2 beginbfchar <01> <0041> <02> <0042> endbfchar endbfchar endbfrange");
        assert_eq!(font.map.len(), 2);
        assert_eq!(font.map.get(&2).map(String::as_str), Some("B"));
    }
}
