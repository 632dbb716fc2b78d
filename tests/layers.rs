//! Invariant: the top-level modules of src/domain form layers. A module may import modules of
//! its own layer or of lower layers, never of a higher one, and there is no import circle between
//! top-level modules (not even inside one layer). See docs/ARCHITECTURE.md, "Layers".
//!
//! The graph is read from the sources, not from the compiler: every `.rs` file under src/domain
//! belongs to the top-level module named by its first path component (`blocks/tool.rs` →
//! `blocks`, `markdown/entities.rs` → `markdown`), and every path that reaches another top-level
//! module counts, wherever it is written: `use` lines, brace groups (`crate::domain::{flow, graph::x}`),
//! `super::` chains that climb out of a folder module (inline `mod tests { … }` blocks included),
//! and fully qualified paths in code. Comments, strings and char literals are skipped.
//!
//! `cargo test --test layers -- --ignored --nocapture` prints the whole graph and its strongly
//! connected components.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

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
// Reading the sources

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    PathSep,
    Open,
    Close,
    Comma,
    Star,
    Other,
}

/// Tokens with their 1-based line. Comments, string/char literals and lifetimes are dropped.
fn tokenize(src: &str) -> Vec<(Tok, usize)> {
    let c: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut line = 1;
    let mut i = 0;
    let n = c.len();
    let count_lines = |from: usize, to: usize| c[from..to.min(n)].iter().filter(|&&ch| ch == '\n').count();
    while i < n {
        let ch = c[i];
        if ch == '\n' {
            line += 1;
            i += 1;
        } else if ch.is_whitespace() {
            i += 1;
        } else if ch == '/' && c.get(i + 1) == Some(&'/') {
            while i < n && c[i] != '\n' {
                i += 1;
            }
        } else if ch == '/' && c.get(i + 1) == Some(&'*') {
            let start = i;
            let mut depth = 0;
            while i < n {
                if c[i] == '/' && c.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if c[i] == '*' && c.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            line += count_lines(start, i);
        } else if ch == '"' {
            let start = i;
            i += 1;
            while i < n && c[i] != '"' {
                i += if c[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
            line += count_lines(start, i);
        } else if (ch == 'r' || (ch == 'b' && c.get(i + 1) == Some(&'r')))
            && {
                let mut j = i + if ch == 'b' { 2 } else { 1 };
                while j < n && c[j] == '#' {
                    j += 1;
                }
                c.get(j) == Some(&'"')
            }
            && (i == 0 || !(c[i - 1].is_alphanumeric() || c[i - 1] == '_'))
        {
            // Raw string: r"…", r#"…"#, br#"…"#.
            let start = i;
            i += if ch == 'b' { 2 } else { 1 };
            let mut hashes = 0;
            while c[i] == '#' {
                hashes += 1;
                i += 1;
            }
            i += 1;
            loop {
                if i >= n {
                    break;
                }
                if c[i] == '"' && (0..hashes).all(|k| c.get(i + 1 + k) == Some(&'#')) {
                    i += 1 + hashes;
                    break;
                }
                i += 1;
            }
            line += count_lines(start, i);
        } else if ch == '\'' {
            // A char literal ('a', '\n', '\u{1F600}', '"') or a lifetime ('a, 'static).
            if c.get(i + 1) == Some(&'\\') {
                i += 2;
                while i < n && c[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if c.get(i + 2) == Some(&'\'') {
                i += 3;
            } else {
                i += 1;
                while i < n && (c[i].is_alphanumeric() || c[i] == '_') {
                    i += 1;
                }
            }
        } else if ch.is_alphabetic() || ch == '_' {
            let start = i;
            while i < n && (c[i].is_alphanumeric() || c[i] == '_') {
                i += 1;
            }
            let word: String = c[start..i].iter().collect();
            // b"…" byte strings: the `b` is a prefix, the string follows.
            if (word == "b" || word == "c") && c.get(i) == Some(&'"') {
                continue;
            }
            if (word == "b") && c.get(i) == Some(&'\'') {
                continue;
            }
            out.push((Tok::Ident(word.strip_prefix("r#").unwrap_or(&word).to_string()), line));
        } else if ch.is_ascii_digit() {
            while i < n && (c[i].is_alphanumeric() || c[i] == '_' || c[i] == '.') {
                if c[i] == '.' && c.get(i + 1) == Some(&'.') {
                    break;
                }
                i += 1;
            }
            out.push((Tok::Other, line));
        } else if ch == ':' && c.get(i + 1) == Some(&':') {
            out.push((Tok::PathSep, line));
            i += 2;
        } else {
            out.push((
                match ch {
                    '{' => Tok::Open,
                    '}' => Tok::Close,
                    ',' => Tok::Comma,
                    '*' => Tok::Star,
                    _ => Tok::Other,
                },
                line,
            ));
            i += 1;
        }
    }
    out
}

/// One import of another top-level module.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Import {
    from: String,
    to: String,
    file: String,
    line: usize,
}

/// Expands the use-tree or path that starts at `toks[i]` (whose prefix has already been resolved
/// to `base`) into the absolute paths it names; returns them and the index after the tree.
fn expand(toks: &[(Tok, usize)], mut i: usize, base: Vec<String>, out: &mut Vec<(Vec<String>, usize)>) -> usize {
    let mut path = base;
    loop {
        // Here a segment is expected.
        match toks.get(i).map(|t| &t.0) {
            Some(Tok::Ident(w)) => {
                let line = toks[i].1;
                match w.as_str() {
                    "super" => {
                        path.pop();
                    }
                    "self" => {}
                    "crate" => path.clear(),
                    _ => path.push(w.clone()),
                }
                i += 1;
                if toks.get(i).map(|t| &t.0) == Some(&Tok::PathSep) {
                    i += 1;
                    continue;
                }
                out.push((path, line));
                return i;
            }
            Some(Tok::Open) => {
                i += 1;
                loop {
                    match toks.get(i).map(|t| &t.0) {
                        Some(Tok::Close) => return i + 1,
                        Some(Tok::Comma) => i += 1,
                        None => return i,
                        Some(_) => {
                            let before = i;
                            i = expand(toks, i, path.clone(), out);
                            // Skip `as name` and anything the tree does not describe.
                            while !matches!(toks.get(i).map(|t| &t.0), Some(Tok::Comma) | Some(Tok::Close) | None) {
                                i += 1;
                            }
                            if i == before {
                                i += 1;
                            }
                        }
                    }
                }
            }
            Some(Tok::Star) => {
                out.push((path, toks[i].1));
                return i + 1;
            }
            _ => {
                // `Vec::<T>` and the like: the path so far is what is named.
                let line = toks.get(i.saturating_sub(1)).map_or(0, |t| t.1);
                out.push((path, line));
                return i;
            }
        }
    }
}

/// The module path of a file relative to the crate root, e.g. `["domain", "blocks", "tool"]`.
fn module_path(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = vec!["domain".into()];
    let comps: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    for (k, comp) in comps.iter().enumerate() {
        if k + 1 == comps.len() {
            let stem = comp.strip_suffix(".rs").unwrap_or(comp);
            if stem != "mod" {
                parts.push(stem.to_string());
            }
        } else {
            parts.push(comp.clone());
        }
    }
    parts
}

/// Every import of another top-level module in one file. `rel` is the path under src/domain.
fn imports_of(rel: &Path, src: &str) -> Vec<Import> {
    let file_module = module_path(rel);
    let Some(top) = file_module.get(1).cloned() else {
        return Vec::new(); // src/domain/mod.rs only declares the modules.
    };
    let toks = tokenize(src);
    let mut inline: Vec<(String, usize)> = Vec::new(); // (name, brace depth at its `{`)
    let mut depth = 0usize;
    let mut found = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        match &toks[i].0 {
            Tok::Open => depth += 1,
            Tok::Close => {
                depth = depth.saturating_sub(1);
                if inline.last().is_some_and(|(_, d)| *d == depth) {
                    inline.pop();
                }
            }
            Tok::Ident(w) if w == "mod" => {
                if let (Some((Tok::Ident(name), _)), Some((Tok::Open, _))) = (toks.get(i + 1), toks.get(i + 2)) {
                    inline.push((name.clone(), depth));
                    depth += 1;
                    i += 3;
                    continue;
                }
            }
            Tok::Ident(w) if (w == "crate" || w == "super" || w == "self") => {
                let starts_path =
                    toks.get(i + 1).map(|t| &t.0) == Some(&Tok::PathSep) && (i == 0 || toks[i - 1].0 != Tok::PathSep);
                if starts_path {
                    let mut here = file_module.clone();
                    here.extend(inline.iter().map(|(n, _)| n.clone()));
                    let mut paths = Vec::new();
                    let next = expand(&toks, i, here, &mut paths);
                    for (p, line) in paths {
                        if p.len() >= 2 && p[0] == "domain" && p[1] != top {
                            found.push(Import {
                                from: top.clone(),
                                to: p[1].clone(),
                                file: format!("src/domain/{}", rel.display()),
                                line,
                            });
                        }
                    }
                    i = next.max(i + 1);
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    found
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src/domain is readable") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level modules (from the file tree) and every import between them.
fn domain_graph() -> (BTreeSet<String>, Vec<Import>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/domain");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    files.sort();
    let mut modules = BTreeSet::new();
    let mut imports = Vec::new();
    for f in files {
        let rel = f.strip_prefix(&root).expect("under src/domain").to_path_buf();
        if let Some(top) = module_path(&rel).get(1) {
            modules.insert(top.clone());
        }
        let src = std::fs::read_to_string(&f).expect("readable source");
        imports.extend(imports_of(&rel, &src));
    }
    imports.sort();
    imports.dedup();
    (modules, imports)
}

// ---------------------------------------------------------------------------------------------
// Graph checks

/// Strongly connected components with more than one module (Tarjan), largest first.
fn cycles(modules: &BTreeSet<String>, imports: &[Import]) -> Vec<Vec<String>> {
    let names: Vec<&String> = modules.iter().chain(imports.iter().flat_map(|e| [&e.from, &e.to])).collect();
    let names: Vec<String> = names.into_iter().cloned().collect::<BTreeSet<_>>().into_iter().collect();
    let index_of: BTreeMap<&str, usize> = names.iter().enumerate().map(|(k, n)| (n.as_str(), k)).collect();
    let mut adj = vec![BTreeSet::new(); names.len()];
    for e in imports {
        adj[index_of[e.from.as_str()]].insert(index_of[e.to.as_str()]);
    }
    struct T<'a> {
        adj: &'a [BTreeSet<usize>],
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        on: Vec<bool>,
        stack: Vec<usize>,
        next: usize,
        out: Vec<Vec<usize>>,
    }
    fn visit(t: &mut T, v: usize) {
        t.index[v] = Some(t.next);
        t.low[v] = t.next;
        t.next += 1;
        t.stack.push(v);
        t.on[v] = true;
        for &w in t.adj[v].iter() {
            match t.index[w] {
                None => {
                    visit(t, w);
                    t.low[v] = t.low[v].min(t.low[w]);
                }
                Some(iw) if t.on[w] => t.low[v] = t.low[v].min(iw),
                _ => {}
            }
        }
        if Some(t.low[v]) == t.index[v] {
            let mut comp = Vec::new();
            while let Some(w) = t.stack.pop() {
                t.on[w] = false;
                comp.push(w);
                if w == v {
                    break;
                }
            }
            t.out.push(comp);
        }
    }
    let n = names.len();
    let mut t =
        T { adj: &adj, index: vec![None; n], low: vec![0; n], on: vec![false; n], stack: vec![], next: 0, out: vec![] };
    for v in 0..n {
        if t.index[v].is_none() {
            visit(&mut t, v);
        }
    }
    let mut comps: Vec<Vec<String>> = t
        .out
        .into_iter()
        .filter(|c| c.len() > 1)
        .map(|c| {
            let mut c: Vec<String> = c.into_iter().map(|k| names[k].clone()).collect();
            c.sort();
            c
        })
        .collect();
    comps.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    comps
}

/// Everything wrong with the graph under the given layers, as one message per problem.
fn problems(
    modules: &BTreeSet<String>,
    imports: &[Import],
    layers: &[(&str, &[&str])],
    allowed: &[(&str, &str, &str)],
) -> Vec<String> {
    let mut layer_of: BTreeMap<&str, (usize, &str)> = BTreeMap::new();
    let mut out = Vec::new();
    for (k, (layer, members)) in layers.iter().enumerate() {
        for m in *members {
            if layer_of.insert(m, (k, layer)).is_some() {
                out.push(format!("tests/layers.rs: `{m}` is assigned to two layers"));
            }
        }
    }
    for m in modules {
        if !layer_of.contains_key(m.as_str()) {
            out.push(format!(
                "src/domain/{m} is a top-level module with no layer: add it to LAYERS in tests/layers.rs \
                 (and to the layer table in docs/ARCHITECTURE.md)"
            ));
        }
    }
    for m in layer_of.keys() {
        if !modules.contains(*m) {
            out.push(format!("tests/layers.rs: LAYERS names `{m}`, which is not a module of src/domain"));
        }
    }
    for e in imports {
        let (Some(&(lf, nf)), Some(&(lt, nt))) = (layer_of.get(e.from.as_str()), layer_of.get(e.to.as_str())) else {
            continue;
        };
        if lt > lf && !allowed.iter().any(|(f, t, _)| *f == e.from && *t == e.to) {
            out.push(format!(
                "{}:{}: {} (layer {lf} {nf}) imports {} (layer {lt} {nt}): an upward import",
                e.file, e.line, e.from, e.to
            ));
        }
    }
    for (f, t, _) in allowed {
        if !imports.iter().any(|e| e.from == *f && e.to == *t) {
            out.push(format!("tests/layers.rs: ALLOWED_UPWARD lists {f} -> {t}, which no longer exists: remove it"));
        }
    }
    for comp in cycles(modules, imports) {
        let members: BTreeSet<&str> = comp.iter().map(String::as_str).collect();
        let inside: Vec<String> = imports
            .iter()
            .filter(|e| members.contains(e.from.as_str()) && members.contains(e.to.as_str()))
            .map(|e| format!("  {}:{}: {} imports {}", e.file, e.line, e.from, e.to))
            .collect();
        out.push(format!("import circle between {}:\n{}", comp.join(", "), inside.join("\n")));
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Tests

#[test]
#[ignore = "a report, not a check: cargo test --test layers -- --ignored --nocapture"]
fn print_the_domain_graph() {
    let (modules, imports) = domain_graph();
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
    let (modules, imports) = domain_graph();
    assert!(modules.len() >= 10, "expected the domain modules, found {modules:?}");
    assert!(!imports.is_empty(), "expected imports between domain modules");
    let found = problems(&modules, &imports, LAYERS, ALLOWED_UPWARD);
    assert!(found.is_empty(), "src/domain layering broken:\n{}", found.join("\n"));
}

#[cfg(test)]
mod checker {
    use super::*;

    fn graph(files: &[(&str, &str)]) -> (BTreeSet<String>, Vec<Import>) {
        let mut modules = BTreeSet::new();
        let mut imports = Vec::new();
        for (rel, src) in files {
            modules.insert(module_path(Path::new(rel))[1].clone());
            imports.extend(imports_of(Path::new(rel), src));
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
            imports_of(Path::new("own_module/file.rs"), src).into_iter().map(|e| e.to).collect();
        let expected: BTreeSet<String> =
            ["alpha", "beta", "gamma", "qualified", "epsilon"].iter().map(|s| s.to_string()).collect();
        assert_eq!(found, expected);
        // In a top-level file, `super::` already names a sibling.
        let flat: Vec<String> = imports_of(Path::new("one.rs"), "use super::two::T;\nfn x() -> char { 'a' }")
            .into_iter()
            .map(|e| format!("{}->{}@{}", e.from, e.to, e.line))
            .collect();
        assert_eq!(flat, ["one->two@1"]);
    }

    #[test]
    fn catches_a_synthetic_upward_import() {
        let (modules, imports) = graph(&[("low.rs", "\n\nuse super::high::Thing;"), ("high.rs", "use super::low::X;")]);
        let found = problems(&modules, &imports, TWO, &[]);
        assert_eq!(found.len(), 2, "{found:#?}"); // the upward edge, and the circle it closes
        assert!(found[0].contains("src/domain/low.rs:3: low (layer 0 low) imports high (layer 1 high)"), "{found:#?}");
        assert!(found[1].starts_with("import circle between high, low"), "{found:#?}");
        // Allowing the edge leaves the circle reported.
        let allowed = problems(&modules, &imports, TWO, &[("low", "high", "test")]);
        assert_eq!(allowed.len(), 1, "{allowed:#?}");
        // Without the upward import all is well.
        let (modules, imports) = graph(&[("low.rs", ""), ("high.rs", "use crate::domain::low::X;")]);
        assert!(problems(&modules, &imports, TWO, &[]).is_empty());
    }

    #[test]
    fn catches_a_synthetic_cycle_inside_one_layer() {
        let (modules, imports) = graph(&[
            ("a/mod.rs", "use crate::domain::b::B;"),
            ("b.rs", "fn f() { super::c::g() }"),
            ("c/inner.rs", "use super::super::a::A;"),
        ]);
        let one: &[(&str, &[&str])] = &[("all", &["a", "b", "c"])];
        let found = problems(&modules, &imports, one, &[]);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(found[0].starts_with("import circle between a, b, c"), "{found:#?}");
        assert_eq!(cycles(&modules, &imports), vec![vec!["a".to_string(), "b".into(), "c".into()]]);
    }

    #[test]
    fn an_unassigned_module_fails_with_a_hint() {
        let (modules, imports) = graph(&[("low.rs", ""), ("newcomer.rs", "")]);
        let found = problems(&modules, &imports, TWO, &[]);
        assert!(found.iter().any(|p| p.contains("newcomer") && p.contains("add it to LAYERS")), "{found:#?}");
        assert!(found.iter().any(|p| p.contains("LAYERS names `high`")), "{found:#?}");
    }
}
