//! The one place that touches browser APIs directly (storage, clock, theme, events).
//! Everything here fails soft: a missing window or blocked storage returns an error value,
//! never a panic. Requests (fetch.rs) and the Web Crypto of password-protected share links
//! (web_crypto.rs) have files of their own and are reached through here too.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

pub use super::fetch::{fetch_streaming, fetch_text, FetchEnd};
pub use super::web_crypto::{random_bytes, seal, unseal};

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
