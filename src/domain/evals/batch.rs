//! Sending an eval as the provider's own batch job, run within 24 hours at half price with no
//! tab kept open: OpenAI's Batch API (a JSONL file of requests, uploaded, then a batch) or
//! Anthropic's Message Batches (the requests in one call). The browser keeps the batch id
//! with the flow, asks for its status when the flow's Evaluate opens again, and loads the
//! answers into the same checks and statistics.
//!
//! Only flows whose answer comes from one Prompt block on OpenAI or Anthropic can be batched:
//! a chain needs each answer before the next request exists.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::run::{case_flow, EvalSpec};
use crate::domain::blocks::BlockConfig;
use crate::domain::engine::build_chat;
use crate::domain::flow::Flow;
use crate::domain::providers::{build_chat_request, HttpRequest, Method, ProviderKind, ProviderSettings};

/// (variant, case, repetition)
pub type JobKey = (usize, usize, u32);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchPlan {
    pub provider: ProviderKind,
    /// OpenAI: the JSONL file. Anthropic: the body of the create call.
    pub payload: String,
    /// custom_id → the run it stands for.
    pub ids: Vec<(String, JobKey)>,
}

fn single_prompt(flow: &Flow) -> Result<(), String> {
    let prompts: Vec<_> = flow.blocks.iter().filter(|b| matches!(b.config, BlockConfig::Prompt(_))).collect();
    if prompts.len() != 1 {
        return Err(format!(
            "A batch job can run flows with one Prompt block; this one has {}. Run it here instead.",
            prompts.len()
        ));
    }
    if flow.blocks.iter().any(|b| matches!(b.config, BlockConfig::Tool(_))) {
        return Err("Flows with tools cannot run as a batch job: each tool result needs another request.".into());
    }
    Ok(())
}

/// The JSONL file of requests for every run of `spec`.
pub fn batch_plan(spec: &EvalSpec) -> Result<BatchPlan, String> {
    let mut lines: Vec<Value> = Vec::new();
    let mut ids = Vec::new();
    let mut provider: Option<ProviderKind> = None;
    for (v, variant) in spec.variants.iter().enumerate() {
        for (c, case) in spec.cases.iter().enumerate() {
            let flow = case_flow(&spec.flow, case, variant);
            single_prompt(&flow)?;
            let Some((prompt_id, config)) = flow.blocks.iter().find_map(|b| match &b.config {
                BlockConfig::Prompt(p) => Some((b.id.clone(), p.clone())),
                _ => None,
            }) else {
                continue;
            };
            let kind = match config.provider.as_str() {
                "openai" => ProviderKind::OpenAi,
                "anthropic" => ProviderKind::Anthropic,
                _ => return Err("Batch jobs are available for OpenAI and Anthropic models.".into()),
            };
            if provider.is_some_and(|p| p != kind) {
                return Err("All variants must use the same provider to run as one batch job.".into());
            }
            provider = Some(kind);
            // The prompt's inputs come straight from Input blocks in a one-prompt flow.
            let values: Vec<(String, String)> = flow
                .edges
                .iter()
                .filter(|e| e.to.block == prompt_id)
                .filter_map(|e| match &flow.block(&e.from.block)?.config {
                    BlockConfig::Input(i) => Some((e.to.port.clone(), i.value(&e.from.port)?.to_string())),
                    _ => None,
                })
                .collect();
            let chat = build_chat(&config, kind, |n| values.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str()))
                .map_err(|e| e.to_string())?;
            let settings = ProviderSettings { base_url: String::new(), api_key: "batch".into() };
            let http = build_chat_request(kind, &settings, &chat).map_err(|e| e.to_string())?;
            let mut body: Value =
                serde_json::from_str(http.body.as_deref().unwrap_or("{}")).map_err(|e| e.to_string())?;
            if let Some(obj) = body.as_object_mut() {
                // Batch requests are not streamed.
                obj.remove("stream");
                obj.remove("stream_options");
            }
            for rep in 0..spec.repetitions.max(1) {
                let id = format!("v{v}-c{c}-r{rep}");
                lines.push(match kind {
                    ProviderKind::Anthropic => json!({"custom_id": id, "params": body}),
                    _ => json!({"custom_id": id, "method": "POST", "url": "/v1/chat/completions", "body": body}),
                });
                ids.push((id, (v, c, rep)));
            }
        }
    }
    let Some(provider) = provider.filter(|_| !lines.is_empty()) else {
        return Err("There is nothing to send: add test cases.".into());
    };
    let payload = match provider {
        ProviderKind::Anthropic => json!({"requests": lines}).to_string(),
        _ => lines.iter().map(Value::to_string).collect::<Vec<_>>().join("\n") + "\n",
    };
    Ok(BatchPlan { provider, payload, ids })
}

const BOUNDARY: &str = "chainboard-batch-7f3a9c";

/// The provider's base URL as its requests use it (the default when the setting is empty).
fn base(kind: ProviderKind, settings: &ProviderSettings) -> String {
    crate::domain::providers::base_url(kind, settings).unwrap_or_else(|_| kind.default_base_url().to_string())
}

fn auth(settings: &ProviderSettings) -> Vec<(String, String)> {
    let key = settings.api_key.trim();
    if key.is_empty() {
        Vec::new()
    } else {
        vec![("authorization".to_string(), format!("Bearer {key}"))]
    }
}

/// Uploads the JSONL as a file with purpose "batch" (multipart form data).
pub fn upload_request(settings: &ProviderSettings, jsonl: &str) -> HttpRequest {
    let body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n\
         --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"chainboard-eval.jsonl\"\r\n\
         Content-Type: application/jsonl\r\n\r\n{jsonl}\r\n--{BOUNDARY}--\r\n"
    );
    let mut headers = auth(settings);
    headers.push(("content-type".into(), format!("multipart/form-data; boundary={BOUNDARY}")));
    HttpRequest {
        method: Method::Post,
        url: format!("{}/files", base(ProviderKind::OpenAi, settings)),
        headers,
        body: Some(body),
        bytes: None,
    }
}

pub fn create_request(settings: &ProviderSettings, file_id: &str) -> HttpRequest {
    let mut headers = auth(settings);
    headers.push(("content-type".into(), "application/json".into()));
    let body = json!({"input_file_id": file_id, "endpoint": "/v1/chat/completions", "completion_window": "24h"});
    HttpRequest {
        method: Method::Post,
        url: format!("{}/batches", base(ProviderKind::OpenAi, settings)),
        headers,
        body: Some(body.to_string()),
        bytes: None,
    }
}

pub fn status_request(settings: &ProviderSettings, batch_id: &str) -> HttpRequest {
    HttpRequest {
        method: Method::Get,
        url: format!(
            "{}/batches/{}",
            base(ProviderKind::OpenAi, settings),
            crate::domain::providers::encode_path_segment(batch_id)
        ),
        headers: auth(settings),
        body: None,
        bytes: None,
    }
}

pub fn content_request(settings: &ProviderSettings, file_id: &str) -> HttpRequest {
    HttpRequest {
        method: Method::Get,
        url: format!(
            "{}/files/{}/content",
            base(ProviderKind::OpenAi, settings),
            crate::domain::providers::encode_path_segment(file_id)
        ),
        headers: auth(settings),
        body: None,
        bytes: None,
    }
}

/// Anthropic: creates the Message Batch with every request in the body.
pub fn anthropic_create_request(settings: &ProviderSettings, payload: &str) -> HttpRequest {
    let mut headers = crate::domain::providers::anthropic_headers(settings.api_key.trim());
    headers.push(("content-type".into(), "application/json".into()));
    HttpRequest {
        method: Method::Post,
        url: format!("{}/messages/batches", base(ProviderKind::Anthropic, settings)),
        headers,
        body: Some(payload.to_string()),
        bytes: None,
    }
}

pub fn anthropic_status_request(settings: &ProviderSettings, batch_id: &str) -> HttpRequest {
    HttpRequest {
        method: Method::Get,
        url: format!(
            "{}/messages/batches/{}",
            base(ProviderKind::Anthropic, settings),
            crate::domain::providers::encode_path_segment(batch_id)
        ),
        headers: crate::domain::providers::anthropic_headers(settings.api_key.trim()),
        body: None,
        bytes: None,
    }
}

/// Anthropic: the results file at the batch's `results_url`.
pub fn anthropic_results_request(settings: &ProviderSettings, results_url: &str) -> HttpRequest {
    HttpRequest {
        method: Method::Get,
        url: results_url.to_string(),
        headers: crate::domain::providers::anthropic_headers(settings.api_key.trim()),
        body: None,
        bytes: None,
    }
}

/// The `id` of an uploaded file or a created batch.
pub fn parse_id(body: &str) -> Result<String, String> {
    let v: Value = serde_json::from_str(body).map_err(|_| "The reply is not JSON.".to_string())?;
    v.get("id").and_then(Value::as_str).map(str::to_string).ok_or_else(|| "The reply has no id.".to_string())
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchStatus {
    pub id: String,
    pub status: String,
    pub output_file_id: Option<String>,
    pub completed: u64,
    pub failed: u64,
    pub total: u64,
}

impl BatchStatus {
    pub fn is_done(&self) -> bool {
        self.status == "completed"
    }

    /// Ended without results to load.
    pub fn is_dead(&self) -> bool {
        matches!(self.status.as_str(), "failed" | "expired" | "cancelled" | "cancelling")
    }

    pub fn describe(&self) -> String {
        format!("{} ({} of {} done, {} failed)", self.status.replace('_', " "), self.completed, self.total, self.failed)
    }
}

pub fn parse_status(body: &str) -> Result<BatchStatus, String> {
    let v: Value = serde_json::from_str(body).map_err(|_| "The batch status is not JSON.".to_string())?;
    let count = |k: &str| v.pointer(&format!("/request_counts/{k}")).and_then(Value::as_u64).unwrap_or(0);
    if let Some(processing) = v.get("processing_status").and_then(Value::as_str) {
        // Anthropic: "ended" means done; the results live at `results_url`.
        let (done, failed) = (count("succeeded"), count("errored") + count("canceled") + count("expired"));
        let status = match processing {
            "ended" if done == 0 && failed > 0 => "failed",
            "ended" => "completed",
            "canceling" => "cancelling",
            other => other,
        };
        return Ok(BatchStatus {
            id: v.get("id").and_then(Value::as_str).unwrap_or_default().to_string(),
            status: status.to_string(),
            output_file_id: v.get("results_url").and_then(Value::as_str).map(str::to_string),
            completed: done,
            failed,
            total: done + failed + count("processing"),
        });
    }
    Ok(BatchStatus {
        id: v.get("id").and_then(Value::as_str).unwrap_or_default().to_string(),
        status: v.get("status").and_then(Value::as_str).ok_or("The batch status has no status.")?.to_string(),
        output_file_id: v.get("output_file_id").and_then(Value::as_str).map(str::to_string),
        completed: count("completed"),
        failed: count("failed"),
        total: count("total"),
    })
}

/// One answer from the output file.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchAnswer {
    pub key: JobKey,
    pub output: Result<String, String>,
    pub input_tokens: u64,
    pub output_tokens: u64,
}

/// The answers in a batch output file, matched to runs by custom_id.
pub fn parse_output(jsonl: &str, ids: &[(String, JobKey)]) -> Vec<BatchAnswer> {
    let mut out = Vec::new();
    for line in jsonl.lines().filter(|l| !l.trim().is_empty()) {
        let Ok(v) = serde_json::from_str::<Value>(line) else { continue };
        let Some(custom) = v.get("custom_id").and_then(Value::as_str) else { continue };
        let Some((_, key)) = ids.iter().find(|(id, _)| id == custom) else { continue };
        if let Some(result) = v.get("result") {
            // Anthropic: {"type": "succeeded", "message": {...}} or errored/canceled/expired.
            let message = result.get("message");
            let text = message
                .and_then(|m| m.get("content"))
                .and_then(Value::as_array)
                .map(|blocks| blocks.iter().filter_map(|b| b.get("text").and_then(Value::as_str)).collect::<String>());
            let output = match (result.get("type").and_then(Value::as_str), text) {
                (Some("succeeded"), Some(t)) => Ok(t),
                (kind, _) => Err(result
                    .pointer("/error/error/message")
                    .and_then(Value::as_str)
                    .map_or_else(|| format!("The batch request {}.", kind.unwrap_or("failed")), str::to_string)),
            };
            let usage =
                |k: &str| message.and_then(|m| m.pointer(&format!("/usage/{k}"))).and_then(Value::as_u64).unwrap_or(0);
            out.push(BatchAnswer {
                key: *key,
                output,
                input_tokens: usage("input_tokens"),
                output_tokens: usage("output_tokens"),
            });
            continue;
        }
        let status = v.pointer("/response/status_code").and_then(Value::as_u64).unwrap_or(0);
        let body = v.pointer("/response/body");
        let text = body.and_then(|b| b.pointer("/choices/0/message/content")).and_then(Value::as_str);
        let output = match (status, text) {
            (200..=299, Some(t)) => Ok(t.to_string()),
            _ => Err(v
                .pointer("/error/message")
                .or_else(|| body.and_then(|b| b.pointer("/error/message")))
                .and_then(Value::as_str)
                .map_or_else(|| format!("The batch request failed (HTTP {status})."), str::to_string)),
        };
        let usage = |k: &str| body.and_then(|b| b.pointer(&format!("/usage/{k}"))).and_then(Value::as_u64).unwrap_or(0);
        out.push(BatchAnswer {
            key: *key,
            output,
            input_tokens: usage("prompt_tokens"),
            output_tokens: usage("completion_tokens"),
        });
    }
    out
}

impl crate::domain::stored::Stored for PendingBatch {
    const CURRENT_VERSION: u64 = 1;
    const WHAT: &'static str = "the batch job sent for this flow";
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::evals::cases::parse_table;
    use crate::domain::evals::run::Variant;
    use crate::domain::flow::BlockId;

    fn spec() -> EvalSpec {
        EvalSpec {
            flow: crate::domain::examples::starter_flow(0),
            target: BlockId::new("output-1"),
            cases: parse_table("email\nHi\nHello").expect("parses").1,
            checks: vec![],
            variants: vec![
                Variant::base("Base"),
                Variant { name: "4o".into(), model: Some("gpt-4o".into()), ..Variant::default() },
            ],
            repetitions: 2,
            concurrency: 4,
            budget_usd: None,
        }
    }

    #[test]
    fn one_line_per_run_without_streaming() {
        let plan = batch_plan(&spec()).expect("plans");
        assert_eq!(plan.ids.len(), 8);
        assert_eq!(plan.provider, ProviderKind::OpenAi);
        let lines: Vec<Value> = plan.payload.lines().map(|l| serde_json::from_str(l).unwrap_or_default()).collect();
        assert_eq!(lines.len(), 8);
        assert_eq!(lines[0]["custom_id"], "v0-c0-r0");
        assert_eq!(lines[0]["url"], "/v1/chat/completions");
        assert!(lines[0]["body"].get("stream").is_none() && lines[0]["body"].get("stream_options").is_none());
        assert!(lines[0]["body"]["messages"][1]["content"].as_str().unwrap_or_default().ends_with("Hi"));
        assert_eq!(lines[7]["custom_id"], "v1-c1-r1");
        assert_eq!(lines[7]["body"]["model"], "gpt-4o");
        assert!(!plan.payload.contains("batch\""), "no key in the file");
    }

    #[test]
    fn anthropic_batches_hold_the_requests_in_one_body() {
        let mut s = spec();
        s.variants.truncate(1);
        if let Some(BlockConfig::Prompt(p)) = s.flow.blocks.get_mut(1).map(|b| &mut b.config) {
            p.provider = "anthropic".into();
            p.model = "claude-haiku-4-5".into();
        }
        let plan = batch_plan(&s).expect("plans");
        assert_eq!(plan.provider, ProviderKind::Anthropic);
        let body: Value = serde_json::from_str(&plan.payload).unwrap_or_default();
        assert_eq!(body["requests"].as_array().map(Vec::len), Some(4));
        assert_eq!(body["requests"][0]["custom_id"], "v0-c0-r0");
        assert_eq!(body["requests"][0]["params"]["model"], "claude-haiku-4-5");
        assert!(body["requests"][0]["params"].get("stream").is_none());
        let settings = ProviderSettings { base_url: String::new(), api_key: "sk-ant".into() };
        let create = anthropic_create_request(&settings, &plan.payload);
        assert_eq!(create.url, "https://api.anthropic.com/v1/messages/batches");
        assert_eq!(create.header("x-api-key"), Some("sk-ant"));
        assert_eq!(
            anthropic_status_request(&settings, "msgbatch_1").url,
            "https://api.anthropic.com/v1/messages/batches/msgbatch_1"
        );
        let st = parse_status(r#"{"id":"msgbatch_1","type":"message_batch","processing_status":"ended","request_counts":{"processing":0,"succeeded":3,"errored":1,"canceled":0,"expired":0},"results_url":"https://api.anthropic.com/v1/messages/batches/msgbatch_1/results"}"#)
            .expect("parses");
        assert!(st.is_done());
        assert_eq!(
            st.output_file_id.as_deref(),
            Some("https://api.anthropic.com/v1/messages/batches/msgbatch_1/results")
        );
        assert_eq!((st.completed, st.failed, st.total), (3, 1, 4));
        let running = parse_status(r#"{"id":"msgbatch_1","processing_status":"in_progress","request_counts":{"processing":4,"succeeded":0,"errored":0,"canceled":0,"expired":0}}"#).expect("parses");
        assert!(!running.is_done() && !running.is_dead());
        let ids = vec![("v0-c0-r0".to_string(), (0, 0, 0)), ("v0-c1-r0".to_string(), (0, 1, 0))];
        let results = "{\"custom_id\":\"v0-c0-r0\",\"result\":{\"type\":\"succeeded\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"Sorry about that.\"}],\"usage\":{\"input_tokens\":12,\"output_tokens\":4}}}}\n\
                       {\"custom_id\":\"v0-c1-r0\",\"result\":{\"type\":\"errored\",\"error\":{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":\"max_tokens is too large\"}}}}\n";
        let answers = parse_output(results, &ids);
        assert_eq!(answers[0].output, Ok("Sorry about that.".into()));
        assert_eq!((answers[0].input_tokens, answers[0].output_tokens), (12, 4));
        assert_eq!(answers[1].output, Err("max_tokens is too large".into()));
    }

    #[test]
    fn only_single_prompt_flows_on_batch_providers() {
        let mut s = spec();
        if let Some(BlockConfig::Prompt(p)) = s.flow.blocks.get_mut(1).map(|b| &mut b.config) {
            p.provider = "gemini".into();
        }
        assert!(batch_plan(&s).err().is_some_and(|e| e.contains("OpenAI and Anthropic")));
        let mut chain = spec();
        let mut second = chain.flow.blocks[1].clone();
        second.id = BlockId::new("prompt-2");
        chain.flow.blocks.push(second);
        assert!(batch_plan(&chain).err().is_some_and(|e| e.contains("one Prompt block")));
    }

    #[test]
    fn requests_and_replies() {
        let settings = ProviderSettings { base_url: "http://127.0.0.1:4010/v1/".into(), api_key: "sk-x".into() };
        let up = upload_request(&settings, "{}\n");
        assert_eq!(up.url, "http://127.0.0.1:4010/v1/files");
        assert!(up.header("content-type").is_some_and(|c| c.starts_with("multipart/form-data; boundary=")));
        assert!(up
            .body
            .as_deref()
            .is_some_and(|b| b.contains("name=\"purpose\"\r\n\r\nbatch\r\n") && b.contains("{}\n")));
        assert_eq!(
            create_request(&settings, "file-1").body.as_deref().map(|b| b.contains("\"input_file_id\":\"file-1\"")),
            Some(true)
        );
        assert_eq!(status_request(&settings, "batch_1").url, "http://127.0.0.1:4010/v1/batches/batch_1");
        assert_eq!(content_request(&settings, "file-2").url, "http://127.0.0.1:4010/v1/files/file-2/content");
        assert_eq!(parse_id(r#"{"id":"file-abc","object":"file"}"#), Ok("file-abc".into()));
        let st = parse_status(r#"{"id":"batch_1","status":"completed","output_file_id":"file-out","request_counts":{"total":8,"completed":8,"failed":0}}"#)
            .expect("parses");
        assert!(st.is_done() && !st.is_dead());
        assert_eq!(st.describe(), "completed (8 of 8 done, 0 failed)");
        let ids = vec![("v0-c0-r0".to_string(), (0, 0, 0)), ("v0-c1-r0".to_string(), (0, 1, 0))];
        let out = "{\"custom_id\":\"v0-c0-r0\",\"response\":{\"status_code\":200,\"body\":{\"choices\":[{\"message\":{\"content\":\"Sorry!\"}}],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":2}}},\"error\":null}\n\
                   {\"custom_id\":\"v0-c1-r0\",\"response\":{\"status_code\":429,\"body\":{\"error\":{\"message\":\"Rate limited\"}}},\"error\":null}\n";
        let answers = parse_output(out, &ids);
        assert_eq!(answers[0].output, Ok("Sorry!".into()));
        assert_eq!((answers[0].input_tokens, answers[0].output_tokens), (9, 2));
        assert_eq!(answers[1].output, Err("Rate limited".into()));
    }
}

/// A batch job sent and not yet loaded, kept with the flow until its results are in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PendingBatch {
    /// OpenAI when absent.
    #[serde(default)]
    pub provider: Option<ProviderKind>,
    pub batch_id: String,
    pub sent_ms: i64,
    pub ids: Vec<(String, JobKey)>,
    /// The flow as it was sent (a flow file), and what to check.
    pub flow: String,
    pub suite: super::suite::EvalSuite,
    pub target: String,
    #[serde(default)]
    pub last_status: Option<String>,
}
