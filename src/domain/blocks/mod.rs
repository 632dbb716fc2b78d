//! Block kinds. Adding a kind means: one new module here, one `BlockConfig` variant,
//! and one line in the `dispatch!` macro. The compiler points at everything else.

pub mod approval;
pub mod input;
pub mod loop_block;
pub mod note;
pub mod output;
pub mod prompt;
pub mod retrieve;
pub mod router;
pub mod tool;
pub mod transcribe;
pub mod transform;

pub use approval::ApprovalConfig;
pub use input::{InputConfig, InputValue};
pub use loop_block::LoopConfig;
pub use note::NoteConfig;
pub use output::OutputConfig;
pub use prompt::{ExampleTurn, Memory, ModelParams, PromptConfig};
pub use retrieve::RetrieveConfig;
pub use router::{RouteRule, RouterConfig, RouterMode, RuleTest};
pub use tool::ToolConfig;
pub use transcribe::TranscribeConfig;
pub use transform::{TransformConfig, TransformOp};

/// What travels along an edge: text, or a tool handed to a Prompt. `can_connect` refuses
/// mismatches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueType {
    Text,
    Tool,
}

impl ValueType {
    pub fn label(self) -> &'static str {
        match self {
            ValueType::Text => "text",
            ValueType::Tool => "tool",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Port {
    pub name: String,
    pub ty: ValueType,
    /// A text input that takes several connections and shows whichever one has a value
    /// (an Output fed by the branches of a Router).
    pub merges: bool,
}

impl Port {
    pub fn text(name: impl Into<String>) -> Self {
        Port { name: name.into(), ty: ValueType::Text, merges: false }
    }

    pub fn tool(name: impl Into<String>) -> Self {
        Port { name: name.into(), ty: ValueType::Tool, merges: false }
    }

    /// A text input that takes one or more connections (see `merges`).
    pub fn merging(name: impl Into<String>) -> Self {
        Port { name: name.into(), ty: ValueType::Text, merges: true }
    }

    /// Tool inputs and merging inputs take any number of connections; a plain text input
    /// takes exactly one.
    pub fn takes_many(&self) -> bool {
        self.ty == ValueType::Tool || self.merges
    }

    /// Tool inputs may stay unconnected; every text input needs at least one connection.
    pub fn optional(&self) -> bool {
        self.ty == ValueType::Tool
    }
}

/// What every kind module provides.
pub trait KindSpec {
    /// The `kind` string in flow files.
    const KIND: &'static str;
    /// The name people see in the palette and on the block.
    const LABEL: &'static str;
    fn input_ports(&self) -> Vec<Port>;
    fn output_ports(&self) -> Vec<Port>;
    /// Settings problems, as sentences that say what to fix.
    fn problems(&self) -> Vec<String>;
}

/// A block kind this version does not know (from a newer file). It is kept verbatim so
/// saving does not destroy it, and validation says it cannot run.
#[derive(Debug, Clone, PartialEq)]
pub struct UnknownConfig {
    pub kind: String,
    pub raw: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq)]
pub enum BlockConfig {
    Input(InputConfig),
    Prompt(PromptConfig),
    Output(OutputConfig),
    Note(NoteConfig),
    Tool(ToolConfig),
    Retrieve(RetrieveConfig),
    Transcribe(TranscribeConfig),
    Router(RouterConfig),
    Transform(TransformConfig),
    Approval(ApprovalConfig),
    Loop(LoopConfig),
    Unknown(UnknownConfig),
}

/// The kinds a user can add, in palette order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BlockKind {
    Input,
    Prompt,
    Output,
    Tool,
    Retrieve,
    Transcribe,
    Router,
    Transform,
    Approval,
    Loop,
    Note,
}

impl BlockKind {
    pub const ALL: [BlockKind; 11] = [
        BlockKind::Input,
        BlockKind::Prompt,
        BlockKind::Retrieve,
        BlockKind::Transcribe,
        BlockKind::Router,
        BlockKind::Transform,
        BlockKind::Approval,
        BlockKind::Loop,
        BlockKind::Output,
        BlockKind::Tool,
        BlockKind::Note,
    ];

    pub fn id(self) -> &'static str {
        match self {
            BlockKind::Input => InputConfig::KIND,
            BlockKind::Prompt => PromptConfig::KIND,
            BlockKind::Output => OutputConfig::KIND,
            BlockKind::Note => NoteConfig::KIND,
            BlockKind::Tool => ToolConfig::KIND,
            BlockKind::Retrieve => RetrieveConfig::KIND,
            BlockKind::Transcribe => TranscribeConfig::KIND,
            BlockKind::Router => RouterConfig::KIND,
            BlockKind::Transform => TransformConfig::KIND,
            BlockKind::Approval => ApprovalConfig::KIND,
            BlockKind::Loop => LoopConfig::KIND,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            BlockKind::Input => InputConfig::LABEL,
            BlockKind::Prompt => PromptConfig::LABEL,
            BlockKind::Output => OutputConfig::LABEL,
            BlockKind::Note => NoteConfig::LABEL,
            BlockKind::Tool => ToolConfig::LABEL,
            BlockKind::Retrieve => RetrieveConfig::LABEL,
            BlockKind::Transcribe => TranscribeConfig::LABEL,
            BlockKind::Router => RouterConfig::LABEL,
            BlockKind::Transform => TransformConfig::LABEL,
            BlockKind::Approval => ApprovalConfig::LABEL,
            BlockKind::Loop => LoopConfig::LABEL,
        }
    }

    pub fn default_config(self) -> BlockConfig {
        match self {
            BlockKind::Input => BlockConfig::Input(InputConfig::default()),
            BlockKind::Prompt => BlockConfig::Prompt(PromptConfig::default()),
            BlockKind::Output => BlockConfig::Output(OutputConfig::default()),
            BlockKind::Note => BlockConfig::Note(NoteConfig::default()),
            BlockKind::Tool => BlockConfig::Tool(ToolConfig::default()),
            BlockKind::Retrieve => BlockConfig::Retrieve(RetrieveConfig::default()),
            BlockKind::Transcribe => BlockConfig::Transcribe(TranscribeConfig::default()),
            BlockKind::Router => BlockConfig::Router(RouterConfig::default()),
            BlockKind::Transform => BlockConfig::Transform(TransformConfig::default()),
            BlockKind::Approval => BlockConfig::Approval(ApprovalConfig::default()),
            BlockKind::Loop => BlockConfig::Loop(LoopConfig::default()),
        }
    }
}

macro_rules! dispatch {
    ($self:expr, $cfg:ident => $body:expr, unknown $u:ident => $ubody:expr) => {
        match $self {
            BlockConfig::Input($cfg) => $body,
            BlockConfig::Prompt($cfg) => $body,
            BlockConfig::Output($cfg) => $body,
            BlockConfig::Note($cfg) => $body,
            BlockConfig::Tool($cfg) => $body,
            BlockConfig::Retrieve($cfg) => $body,
            BlockConfig::Transcribe($cfg) => $body,
            BlockConfig::Router($cfg) => $body,
            BlockConfig::Transform($cfg) => $body,
            BlockConfig::Approval($cfg) => $body,
            BlockConfig::Loop($cfg) => $body,
            BlockConfig::Unknown($u) => $ubody,
        }
    };
}

fn kind_of<T: KindSpec>(_: &T) -> &'static str {
    T::KIND
}

fn label_of<T: KindSpec>(_: &T) -> &'static str {
    T::LABEL
}

impl BlockConfig {
    pub fn kind(&self) -> Option<BlockKind> {
        match self {
            BlockConfig::Input(_) => Some(BlockKind::Input),
            BlockConfig::Prompt(_) => Some(BlockKind::Prompt),
            BlockConfig::Output(_) => Some(BlockKind::Output),
            BlockConfig::Note(_) => Some(BlockKind::Note),
            BlockConfig::Tool(_) => Some(BlockKind::Tool),
            BlockConfig::Retrieve(_) => Some(BlockKind::Retrieve),
            BlockConfig::Transcribe(_) => Some(BlockKind::Transcribe),
            BlockConfig::Router(_) => Some(BlockKind::Router),
            BlockConfig::Transform(_) => Some(BlockKind::Transform),
            BlockConfig::Approval(_) => Some(BlockKind::Approval),
            BlockConfig::Loop(_) => Some(BlockKind::Loop),
            BlockConfig::Unknown(_) => None,
        }
    }

    /// The `kind` string as written in files (unknown kinds keep theirs).
    pub fn kind_id(&self) -> &str {
        dispatch!(self, c => kind_of(c), unknown u => u.kind.as_str())
    }

    pub fn kind_label(&self) -> &str {
        dispatch!(self, c => label_of(c), unknown u => u.kind.as_str())
    }

    pub fn input_ports(&self) -> Vec<Port> {
        dispatch!(self, c => c.input_ports(), unknown _u => Vec::new())
    }

    pub fn output_ports(&self) -> Vec<Port> {
        dispatch!(self, c => c.output_ports(), unknown _u => Vec::new())
    }

    pub fn problems(&self) -> Vec<String> {
        dispatch!(self, c => c.problems(), unknown u => vec![format!(
            "This version of Chainboard does not know the block kind \u{201c}{}\u{201d}. \
             It is kept as it is but cannot run.",
            u.kind
        )])
    }

    pub fn input_port(&self, name: &str) -> Option<Port> {
        self.input_ports().into_iter().find(|p| p.name == name)
    }

    pub fn output_port(&self, name: &str) -> Option<Port> {
        self.output_ports().into_iter().find(|p| p.name == name)
    }
}
