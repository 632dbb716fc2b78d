//! Human approval: pauses the run with the value it received until a person approves it
//! (possibly after editing it) or rejects it. Rejecting skips the blocks after it.

use super::{KindSpec, Port};
use serde::{Deserialize, Serialize};

/// The port an Approval block reads.
pub const APPROVAL_INPUT_PORT: &str = "value";
/// The port carrying the approved (maybe edited) value.
pub const APPROVAL_OUTPUT_PORT: &str = "approved";

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ApprovalConfig {
    /// What the reviewer should check, shown beside the value.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub instructions: String,
}

impl KindSpec for ApprovalConfig {
    const KIND: &'static str = "approval";
    const LABEL: &'static str = "Approval";

    fn input_ports(&self) -> Vec<Port> {
        vec![Port::text(APPROVAL_INPUT_PORT)]
    }

    fn output_ports(&self) -> Vec<Port> {
        vec![Port::text(APPROVAL_OUTPUT_PORT)]
    }

    fn problems(&self) -> Vec<String> {
        Vec::new()
    }
}
