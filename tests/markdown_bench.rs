//! The markdown bench (`make bench` runs it through tests/bench/markdown-bench.mjs): how often
//! our parser (src/domain/markdown.rs) agrees with pulldown-cmark, a CommonMark-conformant
//! parser, on the CommonMark spec examples, per spec section.
//!
//! The examples come from the npm package `commonmark-spec` (its spec.txt, split by the
//! package's own index.js); the script writes them to a JSON file and passes its path in
//! `MARKDOWN_SPEC_JSON`. pulldown-cmark is a dev-dependency used only here.
//!
//! What is compared: both parsers' trees, written in the same normalised HTML-like form:
//! block tags (p, h1-h6, ul, ol with its start, li, pre with the fence's first info word,
//! blockquote, hr, table/th/td) and inline tags (em, strong, del, code, a with its href,
//! img as its alt text and href, br); text HTML-escaped with runs of white space collapsed to
//! one space (code keeps its text, less the code block's final newline). Normalised away, on
//! both sides: a paragraph directly inside a list item (tight or loose lists are not in our
//! tree), link titles (we drop them), and link targets our renderer would not make clickable
//! (only http, https and mailto survive, on both sides); our citations `[n]` count as text.
//!
//! Out of scope, by design: raw HTML (we show it as text; an example is out of scope when
//! pulldown-cmark produces an HTML event) and indented code blocks (we read them as paragraph
//! text; out of scope when pulldown-cmark produces one). Those examples are counted apart.

use chainboard::domain::markdown::{parse, Block, Inline, SafeUrl};
use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};
use serde_json::{json, Value};

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Normalised output: tags and text, with text runs merged and white space collapsed.
#[derive(Default)]
struct Out {
    s: String,
    /// Pending text (merged across adjacent text events before collapsing).
    text: String,
}

impl Out {
    fn flush(&mut self) {
        if self.text.is_empty() {
            return;
        }
        let collapsed = self.text.split_whitespace().collect::<Vec<_>>().join(" ");
        let lead = self.text.starts_with(char::is_whitespace) && !collapsed.is_empty();
        let trail = self.text.ends_with(char::is_whitespace) && !collapsed.is_empty();
        let mut t = String::new();
        if lead {
            t.push(' ');
        }
        t.push_str(&collapsed);
        if trail || (collapsed.is_empty() && !self.text.is_empty()) {
            t.push(' ');
        }
        self.s.push_str(&esc(&t));
        self.text.clear();
    }

    fn tag(&mut self, t: &str) {
        self.flush();
        // White space next to a block tag is not content.
        if is_block_tag(t) {
            let keep = self.s.trim_end_matches(' ').len();
            self.s.truncate(keep);
        }
        self.s.push_str(t);
    }

    fn text(&mut self, t: &str) {
        self.text.push_str(t);
    }

    fn raw(&mut self, t: &str) {
        self.flush();
        self.s.push_str(&esc(t));
    }

    fn finish(mut self) -> String {
        self.flush();
        // Drop white space right after a block tag too.
        let mut out = String::new();
        let mut rest = self.s.as_str();
        while let Some(i) = rest.find('>') {
            let (head, tail) = rest.split_at(i + 1);
            out.push_str(head);
            let tag_start = head.rfind('<').unwrap_or(0);
            rest = if is_block_tag(&head[tag_start..]) { tail.trim_start_matches(' ') } else { tail };
        }
        out.push_str(rest);
        out.trim().to_string()
    }
}

fn is_block_tag(t: &str) -> bool {
    let name = t.trim_start_matches('<').trim_start_matches('/');
    let name: String = name.chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
    matches!(
        name.as_str(),
        "p" | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "ul"
            | "ol"
            | "li"
            | "pre"
            | "blockquote"
            | "hr"
            | "table"
            | "tr"
            | "th"
            | "td"
    )
}

fn href_attr(url: Option<&str>) -> String {
    url.map_or(String::new(), |u| format!(" href=\"{}\"", esc(u)))
}

// ---- ours ---------------------------------------------------------------------------------

fn ours(md: &str) -> String {
    let mut out = Out::default();
    blocks(&parse(md), &mut out, false);
    out.finish()
}

fn blocks(bs: &[Block], out: &mut Out, in_item: bool) {
    for b in bs {
        match b {
            Block::Heading { level, inlines: c } => {
                out.tag(&format!("<h{level}>"));
                inlines(c, out);
                out.tag(&format!("</h{level}>"));
            }
            Block::Paragraph(c) => {
                if !in_item {
                    out.tag("<p>");
                }
                inlines(c, out);
                if !in_item {
                    out.tag("</p>");
                } else {
                    out.text(" ");
                }
            }
            Block::List { ordered, start, items } => {
                out.tag(&match (ordered, start) {
                    (false, _) => "<ul>".to_string(),
                    (true, 1) => "<ol>".to_string(),
                    (true, n) => format!("<ol start=\"{n}\">"),
                });
                for item in items {
                    out.tag("<li>");
                    blocks(item, out, true);
                    out.tag("</li>");
                }
                out.tag(if *ordered { "</ol>" } else { "</ul>" });
            }
            Block::CodeBlock { lang, code } => {
                out.tag(&format!("<pre{}>", lang.as_ref().map_or(String::new(), |l| format!(" lang=\"{}\"", esc(l)))));
                out.raw(code);
                out.tag("</pre>");
            }
            Block::Quote(c) => {
                out.tag("<blockquote>");
                blocks(c, out, false);
                out.tag("</blockquote>");
            }
            Block::Rule => out.tag("<hr>"),
            Block::Table { header, rows } => {
                out.tag("<table><tr>");
                for cell in header {
                    out.tag("<th>");
                    inlines(cell, out);
                    out.tag("</th>");
                }
                out.tag("</tr>");
                for row in rows {
                    out.tag("<tr>");
                    for cell in row {
                        out.tag("<td>");
                        inlines(cell, out);
                        out.tag("</td>");
                    }
                    out.tag("</tr>");
                }
                out.tag("</table>");
            }
        }
    }
}

fn inlines(is: &[Inline], out: &mut Out) {
    for i in is {
        match i {
            Inline::Text(t) => out.text(t),
            Inline::Strong(c) => {
                out.tag("<strong>");
                inlines(c, out);
                out.tag("</strong>");
            }
            Inline::Emphasis(c) => {
                out.tag("<em>");
                inlines(c, out);
                out.tag("</em>");
            }
            Inline::Strike(c) => {
                out.tag("<del>");
                inlines(c, out);
                out.tag("</del>");
            }
            Inline::Code(c) => {
                out.tag("<code>");
                out.raw(c);
                out.tag("</code>");
            }
            Inline::Link { href, children } => {
                out.tag(&format!("<a{}>", href_attr(href.as_ref().map(SafeUrl::as_str))));
                inlines(children, out);
                out.tag("</a>");
            }
            Inline::ImagePlaceholder { alt, href } => {
                out.tag(&format!("<img{} alt=\"{}\">", href_attr(href.as_ref().map(SafeUrl::as_str)), esc(alt.trim())));
            }
            Inline::LineBreak => out.tag("<br>"),
            Inline::Citation(n) => out.text(&format!("[{n}]")),
        }
    }
}

// ---- pulldown-cmark -----------------------------------------------------------------------

/// pulldown-cmark's events in the same form, and whether the example is out of scope (raw
/// HTML, indented code).
fn theirs(md: &str) -> (String, Option<&'static str>) {
    let mut out = Out::default();
    let mut scope = None;
    // Open tags, to know whether a paragraph sits directly in a list item.
    let mut stack: Vec<&'static str> = Vec::new();
    // An image's alt text is collected apart.
    let mut image: Option<(Option<String>, String)> = None;
    let mut image_depth = 0usize;
    let mut code = String::new();
    for event in Parser::new_ext(md, Options::empty()) {
        if let Some((_, alt)) = image.as_mut() {
            match &event {
                Event::Start(Tag::Image { .. }) => image_depth += 1,
                Event::End(TagEnd::Image) if image_depth > 0 => image_depth -= 1,
                Event::End(TagEnd::Image) => {
                    if let Some((href, alt)) = image.take() {
                        out.tag(&format!("<img{} alt=\"{}\">", href_attr(href.as_deref()), esc(alt.trim())));
                    }
                }
                Event::Text(t) | Event::Code(t) => alt.push_str(t),
                Event::SoftBreak | Event::HardBreak => alt.push('\n'),
                _ => {}
            }
            continue;
        }
        match event {
            Event::Start(tag) => match tag {
                Tag::Paragraph => {
                    if stack.last() != Some(&"li") {
                        out.tag("<p>");
                    }
                    stack.push("p");
                }
                Tag::Heading { level, .. } => {
                    out.tag(&format!("<{level}>"));
                    stack.push("h");
                }
                Tag::BlockQuote(_) => {
                    out.tag("<blockquote>");
                    stack.push("blockquote");
                }
                Tag::CodeBlock(kind) => {
                    let lang = match kind {
                        CodeBlockKind::Fenced(info) => info.split_whitespace().next().map(str::to_string),
                        CodeBlockKind::Indented => {
                            scope.get_or_insert("indented code");
                            None
                        }
                    };
                    out.tag(&format!("<pre{}>", lang.map_or(String::new(), |l| format!(" lang=\"{}\"", esc(&l)))));
                    stack.push("pre");
                }
                Tag::HtmlBlock => {
                    scope.get_or_insert("raw HTML");
                    stack.push("html");
                }
                Tag::List(start) => {
                    out.tag(&match start {
                        None => "<ul>".to_string(),
                        Some(1) => "<ol>".to_string(),
                        Some(n) => format!("<ol start=\"{n}\">"),
                    });
                    stack.push(if start.is_some() { "ol" } else { "ul" });
                }
                Tag::Item => {
                    out.tag("<li>");
                    stack.push("li");
                }
                Tag::Table(_) => {
                    out.tag("<table>");
                    stack.push("table");
                }
                Tag::TableHead => {
                    out.tag("<tr>");
                    stack.push("thead");
                }
                Tag::TableRow => {
                    out.tag("<tr>");
                    stack.push("tr");
                }
                Tag::TableCell => {
                    out.tag(if stack.last() == Some(&"thead") { "<th>" } else { "<td>" });
                    stack.push(if stack.last() == Some(&"thead") { "th" } else { "td" });
                }
                Tag::Emphasis => {
                    out.tag("<em>");
                    stack.push("em");
                }
                Tag::Strong => {
                    out.tag("<strong>");
                    stack.push("strong");
                }
                Tag::Strikethrough => {
                    out.tag("<del>");
                    stack.push("del");
                }
                Tag::Link { link_type, dest_url, .. } => {
                    let url = if matches!(link_type, pulldown_cmark::LinkType::Email) {
                        format!("mailto:{dest_url}")
                    } else {
                        dest_url.to_string()
                    };
                    let safe = SafeUrl::new(&url);
                    out.tag(&format!("<a{}>", href_attr(safe.as_ref().map(SafeUrl::as_str))));
                    stack.push("a");
                }
                Tag::Image { dest_url, .. } => {
                    image = Some((SafeUrl::new(&dest_url).map(SafeUrl::into_string), String::new()));
                    image_depth = 0;
                }
                _ => {
                    scope.get_or_insert("other extension");
                    stack.push("other");
                }
            },
            Event::End(end) => {
                let open = stack.pop();
                match end {
                    TagEnd::Paragraph => {
                        if stack.last() != Some(&"li") {
                            out.tag("</p>");
                        } else {
                            out.text(" ");
                        }
                    }
                    TagEnd::Heading(level) => out.tag(&format!("</{level}>")),
                    TagEnd::BlockQuote(_) => out.tag("</blockquote>"),
                    TagEnd::CodeBlock => {
                        // One string on our side, maybe several events here: the block's final
                        // newline is dropped once.
                        out.raw(code.strip_suffix('\n').unwrap_or(&code));
                        code.clear();
                        out.tag("</pre>");
                    }
                    TagEnd::HtmlBlock => {}
                    TagEnd::List(ordered) => out.tag(if ordered { "</ol>" } else { "</ul>" }),
                    TagEnd::Item => out.tag("</li>"),
                    TagEnd::Table => out.tag("</table>"),
                    TagEnd::TableHead | TagEnd::TableRow => out.tag("</tr>"),
                    TagEnd::TableCell => out.tag(if open == Some("th") { "</th>" } else { "</td>" }),
                    TagEnd::Emphasis => out.tag("</em>"),
                    TagEnd::Strong => out.tag("</strong>"),
                    TagEnd::Strikethrough => out.tag("</del>"),
                    TagEnd::Link => out.tag("</a>"),
                    _ => {}
                }
            }
            Event::Text(t) => {
                if stack.last() == Some(&"pre") {
                    code.push_str(&t);
                } else {
                    out.text(&t);
                }
            }
            Event::Code(t) => {
                out.tag("<code>");
                out.raw(&t);
                out.tag("</code>");
            }
            Event::Html(_) | Event::InlineHtml(_) => {
                scope.get_or_insert("raw HTML");
            }
            Event::SoftBreak => out.text("\n"),
            Event::HardBreak => out.tag("<br>"),
            Event::Rule => out.tag("<hr>"),
            _ => {
                scope.get_or_insert("other extension");
            }
        }
    }
    (out.finish(), scope)
}

#[test]
#[ignore = "the markdown bench: run by tests/bench/markdown-bench.mjs with MARKDOWN_SPEC_JSON"]
fn commonmark_spec_agreement() {
    let path = std::env::var("MARKDOWN_SPEC_JSON").expect("MARKDOWN_SPEC_JSON names the examples file");
    let examples: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("examples file")).expect("examples JSON");
    let mut sections: Vec<(String, Value)> = Vec::new();
    let mut disagreements = Vec::new();
    let started = std::time::Instant::now();
    for ex in &examples {
        let md = ex["markdown"].as_str().unwrap_or_default();
        let section = ex["section"].as_str().unwrap_or_default().to_string();
        let number = ex["number"].as_u64().unwrap_or_default();
        let (reference, scope) = theirs(md);
        let mine = ours(md);
        let agree = mine == reference;
        if sections.last().is_none_or(|(name, _)| *name != section) {
            sections.push((
                section.clone(),
                json!({ "examples": 0, "out_of_scope": 0, "agree": 0, "agree_out_of_scope": 0 }),
            ));
        }
        let Some((_, counts)) = sections.last_mut() else { continue };
        let bump = |counts: &mut Value, key: &str| {
            counts[key] = json!(counts[key].as_u64().unwrap_or(0) + 1);
        };
        bump(counts, "examples");
        match scope {
            Some(_) => {
                bump(counts, "out_of_scope");
                if agree {
                    bump(counts, "agree_out_of_scope");
                }
            }
            None if agree => bump(counts, "agree"),
            None => disagreements.push(json!({
                "number": number, "section": section, "markdown": md, "pulldown_cmark": reference, "ours": mine,
            })),
        }
    }
    let elapsed = started.elapsed();
    let report = json!({
        "examples": examples.len(),
        "pulldown_cmark": "0.13",
        "seconds": elapsed.as_secs_f64(),
        "sections": sections.iter().map(|(name, c)| { let mut c = c.clone(); c["section"] = json!(name); c }).collect::<Vec<_>>(),
        "disagreements": disagreements,
    });
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/markdown-bench.json");
    std::fs::write(&out, serde_json::to_string_pretty(&report).expect("json")).expect("writes the report");
    let agree: u64 = sections.iter().map(|(_, c)| c["agree"].as_u64().unwrap_or(0)).sum();
    let scoped: u64 = sections
        .iter()
        .map(|(_, c)| c["examples"].as_u64().unwrap_or(0) - c["out_of_scope"].as_u64().unwrap_or(0))
        .sum();
    println!("markdown bench: {agree} of {scoped} in-scope examples agree; report in {}", out.display());
}
