//! Redacting personal data from a request before it leaves the browser, and restoring the
//! originals in the answer (`EngineConfig::redact_personal_data`). One [`Redactor`] per run,
//! so a value keeps its placeholder across blocks. Local providers (sample answers, the model
//! in this tab) see the text as it is: nothing leaves the page.

use crate::domain::privacy::Redactor;
use crate::domain::providers::{ChatRequest, ContentPart, ProviderKind};

/// Whether a request to `provider` leaves this browser.
pub fn leaves_the_browser(provider: ProviderKind) -> bool {
    !matches!(provider, ProviderKind::Demo | ProviderKind::Browser)
}

/// Replaces personal data in every text the request carries.
pub(crate) fn redact_chat(redactor: &mut Redactor, chat: &mut ChatRequest) {
    if let Some(system) = chat.system.as_mut() {
        *system = redactor.redact(system);
    }
    for m in &mut chat.messages {
        m.text = redactor.redact(&m.text);
        for part in &mut m.parts {
            if let ContentPart::Text { text } = part {
                *text = redactor.redact(text);
            }
        }
        for r in &mut m.tool_results {
            r.content = redactor.redact(&r.content);
        }
    }
}
