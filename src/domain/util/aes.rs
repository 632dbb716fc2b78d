//! AES (FIPS-197) with 128, 192 and 256-bit keys, and CBC mode without padding handling
//! (callers strip PKCS#7 themselves: PDF files get it wrong often enough).

use std::sync::OnceLock;

struct Tables {
    sbox: [u8; 256],
    inv: [u8; 256],
}

fn xtime(x: u8) -> u8 {
    (x << 1) ^ if x & 0x80 != 0 { 0x1b } else { 0 }
}

fn gmul(mut a: u8, mut b: u8) -> u8 {
    let mut p = 0;
    while b != 0 {
        if b & 1 != 0 {
            p ^= a;
        }
        a = xtime(a);
        b >>= 1;
    }
    p
}

/// The S-box from its definition: the multiplicative inverse in GF(2^8), then the affine map.
fn tables() -> &'static Tables {
    static T: OnceLock<Tables> = OnceLock::new();
    T.get_or_init(|| {
        let (mut exp, mut log) = ([0u8; 256], [0u8; 256]);
        let mut x = 1u8;
        for (i, e) in exp.iter_mut().enumerate().take(255) {
            *e = x;
            log[usize::from(x)] = i as u8;
            x ^= xtime(x); // times 3, a generator
        }
        let mut sbox = [0u8; 256];
        let mut inv = [0u8; 256];
        for v in 0..256usize {
            let q = if v == 0 { 0 } else { exp[(255 - usize::from(log[v])) % 255] };
            let s = q ^ q.rotate_left(1) ^ q.rotate_left(2) ^ q.rotate_left(3) ^ q.rotate_left(4) ^ 0x63;
            sbox[v] = s;
            inv[usize::from(s)] = v as u8;
        }
        Tables { sbox, inv }
    })
}

/// An expanded AES key.
pub struct Aes {
    round_keys: Vec<[u8; 16]>,
}

impl Aes {
    /// `None` unless the key is 16, 24 or 32 bytes.
    pub fn new(key: &[u8]) -> Option<Aes> {
        let nk = match key.len() {
            16 | 24 | 32 => key.len() / 4,
            _ => return None,
        };
        let rounds = nk + 6;
        let t = tables();
        let mut w: Vec<[u8; 4]> = key.chunks_exact(4).map(|c| [c[0], c[1], c[2], c[3]]).collect();
        let mut rcon = 1u8;
        for i in nk..4 * (rounds + 1) {
            let mut temp = w[i - 1];
            if i % nk == 0 {
                temp = [temp[1], temp[2], temp[3], temp[0]].map(|b| t.sbox[usize::from(b)]);
                temp[0] ^= rcon;
                rcon = xtime(rcon);
            } else if nk > 6 && i % nk == 4 {
                temp = temp.map(|b| t.sbox[usize::from(b)]);
            }
            let prev = w[i - nk];
            w.push([prev[0] ^ temp[0], prev[1] ^ temp[1], prev[2] ^ temp[2], prev[3] ^ temp[3]]);
        }
        let round_keys = w
            .chunks_exact(4)
            .map(|c| {
                let mut k = [0u8; 16];
                for (j, word) in c.iter().enumerate() {
                    k[j * 4..j * 4 + 4].copy_from_slice(word);
                }
                k
            })
            .collect();
        Some(Aes { round_keys })
    }

    fn rounds(&self) -> usize {
        self.round_keys.len() - 1
    }

    pub fn encrypt_block(&self, block: &mut [u8; 16]) {
        let t = tables();
        xor(block, &self.round_keys[0]);
        for round in 1..=self.rounds() {
            for b in block.iter_mut() {
                *b = t.sbox[usize::from(*b)];
            }
            let s = *block;
            for c in 0..4 {
                for r in 0..4 {
                    block[r + 4 * c] = s[r + 4 * ((c + r) % 4)];
                }
            }
            if round != self.rounds() {
                for col in block.chunks_exact_mut(4) {
                    let [a0, a1, a2, a3] = [col[0], col[1], col[2], col[3]];
                    col[0] = gmul(a0, 2) ^ gmul(a1, 3) ^ a2 ^ a3;
                    col[1] = a0 ^ gmul(a1, 2) ^ gmul(a2, 3) ^ a3;
                    col[2] = a0 ^ a1 ^ gmul(a2, 2) ^ gmul(a3, 3);
                    col[3] = gmul(a0, 3) ^ a1 ^ a2 ^ gmul(a3, 2);
                }
            }
            xor(block, &self.round_keys[round]);
        }
    }

    pub fn decrypt_block(&self, block: &mut [u8; 16]) {
        let t = tables();
        xor(block, &self.round_keys[self.rounds()]);
        for round in (0..self.rounds()).rev() {
            let s = *block;
            for c in 0..4 {
                for r in 0..4 {
                    block[r + 4 * ((c + r) % 4)] = s[r + 4 * c];
                }
            }
            for b in block.iter_mut() {
                *b = t.inv[usize::from(*b)];
            }
            xor(block, &self.round_keys[round]);
            if round != 0 {
                for col in block.chunks_exact_mut(4) {
                    let [a0, a1, a2, a3] = [col[0], col[1], col[2], col[3]];
                    col[0] = gmul(a0, 14) ^ gmul(a1, 11) ^ gmul(a2, 13) ^ gmul(a3, 9);
                    col[1] = gmul(a0, 9) ^ gmul(a1, 14) ^ gmul(a2, 11) ^ gmul(a3, 13);
                    col[2] = gmul(a0, 13) ^ gmul(a1, 9) ^ gmul(a2, 14) ^ gmul(a3, 11);
                    col[3] = gmul(a0, 11) ^ gmul(a1, 13) ^ gmul(a2, 9) ^ gmul(a3, 14);
                }
            }
        }
    }

    /// CBC decryption of whole blocks (a trailing partial block is dropped); no unpadding.
    pub fn cbc_decrypt(&self, iv: &[u8; 16], data: &[u8]) -> Vec<u8> {
        let mut prev = *iv;
        let mut out = Vec::with_capacity(data.len());
        for c in data.chunks_exact(16) {
            let mut block: [u8; 16] = c.try_into().unwrap_or([0; 16]);
            let cipher = block;
            self.decrypt_block(&mut block);
            xor(&mut block, &prev);
            out.extend_from_slice(&block);
            prev = cipher;
        }
        out
    }

    /// CBC encryption of whole blocks (a trailing partial block is dropped); no padding.
    pub fn cbc_encrypt(&self, iv: &[u8; 16], data: &[u8]) -> Vec<u8> {
        let mut prev = *iv;
        let mut out = Vec::with_capacity(data.len());
        for c in data.chunks_exact(16) {
            let mut block: [u8; 16] = c.try_into().unwrap_or([0; 16]);
            xor(&mut block, &prev);
            self.encrypt_block(&mut block);
            out.extend_from_slice(&block);
            prev = block;
        }
        out
    }
}

fn xor(a: &mut [u8; 16], b: &[u8; 16]) {
    for (x, y) in a.iter_mut().zip(b) {
        *x ^= y;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unhex(s: &str) -> Vec<u8> {
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }

    #[test]
    fn fips_197_appendix_c() {
        let plain: [u8; 16] = unhex("00112233445566778899aabbccddeeff").try_into().unwrap();
        let cases = [
            ("000102030405060708090a0b0c0d0e0f", "69c4e0d86a7b0430d8cdb78070b4c55a"),
            ("000102030405060708090a0b0c0d0e0f1011121314151617", "dda97ca4864cdfe06eaf70a0ec0d7191"),
            ("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "8ea2b7ca516745bfeafc49904b496089"),
        ];
        for (key, want) in cases {
            let aes = Aes::new(&unhex(key)).unwrap();
            let mut block = plain;
            aes.encrypt_block(&mut block);
            assert_eq!(block.to_vec(), unhex(want), "key {key}");
            aes.decrypt_block(&mut block);
            assert_eq!(block, plain);
        }
        // FIPS-197 appendix A.1: the first and last round-key words of the 128-bit example.
        let aes = Aes::new(&unhex("2b7e151628aed2a6abf7158809cf4f3c")).unwrap();
        assert_eq!(aes.round_keys[10].to_vec(), unhex("d014f9a8c9ee2589e13f0cc8b6630ca6"));
        assert!(Aes::new(&[0; 15]).is_none());
    }

    #[test]
    fn sp_800_38a_cbc_vectors() {
        // NIST SP 800-38A F.2.1/F.2.2 (CBC-AES128), first two blocks.
        let aes = Aes::new(&unhex("2b7e151628aed2a6abf7158809cf4f3c")).unwrap();
        let iv: [u8; 16] = unhex("000102030405060708090a0b0c0d0e0f").try_into().unwrap();
        let plain = unhex("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51");
        let cipher = unhex("7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2");
        assert_eq!(aes.cbc_encrypt(&iv, &plain), cipher);
        assert_eq!(aes.cbc_decrypt(&iv, &cipher), plain);
    }
}
