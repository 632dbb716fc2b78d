//! CSV and TSV (RFC 4180: quotes, commas and newlines inside quoted fields), read and written.
//! Spreadsheets paste TSV; files are CSV. Every CSV we write goes through [`csv_line`], which
//! defuses spreadsheet formulas ([`neutralize`]); reading undoes that ([`unneutralize`]).

/// A quoted value that is never closed; `line` is where its quote opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Line {line}: a quoted value is never closed. Check for a stray \" in that row.")]
pub struct UnclosedQuote {
    pub line: usize,
}

/// Splits delimited text into rows of fields. A field starting with `"` is quoted: `""` is
/// a quote, and delimiters and line breaks inside are kept. A row ends at `\r\n`, `\n` or a
/// lone `\r` (Excel's "CSV (Macintosh)"). In comma- and semicolon-separated text each field
/// then goes through [`unneutralize`], so a file we exported reads back as the text it was made
/// from. Tab-separated text is what spreadsheets put on the clipboard, which never carries that
/// `'` (Excel copies the cell `'=x` as `=x`), so there a leading `'` is the user's own.
pub fn parse_rows(text: &str, delimiter: char) -> Result<Vec<Vec<String>>, UnclosedQuote> {
    let mut rows = Vec::new();
    let mut row: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut line = 1;
    let mut quoted = false;
    let mut quote_line = 0;
    let mut at_field_start = true;
    let guarded = matches!(delimiter, ',' | ';');
    let end_field = |field: &mut String, row: &mut Vec<String>| {
        let value = std::mem::take(field);
        row.push(if guarded { unneutralize(value) } else { value });
    };
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                '\r' if chars.peek() == Some(&'\n') => {
                    chars.next();
                    line += 1;
                    field.push_str("\r\n");
                }
                '\n' | '\r' => {
                    line += 1;
                    field.push(c);
                }
                other => field.push(other),
            }
            continue;
        }
        match c {
            '"' if at_field_start => {
                quoted = true;
                quote_line = line;
                at_field_start = false;
            }
            c if c == delimiter => {
                end_field(&mut field, &mut row);
                at_field_start = true;
            }
            '\r' | '\n' => {
                if c == '\r' && chars.peek() == Some(&'\n') {
                    chars.next();
                }
                line += 1;
                end_field(&mut field, &mut row);
                rows.push(std::mem::take(&mut row));
                at_field_start = true;
            }
            other => {
                field.push(other);
                at_field_start = false;
            }
        }
    }
    if quoted {
        return Err(UnclosedQuote { line: quote_line });
    }
    if !field.is_empty() || !row.is_empty() {
        end_field(&mut field, &mut row);
        rows.push(row);
    }
    // Blank lines (a trailing newline, spacer rows) carry no case.
    rows.retain(|r| r.iter().any(|f| !f.trim().is_empty()));
    Ok(rows)
}

/// Guesses the delimiter of pasted text from its first record (the header), counting only
/// delimiters outside quotes (`"Last, First";Age` is semicolon-separated) and reading on
/// through quoted line breaks: tabs from a spreadsheet, otherwise semicolons when there are
/// more of them than commas, otherwise commas. A header with a single column means one value
/// per line: commas in the values stay.
pub fn detect_delimiter(text: &str) -> char {
    let (mut tabs, mut commas, mut semicolons) = (0usize, 0usize, 0usize);
    let mut quoted = false;
    let mut at_field_start = true;
    let mut just_closed = false;
    for c in text.chars() {
        if quoted {
            quoted = c != '"';
            just_closed = !quoted;
            continue;
        }
        match c {
            // A `""` inside quotes closes and at once reopens them.
            '"' if at_field_start || just_closed => quoted = true,
            '\r' | '\n' => break,
            '\t' => tabs += 1,
            ',' => commas += 1,
            ';' => semicolons += 1,
            _ => {}
        }
        at_field_start = matches!(c, '\t' | ',' | ';');
        just_closed = false;
    }
    if tabs > 0 {
        '\t'
    } else if semicolons > commas {
        ';'
    } else if commas > 0 {
        ','
    } else {
        '\u{1f}'
    }
}

/// What makes a spreadsheet read a cell as a formula (OWASP, "CSV Injection"): `=`, `+`, `-`,
/// `@`, tab and carriage return at the start.
pub fn is_formula_start(c: char) -> bool {
    matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r')
}

/// A plain decimal number (`-5`, `+1.25`, `-.5`): no spreadsheet runs it as a formula, so its
/// sign is left alone and numbers stay numbers.
fn is_plain_number(value: &str) -> bool {
    let digits = value.strip_prefix(['+', '-']).unwrap_or(value);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    !(whole.is_empty() && fraction.is_empty())
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
}

/// Defuses spreadsheet formula injection (model output and case text go into exports that
/// people open in Excel, LibreOffice or Google Sheets): a value that starts with a formula
/// character (`=`, `+`, `-`, `@`, tab, carriage return) gets a leading `'`, as OWASP's "CSV
/// Injection" guidance recommends; spreadsheets read the cell as text and hide the `'`. A value
/// that already starts with `'`s followed by a formula character gets one more, so
/// [`unneutralize`] undoes it exactly. Plain numbers such as `-5` are left alone.
pub fn neutralize(value: &str) -> std::borrow::Cow<'_, str> {
    let after_quotes = value.trim_start_matches('\'');
    if after_quotes.starts_with(is_formula_start) && !is_plain_number(value) {
        std::borrow::Cow::Owned(format!("'{value}"))
    } else {
        std::borrow::Cow::Borrowed(value)
    }
}

/// Undoes [`neutralize`] on import: one leading `'` is dropped when what follows it (after
/// any further `'`s) starts with a formula character. So `'=SUM(A1)` reads as `=SUM(A1)` and
/// `''=x` as `'=x`, while `'quoted'` and `'5` stay as they are. Spreadsheets treat such a `'`
/// as a "this is text" marker, not part of the cell, so dropping it matches what people saw.
pub fn unneutralize(value: String) -> String {
    match value.strip_prefix('\'') {
        Some(rest) if rest.trim_start_matches('\'').starts_with(is_formula_start) => rest.to_string(),
        _ => value,
    }
}

/// One CSV field: neutralised against formula injection ([`neutralize`]), then quoted when
/// it needs it (a `;` or tab too, so delimiter detection never miscounts our own header).
pub fn csv_field(value: &str) -> String {
    let value = neutralize(value);
    if value.contains([',', '"', '\n', '\r', ';', '\t']) || value.starts_with(' ') || value.ends_with(' ') {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.into_owned()
    }
}

/// One CSV line (with `\r\n`, as RFC 4180 and spreadsheets expect). Every field goes through
/// [`csv_field`], so no export carries a live formula.
pub fn csv_line<S: AsRef<str>>(fields: &[S]) -> String {
    let mut line = fields.iter().map(|f| csv_field(f.as_ref())).collect::<Vec<_>>().join(",");
    line.push_str("\r\n");
    line
}
