//! Output: shows the value connected to it.

use super::{KindSpec, Port};
use serde::{Deserialize, Serialize};

/// The port every Output block reads.
pub const OUTPUT_INPUT_PORT: &str = "value";

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct OutputConfig {}

impl KindSpec for OutputConfig {
    const KIND: &'static str = "output";
    const LABEL: &'static str = "Output";

    fn input_ports(&self) -> Vec<Port> {
        vec![Port::merging(OUTPUT_INPUT_PORT)]
    }

    fn output_ports(&self) -> Vec<Port> {
        Vec::new()
    }

    fn problems(&self) -> Vec<String> {
        Vec::new()
    }
}
