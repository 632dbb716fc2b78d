//! Reading the text layer of a PDF, in pure Rust and small: objects (also inside object
//! streams), Flate streams, the page tree, fonts' ToUnicode maps, and the text operators of
//! content streams (and of the form XObjects they draw). Scanned pages have no text layer and
//! give nothing; the caller says so.
//!
//! It is a reader for text extraction, not a renderer: glyph widths are not used, so word
//! spaces come from the text itself, from `TJ` gaps and from moves along a line. Every
//! length, depth and size is bounded, and nothing panics on hostile bytes.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::rc::Rc;

mod crypt;
mod encoding;
mod filters;
mod text;

use text::{Layout, Run};

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

#[derive(Debug, Clone, PartialEq)]
enum Obj {
    Null,
    Num(f64),
    Bool(bool),
    Str(Vec<u8>),
    Name(Vec<u8>),
    Array(Vec<Obj>),
    Dict(Dict),
    Ref(u32),
    Stream(Dict, Vec<u8>),
    /// An operator inside a content stream.
    Op(Vec<u8>),
}

type Dict = BTreeMap<Vec<u8>, Obj>;

impl Obj {
    fn dict(&self) -> Option<&Dict> {
        match self {
            Obj::Dict(d) | Obj::Stream(d, _) => Some(d),
            _ => None,
        }
    }
    fn num(&self) -> Option<f64> {
        match self {
            Obj::Num(n) => Some(*n),
            _ => None,
        }
    }
    fn name(&self) -> Option<&[u8]> {
        match self {
            Obj::Name(n) => Some(n),
            _ => None,
        }
    }
}

struct Lexer<'a> {
    b: &'a [u8],
    pos: usize,
}

fn is_white(c: u8) -> bool {
    matches!(c, b' ' | b'\n' | b'\r' | b'\t' | b'\x0c' | b'\0')
}

fn is_delim(c: u8) -> bool {
    matches!(c, b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%')
}

impl<'a> Lexer<'a> {
    fn new(b: &'a [u8], pos: usize) -> Self {
        Lexer { b, pos }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn skip_space(&mut self) {
        while let Some(c) = self.peek() {
            if is_white(c) {
                self.pos += 1;
            } else if c == b'%' {
                while self.peek().is_some_and(|c| c != b'\n' && c != b'\r') {
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
    }

    fn word(&mut self) -> &'a [u8] {
        let start = self.pos;
        while self.peek().is_some_and(|c| !is_white(c) && !is_delim(c)) {
            self.pos += 1;
        }
        &self.b[start..self.pos]
    }

    fn literal_string(&mut self) -> Vec<u8> {
        // At '('.
        self.pos += 1;
        let mut out = Vec::new();
        let mut depth = 1;
        while let Some(c) = self.peek() {
            self.pos += 1;
            match c {
                b'(' => {
                    depth += 1;
                    out.push(c);
                }
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                    out.push(c);
                }
                b'\\' => {
                    let Some(e) = self.peek() else { break };
                    self.pos += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'\r' => {
                            if self.peek() == Some(b'\n') {
                                self.pos += 1;
                            }
                        }
                        b'\n' => {}
                        b'0'..=b'7' => {
                            let mut v = u32::from(e - b'0');
                            for _ in 0..2 {
                                match self.peek() {
                                    Some(d @ b'0'..=b'7') => {
                                        v = v * 8 + u32::from(d - b'0');
                                        self.pos += 1;
                                    }
                                    _ => break,
                                }
                            }
                            out.push((v & 0xff) as u8);
                        }
                        other => out.push(other),
                    }
                }
                _ => out.push(c),
            }
        }
        out
    }

    fn hex_string(&mut self) -> Vec<u8> {
        // At '<' (not '<<').
        self.pos += 1;
        let mut digits = Vec::new();
        while let Some(c) = self.peek() {
            self.pos += 1;
            if c == b'>' {
                break;
            }
            if let Some(d) = (c as char).to_digit(16) {
                digits.push(d as u8);
            }
        }
        if digits.len() % 2 == 1 {
            digits.push(0);
        }
        digits.chunks(2).map(|p| p[0] * 16 + p[1]).collect()
    }

    fn name(&mut self) -> Vec<u8> {
        self.pos += 1;
        let raw = self.word();
        let mut out = Vec::with_capacity(raw.len());
        let mut i = 0;
        while i < raw.len() {
            if raw[i] == b'#' && i + 2 < raw.len() + 1 {
                if let Some(v) = raw
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                {
                    out.push(v);
                    i += 3;
                    continue;
                }
            }
            out.push(raw[i]);
            i += 1;
        }
        out
    }

    /// The next object; `None` at the end. References (`n g R`) are folded here.
    fn object(&mut self, depth: usize) -> Option<Obj> {
        self.skip_space();
        let c = self.peek()?;
        if depth > MAX_DEPTH {
            self.pos = self.b.len();
            return None;
        }
        Some(match c {
            b'(' => Obj::Str(self.literal_string()),
            b'<' if self.b.get(self.pos + 1) == Some(&b'<') => {
                self.pos += 2;
                let mut d = Dict::new();
                loop {
                    self.skip_space();
                    match self.peek() {
                        None => break,
                        Some(b'>') => {
                            self.pos += 2;
                            break;
                        }
                        Some(b'/') => {
                            let key = self.name();
                            let value = self.object(depth + 1).unwrap_or(Obj::Null);
                            d.insert(key, value);
                        }
                        Some(_) => {
                            // Junk inside a dictionary: skip a token so parsing moves on.
                            let before = self.pos;
                            let _ = self.object(depth + 1);
                            if self.pos == before {
                                self.pos += 1;
                            }
                        }
                    }
                }
                Obj::Dict(d)
            }
            b'<' => Obj::Str(self.hex_string()),
            b'[' => {
                self.pos += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_space();
                    match self.peek() {
                        None => break,
                        Some(b']') => {
                            self.pos += 1;
                            break;
                        }
                        Some(_) => {
                            let before = self.pos;
                            if let Some(o) = self.object(depth + 1) {
                                items.push(o);
                            }
                            if self.pos == before {
                                self.pos += 1;
                            }
                        }
                    }
                }
                Obj::Array(items)
            }
            b'/' => Obj::Name(self.name()),
            b')' | b'>' | b']' | b'}' | b'{' => {
                self.pos += 1;
                Obj::Op(vec![c])
            }
            _ => {
                let w = self.word();
                if w.is_empty() {
                    self.pos += 1;
                    return Some(Obj::Null);
                }
                if let Some(n) = std::str::from_utf8(w).ok().and_then(|s| s.parse::<f64>().ok()) {
                    // `n g R` is a reference.
                    let save = self.pos;
                    let mut look = Lexer::new(self.b, self.pos);
                    look.skip_space();
                    let g = look.word();
                    if !g.is_empty() && g.iter().all(u8::is_ascii_digit) {
                        look.skip_space();
                        if look.peek() == Some(b'R')
                            && look.b.get(look.pos + 1).is_none_or(|c| is_white(*c) || is_delim(*c))
                        {
                            self.pos = look.pos + 1;
                            return Some(Obj::Ref(n as u32));
                        }
                    }
                    self.pos = save;
                    Obj::Num(n)
                } else {
                    match w {
                        b"true" => Obj::Bool(true),
                        b"false" => Obj::Bool(false),
                        b"null" => Obj::Null,
                        _ => Obj::Op(w.to_vec()),
                    }
                }
            }
        })
    }
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if from >= hay.len() || needle.is_empty() {
        return None;
    }
    hay[from..].windows(needle.len()).position(|w| w == needle).map(|i| i + from)
}

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

/// How a font's codes become text.
#[derive(Default)]
struct Font {
    /// Bytes per code (2 for Identity-H fonts).
    width: usize,
    map: HashMap<u32, String>,
    /// Glyph advance per code, in thousandths of an em.
    advances: HashMap<u32, f64>,
    default_advance: f64,
}

impl Font {
    /// How far `bytes` move the pen, in ems.
    fn advance(&self, bytes: &[u8]) -> f64 {
        let w = self.width.clamp(1, 4);
        let fallback = if self.default_advance > 0.0 { self.default_advance } else { 500.0 };
        bytes.chunks(w).map(|code| *self.advances.get(&code_of(code)).unwrap_or(&fallback)).sum::<f64>() / 1000.0
    }

    fn decode(&self, bytes: &[u8], out: &mut String) {
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
fn win_ansi(b: u8) -> char {
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

fn utf16be(bytes: &[u8]) -> String {
    let units: Vec<u16> =
        bytes.chunks(2).map(|p| (u16::from(p[0]) << 8) | u16::from(*p.get(1).unwrap_or(&0))).collect();
    String::from_utf16_lossy(&units)
}

fn code_of(bytes: &[u8]) -> u32 {
    bytes.iter().take(4).fold(0u32, |acc, b| (acc << 8) | u32::from(*b))
}

/// A ToUnicode CMap: `bfchar` and `bfrange` entries, and the code width.
fn parse_cmap(data: &[u8]) -> Font {
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
    fn fonts(&self, resources: &Obj) -> HashMap<Vec<u8>, Rc<Font>> {
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

    fn read_font(&self, fd: &Dict) -> Font {
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
            if cmap.width != font.width {
                font.map.clear();
            }
            font.width = cmap.width;
            font.map.extend(cmap.map);
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
    fn encoding_map(&self, fd: &Dict, type1: bool) -> HashMap<u32, String> {
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
    fn read_advances(&self, fd: &Dict, composite: bool, font: &mut Font) {
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

    fn run_content(&self, data: &[u8], resources: &Obj, out: &mut Layout, depth: usize, ctm: Matrix) {
        if depth > MAX_FORM_NESTING {
            return;
        }
        let fonts = self.fonts(resources);
        let empty = Rc::new(Font::default());
        let mut gs = GraphicsState { ctm, font: Rc::clone(&empty), ..GraphicsState::default() };
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
                                    self.run_content(&inner, res, out, depth + 1, mul(&m, &gs.ctm));
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
const MAX_SAVED: usize = 64;

/// A matrix `[a b c d e f]` as PDF writes them (row vectors: `p' = p × M`).
type Matrix = [f64; 6];

const IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

fn mul(m: &Matrix, n: &Matrix) -> Matrix {
    [
        m[0] * n[0] + m[1] * n[2],
        m[0] * n[1] + m[1] * n[3],
        m[2] * n[0] + m[3] * n[2],
        m[2] * n[1] + m[3] * n[3],
        m[4] * n[0] + m[5] * n[2] + n[4],
        m[4] * n[1] + m[5] * n[3] + n[5],
    ]
}

fn apply(m: &Matrix, x: f64, y: f64) -> (f64, f64) {
    (x * m[0] + y * m[2] + m[4], x * m[1] + y * m[3] + m[5])
}

/// What `q` saves and `Q` restores: the transformation and the text state (the font too:
/// after `Q` the font of before `q` applies again).
#[derive(Clone)]
struct GraphicsState {
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
fn show(gs: &GraphicsState, tm: &mut Matrix, bytes: &[u8], out: &mut Layout) {
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
    let (end_x, _) = apply(&mul(tm, &gs.ctm), 0.0, gs.rise);
    let size = gs.size.abs() * trm[2].hypot(trm[3]);
    if !text.is_empty() {
        out.push(Run { x, y, end_x, size, text: expand_ligatures(text) });
    }
}

/// Ligature characters (U+FB00 to U+FB06) as their letters, as pdftotext writes them.
fn expand_ligatures(text: String) -> String {
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
