//! The code export (src/domain/export_code): golden files for every gallery template, read by
//! people for readability (tests/export/golden/, `UPDATE_GOLDEN=1 cargo test --test export_code`
//! rewrites them), and hostile text that must stay inside string literals and comments.
//! tests/export/run-exports.mjs runs the same exports for real against aimock.

use chainboard::domain::blocks::{BlockConfig, InputValue};
use chainboard::domain::export_code::{export, ExportSource, ExportTarget};
use chainboard::domain::flow::Flow;
use chainboard::domain::media::MediaRef;
use chainboard::domain::templates::{Template, TEMPLATES};
use std::path::Path;

fn source(t: &Template) -> ExportSource {
    let mut flow: Flow = (t.build)(0);
    for (name, path) in t.samples {
        let file = path.rsplit('/').next().unwrap_or(path);
        let mime = if file.ends_with(".wav") { "audio/wav" } else { "image/jpeg" };
        let media = MediaRef { id: "m1".into(), name: file.into(), mime: mime.into(), size: 1000 };
        for b in &mut flow.blocks {
            if let BlockConfig::Input(i) = &mut b.config {
                for v in i.values.iter_mut().filter(|v| v.name == *name) {
                    *v = InputValue::with_media(v.name.clone(), media.clone());
                }
            }
        }
    }
    ExportSource { flow, knowledge: t.documents.map(|f| f()), suite: t.suite.map(|f| f()) }
}

#[test]
fn every_gallery_template_matches_its_golden_files() {
    let update = std::env::var("UPDATE_GOLDEN").is_ok();
    let root = Path::new("tests/export/golden");
    let mut differ = Vec::new();
    for t in TEMPLATES {
        for target in ExportTarget::ALL {
            let files = export(target, &source(t));
            assert!(!files.is_empty(), "{} {}", t.id, target.id());
            for file in files {
                // Documents are the template's own text: one copy is enough to review.
                if file.path.starts_with("documents/") && file.path != "documents/passages.json" {
                    continue;
                }
                let path = root.join(t.id).join(target.id()).join(&file.path);
                if update {
                    std::fs::create_dir_all(path.parent().unwrap_or(root)).ok();
                    std::fs::write(&path, &file.text).ok();
                } else if std::fs::read_to_string(&path).ok().as_deref() != Some(file.text.as_str()) {
                    differ.push(path.display().to_string());
                }
            }
        }
    }
    assert!(differ.is_empty(), "generated code differs from the golden files (UPDATE_GOLDEN=1 to accept): {differ:#?}");
}

#[test]
fn keys_never_appear_and_every_template_exports_without_todos() {
    for t in TEMPLATES {
        for target in [ExportTarget::Python, ExportTarget::TypeScript] {
            let files = export(target, &source(t));
            for f in &files {
                assert!(!f.text.contains("sk-"), "{} {}", t.id, f.path);
                assert!(!f.text.contains("TODO"), "{} {} has a TODO:\n{}", t.id, f.path, f.text);
            }
            let main = files.iter().find(|f| f.path.starts_with("main.")).map(|f| f.text.as_str()).unwrap_or_default();
            assert!(main.contains("OPENAI_API_KEY"), "{}", t.id);
        }
    }
}

const HOSTILE: &str = "Quote \" ' ` \"\"\" ''' */ ${process.exit(1)} {__import__('os')} \\ \nnext line\r\n\u{2028}end";

#[test]
fn hostile_titles_stay_inside_literals_and_comments() {
    let mut flow = (TEMPLATES[1].build)(0);
    flow.meta.title = HOSTILE.into();
    for b in &mut flow.blocks {
        b.title = HOSTILE.into();
    }
    let src = ExportSource { flow, knowledge: None, suite: None };
    for target in [ExportTarget::Python, ExportTarget::TypeScript] {
        for f in export(target, &src) {
            if !f.path.starts_with("main.") {
                continue;
            }
            for line in f.text.lines() {
                // The hostile text's second line never starts a line of code of its own.
                assert!(!line.trim_start().starts_with("next line"), "{}: {line}", f.path);
                assert!(!line.contains('\u{2028}'), "{}: {line}", f.path);
                // In comments, block-comment ends are broken up.
                if line.trim_start().starts_with("//") || line.trim_start().starts_with('#') {
                    assert!(!line.contains("*/"), "{line}");
                }
            }
        }
    }
}

#[test]
fn pinned_sdk_versions_are_the_ones_the_tests_install() {
    use chainboard::domain::export_code::python::REQUIREMENTS;
    use chainboard::domain::export_code::typescript::{DEV_PACKAGES, PACKAGES};
    let requirements = std::fs::read_to_string("tests/export/requirements.txt").unwrap_or_default();
    for (name, version) in REQUIREMENTS {
        assert!(requirements.lines().any(|l| l == format!("{name}=={version}")), "{name}=={version}");
    }
    let lock: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string("package-lock.json").unwrap_or_default()).unwrap_or_default();
    for (name, version) in PACKAGES.iter().chain(DEV_PACKAGES) {
        let installed = &lock["packages"][format!("node_modules/{name}")]["version"];
        assert_eq!(installed.as_str(), Some(*version), "{name}");
    }
}
