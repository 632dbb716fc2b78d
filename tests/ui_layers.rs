//! Invariant: the feature folders of src/ui form layers. A folder may import folders of its own
//! layer or of lower layers, never of a higher one, and no folders form an import circle (not
//! even inside one layer). Files inside one folder may import each other freely. See
//! docs/ARCHITECTURE.md, "UI layers".
//!
//! The graph is read from the sources by tests/layer_graph, as tests/layers.rs reads src/domain:
//! every `.rs` file under src/ui belongs to the folder named by its first path component, and
//! every `super::`, `crate::ui::…` or `$crate::ui::…` path that reaches another folder counts.
//!
//! `cargo test --test ui_layers -- --ignored --nocapture` prints the whole graph.

mod layer_graph;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use layer_graph::{imports_of, module_path, problems, Import, Tree};

const UI: Tree = Tree { name: "ui", test: "tests/ui_layers.rs" };

/// The layers, lowest first (docs/ARCHITECTURE.md, "UI layers", says why each folder is where
/// it is). A new folder must be added here, or this test fails.
const LAYERS: &[(&str, &[&str])] = &[
    // Browser APIs: storage, clock, events, IndexedDB, media files, the in-browser model's JS.
    ("platform", &["platform"]),
    // Widgets any feature may use: icons, dialog shell, menus, markdown, lazy loading.
    ("widgets", &["widgets"]),
    // The open flow's state (editor, session, settings) and the knowledge base.
    ("state", &["state", "knowledge"]),
    // Running the flow: the Runner, transport, approvals, what was sent.
    ("run", &["run"]),
    // Features over a run: the Settings dialog, the inspector, the canvas.
    ("features", &["settings", "inspector", "canvas"]),
    // Evaluate, which uses the inspector's value widgets and the run.
    ("evals", &["evals"]),
    // What reads or writes a whole flow with its evals: share, files, chat (saves test cases).
    ("share", &["share", "chat"]),
    // The shell puts every feature on the page.
    ("shell", &["shell"]),
];

/// Known upward edges not yet removed: (from, to, reason).
const ALLOWED_UPWARD: &[(&str, &str, &str)] = &[];

fn ui_graph() -> (BTreeSet<String>, Vec<Import>) {
    layer_graph::graph("ui")
}

#[test]
#[ignore = "a report, not a check: cargo test --test ui_layers -- --ignored --nocapture"]
fn print_the_ui_graph() {
    let (modules, imports) = ui_graph();
    println!("{} folders, {} import sites", modules.len(), imports.len());
    let mut edges: BTreeMap<(&str, &str), Vec<String>> = BTreeMap::new();
    for e in &imports {
        edges.entry((&e.from, &e.to)).or_default().push(format!("{}:{}", e.file, e.line));
    }
    for ((f, t), sites) in &edges {
        println!("{f} -> {t}    ({} sites; {})", sites.len(), sites.join(", "));
    }
    for comp in layer_graph::cycles(&modules, &imports) {
        println!("SCC of {}: {}", comp.len(), comp.join(" "));
    }
}

#[test]
fn ui_folders_import_only_their_own_layer_or_lower() {
    let (modules, imports) = ui_graph();
    assert!(modules.len() >= 8, "expected the UI feature folders, found {modules:?}");
    assert!(!imports.is_empty(), "expected imports between UI folders");
    let found = problems(&UI, &modules, &imports, LAYERS, ALLOWED_UPWARD);
    assert!(found.is_empty(), "src/ui layering broken:\n{}", found.join("\n"));
}

#[test]
fn every_ui_file_is_in_a_feature_folder() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/ui");
    let loose: Vec<String> = std::fs::read_dir(&root)
        .expect("src/ui is readable")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.is_file() && p.file_name().is_some_and(|n| n != "mod.rs"))
        .map(|p| p.display().to_string())
        .collect();
    assert!(loose.is_empty(), "files directly in src/ui (move each into a feature folder): {loose:?}");
}

mod checker {
    use super::*;

    fn graph(files: &[(&str, &str)]) -> (BTreeSet<String>, Vec<Import>) {
        let mut modules = BTreeSet::new();
        let mut imports = Vec::new();
        for (rel, src) in files {
            modules.insert(module_path("ui", Path::new(rel))[1].clone());
            imports.extend(imports_of("ui", Path::new(rel), src));
        }
        (modules, imports)
    }

    const TWO: &[(&str, &[&str])] = &[("low", &["low"]), ("high", &["high"])];

    #[test]
    fn catches_a_synthetic_upward_import_between_folders() {
        // A file of the low folder names the high folder three ways: a `use` line, a path in
        // code, and a `$crate` path in a macro; `super::` to a sibling file stays inside.
        let (modules, imports) = graph(&[
            ("low/a.rs", "use super::b::B;\nuse crate::ui::high::x::X;\nfn f() { crate::ui::high::y::g() }"),
            ("low/b.rs", "macro_rules! m { () => { $crate::ui::high::z::Z } }"),
            ("high/x.rs", "use crate::ui::low::a::A;\nuse super::y::Y;"),
        ]);
        let found = problems(&UI, &modules, &imports, TWO, &[]);
        let upward: Vec<&String> = found.iter().filter(|p| p.contains("an upward import")).collect();
        assert_eq!(upward.len(), 3, "{found:#?}");
        assert!(upward[0].contains("src/ui/low/a.rs:2: low (layer 0 low) imports high (layer 1 high)"), "{found:#?}");
        assert!(found.iter().any(|p| p.starts_with("import circle between high, low")), "{found:#?}");
        // Allowing the edge leaves the circle reported.
        let allowed = problems(&UI, &modules, &imports, TWO, &[("low", "high", "test")]);
        assert_eq!(allowed.len(), 1, "{allowed:#?}");
        // Downward only: all is well.
        let (modules, imports) = graph(&[("low/a.rs", "use super::b::B;"), ("high/x.rs", "use crate::ui::low::a::A;")]);
        assert!(problems(&UI, &modules, &imports, TWO, &[]).is_empty());
    }

    #[test]
    fn catches_a_circle_inside_one_layer_and_an_unassigned_folder() {
        let (modules, imports) = graph(&[
            ("a/one.rs", "use crate::ui::b::two::T;"),
            ("b/two.rs", "fn f() { super::super::a::one::g() }"),
            ("newcomer/three.rs", ""),
        ]);
        let one: &[(&str, &[&str])] = &[("all", &["a", "b"])];
        let found = problems(&UI, &modules, &imports, one, &[]);
        assert!(found.iter().any(|p| p.starts_with("import circle between a, b")), "{found:#?}");
        assert!(
            found.iter().any(|p| p.contains("src/ui/newcomer") && p.contains("add it to LAYERS in tests/ui_layers.rs")),
            "{found:#?}"
        );
    }

    #[test]
    fn the_real_layers_name_every_folder_once() {
        let (modules, _) = ui_graph();
        let named: Vec<&str> = LAYERS.iter().flat_map(|(_, m)| m.iter().copied()).collect();
        let unique: BTreeSet<&str> = named.iter().copied().collect();
        assert_eq!(named.len(), unique.len(), "a folder is in two layers");
        assert_eq!(unique, modules.iter().map(String::as_str).collect(), "LAYERS and src/ui's folders differ");
    }
}
