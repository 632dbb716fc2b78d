//! The PDF reader on a file made by a real producer (Chromium's "print to PDF": composite
//! fonts, ToUnicode maps, kerned runs) and on hand-made edge cases: simple fonts, object
//! streams, scanned pages, damage and random bytes.

use chainboard::domain::retrieval::documents::{extract_text, DocError};
use chainboard::domain::retrieval::pdf;
use proptest::prelude::*;

#[test]
fn a_pdf_printed_by_chromium_reads_as_text() {
    let bytes = std::fs::read("tests/fixtures/travel-policy.pdf").expect("fixture");
    let text = pdf::extract_text(&bytes).expect("readable");
    assert!(text.starts_with("Travel expense policy\n\nEmployees may book economy class"), "{text}");
    assert!(text.contains("\n\nMeals\n\nThe daily meal allowance is 45 euros in Europe"), "{text}");
    assert!(text.contains("approved automatically. Submit receipts within 30 days of returning."), "{text}");
}

/// A one-page PDF whose page content is `content` (uncompressed), with Helvetica as /F1.
fn simple_pdf(content: &str) -> Vec<u8> {
    format!(
        "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n\
         2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n\
         3 0 obj << /Type /Page /Parent 2 0 R /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >> endobj\n\
         4 0 obj << /Length {} >>\nstream\n{content}\nendstream endobj\n\
         5 0 obj << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> endobj\n\
         trailer << /Root 1 0 R >>\n%%EOF\n",
        content.len()
    )
    .into_bytes()
}

#[test]
fn simple_fonts_lines_and_word_gaps() {
    let pdf = simple_pdf(
        "BT /F1 12 Tf 72 700 Td (Refund \\(policy\\)) Tj 0 -14 TD [(Items) -300 (ship)] TJ T* (caf\\351) Tj ET",
    );
    assert_eq!(pdf::extract_text(&pdf).unwrap(), "Refund (policy)\nItems ship\ncaf\u{e9}");
}

#[test]
fn compressed_content_and_object_streams_are_read() {
    let content = b"BT /F1 10 Tf 1 0 0 1 50 50 Tm (Hidden in a stream) Tj ET";
    let z = miniz_oxide::deflate::compress_to_vec_zlib(content, 6);
    // Objects 3 (page) and 5 (font) live inside object stream 6.
    let inner = "3 0 5 120 ";
    let objs = format!(
        "{inner}<< /Type /Page /Parent 2 0 R /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>{}",
        " ".repeat(
            120 - "<< /Type /Page /Parent 2 0 R /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>".len()
        )
    ) + "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>";
    let oz = miniz_oxide::deflate::compress_to_vec_zlib(objs.as_bytes(), 6);
    let mut pdf = b"%PDF-1.5\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n".to_vec();
    pdf.extend(format!("4 0 obj << /Length {} /Filter /FlateDecode >>\nstream\n", z.len()).bytes());
    pdf.extend(&z);
    pdf.extend(b"\nendstream endobj\n");
    pdf.extend(
        format!(
            "6 0 obj << /Type /ObjStm /N 2 /First {} /Length {} /Filter /FlateDecode >>\nstream\n",
            inner.len(),
            oz.len()
        )
        .bytes(),
    );
    pdf.extend(&oz);
    pdf.extend(b"\nendstream endobj\ntrailer << /Root 1 0 R >>\n%%EOF");
    assert_eq!(pdf::extract_text(&pdf).unwrap(), "Hidden in a stream");
}

#[test]
fn scanned_damaged_and_foreign_files_get_a_reason() {
    // A page that only draws an image: no text layer.
    let scanned = simple_pdf("q 600 0 0 800 0 0 cm /Im1 Do Q");
    let err = extract_text("scan.pdf", &scanned).unwrap_err();
    assert!(matches!(err, DocError::ScannedPdf { .. }));
    assert!(err.to_string().contains("no text layer"), "{err}");
    let err = extract_text("fake.pdf", b"PK\x03\x04 not a pdf").unwrap_err();
    assert!(err.to_string().contains("no %PDF- header"), "{err}");
    let encrypted =
        String::from_utf8_lossy(&simple_pdf("BT (x) Tj ET")).replace("trailer <<", "trailer << /Encrypt 9 0 R");
    assert!(extract_text("locked.pdf", encrypted.as_bytes()).unwrap_err().to_string().contains("encrypted"));
    // Cut short: whatever is readable, or a reason; never a panic.
    let full = std::fs::read("tests/fixtures/travel-policy.pdf").expect("fixture");
    for cut in (0..full.len()).step_by(997) {
        let _ = extract_text("cut.pdf", &full[..cut]);
    }
    assert!(extract_text("none.pdf", b"%PDF-1.7\n%%EOF").unwrap_err().to_string().contains("no pages"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]
    #[test]
    fn random_bytes_never_panic(tail in proptest::collection::vec(any::<u8>(), 0..600)) {
        let mut bytes = b"%PDF-1.4\n1 0 obj << /Type /Page /Contents 2 0 R >> endobj\n2 0 obj << /Length 9 >>\nstream\n".to_vec();
        bytes.extend(tail);
        let _ = pdf::extract_text(&bytes);
    }

    #[test]
    fn random_content_streams_never_panic(content in "[ -~\\n]{0,300}") {
        let _ = pdf::extract_text(&simple_pdf(&content));
    }
}

/// A one-page PDF: `fonts` is the page's /Font dictionary body, `objects` more objects (from
/// number 6), and the content stream is stored as given with `filter` (e.g. "/Filter /AHx").
fn pdf_with(fonts: &str, objects: &[&str], filter: &str, content: &[u8]) -> Vec<u8> {
    let mut pdf = format!(
        "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n\
         2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n\
         3 0 obj << /Type /Page /Parent 2 0 R /Resources << /Font << {fonts} >> >> /Contents 4 0 R >> endobj\n\
         4 0 obj << /Length {} {filter} >>\nstream\n",
        content.len()
    )
    .into_bytes();
    pdf.extend_from_slice(content);
    pdf.extend(b"\nendstream endobj\n");
    for (i, o) in objects.iter().enumerate() {
        pdf.extend(format!("{} 0 obj {o} endobj\n", i + 6).bytes());
    }
    pdf.extend(b"trailer << /Root 1 0 R >>\n%%EOF\n");
    pdf
}

#[test]
fn differences_arrays_give_pdftex_ligatures_and_accents() {
    // As pdfTeX writes Computer Modern: codes 12 and 13 are the fi and fl ligatures.
    let font = "<< /Type /Font /Subtype /Type1 /BaseFont /CMR10 /FirstChar 0 /Widths [] \
                /Encoding << /Type /Encoding /Differences [12 /fi /fl 39 /quoteright 123 /endash \
                200 /eacute /uni00FC /f_f_i /a.sc /g17] >> >>";
    let content = b"BT /F1 10 Tf 72 700 Td (speci\x0cc \x0cle \x0dow d\x27s) Tj 0 -12 Td (\xc8t\xc9 \xcaciency \x7b \xcb \xcc) Tj ET";
    let pdf = pdf_with(&format!("/F1 {font}"), &[], "", content);
    let text = pdf::extract_text(&pdf).unwrap();
    assert_eq!(text, "specific file flow d\u{2019}s\n\u{e9}t\u{fc} fficiency \u{2013} a \u{cc}");
    // A named base encoding alone (MacRoman: 0x8E is e acute).
    let pdf =
        pdf_with("/F1 << /Subtype /TrueType /Encoding /MacRomanEncoding >>", &[], "", b"BT /F1 10 Tf (caf\x8e) Tj ET");
    assert_eq!(pdf::extract_text(&pdf).unwrap(), "caf\u{e9}");
}

#[test]
fn words_in_separate_text_blocks_on_one_baseline_are_spaced() {
    // Each word its own BT block, placed by Tm after the previous word's width (Helvetica's
    // widths: W 944, h 556, a 556, t 278, i 222, s 500, ? 556, space 278).
    let font = "/F1 << /Subtype /Type1 /BaseFont /Helvetica /FirstChar 32 /Widths [278 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 \
                0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 556 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 944 0 0 0 0 0 0 0 0 0 \
                556 0 0 0 0 0 0 556 222 0 0 0 0 0 0 0 0 0 500 278] >>";
    let content = b"BT /F1 10 Tf 1 0 0 1 72 700 Tm (What) Tj ET BT /F1 10 Tf 1 0 0 1 98.12 700 Tm (is) Tj ET \
                    BT /F1 10 Tf 1 0 0 1 108.1 700 Tm (this?) Tj ET BT /F1 10 Tf 1 0 0 1 72 686 Tm (Next) Tj ET";
    assert_eq!(pdf::extract_text(&pdf_with(font, &[], "", content)).unwrap(), "What is this?\nNext");
    // Letters placed one by one (glyph positioning) are not split.
    let content = b"BT /F1 10 Tf 1 0 0 1 72 700 Tm (W) Tj ET BT /F1 10 Tf 1 0 0 1 81.44 700 Tm (hat) Tj ET";
    assert_eq!(pdf::extract_text(&pdf_with(font, &[], "", content)).unwrap(), "What");
}

#[test]
fn restoring_the_graphics_state_restores_the_font() {
    // /F2 maps code 0x4A to a star; after Q the page's font is /F1 again.
    let fonts = "/F1 << /Subtype /Type1 /BaseFont /Helvetica >> /F2 << /Subtype /Type1 /ToUnicode 6 0 R >>";
    let cmap = "<< /Length 60 >>\nstream\n1 begincodespacerange <00> <FF> endcodespacerange 1 beginbfchar <4A> <2605> endbfchar\nendstream";
    let content = b"BT /F1 10 Tf 72 700 Td q /F2 10 Tf (J) Tj Q 0 -12 Td (Jakarta) Tj ET";
    assert_eq!(pdf::extract_text(&pdf_with(fonts, &[cmap], "", content)).unwrap(), "\u{2605}\nJakarta");
}

#[test]
fn ascii_hex_ascii85_and_lzw_streams_are_read() {
    let font = "/F1 << /Subtype /Type1 /BaseFont /Helvetica >>";
    let content = b"BT /F1 10 Tf 72 700 Td (Filtered text) Tj ET";
    let hex: String = content.iter().map(|b| format!("{b:02X} ")).collect::<String>() + ">";
    let pdf = pdf_with(font, &[], "/Filter /ASCIIHexDecode", hex.as_bytes());
    assert_eq!(pdf::extract_text(&pdf).unwrap(), "Filtered text");
    // ASCII85 over Flate, a filter chain (as some producers write).
    let z = miniz_oxide::deflate::compress_to_vec_zlib(content, 6);
    let pdf = pdf_with(font, &[], "/Filter [/A85 /Fl]", &ascii85(&z));
    assert_eq!(pdf::extract_text(&pdf).unwrap(), "Filtered text");
    // LZW (the decoder itself is checked on the PDF reference's example in filters.rs).
    let pdf = pdf_with(font, &[], "/Filter /LZWDecode", &lzw_for(content));
    assert_eq!(pdf::extract_text(&pdf).unwrap(), "Filtered text");
}

fn ascii85(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for chunk in data.chunks(4) {
        let mut b = [0u8; 4];
        b[..chunk.len()].copy_from_slice(chunk);
        let mut v = u32::from_be_bytes(b);
        let mut digits = [0u8; 5];
        for d in digits.iter_mut().rev() {
            *d = (v % 85) as u8 + b'!';
            v /= 85;
        }
        out.extend_from_slice(&digits[..chunk.len() + 1]);
    }
    out.extend_from_slice(b"~>");
    out
}

/// LZW with 9-bit codes only (short inputs): a clear code, the bytes as literals, the end code.
fn lzw_for(data: &[u8]) -> Vec<u8> {
    // Literal codes only: each byte its own code, then 257. The table grows as the decoder
    // reads, but 9-bit codes hold while it stays under 511 entries.
    assert!(data.len() < 250);
    let mut bits: Vec<bool> = Vec::new();
    for code in std::iter::once(256u16).chain(data.iter().map(|b| u16::from(*b))).chain(std::iter::once(257)) {
        for i in (0..9).rev() {
            bits.push(code >> i & 1 == 1);
        }
    }
    bits.chunks(8).map(|b| b.iter().enumerate().fold(0u8, |a, (i, &x)| a | (u8::from(x) << (7 - i)))).collect()
}

#[test]
fn right_to_left_text_comes_out_in_logical_order() {
    // A Hebrew font whose codes 0x61.. are the letters; the page draws "שלום עולם" visually,
    // leftmost glyph first, as producers do.
    let cmap = "<< /Length 150 >>\nstream\n1 begincodespacerange <00> <FF> endcodespacerange \
                5 beginbfchar <61> <05E9> <62> <05DC> <63> <05D5> <64> <05DD> <65> <05E2> endbfchar\nendstream";
    let fonts = "/F1 << /Subtype /TrueType /ToUnicode 6 0 R >>";
    // Visual: ם ל ו ע   ם ו ל ש  →  d b c e (space) d c b a.
    let content = b"BT /F1 10 Tf 72 700 Td (dbce dcba) Tj ET";
    assert_eq!(
        pdf::extract_text(&pdf_with(fonts, &[cmap], "", content)).unwrap(),
        "\u{5e9}\u{5dc}\u{5d5}\u{5dd} \u{5e2}\u{5d5}\u{5dc}\u{5dd}"
    );
}

#[test]
fn permissions_only_encryption_opens_with_the_empty_password() {
    // Made by pypdf 7.1 (PyPI) from a plain one-page file: owner password set, user password
    // empty, one file per method: RC4 40 and 128-bit (R2, R3), AES-128 (R4), AES-256 (R5, R6).
    for name in ["rc4-40", "rc4-128", "aes-128", "aes-256-r5", "aes-256"] {
        let bytes = std::fs::read(format!("tests/fixtures/encrypted-{name}.pdf")).expect("fixture");
        assert_eq!(
            pdf::extract_text(&bytes).as_deref(),
            Ok("Permissions only: the text is readable\nSecond line (with parentheses)"),
            "{name}"
        );
    }
    // A real user password is not guessed: the file is refused with a reason.
    let bytes = std::fs::read("tests/fixtures/encrypted-aes-128-password.pdf").expect("fixture");
    let err = extract_text("locked.pdf", &bytes).unwrap_err().to_string();
    assert!(err.contains("protected by a password"), "{err}");
}

#[test]
fn a_simple_font_keeps_one_byte_codes_whatever_its_map_declares() {
    // Found in pypdf's issue-914 file (Microsoft Word): a TrueType font's ToUnicode map declares
    // a two-byte code space over one-byte entries; read as two-byte codes, numbers vanished.
    let cmap = "<< /Length 120 >>\nstream\n1 begincodespacerange <0000> <FFFF> endcodespacerange \
                3 beginbfchar <30> <0030> <32> <0032> <33> <0033> endbfchar\nendstream";
    let fonts = "/F1 << /Subtype /TrueType /Encoding /WinAnsiEncoding /ToUnicode 6 0 R >>";
    let content = b"BT /F1 9 Tf 72 700 Td (302000) Tj ET";
    assert_eq!(pdf::extract_text(&pdf_with(fonts, &[cmap], "", content)).unwrap(), "302000");
}

#[test]
fn rotated_text_keeps_its_lines() {
    // Text drawn upwards (rotated 90 degrees), one glyph per Tj as some producers do.
    let font = "/F1 << /Subtype /Type1 /BaseFont /Helvetica /FirstChar 65 /Widths [600 600 600] >>";
    let content =
        b"BT /F1 10 Tf 0 1 -1 0 100 100 Tm (A) Tj (B) Tj (C) Tj ET BT /F1 10 Tf 0 1 -1 0 114 100 Tm (CBA) Tj ET";
    assert_eq!(pdf::extract_text(&pdf_with(font, &[], "", content)).unwrap(), "ABC\nCBA");
}

#[test]
fn a_form_shows_text_in_the_font_set_before_it_was_drawn() {
    // The text state is part of the graphics state a form XObject starts from.
    let pdf = "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n\
        2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n\
        3 0 obj << /Type /Page /Parent 2 0 R /Resources << /Font << /F1 5 0 R >> /XObject << /X1 6 0 R >> >> /Contents 4 0 R >> endobj\n\
        4 0 obj << /Length 22 >>\nstream\n/F1 10 Tf 1 0 0 1 0 0 cm /X1 Do\nendstream endobj\n\
        5 0 obj << /Subtype /Type1 /ToUnicode 7 0 R >> endobj\n\
        6 0 obj << /Subtype /Form /Length 19 >>\nstream\nBT 72 700 Td (x) Tj ET\nendstream endobj\n\
        7 0 obj << /Length 90 >>\nstream\n1 begincodespacerange <00> <FF> endcodespacerange 1 beginbfchar <78> <2605> endbfchar\nendstream endobj\n\
        trailer << /Root 1 0 R >>\n%%EOF\n";
    assert_eq!(pdf::extract_text(pdf.as_bytes()).unwrap(), "\u{2605}");
}
