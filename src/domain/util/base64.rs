//! Standard base64 (RFC 4648 §4, with padding): what every provider wants for inline
//! images and audio, and what exports use to carry media. And base64url without padding
//! (RFC 4648 §5), strict on decoding, for share and feedback links.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// The encoded length for `len` bytes (padding included).
pub fn encoded_len(len: usize) -> usize {
    len.div_ceil(3) * 4
}

pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(encoded_len(bytes.len()));
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn value(c: u8) -> Option<u32> {
    let v = match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => return None,
    };
    Some(u32::from(v))
}

/// Decodes padded or unpadded standard base64; whitespace (line breaks in pasted data) is
/// skipped. `None` for any other character or an impossible length.
pub fn decode(text: &str) -> Option<Vec<u8>> {
    let clean: Vec<u8> = text.bytes().filter(|c| !c.is_ascii_whitespace()).collect();
    let body = clean.strip_suffix(b"==").or_else(|| clean.strip_suffix(b"=")).unwrap_or(&clean);
    if body.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(body.len() / 4 * 3 + 2);
    for chunk in body.chunks(4) {
        let mut n = 0u32;
        for &c in chunk {
            n = n << 6 | value(c)?;
        }
        n <<= 6 * (4 - chunk.len() as u32);
        let bytes = n.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    Some(out)
}

// ---- base64url (RFC 4648 §5, no padding): share and feedback links ----------------------

fn sextet_char(n: u32) -> char {
    let n = (n & 63) as u8;
    char::from(match n {
        0..=25 => b'A' + n,
        26..=51 => b'a' + (n - 26),
        52..=61 => b'0' + (n - 52),
        62 => b'-',
        _ => b'_',
    })
}

fn sextet_value(c: u8) -> Option<u32> {
    let v = match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'-' => 62,
        b'_' => 63,
        _ => return None,
    };
    Some(u32::from(v))
}

pub fn base64url_into(bytes: &[u8], out: &mut String) {
    for chunk in bytes.chunks(3) {
        let (n, chars) = match *chunk {
            [a, b, c] => (u32::from(a) << 16 | u32::from(b) << 8 | u32::from(c), 4),
            [a, b] => (u32::from(a) << 16 | u32::from(b) << 8, 3),
            [a] => (u32::from(a) << 16, 2),
            _ => continue,
        };
        for i in 0..chars {
            out.push(sextet_char(n >> (18 - 6 * i)));
        }
    }
}

/// Strict: only the base64url alphabet, no padding, and the unused low bits of the last
/// character must be zero (so a changed last character is noticed, not ignored).
pub fn base64url_decode(text: &str) -> Result<Vec<u8>, &'static str> {
    let bytes = text.as_bytes();
    if bytes.len() % 4 == 1 {
        return Err("the base64url text has an impossible length");
    }
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3 + 2);
    for chunk in bytes.chunks(4) {
        let mut n = 0u32;
        for &c in chunk {
            let v = sextet_value(c).ok_or("the link has characters base64url never uses")?;
            n = n << 6 | v;
        }
        let (value, unused_bits, len) = match chunk.len() {
            4 => (n, 0, 3),
            3 => (n >> 2, n & 0b11, 2),
            2 => (n >> 4, n & 0b1111, 1),
            _ => return Err("the base64url text has an impossible length"),
        };
        if unused_bits != 0 {
            return Err("the last base64url character is not one an encoder writes");
        }
        let be = value.to_be_bytes();
        out.extend(be.iter().skip(4 - len));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_vectors() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(encode(plain.as_bytes()), encoded);
            assert_eq!(decode(encoded).as_deref(), Some(plain.as_bytes()));
        }
        assert_eq!(encode(&[0xfb, 0xff]), "+/8=");
    }

    #[test]
    fn round_trips_every_length_and_refuses_junk() {
        let all: Vec<u8> = (0..=255).collect();
        for len in 0..all.len() {
            let text = encode(&all[..len]);
            assert_eq!(text.len(), encoded_len(len));
            assert_eq!(decode(&text).as_deref(), Some(&all[..len]));
        }
        for bad in ["Z", "Zm9v-", "Zm9v_w", "a=b="] {
            assert_eq!(decode(bad), None, "{bad}");
        }
        assert_eq!(decode("Zm9v\nYmFy").as_deref(), Some(&b"foobar"[..]));
    }

    #[test]
    fn base64url_matches_the_rfc_vectors() {
        // RFC 4648 §10, without padding.
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg"),
            ("fo", "Zm8"),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg"),
            ("fooba", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy"),
        ] {
            let mut out = String::new();
            base64url_into(plain.as_bytes(), &mut out);
            assert_eq!(out, encoded);
            assert_eq!(base64url_decode(encoded).unwrap(), plain.as_bytes());
        }
        // The two URL-safe characters.
        let mut out = String::new();
        base64url_into(&[0xfb, 0xff], &mut out);
        assert_eq!(out, "-_8");
        assert_eq!(base64url_decode("-_8").unwrap(), vec![0xfb, 0xff]);
    }

    #[test]
    fn base64url_round_trips_every_byte_and_length() {
        let all: Vec<u8> = (0..=255).collect();
        for len in 0..all.len() {
            let mut out = String::new();
            base64url_into(&all[..len], &mut out);
            assert_eq!(out.len(), (len * 4).div_ceil(3));
            assert_eq!(base64url_decode(&out).unwrap(), &all[..len]);
        }
    }

    #[test]
    fn base64url_decoding_is_strict() {
        for bad in ["Z", "Zg=", "Zm9v+", "Zm9v/w", "Zh", "Zm9", "Zm 9v"] {
            assert!(base64url_decode(bad).is_err(), "{bad} should be refused");
        }
    }
}
