//! Note: sticky text on the canvas. No ports; never runs.

use super::{KindSpec, Port};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct NoteConfig {
    #[serde(default)]
    pub text: String,
}

impl KindSpec for NoteConfig {
    const KIND: &'static str = "note";
    const LABEL: &'static str = "Note";

    fn input_ports(&self) -> Vec<Port> {
        Vec::new()
    }

    fn output_ports(&self) -> Vec<Port> {
        Vec::new()
    }

    fn problems(&self) -> Vec<String> {
        Vec::new()
    }
}
