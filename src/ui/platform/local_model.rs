//! The in-browser model, from Rust: thin bindings to `local_model.js` (which loads wllama on
//! first use), the download/loading status everyone can show, and turning a chat command into
//! engine events exactly like a streamed HTTP reply.

use std::cell::OnceCell;
use std::rc::Rc;

use super::platform;
use crate::domain::engine::{Event, RequestId};
use crate::domain::providers::local_models::{model_name, FILE_PREFIX};
use crate::domain::providers::HttpRequest;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/ui/platform/local_model.js")]
extern "C" {
    #[wasm_bindgen(js_name = localSupported)]
    fn local_supported() -> bool;
    #[wasm_bindgen(js_name = localPickFile)]
    fn local_pick_file(file: &web_sys::File) -> String;
    #[wasm_bindgen(js_name = localChat, catch)]
    async fn local_chat(
        model: &str,
        body: &str,
        on_chunk: &Closure<dyn FnMut(String)>,
        on_progress: &Closure<dyn FnMut(f64, f64)>,
        signal: &web_sys::AbortSignal,
    ) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = localEmbed, catch)]
    async fn local_embed(
        model: &str,
        inputs: &str,
        on_progress: &Closure<dyn FnMut(f64, f64)>,
    ) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = localCachedModels, catch)]
    async fn local_cached_models() -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = localDeleteModel, catch)]
    async fn local_delete_model(name: &str) -> Result<JsValue, JsValue>;
}

thread_local! {
    static STATUS: OnceCell<RwSignal<Option<String>>> = const { OnceCell::new() };
}

/// What the in-browser model is doing ("Downloading SmolLM2 …: 45 of 98 MB"), for the status line.
pub fn status() -> RwSignal<Option<String>> {
    STATUS.with(|s| *s.get_or_init(|| RwSignal::new(None)))
}

pub fn supported() -> bool {
    local_supported()
}

/// Keeps a picked `.gguf` file for this tab; returns the model setting naming it.
pub fn pick_file(file: &web_sys::File) -> String {
    local_pick_file(file)
}

/// A cached model: its cache name and size in bytes.
#[derive(Clone, Debug, PartialEq, serde::Deserialize)]
pub struct CachedModel {
    pub name: String,
    pub size: f64,
}

pub async fn cached_models() -> Result<Vec<CachedModel>, String> {
    let json = local_cached_models().await.map_err(|e| js_message(&e))?;
    serde_json::from_str(&json.as_string().unwrap_or_default()).map_err(|e| e.to_string())
}

pub async fn delete_model(name: &str) -> Result<(), String> {
    local_delete_model(name).await.map(|_| ()).map_err(|e| js_message(&e))
}

fn js_message(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "unknown error".to_string())
}

/// A sentence for a failure to load or run the model.
fn explain(model: &str, raw: &str) -> String {
    let name = model_name(model);
    // llama.cpp's messages end in spaces or a full stop ("(ABORT) "); the sentence adds its own.
    let raw = raw.trim().trim_end_matches('.');
    if raw == "MISSING_FILE" {
        return format!(
            "The model file \u{201c}{name}\u{201d} is no longer open in this tab (files picked from disk are kept \
             until a reload). Pick it again under Settings \u{2192} In this browser."
        );
    }
    let lower = raw.to_ascii_lowercase();
    if lower.contains("fetch") || lower.contains("network") || lower.contains("download") || lower.contains("http") {
        return format!(
            "The model {name} could not be downloaded: {raw}. Check the address and your connection, then run again."
        );
    }
    if lower.contains("memory") || lower.contains("allocation") || lower.contains("oom") {
        return format!("The model {name} does not fit in this tab's memory: {raw}. Pick a smaller model.");
    }
    format!(
        "The model {name} could not be loaded or run: {raw}. Is it a complete GGUF file of a model llama.cpp \
         supports? Your flow is unchanged."
    )
}

/// Runs one request on the in-browser model and reports it as engine events: `Chunk`s of
/// OpenAI-style SSE, then `Done`, `Aborted`, or `HttpError` with a sentence.
pub fn perform_chat(
    request: RequestId,
    http: HttpRequest,
    signal: web_sys::AbortSignal,
    feed: Rc<dyn Fn(Event)>,
    done: impl FnOnce() + 'static,
) {
    let model = serde_json::from_str::<serde_json::Value>(http.body.as_deref().unwrap_or("{}"))
        .ok()
        .and_then(|v| v.get("model").and_then(|m| m.as_str()).map(str::to_string))
        .unwrap_or_default();
    let body = http.body.clone().unwrap_or_default();
    leptos::task::spawn_local(async move {
        if !local_supported() {
            let message = "This browser cannot run models in the page (it lacks WebAssembly SIMD). Use a recent \
                           Chrome, Edge, Firefox or Safari, or another provider.";
            feed(Event::HttpError { request, status: 501, body: error_body(message), retry_after: None });
            return;
        }
        let chunk_feed = feed.clone();
        let on_chunk = Closure::<dyn FnMut(String)>::new(move |text: String| {
            chunk_feed(Event::Chunk { request, bytes: text.into_bytes() });
        });
        let on_progress = progress_reporter(&model);
        if !model.starts_with(FILE_PREFIX) {
            status().set(Some(format!("Loading {} in this browser\u{2026}", model_name(&model))));
        }
        let result = local_chat(&model, &body, &on_chunk, &on_progress, &signal).await;
        status().set(None);
        done();
        match result {
            Ok(_) => feed(Event::Done { request }),
            Err(e) => {
                let raw = js_message(&e);
                if raw == "ABORTED" {
                    feed(Event::Aborted { request });
                } else {
                    // 422: not retried (a model that failed to load fails again).
                    let body = error_body(&explain(&model, &raw));
                    feed(Event::HttpError { request, status: 422, body, retry_after: None });
                }
            }
        }
    });
}

/// Embeds `inputs` with the in-browser model and reports the reply (OpenAI's shape) as
/// `ToolResponse`, or a sentence as `ToolFailed`.
pub fn perform_embed(request: RequestId, model: String, inputs: Vec<String>, feed: Rc<dyn Fn(Event)>) {
    leptos::task::spawn_local(async move {
        let on_progress = progress_reporter(&model);
        status().set(Some(format!("Embedding {} passages in this browser\u{2026}", inputs.len())));
        let json = serde_json::to_string(&inputs).unwrap_or_else(|_| "[]".into());
        let result = local_embed(&model, &json, &on_progress).await;
        status().set(None);
        feed(match result {
            Ok(body) => Event::ToolResponse { request, status: 200, body: body.as_string().unwrap_or_default() },
            Err(e) => Event::ToolFailed { request, message: explain(&model, &js_message(&e)) },
        });
    });
}

/// Reports download progress of `model` on the status line.
fn progress_reporter(model: &str) -> Closure<dyn FnMut(f64, f64)> {
    let name = model_name(model);
    let started = platform::now_precise_ms();
    Closure::new(move |loaded: f64, total: f64| {
        status().set(Some(progress_line(&name, loaded, total, platform::now_precise_ms() - started)));
    })
}

fn error_body(message: &str) -> String {
    serde_json::json!({ "error": { "message": message, "type": "local_model_error" } }).to_string()
}

/// "Downloading SmolLM2 135M Instruct: 45 of 98 MB (46%), about 12 s left".
pub fn progress_line(name: &str, loaded: f64, total: f64, elapsed_ms: f64) -> String {
    let mb = |b: f64| b / 1e6;
    if total <= 0.0 || loaded >= total {
        return format!("Loading {name} into memory\u{2026}");
    }
    let share = loaded / total;
    let left = if share > 0.02 && elapsed_ms > 500.0 {
        let secs = elapsed_ms / 1000.0 * (1.0 - share) / share;
        format!(", about {:.0} s left", secs.max(1.0))
    } else {
        String::new()
    };
    format!("Downloading {name}: {:.0} of {:.0} MB ({:.0}%){left}", mb(loaded), mb(total), share * 100.0)
}
