//! Running a tool call: checking the model's arguments, answering from a mock, or building
//! the HTTP request (and reading its response) for the browser layer to send.
//!
//! Pure: the engine calls it, the browser performs the HTTP requests it returns.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use crate::domain::blocks::tool::{HttpAction, MockAction, ToolAction, ToolConfig};
use crate::domain::blocks::BlockConfig;
use crate::domain::flow::Flow;
use crate::domain::providers::{HttpRequest, Method};
use crate::domain::template;
use crate::domain::util::json_path::json_at;
use crate::domain::util::percent::percent_encode;

/// Tool results longer than this are cut (with a note), so one big response cannot fill
/// the model's context or the page.
pub const MAX_RESULT_CHARS: usize = 16_000;

/// What a call produced, as it goes back to the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolResult {
    pub content: String,
    pub is_error: bool,
}

impl ToolResult {
    pub fn ok(content: impl Into<String>) -> Self {
        ToolResult { content: truncate(content.into()), is_error: false }
    }

    pub fn error(content: impl Into<String>) -> Self {
        ToolResult { content: truncate(content.into()), is_error: true }
    }
}

/// What to do for one call.
#[derive(Debug, Clone, PartialEq)]
pub enum Prepared {
    /// Answered already (a mock, or an error to send back to the model).
    Done(ToolResult),
    /// Send this request; read the response with [`http_result`].
    Http(HttpRequest),
}

/// Prepares one call of `tool` with the model's `arguments` (JSON text). `approved` says
/// whether the user allowed this flow to contact a host.
pub fn prepare_call(tool: &ToolConfig, arguments: &str, approved: impl Fn(&str) -> bool) -> Prepared {
    let args = match parse_arguments(arguments) {
        Ok(args) => args,
        Err(e) => return Prepared::Done(ToolResult::error(e)),
    };
    if let Some(missing) = missing_required(tool, &args) {
        return Prepared::Done(ToolResult::error(format!(
            "Missing required argument \u{201c}{missing}\u{201d}. Call {} again with it.",
            tool.name
        )));
    }
    match &tool.action {
        ToolAction::Mock(mock) => Prepared::Done(run_mock(mock, &args)),
        ToolAction::Http(http) => match build_http(http, &args, approved) {
            Ok(request) => Prepared::Http(request),
            Err(e) => Prepared::Done(ToolResult::error(e)),
        },
        // The engine runs sub-flows itself; nothing to prepare here.
        ToolAction::SubFlow(_) => Prepared::Done(ToolResult::error("This tool runs a flow, not a request.")),
    }
}

/// The arguments as an object. Models sometimes send nothing for a tool without
/// parameters; that counts as `{}`.
pub fn parse_arguments(arguments: &str) -> Result<Map<String, Value>, String> {
    if arguments.trim().is_empty() {
        return Ok(Map::new());
    }
    match serde_json::from_str::<Value>(arguments) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err("The arguments must be a JSON object like {\"name\": value}.".to_string()),
        Err(e) => Err(format!("The arguments were not valid JSON ({e}). Send a JSON object.")),
    }
}

fn missing_required(tool: &ToolConfig, args: &Map<String, Value>) -> Option<String> {
    let schema = tool.parameters_schema().ok()?;
    let required = schema.get("required")?.as_array()?;
    required
        .iter()
        .filter_map(Value::as_str)
        .find(|name| args.get(*name).is_none_or(Value::is_null))
        .map(str::to_string)
}

/// An argument as template text: strings as they are, anything else as JSON.
fn as_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Renders `text` with the arguments. Placeholders the model left out become empty; in a
/// template that is JSON, text values are escaped so the result stays valid JSON.
fn render_with(text: &str, args: &Map<String, Value>, encode: impl Fn(&str) -> String) -> Result<String, String> {
    let json_like = matches!(text.trim_start().chars().next(), Some('{' | '['));
    let mut values: BTreeMap<String, String> = BTreeMap::new();
    for name in template::variables(text) {
        let raw = args.get(&name).map(as_text).unwrap_or_default();
        let escaped = if json_like { json_escape(&raw) } else { raw };
        values.insert(name, encode(&escaped));
    }
    template::render(text, |n| values.get(n).map(String::as_str)).map_err(|e| e.to_string())
}

fn json_escape(text: &str) -> String {
    let quoted = Value::String(text.to_string()).to_string();
    quoted.get(1..quoted.len().saturating_sub(1)).unwrap_or_default().to_string()
}

fn run_mock(mock: &MockAction, args: &Map<String, Value>) -> ToolResult {
    let row = mock.rows.iter().find(|row| {
        args.get(row.argument.trim()).is_some_and(|v| as_text(v).trim().eq_ignore_ascii_case(row.equals.trim()))
    });
    let text = row.map_or(&mock.response, |r| &r.response);
    match render_with(text, args, str::to_string) {
        Ok(out) => ToolResult::ok(out),
        Err(e) => ToolResult::error(format!("The mock response template is broken: {e}")),
    }
}

fn build_http(
    http: &HttpAction,
    args: &Map<String, Value>,
    approved: impl Fn(&str) -> bool,
) -> Result<HttpRequest, String> {
    let host = crate::domain::blocks::tool::url_host(&http.url)?;
    if !approved(&host) {
        return Err(format!(
            "Chainboard did not call {host}: that host is not approved for this flow. The user must allow it \
             before the tool can run."
        ));
    }
    let url = render_with(&http.url, args, percent_encode)?;
    let mut headers = Vec::new();
    for h in &http.headers {
        headers.push((h.name.trim().to_ascii_lowercase(), render_with(&h.value, args, str::to_string)?));
    }
    let body = if http.method.has_body() && !http.body.trim().is_empty() {
        if !headers.iter().any(|(n, _)| n == "content-type") {
            headers.push(("content-type".into(), "application/json".into()));
        }
        Some(render_with(&http.body, args, str::to_string)?)
    } else {
        None
    };
    let method = match http.method {
        crate::domain::blocks::tool::HttpMethod::Get => Method::Get,
        crate::domain::blocks::tool::HttpMethod::Post => Method::Post,
        crate::domain::blocks::tool::HttpMethod::Put => Method::Put,
        crate::domain::blocks::tool::HttpMethod::Patch => Method::Patch,
        crate::domain::blocks::tool::HttpMethod::Delete => Method::Delete,
    };
    Ok(HttpRequest { method, url, headers, body, bytes: None })
}

/// The tool result for an HTTP response: the body (or the part at `json_path`), or an
/// error the model can read when the status is not 2xx.
pub fn http_result(status: u16, body: &str, json_path: &str) -> ToolResult {
    if !(200..300).contains(&status) {
        return ToolResult::error(format!("HTTP {status}: {}", body.trim()));
    }
    let path = json_path.trim();
    if path.is_empty() {
        return ToolResult::ok(body);
    }
    let Ok(value) = serde_json::from_str::<Value>(body) else {
        return ToolResult::error(format!(
            "The response is not JSON, so \u{201c}{path}\u{201d} cannot be read from it."
        ));
    };
    match json_at(&value, path) {
        Some(found) => ToolResult::ok(as_text(found)),
        None => ToolResult::error(format!("The response has nothing at \u{201c}{path}\u{201d}.")),
    }
}

fn truncate(mut text: String) -> String {
    if text.chars().count() > MAX_RESULT_CHARS {
        let cut = text.char_indices().nth(MAX_RESULT_CHARS).map_or(text.len(), |(i, _)| i);
        text.truncate(cut);
        text.push_str("\n[Chainboard cut the rest of this tool result.]");
    }
    text
}

/// Every host the flow's HTTP tools would contact, sorted.
pub fn flow_tool_hosts(flow: &Flow) -> Vec<String> {
    let hosts: BTreeSet<String> = flow
        .blocks
        .iter()
        .filter_map(|b| match &b.config {
            BlockConfig::Tool(tool) => tool.http_host(),
            _ => None,
        })
        .collect();
    hosts.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::blocks::tool::{HeaderRow, HttpMethod, MockRow, ParamType, ToolParam};
    use serde_json::json;

    fn mock_tool(response: &str, rows: Vec<MockRow>) -> ToolConfig {
        ToolConfig { action: ToolAction::Mock(MockAction { response: response.into(), rows }), ..ToolConfig::default() }
    }

    fn done(p: Prepared) -> ToolResult {
        match p {
            Prepared::Done(r) => r,
            Prepared::Http(h) => panic!("expected a result, got {h:?}"),
        }
    }

    #[test]
    fn mock_templates_fill_in_arguments_and_keep_json_valid() {
        let tool = mock_tool(r#"{"order": "{{order_id}}", "status": "shipped", "note": "{{note}}"}"#, vec![]);
        let r = done(prepare_call(&tool, r#"{"order_id": "A\"1", "note": 5}"#, |_| true));
        assert!(!r.is_error);
        let parsed: Value = serde_json::from_str(&r.content).unwrap_or_default();
        assert_eq!(parsed, json!({"order": "A\"1", "status": "shipped", "note": "5"}));
        // A placeholder the model left out is empty, not an error.
        let plain = mock_tool("Order {{order_id}} ({{missing}})", vec![]);
        assert_eq!(done(prepare_call(&plain, r#"{"order_id":"B2"}"#, |_| true)).content, "Order B2 ()");
    }

    #[test]
    fn mock_rows_answer_by_argument_value() {
        let rows = vec![
            MockRow { argument: "order_id".into(), equals: "a123".into(), response: "shipped {{order_id}}".into() },
            MockRow { argument: "order_id".into(), equals: "B7".into(), response: "lost".into() },
        ];
        let tool = mock_tool("unknown order", rows);
        let call = |a: &str| done(prepare_call(&tool, a, |_| true)).content;
        assert_eq!(call(r#"{"order_id":"A123"}"#), "shipped A123");
        assert_eq!(call(r#"{"order_id":" b7 "}"#), "lost");
        assert_eq!(call(r#"{"order_id":"Z"}"#), "unknown order");
    }

    #[test]
    fn bad_arguments_go_back_to_the_model_as_errors() {
        let tool = mock_tool("x", vec![]);
        let r = done(prepare_call(&tool, "{\"order_id\": ", |_| true));
        assert!(r.is_error && r.content.contains("not valid JSON"), "{r:?}");
        let r = done(prepare_call(&tool, "[1]", |_| true));
        assert!(r.is_error && r.content.contains("JSON object"));
        let r = done(prepare_call(&tool, "{}", |_| true));
        assert!(r.is_error && r.content.contains("order_id"), "{r:?}");
        let none = ToolConfig { params: vec![], ..mock_tool("ok", vec![]) };
        assert_eq!(done(prepare_call(&none, "", |_| true)), ToolResult::ok("ok"));
    }

    fn http_tool(url: &str) -> ToolConfig {
        ToolConfig {
            name: "search".into(),
            params: vec![ToolParam { name: "q".into(), ty: ParamType::String, required: true, ..ToolParam::default() }],
            action: ToolAction::Http(HttpAction {
                method: HttpMethod::Post,
                url: url.into(),
                headers: vec![HeaderRow { name: "X-Trace".into(), value: "{{q}}".into() }],
                body: r#"{"query": "{{q}}"}"#.into(),
                json_path: String::new(),
            }),
            ..ToolConfig::default()
        }
    }

    #[test]
    fn http_calls_encode_arguments_and_need_an_approved_host() {
        let tool = http_tool("http://127.0.0.1:4011/search?q={{q}}");
        let Prepared::Http(req) = prepare_call(&tool, r#"{"q":"a b&c=/"}"#, |h| h == "127.0.0.1:4011") else {
            panic!("expected a request");
        };
        assert_eq!(req.method, Method::Post);
        assert_eq!(req.url, "http://127.0.0.1:4011/search?q=a%20b%26c%3D%2F");
        assert_eq!(req.header("x-trace"), Some("a b&c=/"));
        assert_eq!(req.header("content-type"), Some("application/json"));
        assert_eq!(req.body.as_deref(), Some(r#"{"query": "a b&c=/"}"#));
        let refused = done(prepare_call(&tool, r#"{"q":"x"}"#, |_| false));
        assert!(refused.is_error && refused.content.contains("not approved"), "{refused:?}");
    }

    #[test]
    fn http_results_follow_a_json_path_and_report_failures() {
        let body = r#"{"data":{"items":[{"status":"shipped"},{"status":"late"}]}}"#;
        assert_eq!(http_result(200, body, "data.items.1.status"), ToolResult::ok("late"));
        assert_eq!(http_result(200, body, "$.data.items.0"), ToolResult::ok(r#"{"status":"shipped"}"#));
        assert!(http_result(200, body, "data.nope").is_error);
        assert!(http_result(200, "<html>", "data").is_error);
        let e = http_result(404, "not found", "");
        assert!(e.is_error && e.content == "HTTP 404: not found");
        assert_eq!(http_result(200, "plain", "").content, "plain");
    }

    #[test]
    fn long_results_are_cut_with_a_note() {
        let r = ToolResult::ok("é".repeat(MAX_RESULT_CHARS + 10));
        assert!(r.content.ends_with("cut the rest of this tool result.]"));
        assert_eq!(r.content.chars().filter(|c| *c == 'é').count(), MAX_RESULT_CHARS);
    }
}
