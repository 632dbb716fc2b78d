//! The standard security handler, for files that open without a password: "permissions-only"
//! encryption, where the user password is empty (poppler and pdf.js open these silently).
//! Revisions 2 to 4 (RC4 with 40 to 128-bit keys, AES-128 CBC as `AESV2`) per PDF 1.7 §7.6.3,
//! and revisions 5 and 6 (AES-256 as `AESV3`, the SHA-256/384/512 hash of PDF 2.0 §7.6.4.3.4).
//! A file with a real user password stays refused: this reader never guesses passwords.

use crate::domain::util::{aes::Aes, md5::md5, rc4::rc4, sha2};

/// How strings or streams are encrypted.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Method {
    None,
    Rc4,
    Aes128,
    Aes256,
}

impl Method {
    /// A crypt filter's `/CFM`.
    pub(super) fn from_cfm(cfm: &[u8]) -> Method {
        match cfm {
            b"V2" => Method::Rc4,
            b"AESV2" => Method::Aes128,
            b"AESV3" => Method::Aes256,
            _ => Method::None,
        }
    }
}

/// The `/Encrypt` dictionary's values the handler needs.
pub(super) struct Params<'a> {
    pub revision: u32,
    /// Key length in bytes (revisions 3 and 4).
    pub length: usize,
    pub owner: &'a [u8],
    pub user: &'a [u8],
    pub user_key: &'a [u8],
    pub permissions: i32,
    pub id: &'a [u8],
    pub encrypt_metadata: bool,
    pub strings: Method,
    pub streams: Method,
}

pub(super) struct Handler {
    key: Vec<u8>,
    pub strings: Method,
    pub streams: Method,
}

const PAD: [u8; 32] = [
    0x28, 0xBF, 0x4E, 0x5E, 0x4E, 0x75, 0x8A, 0x41, 0x64, 0x00, 0x4E, 0x56, 0xFF, 0xFA, 0x01, 0x08, 0x2E, 0x2E, 0x00,
    0xB6, 0xD0, 0x68, 0x3E, 0x80, 0x2F, 0x0C, 0xA9, 0xFE, 0x64, 0x53, 0x69, 0x7A,
];

impl Handler {
    /// The file key for the empty user password; `None` when the file needs a real password
    /// (or its dictionary is damaged).
    pub(super) fn open(p: &Params) -> Option<Handler> {
        let key = match p.revision {
            2..=4 => rc4_key(p)?,
            5 | 6 => aes256_key(p)?,
            _ => return None,
        };
        Some(Handler { key, strings: p.strings, streams: p.streams })
    }

    /// Decrypts a string or stream of object `num` (generation `gen`) with `method`.
    pub(super) fn decrypt(&self, method: Method, num: u32, gen: u16, data: &[u8]) -> Vec<u8> {
        match method {
            Method::None => data.to_vec(),
            Method::Aes256 => aes_cbc(&self.key, data),
            Method::Rc4 | Method::Aes128 => {
                let mut k = self.key.clone();
                k.extend_from_slice(&num.to_le_bytes()[..3]);
                k.extend_from_slice(&gen.to_le_bytes());
                if method == Method::Aes128 {
                    k.extend_from_slice(b"sAlT");
                }
                let k = &md5(&k)[..(self.key.len() + 5).min(16)];
                if method == Method::Rc4 {
                    rc4(k, data)
                } else {
                    aes_cbc(k, data)
                }
            }
        }
    }
}

/// AES-CBC with the IV in the first 16 bytes, PKCS#7 padding removed when it is valid.
fn aes_cbc(key: &[u8], data: &[u8]) -> Vec<u8> {
    let (Some(aes), Some(iv)) = (Aes::new(key), data.get(..16)) else { return Vec::new() };
    let iv: [u8; 16] = iv.try_into().unwrap_or([0; 16]);
    let mut out = aes.cbc_decrypt(&iv, &data[16..]);
    if let Some(&n) = out.last() {
        let n = usize::from(n);
        if (1..=16).contains(&n) && n <= out.len() && out[out.len() - n..].iter().all(|&b| usize::from(b) == n) {
            out.truncate(out.len() - n);
        }
    }
    out
}

/// Algorithm 2 (the key) and 4/5 (checking it against `/U`), for the empty password.
fn rc4_key(p: &Params) -> Option<Vec<u8>> {
    let n = if p.revision == 2 { 5 } else { p.length.clamp(5, 16) };
    let mut input = PAD.to_vec();
    input.extend_from_slice(p.owner.get(..32)?);
    input.extend_from_slice(&p.permissions.to_le_bytes());
    input.extend_from_slice(p.id);
    if p.revision >= 4 && !p.encrypt_metadata {
        input.extend_from_slice(&[0xff; 4]);
    }
    let mut h = md5(&input);
    if p.revision >= 3 {
        for _ in 0..50 {
            h = md5(&h[..n]);
        }
    }
    let key = h[..n].to_vec();
    let user = p.user.get(..32)?;
    let ok = if p.revision == 2 {
        rc4(&key, &PAD) == user
    } else {
        let mut input = PAD.to_vec();
        input.extend_from_slice(p.id);
        let mut x = rc4(&key, &md5(&input));
        for i in 1..=19u8 {
            let k: Vec<u8> = key.iter().map(|b| b ^ i).collect();
            x = rc4(&k, &x);
        }
        x[..16] == user[..16]
    };
    ok.then_some(key)
}

/// Revisions 5 and 6: check the empty password against `/U`, then unwrap `/UE`.
fn aes256_key(p: &Params) -> Option<Vec<u8>> {
    let user = p.user.get(..48)?;
    let hash = |salt: &[u8]| if p.revision == 5 { sha2::sha256(salt).to_vec() } else { hash_2b(&[], salt, &[]) };
    if hash(&user[32..40])[..32] != user[..32] {
        return None;
    }
    let intermediate = hash(&user[40..48]);
    let aes = Aes::new(&intermediate[..32])?;
    let key = aes.cbc_decrypt(&[0; 16], p.user_key.get(..32)?);
    (key.len() == 32).then_some(key)
}

/// Algorithm 2.B of PDF 2.0 (revision 6): SHA-256, then rounds of AES-128 and SHA-2.
pub(super) fn hash_2b(password: &[u8], salt: &[u8], udata: &[u8]) -> Vec<u8> {
    let mut input = password.to_vec();
    input.extend_from_slice(salt);
    input.extend_from_slice(udata);
    let mut k = sha2::sha256(&input).to_vec();
    let mut round = 0u32;
    let mut last = 0u8;
    while round < 64 || u32::from(last) > round - 32 {
        let mut one = password.to_vec();
        one.extend_from_slice(&k);
        one.extend_from_slice(udata);
        let k1 = one.repeat(64);
        let (Some(aes), Ok(iv)) = (Aes::new(&k[..16]), <[u8; 16]>::try_from(&k[16..32])) else { break };
        let e = aes.cbc_encrypt(&iv, &k1);
        let sum: u32 = e[..16].iter().map(|&b| u32::from(b)).sum();
        k = match sum % 3 {
            0 => sha2::sha256(&e).to_vec(),
            1 => sha2::sha384(&e).to_vec(),
            _ => sha2::sha512(&e).to_vec(),
        };
        last = *e.last().unwrap_or(&0);
        round += 1;
    }
    k.truncate(32);
    k
}
