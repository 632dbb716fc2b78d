//! What a block's run leaves behind for the trace view: the request, what was sent (keys
//! redacted), the raw stream and the retries.

use crate::domain::providers::{ChatRequest, HttpRequest, ProviderKind};
use crate::domain::utf8::complete_prefix_len;

/// The raw stream kept per block is capped at this many bytes.
pub const RAW_LIMIT_BYTES: usize = 1_000_000;

/// Appended once when the raw stream reaches [`RAW_LIMIT_BYTES`].
pub const RAW_TRUNCATED_NOTE: &str =
    "\n[Chainboard kept only the first 1 MB of the raw response; the answer itself is complete.]\n";

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Trace {
    pub provider: Option<ProviderKind>,
    pub model: Option<String>,
    /// The provider-neutral request, as rendered from the block's templates.
    pub chat: Option<ChatRequest>,
    /// Each HTTP request as sent, redacted by the browser layer (one per attempt).
    pub sent: Vec<HttpRequest>,
    /// The raw response bodies (streams and error bodies), attempts separated by a line.
    pub raw: String,
    pub raw_truncated: bool,
    /// Why each retry happened and how long it waited, e.g. "Retrying in 2 s (429 rate limit)".
    pub retries: Vec<String>,
}

impl Trace {
    /// Appends text to `raw`, stopping at [`RAW_LIMIT_BYTES`] with a note.
    pub(crate) fn push_raw(&mut self, text: &str) {
        if self.raw_truncated || text.is_empty() {
            return;
        }
        let room = RAW_LIMIT_BYTES.saturating_sub(self.raw.len());
        if text.len() <= room {
            self.raw.push_str(text);
            return;
        }
        let mut cut = room;
        while cut > 0 && !text.is_char_boundary(cut) {
            cut -= 1;
        }
        self.raw.push_str(text.get(..cut).unwrap_or_default());
        self.raw.push_str(RAW_TRUNCATED_NOTE);
        self.raw_truncated = true;
    }
}

/// Turns streamed bytes into text for [`Trace::raw`] without breaking a character that is
/// split between two network chunks.
#[derive(Debug, Default)]
pub(crate) struct RawCapture {
    pending: Vec<u8>,
}

impl RawCapture {
    pub(crate) fn push(&mut self, bytes: &[u8], trace: &mut Trace) {
        if trace.raw_truncated {
            return;
        }
        self.pending.extend_from_slice(bytes);
        let complete = complete_prefix_len(&self.pending);
        let rest = self.pending.split_off(complete);
        let done = std::mem::replace(&mut self.pending, rest);
        trace.push_raw(&String::from_utf8_lossy(&done));
    }

    pub(crate) fn flush(&mut self, trace: &mut Trace) {
        let done = std::mem::take(&mut self.pending);
        trace.push_raw(&String::from_utf8_lossy(&done));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_characters_survive_and_raw_is_capped() {
        let mut trace = Trace::default();
        let mut cap = RawCapture::default();
        for b in "café ☕ 🚀".as_bytes() {
            cap.push(std::slice::from_ref(b), &mut trace);
        }
        cap.flush(&mut trace);
        assert_eq!(trace.raw, "café ☕ 🚀");

        let mut big = Trace::default();
        let chunk = "é".repeat(1000);
        for _ in 0..600 {
            big.push_raw(&chunk);
        }
        assert!(big.raw_truncated);
        assert!(big.raw.ends_with(RAW_TRUNCATED_NOTE));
        assert!(big.raw.len() <= RAW_LIMIT_BYTES + RAW_TRUNCATED_NOTE.len());
        let before = big.raw.len();
        big.push_raw("more");
        assert_eq!(big.raw.len(), before);
    }
}
