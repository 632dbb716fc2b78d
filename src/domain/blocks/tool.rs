//! Tool: something a model may call. Connected to a Prompt's `tools` port it turns that
//! Prompt into an agent. What the call does is chosen per tool: a mock response (the fastest
//! way to fake a backend) or an HTTP request to a host the user approved.

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::{KindSpec, Port};
use crate::domain::template;

/// The Tool block's output, connected to a Prompt's [`TOOLS_PORT`].
pub const TOOL_OUTPUT_PORT: &str = "tool";
/// The Prompt input that takes any number of tools.
pub const TOOLS_PORT: &str = "tools";
/// Model calls an agent may make before it is stopped.
pub const DEFAULT_MAX_STEPS: u32 = 8;
/// Providers allow tool names of `a-zA-Z0-9_-`, up to 64 characters.
pub const MAX_TOOL_NAME: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParamType {
    #[default]
    String,
    Number,
    Integer,
    Boolean,
}

impl ParamType {
    pub const ALL: [ParamType; 4] = [ParamType::String, ParamType::Number, ParamType::Integer, ParamType::Boolean];

    pub fn id(self) -> &'static str {
        match self {
            ParamType::String => "string",
            ParamType::Number => "number",
            ParamType::Integer => "integer",
            ParamType::Boolean => "boolean",
        }
    }

    pub fn from_id(id: &str) -> Option<ParamType> {
        ParamType::ALL.into_iter().find(|t| t.id() == id)
    }
}

/// One argument of a tool, as the simple form edits it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ToolParam {
    pub name: String,
    #[serde(default, rename = "type")]
    pub ty: ParamType,
    #[serde(default)]
    pub required: bool,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Allowed values (strings only); empty means any.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub enum_values: Vec<String>,
}

/// A fixed response when one argument has one value.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MockRow {
    pub argument: String,
    pub equals: String,
    pub response: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MockAction {
    /// A template over the call's arguments, used when no row matches.
    pub response: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rows: Vec<MockRow>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum HttpMethod {
    #[default]
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl HttpMethod {
    pub const ALL: [HttpMethod; 5] =
        [HttpMethod::Get, HttpMethod::Post, HttpMethod::Put, HttpMethod::Patch, HttpMethod::Delete];

    pub fn id(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Post => "POST",
            HttpMethod::Put => "PUT",
            HttpMethod::Patch => "PATCH",
            HttpMethod::Delete => "DELETE",
        }
    }

    pub fn from_id(id: &str) -> Option<HttpMethod> {
        HttpMethod::ALL.into_iter().find(|m| m.id() == id)
    }

    pub fn has_body(self) -> bool {
        !matches!(self, HttpMethod::Get | HttpMethod::Delete)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct HeaderRow {
    pub name: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct HttpAction {
    #[serde(default)]
    pub method: HttpMethod,
    /// A template; the scheme and host must be written out (never from arguments), so the
    /// hosts a flow contacts are known before it runs.
    pub url: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<HeaderRow>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub body: String,
    /// A path into the JSON response (`data.items.0.status`); empty sends the whole body.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub json_path: String,
}

/// Runs another flow of the workspace with the call's arguments as its input values.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SubFlowAction {
    /// The flow's id in the workspace.
    pub flow_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ToolAction {
    Mock(MockAction),
    Http(HttpAction),
    SubFlow(SubFlowAction),
}

impl Default for ToolAction {
    fn default() -> Self {
        ToolAction::Mock(MockAction::default())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolConfig {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub params: Vec<ToolParam>,
    /// A hand-written JSON Schema that replaces the form ("edit as JSON Schema").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_json: Option<String>,
    #[serde(default)]
    pub action: ToolAction,
}

impl Default for ToolConfig {
    fn default() -> Self {
        ToolConfig {
            name: "lookup_order".into(),
            description: "Look up an order by its id and return its status.".into(),
            params: vec![ToolParam {
                name: "order_id".into(),
                ty: ParamType::String,
                required: true,
                description: "The order id, for example A123".into(),
                enum_values: Vec::new(),
            }],
            schema_json: None,
            action: ToolAction::Mock(MockAction {
                response: "{\"order\": \"{{order_id}}\", \"status\": \"shipped\"}".into(),
                rows: Vec::new(),
            }),
        }
    }
}

/// Whether `name` is a tool name every provider accepts.
pub fn is_valid_tool_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_TOOL_NAME
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

impl ToolConfig {
    /// The JSON Schema of the arguments: the hand-written one, or the one the form makes.
    pub fn parameters_schema(&self) -> Result<Value, String> {
        match &self.schema_json {
            Some(text) => parse_schema(text),
            None => Ok(form_schema(&self.params)),
        }
    }

    /// The HTTP host (`host[:port]`) this tool calls, if it makes HTTP requests.
    pub fn http_host(&self) -> Option<String> {
        match &self.action {
            ToolAction::Http(http) => url_host(&http.url).ok(),
            ToolAction::Mock(_) | ToolAction::SubFlow(_) => None,
        }
    }
}

/// The object schema the simple form describes.
pub fn form_schema(params: &[ToolParam]) -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for p in params {
        let mut prop = Map::new();
        prop.insert("type".into(), json!(p.ty.id()));
        if !p.description.trim().is_empty() {
            prop.insert("description".into(), json!(p.description.trim()));
        }
        if p.ty == ParamType::String && !p.enum_values.is_empty() {
            prop.insert("enum".into(), json!(p.enum_values));
        }
        properties.insert(p.name.clone(), Value::Object(prop));
        if p.required {
            required.push(json!(p.name));
        }
    }
    let mut schema = Map::new();
    schema.insert("type".into(), json!("object"));
    schema.insert("properties".into(), Value::Object(properties));
    if !required.is_empty() {
        schema.insert("required".into(), Value::Array(required));
    }
    Value::Object(schema)
}

/// A hand-written schema, checked for what providers require of tool parameters.
pub fn parse_schema(text: &str) -> Result<Value, String> {
    let value: Value = serde_json::from_str(text)
        .map_err(|e| format!("The JSON Schema is not valid JSON (line {}): {e}", e.line()))?;
    let Some(obj) = value.as_object() else {
        return Err("The JSON Schema must be an object like {\"type\": \"object\", \"properties\": {…}}.".into());
    };
    if obj.get("type").and_then(Value::as_str) != Some("object") {
        return Err("Tool parameters must be an object schema: set \"type\": \"object\".".into());
    }
    if let Some(props) = obj.get("properties") {
        if !props.is_object() {
            return Err("\"properties\" must be an object that maps each argument to its schema.".into());
        }
    }
    if let Some(req) = obj.get("required") {
        let names = req.as_array().filter(|a| a.iter().all(Value::is_string));
        if names.is_none() {
            return Err("\"required\" must be a list of argument names.".into());
        }
    }
    Ok(value)
}

/// `host[:port]` of a URL template whose scheme and host are written out.
pub fn url_host(url: &str) -> Result<String, String> {
    let url = url.trim();
    let lower = url.to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &url[8..]
    } else if lower.starts_with("http://") {
        &url[7..]
    } else {
        return Err("The URL must start with http:// or https://.".into());
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    if authority.is_empty() {
        return Err("The URL has no host.".into());
    }
    if authority.contains("{{") || authority.contains('}') {
        return Err("Write the host out in full: only the path, query and body may use {{arguments}}, so you \
                    know which hosts a flow contacts before it runs."
            .into());
    }
    if authority.contains('@') {
        return Err("The URL must not contain a user name or password.".into());
    }
    Ok(authority.to_ascii_lowercase())
}

impl KindSpec for ToolConfig {
    const KIND: &'static str = "tool";
    const LABEL: &'static str = "Tool";

    fn input_ports(&self) -> Vec<Port> {
        Vec::new()
    }

    fn output_ports(&self) -> Vec<Port> {
        vec![Port::tool(TOOL_OUTPUT_PORT)]
    }

    fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if !is_valid_tool_name(&self.name) {
            out.push(format!(
                "The tool name \u{201c}{}\u{201d} is not allowed: use letters, digits, _ and -, up to 64 \
                 characters (for example lookup_order).",
                self.name
            ));
        }
        if self.description.trim().is_empty() {
            out.push("Describe what the tool does: the model reads this to decide when to call it.".into());
        }
        if self.schema_json.is_none() {
            for (i, p) in self.params.iter().enumerate() {
                if !template::is_valid_name(&p.name) {
                    out.push(format!(
                        "Argument {} is named \u{201c}{}\u{201d}: use letters, digits and _ (starting with a letter).",
                        i + 1,
                        p.name
                    ));
                } else if self.params[..i].iter().any(|q| q.name == p.name) {
                    out.push(format!("Two arguments are named \u{201c}{}\u{201d}: rename one.", p.name));
                }
                if !p.enum_values.is_empty() && p.ty != ParamType::String {
                    out.push(format!("Argument \u{201c}{}\u{201d}: allowed values work with text only.", p.name));
                }
            }
        } else if let Err(e) = self.parameters_schema() {
            out.push(e);
        }
        match &self.action {
            ToolAction::Mock(mock) => {
                if let Err(e) = template::parse(&mock.response) {
                    out.push(format!("Mock response: {e}"));
                }
                for (i, row) in mock.rows.iter().enumerate() {
                    if let Err(e) = template::parse(&row.response) {
                        out.push(format!("Mock row {}: {e}", i + 1));
                    }
                }
            }
            ToolAction::Http(http) => {
                match url_host(&http.url) {
                    Err(e) => out.push(format!("URL: {e}")),
                    Ok(host) => {
                        let name = host.rsplit_once(':').map_or(host.as_str(), |(h, _)| h);
                        let local = matches!(name, "localhost" | "127.0.0.1" | "[::1]");
                        if http.url.trim().to_ascii_lowercase().starts_with("http://") && !local {
                            out.push(
                                "URL: browsers only allow plain http:// to localhost; use https:// for other hosts."
                                    .into(),
                            );
                        }
                    }
                }
                for (label, text) in [("URL", &http.url), ("Body", &http.body)] {
                    if let Err(e) = template::parse(text) {
                        out.push(format!("{label}: {e}"));
                    }
                }
                for h in &http.headers {
                    let ok = !h.name.is_empty() && h.name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
                    if !ok {
                        out.push(format!("Header name \u{201c}{}\u{201d}: use letters, digits and -.", h.name));
                    }
                }
            }
            ToolAction::SubFlow(sub) => {
                if sub.flow_id.trim().is_empty() {
                    out.push("Choose the flow this tool runs.".into());
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_makes_an_object_schema() {
        let params = vec![
            ToolParam {
                name: "city".into(),
                ty: ParamType::String,
                required: true,
                description: " City ".into(),
                enum_values: vec![],
            },
            ToolParam {
                name: "unit".into(),
                ty: ParamType::String,
                required: false,
                description: String::new(),
                enum_values: vec!["c".into(), "f".into()],
            },
            ToolParam { name: "days".into(), ty: ParamType::Integer, required: false, ..ToolParam::default() },
        ];
        assert_eq!(
            form_schema(&params),
            json!({
                "type": "object",
                "properties": {
                    "city": {"type": "string", "description": "City"},
                    "unit": {"type": "string", "enum": ["c", "f"]},
                    "days": {"type": "integer"}
                },
                "required": ["city"]
            })
        );
        assert_eq!(form_schema(&[]), json!({"type": "object", "properties": {}}));
    }

    #[test]
    fn names_follow_the_providers_rule() {
        for ok in ["get_weather", "a", "lookup-order", &"x".repeat(64)] {
            assert!(is_valid_tool_name(ok), "{ok}");
        }
        for bad in ["", "get weather", "café", "a.b", &"x".repeat(65)] {
            assert!(!is_valid_tool_name(bad), "{bad}");
        }
    }

    #[test]
    fn hand_written_schemas_are_checked_with_reasons() {
        assert!(parse_schema(r#"{"type":"object","properties":{"q":{"type":"string"}},"required":["q"]}"#).is_ok());
        let err = |t: &str| parse_schema(t).err().unwrap_or_default();
        assert!(err("{oops").contains("not valid JSON"));
        assert!(err("[]").contains("must be an object"));
        assert!(err(r#"{"type":"string"}"#).contains("\"type\": \"object\""));
        assert!(err(r#"{"type":"object","properties":[]}"#).contains("properties"));
        assert!(err(r#"{"type":"object","required":[1]}"#).contains("required"));
    }

    #[test]
    fn hosts_must_be_written_out() {
        assert_eq!(url_host("https://API.example.com/orders/{{id}}").ok().as_deref(), Some("api.example.com"));
        assert_eq!(url_host("http://127.0.0.1:4011?x={{q}}").ok().as_deref(), Some("127.0.0.1:4011"));
        assert!(url_host("https://{{host}}/x").is_err());
        assert!(url_host("ftp://x/y").is_err());
        assert!(url_host("https:///x").is_err());
        assert!(url_host("https://user:pw@x.com/").is_err());
    }

    #[test]
    fn problems_name_what_to_fix() {
        let mut tool = ToolConfig::default();
        assert!(tool.problems().is_empty(), "{:?}", tool.problems());
        tool.name = "look up".into();
        tool.description = " ".into();
        tool.params.push(ToolParam { name: "order_id".into(), ..ToolParam::default() });
        tool.action = ToolAction::Http(HttpAction { url: "https://{{h}}/x".into(), ..HttpAction::default() });
        let problems = tool.problems().join("\n");
        for needle in ["look up", "Describe", "Two arguments", "Write the host out"] {
            assert!(problems.contains(needle), "{needle} missing in {problems}");
        }
    }
}
