//! Where a flow's eval suite and finished runs are kept (local storage, per flow), and which
//! names of the flow a suite refers to (Input values, checkable blocks). Share, files, chat and
//! the gallery read and write suites through this too.

use crate::domain::blocks::BlockConfig;
use crate::domain::evals::suite::EvalSuite;
use crate::domain::flow::Flow;
use crate::ui::platform::platform;

/// Where a flow's eval suite is kept in local storage.
pub fn suite_key(flow_id: &str) -> String {
    format!("chainboard.evalsuite.{flow_id}")
}

/// The open flow's saved suite (empty when it has none).
pub fn load_suite(flow_id: &str) -> EvalSuite {
    platform::storage_get(&suite_key(flow_id)).map(|t| EvalSuite::parse(&t)).unwrap_or_default()
}

/// Keeps `suite` as the suite of flow `flow_id`.
pub fn store_suite(flow_id: &str, suite: &EvalSuite) -> Result<(), String> {
    platform::storage_set(&suite_key(flow_id), &serde_json::to_string(suite).unwrap_or_default())
}

pub(super) fn runs_key(flow_id: &str) -> String {
    format!("chainboard.evalruns.{flow_id}")
}

/// The flow's Input value names: the columns a case fills.
pub fn input_names(flow: &Flow) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for b in &flow.blocks {
        if let BlockConfig::Input(i) = &b.config {
            for v in &i.values {
                if !out.contains(&v.name) {
                    out.push(v.name.clone());
                }
            }
        }
    }
    out
}

/// Blocks whose output can be checked: Output blocks first, then Prompts.
pub(crate) fn targets(flow: &Flow) -> Vec<(String, String)> {
    let outputs = flow.blocks.iter().filter(|b| matches!(b.config, BlockConfig::Output(_)));
    let prompts = flow.blocks.iter().filter(|b| matches!(b.config, BlockConfig::Prompt(_)));
    outputs
        .chain(prompts)
        .map(|b| (b.id.0.clone(), format!("{} ({})", b.display_name(), b.config.kind_label())))
        .collect()
}
