//! The one place that touches browser APIs directly (storage, clock, theme, events).
//! Everything here fails soft: a missing window or blocked storage returns an error value,
//! never a panic.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

pub fn storage_get(key: &str) -> Option<String> {
    local_storage()?.get_item(key).ok().flatten()
}

thread_local! {
    /// Keys holding a record that could not be read and of which no copy could be kept:
    /// never written over or removed in this tab (see `ui::state::unreadable`).
    static PROTECTED: std::cell::RefCell<std::collections::BTreeSet<String>> =
        const { std::cell::RefCell::new(std::collections::BTreeSet::new()) };
}

/// Refuses every later write and removal of `key` in this tab.
pub fn protect(key: &str) {
    PROTECTED.with(|p| p.borrow_mut().insert(key.to_string()));
}

fn is_protected(key: &str) -> bool {
    PROTECTED.with(|p| p.borrow().contains(key))
}

/// Every key in localStorage.
pub fn storage_keys() -> Vec<String> {
    let Some(s) = local_storage() else { return Vec::new() };
    (0..s.length().unwrap_or(0)).filter_map(|i| s.key(i).ok().flatten()).collect()
}

/// Saves a value; the error says why (full, private mode, blocked) in words.
pub fn storage_set(key: &str, value: &str) -> Result<(), String> {
    if is_protected(key) {
        return Err("Chainboard could not read what is saved there and could not keep a copy of it, so it does not \
                    write over it."
            .to_string());
    }
    let storage = local_storage().ok_or_else(|| "This browser blocks local storage for this page.".to_string())?;
    storage.set_item(key, value).map_err(|e| {
        let name = e.dyn_ref::<js_sys::Error>().map(|e| String::from(e.name())).unwrap_or_default();
        if name.contains("Quota") {
            "The browser's storage for this site is full.".to_string()
        } else {
            "The browser refused to save (private mode or storage blocked).".to_string()
        }
    })
}

pub fn prefers_dark() -> bool {
    web_sys::window()
        .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
        .is_some_and(|m| m.matches())
}

pub fn set_document_theme(theme: &str) {
    if let Some(el) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
        let _ = el.set_attribute("data-theme", theme);
    }
}

/// Adds a non-passive wheel listener (delegated listeners are passive and cannot stop
/// the page from zooming). The closure lives as long as the page, like the canvas.
pub fn on_wheel_nonpassive(el: &web_sys::HtmlElement, f: impl FnMut(web_sys::WheelEvent) + 'static) {
    let cb = Closure::<dyn FnMut(web_sys::WheelEvent)>::new(f);
    let opts = web_sys::AddEventListenerOptions::new();
    opts.set_passive(false);
    let _ =
        el.add_event_listener_with_callback_and_add_event_listener_options("wheel", cb.as_ref().unchecked_ref(), &opts);
    cb.forget();
}

/// The element's size on screen, or a sensible default before layout.
pub fn element_size(el: &web_sys::HtmlElement) -> (f64, f64) {
    let r = el.get_bounding_client_rect();
    if r.width() > 0.0 {
        (r.width(), r.height())
    } else {
        (1280.0, 720.0)
    }
}

pub fn element_origin(el: &web_sys::HtmlElement) -> (f64, f64) {
    let r = el.get_bounding_client_rect();
    (r.left(), r.top())
}

/// The `data-port` target under a screen point: (block id, port name, side).
pub fn port_at(x: f64, y: f64) -> Option<(String, String, String)> {
    let doc = web_sys::window()?.document()?;
    let el = doc.element_from_point(x as f32, y as f32)?;
    let port = el.closest("[data-port]").ok().flatten()?;
    Some((port.get_attribute("data-block-id")?, port.get_attribute("data-port")?, port.get_attribute("data-side")?))
}

pub fn storage_remove(key: &str) {
    if is_protected(key) {
        return;
    }
    if let Some(s) = local_storage() {
        let _ = s.remove_item(key);
    }
}

/// Offers `text` as a file download.
pub fn download_text(filename: &str, text: &str, mime: &str) -> Result<(), String> {
    let fail = |_| "The browser refused to create the file.".to_string();
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts).map_err(fail)?;
    offer_blob(filename, &blob)
}

/// Offers `bytes` as a file download (a .zip of generated code).
pub fn download_bytes(filename: &str, bytes: &[u8], mime: &str) -> Result<(), String> {
    let fail = |_| "The browser refused to create the file.".to_string();
    let array = js_sys::Uint8Array::from(bytes);
    let parts = js_sys::Array::of1(&array);
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &opts).map_err(fail)?;
    offer_blob(filename, &blob)
}

/// Clicks a temporary download link to `blob`.
fn offer_blob(filename: &str, blob: &web_sys::Blob) -> Result<(), String> {
    let fail = |_| "The browser refused to create the file.".to_string();
    let url = web_sys::Url::create_object_url_with_blob(blob).map_err(fail)?;
    let doc = web_sys::window().and_then(|w| w.document()).ok_or("No document.")?;
    let a: web_sys::HtmlAnchorElement = doc.create_element("a").map_err(fail)?.dyn_into().map_err(|_| "No anchor.")?;
    a.set_href(&url);
    a.set_download(filename);
    a.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

/// Reads a picked or dropped file as text.
pub async fn read_file_text(file: web_sys::File) -> Result<String, String> {
    let promise = file.text();
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map_err(|_| "The browser could not read the file.".to_string())?
        .as_string()
        .ok_or_else(|| "The file is not text.".to_string())
}

/// A number that differs between page loads, for ids (the domain has no randomness).
pub fn random_seed() -> u64 {
    (js_sys::Math::random() * 9_007_199_254_740_991.0) as u64
}

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

fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

pub fn session_get(key: &str) -> Option<String> {
    session_storage()?.get_item(key).ok().flatten()
}

pub fn session_set(key: &str, value: &str) {
    if let Some(s) = session_storage() {
        let _ = s.set_item(key, value);
    }
}

pub fn session_remove(key: &str) {
    if let Some(s) = session_storage() {
        let _ = s.remove_item(key);
    }
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

/// Runs `f` after `ms` milliseconds.
pub fn after_ms(ms: f64, f: impl FnOnce() + 'static) {
    let cb = Closure::once_into_js(f);
    if let Some(w) = web_sys::window() {
        let _ =
            w.set_timeout_with_callback_and_timeout_and_arguments_0(cb.unchecked_ref(), ms.clamp(0.0, 2.0e9) as i32);
    }
}

pub fn now_precise_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map(|p| p.now()).unwrap_or_else(js_sys::Date::now)
}

/// Asks for full screen; browsers may refuse (no gesture, iframe), which is fine.
pub fn request_fullscreen() {
    if let Some(el) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
        let _ = el.request_fullscreen();
    }
}

pub fn exit_fullscreen() {
    if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
        if doc.fullscreen_element().is_some() {
            doc.exit_fullscreen();
        }
    }
}

// ---- Web Crypto for password-protected share links -------------------------------------
// PBKDF2-SHA256 (310,000 iterations) derives an AES-GCM-256 key from the password.

const PBKDF2_ITERATIONS: u32 = 310_000;

fn subtle() -> Result<wasm_bindgen::JsValue, String> {
    let crypto = js_sys::Reflect::get(&js_sys::global(), &"crypto".into()).map_err(|_| "No Web Crypto here.")?;
    js_sys::Reflect::get(&crypto, &"subtle".into())
        .ok()
        .filter(|s| !s.is_undefined())
        .ok_or_else(|| "Encryption needs a secure page (https or localhost).".to_string())
}

async fn call(
    target: &wasm_bindgen::JsValue,
    method: &str,
    args: &[wasm_bindgen::JsValue],
) -> Result<wasm_bindgen::JsValue, String> {
    let f: js_sys::Function = js_sys::Reflect::get(target, &method.into())
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or("Web Crypto is missing.")?;
    let arr = js_sys::Array::new();
    for a in args {
        arr.push(a);
    }
    let promise: js_sys::Promise =
        f.apply(target, &arr).ok().and_then(|p| p.dyn_into().ok()).ok_or("Web Crypto refused the request.")?;
    wasm_bindgen_futures::JsFuture::from(promise).await.map_err(|_| "The browser could not do this.".to_string())
}

fn obj(pairs: &[(&str, wasm_bindgen::JsValue)]) -> wasm_bindgen::JsValue {
    let o = js_sys::Object::new();
    for (k, v) in pairs {
        let _ = js_sys::Reflect::set(&o, &(*k).into(), v);
    }
    o.into()
}

pub fn random_bytes(n: usize) -> Vec<u8> {
    let buf = js_sys::Uint8Array::new_with_length(n as u32);
    if let Ok(crypto) = js_sys::Reflect::get(&js_sys::global(), &"crypto".into()) {
        if let Ok(f) =
            js_sys::Reflect::get(&crypto, &"getRandomValues".into()).and_then(|f| f.dyn_into::<js_sys::Function>())
        {
            let _ = f.call1(&crypto, &buf);
        }
    }
    buf.to_vec()
}

async fn derive_key(password: &str, salt: &[u8]) -> Result<wasm_bindgen::JsValue, String> {
    let subtle = subtle()?;
    let raw = js_sys::Uint8Array::from(password.as_bytes());
    let base = call(
        &subtle,
        "importKey",
        &["raw".into(), raw.into(), "PBKDF2".into(), false.into(), js_sys::Array::of1(&"deriveKey".into()).into()],
    )
    .await?;
    let params = obj(&[
        ("name", "PBKDF2".into()),
        ("salt", js_sys::Uint8Array::from(salt).into()),
        ("iterations", PBKDF2_ITERATIONS.into()),
        ("hash", "SHA-256".into()),
    ]);
    let aes = obj(&[("name", "AES-GCM".into()), ("length", 256u32.into())]);
    let usages = js_sys::Array::of2(&"encrypt".into(), &"decrypt".into());
    call(&subtle, "deriveKey", &[params, base, aes, false.into(), usages.into()]).await
}

/// Encrypts with a password; returns (salt, iv, ciphertext).
pub async fn seal(password: &str, plaintext: &[u8]) -> Result<(Vec<u8>, Vec<u8>, Vec<u8>), String> {
    let salt = random_bytes(16);
    let iv = random_bytes(12);
    let key = derive_key(password, &salt).await?;
    let params = obj(&[("name", "AES-GCM".into()), ("iv", js_sys::Uint8Array::from(iv.as_slice()).into())]);
    let out = call(&subtle()?, "encrypt", &[params, key, js_sys::Uint8Array::from(plaintext).into()]).await?;
    Ok((salt, iv, js_sys::Uint8Array::new(&out).to_vec()))
}

/// Decrypts; a wrong password (or a damaged link) is an error, never garbage.
pub async fn unseal(password: &str, salt: &[u8], iv: &[u8], ciphertext: &[u8]) -> Result<Vec<u8>, String> {
    let key = derive_key(password, salt).await?;
    let params = obj(&[("name", "AES-GCM".into()), ("iv", js_sys::Uint8Array::from(iv).into())]);
    let out = call(&subtle()?, "decrypt", &[params, key, js_sys::Uint8Array::from(ciphertext).into()])
        .await
        .map_err(|_| "Wrong password, or the link is damaged.".to_string())?;
    Ok(js_sys::Uint8Array::new(&out).to_vec())
}

pub fn location_hash() -> String {
    web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default()
}

pub fn location_href_without_hash() -> String {
    let href = web_sys::window().and_then(|w| w.location().href().ok()).unwrap_or_default();
    href.split('#').next().unwrap_or_default().to_string()
}

/// Removes the fragment from the address bar without reloading.
pub fn clear_hash() {
    if let Some(w) = web_sys::window() {
        if let Ok(h) = w.history() {
            let url = location_href_without_hash();
            let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
        }
    }
}

pub async fn copy_text(text: &str) -> bool {
    let Some(w) = web_sys::window() else { return false };
    let clip = w.navigator().clipboard();
    wasm_bindgen_futures::JsFuture::from(clip.write_text(text)).await.is_ok()
}

/// True when the page was opened as an embed (`?embed` in the address).
pub fn is_embed() -> bool {
    web_sys::window().and_then(|w| w.location().search().ok()).is_some_and(|s| s.contains("embed"))
}

/// Scrolls `el` to the top of its scrolling container.
pub fn scroll_into_view(el: &web_sys::Element) {
    el.scroll_into_view_with_bool(true);
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
