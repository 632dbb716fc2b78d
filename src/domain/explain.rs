//! "Where the answer comes from": which retrieved passages and input values an answer quotes,
//! found by word overlap. Citations say what the model claims to use; this shows what it
//! actually copied, so a PM can see an answer that ignores its sources (or parrots one).
//!
//! A quote is a run of at least [`MIN_QUOTE_WORDS`] consecutive words that appears in both
//! texts (case and punctuation ignored). A source shorter than that (a name, an order number)
//! counts when the answer contains all of it. Linear in the texts' length: each source's
//! word windows are hashed once, the answer is walked once per source.

use std::collections::HashMap;
use std::ops::Range;

/// Shorter runs of shared words are too often chance ("the order is", "thank you for your").
pub const MIN_QUOTE_WORDS: usize = 4;

/// Texts longer than this (per source or answer) are looked at up to here only, so a huge
/// document cannot stall the result panel.
pub const MAX_TEXT_BYTES: usize = 200_000;

/// Places in a source tried for one run of answer words.
const MAX_PLACES: usize = 16;

/// A text the answer may have drawn on.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    /// How the UI names it: "Passage [2] · refunds.md", "Input value ticket".
    pub label: String,
    pub text: String,
}

/// One run of words the answer shares with a source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    /// Index into the sources given to [`explain`].
    pub source: usize,
    /// Byte range in the answer (starts and ends on word boundaries).
    pub answer: Range<usize>,
    /// Byte range in the source.
    pub in_source: Range<usize>,
    pub words: usize,
}

/// How much of the answer one source supplied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceUse {
    pub source: usize,
    /// Answer words inside this source's quotes.
    pub words: usize,
    pub quotes: usize,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Explanation {
    /// Every quote, by position in the answer; quotes of different sources may overlap.
    pub quotes: Vec<Quote>,
    /// Sources the answer quotes, most-quoted first.
    pub used: Vec<SourceUse>,
    pub answer_words: usize,
    /// Answer words inside at least one quote.
    pub quoted_words: usize,
}

impl Explanation {
    /// Share of the answer's words that are quoted, 0..=1.
    pub fn quoted_share(&self) -> f64 {
        if self.answer_words == 0 {
            0.0
        } else {
            self.quoted_words as f64 / self.answer_words as f64
        }
    }

    /// One sentence for the result panel.
    pub fn summary(&self, sources: &[Source]) -> String {
        if self.used.is_empty() {
            return "The answer quotes none of its inputs or passages word for word: it is in the model's own words (or from what it knows).".into();
        }
        let names: Vec<String> = self
            .used
            .iter()
            .filter_map(|u| sources.get(u.source).map(|s| format!("{} ({} words)", s.label, u.words)))
            .collect();
        format!(
            "{}% of the answer's words are quoted from: {}.",
            (self.quoted_share() * 100.0).round() as u32,
            names.join(", ")
        )
    }

    /// The answer cut into pieces, each with the sources it quotes (empty: not quoted), in
    /// order, covering the whole answer. For highlighting without markup in strings.
    pub fn segments(&self, answer: &str) -> Vec<(Range<usize>, Vec<usize>)> {
        let mut cuts: Vec<usize> = vec![0, answer.len()];
        for q in &self.quotes {
            cuts.push(q.answer.start.min(answer.len()));
            cuts.push(q.answer.end.min(answer.len()));
        }
        cuts.sort_unstable();
        cuts.dedup();
        cuts.windows(2)
            .filter(|w| w[0] < w[1])
            .map(|w| {
                let mut from: Vec<usize> = self
                    .quotes
                    .iter()
                    .filter(|q| q.answer.start <= w[0] && w[1] <= q.answer.end)
                    .map(|q| q.source)
                    .collect();
                from.sort_unstable();
                from.dedup();
                (w[0]..w[1], from)
            })
            .collect()
    }
}

/// A word and where it is in its text.
struct Word {
    key: String,
    span: Range<usize>,
}

fn words(text: &str) -> Vec<Word> {
    let text = cut(text);
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        if c.is_alphanumeric() {
            start.get_or_insert(i);
        } else if let Some(s) = start.take() {
            out.push(Word { key: text[s..i].to_lowercase(), span: s..i });
        }
    }
    if let Some(s) = start {
        out.push(Word { key: text[s..].to_lowercase(), span: s..text.len() });
    }
    out
}

/// `text` up to [`MAX_TEXT_BYTES`], on a character boundary.
fn cut(text: &str) -> &str {
    if text.len() <= MAX_TEXT_BYTES {
        return text;
    }
    let mut end = MAX_TEXT_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

fn window_key(ws: &[Word]) -> String {
    let mut k = String::new();
    for w in ws {
        k.push_str(&w.key);
        k.push('\u{1f}');
    }
    k
}

/// Finds what `answer` quotes from each source.
pub fn explain(answer: &str, sources: &[Source]) -> Explanation {
    let answer_words = words(answer);
    let mut quotes = Vec::new();
    for (si, source) in sources.iter().enumerate() {
        let source_words = words(&source.text);
        if source_words.is_empty() {
            continue;
        }
        let n = MIN_QUOTE_WORDS.min(source_words.len());
        // Very short sources ("ok", "A") would match by chance: need some substance.
        if n < MIN_QUOTE_WORDS && source_words.iter().map(|w| w.key.chars().count()).sum::<usize>() < 3 {
            continue;
        }
        let mut starts: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, win) in source_words.windows(n).enumerate() {
            starts.entry(window_key(win)).or_default().push(i);
        }
        let mut i = 0;
        while i + n <= answer_words.len() {
            let best = starts.get(&window_key(&answer_words[i..i + n])).and_then(|cands| {
                // A word run repeated all over the source gives many places: the first few are
                // enough, and this keeps the walk linear.
                cands
                    .iter()
                    .take(MAX_PLACES)
                    .map(|&s| {
                        let len = answer_words[i..]
                            .iter()
                            .zip(&source_words[s..])
                            .take_while(|(a, b)| a.key == b.key)
                            .count();
                        (len, s)
                    })
                    // Longest; on a tie the first place in the source.
                    .max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)))
            });
            // A short source must appear whole.
            match best {
                Some((len, s)) if len >= n && (n == MIN_QUOTE_WORDS || len == source_words.len()) => {
                    quotes.push(Quote {
                        source: si,
                        answer: answer_words[i].span.start..answer_words[i + len - 1].span.end,
                        in_source: source_words[s].span.start..source_words[s + len - 1].span.end,
                        words: len,
                    });
                    i += len;
                }
                _ => i += 1,
            }
        }
    }
    quotes.sort_by_key(|q| (q.answer.start, q.source));

    let mut covered = vec![false; answer_words.len()];
    let mut used: Vec<SourceUse> = Vec::new();
    for q in &quotes {
        let first = answer_words.partition_point(|w| w.span.start < q.answer.start);
        for (c, _) in
            covered[first..].iter_mut().zip(&answer_words[first..]).take_while(|(_, w)| w.span.end <= q.answer.end)
        {
            *c = true;
        }
        match used.iter_mut().find(|u| u.source == q.source) {
            Some(u) => {
                u.words += q.words;
                u.quotes += 1;
            }
            None => used.push(SourceUse { source: q.source, words: q.words, quotes: 1 }),
        }
    }
    used.sort_by(|a, b| b.words.cmp(&a.words).then(a.source.cmp(&b.source)));
    Explanation { quoted_words: covered.iter().filter(|c| **c).count(), answer_words: answer_words.len(), quotes, used }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(label: &str, text: &str) -> Source {
        Source { label: label.into(), text: text.into() }
    }

    #[test]
    fn finds_a_quoted_passage_and_its_place() {
        let sources = [
            src("Passage [1]", "Refunds are issued within 14 days of the return arriving at our warehouse."),
            src("Passage [2]", "Gift cards cannot be exchanged for cash."),
        ];
        let answer = "Good news: refunds are issued within 14 days of the return arriving. Anything else?";
        let e = explain(answer, &sources);
        assert_eq!(e.quotes.len(), 1);
        let q = &e.quotes[0];
        assert_eq!(q.source, 0);
        assert_eq!(&answer[q.answer.clone()], "refunds are issued within 14 days of the return arriving");
        assert_eq!(&sources[0].text[q.in_source.clone()], "Refunds are issued within 14 days of the return arriving");
        assert_eq!(q.words, 10);
        assert_eq!(e.used, vec![SourceUse { source: 0, words: 10, quotes: 1 }]);
        assert_eq!(e.answer_words, 14);
        assert!(e.summary(&sources).starts_with("71% of the answer's words are quoted from: Passage [1] (10 words)"));
    }

    #[test]
    fn three_shared_words_are_not_a_quote() {
        let e = explain(
            "Thank you for writing to us today.",
            &[src("Input value ticket", "Thank you for the quick delivery of my order.")],
        );
        assert!(e.quotes.is_empty());
        assert!(e.summary(&[]).contains("quotes none"));
    }

    #[test]
    fn a_short_value_counts_only_when_whole() {
        let sources = [src("Input value city", "San Sebastián"), src("Input value name", "Ana")];
        let e = explain("Your order ships to san sebastián tomorrow, Ana.", &sources);
        let quoted: Vec<usize> = e.quotes.iter().map(|q| q.source).collect();
        assert_eq!(quoted, vec![0, 1]);
        let e = explain("Your order ships to San Francisco.", &sources[..1]);
        assert!(e.quotes.is_empty(), "half of a two-word value is not a quote");
        // One or two letters are never evidence.
        assert!(explain("I am ok.", &[src("v", "ok")]).quotes.is_empty());
    }

    #[test]
    fn repeated_and_overlapping_quotes_are_counted_once_per_word() {
        let s = "the battery lasts two full days on a single charge";
        let sources = [src("A", s), src("B", s)];
        let answer = format!("{s}. Again: {s}.");
        let e = explain(&answer, &sources);
        assert_eq!(e.quotes.len(), 4);
        assert_eq!(e.answer_words, 21);
        assert_eq!(e.quoted_words, 20);
        assert_eq!(e.used.len(), 2);
        let segs = e.segments(&answer);
        let joined: String = segs.iter().map(|(r, _)| &answer[r.clone()]).collect();
        assert_eq!(joined, answer, "segments cover the answer exactly");
        assert!(segs.iter().any(|(_, from)| from == &vec![0, 1]));
    }

    #[test]
    fn the_longest_match_wins_among_repeats_in_the_source() {
        let source = "we ship to all countries. we ship to all countries in europe within three days";
        let answer = "We ship to all countries in Europe within three days.";
        let e = explain(answer, &[src("P", source)]);
        assert_eq!(e.quotes.len(), 1);
        assert_eq!(e.quotes[0].words, 10);
        assert_eq!(&source[e.quotes[0].in_source.clone()], "we ship to all countries in europe within three days");
    }

    #[test]
    fn unicode_and_empty_texts_never_panic() {
        assert_eq!(explain("", &[src("x", "")]), Explanation::default());
        let e = explain("Größe: 42 — Ünïcödé wörds here ok 😀 end", &[src("s", "ünïcödé WÖRDS here ok")]);
        assert_eq!(e.quotes.len(), 1);
        let big = "word ".repeat(100_000) + "é";
        let _ = explain(&big, &[src("s", &big)]);
    }
}
