//! Requests with the browser's `fetch`: streamed chunk by chunk (model answers) or read whole,
//! cancelled through an AbortSignal, and how each ended (done, an HTTP error with its body,
//! a network failure, aborted).

use wasm_bindgen::JsCast;

/// How a streamed request ended.
pub enum FetchEnd {
    /// The body was read to the end.
    Done,
    /// A non-2xx answer, with its body and `Retry-After` when the server exposes it.
    Http {
        status: u16,
        body: String,
        retry_after: Option<String>,
    },
    /// No answer or a dropped connection; the browser does not say which (CORS looks the same).
    Network(String),
    Aborted,
}

/// Performs `req` with `fetch`, handing each body chunk to `on_chunk` as it arrives.
pub async fn fetch_streaming(
    req: &crate::domain::providers::HttpRequest,
    signal: &web_sys::AbortSignal,
    mut on_chunk: impl FnMut(Vec<u8>),
) -> FetchEnd {
    use wasm_bindgen_futures::JsFuture;
    let aborted = |signal: &web_sys::AbortSignal| signal.aborted();
    let Some(window) = web_sys::window() else { return FetchEnd::Network("No window.".into()) };
    let init = web_sys::RequestInit::new();
    init.set_method(req.method.as_str());
    init.set_mode(web_sys::RequestMode::Cors);
    init.set_signal(Some(signal));
    let Ok(headers) = web_sys::Headers::new() else { return FetchEnd::Network("Could not build headers.".into()) };
    for (k, v) in &req.headers {
        if headers.append(k, v).is_err() {
            return FetchEnd::Network(format!("The header {k} is not valid."));
        }
    }
    init.set_headers(&headers);
    // A binary body (an audio upload) goes as bytes; `body` is then only its summary.
    if let Some(bytes) = &req.bytes {
        init.set_body(&js_sys::Uint8Array::from(bytes.as_slice()));
    } else if let Some(body) = &req.body {
        init.set_body(&wasm_bindgen::JsValue::from_str(body));
    }
    let response = match JsFuture::from(window.fetch_with_str_and_init(&req.url, &init)).await {
        Ok(r) => r,
        Err(e) => {
            if aborted(signal) {
                return FetchEnd::Aborted;
            }
            return FetchEnd::Network(js_error_message(&e));
        }
    };
    let Ok(response) = response.dyn_into::<web_sys::Response>() else {
        return FetchEnd::Network("The browser returned something that is not a response.".into());
    };
    if !response.ok() {
        let retry_after = response.headers().get("retry-after").ok().flatten();
        let body = match response.text() {
            Ok(p) => JsFuture::from(p).await.ok().and_then(|v| v.as_string()).unwrap_or_default(),
            Err(_) => String::new(),
        };
        return FetchEnd::Http { status: response.status(), body, retry_after };
    }
    let Some(stream) = response.body() else { return FetchEnd::Done };
    let Ok(reader) = stream.get_reader().dyn_into::<web_sys::ReadableStreamDefaultReader>() else {
        return FetchEnd::Network("The answer could not be read as a stream.".into());
    };
    loop {
        let result = match JsFuture::from(reader.read()).await {
            Ok(r) => r,
            Err(e) => {
                if aborted(signal) {
                    return FetchEnd::Aborted;
                }
                return FetchEnd::Network(js_error_message(&e));
            }
        };
        let done = js_sys::Reflect::get(&result, &"done".into()).ok().and_then(|v| v.as_bool()).unwrap_or(true);
        if done {
            return FetchEnd::Done;
        }
        if let Ok(value) = js_sys::Reflect::get(&result, &"value".into()) {
            if let Ok(bytes) = value.dyn_into::<js_sys::Uint8Array>() {
                on_chunk(bytes.to_vec());
            }
        }
    }
}

fn js_error_message(e: &wasm_bindgen::JsValue) -> String {
    e.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())).unwrap_or_else(|| "The request failed.".into())
}

/// Performs `req` and reads the whole body: (status, body), or why it failed.
pub async fn fetch_text(req: &crate::domain::providers::HttpRequest) -> Result<(u16, String), String> {
    let controller =
        web_sys::AbortController::new().map_err(|_| "The browser could not start a request.".to_string())?;
    let mut body: Vec<u8> = Vec::new();
    match fetch_streaming(req, &controller.signal(), |bytes| body.extend_from_slice(&bytes)).await {
        FetchEnd::Done => Ok((200, String::from_utf8_lossy(&body).into_owned())),
        FetchEnd::Http { status, body, .. } => Ok((status, body)),
        FetchEnd::Network(m) => Err(m),
        FetchEnd::Aborted => Err("The request was cancelled.".into()),
    }
}
