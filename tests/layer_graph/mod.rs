//! The import graph between the top-level modules of one source tree (src/domain, src/ui), read
//! from the sources, and the checks on it: layers, allowed upward edges, circles. Shared by
//! tests/layers.rs and tests/ui_layers.rs (each includes it with `mod layer_graph;`).
//!
//! The graph is read from the sources, not from the compiler: every `.rs` file under src/<tree>
//! belongs to the top-level module named by its first path component (`blocks/tool.rs` →
//! `blocks`, `markdown/entities.rs` → `markdown`), and every path that reaches another top-level
//! module counts, wherever it is written: `use` lines, brace groups (`crate::domain::{flow, graph::x}`),
//! `super::` chains that climb out of a folder module (inline `mod tests { … }` blocks included),
//! and fully qualified paths in code (`$crate::ui::…` in macros too). Comments, strings and char
//! literals are skipped.

#![allow(dead_code)] // each test crate uses its own part of it

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    Ident(String),
    PathSep,
    Open,
    Close,
    Comma,
    Star,
    Other,
}

/// Tokens with their 1-based line. Comments, string/char literals and lifetimes are dropped.
pub fn tokenize(src: &str) -> Vec<(Tok, usize)> {
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
pub struct Import {
    pub from: String,
    pub to: String,
    pub file: String,
    pub line: usize,
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

/// The module path of a file relative to the crate root, e.g. `["domain", "blocks", "tool"]` for
/// `blocks/tool.rs` under the tree `domain`.
pub fn module_path(tree: &str, rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = vec![tree.into()];
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

/// Every import of another top-level module in one file. `rel` is the path under src/<tree>.
pub fn imports_of(tree: &str, rel: &Path, src: &str) -> Vec<Import> {
    let file_module = module_path(tree, rel);
    let Some(top) = file_module.get(1).cloned() else {
        return Vec::new(); // src/<tree>/mod.rs only declares the modules.
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
                        if p.len() >= 2 && p[0] == tree && p[1] != top {
                            found.push(Import {
                                from: top.clone(),
                                to: p[1].clone(),
                                file: format!("src/{tree}/{}", rel.display()),
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
    for entry in std::fs::read_dir(dir).expect("the source tree is readable") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level modules of src/<tree> (from the file tree) and every import between them.
pub fn graph(tree: &str) -> (BTreeSet<String>, Vec<Import>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src").join(tree);
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    files.sort();
    let mut modules = BTreeSet::new();
    let mut imports = Vec::new();
    for f in files {
        let rel = f.strip_prefix(&root).expect("under the tree").to_path_buf();
        if let Some(top) = module_path(tree, &rel).get(1) {
            modules.insert(top.clone());
        }
        let src = std::fs::read_to_string(&f).expect("readable source");
        imports.extend(imports_of(tree, &rel, &src));
    }
    imports.sort();
    imports.dedup();
    (modules, imports)
}

// Graph checks

/// Strongly connected components with more than one module (Tarjan), largest first.
pub fn cycles(modules: &BTreeSet<String>, imports: &[Import]) -> Vec<Vec<String>> {
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

/// Which tree a check reads and which test file holds its layer table (for the messages).
pub struct Tree {
    /// The folder under src/ (and the module under `crate::`): "domain" or "ui".
    pub name: &'static str,
    /// The test file with `LAYERS` and `ALLOWED_UPWARD`, named in the messages.
    pub test: &'static str,
}

/// Everything wrong with the graph under the given layers, as one message per problem.
pub fn problems(
    tree: &Tree,
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
                out.push(format!("{}: `{m}` is assigned to two layers", tree.test));
            }
        }
    }
    for m in modules {
        if !layer_of.contains_key(m.as_str()) {
            out.push(format!(
                "src/{}/{m} is a top-level module with no layer: add it to LAYERS in {} \
                 (and to the layer table in docs/ARCHITECTURE.md)",
                tree.name, tree.test
            ));
        }
    }
    for m in layer_of.keys() {
        if !modules.contains(*m) {
            out.push(format!("{}: LAYERS names `{m}`, which is not a module of src/{}", tree.test, tree.name));
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
            out.push(format!("{}: ALLOWED_UPWARD lists {f} -> {t}, which no longer exists: remove it", tree.test));
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
