//! The streaming decoder interface and what the providers' decoders share: framing (SSE or
//! NDJSON), detecting a stream that ended early, and folding events into a summary.

use super::error::ProviderError;
use super::ndjson::NdjsonDecoder;
use super::sse::{SseDecoder, SseEvent};
use super::types::{FinishReason, StreamEvent};
use super::ProviderKind;

/// Decodes one streamed reply. Feed the response body chunks as they arrive, then call
/// `finish` once when the body ends (or the connection drops).
pub trait StreamParser {
    fn feed(&mut self, bytes: &[u8]) -> Vec<StreamEvent>;
    /// Flushes what is buffered and reports a reply that ended before the provider said it
    /// was complete. Later calls return nothing.
    fn finish(&mut self) -> Vec<StreamEvent>;
}

pub const EARLY_END_MESSAGE: &str = "The connection closed before the answer was complete; the text so far is kept.";

/// Splits bytes into the units a provider's handler understands.
pub(crate) trait Framing: Default {
    type Item;
    fn feed(&mut self, bytes: &[u8]) -> Vec<Self::Item>;
    fn finish(&mut self) -> Vec<Self::Item>;
}

impl Framing for SseDecoder {
    type Item = SseEvent;
    fn feed(&mut self, bytes: &[u8]) -> Vec<SseEvent> {
        SseDecoder::feed(self, bytes)
    }
    fn finish(&mut self) -> Vec<SseEvent> {
        SseDecoder::finish(self)
    }
}

impl Framing for NdjsonDecoder {
    type Item = String;
    fn feed(&mut self, bytes: &[u8]) -> Vec<String> {
        NdjsonDecoder::feed(self, bytes)
    }
    fn finish(&mut self) -> Vec<String> {
        NdjsonDecoder::finish(self)
    }
}

/// A provider's interpretation of framed items.
pub(crate) trait Handler<Item> {
    fn handle(&mut self, item: Item, out: &mut Vec<StreamEvent>);
    /// Whether the provider has signalled the end of the reply.
    fn is_complete(&self) -> bool;
}

/// A [`StreamParser`] made of a framing and a provider handler.
pub(crate) struct Framed<F, H> {
    provider: ProviderKind,
    framing: F,
    handler: H,
    /// An error was already reported; a second "ended early" would only repeat it.
    errored: bool,
    closed: bool,
}

impl<F: Framing, H> Framed<F, H> {
    pub(crate) fn new(provider: ProviderKind, handler: H) -> Self {
        Framed { provider, framing: F::default(), handler, errored: false, closed: false }
    }
}

impl<F: Framing, H: Handler<F::Item>> Framed<F, H> {
    fn run(&mut self, items: Vec<F::Item>) -> Vec<StreamEvent> {
        let mut out = Vec::new();
        for item in items {
            self.handler.handle(item, &mut out);
        }
        self.errored |= out.iter().any(|e| matches!(e, StreamEvent::Error(_)));
        out
    }
}

impl<F: Framing, H: Handler<F::Item>> StreamParser for Framed<F, H> {
    fn feed(&mut self, bytes: &[u8]) -> Vec<StreamEvent> {
        if self.closed {
            return Vec::new();
        }
        let items = self.framing.feed(bytes);
        self.run(items)
    }

    fn finish(&mut self) -> Vec<StreamEvent> {
        if self.closed {
            return Vec::new();
        }
        let items = self.framing.finish();
        let mut out = self.run(items);
        self.closed = true;
        if !self.errored && !self.handler.is_complete() {
            out.push(StreamEvent::Error(ProviderError::StreamError {
                provider: self.provider,
                message: EARLY_END_MESSAGE.to_string(),
            }));
        }
        out
    }
}

/// A tool call assembled from its [`StreamEvent::ToolCallDelta`] pieces.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ToolCall {
    pub index: usize,
    pub id: Option<String>,
    pub name: Option<String>,
    /// The JSON arguments as text; complete only once the stream has finished.
    pub arguments: String,
    /// Gemini's `thoughtSignature`, kept to send back verbatim.
    pub signature: Option<String>,
}

/// Everything a reply said so far, folded from its events.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StreamSummary {
    pub text: String,
    /// In the order the calls started.
    pub tool_calls: Vec<ToolCall>,
    pub input_tokens: Option<u64>,
    pub output_tokens: Option<u64>,
    pub finish: Option<FinishReason>,
    pub errors: Vec<ProviderError>,
}

impl StreamSummary {
    pub fn from_events<'a>(events: impl IntoIterator<Item = &'a StreamEvent>) -> Self {
        let mut summary = StreamSummary::default();
        for event in events {
            summary.apply(event);
        }
        summary
    }

    pub fn apply(&mut self, event: &StreamEvent) {
        match event {
            StreamEvent::TextDelta(text) => self.text.push_str(text),
            StreamEvent::ToolCallDelta { index, id, name, arguments_delta } => {
                let call = match self.tool_calls.iter().position(|c| c.index == *index) {
                    Some(pos) => self.tool_calls.get_mut(pos),
                    None => {
                        self.tool_calls.push(ToolCall { index: *index, ..ToolCall::default() });
                        self.tool_calls.last_mut()
                    }
                };
                if let Some(call) = call {
                    if id.is_some() {
                        call.id.clone_from(id);
                    }
                    if name.is_some() {
                        call.name.clone_from(name);
                    }
                    call.arguments.push_str(arguments_delta);
                }
            }
            StreamEvent::ToolCallSignature { index, signature } => {
                if let Some(call) = self.tool_calls.iter_mut().find(|c| c.index == *index) {
                    call.signature = Some(signature.clone());
                }
            }
            StreamEvent::Usage { input_tokens, output_tokens } => {
                // Events carry totals, so the latest known value wins.
                self.input_tokens = input_tokens.or(self.input_tokens);
                self.output_tokens = output_tokens.or(self.output_tokens);
            }
            StreamEvent::Finish { reason } => self.finish = Some(reason.clone()),
            StreamEvent::Error(error) => self.errors.push(error.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_assembles_tool_calls_and_keeps_latest_usage() {
        let events = [
            StreamEvent::TextDelta("Hi ".into()),
            StreamEvent::ToolCallDelta {
                index: 0,
                id: Some("call_1".into()),
                name: Some("get_weather".into()),
                arguments_delta: String::new(),
            },
            StreamEvent::ToolCallDelta {
                index: 1,
                id: Some("call_2".into()),
                name: Some("get_time".into()),
                arguments_delta: "{}".into(),
            },
            StreamEvent::ToolCallDelta {
                index: 0,
                id: None,
                name: None,
                arguments_delta: "{\"city\":\"Paris\"}".into(),
            },
            StreamEvent::Usage { input_tokens: Some(10), output_tokens: Some(1) },
            StreamEvent::Usage { input_tokens: None, output_tokens: Some(7) },
            StreamEvent::Finish { reason: FinishReason::ToolCalls },
            StreamEvent::TextDelta("there".into()),
        ];
        let s = StreamSummary::from_events(&events);
        assert_eq!(s.text, "Hi there");
        assert_eq!(s.tool_calls.len(), 2);
        assert_eq!(s.tool_calls.first().map(|c| c.arguments.as_str()), Some("{\"city\":\"Paris\"}"));
        assert_eq!(s.tool_calls.first().and_then(|c| c.name.as_deref()), Some("get_weather"));
        assert_eq!((s.input_tokens, s.output_tokens), (Some(10), Some(7)));
        assert_eq!(s.finish, Some(FinishReason::ToolCalls));
    }
}
