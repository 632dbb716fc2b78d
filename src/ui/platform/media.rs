//! Images and audio in this browser: files are checked, stored in IndexedDB by content id
//! (`media.<id>` bytes, `media-meta.<id>` what they are) and kept in one [`MediaLibrary`]
//! that runs share. Also the bindings to `media.js` (microphone, downscaling, previews).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::idb;
use crate::domain::media::wav::{downsample, encode_wav};
use crate::domain::media::{MediaItem, MediaLibrary, MediaRef, MAX_MEDIA_BYTES};
use crate::domain::util::format::human_size;
use crate::ui::platform::storage_keys;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/ui/platform/media.js")]
extern "C" {
    #[wasm_bindgen(js_name = mediaCanRecord)]
    fn media_can_record() -> bool;
    #[wasm_bindgen(js_name = mediaRecordStart, catch)]
    async fn media_record_start() -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = mediaRecordStop, catch)]
    async fn media_record_stop() -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = mediaRecordCancel)]
    fn media_record_cancel();
    #[wasm_bindgen(js_name = mediaDownscale, catch)]
    async fn media_downscale(bytes: &[u8], mime: &str, max_side: u32, to: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = mediaDroppedFiles, catch)]
    async fn media_dropped_files(data: &web_sys::DataTransfer) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = mediaObjectUrl)]
    fn media_object_url(bytes: &[u8], mime: &str) -> String;
}

/// Speech needs no more; a smaller recording stays under the providers' size limits.
const RECORDING_RATE: u32 = 16_000;
/// The long edge "Make smaller" gives an image: what the vision APIs resize to anyway.
pub const DOWNSCALE_SIDE: u32 = 1568;

fn js_message(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.dyn_ref::<web_sys::DomException>().map(|d| format!("{}: {}", d.name(), d.message())))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "the browser refused".to_string())
}

#[derive(Clone, Copy)]
pub struct MediaStore {
    pub library: RwSignal<Arc<MediaLibrary>>,
    /// A sentence about the last failed save or load.
    pub problem: RwSignal<Option<String>>,
    urls: StoredValue<HashMap<String, String>>,
    loading: StoredValue<HashSet<String>>,
}

impl MediaStore {
    pub fn new() -> MediaStore {
        MediaStore {
            library: RwSignal::new(Arc::new(MediaLibrary::default())),
            problem: RwSignal::new(None),
            urls: StoredValue::new(HashMap::new()),
            loading: StoredValue::new(HashSet::new()),
        }
    }

    fn insert(self, item: MediaItem) {
        self.library.update(|lib| Arc::make_mut(lib).insert(item));
    }

    /// Checks a file, keeps it for this tab and stores it. `Err` is a sentence; nothing changed.
    pub async fn add(self, name: String, bytes: Vec<u8>) -> Result<MediaRef, String> {
        let item = MediaItem::from_file(&name, bytes)?;
        let meta = item.meta.clone();
        self.insert(item.clone());
        let json = crate::domain::stored::to_stored(&meta);
        let saved = match idb::put_bytes(&storage_keys::media_bytes(&meta.id), &item.data).await {
            Ok(()) => idb::put(&storage_keys::media_meta(&meta.id), &json).await,
            Err(e) => Err(e),
        };
        match saved {
            Ok(()) => self.problem.set(None),
            Err(e) => self.problem.set(Some(format!(
                "\u{201c}{}\u{201d} could not be saved in this browser ({e}). It works in this tab; free some browser \
                 storage or remove large files, then add it again to keep it after a reload.",
                meta.name
            ))),
        }
        Ok(meta)
    }

    /// Reads a picked, dropped or pasted file (refusing oversized ones before reading).
    pub async fn add_file(self, file: web_sys::File) -> Result<MediaRef, String> {
        let name = file.name();
        let name = if name.is_empty() { "pasted image".to_string() } else { name };
        if file.size() > MAX_MEDIA_BYTES as f64 {
            return Err(format!(
                "\u{201c}{name}\u{201d} is {}; images and audio can be at most {}.",
                human_size(file.size() as u64),
                human_size(MAX_MEDIA_BYTES)
            ));
        }
        let bytes = idb::read_file_bytes(&file).await?;
        self.add(name, bytes).await
    }

    /// Loads stored media the flow refers to and this tab does not hold yet.
    pub fn ensure(self, ids: Vec<String>) {
        for id in ids {
            let known = self.library.with_untracked(|l| l.contains(&id));
            let busy = self.loading.with_value(|l| l.contains(&id));
            if known || busy {
                continue;
            }
            self.loading.update_value(|l| {
                l.insert(id.clone());
            });
            leptos::task::spawn_local(async move {
                let meta = idb::get(&storage_keys::media_meta(&id)).await;
                let bytes = idb::get_bytes(&storage_keys::media_bytes(&id)).await;
                if let (Ok(Some(meta)), Ok(Some(bytes))) = (meta, bytes) {
                    match crate::domain::stored::from_stored::<MediaRef>(&meta) {
                        Ok(meta) => self.insert(MediaItem { meta, data: Arc::new(bytes) }),
                        // Media is never written over (each item has its own id), so the
                        // record stays as it is; the person is told it could not be shown.
                        Err(e) => self.problem.set(Some(format!(
                            "Chainboard could not load a saved image or recording ({id}): {e}. It stays saved in \
                             this browser, unchanged."
                        ))),
                    }
                }
                self.loading.update_value(|l| {
                    l.remove(&id);
                });
            });
        }
    }

    /// An object URL showing the media (reactive: empty until the bytes are loaded).
    pub fn url(self, id: &str) -> Option<String> {
        if let Some(url) = self.urls.with_value(|u| u.get(id).cloned()) {
            return Some(url);
        }
        let url = self.library.with(|l| l.get(id).map(|item| media_object_url(&item.data, &item.meta.mime)))?;
        self.urls.update_value(|u| {
            u.insert(id.to_string(), url.clone());
        });
        Some(url)
    }

    /// A JPEG of the image at most [`DOWNSCALE_SIDE`] pixels on its long edge, stored as new media.
    pub async fn downscale(self, meta: MediaRef) -> Result<MediaRef, String> {
        let Some(item) = self.library.with_untracked(|l| l.get(&meta.id).cloned()) else {
            return Err(format!("\u{201c}{}\u{201d} is not in this browser: add it again.", meta.name));
        };
        let out = media_downscale(&item.data, &meta.mime, DOWNSCALE_SIDE, "image/jpeg")
            .await
            .map_err(|e| format!("The image could not be made smaller: {}.", js_message(&e)))?;
        let bytes = js_sys::Uint8Array::new(&out).to_vec();
        let stem = meta.name.rsplit_once('.').map_or(meta.name.as_str(), |(s, _)| s);
        self.add(format!("{stem} (smaller).jpg"), bytes).await
    }
}

/// The files of a drop, with the files inside dropped folders.
pub async fn dropped_files(data: web_sys::DataTransfer) -> Vec<web_sys::File> {
    let Ok(list) = media_dropped_files(&data).await else { return Vec::new() };
    js_sys::Array::from(&list).iter().filter_map(|f| f.dyn_into::<web_sys::File>().ok()).collect()
}

/// Adds files one by one: the stored ones, and a sentence per file that was refused.
pub async fn add_files(store: MediaStore, files: Vec<web_sys::File>) -> (Vec<MediaRef>, Vec<String>) {
    let mut added = Vec::new();
    let mut refused = Vec::new();
    for file in files {
        match store.add_file(file).await {
            Ok(meta) => added.push(meta),
            Err(e) => refused.push(e),
        }
    }
    (added, refused)
}

/// Fetches a sample file the app serves (a template's photo or recording) and stores it.
pub async fn add_sample(store: MediaStore, path: &str) -> Result<MediaRef, String> {
    let req = crate::domain::providers::HttpRequest {
        method: crate::domain::providers::Method::Get,
        url: path.to_string(),
        headers: Vec::new(),
        body: None,
        bytes: None,
    };
    let controller =
        web_sys::AbortController::new().map_err(|_| "The browser could not start a request.".to_string())?;
    let mut bytes: Vec<u8> = Vec::new();
    match super::platform::fetch_streaming(&req, &controller.signal(), |chunk| bytes.extend_from_slice(&chunk)).await {
        super::platform::FetchEnd::Done => {}
        _ => return Err(format!("The sample file {path} could not be loaded; add your own file instead.")),
    }
    let name = path.rsplit('/').next().unwrap_or(path).to_string();
    store.add(name, bytes).await
}

pub fn can_record() -> bool {
    media_can_record()
}

pub async fn record_start() -> Result<(), String> {
    media_record_start().await.map(|_| ()).map_err(|e| {
        let msg = js_message(&e);
        if msg.contains("NotAllowed") || msg.contains("Permission") {
            "The browser did not allow the microphone. Allow it in the address bar's site settings, then try again."
                .to_string()
        } else {
            format!("The microphone could not be started: {msg}.")
        }
    })
}

pub fn record_cancel() {
    media_record_cancel();
}

/// Stops recording and returns the recording as a 16 kHz mono WAV file.
pub async fn record_stop() -> Result<Vec<u8>, String> {
    let value = media_record_stop().await.map_err(|e| format!("The recording failed: {}.", js_message(&e)))?;
    let samples = js_sys::Reflect::get(&value, &"samples".into())
        .ok()
        .and_then(|s| s.dyn_into::<js_sys::Float32Array>().ok())
        .map(|a| a.to_vec())
        .unwrap_or_default();
    let rate = js_sys::Reflect::get(&value, &"rate".into()).ok().and_then(|r| r.as_f64()).unwrap_or(48_000.0) as u32;
    if samples.is_empty() {
        return Err("The recording is empty: nothing was heard. Check the microphone and try again.".to_string());
    }
    Ok(encode_wav(&downsample(&samples, rate, RECORDING_RATE), RECORDING_RATE.min(rate)))
}
