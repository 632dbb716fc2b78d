//! Export a flow as code an engineer can run: a Python and a TypeScript (Node) program that call each
//! provider's official SDK, and the flow's test cases as a promptfoo config (see
//! docs/export.md). Pure: a flow in, a list of files (path → text) out.
//!
//! `plan` reads the flow once (order, parallel levels, names, which block feeds which
//! argument); each language module only prints that plan. A new block kind is one more
//! `StepKind` arm in `plan` and one more match arm per language; until then it becomes a
//! commented TODO in the code and a line in the README, never silence.

pub mod naming;
pub mod pii;
pub mod plan;
pub mod promptfoo;
pub mod python;
pub mod python_control;
mod readme;
pub mod snippets;
pub mod typescript;
pub mod typescript_control;
pub mod zip;

use crate::domain::evals::suite::EvalSuite;
use crate::domain::flow::Flow;
use crate::domain::retrieval::knowledge::PortableKnowledge;

/// One generated file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportFile {
    /// A relative path with `/` separators.
    pub path: String,
    pub text: String,
}

impl ExportFile {
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> ExportFile {
        ExportFile { path: path.into(), text: text.into() }
    }
}

/// What can be exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportTarget {
    Python,
    TypeScript,
    Promptfoo,
}

impl ExportTarget {
    pub const ALL: [ExportTarget; 3] = [ExportTarget::Python, ExportTarget::TypeScript, ExportTarget::Promptfoo];

    pub fn id(self) -> &'static str {
        match self {
            ExportTarget::Python => "python",
            ExportTarget::TypeScript => "typescript",
            ExportTarget::Promptfoo => "promptfoo",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ExportTarget::Python => "Python",
            ExportTarget::TypeScript => "TypeScript (Node)",
            ExportTarget::Promptfoo => "Tests for promptfoo",
        }
    }
}

/// Everything an export may use: the flow, its documents (for Retrieve blocks) and its test
/// cases and checks (for promptfoo).
#[derive(Debug, Clone, Default)]
pub struct ExportSource {
    pub flow: Flow,
    pub knowledge: Option<PortableKnowledge>,
    pub suite: Option<EvalSuite>,
}

/// The files of one export, sorted by path.
pub fn export(target: ExportTarget, source: &ExportSource) -> Vec<ExportFile> {
    let plan = plan::plan(&source.flow);
    let mut files = match target {
        ExportTarget::Python => python::files(&plan, source),
        ExportTarget::TypeScript => typescript::files(&plan, source),
        ExportTarget::Promptfoo => promptfoo::files(&plan, source),
    };
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

/// A file name for downloads: the flow's title in plain letters, e.g. `reply-to-a-customer`.
pub fn slug(title: &str) -> String {
    let s = naming::snake(title, "flow").replace('_', "-");
    if s.len() > 60 {
        s[..60].trim_end_matches('-').to_string()
    } else {
        s
    }
}
