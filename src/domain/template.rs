//! `{{variable}}` templates: scanning, listing and rendering.
//!
//! Hand-written on purpose: the `regex` crate would add hundreds of kB to the wasm.
//! Grammar: `{{ name }}` where name is `[A-Za-z_][A-Za-z0-9_]*` (spaces around it allowed).
//! `\{{` writes a literal `{{`. Anything else after `{{` is an error with a position,
//! because a silently ignored placeholder is a prompt bug the user would never see.

use std::collections::HashSet;
use std::fmt;

/// A piece of a parsed template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment<'a> {
    Text(&'a str),
    /// A literal `{{` written as `\{{`.
    Braces,
    Variable {
        name: &'a str,
        start: usize,
        end: usize,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateError {
    Unclosed { line: usize, column: usize },
    BadName { line: usize, column: usize, found: String },
    Missing { name: String },
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TemplateError::Unclosed { line, column } => write!(
                f,
                "Line {line}, column {column}: `{{{{` is never closed with `}}}}`. \
                 Close the placeholder, or write `\\{{{{` for literal braces."
            ),
            TemplateError::BadName { line, column, found } => write!(
                f,
                "Line {line}, column {column}: `{{{{{found}}}}}` is not a valid variable name. \
                 Use letters, digits and _ (for example {{{{customer_email}}}}), \
                 or write `\\{{{{` for literal braces."
            ),
            TemplateError::Missing { name } => {
                write!(f, "No value for {{{{{name}}}}}: connect something to its port.")
            }
        }
    }
}

impl std::error::Error for TemplateError {}

/// Splits a template into text and variables, or reports the first syntax error.
pub fn parse(template: &str) -> Result<Vec<Segment<'_>>, TemplateError> {
    parse_at(template).map_err(|(_, e)| e)
}

/// [`parse`], with the byte offset of the `{{` a syntax error starts at: everything before
/// it parses, which is what [`variables`] keeps of a template being edited.
fn parse_at(template: &str) -> Result<Vec<Segment<'_>>, (usize, TemplateError)> {
    let mut out = Vec::new();
    let mut rest_start = 0;
    let mut i = 0;
    let bytes = template.as_bytes();
    while i + 1 < bytes.len() {
        if bytes[i] == b'\\' && bytes.get(i + 1) == Some(&b'{') && bytes.get(i + 2) == Some(&b'{') {
            push_text(&mut out, &template[rest_start..i]);
            out.push(Segment::Braces);
            i += 3;
            rest_start = i;
            continue;
        }
        if bytes[i] == b'{' && bytes[i + 1] == b'{' {
            let open = i;
            let Some(rel_close) = template[open + 2..].find("}}") else {
                let (line, column) = line_col(template, open);
                return Err((open, TemplateError::Unclosed { line, column }));
            };
            let inner = &template[open + 2..open + 2 + rel_close];
            let name = inner.trim();
            if !is_valid_name(name) {
                let (line, column) = line_col(template, open);
                return Err((open, TemplateError::BadName { line, column, found: inner.to_string() }));
            }
            push_text(&mut out, &template[rest_start..open]);
            let end = open + 2 + rel_close + 2;
            out.push(Segment::Variable { name, start: open, end });
            i = end;
            rest_start = i;
            continue;
        }
        i += 1;
    }
    push_text(&mut out, &template[rest_start..]);
    Ok(out)
}

fn push_text<'a>(out: &mut Vec<Segment<'a>>, text: &'a str) {
    if !text.is_empty() {
        out.push(Segment::Text(text));
    }
}

/// A variable name as ports and placeholders use it.
pub fn is_valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) if c.is_ascii_alphabetic() || c == '_' => {}
        _ => return false,
    }
    name.len() <= 64 && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The distinct variables of a template in order of first appearance.
/// A template with a syntax error yields the variables before the error, so ports
/// do not flicker away while the user is mid-edit.
///
/// Linear in the template's length, however many variables it has: ports, validation and
/// the block's card all ask for them on every edit, and a template pasted with thousands of
/// placeholders must not freeze the tab (a list search per name made 10,000 take 20 s).
pub fn variables(template: &str) -> Vec<String> {
    let segments = match parse_at(template) {
        Ok(s) => s,
        // Everything before the broken placeholder parses (the parser goes left to right).
        Err((open, _)) => parse_at(&template[..open]).unwrap_or_default(),
    };
    let mut seen = HashSet::new();
    segments
        .into_iter()
        .filter_map(|seg| match seg {
            Segment::Variable { name, .. } if seen.insert(name) => Some(name.to_string()),
            _ => None,
        })
        .collect()
}

/// Renders a template, asking `lookup` for each variable's value.
pub fn render<'v>(template: &str, lookup: impl Fn(&str) -> Option<&'v str>) -> Result<String, TemplateError> {
    let segments = parse(template)?;
    let mut out = String::with_capacity(template.len());
    for seg in segments {
        match seg {
            Segment::Text(t) => out.push_str(t),
            Segment::Braces => out.push_str("{{"),
            Segment::Variable { name, .. } => match lookup(name) {
                Some(v) => out.push_str(v),
                None => return Err(TemplateError::Missing { name: name.to_string() }),
            },
        }
    }
    Ok(out)
}

/// `text` as a template that renders to exactly `text`: every `{{` is escaped, so model
/// output or user text with braces can go into an internal Prompt safely.
pub fn literal(text: &str) -> String {
    text.replace("{{", "\\{{")
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, byte: usize) -> (usize, usize) {
    let mut byte = byte.min(text.len());
    while !text.is_char_boundary(byte) {
        byte -= 1;
    }
    let before = &text[..byte];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(t: &str) -> Vec<String> {
        variables(t)
    }

    #[test]
    fn lists_variables_in_order_without_duplicates() {
        assert_eq!(vars("Hi {{name}}, about {{ topic }} and {{name}}"), ["name", "topic"]);
        assert!(vars("no placeholders").is_empty());
        assert_eq!(vars("{{a}}{{b}}"), ["a", "b"]);
    }

    #[test]
    fn renders_values() {
        let r = render("Dear {{ name }}: {{body}}!", |n| match n {
            "name" => Some("Ana"),
            "body" => Some("hello"),
            _ => None,
        });
        assert_eq!(r.unwrap(), "Dear Ana: hello!");
    }

    #[test]
    fn escaped_braces_are_literal() {
        assert_eq!(render(r"json: \{{ not a var }}", |_| None).unwrap(), "json: {{ not a var }}");
        assert!(vars(r"\{{x}}").is_empty());
    }

    #[test]
    fn errors_say_where_and_what() {
        let e = parse("line one\nsay {{name").unwrap_err();
        assert_eq!(e, TemplateError::Unclosed { line: 2, column: 5 });
        assert!(e.to_string().starts_with("Line 2, column 5"));
        let e = parse("{{ first name }}").unwrap_err();
        assert!(matches!(e, TemplateError::BadName { line: 1, column: 1, .. }));
        assert!(e.to_string().contains("first name"));
        let e = render("{{x}}", |_| None).unwrap_err();
        assert_eq!(e.to_string(), "No value for {{x}}: connect something to its port.");
    }

    #[test]
    fn mid_edit_keeps_earlier_variables() {
        assert_eq!(vars("{{a}} and {{b}} and {{c"), ["a", "b"]);
        assert_eq!(vars("{{a}} {{bad name}} {{c}}"), ["a"]);
        assert_eq!(vars("{{a}} {{b {{c}}"), ["a"]);
        assert_eq!(vars("{{x}} \\{{y}} {{x}} {{"), ["x"]);
    }

    /// 10,000 distinct placeholders (and one broken one in the middle) are listed in a
    /// blink: the count would take seconds if each name were searched for in a list.
    #[test]
    fn many_variables_are_listed_in_linear_time() {
        let names: Vec<String> = (0..10_000).map(|i| format!("v{i}")).collect();
        let placeholders = |ns: &[String]| ns.iter().map(|n| format!("{{{{{n}}}}} ")).collect::<String>();
        let template = placeholders(&names);
        let start = std::time::Instant::now();
        for _ in 0..20 {
            assert_eq!(vars(&template), names);
        }
        let broken = format!("{}{{{{not ok}}}} {}", placeholders(&names[..5_000]), placeholders(&names[5_000..]));
        assert_eq!(vars(&broken), names[..5_000]);
        assert!(start.elapsed().as_secs_f64() < 5.0, "took {:?}", start.elapsed());
    }

    #[test]
    fn non_ascii_text_is_safe() {
        assert_eq!(render("café {{x}} 🎉", |_| Some("ü")).unwrap(), "café ü 🎉");
        assert_eq!(line_col("é\n🎉{{", 7), (2, 2));
        assert_eq!(line_col("é\n🎉{{", 5), (2, 1), "inside a character rounds down");
        assert!(parse("🎉{{").is_err());
    }
}
