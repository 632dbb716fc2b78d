//! Test cases: one row of input values (plus an optional expected answer and a note), and
//! tables of them in and out (the CSV/TSV reading and writing itself is `util::csv`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::domain::util::csv::{csv_line, detect_delimiter, parse_rows, UnclosedQuote};

/// Column names that are not inputs.
pub const EXPECTED_COLUMN: &str = "expected";
pub const NOTE_COLUMN: &str = "note";
/// The optional column that marks held-out cases ("yes").
pub const HELD_OUT_COLUMN: &str = "held out";

/// Pasted or imported tables larger than this are refused: a tab should not freeze.
pub const MAX_CASES: usize = 5_000;

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TestCase {
    /// Input values by the flow's Input value names.
    pub inputs: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
    /// Kept apart while the prompt is tuned: its results stay hidden until asked for, and
    /// the report warns when the other cases pass clearly more often (overfitting).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub held_out: bool,
    /// A fairness-test copy: which original it varies and in which group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counterfactual: Option<super::fairness::Counterfactual>,
    /// Earlier turns of a conversation (a case saved from the Chat panel). Conversational
    /// Prompts are sent them before this case's input; the checks read the last answer.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<crate::domain::conversation::Turn>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TableError {
    #[error("The table is empty: paste a header row (the input names) and at least one row of values.")]
    Empty,
    #[error("Line {line}: a quoted value is never closed. Check for a stray \" in that row.")]
    UnclosedQuote { line: usize },
    #[error("The header row has an empty column name (column {column}). Name every column.")]
    EmptyHeader { column: usize },
    #[error("The column \u{201c}{name}\u{201d} appears twice in the header row.")]
    DuplicateHeader { name: String },
    #[error("{count} rows is more than this table takes ({MAX_CASES}). Split it into smaller tables.")]
    TooMany { count: usize },
    #[error(
        "Row {row} has {found} values but the header has {columns} columns. Put values that contain commas \
         in quotes, or paste from a spreadsheet (tab-separated)."
    )]
    TooManyValues { row: usize, found: usize, columns: usize },
}

impl From<UnclosedQuote> for TableError {
    fn from(e: UnclosedQuote) -> Self {
        TableError::UnclosedQuote { line: e.line }
    }
}

/// One case per image or audio file, each file the value of `column` and its name the note,
/// so "classify these 50 product photos" is one drop onto the table.
pub fn cases_from_media(column: &str, files: &[crate::domain::media::MediaRef]) -> Vec<TestCase> {
    files
        .iter()
        .map(|m| TestCase {
            inputs: BTreeMap::from([(column.to_string(), crate::domain::media::token(&m.id))]),
            expected: None,
            note: m.name.clone(),
            ..TestCase::default()
        })
        .collect()
}

/// The cases with media tokens replaced by "[image mug.jpg (120 kB)]" labels, for reports
/// people read (CSV, HTML).
pub fn with_readable_media(
    cases: &[TestCase],
    lookup: impl Fn(&str) -> Option<crate::domain::media::MediaRef>,
) -> Vec<TestCase> {
    cases
        .iter()
        .map(|c| TestCase {
            inputs: c.inputs.iter().map(|(k, v)| (k.clone(), crate::domain::media::readable(v, &lookup))).collect(),
            ..c.clone()
        })
        .collect()
}

/// The media ids the cases refer to (to load them before a run or to show them).
pub fn media_ids(cases: &[TestCase]) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for c in cases {
        for v in c.inputs.values() {
            for id in crate::domain::media::media_ids(v) {
                if !ids.iter().any(|x| x == id) {
                    ids.push(id.to_string());
                }
            }
        }
    }
    ids
}

/// Marks about `share` of the cases as held out (and the rest not), choosing by a hash of
/// each case's content so the choice is unrelated to the order cases were written in and is
/// the same every time.
pub fn hold_out_share(cases: &mut [TestCase], share: f64) {
    let want = ((cases.len() as f64) * share.clamp(0.0, 1.0)).round() as usize;
    let mut order: Vec<(u64, usize)> = cases
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let text = serde_json::to_string(&c.inputs).unwrap_or_default();
            (crate::domain::util::hash::fnv1a64(format!("{text}\u{1f}{i}").as_bytes()), i)
        })
        .collect();
    order.sort_unstable();
    for c in cases.iter_mut() {
        c.held_out = false;
    }
    for (_, i) in order.into_iter().take(want) {
        cases[i].held_out = true;
    }
}

/// A table with a header row (input names, optionally `expected` and `note`) to cases.
pub fn parse_table(text: &str) -> Result<(Vec<String>, Vec<TestCase>), TableError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let rows = parse_rows(text, detect_delimiter(text))?;
    let Some((header, body)) = rows.split_first() else {
        return Err(TableError::Empty);
    };
    if body.len() > MAX_CASES {
        return Err(TableError::TooMany { count: body.len() });
    }
    let header: Vec<String> = header.iter().map(|h| h.trim().to_string()).collect();
    for (i, name) in header.iter().enumerate() {
        if name.is_empty() {
            return Err(TableError::EmptyHeader { column: i + 1 });
        }
        if header[..i].iter().any(|h| h.eq_ignore_ascii_case(name)) {
            return Err(TableError::DuplicateHeader { name: name.clone() });
        }
    }
    if body.is_empty() {
        return Err(TableError::Empty);
    }
    if let Some((i, row)) = body.iter().enumerate().find(|(_, r)| r.len() > header.len()) {
        // Trailing empty fields (a spreadsheet's empty columns) are harmless.
        if row[header.len()..].iter().any(|f| !f.trim().is_empty()) {
            return Err(TableError::TooManyValues { row: i + 1, found: row.len(), columns: header.len() });
        }
    }
    let inputs: Vec<String> = header
        .iter()
        .filter(|h| {
            !h.eq_ignore_ascii_case(EXPECTED_COLUMN)
                && !h.eq_ignore_ascii_case(NOTE_COLUMN)
                && !h.eq_ignore_ascii_case(HELD_OUT_COLUMN)
        })
        .cloned()
        .collect();
    let cases = body
        .iter()
        .map(|row| {
            let mut case = TestCase::default();
            for (i, name) in header.iter().enumerate() {
                let value = row.get(i).cloned().unwrap_or_default();
                if name.eq_ignore_ascii_case(EXPECTED_COLUMN) {
                    case.expected = (!value.is_empty()).then_some(value);
                } else if name.eq_ignore_ascii_case(NOTE_COLUMN) {
                    case.note = value;
                } else if name.eq_ignore_ascii_case(HELD_OUT_COLUMN) {
                    case.held_out = is_yes(&value);
                } else {
                    case.inputs.insert(name.clone(), value);
                }
            }
            case
        })
        .collect();
    Ok((inputs, cases))
}

/// A "held out" cell that marks the case: yes, true, 1, x (any case).
fn is_yes(value: &str) -> bool {
    matches!(value.trim().to_ascii_lowercase().as_str(), "yes" | "y" | "true" | "1" | "x")
}

/// Cases as CSV with the given input columns, then `expected` and `note` (and `held out`
/// when any case is held out).
pub fn cases_to_csv(inputs: &[String], cases: &[TestCase]) -> String {
    let any_held_out = cases.iter().any(|c| c.held_out);
    let mut header: Vec<&str> = inputs.iter().map(String::as_str).collect();
    header.push(EXPECTED_COLUMN);
    header.push(NOTE_COLUMN);
    if any_held_out {
        header.push(HELD_OUT_COLUMN);
    }
    let mut out = csv_line(&header);
    for case in cases {
        let mut row: Vec<&str> = inputs.iter().map(|n| case.inputs.get(n).map_or("", String::as_str)).collect();
        row.push(case.expected.as_deref().unwrap_or(""));
        row.push(&case.note);
        if any_held_out {
            row.push(if case.held_out { "yes" } else { "" });
        }
        out.push_str(&csv_line(&row));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::util::csv::{csv_field, is_formula_start, neutralize, unneutralize};

    #[test]
    fn a_share_is_held_out_and_round_trips_through_csv() {
        let mut cases: Vec<TestCase> = (0..20)
            .map(|i| TestCase {
                inputs: BTreeMap::from([("q".into(), format!("question {i}"))]),
                ..TestCase::default()
            })
            .collect();
        hold_out_share(&mut cases, 0.2);
        assert_eq!(cases.iter().filter(|c| c.held_out).count(), 4);
        let again = {
            let mut c = cases.clone();
            hold_out_share(&mut c, 0.2);
            c
        };
        assert_eq!(again, cases, "the same cases every time");
        let csv = cases_to_csv(&["q".into()], &cases);
        assert!(csv.starts_with("q,expected,note,held out\r\n"), "{csv}");
        let (names, back) = parse_table(&csv).expect("parses");
        assert_eq!(names, vec!["q".to_string()]);
        assert_eq!(back, cases);
    }

    #[test]
    fn quotes_commas_and_newlines_round_trip() {
        let inputs = vec!["email".to_string(), "tone".to_string()];
        let cases = vec![
            TestCase {
                inputs: BTreeMap::from([
                    ("email".into(), "Hi, \"urgent\"\nSecond line".into()),
                    ("tone".into(), " calm ".into()),
                ]),
                expected: Some("refund, today".into()),
                note: String::new(),
                ..TestCase::default()
            },
            TestCase {
                inputs: BTreeMap::from([("email".into(), "plain".into()), ("tone".into(), String::new())]),
                expected: None,
                note: "edge: empty tone".into(),
                ..TestCase::default()
            },
        ];
        let csv = cases_to_csv(&inputs, &cases);
        assert!(csv.starts_with(
            "email,tone,expected,note\r\n\"Hi, \"\"urgent\"\"\nSecond line\",\" calm \",\"refund, today\",\r\n"
        ));
        let (names, back) = parse_table(&csv).expect("parses");
        assert_eq!(names, inputs);
        assert_eq!(back, cases);
    }

    #[test]
    fn spreadsheets_paste_tsv() {
        let (names, cases) = parse_table("question\texpected\nWhere is A123?\tshipped\nRefund?\t\n\n").expect("parses");
        assert_eq!(names, vec!["question"]);
        assert_eq!(cases.len(), 2);
        assert_eq!(cases[0].expected.as_deref(), Some("shipped"));
        assert_eq!(cases[1].expected, None);
        assert_eq!(cases[1].inputs.get("question").map(String::as_str), Some("Refund?"));
    }

    #[test]
    fn bad_tables_say_what_is_wrong() {
        assert_eq!(parse_table(""), Err(TableError::Empty));
        assert_eq!(parse_table("a,b\n"), Err(TableError::Empty));
        assert_eq!(parse_table("a,b\n\"x,1\n"), Err(TableError::UnclosedQuote { line: 2 }));
        assert_eq!(parse_table("a,,b\n1,2,3"), Err(TableError::EmptyHeader { column: 2 }));
        assert_eq!(parse_table("a,A\n1,2"), Err(TableError::DuplicateHeader { name: "A".into() }));
        let big = format!("a\n{}", "x\n".repeat(MAX_CASES + 1));
        assert!(matches!(parse_table(&big), Err(TableError::TooMany { .. })));
    }

    #[test]
    fn one_column_keeps_commas_and_extra_values_are_refused() {
        let (names, cases) = parse_table("email\nHi, my parcel is late, again.\n").expect("parses");
        assert_eq!(names, vec!["email"]);
        assert_eq!(cases[0].inputs.get("email").map(String::as_str), Some("Hi, my parcel is late, again."));
        assert_eq!(
            parse_table("email,tone\nHi, late,calm\n"),
            Err(TableError::TooManyValues { row: 1, found: 3, columns: 2 })
        );
        assert!(parse_table("a\tb\n1\t2\t\t\n").is_ok(), "empty trailing cells are fine");
    }

    #[test]
    fn short_rows_and_bom_and_crlf() {
        let (names, cases) = parse_table("\u{feff}a,b\r\n1\r\n").expect("parses");
        assert_eq!(names, vec!["a", "b"]);
        assert_eq!(cases[0].inputs.get("b").map(String::as_str), Some(""));
    }

    #[test]
    fn a_lone_cr_ends_a_row() {
        // Excel's "CSV (Macintosh)" ends rows with a lone CR; mixed endings too.
        let (names, cases) = parse_table("q,expected\rfirst,a\rsecond,b\r\nthird,c\nfourth,d\r").expect("parses");
        assert_eq!(names, vec!["q"]);
        let qs: Vec<&str> = cases.iter().map(|c| c.inputs["q"].as_str()).collect();
        assert_eq!(qs, ["first", "second", "third", "fourth"]);
        assert_eq!(cases[1].expected.as_deref(), Some("b"));
        // A CR inside quotes is part of the value, as is a CRLF.
        let rows = parse_rows("a\r\"x\ry\"\r\"p\r\nq\"\r", ',').expect("parses");
        assert_eq!(rows, vec![vec!["a"], vec!["x\ry"], vec!["p\r\nq"]]);
        assert_eq!(parse_table("a\r\"open\r"), Err(TableError::UnclosedQuote { line: 2 }));
    }

    #[test]
    fn delimiters_inside_quotes_are_not_counted() {
        assert_eq!(detect_delimiter("\"Last, First\";Age\n\"Doe, J\";42\n"), ';');
        let (names, cases) = parse_table("\"Last, First\";Age\n\"Doe, Jane\";42\n").expect("parses");
        assert_eq!(names, vec!["Last, First", "Age"]);
        assert_eq!(cases[0].inputs["Last, First"], "Doe, Jane");
        assert_eq!(cases[0].inputs["Age"], "42");
        // An escaped quote inside a quoted header does not end the quotes.
        assert_eq!(detect_delimiter("\"say \"\"a, b\"\"\";x\n"), ';');
        assert_eq!(detect_delimiter("\"a;b;c\",d\n1,2"), ',');
        assert_eq!(detect_delimiter("a;b,c;d"), ';');
        assert_eq!(detect_delimiter("a,b;c"), ',');
        assert_eq!(detect_delimiter("a\tb,c,d"), '\t');
        assert_eq!(detect_delimiter("\"only, one\"\nx"), '\u{1f}', "one quoted column");
        assert_eq!(detect_delimiter(""), '\u{1f}');
    }

    #[test]
    fn a_quoted_newline_in_the_header_is_read_through() {
        // Before the fix only the first physical line ("\"first) was looked at.
        assert_eq!(detect_delimiter("\"first\nline\";second;third\n1;2;3"), ';');
        assert_eq!(detect_delimiter("\"first\rline\"\tsecond\r1\t2"), '\t');
        let (names, cases) = parse_table("\"first\nline\";second\n1;2\n").expect("parses");
        assert_eq!(names, vec!["first\nline", "second"]);
        assert_eq!(cases[0].inputs["second"], "2");
    }

    #[test]
    fn exports_neutralise_formulas() {
        for (value, written) in [
            ("=HYPERLINK(\"http://evil\",\"x\")", "\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\""),
            ("+1+2", "'+1+2"),
            ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "\"'\t=1\""),
            ("\r=1", "\"'\r=1\""),
            ("'=already", "''=already"),
            ("-5", "-5"),
            ("+1.25", "+1.25"),
            ("-.5", "-.5"),
            ("'quoted'", "'quoted'"),
            ("a=b", "a=b"),
            ("-", "'-"),
            ("", ""),
        ] {
            assert_eq!(csv_field(value), written, "{value:?}");
        }
        let cases = vec![TestCase {
            inputs: BTreeMap::from([("=q".into(), "=1+1".into())]),
            expected: Some("@me".into()),
            note: "-note".into(),
            ..TestCase::default()
        }];
        let csv = cases_to_csv(&["=q".into()], &cases);
        assert_eq!(csv, "'=q,expected,note\r\n'=1+1,'@me,'-note\r\n");
        for line in csv.split("\r\n") {
            for field in line.split(',') {
                assert!(!field.trim_start_matches('"').starts_with(is_formula_start), "{field:?} in {csv:?}");
            }
        }
        // An import of our own export gives back the text.
        let (names, back) = parse_table(&csv).expect("parses");
        assert_eq!(names, vec!["=q"]);
        assert_eq!(back, cases);
    }

    #[test]
    fn the_formula_prefix_round_trips_and_is_stripped_only_before_a_formula() {
        for value in ["=x", "'=x", "''=x", "'", "''", "'x", "'5", "-5", "'-5", "-x", "\t", "'\t", "@", "a'=b"] {
            assert_eq!(unneutralize(neutralize(value).into_owned()), value, "{value:?}");
        }
        // Someone else's file: a spreadsheet "text" marker before a formula character goes, others stay.
        assert_eq!(unneutralize("'=1".into()), "=1");
        assert_eq!(unneutralize("'+44 20 7946 0000".into()), "+44 20 7946 0000");
        assert_eq!(unneutralize("'hello'".into()), "'hello'");
        assert_eq!(unneutralize("'007".into()), "'007");
        // Only comma- and semicolon-separated text carries the guard: a spreadsheet's clipboard
        // (tab-separated) and one value per line keep a leading ' as typed.
        assert_eq!(parse_rows("a;b\n'=1;'-x\n", ';').expect("parses")[1], vec!["=1", "-x"]);
        let (_, cases) = parse_table("q\texpected\n'=1\t'@x\n").expect("parses");
        assert_eq!((cases[0].inputs["q"].as_str(), cases[0].expected.as_deref()), ("'=1", Some("'@x")));
        let (_, cases) = parse_table("q\n'=1\n").expect("parses");
        assert_eq!(cases[0].inputs["q"], "'=1");
    }

    #[test]
    fn dropped_files_become_one_case_each() {
        use crate::domain::media::{single_media, MediaRef};
        let files: Vec<MediaRef> = ["mug.jpg", "lamp.png"]
            .iter()
            .enumerate()
            .map(|(i, n)| MediaRef { id: format!("m{i}"), name: (*n).into(), mime: "image/jpeg".into(), size: 10 })
            .collect();
        let cases = cases_from_media("photo", &files);
        assert_eq!(cases.len(), 2);
        assert_eq!(single_media(&cases[1].inputs["photo"]), Some("m1"));
        assert_eq!(cases[1].note, "lamp.png");
        assert_eq!(media_ids(&cases), vec!["m0".to_string(), "m1".to_string()]);
        let shown = with_readable_media(&cases, |id| files.iter().find(|f| f.id == id).cloned());
        assert_eq!(shown[1].inputs["photo"], "[image lamp.png (10 B)]");
    }
}
