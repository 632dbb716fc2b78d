//! Replacing personal data with stable placeholders before a request leaves the browser, and
//! putting the originals back into the answer. The same value gets the same placeholder for
//! the whole run (`[EMAIL_1]` is always the same address), so a model can still refer to it.

use std::collections::BTreeMap;

use super::detect::{find_personal_data, PiiKind};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Redactor {
    /// Original value → placeholder.
    by_value: BTreeMap<String, String>,
    /// Placeholder → original, for putting them back.
    by_placeholder: BTreeMap<String, String>,
    counts: BTreeMap<PiiKind, usize>,
}

impl Redactor {
    /// `text` with every piece of personal data replaced by its placeholder.
    pub fn redact(&mut self, text: &str) -> String {
        let findings = find_personal_data(text);
        if findings.is_empty() {
            return text.to_string();
        }
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for f in findings {
            out.push_str(&text[at..f.start]);
            let value = &text[f.start..f.end];
            let placeholder = match self.by_value.get(value) {
                Some(p) => p.clone(),
                None => {
                    let n = self.counts.entry(f.kind).or_default();
                    *n += 1;
                    let p = format!("[{}_{}]", f.kind.tag(), n);
                    self.by_value.insert(value.to_string(), p.clone());
                    self.by_placeholder.insert(p.clone(), value.to_string());
                    p
                }
            };
            out.push_str(&placeholder);
            at = f.end;
        }
        out.push_str(&text[at..]);
        out
    }

    /// `text` with every placeholder this redactor made replaced by its original.
    pub fn restore(&self, text: &str) -> String {
        if self.by_placeholder.is_empty() || !text.contains('[') {
            return text.to_string();
        }
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(open) = rest.find('[') {
            out.push_str(&rest[..open]);
            let tail = &rest[open..];
            match tail.find(']').map(|close| &tail[..=close]).and_then(|p| self.by_placeholder.get(p).map(|v| (p, v))) {
                Some((placeholder, value)) => {
                    out.push_str(value);
                    rest = &tail[placeholder.len()..];
                }
                None => {
                    out.push('[');
                    rest = &tail[1..];
                }
            }
        }
        out.push_str(rest);
        out
    }

    /// How many distinct values of each kind were replaced.
    pub fn replaced(&self) -> &BTreeMap<PiiKind, usize> {
        &self.counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_stable_and_restore() {
        let mut r = Redactor::default();
        let a = r.redact("Write to ana@example.com or call +44 20 7946 0958. Again: ana@example.com");
        assert_eq!(a, "Write to [EMAIL_1] or call [PHONE_1]. Again: [EMAIL_1]");
        let b = r.redact("Copy bob@example.org, not ana@example.com.");
        assert_eq!(b, "Copy [EMAIL_2], not [EMAIL_1].");
        let answer = "I will email [EMAIL_1] and [EMAIL_2] today, and call [PHONE_1]. [Not a placeholder]";
        assert_eq!(
            r.restore(answer),
            "I will email ana@example.com and bob@example.org today, and call +44 20 7946 0958. [Not a placeholder]"
        );
        assert_eq!(r.replaced().get(&PiiKind::Email), Some(&2));
    }
}
