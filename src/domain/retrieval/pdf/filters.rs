//! Stream filters other than Flate: ASCIIHex, ASCII85 and LZW, and the TIFF/PNG predictors
//! that `DecodeParms` may ask for after Flate or LZW. Every decoder stops at `limit` bytes of
//! output (`None` past it), so a small hostile stream cannot grow without bound.

/// `DecodeParms` of a Flate or LZW stream.
#[derive(Clone, Copy, Debug)]
pub(super) struct Parms {
    pub predictor: usize,
    pub colors: usize,
    pub bits: usize,
    pub columns: usize,
    pub early_change: bool,
}

impl Default for Parms {
    fn default() -> Self {
        Parms { predictor: 1, colors: 1, bits: 8, columns: 1, early_change: true }
    }
}

/// `ASCIIHexDecode`: hex digits up to `>`, white space ignored, an odd last digit padded with 0.
pub(super) fn ascii_hex(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() / 2);
    let mut high: Option<u8> = None;
    for &c in data {
        if c == b'>' {
            break;
        }
        let Some(d) = (c as char).to_digit(16) else { continue };
        match high.take() {
            Some(h) => out.push(h * 16 + d as u8),
            None => high = Some(d as u8),
        }
    }
    if let Some(h) = high {
        out.push(h * 16);
    }
    out
}

/// `ASCII85Decode`: groups of five characters `!`..`u` make four bytes, `z` four zeros, `~>`
/// ends; a last partial group of n characters makes n - 1 bytes.
pub(super) fn ascii85(data: &[u8], limit: usize) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(data.len() * 4 / 5);
    let mut group = [0u8; 5];
    let mut n = 0;
    let start = if data.starts_with(b"<~") { 2 } else { 0 };
    for &c in &data[start..] {
        match c {
            b'~' => break,
            b'z' if n == 0 => out.extend_from_slice(&[0; 4]),
            b'!'..=b'u' => {
                group[n] = c - b'!';
                n += 1;
                if n == 5 {
                    out.extend_from_slice(&group_value(&group).to_be_bytes());
                    n = 0;
                }
            }
            _ => {}
        }
        if out.len() > limit {
            return None;
        }
    }
    if n > 1 {
        for g in group.iter_mut().skip(n) {
            *g = 84;
        }
        out.extend_from_slice(&group_value(&group).to_be_bytes()[..n - 1]);
    }
    Some(out)
}

fn group_value(g: &[u8; 5]) -> u32 {
    g.iter().fold(0u32, |acc, d| acc.wrapping_mul(85).wrapping_add(u32::from(*d)))
}

/// `LZWDecode`: codes of 9 to 12 bits, 256 clears the table, 257 ends; with `early_change`
/// (the default) the code width grows one code early.
pub(super) fn lzw(data: &[u8], early_change: bool, limit: usize) -> Option<Vec<u8>> {
    let mut out: Vec<u8> = Vec::new();
    // Each entry: (prefix entry or u16::MAX, last byte, length).
    let mut table: Vec<(u16, u8, u32)> = Vec::with_capacity(4096);
    let reset = |t: &mut Vec<(u16, u8, u32)>| {
        t.clear();
        t.extend((0..=255u8).map(|b| (u16::MAX, b, 1)));
        t.push((u16::MAX, 0, 0));
        t.push((u16::MAX, 0, 0));
    };
    reset(&mut table);
    let (mut acc, mut nbits, mut width) = (0u32, 0u32, 9u32);
    let mut prev: Option<u16> = None;
    let mut bytes = data.iter();
    let mut entry = Vec::new();
    loop {
        while nbits < width {
            let Some(&b) = bytes.next() else { return Some(out) };
            acc = (acc << 8) | u32::from(b);
            nbits += 8;
        }
        let code = ((acc >> (nbits - width)) & ((1 << width) - 1)) as u16;
        nbits -= width;
        acc &= (1u32 << nbits).wrapping_sub(1);
        match code {
            256 => {
                reset(&mut table);
                width = 9;
                prev = None;
                continue;
            }
            257 => return Some(out),
            _ => {}
        }
        let first_of = |t: &Vec<(u16, u8, u32)>, mut c: u16| {
            while t[usize::from(c)].0 != u16::MAX {
                c = t[usize::from(c)].0;
            }
            t[usize::from(c)].1
        };
        let known = usize::from(code) < table.len() && code != 256 && code != 257;
        match prev {
            None => {
                if !known {
                    return Some(out);
                }
            }
            Some(p) => {
                let first = if known {
                    first_of(&table, code)
                } else if usize::from(code) == table.len() {
                    first_of(&table, p)
                } else {
                    return Some(out); // a code from nowhere: the stream is damaged
                };
                if table.len() < 4096 {
                    let len = table[usize::from(p)].2 + 1;
                    table.push((p, first, len));
                }
            }
        }
        if usize::from(code) >= table.len() {
            return Some(out);
        }
        // Write the entry's bytes (walked backwards).
        entry.clear();
        let mut c = code;
        loop {
            let (pre, b, _) = table[usize::from(c)];
            entry.push(b);
            if pre == u16::MAX {
                break;
            }
            c = pre;
        }
        out.extend(entry.iter().rev());
        if out.len() > limit {
            return None;
        }
        prev = Some(code);
        let next = table.len() + usize::from(early_change);
        width = match next {
            n if n >= 2048 => 12,
            n if n >= 1024 => 11,
            n if n >= 512 => 10,
            _ => 9,
        };
    }
}

/// Undoes a TIFF (2) or PNG (10-15) predictor; other values leave the data as it is.
pub(super) fn unpredict(data: Vec<u8>, p: &Parms) -> Vec<u8> {
    if p.predictor < 2 {
        return data;
    }
    let colors = p.colors.clamp(1, 32);
    let bits = p.bits.clamp(1, 16);
    let columns = p.columns.clamp(1, 1 << 20);
    let bpp = (colors * bits).div_ceil(8).max(1);
    // A row longer than the data is one partial row: no need to allocate what a hostile
    // `/Columns` asks for.
    let row_len = (colors * bits * columns).div_ceil(8).min(data.len().max(1));
    if p.predictor == 2 {
        if bits != 8 {
            return data;
        }
        let mut data = data;
        for row in data.chunks_mut(row_len) {
            for i in bpp..row.len() {
                row[i] = row[i].wrapping_add(row[i - bpp]);
            }
        }
        return data;
    }
    let mut out = Vec::with_capacity(data.len());
    let mut prev = vec![0u8; row_len];
    for chunk in data.chunks(row_len + 1) {
        let (kind, row) = (chunk[0], &chunk[1..]);
        let mut cur = row.to_vec();
        for i in 0..cur.len() {
            let left = if i >= bpp { cur[i - bpp] } else { 0 };
            let up = prev[i];
            let up_left = if i >= bpp { prev[i - bpp] } else { 0 };
            cur[i] = cur[i].wrapping_add(match kind {
                1 => left,
                2 => up,
                3 => ((u16::from(left) + u16::from(up)) / 2) as u8,
                4 => paeth(left, up, up_left),
                _ => 0,
            });
        }
        out.extend_from_slice(&cur);
        prev[..cur.len()].copy_from_slice(&cur);
    }
    out
}

fn paeth(a: u8, b: u8, c: u8) -> u8 {
    let p = i16::from(a) + i16::from(b) - i16::from(c);
    let (pa, pb, pc) = ((p - i16::from(a)).abs(), (p - i16::from(b)).abs(), (p - i16::from(c)).abs());
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_hex_skips_space_and_pads_an_odd_digit() {
        assert_eq!(ascii_hex(b"48 65 6c\n6C 6f 7>ignored"), b"Hellop");
    }

    #[test]
    fn ascii85_matches_the_reference_encoding() {
        // "Man is distinguished" as encoded by Python's base64.a85encode.
        assert_eq!(ascii85(b"<~9jqo^BlbD-BleB1DJ+*+F(f,q~>", 100).unwrap(), b"Man is distinguished");
        assert_eq!(ascii85(b"z!!~>", 100).unwrap(), [0, 0, 0, 0, 0]);
        assert_eq!(ascii85(b"87cURDZ~>", 100).unwrap(), b"Hello");
        assert!(ascii85(&b"z".repeat(100), 40).is_none());
    }

    #[test]
    fn lzw_decodes_the_example_of_the_pdf_reference() {
        // PDF 1.7 reference, 7.4.4.2: "-----A---B" encodes as 80 0B 60 50 22 0C 0C 85 01.
        let data = [0x80, 0x0B, 0x60, 0x50, 0x22, 0x0C, 0x0C, 0x85, 0x01];
        assert_eq!(lzw(&data, true, 100).unwrap(), b"-----A---B");
        assert!(lzw(&data, true, 3).is_none());
    }

    #[test]
    fn lzw_round_trips_a_long_text_past_the_code_width_changes() {
        let text: Vec<u8> = (0..20_000u32).map(|i| b"the quick brown fox "[(i * 7 % 20) as usize]).collect();
        assert_eq!(lzw(&lzw_encode(&text), true, 1 << 20).unwrap(), text);
    }

    /// A plain LZW encoder (early change), for the round trip above.
    fn lzw_encode(data: &[u8]) -> Vec<u8> {
        use std::collections::HashMap;
        let mut dict: HashMap<Vec<u8>, u16> = (0..=255u8).map(|b| (vec![b], u16::from(b))).collect();
        let (mut next, mut width) = (258u16, 9u32);
        let mut bits: Vec<bool> = Vec::new();
        let put = |code: u16, width: u32, bits: &mut Vec<bool>| {
            for i in (0..width).rev() {
                bits.push(code >> i & 1 == 1);
            }
        };
        put(256, width, &mut bits);
        let mut w: Vec<u8> = Vec::new();
        for &c in data {
            let mut wc = w.clone();
            wc.push(c);
            if dict.contains_key(&wc) {
                w = wc;
                continue;
            }
            put(dict[&w], width, &mut bits);
            dict.insert(wc, next);
            next += 1;
            if next + 1 > (1 << width) && width < 12 {
                width += 1;
            }
            if next >= 4094 {
                put(256, width, &mut bits);
                dict = (0..=255u8).map(|b| (vec![b], u16::from(b))).collect();
                next = 258;
                width = 9;
            }
            w = vec![c];
        }
        put(dict[&w], width, &mut bits);
        put(257, width, &mut bits);
        bits.chunks(8).map(|b| b.iter().enumerate().fold(0u8, |a, (i, &x)| a | (u8::from(x) << (7 - i)))).collect()
    }

    #[test]
    fn png_and_tiff_predictors() {
        // Two rows of 3 bytes: Sub then Up.
        let p = Parms { predictor: 12, columns: 3, ..Parms::default() };
        assert_eq!(unpredict(vec![1, 1, 1, 1, 2, 0, 0, 0], &p), vec![1, 2, 3, 1, 2, 3]);
        let p = Parms { predictor: 12, columns: 3, ..Parms::default() };
        assert_eq!(unpredict(vec![1, 1, 1, 1, 2, 1, 1, 1], &p), vec![1, 2, 3, 2, 3, 4]);
        let p = Parms { predictor: 2, columns: 3, ..Parms::default() };
        assert_eq!(unpredict(vec![1, 1, 1], &p), vec![1, 2, 3]);
    }
}
