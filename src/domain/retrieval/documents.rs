//! Turning a file the user adds into plain text to chunk: txt, md, csv, json, html and pdf
//! (its text layer). Everything here takes bytes and returns text or a sentence that says
//! what went wrong; nothing panics on hostile input.

use serde::{Deserialize, Serialize};

use super::pdf;
use crate::domain::util::csv::{detect_delimiter, parse_rows};
use crate::domain::util::format::human_size;

/// The largest file accepted. Reading a bigger one would hold the tab for seconds and the
/// whole knowledge base is kept in memory, so it is refused before it is read.
pub const MAX_DOCUMENT_BYTES: usize = 20_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DocFormat {
    Text,
    Markdown,
    Csv,
    Json,
    Html,
    Pdf,
}

impl DocFormat {
    /// The format a file name says, if Chainboard reads it.
    pub fn from_name(name: &str) -> Option<DocFormat> {
        let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
        Some(match ext.as_str() {
            "txt" | "text" | "log" => DocFormat::Text,
            "md" | "markdown" => DocFormat::Markdown,
            "csv" | "tsv" => DocFormat::Csv,
            "json" => DocFormat::Json,
            "html" | "htm" => DocFormat::Html,
            "pdf" => DocFormat::Pdf,
            _ => return None,
        })
    }

    pub fn label(self) -> &'static str {
        match self {
            DocFormat::Text => "Text",
            DocFormat::Markdown => "Markdown",
            DocFormat::Csv => "CSV",
            DocFormat::Json => "JSON",
            DocFormat::Html => "HTML",
            DocFormat::Pdf => "PDF",
        }
    }
}

/// Accepted file types, for the file picker.
pub const ACCEPT: &str = ".txt,.md,.markdown,.csv,.tsv,.json,.html,.htm,.pdf,text/plain,text/markdown,application/pdf";

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DocError {
    #[error(
        "\u{201c}{name}\u{201d} is not a file type Chainboard reads. Add .txt, .md, .csv, .json, .html or .pdf files, \
         or paste the text."
    )]
    UnsupportedType { name: String },
    #[error(
        "\u{201c}{name}\u{201d} is {size}; the limit is {limit} per document. Split it into smaller files, or add \
         only the parts you need."
    )]
    TooLarge { name: String, size: String, limit: String },
    #[error("\u{201c}{name}\u{201d} is empty.")]
    Empty { name: String },
    #[error("\u{201c}{name}\u{201d} is not valid JSON ({reason}). Fix the file or paste its text instead.")]
    BadJson { name: String, reason: String },
    #[error("\u{201c}{name}\u{201d} could not be read as CSV: {reason}")]
    BadCsv { name: String, reason: String },
    #[error("\u{201c}{name}\u{201d} could not be read as a PDF: {reason}")]
    BadPdf { name: String, reason: String },
    #[error(
        "\u{201c}{name}\u{201d} has no text layer (it looks like a scanned PDF). Run it through OCR first, or paste \
         its text."
    )]
    ScannedPdf { name: String },
}

/// Refuses a file before reading it when it is too large (the browser layer calls this with
/// the file's size, so a 50 MB file never reaches memory).
pub fn check_size(name: &str, size: usize) -> Result<(), DocError> {
    if size > MAX_DOCUMENT_BYTES {
        return Err(DocError::TooLarge {
            name: name.to_string(),
            size: human_size(size as u64),
            limit: human_size(MAX_DOCUMENT_BYTES as u64),
        });
    }
    Ok(())
}

/// The text of a file, ready to chunk.
pub fn extract_text(name: &str, bytes: &[u8]) -> Result<(DocFormat, String), DocError> {
    let format = DocFormat::from_name(name).ok_or_else(|| DocError::UnsupportedType { name: name.to_string() })?;
    check_size(name, bytes.len())?;
    if bytes.is_empty() {
        return Err(DocError::Empty { name: name.to_string() });
    }
    let text = match format {
        DocFormat::Pdf => {
            let text =
                pdf::extract_text(bytes).map_err(|reason| DocError::BadPdf { name: name.to_string(), reason })?;
            if text.trim().is_empty() {
                return Err(DocError::ScannedPdf { name: name.to_string() });
            }
            text
        }
        _ => {
            let raw = String::from_utf8_lossy(bytes);
            let raw = raw.strip_prefix('\u{feff}').unwrap_or(&raw);
            match format {
                DocFormat::Html => html_to_text(raw),
                DocFormat::Json => {
                    json_to_text(raw).map_err(|reason| DocError::BadJson { name: name.to_string(), reason })?
                }
                DocFormat::Csv => {
                    csv_to_text(raw).map_err(|reason| DocError::BadCsv { name: name.to_string(), reason })?
                }
                _ => raw.replace("\r\n", "\n"),
            }
        }
    };
    if text.trim().is_empty() {
        return Err(DocError::Empty { name: name.to_string() });
    }
    Ok((format, text))
}

/// JSON, pretty-printed so each field sits on its own line (the chunker splits there).
fn json_to_text(raw: &str) -> Result<String, String> {
    let value: serde_json::Value = serde_json::from_str(raw).map_err(|e| e.to_string())?;
    serde_json::to_string_pretty(&value).map_err(|e| e.to_string())
}

/// Each row becomes a paragraph of `header: value` lines, so a passage names its columns.
fn csv_to_text(raw: &str) -> Result<String, String> {
    let rows = parse_rows(raw, detect_delimiter(raw)).map_err(|e| e.to_string())?;
    let Some((header, body)) = rows.split_first() else {
        return Ok(String::new());
    };
    if body.is_empty() {
        return Ok(header.join(", "));
    }
    let mut out = String::new();
    for row in body {
        for (i, value) in row.iter().enumerate() {
            if value.trim().is_empty() {
                continue;
            }
            let name = header.get(i).map(String::as_str).filter(|h| !h.trim().is_empty()).unwrap_or("value");
            out.push_str(name.trim());
            out.push_str(": ");
            out.push_str(value.trim());
            out.push('\n');
        }
        out.push('\n');
    }
    Ok(out)
}

/// The readable text of an HTML page: tags dropped (block tags become paragraph breaks),
/// script and style contents skipped, headings kept as markdown headings, entities decoded.
/// Nothing is ever rendered, so hostile markup is only ever text.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    let mut skip_until: Option<&'static str> = None;
    while !rest.is_empty() {
        if let Some(end_tag) = skip_until {
            match find_ci(rest, end_tag) {
                Some(i) => {
                    rest = &rest[i..];
                    skip_until = None;
                }
                None => break,
            }
            continue;
        }
        let Some(lt) = rest.find('<') else {
            out.push_str(&decode_entities(rest));
            break;
        };
        out.push_str(&decode_entities(&rest[..lt]));
        rest = &rest[lt..];
        if rest.starts_with("<!--") {
            rest = rest.find("-->").map_or("", |i| &rest[i + 3..]);
            continue;
        }
        let Some(gt) = rest.find('>') else {
            break;
        };
        let tag = &rest[1..gt];
        rest = &rest[gt + 1..];
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        let closing = tag.starts_with('/');
        match name.as_str() {
            "script" if !closing => skip_until = Some("</script"),
            "style" if !closing => skip_until = Some("</style"),
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                out.push_str("\n\n");
                if !closing {
                    let level = name[1..].parse::<usize>().unwrap_or(1);
                    out.push_str(&"#".repeat(level));
                    out.push(' ');
                }
            }
            "p" | "div" | "section" | "article" | "table" | "ul" | "ol" | "blockquote" | "pre" | "header"
            | "footer" | "main" | "nav" | "aside" | "hr" => out.push_str("\n\n"),
            "br" => out.push('\n'),
            "li" | "tr" if !closing => out.push('\n'),
            "td" | "th" => out.push(' '),
            _ => {}
        }
    }
    // Collapse the runs of spaces and blank lines that markup leaves behind.
    let mut clean = String::with_capacity(out.len());
    let mut blank_run = 0;
    for line in out.lines() {
        let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
        if line.is_empty() {
            blank_run += 1;
            if blank_run == 1 && !clean.is_empty() {
                clean.push('\n');
            }
        } else {
            blank_run = 0;
            clean.push_str(&line);
            clean.push('\n');
        }
    }
    clean.trim().to_string()
}

/// Byte position of `needle` (ASCII) in `hay`, ignoring ASCII case.
fn find_ci(hay: &str, needle: &str) -> Option<usize> {
    let h = hay.as_bytes();
    let n = needle.as_bytes();
    (0..h.len().saturating_sub(n.len() - 1)).find(|&i| h[i..i + n.len()].eq_ignore_ascii_case(n))
}

fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let end = rest[1..].find(|c: char| c == ';' || c.is_whitespace() || c == '&').map(|i| i + 1);
        let decoded = end.filter(|&e| rest[e..].starts_with(';') && e <= 10).and_then(|e| {
            let entity = &rest[1..e];
            let c = match entity {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some(' '),
                _ => entity
                    .strip_prefix("#x")
                    .or_else(|| entity.strip_prefix("#X"))
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            };
            c.map(|c| (c, e + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_keeps_the_words_and_headings_only() {
        let html = "<html><head><style>p{color:red}</style><script>alert('x<p>')</script></head><body>\
            <h2>Refunds</h2><p>Refunds take <b>14&nbsp;days</b> &amp; more.</p><!-- note --><ul><li>One</li><li>Two</li></ul>\
            <img src=x onerror=alert(1)>&#x1F600;&bogus; &#99999999;</body></html>";
        let text = html_to_text(html);
        assert_eq!(text, "## Refunds\n\nRefunds take 14 days & more.\n\nOne\nTwo\n\n\u{1F600}&bogus; &#99999999;");
        assert_eq!(html_to_text("<p>unclosed <b"), "unclosed");
        assert_eq!(html_to_text("<script>never closed"), "");
    }

    #[test]
    fn csv_rows_become_labelled_paragraphs() {
        let (format, text) = extract_text("faq.csv", b"question,answer\nRefund?,\"14 days, usually\"\n").unwrap();
        assert_eq!(format, DocFormat::Csv);
        assert_eq!(text, "question: Refund?\nanswer: 14 days, usually\n\n");
        assert!(matches!(extract_text("bad.csv", b"a,b\n\"open"), Err(DocError::BadCsv { .. })));
    }

    #[test]
    fn csv_documents_from_excel_for_mac_and_semicolon_locales() {
        // Lone CR line endings ("CSV (Macintosh)") keep rows apart.
        let (_, text) = extract_text("faq.csv", b"question,answer\rRefund?,14 days\rShipping?,2 days\r").unwrap();
        assert_eq!(text, "question: Refund?\nanswer: 14 days\n\nquestion: Shipping?\nanswer: 2 days\n\n");
        // Semicolons with a comma inside a quoted header, and a quoted newline in the header.
        let (_, text) =
            extract_text("people.csv", "\"Last, First\";\"Age\nyears\"\r\nDoe, Jane;42\r\n".as_bytes()).unwrap();
        assert_eq!(text, "Last, First: Doe, Jane\nAge\nyears: 42\n\n");
        // Our own exports read back without the formula guard.
        let (_, text) = extract_text("results.csv", b"case,output\r\n1,'=1+1\r\n").unwrap();
        assert_eq!(text, "case: 1\noutput: =1+1\n\n");
    }

    #[test]
    fn files_are_refused_with_a_reason() {
        assert!(matches!(extract_text("x.docx", b"PK"), Err(DocError::UnsupportedType { .. })));
        assert!(matches!(extract_text("x.txt", b""), Err(DocError::Empty { .. })));
        assert!(matches!(extract_text("x.md", b"  \n "), Err(DocError::Empty { .. })));
        let err = extract_text("x.json", b"{oops").unwrap_err();
        assert!(err.to_string().contains("not valid JSON"), "{err}");
        let err = check_size("big.txt", 50 * 1024 * 1024).unwrap_err();
        assert_eq!(
            err.to_string(),
            "\u{201c}big.txt\u{201d} is 52.4 MB; the limit is 20.0 MB per document. Split it into smaller files, or \
             add only the parts you need."
        );
        assert!(extract_text("x.txt", &vec![b'a'; MAX_DOCUMENT_BYTES + 1]).is_err());
        let (_, text) = extract_text("Notes.TXT", b"\xef\xbb\xbfhello\r\nworld \xff").unwrap();
        assert_eq!(text, "hello\nworld \u{fffd}");
        let (_, json) = extract_text("a.json", br#"{"a":[1,2]}"#).unwrap();
        assert!(json.contains("\"a\": [\n"));
    }
}
