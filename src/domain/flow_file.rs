//! The flow file: versioned JSON, documented in docs/flow-format.md.
//!
//! The on-disk shape is a separate set of DTOs so the internal model can change without
//! breaking files. Loading never panics: every failure is an `ImportError` saying where
//! and what. Older versions are migrated as JSON values before decoding.

use crate::domain::blocks::{
    ApprovalConfig, BlockConfig, BlockKind, InputConfig, NoteConfig, OutputConfig, PromptConfig, RetrieveConfig,
    RouterConfig, ToolConfig, TranscribeConfig, TransformConfig, UnknownConfig,
};
use crate::domain::flow::{Block, BlockId, Edge, EdgeId, Flow, FlowMeta, Point, PortRef};
use crate::domain::time::{format_iso, parse_iso};
use crate::domain::util::json_error::{decode_value, without_position};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::HashSet;

pub const FORMAT_MARKER: &str = "chainboard.flow";
/// Version 3 added Prompt messages (few-shot `examples`), `conversation` memory and model
/// parameters (`top_p`, `stop`, `seed`, `reasoning_effort`, `thinking_budget`).
pub const CURRENT_VERSION: u64 = 3;
/// Big enough for thousands of blocks with long prompts; small enough not to hang a tab.
pub const MAX_FILE_BYTES: usize = 25 * 1024 * 1024;
pub const MAX_BLOCKS: usize = 10_000;
pub const MAX_EDGES: usize = 40_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportError {
    TooLarge { bytes: usize },
    Empty,
    Truncated { line: usize, column: usize },
    Syntax { line: usize, column: usize, detail: String },
    NotAFlow { detail: String },
    NewerVersion { found: u64 },
    BadVersion { found: String },
    Invalid { path: String, detail: String },
    TooMany { what: &'static str, count: usize, max: usize },
    DuplicateId { path: String, id: String },
}

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ImportError::TooLarge { bytes } => write!(
                f,
                "The file is {:.1} MB; Chainboard opens flow files up to {} MB.",
                *bytes as f64 / 1_048_576.0,
                MAX_FILE_BYTES / 1_048_576
            ),
            ImportError::Empty => write!(f, "The file is empty."),
            ImportError::Truncated { line, column } => write!(
                f,
                "The file ends too early (line {line}, column {column}): it looks cut off. \
                 Download or copy it again."
            ),
            ImportError::Syntax { line, column, detail } => {
                write!(f, "This is not valid JSON: line {line}, column {column}: {detail}.")
            }
            ImportError::NotAFlow { detail } => write!(f, "This is not a Chainboard flow file: {detail}."),
            ImportError::NewerVersion { found } => write!(
                f,
                "This flow was saved by a newer Chainboard (file version {found}; this app reads up to \
                 version {CURRENT_VERSION}). Open it in the latest Chainboard."
            ),
            ImportError::BadVersion { found } => {
                write!(f, "The \u{201c}version\u{201d} field is {found}; it should be a whole number from 1 to {CURRENT_VERSION}.")
            }
            ImportError::Invalid { path, detail } => write!(f, "At {path}: {detail}."),
            ImportError::TooMany { what, count, max } => {
                write!(f, "The file has {count} {what}; Chainboard opens flows with up to {max}.")
            }
            ImportError::DuplicateId { path, id } => {
                write!(f, "At {path}: the id \u{201c}{id}\u{201d} is used twice; every block needs its own id.")
            }
        }
    }
}

impl std::error::Error for ImportError {}

// ---- DTOs (version 3) -------------------------------------------------------------------

#[derive(Serialize, Deserialize)]
struct FileDto {
    format: String,
    version: u64,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    created: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    updated: Option<String>,
    #[serde(default)]
    blocks: Vec<BlockDto>,
    #[serde(default)]
    edges: Vec<EdgeDto>,
}

#[derive(Serialize, Deserialize)]
struct BlockDto {
    id: String,
    kind: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    position: PointDto,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    note: Option<String>,
    #[serde(default = "empty_object")]
    config: Value,
}

fn empty_object() -> Value {
    Value::Object(Map::new())
}

#[derive(Serialize, Deserialize, Default)]
struct PointDto {
    x: f64,
    y: f64,
}

#[derive(Serialize, Deserialize)]
struct EdgeDto {
    id: String,
    from: PortDto,
    to: PortDto,
}

#[derive(Serialize, Deserialize)]
struct PortDto {
    block: String,
    port: String,
}

// ---- Saving -----------------------------------------------------------------------------

/// The flow as a pretty-printed file of the current version. A flow with evals, documents or
/// media travels as a [`crate::domain::bundle::Bundle`].
pub fn to_json(flow: &Flow) -> String {
    // Plain structs of strings and finite numbers: serialising cannot fail.
    serde_json::to_string_pretty(&file_dto(flow)).unwrap_or_default()
}

/// The flow file with `extra`'s fields after the flow's own (a bundle's sections).
pub fn to_json_with<E: Serialize>(flow: &Flow, extra: &E) -> String {
    #[derive(Serialize)]
    struct WithExtra<'a, E: Serialize> {
        #[serde(flatten)]
        file: FileDto,
        #[serde(flatten)]
        extra: &'a E,
    }
    serde_json::to_string_pretty(&WithExtra { file: file_dto(flow), extra }).unwrap_or_default()
}

fn file_dto(flow: &Flow) -> FileDto {
    FileDto {
        format: FORMAT_MARKER.into(),
        version: CURRENT_VERSION,
        title: flow.meta.title.clone(),
        description: flow.meta.description.clone(),
        created: Some(format_iso(flow.meta.created_ms)),
        updated: Some(format_iso(flow.meta.updated_ms)),
        blocks: flow.blocks.iter().map(block_to_dto).collect(),
        edges: flow
            .edges
            .iter()
            .map(|e| EdgeDto {
                id: e.id.0.clone(),
                from: PortDto { block: e.from.block.0.clone(), port: e.from.port.clone() },
                to: PortDto { block: e.to.block.0.clone(), port: e.to.port.clone() },
            })
            .collect(),
    }
}

fn finite(v: f64) -> f64 {
    if v.is_finite() {
        v
    } else {
        0.0
    }
}

fn block_to_dto(b: &Block) -> BlockDto {
    let config = match &b.config {
        BlockConfig::Input(c) => serde_json::to_value(c),
        BlockConfig::Prompt(c) => serde_json::to_value(c),
        BlockConfig::Output(c) => serde_json::to_value(c),
        BlockConfig::Note(c) => serde_json::to_value(c),
        BlockConfig::Tool(c) => serde_json::to_value(c),
        BlockConfig::Retrieve(c) => serde_json::to_value(c),
        BlockConfig::Transcribe(c) => serde_json::to_value(c),
        BlockConfig::Router(c) => serde_json::to_value(c),
        BlockConfig::Transform(c) => serde_json::to_value(c),
        BlockConfig::Approval(c) => serde_json::to_value(c),
        BlockConfig::Loop(c) => serde_json::to_value(c),
        BlockConfig::Unknown(u) => Ok(u.raw.clone()),
    }
    .unwrap_or_else(|_| empty_object());
    BlockDto {
        id: b.id.0.clone(),
        kind: b.config.kind_id().to_string(),
        title: b.title.clone(),
        position: PointDto { x: finite(b.position.x), y: finite(b.position.y) },
        note: b.note.clone(),
        config,
    }
}

// ---- Loading ----------------------------------------------------------------------------

/// Refuses a file by its size alone, before it is read: the browser layer calls this with
/// the file's size, so an oversized file never reaches memory (reading 100 MB into a string
/// and then into wasm memory froze the tab for a second, and bigger files can crash it).
pub fn check_file_size(bytes: u64) -> Result<(), ImportError> {
    if bytes > MAX_FILE_BYTES as u64 {
        return Err(ImportError::TooLarge { bytes: usize::try_from(bytes).unwrap_or(usize::MAX) });
    }
    Ok(())
}

/// Reads a flow file of any supported version.
pub fn from_json(text: &str) -> Result<Flow, ImportError> {
    from_value(parse_value(text)?)
}

/// The file's JSON, or why it is not JSON (too big, empty, cut off, a syntax error and where).
pub fn parse_value(text: &str) -> Result<Value, ImportError> {
    if text.len() > MAX_FILE_BYTES {
        return Err(ImportError::TooLarge { bytes: text.len() });
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(ImportError::Empty);
    }
    let value: Value = serde_json::from_str(text).map_err(|e| {
        if e.classify() == serde_json::error::Category::Eof {
            ImportError::Truncated { line: e.line(), column: e.column() }
        } else {
            ImportError::Syntax { line: e.line(), column: e.column(), detail: without_position(&e.to_string()) }
        }
    })?;
    Ok(value)
}

/// Reads a flow from an already-parsed JSON value (used by share links and the clipboard).
pub fn from_value(value: Value) -> Result<Flow, ImportError> {
    let Value::Object(obj) = &value else {
        return Err(ImportError::NotAFlow { detail: "the file is not a JSON object".into() });
    };
    match obj.get("format") {
        Some(Value::String(s)) if s == FORMAT_MARKER => {}
        Some(other) => {
            return Err(ImportError::NotAFlow {
                detail: format!("the \u{201c}format\u{201d} field is {other}, not \"{FORMAT_MARKER}\""),
            })
        }
        None => {
            return Err(ImportError::NotAFlow {
                detail: format!("it has no \u{201c}format\u{201d}: \"{FORMAT_MARKER}\" field"),
            })
        }
    }
    let version = match obj.get("version") {
        Some(Value::Number(n)) => n.as_u64().ok_or_else(|| ImportError::BadVersion { found: n.to_string() })?,
        Some(other) => return Err(ImportError::BadVersion { found: other.to_string() }),
        None => return Err(ImportError::BadVersion { found: "missing".into() }),
    };
    if version > CURRENT_VERSION {
        return Err(ImportError::NewerVersion { found: version });
    }
    if version == 0 {
        return Err(ImportError::BadVersion { found: "0".into() });
    }
    let value = migrate(value, version)?;
    let file: FileDto = decode_value(&value)
        .map_err(|e| ImportError::Invalid { path: display_path(&e.path), detail: readable_detail(&e.detail) })?;
    dto_to_flow(file)
}

fn dto_to_flow(file: FileDto) -> Result<Flow, ImportError> {
    if file.blocks.len() > MAX_BLOCKS {
        return Err(ImportError::TooMany { what: "blocks", count: file.blocks.len(), max: MAX_BLOCKS });
    }
    if file.edges.len() > MAX_EDGES {
        return Err(ImportError::TooMany { what: "connections", count: file.edges.len(), max: MAX_EDGES });
    }
    let time = |field: &str, v: &Option<String>| -> Result<i64, ImportError> {
        match v {
            None => Ok(0),
            Some(s) => parse_iso(s).ok_or_else(|| ImportError::Invalid {
                path: field.to_string(),
                detail: format!("\u{201c}{s}\u{201d} is not a time like 2026-11-23T09:30:00Z"),
            }),
        }
    };
    let meta = FlowMeta {
        title: file.title,
        description: file.description,
        created_ms: time("created", &file.created)?,
        updated_ms: time("updated", &file.updated)?,
    };
    let mut seen = HashSet::new();
    let mut blocks = Vec::with_capacity(file.blocks.len());
    for (i, b) in file.blocks.into_iter().enumerate() {
        let path = format!("blocks[{i}]");
        if b.id.trim().is_empty() {
            return Err(ImportError::Invalid { path: format!("{path}.id"), detail: "the block id is empty".into() });
        }
        if !seen.insert(b.id.clone()) {
            return Err(ImportError::DuplicateId { path: format!("{path}.id"), id: b.id });
        }
        let config = config_from_value(&b.kind, b.config, &format!("{path}.config"))?;
        blocks.push(Block {
            id: BlockId(b.id),
            title: b.title,
            position: Point::new(b.position.x, b.position.y),
            note: b.note,
            config,
        });
    }
    let mut edge_ids = HashSet::new();
    let mut edges = Vec::with_capacity(file.edges.len());
    for (i, e) in file.edges.into_iter().enumerate() {
        if !edge_ids.insert(e.id.clone()) {
            return Err(ImportError::Invalid {
                path: format!("edges[{i}].id"),
                detail: format!("the connection id \u{201c}{}\u{201d} is used twice", e.id),
            });
        }
        edges.push(Edge {
            id: EdgeId(e.id),
            from: PortRef::new(BlockId(e.from.block), e.from.port),
            to: PortRef::new(BlockId(e.to.block), e.to.port),
        });
    }
    Ok(Flow { meta, blocks, edges })
}

fn config_from_value(kind: &str, config: Value, path: &str) -> Result<BlockConfig, ImportError> {
    fn decode<T: serde::de::DeserializeOwned>(v: Value, path: &str) -> Result<T, ImportError> {
        decode_value(&v).map_err(|e| ImportError::Invalid {
            path: if e.path.is_empty() { path.to_string() } else { format!("{path}.{}", e.path) },
            detail: readable_detail(&e.detail),
        })
    }
    let known = BlockKind::ALL.into_iter().find(|k| k.id() == kind);
    Ok(match known {
        Some(BlockKind::Input) => BlockConfig::Input(decode::<InputConfig>(config, path)?),
        Some(BlockKind::Prompt) => BlockConfig::Prompt(decode::<PromptConfig>(config, path)?),
        Some(BlockKind::Output) => BlockConfig::Output(decode::<OutputConfig>(config, path)?),
        Some(BlockKind::Note) => BlockConfig::Note(decode::<NoteConfig>(config, path)?),
        Some(BlockKind::Tool) => BlockConfig::Tool(decode::<ToolConfig>(config, path)?),
        Some(BlockKind::Retrieve) => BlockConfig::Retrieve(decode::<RetrieveConfig>(config, path)?),
        Some(BlockKind::Transcribe) => BlockConfig::Transcribe(decode::<TranscribeConfig>(config, path)?),
        Some(BlockKind::Router) => BlockConfig::Router(decode::<RouterConfig>(config, path)?),
        Some(BlockKind::Transform) => BlockConfig::Transform(decode::<TransformConfig>(config, path)?),
        Some(BlockKind::Approval) => BlockConfig::Approval(decode::<ApprovalConfig>(config, path)?),
        Some(BlockKind::Loop) => BlockConfig::Loop(decode::<crate::domain::blocks::LoopConfig>(config, path)?),
        None => BlockConfig::Unknown(UnknownConfig { kind: kind.to_string(), raw: config }),
    })
}

/// Paths read `blocks[2].position.x`; an empty path is the whole file.
fn display_path(p: &str) -> String {
    if p.is_empty() || p == "." {
        "the top level".to_string()
    } else {
        p.to_string()
    }
}

/// How many characters of a wrong value an error message quotes.
const QUOTED_CHARS: usize = 40;

/// A type error without serde's rendering of the value: serde quotes a wrong string whole,
/// however long, and with Rust's escapes (`string "\u{1b}[0m…"`). People get its start,
/// without escapes or invisible characters.
fn readable_detail(msg: &str) -> String {
    const MARK: &str = "string \"";
    let msg = without_position(msg);
    let Some(start) = msg.find(MARK).map(|i| i + MARK.len()) else { return msg };
    let mut value = String::new();
    let mut end = msg.len();
    let mut chars = msg[start..].char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => {
                end = start + i + 1;
                break;
            }
            '\\' => match chars.next().map(|(_, e)| e) {
                // `\u{1f600}`
                Some('u') => {
                    let hex: String = chars.by_ref().map(|(_, h)| h).skip(1).take_while(|&h| h != '}').collect();
                    value.extend(u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32));
                }
                Some('n' | 'r' | 't' | '0') => value.push(' '),
                Some(escaped) => value.push(escaped),
                None => {}
            },
            c => value.push(c),
        }
    }
    let visible: Vec<char> = value.chars().filter(|c| !c.is_control()).collect();
    let mut shown: String = visible.iter().take(QUOTED_CHARS).collect();
    if visible.len() > QUOTED_CHARS {
        shown.push('\u{2026}');
    }
    format!("{}string \"{shown}\"{}", &msg[..start - MARK.len()], &msg[end..])
}

// ---- Migration --------------------------------------------------------------------------

/// Brings an older file up to the current version, one step at a time.
fn migrate(mut value: Value, from: u64) -> Result<Value, ImportError> {
    let mut version = from;
    while version < CURRENT_VERSION {
        value = match version {
            1 => migrate_v1_to_v2(value)?,
            2 => migrate_v2_to_v3(value)?,
            _ => return Err(ImportError::BadVersion { found: version.to_string() }),
        };
        version += 1;
    }
    Ok(value)
}

/// Version 3 only added optional Prompt fields (few-shot examples, conversation memory,
/// model parameters); a version-2 Prompt has none of them and means the same: one system
/// message and one user message, so its requests (and cache keys) are byte for byte the
/// same. Only the number changes. The bump is there so an older Chainboard refuses a file
/// whose examples or memory it would silently drop.
fn migrate_v2_to_v3(mut value: Value) -> Result<Value, ImportError> {
    let Some(obj) = value.as_object_mut() else {
        return Err(ImportError::NotAFlow { detail: "the file is not a JSON object".into() });
    };
    obj.insert("version".into(), Value::from(3));
    Ok(value)
}

/// Version 1 (the first drafts) kept `x`/`y` on the block, called the prompt's user
/// template `template`, and wrote edge ends as `"block.port"` strings in `source`/`target`.
fn migrate_v1_to_v2(mut value: Value) -> Result<Value, ImportError> {
    let Some(obj) = value.as_object_mut() else {
        return Err(ImportError::NotAFlow { detail: "the file is not a JSON object".into() });
    };
    obj.insert("version".into(), Value::from(2));
    if let Some(Value::Array(blocks)) = obj.get_mut("blocks") {
        for b in blocks.iter_mut().filter_map(Value::as_object_mut) {
            let x = b.remove("x").unwrap_or(Value::from(0));
            let y = b.remove("y").unwrap_or(Value::from(0));
            b.entry("position").or_insert_with(|| serde_json::json!({ "x": x, "y": y }));
            let is_prompt = b.get("kind").and_then(Value::as_str) == Some("prompt");
            if let (true, Some(Value::Object(cfg))) = (is_prompt, b.get_mut("config")) {
                if let Some(t) = cfg.remove("template") {
                    cfg.entry("user").or_insert(t);
                }
            }
        }
    }
    if let Some(Value::Array(edges)) = obj.get_mut("edges") {
        for (i, e) in edges.iter_mut().enumerate() {
            let Some(e) = e.as_object_mut() else { continue };
            for (old, new) in [("source", "from"), ("target", "to")] {
                if let Some(v) = e.remove(old) {
                    let s = v.as_str().unwrap_or_default();
                    let Some((block, port)) = s.split_once('.') else {
                        return Err(ImportError::Invalid {
                            path: format!("edges[{i}].{old}"),
                            detail: format!("\u{201c}{s}\u{201d} should look like \"block.port\""),
                        });
                    };
                    e.insert(new.into(), serde_json::json!({ "block": block, "port": port }));
                }
            }
        }
    }
    Ok(value)
}
