//! Invariant: src/domain is pure Rust. It must not name a browser crate, so it builds and
//! tests on the host and stays sans-IO.

use std::path::Path;

const FORBIDDEN: [&str; 5] = ["leptos", "web_sys", "js_sys", "gloo", "wasm_bindgen"];

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src/domain is readable") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// True when `word` appears as a whole identifier in `text`.
fn mentions(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        let is_ident = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        !is_ident(before) && !is_ident(after)
    })
}

#[test]
fn domain_uses_no_browser_crate() {
    let mut files = Vec::new();
    rust_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src/domain"), &mut files);
    assert!(files.len() >= 5, "expected the domain sources, found {files:?}");
    let mut offenders = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).expect("readable source");
        for word in FORBIDDEN {
            if mentions(&text, word) {
                offenders.push(format!("{} mentions {word}", f.display()));
            }
        }
    }
    assert!(offenders.is_empty(), "src/domain must stay pure: {offenders:#?}");
}

#[test]
fn the_checker_itself_catches_a_mention() {
    assert!(mentions("use web_sys::Window;", "web_sys"));
    assert!(mentions("leptos::prelude", "leptos"));
    assert!(!mentions("my_leptos_like", "leptos"));
}
