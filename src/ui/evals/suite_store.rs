//! Where a flow's eval suite and finished runs are kept (local storage, per flow), and which
//! names of the flow a suite refers to (Input values, checkable blocks). Share, files, chat and
//! the gallery read and write suites through this too.

use crate::domain::blocks::BlockConfig;
use crate::domain::evals::suite::{EvalRecords, EvalSuite};
use crate::domain::flow::Flow;
use crate::ui::platform::{platform, storage_keys};
use crate::ui::state::unreadable;

/// The open flow's saved suite (empty when it has none, or when it cannot be read: then its
/// text is kept aside and the person is told).
pub fn load_suite(flow_id: &str) -> EvalSuite {
    unreadable::load(&storage_keys::eval_suite(flow_id), "Its test cases start empty here.").unwrap_or_default()
}

/// Keeps `suite` as the suite of flow `flow_id`.
pub fn store_suite(flow_id: &str, suite: &EvalSuite) -> Result<(), String> {
    platform::storage_set(&storage_keys::eval_suite(flow_id), &suite.to_json())
}

/// The flow's saved eval runs (none when it has none or they cannot be read, as above).
pub(super) fn load_records(flow_id: &str) -> EvalRecords {
    unreadable::load(&storage_keys::eval_runs(flow_id), "Its list of past runs starts empty here.").unwrap_or_default()
}

/// Keeps the flow's eval runs.
pub(super) fn store_records(flow_id: &str, records: &EvalRecords) -> Result<(), String> {
    platform::storage_set(&storage_keys::eval_runs(flow_id), &records.to_json())
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
