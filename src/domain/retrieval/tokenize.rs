//! Turning text into search terms: words split at Unicode letter/digit boundaries, case
//! folded, with optional English stop words and a light suffix stemmer. The same function
//! runs on documents and queries, so they always agree.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenizerOptions {
    pub stop_words: bool,
    pub stemming: bool,
}

impl Default for TokenizerOptions {
    fn default() -> Self {
        TokenizerOptions { stop_words: true, stemming: true }
    }
}

/// Common English words that carry no meaning for search.
const STOP_WORDS: [&str; 48] = [
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "can", "do", "does", "for", "from", "had", "has", "have",
    "how", "i", "if", "in", "into", "is", "it", "its", "me", "my", "no", "not", "of", "on", "or", "our", "so", "that",
    "the", "their", "then", "there", "these", "they", "this", "to", "was", "we", "what", "with", "you",
];

/// A light English stemmer: strips common plural and verb endings so "refunds", "refunded"
/// and "refunding" meet "refund". Short words are left alone.
pub fn stem(word: &str) -> String {
    let n = word.chars().count();
    if n <= 3 || !word.is_ascii() {
        return word.to_string();
    }
    for (suffix, keep) in [
        ("ational", "ate"),
        ("ies", "y"),
        ("sses", "ss"),
        ("ing", ""),
        ("edly", ""),
        ("ed", ""),
        ("ly", ""),
        ("es", ""),
        ("s", ""),
    ] {
        if let Some(base) = word.strip_suffix(suffix) {
            // Keep at least three letters, and do not strip the "s" of "ss" words.
            if base.len() >= 3 && !(suffix == "s" && base.ends_with('s')) {
                // "shipping", "shipped" → "ship": undouble a final consonant (not l, s, z).
                let bytes = base.as_bytes();
                let doubled = matches!(suffix, "ing" | "ed" | "edly")
                    && bytes.len() >= 4
                    && bytes[bytes.len() - 1] == bytes[bytes.len() - 2]
                    && !b"aeioulsz".contains(&bytes[bytes.len() - 1]);
                let base = if doubled { &base[..base.len() - 1] } else { base };
                return format!("{base}{keep}");
            }
        }
    }
    word.to_string()
}

/// The terms of `text`, in order (repeats kept: term frequency matters).
pub fn tokenize(text: &str, options: TokenizerOptions) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut Vec<String>| {
        if word.is_empty() {
            return;
        }
        let folded: String = word.chars().flat_map(char::to_lowercase).collect();
        word.clear();
        if options.stop_words && STOP_WORDS.contains(&folded.as_str()) {
            return;
        }
        out.push(if options.stemming { stem(&folded) } else { folded });
    };
    for c in text.chars() {
        // Letters and digits of any script make words; an apostrophe inside a word is dropped
        // ("don't" → "dont"), everything else separates.
        if c.is_alphanumeric() {
            word.push(c);
        } else if (c == '\'' || c == '\u{2019}') && !word.is_empty() {
            continue;
        } else {
            flush(&mut word, &mut out);
        }
    }
    flush(&mut word, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_folded_split_and_filtered() {
        let plain = TokenizerOptions { stop_words: false, stemming: false };
        assert_eq!(
            tokenize("Refund-policy: 30 DAYS, café ÉTÉ!", plain),
            ["refund", "policy", "30", "days", "café", "été"]
        );
        assert_eq!(tokenize("Don't panic", plain), ["dont", "panic"]);
        assert_eq!(tokenize("東京 and Zürich", plain), ["東京", "and", "zürich"]);
        let full = TokenizerOptions::default();
        assert_eq!(
            tokenize("The refunds are processed in the order they arrived", full),
            ["refund", "process", "order", "arriv"]
        );
        assert!(tokenize("", full).is_empty());
    }

    #[test]
    fn the_stemmer_meets_common_forms() {
        for (a, b) in [
            ("refunds", "refund"),
            ("refunded", "refund"),
            ("refunding", "refund"),
            ("policies", "policy"),
            ("classes", "class"),
            ("quickly", "quick"),
        ] {
            assert_eq!(stem(a), stem(b), "{a} vs {b}");
        }
        assert_eq!(stem("bus"), "bus");
        assert_eq!(stem("glass"), "glass");
        assert_eq!(stem("shipping"), "ship");
        assert_eq!(stem("falling"), "fall");
    }
}
