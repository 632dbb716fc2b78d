//! What leaves this browser: personal data found in what a run will send, which provider
//! would receive it, and redaction with stable placeholders (see docs/privacy.md).

pub mod detect;
pub mod redact;
pub mod sent;

use std::collections::BTreeMap;

pub use detect::{find_personal_data, Finding, PiiKind};
pub use redact::Redactor;

/// Kinds of personal data and how many of each, in a text or a set of requests.
pub type PiiCounts = BTreeMap<PiiKind, usize>;

/// Counts the personal data in `text` by kind.
pub fn count_personal_data(text: &str) -> PiiCounts {
    let mut counts = PiiCounts::new();
    for f in find_personal_data(text) {
        *counts.entry(f.kind).or_default() += 1;
    }
    counts
}

/// "2 e-mail addresses and 1 phone number".
pub fn describe_counts(counts: &PiiCounts) -> String {
    let parts: Vec<String> = counts.iter().filter(|(_, n)| **n > 0).map(|(k, n)| k.counted(*n)).collect();
    match parts.as_slice() {
        [] => "no personal data".to_string(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}
