//! From positioned text to lines: the content stream's operators (in `mod.rs`) place runs of
//! text on the page; this file joins them into words, lines and paragraphs.
//!
//! - Runs on one baseline (within 0.4 of the font size) are one line, left to right; a gap
//!   wider than a fifth of the font size between the end of one run (from the glyph widths)
//!   and the start of the next is a word space, wherever the runs were drawn (`TJ`, `Td`, a new
//!   `BT` block).
//! - Lines keep the content stream's order (columns stay apart), unless that order is clearly
//!   not a reading order: more than 4 jumps up the page, at least one for every 5 line changes
//!   (tables drawn column by column, cells drawn in any order). Then runs are sorted into
//!   reading order: by baseline from the top (grouped with the same tolerance), then left to
//!   right. A sort, so O(n log n).
//! - Right-to-left text: PDFs draw glyphs in visual order, so a run of Hebrew or Arabic letters
//!   (with the spaces, punctuation and digits between them) is reversed into logical order,
//!   digits and Latin words inside it kept left to right. This is not the full Unicode
//!   bidirectional algorithm: no mirrored brackets, no nested embeddings.

/// Runs a page may hold; a hostile page drawing millions of one-glyph runs stops here.
const MAX_RUNS: usize = 500_000;

#[derive(Debug, Clone)]
pub(super) struct Run {
    pub x: f64,
    pub y: f64,
    pub end_x: f64,
    /// The font size on the page (text and graphics scaling applied).
    pub size: f64,
    pub text: String,
}

pub(super) struct Layout {
    runs: Vec<Run>,
    /// Form XObjects this page may still draw (see `MAX_FORMS_PER_PAGE`).
    pub forms_left: usize,
}

fn same_line(a: &Run, b: &Run) -> bool {
    (a.y - b.y).abs() <= 0.4 * a.size.max(b.size).max(1.0)
}

impl Layout {
    pub fn new(forms_left: usize) -> Layout {
        Layout { runs: Vec::new(), forms_left }
    }

    pub fn push(&mut self, run: Run) {
        if run.text.is_empty() || !(run.x.is_finite() && run.y.is_finite() && run.end_x.is_finite()) {
            return;
        }
        // A run continuing the last one (kerning, glyph by glyph drawing) joins it.
        if let Some(last) = self.runs.last_mut() {
            if same_line(last, &run) && (run.x - last.end_x).abs() <= 0.05 * run.size.max(1.0) {
                last.text.push_str(&run.text);
                last.end_x = run.end_x;
                return;
            }
        }
        if self.runs.len() < MAX_RUNS {
            self.runs.push(run);
        }
    }

    /// The page's text: lines separated by newlines, paragraphs by blank lines.
    pub fn finish(mut self) -> String {
        if self.needs_sorting() {
            self.sort_into_reading_order();
        }
        let mut text = String::new();
        let mut i = 0;
        let mut prev_line: Option<(f64, f64)> = None;
        while i < self.runs.len() {
            let mut j = i + 1;
            while j < self.runs.len() && same_line(&self.runs[i], &self.runs[j]) {
                j += 1;
            }
            let line = &mut self.runs[i..j];
            line.sort_by(|a, b| a.x.total_cmp(&b.x));
            let (y, size) = (line[0].y, line.iter().map(|r| r.size).fold(0.0, f64::max));
            if let Some((py, psize)) = prev_line {
                let gap = (py - y).abs();
                text.push_str(if gap > psize.min(size).max(1.0) * 1.6 { "\n\n" } else { "\n" });
            }
            text.push_str(&bidi_line(&join_line(line)));
            prev_line = Some((y, size));
            i = j;
        }
        text
    }

    fn needs_sorting(&self) -> bool {
        let (mut ups, mut changes) = (0usize, 0usize);
        for w in self.runs.windows(2) {
            if !same_line(&w[0], &w[1]) {
                changes += 1;
                if w[1].y > w[0].y + w[0].size.max(1.0) {
                    ups += 1;
                }
            }
        }
        ups > 4 && ups * 5 >= changes
    }

    fn sort_into_reading_order(&mut self) {
        self.runs.sort_by(|a, b| b.y.total_cmp(&a.y));
        // Give each baseline group the y of its first run, so the line grouping above holds
        // within the tolerance and the order inside a group is by x.
        let mut i = 0;
        while i < self.runs.len() {
            let (y, size) = (self.runs[i].y, self.runs[i].size.max(1.0));
            let mut j = i;
            while j < self.runs.len() && y - self.runs[j].y <= 0.4 * size {
                self.runs[j].y = y;
                j += 1;
            }
            i = j.max(i + 1);
        }
    }
}

/// The runs of one line (sorted by x), with word spaces where the gaps are.
fn join_line(line: &[Run]) -> String {
    let mut out = String::new();
    let mut end: Option<f64> = None;
    for r in line {
        if let Some(end) = end {
            let gap = r.x - end;
            let size = r.size.max(1.0);
            let spaced = gap > 0.2 * size || gap < -1.5 * size;
            if spaced && !out.ends_with(' ') && !r.text.starts_with([' ', '.', ',', ';', ':', '!', '?', ')', ']']) {
                out.push(' ');
            }
        }
        out.push_str(&r.text);
        end = Some(end.map_or(r.end_x, |e: f64| e.max(r.end_x)));
    }
    out
}

fn is_rtl(c: char) -> bool {
    matches!(c as u32, 0x0590..=0x08FF | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFF)
}

/// A line in visual order to logical order for its right-to-left runs (see the module notes).
pub(super) fn bidi_line(line: &str) -> String {
    if !line.chars().any(is_rtl) {
        return line.to_string();
    }
    let chars: Vec<char> = line.chars().collect();
    let strong_ltr = |c: char| c.is_alphabetic() && !is_rtl(c);
    let mut out: Vec<char> = Vec::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        if !is_rtl(chars[i]) {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        // The run: back over the numbers before it (visual order puts a trailing number on the
        // left), and on to its last RTL letter before the next strong left-to-right letter.
        let mut start = i;
        while start > 0 && out.len() > i - start && !strong_ltr(chars[start - 1]) {
            start -= 1;
        }
        while start < i && !chars[start].is_ascii_digit() {
            start += 1;
        }
        out.truncate(out.len() - (i - start));
        let mut end = i;
        let mut k = i;
        while k < chars.len() && !strong_ltr(chars[k]) {
            if is_rtl(chars[k]) {
                end = k;
            }
            k += 1;
        }
        let run: Vec<char> = chars[start..=end].iter().rev().copied().collect();
        // Numbers inside read left to right again.
        let mut s = 0;
        while s < run.len() {
            if run[s].is_ascii_digit() {
                let mut e = s;
                while e + 1 < run.len() && (run[e + 1].is_ascii_digit() || matches!(run[e + 1], '.' | ',')) {
                    e += 1;
                }
                while e > s && !run[e].is_ascii_digit() {
                    e -= 1;
                }
                out.extend(run[s..=e].iter().rev());
                s = e + 1;
            } else {
                out.push(run[s]);
                s += 1;
            }
        }
        i = end + 1;
    }
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(x: f64, y: f64, text: &str) -> Run {
        // 10-point text, 5 points per character.
        Run { x, y, end_x: x + 5.0 * text.chars().count() as f64, size: 10.0, text: text.to_string() }
    }

    fn page(runs: &[Run]) -> String {
        let mut l = Layout::new(0);
        for r in runs {
            l.push(r.clone());
        }
        l.finish()
    }

    #[test]
    fn gaps_between_runs_are_word_spaces_and_touching_runs_join() {
        assert_eq!(
            page(&[run(0.0, 700.0, "What"), run(23.0, 700.0, "is"), run(36.0, 700.0, "this?")]),
            "What is this?"
        );
        assert_eq!(page(&[run(0.0, 700.0, "Wh"), run(10.5, 700.0, "at")]), "What");
        // Superscripts stay on the line; a new baseline is a new line, a wide gap a paragraph.
        assert_eq!(page(&[run(0.0, 700.0, "x"), run(5.0, 703.0, "2"), run(0.0, 686.0, "next")]), "x2\nnext");
        assert_eq!(page(&[run(0.0, 700.0, "a"), run(0.0, 660.0, "b")]), "a\n\nb");
    }

    #[test]
    fn a_table_drawn_column_by_column_is_read_row_by_row() {
        let mut runs = Vec::new();
        for (c, col) in [["Name", "Ann", "Bob", "Cy"], ["Age", "31", "42", "27"], ["City", "Oslo", "Rome", "Lima"]]
            .iter()
            .enumerate()
        {
            for (r, cell) in col.iter().enumerate() {
                runs.push(run(100.0 * c as f64, 700.0 - 14.0 * r as f64, cell));
            }
        }
        // Two more columns so the order is clearly not a reading order.
        for c in 3..6 {
            for r in 0..4 {
                runs.push(run(100.0 * c as f64, 700.0 - 14.0 * r as f64, &format!("c{c}r{r}")));
            }
        }
        let text = page(&runs);
        assert!(text.starts_with("Name Age City c3r0 c4r0 c5r0\nAnn 31 Oslo c3r1"), "{text}");
    }

    #[test]
    fn two_columns_in_stream_order_stay_apart() {
        let mut runs = Vec::new();
        for x in [0.0, 300.0] {
            for r in 0..10 {
                runs.push(run(x, 700.0 - 14.0 * r as f64, &format!("col{x}line{r}")));
            }
        }
        let text = page(&runs);
        assert!(text.starts_with("col0line0\ncol0line1"), "{text}");
    }

    #[test]
    fn right_to_left_runs_are_reversed_into_logical_order() {
        // "שלום עולם" drawn in visual order (leftmost glyph first).
        assert_eq!(bidi_line("םלוע םולש"), "שלום עולם");
        // Latin around it stays, numbers inside read left to right.
        assert_eq!(bidi_line("PDF: 2024 תנש"), "PDF: שנת 2024");
        assert_eq!(bidi_line("مرحبا"), "ابحرم");
        assert_eq!(bidi_line("plain text"), "plain text");
    }
}
