//! Small, self-contained primitives the domain needs and that are not worth a dependency:
//! the hashes and ciphers of the PDF standard security handler (MD5, RC4, AES, SHA-2).
//! Each is checked against its published test vectors; none is constant-time, since they only
//! open files the user already has (no secret is ever protected with them).

pub mod aes;
pub mod md5;
pub mod rc4;
pub mod sha2;
