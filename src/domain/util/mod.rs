//! The floor of the domain: small, self-contained helpers that know nothing of flows, blocks,
//! providers or runs, one purpose per file. Every other domain module may use them; they use
//! no other domain module (tests/layers.rs).
//!
//! The hashes and ciphers of the PDF standard security handler (MD5, RC4, AES, SHA-2) are
//! checked against their published test vectors; none is constant-time, since they only open
//! files the user already has (no secret is ever protected with them).

pub mod aes;
pub mod base64;
pub mod csv;
pub mod format;
pub mod hash;
pub mod json_error;
pub mod json_path;
pub mod md5;
pub mod percent;
pub mod rc4;
pub mod sha2;
pub mod vector;
