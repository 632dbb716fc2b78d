//! An incremental Server-Sent Events decoder.
//!
//! `fetch` hands over arbitrary byte chunks, so a line ending, a `\r\n` pair or a UTF-8
//! character can be cut anywhere. Bytes are buffered and only complete lines are decoded.

/// One dispatched event. `event` is `None` when the server sent no `event:` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseEvent {
    pub event: Option<String>,
    pub data: String,
}

#[derive(Debug, Default)]
pub struct SseDecoder {
    line: Vec<u8>,
    /// The last line ended in `\r`; a `\n` that follows belongs to it.
    after_cr: bool,
    /// A byte-order mark may only appear before the first line.
    seen_first_line: bool,
    event: Option<String>,
    /// `None` until a `data:` line arrives: an event without data is not dispatched.
    data: Option<String>,
}

impl SseDecoder {
    pub fn new() -> Self {
        SseDecoder::default()
    }

    /// Decodes `bytes` and returns the events they completed.
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<SseEvent> {
        let mut out = Vec::new();
        let mut rest = bytes;
        if self.after_cr && !rest.is_empty() {
            self.after_cr = false;
            if let Some(tail) = rest.strip_prefix(b"\n") {
                rest = tail;
            }
        }
        while let Some(pos) = rest.iter().position(|b| *b == b'\n' || *b == b'\r') {
            self.line.extend_from_slice(rest.get(..pos).unwrap_or_default());
            let terminator = rest.get(pos).copied();
            rest = rest.get(pos + 1..).unwrap_or_default();
            if terminator == Some(b'\r') {
                match rest.strip_prefix(b"\n") {
                    Some(tail) => rest = tail,
                    None => self.after_cr = rest.is_empty(),
                }
            }
            self.end_line(&mut out);
        }
        self.line.extend_from_slice(rest);
        out
    }

    /// Ends the stream: a last line without a line ending and a last event without the
    /// blank line after it are still delivered, since servers often close right after them.
    pub fn finish(&mut self) -> Vec<SseEvent> {
        let mut out = Vec::new();
        if !self.line.is_empty() {
            self.end_line(&mut out);
        }
        self.dispatch(&mut out);
        *self = SseDecoder::default();
        out
    }

    fn end_line(&mut self, out: &mut Vec<SseEvent>) {
        let bytes = std::mem::take(&mut self.line);
        let mut line = String::from_utf8_lossy(&bytes).into_owned();
        if !self.seen_first_line {
            self.seen_first_line = true;
            if let Some(stripped) = line.strip_prefix('\u{feff}') {
                line = stripped.to_string();
            }
        }
        self.process_line(&line, out);
    }

    fn process_line(&mut self, line: &str, out: &mut Vec<SseEvent>) {
        if line.is_empty() {
            self.dispatch(out);
            return;
        }
        if line.starts_with(':') {
            return;
        }
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (line, ""),
        };
        match field {
            "event" => self.event = (!value.is_empty()).then(|| value.to_string()),
            "data" => match &mut self.data {
                Some(data) => {
                    data.push('\n');
                    data.push_str(value);
                }
                None => self.data = Some(value.to_string()),
            },
            // `id` and `retry` only matter to EventSource reconnection, which fetch lacks.
            _ => {}
        }
    }

    fn dispatch(&mut self, out: &mut Vec<SseEvent>) {
        let event = self.event.take();
        if let Some(data) = self.data.take() {
            out.push(SseEvent { event, data });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ev(event: Option<&str>, data: &str) -> SseEvent {
        SseEvent { event: event.map(str::to_string), data: data.to_string() }
    }

    fn decode_whole(input: &[u8]) -> Vec<SseEvent> {
        let mut d = SseDecoder::new();
        let mut out = d.feed(input);
        out.extend(d.finish());
        out
    }

    fn decode_pieces(pieces: &[&[u8]]) -> Vec<SseEvent> {
        let mut d = SseDecoder::new();
        let mut out = Vec::new();
        for piece in pieces {
            out.extend(d.feed(piece));
        }
        out.extend(d.finish());
        out
    }

    #[test]
    fn decodes_the_spec_cases() {
        let cases: &[(&str, Vec<SseEvent>)] = &[
            ("data: a\n\n", vec![ev(None, "a")]),
            ("data:a\r\n\r\n", vec![ev(None, "a")]),
            ("data: a\r\rdata: b\r\r", vec![ev(None, "a"), ev(None, "b")]),
            ("data:  two spaces\n\n", vec![ev(None, " two spaces")]),
            ("data: one\ndata: two\n\n", vec![ev(None, "one\ntwo")]),
            ("data\n\n", vec![ev(None, "")]),
            ("data:\n\n", vec![ev(None, "")]),
            (": comment\n\n", vec![]),
            (": OPENROUTER PROCESSING\n\ndata: x\n\n", vec![ev(None, "x")]),
            ("event: ping\ndata: {}\n\n", vec![ev(Some("ping"), "{}")]),
            ("event: lonely\n\ndata: x\n\n", vec![ev(None, "x")]),
            ("id: 7\nretry: 10\ndata: x\n\n", vec![ev(None, "x")]),
            ("\u{feff}data: bom\n\n", vec![ev(None, "bom")]),
            ("data: no blank line at the end", vec![ev(None, "no blank line at the end")]),
            ("event: e\ndata: x\n", vec![ev(Some("e"), "x")]),
            ("data: café ☕ 🚀\n\n", vec![ev(None, "café ☕ 🚀")]),
        ];
        for (input, expected) in cases {
            assert_eq!(&decode_whole(input.as_bytes()), expected, "{input:?}");
        }
    }

    #[test]
    fn a_crlf_split_across_feeds_is_one_line_ending() {
        let events = decode_pieces(&[b"data: a\r", b"\n\r", b"\ndata: b\r\n\r\n"]);
        assert_eq!(events, vec![ev(None, "a"), ev(None, "b")]);
        // A lone `\r` at the end of a feed followed by other text is a line ending too.
        let events = decode_pieces(&[b"data: a\r", b"\r", b"data: b\r", b"\r"]);
        assert_eq!(events, vec![ev(None, "a"), ev(None, "b")]);
    }

    #[test]
    fn an_empty_feed_keeps_a_pending_cr() {
        let events = decode_pieces(&[b"data: a\r", b"", b"\n", b"\n"]);
        assert_eq!(events, vec![ev(None, "a")]);
    }

    #[test]
    fn multibyte_characters_split_between_feeds_survive() {
        let text = "data: é🚀\n\n".as_bytes();
        for i in 0..=text.len() {
            let (a, b) = text.split_at(i);
            assert_eq!(decode_pieces(&[a, b]), vec![ev(None, "é🚀")], "split at {i}");
        }
    }

    #[test]
    fn finish_resets_the_decoder() {
        let mut d = SseDecoder::new();
        d.feed(b"data: first");
        assert_eq!(d.finish(), vec![ev(None, "first")]);
        assert_eq!(d.finish(), vec![]);
        assert_eq!(d.feed(b"data: second\n\n"), vec![ev(None, "second")]);
    }

    proptest! {
        #[test]
        fn any_chunking_gives_the_same_events(
            cuts in proptest::collection::vec(0usize..200, 0..12),
            crlf in any::<bool>(),
        ) {
            let mut text = String::from(
                ": hello\nevent: a\ndata: café\ndata: ☕ 🚀\n\ndata: {\"x\":1}\n\nevent: b\ndata: end",
            );
            if crlf {
                text = text.replace('\n', "\r\n");
            }
            let bytes = text.as_bytes();
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c % (bytes.len() + 1)).collect();
            cuts.sort_unstable();
            let mut pieces = Vec::new();
            let mut start = 0;
            for cut in cuts {
                pieces.push(&bytes[start..cut]);
                start = cut;
            }
            pieces.push(&bytes[start..]);
            prop_assert_eq!(decode_pieces(&pieces), decode_whole(bytes));
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let mut d = SseDecoder::new();
            let _ = d.feed(&bytes);
            let _ = d.finish();
        }
    }
}
