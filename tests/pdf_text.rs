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
