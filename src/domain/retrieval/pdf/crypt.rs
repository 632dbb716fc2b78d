//! The standard security handler, for files that open without a password: "permissions-only"
//! encryption, where the user password is empty (poppler and pdf.js open these silently).
//! Revisions 2 to 4 (RC4 with 40 to 128-bit keys, AES-128 CBC as `AESV2`) per PDF 1.7 §7.6.3,
//! and revisions 5 and 6 (AES-256 as `AESV3`, the SHA-256/384/512 hash of PDF 2.0 §7.6.4.3.4).
//! The empty password is tried as the user's and then, as poppler does, as the owner's (a file
//! with a user password but no owner password opens in poppler). A file with a real password
//! stays refused: this reader never guesses passwords.

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
    pub owner_key: &'a [u8],
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
        // The empty password, as the user's and then (as poppler does) as the owner's.
        let key = match p.revision {
            2..=4 => rc4_key(p, &PAD).or_else(|| rc4_key(p, &user_password_from_owner(p)?))?,
            5 | 6 => aes256_key(p).or_else(|| aes256_owner_key(p))?,
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

fn key_length(p: &Params) -> usize {
    if p.revision == 2 {
        5
    } else {
        p.length.clamp(5, 16)
    }
}

/// Algorithm 7: with an empty owner password, `/O` decrypts to the (padded) user password.
fn user_password_from_owner(p: &Params) -> Option<[u8; 32]> {
    let n = key_length(p);
    let mut h = md5(&PAD);
    if p.revision >= 3 {
        for _ in 0..50 {
            h = md5(&h);
        }
    }
    let key = &h[..n];
    let mut x = p.owner.get(..32)?.to_vec();
    if p.revision == 2 {
        x = rc4(key, &x);
    } else {
        for i in (0..=19u8).rev() {
            let k: Vec<u8> = key.iter().map(|b| b ^ i).collect();
            x = rc4(&k, &x);
        }
    }
    x.try_into().ok()
}

/// Algorithm 2 (the key) and 4/5 (checking it against `/U`), for a padded user password.
fn rc4_key(p: &Params, password: &[u8; 32]) -> Option<Vec<u8>> {
    let n = key_length(p);
    let mut input = password.to_vec();
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

/// Revisions 5 and 6 with the empty owner password: checked against `/O` (with `/U` as the
/// extra data), then `/OE` unwrapped.
fn aes256_owner_key(p: &Params) -> Option<Vec<u8>> {
    let (owner, user) = (p.owner.get(..48)?, p.user.get(..48)?);
    let hash = |salt: &[u8]| {
        if p.revision == 5 {
            sha2::sha256(&[salt, user].concat()).to_vec()
        } else {
            hash_2b(&[], salt, user)
        }
    };
    if hash(&owner[32..40])[..32] != owner[..32] {
        return None;
    }
    let aes = Aes::new(&hash(&owner[40..48])[..32])?;
    let key = aes.cbc_decrypt(&[0; 16], p.owner_key.get(..32)?);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn pad(password: &[u8]) -> [u8; 32] {
        let mut out = PAD;
        out[..password.len()].copy_from_slice(password);
        out[password.len()..].copy_from_slice(&PAD[..32 - password.len()]);
        out
    }

    /// `/O` and `/U` as a writer makes them (algorithms 3 and 5, revision 3, 128-bit).
    fn revision_3(user: &[u8], owner: &[u8], id: &[u8]) -> (Vec<u8>, Vec<u8>) {
        let mut h = md5(&pad(owner));
        for _ in 0..50 {
            h = md5(&h);
        }
        let mut o = pad(user).to_vec();
        for i in 0..=19u8 {
            let k: Vec<u8> = h.iter().map(|b| b ^ i).collect();
            o = rc4(&k, &o);
        }
        // The file key from the user password, then /U from it.
        let mut input = pad(user).to_vec();
        input.extend_from_slice(&o);
        input.extend_from_slice(&(-4i32).to_le_bytes());
        input.extend_from_slice(id);
        let mut k = md5(&input);
        for _ in 0..50 {
            k = md5(&k);
        }
        let mut x = rc4(&k, &md5(&[PAD.as_slice(), id].concat()));
        for i in 1..=19u8 {
            let kk: Vec<u8> = k.iter().map(|b| b ^ i).collect();
            x = rc4(&kk, &x);
        }
        x.extend_from_slice(&[0; 16]);
        (o, x)
    }

    fn params<'a>(o: &'a [u8], u: &'a [u8], id: &'a [u8]) -> Params<'a> {
        Params {
            revision: 3,
            length: 16,
            owner: o,
            user: u,
            user_key: &[],
            owner_key: &[],
            permissions: -4,
            id,
            encrypt_metadata: true,
            strings: Method::Rc4,
            streams: Method::Rc4,
        }
    }

    #[test]
    fn the_empty_password_opens_as_user_or_as_owner_but_no_other_is_guessed() {
        let id = b"0123456789abcdef";
        // Permissions only: empty user password.
        let (o, u) = revision_3(b"", b"owner", id);
        assert!(Handler::open(&params(&o, &u, id)).is_some());
        // A user password with an empty owner password (poppler opens these too).
        let (o, u) = revision_3(b"secret", b"", id);
        assert!(Handler::open(&params(&o, &u, id)).is_some());
        // Both passwords set: refused.
        let (o, u) = revision_3(b"secret", b"owner", id);
        assert!(Handler::open(&params(&o, &u, id)).is_none());
        // Damaged dictionaries (short /O or /U) are refused without a panic.
        assert!(Handler::open(&params(&o[..10], &u, id)).is_none());
        assert!(Handler::open(&params(&o, &[], id)).is_none());
    }
}
