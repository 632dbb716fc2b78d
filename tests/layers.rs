//! Invariant: the top-level modules of src/domain form layers. A module may import modules of
//! its own layer or of lower layers, never of a higher one, and there is no import circle between
//! top-level modules (not even inside one layer). See docs/ARCHITECTURE.md, "Layers".
//!
//! The graph is read from the sources by tests/layer_graph (shared with tests/ui_layers.rs, which
//! checks the folders of src/ui the same way).
//!
//! `cargo test --test layers -- --ignored --nocapture` prints the whole graph and its strongly
//! connected components.

mod layer_graph;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use layer_graph::{cycles, imports_of, module_path, problems, Import, Tree};

const DOMAIN: Tree = Tree { name: "domain", test: "tests/layers.rs" };

/// The layers, lowest first (docs/ARCHITECTURE.md, "Layers", says why each module is where it
/// is). A module may import modules of its own layer or of lower layers only. A new top-level
/// module must be added here, or this test fails.
const LAYERS: &[(&str, &[&str])] = &[
    // Helpers that know nothing of the product: hashing, CSV, base64, formatting, vectors, ciphers.
    // `stored` is the versioned envelope of browser records (serde only).
    ("util", &["util", "utf8", "time", "stored"]),
    // Text and JSON on their own: templates, JSON views and schemas, markdown, personal data.
    ("text", &["template", "json_view", "json_schema", "markdown", "privacy", "explain"]),
    // What flows work on, without flows: media values, documents and search, sample answers.
    ("content", &["media", "retrieval", "sample"]),
    // Talking to models: wire formats, streams, errors, which provider takes which media, prices.
    // `preferences`: provider settings, run limits and approved tool hosts as stored.
    ("providers", &["providers", "pricing", "preferences"]),
    // The flow and its blocks (whose settings name providers, media and search modes), and what
    // edits, checks and lays out a flow.
    ("flow", &["blocks", "flow", "graph", "change", "layout", "auto_layout", "validate", "examples", "workspace"]),
    // What a run uses besides the flow: tool calls, chat turns, recordings.
    ("run_parts", &["tools", "conversation", "recording"]),
    // The sans-IO run engine.
    ("engine", &["engine"]),
    // Test cases, checks, eval runs and their statistics.
    ("evals", &["evals"]),
    // What is saved, shared and exported: the flow file (flow + evals + knowledge + media refs),
    // versions, share and feedback links, clipboard, the template gallery, the app view, code.
    (
        "bundle",
        &["bundle", "flow_file", "versions", "share", "feedback", "clipboard", "templates", "try_it", "export_code"],
    ),
];

/// Known upward edges not yet removed: (from, to, reason). Empty: the layering is complete.
const ALLOWED_UPWARD: &[(&str, &str, &str)] = &[];

// ---------------------------------------------------------------------------------------------
// Tests

#[test]
#[ignore = "a report, not a check: cargo test --test layers -- --ignored --nocapture"]
fn print_the_domain_graph() {
    let (modules, imports) = layer_graph::graph("domain");
    println!("{} top-level modules, {} import sites", modules.len(), imports.len());
    let mut edges: BTreeMap<(&str, &str), Vec<String>> = BTreeMap::new();
    for e in &imports {
        edges.entry((&e.from, &e.to)).or_default().push(format!("{}:{}", e.file, e.line));
    }
    for ((f, t), sites) in &edges {
        println!("{f} -> {t}    ({} sites; {})", sites.len(), sites[0]);
    }
    for comp in cycles(&modules, &imports) {
        println!("SCC of {}: {}", comp.len(), comp.join(" "));
    }
}

#[test]
fn domain_modules_import_only_their_own_layer_or_lower() {
    let (modules, imports) = layer_graph::graph("domain");
    assert!(modules.len() >= 10, "expected the domain modules, found {modules:?}");
    assert!(!imports.is_empty(), "expected imports between domain modules");
    let found = problems(&DOMAIN, &modules, &imports, LAYERS, ALLOWED_UPWARD);
    assert!(found.is_empty(), "src/domain layering broken:\n{}", found.join("\n"));
}

#[cfg(test)]
mod checker {
    use super::*;

    fn graph(files: &[(&str, &str)]) -> (BTreeSet<String>, Vec<Import>) {
        let mut modules = BTreeSet::new();
        let mut imports = Vec::new();
        for (rel, src) in files {
            modules.insert(module_path("domain", Path::new(rel))[1].clone());
            imports.extend(imports_of("domain", Path::new(rel), src));
        }
        (modules, imports)
    }

    const TWO: &[(&str, &[&str])] = &[("low", &["low"]), ("high", &["high"])];

    #[test]
    fn reads_every_kind_of_path() {
        let src = "
            // use crate::domain::commented::X;
            /* crate::domain::blocked::Y */
            use crate::domain::{alpha, beta::B, gamma::{self, C}};
            use super::delta::D;
            fn f() { let s = \"crate::domain::stringy::Z\"; crate::domain::qualified::f(s); }
            mod tests {
                use super::*;
                use super::super::super::epsilon::E;
                use super::super::inside::I;
                use crate::domain::own_module::x;
            }
        ";
        let found: BTreeSet<String> =
            imports_of("domain", Path::new("own_module/file.rs"), src).into_iter().map(|e| e.to).collect();
        let expected: BTreeSet<String> =
            ["alpha", "beta", "gamma", "qualified", "epsilon"].iter().map(|s| s.to_string()).collect();
        assert_eq!(found, expected);
        // In a top-level file, `super::` already names a sibling.
        let flat: Vec<String> = imports_of("domain", Path::new("one.rs"), "use super::two::T;\nfn x() -> char { 'a' }")
            .into_iter()
            .map(|e| format!("{}->{}@{}", e.from, e.to, e.line))
            .collect();
        assert_eq!(flat, ["one->two@1"]);
    }

    #[test]
    fn catches_a_synthetic_upward_import() {
        let (modules, imports) = graph(&[("low.rs", "\n\nuse super::high::Thing;"), ("high.rs", "use super::low::X;")]);
        let found = problems(&DOMAIN, &modules, &imports, TWO, &[]);
        assert_eq!(found.len(), 2, "{found:#?}"); // the upward edge, and the circle it closes
        assert!(found[0].contains("src/domain/low.rs:3: low (layer 0 low) imports high (layer 1 high)"), "{found:#?}");
        assert!(found[1].starts_with("import circle between high, low"), "{found:#?}");
        // Allowing the edge leaves the circle reported.
        let allowed = problems(&DOMAIN, &modules, &imports, TWO, &[("low", "high", "test")]);
        assert_eq!(allowed.len(), 1, "{allowed:#?}");
        // Without the upward import all is well.
        let (modules, imports) = graph(&[("low.rs", ""), ("high.rs", "use crate::domain::low::X;")]);
        assert!(problems(&DOMAIN, &modules, &imports, TWO, &[]).is_empty());
    }

    #[test]
    fn catches_a_synthetic_cycle_inside_one_layer() {
        let (modules, imports) = graph(&[
            ("a/mod.rs", "use crate::domain::b::B;"),
            ("b.rs", "fn f() { super::c::g() }"),
            ("c/inner.rs", "use super::super::a::A;"),
        ]);
        let one: &[(&str, &[&str])] = &[("all", &["a", "b", "c"])];
        let found = problems(&DOMAIN, &modules, &imports, one, &[]);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(found[0].starts_with("import circle between a, b, c"), "{found:#?}");
        assert_eq!(cycles(&modules, &imports), vec![vec!["a".to_string(), "b".into(), "c".into()]]);
    }

    #[test]
    fn an_unassigned_module_fails_with_a_hint() {
        let (modules, imports) = graph(&[("low.rs", ""), ("newcomer.rs", "")]);
        let found = problems(&DOMAIN, &modules, &imports, TWO, &[]);
        assert!(found.iter().any(|p| p.contains("newcomer") && p.contains("add it to LAYERS")), "{found:#?}");
        assert!(found.iter().any(|p| p.contains("LAYERS names `high`")), "{found:#?}");
    }
}
