//! PDF objects and the lexer that reads them, from a file or a content stream.

use super::MAX_DEPTH;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Obj {
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

pub(super) type Dict = BTreeMap<Vec<u8>, Obj>;

impl Obj {
    pub(super) fn dict(&self) -> Option<&Dict> {
        match self {
            Obj::Dict(d) | Obj::Stream(d, _) => Some(d),
            _ => None,
        }
    }
    pub(super) fn num(&self) -> Option<f64> {
        match self {
            Obj::Num(n) => Some(*n),
            _ => None,
        }
    }
    pub(super) fn name(&self) -> Option<&[u8]> {
        match self {
            Obj::Name(n) => Some(n),
            _ => None,
        }
    }
}

pub(super) struct Lexer<'a> {
    pub(super) b: &'a [u8],
    pub(super) pos: usize,
}

pub(super) fn is_white(c: u8) -> bool {
    matches!(c, b' ' | b'\n' | b'\r' | b'\t' | b'\x0c' | b'\0')
}

pub(super) fn is_delim(c: u8) -> bool {
    matches!(c, b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%')
}

impl<'a> Lexer<'a> {
    pub(super) fn new(b: &'a [u8], pos: usize) -> Self {
        Lexer { b, pos }
    }

    pub(super) fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    pub(super) fn skip_space(&mut self) {
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

    pub(super) fn word(&mut self) -> &'a [u8] {
        let start = self.pos;
        while self.peek().is_some_and(|c| !is_white(c) && !is_delim(c)) {
            self.pos += 1;
        }
        &self.b[start..self.pos]
    }

    pub(super) fn literal_string(&mut self) -> Vec<u8> {
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

    pub(super) fn hex_string(&mut self) -> Vec<u8> {
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

    pub(super) fn name(&mut self) -> Vec<u8> {
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
    pub(super) fn object(&mut self, depth: usize) -> Option<Obj> {
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

pub(super) fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if from >= hay.len() || needle.is_empty() {
        return None;
    }
    hay[from..].windows(needle.len()).position(|w| w == needle).map(|i| i + from)
}
