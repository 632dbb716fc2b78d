//! Finding personal data in text that is about to leave the browser: e-mail addresses, phone
//! numbers, payment card numbers (Luhn-checked), IBANs (mod-97-checked), a few national ID
//! formats with their own checks (US SSN, UK National Insurance, Spanish DNI/NIE, French NIR),
//! and street addresses where the shape is clear. Hand-written scanners, no regex: checksums do
//! the work that keeps precision high on order numbers, dates, prices and tracking codes.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PiiKind {
    Email,
    Phone,
    Card,
    Iban,
    NationalId,
    Address,
}

impl PiiKind {
    pub const ALL: [PiiKind; 6] =
        [PiiKind::Email, PiiKind::Phone, PiiKind::Card, PiiKind::Iban, PiiKind::NationalId, PiiKind::Address];

    /// The placeholder's stem: `[EMAIL_1]`.
    pub fn tag(self) -> &'static str {
        match self {
            PiiKind::Email => "EMAIL",
            PiiKind::Phone => "PHONE",
            PiiKind::Card => "CARD",
            PiiKind::Iban => "IBAN",
            PiiKind::NationalId => "ID",
            PiiKind::Address => "ADDRESS",
        }
    }

    /// In a sentence, counted: "2 e-mail addresses".
    pub fn counted(self, n: usize) -> String {
        let (one, many) = match self {
            PiiKind::Email => ("e-mail address", "e-mail addresses"),
            PiiKind::Phone => ("phone number", "phone numbers"),
            PiiKind::Card => ("card number", "card numbers"),
            PiiKind::Iban => ("IBAN", "IBANs"),
            PiiKind::NationalId => ("national ID number", "national ID numbers"),
            PiiKind::Address => ("street address", "street addresses"),
        };
        format!("{n} {}", if n == 1 { one } else { many })
    }
}

impl fmt::Display for PiiKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tag())
    }
}

/// One piece of personal data: its kind and byte range in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub kind: PiiKind,
    pub start: usize,
    pub end: usize,
}

/// Every piece of personal data in `text`, in order, without overlaps (the earlier, then the
/// longer, wins).
pub fn find_personal_data(text: &str) -> Vec<Finding> {
    let mut all = Vec::new();
    emails(text, &mut all);
    ibans(text, &mut all);
    digit_runs(text, &mut all);
    uk_nino(text, &mut all);
    spanish_ids(text, &mut all);
    addresses(text, &mut all);
    all.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    let mut out: Vec<Finding> = Vec::new();
    for f in all {
        if out.last().is_none_or(|last| f.start >= last.end) {
            out.push(f);
        }
    }
    out
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn emails(text: &str, out: &mut Vec<Finding>) {
    let b = text.as_bytes();
    let local_ok = |c: u8| c.is_ascii_alphanumeric() || b"._%+-'".contains(&c);
    let domain_ok = |c: u8| c.is_ascii_alphanumeric() || c == b'-' || c == b'.';
    for (at, _) in text.match_indices('@') {
        let mut s = at;
        while s > 0 && local_ok(b[s - 1]) {
            s -= 1;
        }
        while s < at && !b[s].is_ascii_alphanumeric() {
            s += 1;
        }
        let mut e = at + 1;
        while e < b.len() && domain_ok(b[e]) {
            e += 1;
        }
        while e > at + 1 && !b[e - 1].is_ascii_alphanumeric() {
            e -= 1;
        }
        let domain = &text[at + 1..e];
        let tld = domain.rsplit('.').next().unwrap_or("");
        if s < at && domain.contains('.') && tld.len() >= 2 && tld.bytes().all(|c| c.is_ascii_alphabetic()) {
            out.push(Finding { kind: PiiKind::Email, start: s, end: e });
        }
    }
}

/// IBAN: two letters, two check digits, 11-30 letters or digits (spaces allowed in groups of
/// four), valid under ISO 7064 mod 97-10.
fn ibans(text: &str, out: &mut Vec<Finding>) {
    let b = text.as_bytes();
    let mut i = 0;
    while i + 4 <= b.len() {
        let starts = (i == 0 || !is_word_byte(b[i - 1]))
            && b[i].is_ascii_uppercase()
            && b[i + 1].is_ascii_uppercase()
            && b[i + 2].is_ascii_digit()
            && b[i + 3].is_ascii_digit();
        if !starts {
            i += 1;
            continue;
        }
        let mut chars = Vec::new();
        let mut end = i;
        let mut j = i;
        while j < b.len() && chars.len() < 34 {
            let c = b[j];
            if c.is_ascii_uppercase() || c.is_ascii_digit() {
                chars.push(c);
                j += 1;
                end = j;
            } else if c == b' ' && j + 1 < b.len() && (b[j + 1].is_ascii_alphanumeric()) && chars.len() % 4 == 0 {
                j += 1;
            } else {
                break;
            }
        }
        let whole_word = end >= b.len() || !is_word_byte(b[end]);
        if (15..=34).contains(&chars.len()) && whole_word && iban_valid(&chars) {
            out.push(Finding { kind: PiiKind::Iban, start: i, end });
            i = end;
        } else {
            i += 1;
        }
    }
}

fn iban_valid(chars: &[u8]) -> bool {
    let rearranged = chars[4..].iter().chain(&chars[..4]);
    let mut rem: u32 = 0;
    for &c in rearranged {
        let v = if c.is_ascii_digit() { u32::from(c - b'0') } else { u32::from(c - b'A') + 10 };
        rem = if v >= 10 { (rem * 100 + v) % 97 } else { (rem * 10 + v) % 97 };
    }
    rem == 1
}

/// The Luhn check of a card number's digits.
pub fn luhn_valid(digits: &[u8]) -> bool {
    let mut sum = 0u32;
    for (i, d) in digits.iter().rev().enumerate() {
        let mut v = u32::from(*d);
        if i % 2 == 1 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    sum.is_multiple_of(10)
}

/// Runs of digits with the separators people type between groups (space, dash, dot,
/// parentheses, a leading +), classified as a card, a national ID or a phone number.
fn digit_runs(text: &str, out: &mut Vec<Finding>) {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let starts_number =
            b[i].is_ascii_digit() || ((b[i] == b'+' || b[i] == b'(') && b.get(i + 1).is_some_and(u8::is_ascii_digit));
        if !starts_number
            || (i > 0 && (is_word_byte(b[i - 1]) || b[i - 1] == b'.' || b[i - 1] == b'/' || b[i - 1] == b'-'))
        {
            i += 1;
            continue;
        }
        // Extend over digits and single separators between digits.
        let mut j = i;
        let mut digits: Vec<u8> = Vec::new();
        let mut seps = String::new();
        while j < b.len() {
            let c = b[j];
            if c.is_ascii_digit() {
                digits.push(c - b'0');
                j += 1;
            } else if (c == b'+' || c == b'(') && j == i {
                j += 1;
            } else if matches!(c, b' ' | b'-' | b'.' | b')' | b'(')
                && b.get(j + 1).is_some_and(|n| n.is_ascii_digit() || *n == b' ' && c == b')')
            {
                seps.push(c as char);
                j += 1;
            } else {
                break;
            }
        }
        let end = j;
        // A number glued to letters (a product code) or a decimal is not personal data.
        let glued = end < b.len()
            && (is_word_byte(b[end]) || (b[end] == b'.' && b.get(end + 1).is_some_and(u8::is_ascii_digit)));
        let raw = &text[i..end];
        if !glued {
            if let Some(kind) = classify_number(raw, &digits, &seps, text, i) {
                out.push(Finding { kind, start: i, end });
            }
        }
        i = end.max(i + 1);
    }
}

fn classify_number(raw: &str, digits: &[u8], seps: &str, text: &str, start: usize) -> Option<PiiKind> {
    let n = digits.len();
    if n == 15 && seps.chars().all(|c| c == ' ') && french_nir_valid(digits) {
        return Some(PiiKind::NationalId);
    }
    let groups: Vec<usize> = raw.split([' ', '-']).map(str::len).collect();
    // Cards are written in groups of four, or 4-6-5 (American Express), or unbroken.
    let card_grouping = groups.len() == 1
        || groups.iter().all(|g| *g == 4)
        || groups == [4, 6, 5]
        || groups[..groups.len() - 1].iter().all(|g| *g == 4);
    if (13..=19).contains(&n)
        && !raw.starts_with('+')
        && !raw.contains(['(', '.'])
        && card_grouping
        && luhn_valid(digits)
    {
        return Some(PiiKind::Card);
    }
    if ssn_shape(raw) {
        return Some(PiiKind::NationalId);
    }
    if looks_like_date_or_version(raw) {
        return None;
    }
    let has_context = context_before(
        text,
        start,
        &["phone", "tel", "call", "mobile", "cell", "fax", "ring", "whatsapp", "number is"],
    );
    let international = raw.starts_with('+') && (8..=15).contains(&n);
    let nanp = (raw.starts_with('(') && n == 10) || nanp_shape(raw);
    let national = raw.starts_with('0') && (10..=11).contains(&n) && !seps.is_empty();
    if international || nanp || national || (has_context && (7..=15).contains(&n)) {
        return Some(PiiKind::Phone);
    }
    None
}

/// 555-123-4567 or 555.123.4567 or 555 123 4567.
fn nanp_shape(raw: &str) -> bool {
    let groups: Vec<&str> = raw.split(['-', '.', ' ']).collect();
    groups.len() == 3 && groups[0].len() == 3 && groups[1].len() == 3 && groups[2].len() == 4
}

/// US SSN: AAA-GG-SSSS with the SSA's rules (area not 000, 666 or 9xx; group and serial not 0).
fn ssn_shape(raw: &str) -> bool {
    let g: Vec<&str> = raw.split('-').collect();
    if g.len() != 3 || g[0].len() != 3 || g[1].len() != 2 || g[2].len() != 4 {
        return false;
    }
    !(g[0] == "000" || g[0] == "666" || g[0].starts_with('9') || g[1] == "00" || g[2] == "0000")
}

/// French NIR (numéro de sécurité sociale): 13 digits and a key = 97 − (number mod 97).
fn french_nir_valid(d: &[u8]) -> bool {
    if d.len() != 15 || !(d[0] == 1 || d[0] == 2) {
        return false;
    }
    let number = d[..13].iter().fold(0u64, |acc, x| acc * 10 + u64::from(*x));
    let key = u64::from(d[13]) * 10 + u64::from(d[14]);
    97 - number % 97 == key
}

fn looks_like_date_or_version(raw: &str) -> bool {
    let parts: Vec<&str> = raw.split(['-', '.', '/']).collect();
    let l: Vec<usize> = parts.iter().map(|p| p.len()).collect();
    // 2024-05-01, 01.05.2024, 1.2.3
    (l.len() == 3 && ((l[0] == 4 && l[1] <= 2 && l[2] <= 2) || (l[0] <= 2 && l[1] <= 2 && l[2] == 4)))
        || (raw.contains('.') && !raw.contains(' ') && parts.len() <= 4 && parts.iter().all(|p| p.len() <= 3))
}

/// Whether one of `words` appears (any case) in the 24 characters before `start`.
fn context_before(text: &str, start: usize, words: &[&str]) -> bool {
    let mut from = start.saturating_sub(24);
    while !text.is_char_boundary(from) {
        from += 1;
    }
    let before = text[from..start].to_ascii_lowercase();
    words.iter().any(|w| before.contains(w))
}

/// UK National Insurance number: two letters (with the excluded prefixes), six digits, a
/// letter A-D, spaces optional.
fn uk_nino(text: &str, out: &mut Vec<Finding>) {
    let b = text.as_bytes();
    let first_ok = |c: u8| c.is_ascii_uppercase() && !b"DFIQUV".contains(&c);
    let second_ok = |c: u8| c.is_ascii_uppercase() && !b"DFIQUVO".contains(&c);
    for i in 0..b.len() {
        if (i > 0 && is_word_byte(b[i - 1])) || !first_ok(b[i]) || !b.get(i + 1).is_some_and(|c| second_ok(*c)) {
            continue;
        }
        let prefix = &text[i..i + 2];
        if ["BG", "GB", "NK", "KN", "TN", "NT", "ZZ"].contains(&prefix) {
            continue;
        }
        let mut j = i + 2;
        let mut digits = 0;
        while j < b.len() && digits < 6 {
            if b[j].is_ascii_digit() {
                digits += 1;
                j += 1;
            } else if b[j] == b' ' && digits % 2 == 0 {
                j += 1;
            } else {
                break;
            }
        }
        if digits != 6 {
            continue;
        }
        if j < b.len() && b[j] == b' ' {
            j += 1;
        }
        if j < b.len() && (b'A'..=b'D').contains(&b[j]) && (j + 1 >= b.len() || !is_word_byte(b[j + 1])) {
            out.push(Finding { kind: PiiKind::NationalId, start: i, end: j + 1 });
        }
    }
}

/// Spanish DNI (8 digits + check letter) and NIE (X/Y/Z + 7 digits + check letter).
fn spanish_ids(text: &str, out: &mut Vec<Finding>) {
    const LETTERS: &[u8] = b"TRWAGMYFPDXBNJZSQVHLCKE";
    let b = text.as_bytes();
    for i in 0..b.len() {
        if i > 0 && is_word_byte(b[i - 1]) {
            continue;
        }
        let (prefix, digits_start) = match b[i] {
            b'X' => (0u32, i + 1),
            b'Y' => (1, i + 1),
            b'Z' => (2, i + 1),
            c if c.is_ascii_digit() => (u32::MAX, i),
            _ => continue,
        };
        let want = if prefix == u32::MAX { 8 } else { 7 };
        let end_digits = digits_start + want;
        if end_digits >= b.len() || !b[digits_start..end_digits].iter().all(u8::is_ascii_digit) {
            continue;
        }
        let letter = b[end_digits];
        if !letter.is_ascii_uppercase() || (end_digits + 1 < b.len() && is_word_byte(b[end_digits + 1])) {
            continue;
        }
        let mut n = if prefix == u32::MAX { 0 } else { prefix };
        for d in &b[digits_start..end_digits] {
            n = n * 10 + u32::from(d - b'0');
        }
        if LETTERS[(n % 23) as usize] == letter {
            out.push(Finding { kind: PiiKind::NationalId, start: i, end: end_digits + 1 });
        }
    }
}

const STREET_WORDS: [&str; 22] = [
    "street",
    "st",
    "avenue",
    "ave",
    "road",
    "rd",
    "boulevard",
    "blvd",
    "lane",
    "ln",
    "drive",
    "dr",
    "court",
    "ct",
    "way",
    "place",
    "pl",
    "terrace",
    "close",
    "crescent",
    "square",
    "highway",
];
const GERMAN_STREET_ENDINGS: [&str; 6] = ["straße", "strasse", "str.", "weg", "gasse", "allee"];

/// "221B Baker Street", "1600 Pennsylvania Avenue NW", "Hauptstraße 5": a house number and
/// one to four capitalised words ending in a street word (or a German street name and a number).
fn addresses(text: &str, out: &mut Vec<Finding>) {
    let words: Vec<(usize, &str)> = word_spans(text);
    for (w, &(start, word)) in words.iter().enumerate() {
        let is_number = word.chars().next().is_some_and(|c| c.is_ascii_digit())
            && word.len() <= 5
            && word.chars().filter(char::is_ascii_digit).count() >= 1
            && word.chars().all(|c| c.is_ascii_alphanumeric());
        if is_number {
            for len in 1..=4 {
                let Some(&(s_start, last)) = words.get(w + len) else { break };
                let names = &words[w + 1..w + len];
                let capitalised = names.iter().all(|(_, n)| n.chars().next().is_some_and(char::is_uppercase));
                let street = last.trim_end_matches('.').to_ascii_lowercase();
                if capitalised
                    && last.chars().next().is_some_and(char::is_uppercase)
                    && len >= 2
                    && STREET_WORDS.contains(&street.as_str())
                {
                    out.push(Finding { kind: PiiKind::Address, start, end: s_start + last.len() });
                    break;
                }
            }
        }
        let lower = word.to_lowercase();
        if word.chars().next().is_some_and(char::is_uppercase)
            && GERMAN_STREET_ENDINGS.iter().any(|e| lower.ends_with(e) && lower.len() > e.len() + 2)
        {
            if let Some(&(n_start, n)) = words.get(w + 1) {
                if n_start == start + word.len() + 1
                    && n.len() <= 4
                    && n.chars().next().is_some_and(|c| c.is_ascii_digit())
                {
                    out.push(Finding { kind: PiiKind::Address, start, end: n_start + n.len() });
                }
            }
        }
    }
}

/// Words (letters, digits, and a trailing dot for abbreviations) with their byte offsets.
fn word_spans(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        let part = c.is_alphanumeric() || (c == '.' && start.is_some()) || c == 'ß';
        match (part, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, &text[s..i]));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, &text[s..]));
    }
    // A sentence's full stop is not part of the word.
    out.into_iter()
        .map(|(s, w)| {
            (s, if w.ends_with('.') && !w.ends_with("str.") && w.len() > 3 { w.trim_end_matches('.') } else { w })
        })
        .collect()
}
