//! An incremental newline-delimited JSON line splitter (Ollama's native streaming).
//!
//! Like the SSE decoder it buffers bytes and decodes only complete lines, so a UTF-8
//! character or a `\r\n` cut between two `fetch` chunks is handled.

#[derive(Debug, Default)]
pub struct NdjsonDecoder {
    line: Vec<u8>,
}

impl NdjsonDecoder {
    pub fn new() -> Self {
        NdjsonDecoder::default()
    }

    /// Returns the non-blank lines that `bytes` completed, without their line endings.
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<String> {
        let mut out = Vec::new();
        let mut rest = bytes;
        while let Some(pos) = rest.iter().position(|b| *b == b'\n') {
            self.line.extend_from_slice(rest.get(..pos).unwrap_or_default());
            rest = rest.get(pos + 1..).unwrap_or_default();
            self.end_line(&mut out);
        }
        self.line.extend_from_slice(rest);
        out
    }

    /// Returns the last line if the stream did not end with a newline.
    pub fn finish(&mut self) -> Vec<String> {
        let mut out = Vec::new();
        self.end_line(&mut out);
        out
    }

    fn end_line(&mut self, out: &mut Vec<String>) {
        let bytes = std::mem::take(&mut self.line);
        let line = String::from_utf8_lossy(&bytes);
        // `trim` also drops the `\r` of a `\r\n` ending.
        let line = line.trim();
        if !line.is_empty() {
            out.push(line.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(parts: &[&[u8]]) -> Vec<String> {
        let mut d = NdjsonDecoder::new();
        let mut out = Vec::new();
        for part in parts {
            out.extend(d.feed(part));
        }
        out.extend(d.finish());
        out
    }

    #[test]
    fn splits_lines_with_any_ending_and_skips_blanks() {
        let input = "{\"a\":1}\n\r\n{\"b\":\"café\"}\r\n\n{\"c\":3}".as_bytes();
        let expected = vec!["{\"a\":1}", "{\"b\":\"café\"}", "{\"c\":3}"];
        assert_eq!(pieces(&[input]), expected);
        for i in 0..=input.len() {
            let (a, b) = input.split_at(i);
            assert_eq!(pieces(&[a, b]), expected, "split at {i}");
        }
        let bytewise: Vec<&[u8]> = input.chunks(1).collect();
        assert_eq!(pieces(&bytewise), expected);
    }

    #[test]
    fn invalid_utf8_becomes_replacement_characters() {
        assert_eq!(pieces(&[b"{\"x\":\"\xff\"}\n"]), vec!["{\"x\":\"\u{fffd}\"}"]);
    }
}
