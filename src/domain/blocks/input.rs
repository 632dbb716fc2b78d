//! Input: named text values typed by the user; each value is an output port.

use super::{KindSpec, Port};
use crate::domain::media::MediaRef;
use crate::domain::template::is_valid_name;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputValue {
    pub name: String,
    /// The text, or for an image or audio value its media token (see `domain::media`).
    #[serde(default)]
    pub value: String,
    /// Set when the value is an image or audio file: what it is (the bytes stay in the browser).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media: Option<MediaRef>,
}

impl InputValue {
    /// A value holding `media`: its text is the media token.
    pub fn with_media(name: impl Into<String>, media: MediaRef) -> InputValue {
        InputValue { name: name.into(), value: crate::domain::media::token(&media.id), media: Some(media) }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputConfig {
    pub values: Vec<InputValue>,
}

impl Default for InputConfig {
    fn default() -> Self {
        InputConfig { values: vec![InputValue { name: "text".into(), value: String::new(), media: None }] }
    }
}

impl InputConfig {
    pub fn value(&self, name: &str) -> Option<&str> {
        self.values.iter().find(|v| v.name == name).map(|v| v.value.as_str())
    }
}

impl KindSpec for InputConfig {
    const KIND: &'static str = "input";
    const LABEL: &'static str = "Input";

    fn input_ports(&self) -> Vec<Port> {
        Vec::new()
    }

    fn output_ports(&self) -> Vec<Port> {
        let mut ports: Vec<Port> = Vec::new();
        for v in &self.values {
            if is_valid_name(&v.name) && !ports.iter().any(|p| p.name == v.name) {
                ports.push(Port::text(v.name.clone()));
            }
        }
        ports
    }

    fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.values.is_empty() {
            out.push("Add at least one value.".to_string());
        }
        for (i, v) in self.values.iter().enumerate() {
            if !is_valid_name(&v.name) {
                out.push(format!(
                    "Value {} is named \u{201c}{}\u{201d}: use letters, digits and _ \
                     (starting with a letter), up to 64 characters.",
                    i + 1,
                    v.name
                ));
            } else if self.values[..i].iter().any(|p| p.name == v.name) {
                out.push(format!("Two values are named \u{201c}{}\u{201d}: rename one.", v.name));
            }
        }
        out
    }
}
