//! A tiny ZIP writer for downloads: stored entries only (no compression), CRC-32, UTF-8
//! names. Enough for a folder of generated text files; every unzip tool reads it.

use super::ExportFile;

/// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), as ZIP requires.
pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

fn u16le(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn u32le(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

/// The files in one `.zip`, each under `folder/`. Paths are relative with `/`; anything that
/// could leave the folder (`..`, a leading `/`) is dropped from the name.
pub fn zip(folder: &str, files: &[ExportFile]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    let mut count: u16 = 0;
    for file in files {
        let clean: Vec<&str> = file.path.split('/').filter(|p| !p.is_empty() && *p != "." && *p != "..").collect();
        let name = format!("{folder}/{}", clean.join("/"));
        let data = file.text.as_bytes();
        let (Ok(size), Ok(name_len)) = (u32::try_from(data.len()), u16::try_from(name.len())) else { continue };
        let Ok(offset) = u32::try_from(out.len()) else { break };
        let crc = crc32(data);
        // Local file header: version 2.0, flag bit 11 (UTF-8 names), stored, a fixed
        // timestamp (1 January 2025) so the same export gives the same bytes.
        let header = |out: &mut Vec<u8>, central: bool| {
            u32le(out, if central { 0x0201_4b50 } else { 0x0403_4b50 });
            if central {
                u16le(out, 20);
            }
            u16le(out, 20);
            u16le(out, 0x0800);
            u16le(out, 0);
            u16le(out, 0);
            u16le(out, (45 << 9) | (1 << 5) | 1);
            u32le(out, crc);
            u32le(out, size);
            u32le(out, size);
            u16le(out, name_len);
            u16le(out, 0);
        };
        header(&mut out, false);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);
        header(&mut central, true);
        u16le(&mut central, 0); // comment length
        u16le(&mut central, 0); // disk number
        u16le(&mut central, 0); // internal attributes
        u32le(&mut central, 0o100644 << 16); // external attributes: a regular file, rw-r--r--
        u32le(&mut central, offset);
        central.extend_from_slice(name.as_bytes());
        count = count.saturating_add(1);
    }
    let central_offset = u32::try_from(out.len()).unwrap_or(u32::MAX);
    let central_size = u32::try_from(central.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&central);
    u32le(&mut out, 0x0605_4b50);
    u16le(&mut out, 0);
    u16le(&mut out, 0);
    u16le(&mut out, count);
    u16le(&mut out, count);
    u32le(&mut out, central_size);
    u32le(&mut out, central_offset);
    u16le(&mut out, 0);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_matches_the_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn entries_are_stored_with_names_inside_the_folder() {
        let files = vec![ExportFile::new("main.py", "print('hi')\n"), ExportFile::new("../../etc/x", "é")];
        let z = zip("my-flow", &files);
        assert_eq!(&z[..4], b"PK\x03\x04");
        let text = String::from_utf8_lossy(&z);
        assert!(text.contains("my-flow/main.py") && text.contains("my-flow/etc/x") && !text.contains(".."));
        // End of central directory: two entries.
        let end = z.len() - 22;
        assert_eq!(&z[end..end + 4], b"PK\x05\x06");
        assert_eq!(u16::from_le_bytes([z[end + 10], z[end + 11]]), 2);
    }
}
