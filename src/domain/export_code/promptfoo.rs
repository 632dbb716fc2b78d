use super::plan::Plan;
use super::{ExportFile, ExportSource};
pub fn files(_plan: &Plan, _source: &ExportSource) -> Vec<ExportFile> { Vec::new() }
