//! Names and literals for generated code. Block titles, prompts and values are untrusted
//! text: they only ever reach generated code as escaped string literals, as identifiers made
//! of `[a-z0-9_]`, or as one-line comments with line breaks and control characters removed.

use std::collections::HashSet;

/// Words neither language lets us use as a name, plus the names the generated programs
/// define themselves (helpers, imports, clients).
const RESERVED: &[&str] = &[
    // Python keywords and soft keywords, and builtins a reader would not want shadowed.
    "false",
    "none",
    "true",
    "and",
    "as",
    "assert",
    "async",
    "await",
    "break",
    "class",
    "continue",
    "def",
    "del",
    "elif",
    "else",
    "except",
    "finally",
    "for",
    "from",
    "global",
    "if",
    "import",
    "in",
    "is",
    "lambda",
    "nonlocal",
    "not",
    "or",
    "pass",
    "raise",
    "return",
    "try",
    "while",
    "with",
    "yield",
    "match",
    "case",
    "type",
    "print",
    "input",
    "open",
    "str",
    "int",
    "float",
    "dict",
    "list",
    "len",
    "id",
    "format",
    "object",
    "json",
    "os",
    "re",
    "sys",
    "asyncio",
    "argparse",
    "pathlib",
    "base64",
    "urllib",
    "mimetypes",
    // JavaScript reserved words and globals.
    "arguments",
    "catch",
    "const",
    "debugger",
    "default",
    "delete",
    "do",
    "enum",
    "eval",
    "export",
    "extends",
    "function",
    "implements",
    "instanceof",
    "interface",
    "let",
    "new",
    "null",
    "package",
    "private",
    "protected",
    "public",
    "static",
    "super",
    "switch",
    "this",
    "throw",
    "typeof",
    "var",
    "void",
    "undefined",
    "process",
    "fetch",
    "console",
    "promise",
    "math",
    "string",
    "number",
    "boolean",
    "array",
    "error",
    "require",
    "module",
    "globalthis",
    "readfile",
    "path",
    // The generated programs' own names.
    "main",
    "render",
    "run_flow",
    "runflow",
    "inputs",
    "outputs",
    "args",
    "values",
    "tools",
    "client",
    "openai",
    "anthropic",
    "genai",
    "ollama",
    "types",
    "documents",
    "passages",
    "search",
    "mock_fill",
    "arg_text",
    "call_tool",
    "http_tool",
    "image_part",
    "media",
    "results",
    "answer",
    "parse_args",
    // Locals inside the generated step functions.
    "system",
    "user",
    "messages",
    "response",
    "step",
    "config",
    "call",
    "tool",
    "options",
    "here",
    "openai_client",
    "compatible_client",
    "anthropic_client",
    "gemini_client",
    "ollama_client",
    "step_limit",
    // Helpers of the control blocks (python_control.rs, typescript_control.rs, pii.rs) and
    // their locals.
    "when_taken",
    "first_taken",
    "routed",
    "route",
    "pick_route",
    "matches",
    "sort_keys",
    "json_field",
    "json_text",
    "number_in",
    "json_value",
    "as_text",
    "as_json_list",
    "list_items",
    "pick_field",
    "review",
    "ask_approval",
    "approval_turn",
    "csv",
    "io",
    "csv_delimiter",
    "csv_rows",
    "csv_items",
    "json_items",
    "looks_like_csv",
    "split_items",
    "map_limited",
    "join_as_json",
    "items",
    "limit",
    "examples",
    "history",
    "recent_turns",
    "chat",
    "anthropic_messages",
    "is_word",
    "is_digit",
    "is_upper",
    "is_alnum",
    "bytes",
    "starts_upper",
    "has_email",
    "iban_valid",
    "has_iban",
    "luhn_valid",
    "french_nir_valid",
    "ssn_shape",
    "date_or_version",
    "personal_number",
    "has_personal_number",
    "has_uk_nino",
    "has_spanish_id",
    "has_address",
    "has_personal_data",
    // Python builtins the generated helpers call.
    "any",
    "all",
    "len",
    "str",
    "int",
    "float",
    "bool",
    "list",
    "tuple",
    "dict",
    "set",
    "min",
    "max",
    "next",
    "print",
    "input",
    "open",
    "isinstance",
    "sorted",
    "range",
    "enumerate",
    "map",
    "filter",
    "sum",
    "zip",
    "ord",
    "round",
    "lambda",
];

/// A template variable as a parameter name: itself, or with `_` when it is a reserved word.
pub fn param(name: &str) -> String {
    if RESERVED.contains(&name.to_ascii_lowercase().as_str()) || name.starts_with("ask_") || name.starts_with("agent_")
    {
        format!("{name}_")
    } else {
        name.to_string()
    }
}

/// Splits `text` into lowercase ASCII words (letters and digits); everything else separates.
fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            current.push(c.to_ascii_lowercase());
        } else if !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// `snake_case` from any text; `fallback` when nothing usable is left. At most 40 characters,
/// never starting with a digit.
pub fn snake(text: &str, fallback: &str) -> String {
    let mut name = String::new();
    for w in words(text) {
        if name.len() + w.len() + 1 > 40 {
            break;
        }
        if !name.is_empty() {
            name.push('_');
        }
        name.push_str(&w);
    }
    if name.is_empty() {
        name = snake_plain(fallback);
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert_str(0, "step_");
    }
    name
}

fn snake_plain(text: &str) -> String {
    let w = words(text).join("_");
    if w.is_empty() {
        "step".to_string()
    } else {
        w
    }
}

/// `camelCase` of a snake_case name.
pub fn camel(snake: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = !out.is_empty();
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    // A reserved word escaped with a trailing `_` keeps it (`class_` must not become `class`).
    if snake.ends_with('_') {
        out.push('_');
    }
    out
}

/// Hands out unique identifiers: a taken or reserved name gets `_2`, `_3`, ...
#[derive(Debug, Default)]
pub struct Names {
    taken: HashSet<String>,
}

impl Names {
    pub fn new() -> Names {
        Names { taken: RESERVED.iter().map(|s| s.to_string()).collect() }
    }

    /// A fresh snake_case name based on `wanted`.
    pub fn claim(&mut self, wanted: &str) -> String {
        // `input` → `input_` reads better than `input_2` for a reserved word.
        let base = if RESERVED.contains(&wanted) { format!("{wanted}_") } else { wanted.to_string() };
        let mut name = base.clone();
        let mut n = 2;
        // Both spellings are reserved: `find_passages` and `findPassages` must stay unique too.
        while self.taken.contains(&name) || self.taken.contains(&camel(&name).to_ascii_lowercase()) {
            name = format!("{base}_{n}");
            n += 1;
        }
        self.taken.insert(name.clone());
        self.taken.insert(camel(&name).to_ascii_lowercase());
        name
    }
}

/// A double-quoted string literal valid in Python, JavaScript, JSON and YAML: backslash,
/// quote, every control character, U+2028/U+2029 and U+FEFF escaped.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}') => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A Python string literal: single-quoted when that avoids escaping double quotes (JSON
/// text reads better), otherwise as [`quote`].
pub fn py_quote(text: &str) -> String {
    if text.contains('"') && !text.contains('\'') {
        let inner = quote(text);
        let inner = &inner[1..inner.len() - 1];
        format!("'{}'", inner.replace("\\\"", "\""))
    } else {
        quote(text)
    }
}

/// A JSON value as a Python literal (`True`, `None`, dicts and lists), indented like code.
pub fn py_value(value: &serde_json::Value, indent: usize) -> String {
    literal_value(value, indent, ("True", "False", "None"), &py_quote)
}

/// A JSON value as a JavaScript literal, indented like code.
pub fn js_value(value: &serde_json::Value, indent: usize) -> String {
    literal_value(value, indent, ("true", "false", "null"), &quote)
}

fn literal_value(
    value: &serde_json::Value,
    indent: usize,
    words: (&str, &str, &str),
    q: &dyn Fn(&str) -> String,
) -> String {
    use serde_json::Value;
    let pad = " ".repeat(indent + 4);
    let end = " ".repeat(indent);
    match value {
        Value::Null => words.2.to_string(),
        Value::Bool(true) => words.0.to_string(),
        Value::Bool(false) => words.1.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => q(s),
        Value::Array(items) if items.is_empty() => "[]".to_string(),
        Value::Array(items) => {
            let short: Vec<String> = items.iter().map(|v| literal_value(v, indent + 4, words, q)).collect();
            let one_line = format!("[{}]", short.join(", "));
            if one_line.len() <= 80 && !one_line.contains('\n') {
                one_line
            } else {
                format!("[\n{pad}{},\n{end}]", short.join(&format!(",\n{pad}")))
            }
        }
        Value::Object(map) if map.is_empty() => "{}".to_string(),
        Value::Object(map) => {
            let entries: Vec<String> =
                map.iter().map(|(k, v)| format!("{}: {}", q(k), literal_value(v, indent + 4, words, q))).collect();
            let one_line = format!("{{{}}}", entries.join(", "));
            if one_line.len() <= 80 && !one_line.contains('\n') {
                one_line
            } else {
                format!("{{\n{pad}{},\n{end}}}", entries.join(&format!(",\n{pad}")))
            }
        }
    }
}

/// Text safe inside a one-line comment of any of the generated languages: line breaks and
/// control characters become spaces, block-comment ends are broken up, at most 100 characters.
pub fn comment_text(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        let c = if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{85}' | '\u{feff}') { ' ' } else { c };
        if c == ' ' && out.ends_with(' ') {
            continue;
        }
        out.push(c);
    }
    let out = out.trim().replace("*/", "* /");
    if out.chars().count() > 100 {
        let cut: String = out.chars().take(99).collect();
        format!("{cut}\u{2026}")
    } else {
        out
    }
}

/// A literal split at line ends into pieces joined by the language's `joiner` (Python: no
/// operator inside parentheses; JS: `+`), indented by `indent`; a one-line text stays one
/// literal.
pub fn multiline_literal(
    text: &str,
    indent: &str,
    joiner: &str,
    (open, close): (&str, &str),
    q: &dyn Fn(&str) -> String,
) -> String {
    let pieces: Vec<&str> = text.split_inclusive('\n').collect();
    if pieces.len() <= 1 {
        return q(text);
    }
    let mut out = String::from(open);
    out.push('\n');
    for (i, piece) in pieces.iter().enumerate() {
        out.push_str(indent);
        out.push_str("    ");
        out.push_str(&q(piece));
        if i + 1 < pieces.len() {
            out.push_str(joiner);
        }
        out.push('\n');
    }
    out.push_str(indent);
    out.push_str(close);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_plain_unique_and_never_reserved() {
        let mut names = Names::new();
        assert_eq!(names.claim(&snake("Summarise the complaint!", "prompt")), "summarise_the_complaint");
        assert_eq!(names.claim(&snake("Summarise the complaint?", "prompt")), "summarise_the_complaint_2");
        assert_eq!(names.claim(&snake("\"\"\" */ ${x} `rm`", "prompt")), "x_rm");
        assert_eq!(names.claim(&snake("Été 😀", "prompt")), "t");
        assert_eq!(names.claim(&snake("😀", "Prompt")), "prompt");
        assert_eq!(names.claim(&snake("42 answers", "prompt")), "step_42_answers");
        assert_eq!(names.claim("input"), "input_");
        assert_eq!(names.claim("class"), "class_");
        assert_eq!(camel("class_"), "class_");
        assert_eq!(camel("find_passages_2"), "findPassages2");
    }

    #[test]
    fn quote_escapes_everything_that_could_end_a_literal() {
        assert_eq!(quote("a\"b\\c\nd"), r#""a\"b\\c\nd""#);
        assert_eq!(quote("\u{2028}\u{0}\u{7f}"), r#""\u2028\u0000\u007f""#);
        // Literal text that means something elsewhere stays text inside the quotes.
        assert_eq!(quote("${x} `y` \"\"\" */"), r#""${x} `y` \"\"\" */""#);
        assert_eq!(py_quote("{\"a\": 1}"), r#"'{"a": 1}'"#);
        assert_eq!(py_quote("it's \"x\""), r#""it's \"x\"""#);
        let v = serde_json::json!({"a": [true, null], "b": "x"});
        assert_eq!(py_value(&v, 0), "{\"a\": [True, None], \"b\": \"x\"}");
        assert_eq!(js_value(&v, 0), "{\"a\": [true, null], \"b\": \"x\"}");
        // And it is a JSON string that reads back as the original.
        let hostile = "\"\"\"\n*/ ${process.exit(1)} `x` \u{2029}\t\u{1b}[31m";
        assert_eq!(serde_json::from_str::<String>(&quote(hostile)).ok().as_deref(), Some(hostile));
    }

    #[test]
    fn comments_stay_on_one_line() {
        assert_eq!(comment_text("a\nb\r\n*/ c\u{2028}d"), "a b * / c d");
        assert_eq!(comment_text(&"x".repeat(200)).chars().count(), 100);
    }

    #[test]
    fn multiline_literals_split_at_line_ends() {
        assert_eq!(multiline_literal("one", "", "", ("(", ")"), &quote), "\"one\"");
        assert_eq!(
            multiline_literal("a\nb", "    ", " +", ("(", ")"), &quote),
            "(\n        \"a\\n\" +\n        \"b\"\n    )"
        );
    }
}
