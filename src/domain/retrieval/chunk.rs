//! Cutting a document into passages: by paragraphs and headings, up to a target size, with
//! an overlap so a sentence cut at a boundary is still found whole in one of the two.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChunkOptions {
    /// Aimed-for characters per chunk.
    pub target_chars: usize,
    /// Characters of the previous chunk repeated at the start of the next.
    pub overlap_chars: usize,
}

impl Default for ChunkOptions {
    fn default() -> Self {
        ChunkOptions { target_chars: 800, overlap_chars: 120 }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chunk {
    pub text: String,
    /// Character offsets into the document (the overlap belongs to the previous chunk).
    pub start: usize,
    pub end: usize,
    /// The nearest markdown heading above the chunk.
    pub heading: Option<String>,
}

/// Paragraphs with their character offsets; a markdown heading is its own paragraph.
fn paragraphs(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut start = 0;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let len = line.chars().count();
        let trimmed = line.trim();
        let heading = trimmed.starts_with('#');
        if trimmed.is_empty() || heading {
            if !current.trim().is_empty() {
                out.push((start, current.trim().to_string()));
            }
            current.clear();
            if heading {
                out.push((offset, trimmed.to_string()));
            }
            start = offset + len;
        } else {
            if current.is_empty() {
                start = offset;
            }
            current.push_str(line);
        }
        offset += len;
    }
    if !current.trim().is_empty() {
        out.push((start, current.trim().to_string()));
    }
    out
}

/// Splits a too-long paragraph at sentence ends (or spaces) into pieces of about `target`.
fn split_long(text: &str, target: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut piece = String::new();
    for word in text.split_inclusive(' ') {
        piece.push_str(word);
        let len = piece.chars().count();
        let sentence_end = word.trim_end().ends_with(['.', '!', '?']);
        if (len >= target && sentence_end) || len >= target * 3 / 2 {
            out.push(piece.trim().to_string());
            piece.clear();
        }
    }
    if !piece.trim().is_empty() {
        out.push(piece.trim().to_string());
    }
    out
}

/// The last `n` characters of `text`, starting at a word boundary.
fn tail(text: &str, n: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    if n == 0 || chars.is_empty() {
        return String::new();
    }
    let from = chars.len().saturating_sub(n);
    let tail: String = chars[from..].iter().collect();
    match tail.find(' ') {
        Some(i) if from > 0 => tail[i + 1..].to_string(),
        _ => tail,
    }
}

pub fn chunk(text: &str, options: ChunkOptions) -> Vec<Chunk> {
    let target = options.target_chars.max(50);
    let overlap = options.overlap_chars.min(target / 2);
    let mut out: Vec<Chunk> = Vec::new();
    let mut heading: Option<String> = None;
    let mut body = String::new();
    let mut start = 0;
    let mut end = 0;
    let mut chunk_heading: Option<String> = None;
    let flush = |body: &mut String, start: usize, end: usize, heading: &Option<String>, out: &mut Vec<Chunk>| {
        if body.trim().is_empty() {
            return;
        }
        // Overlap continues a section; a new heading starts clean (its passage should not open
        // with the previous section's last sentence).
        let prefix = out.last().filter(|c| &c.heading == heading).map(|c| tail(&c.text, overlap)).unwrap_or_default();
        let text = if prefix.is_empty() { body.trim().to_string() } else { format!("{prefix} {}", body.trim()) };
        out.push(Chunk { text, start, end, heading: heading.clone() });
        body.clear();
    };
    for (offset, para) in paragraphs(text) {
        if let Some(title) = para.strip_prefix('#') {
            flush(&mut body, start, end, &chunk_heading, &mut out);
            heading = Some(title.trim_start_matches('#').trim().to_string());
            continue;
        }
        let pieces = if para.chars().count() > target { split_long(&para, target) } else { vec![para.clone()] };
        let mut piece_offset = offset;
        for piece in pieces {
            let len = piece.chars().count();
            if !body.is_empty() && body.chars().count() + len > target {
                flush(&mut body, start, end, &chunk_heading, &mut out);
            }
            if body.is_empty() {
                start = piece_offset;
                chunk_heading.clone_from(&heading);
            } else {
                body.push_str("\n\n");
            }
            body.push_str(&piece);
            end = piece_offset + len;
            piece_offset += len + 1;
        }
    }
    flush(&mut body, start, end, &chunk_heading, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_fill_chunks_up_to_the_target() {
        let doc =
            "# Refunds\n\nRefunds take 14 days.\n\nAsk support for a label.\n\n# Shipping\n\nWe ship in 2 days.\n";
        let chunks = chunk(doc, ChunkOptions { target_chars: 60, overlap_chars: 0 });
        assert_eq!(chunks.len(), 2);
        assert_eq!(chunks[0].text, "Refunds take 14 days.\n\nAsk support for a label.");
        assert_eq!(chunks[0].heading.as_deref(), Some("Refunds"));
        assert_eq!(chunks[1].text, "We ship in 2 days.");
        assert_eq!(chunks[1].heading.as_deref(), Some("Shipping"));
        let start: String = doc.chars().skip(chunks[1].start).take(18).collect();
        assert_eq!(start, "We ship in 2 days.");
    }

    #[test]
    fn long_paragraphs_split_at_sentences_and_overlap() {
        let para = "One sentence here. ".repeat(40);
        let chunks = chunk(&para, ChunkOptions { target_chars: 200, overlap_chars: 40 });
        assert!(chunks.len() >= 3, "{}", chunks.len());
        for c in &chunks {
            assert!(c.text.chars().count() <= 200 * 3 / 2 + 45, "{}", c.text.len());
        }
        // The second chunk starts with the end of the first.
        let tail_words: Vec<&str> = chunks[0].text.split_whitespace().rev().take(3).collect();
        assert!(tail_words.iter().all(|w| chunks[1].text.contains(w)));
        assert!(chunk("", ChunkOptions::default()).is_empty());
        // No overlap across a heading.
        let doc = "# A\n\nFirst section text here.\n\n# B\n\nSecond section text.";
        let chunks = chunk(doc, ChunkOptions { target_chars: 50, overlap_chars: 20 });
        assert_eq!(chunks[1].text, "Second section text.");
        assert!(chunk("\n\n  \n", ChunkOptions::default()).is_empty());
    }
}
