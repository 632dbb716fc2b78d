//! Invariant: every browser storage key lives in `src/ui/platform/storage_keys.rs`. No other UI module
//! spells a key or key prefix out (a second spelling drifts, and a record then "disappears").

use std::path::Path;

/// The start of every stored name: localStorage/sessionStorage keys and IndexedDB names.
const NAMES: [&str; 5] = ["\"chainboard.", "\"knowledge.", "\"media.", "\"media-meta.", "\"kv\""];

#[test]
fn storage_keys_are_spelled_only_in_storage_keys_rs() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/ui");
    let mut offenders = Vec::new();
    let mut files = 0;
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("src/ui is readable") {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") || path.ends_with("storage_keys.rs") {
                continue;
            }
            files += 1;
            let text = std::fs::read_to_string(&path).expect("readable source");
            for (n, line) in text.lines().enumerate() {
                if NAMES.iter().any(|k| line.contains(k)) {
                    offenders.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
                }
            }
        }
    }
    assert!(files > 20, "expected the UI sources, found {files}");
    assert!(offenders.is_empty(), "storage keys outside ui::platform::storage_keys:\n{}", offenders.join("\n"));
}
