//! A tiny key-value store over IndexedDB (one object store of strings), for what is too big
//! for localStorage: knowledge bases. Every failure is an error value with a sentence.

use std::cell::RefCell;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{IdbDatabase, IdbRequest, IdbTransactionMode};

use crate::ui::platform::storage_keys::{IDB_DATABASE as DB_NAME, IDB_STORE as STORE};

thread_local! {
    static DB: RefCell<Option<IdbDatabase>> = const { RefCell::new(None) };
}

fn describe(e: &JsValue) -> String {
    if let Some(ex) = e.dyn_ref::<web_sys::DomException>() {
        if ex.name() == "QuotaExceededError" {
            return "the browser's storage for this site is full".to_string();
        }
        return format!("{}: {}", ex.name(), ex.message());
    }
    e.as_string().unwrap_or_else(|| "the browser refused (private mode or storage disabled?)".to_string())
}

/// Waits for a request's success (its result) or error.
async fn settle(req: &IdbRequest) -> Result<JsValue, String> {
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        let ok_req = req.clone();
        let ok = Closure::once_into_js(move || {
            let _ = resolve.call1(&JsValue::NULL, &ok_req.result().unwrap_or(JsValue::UNDEFINED));
        });
        let err_req = req.clone();
        let err = Closure::once_into_js(move || {
            let e = err_req.error().ok().flatten().map(JsValue::from).unwrap_or(JsValue::UNDEFINED);
            let _ = reject.call1(&JsValue::NULL, &e);
        });
        req.set_onsuccess(Some(ok.unchecked_ref()));
        req.set_onerror(Some(err.unchecked_ref()));
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.map_err(|e| describe(&e))
}

async fn db() -> Result<IdbDatabase, String> {
    if let Some(db) = DB.with(|d| d.borrow().clone()) {
        return Ok(db);
    }
    let factory = web_sys::window()
        .and_then(|w| w.indexed_db().ok().flatten())
        .ok_or_else(|| "this browser offers no IndexedDB (private mode?)".to_string())?;
    let open = factory.open_with_u32(DB_NAME, 1).map_err(|e| describe(&e))?;
    let upgrading = open.clone();
    let upgrade = Closure::once_into_js(move || {
        if let Ok(db) = upgrading.result() {
            let db: IdbDatabase = db.unchecked_into();
            if !db.object_store_names().contains(STORE) {
                let _ = db.create_object_store(STORE);
            }
        }
    });
    open.set_onupgradeneeded(Some(upgrade.unchecked_ref()));
    let db: IdbDatabase = settle(&open).await?.unchecked_into();
    DB.with(|d| *d.borrow_mut() = Some(db.clone()));
    Ok(db)
}

fn store(db: &IdbDatabase, mode: IdbTransactionMode) -> Result<web_sys::IdbObjectStore, String> {
    db.transaction_with_str_and_mode(STORE, mode).and_then(|t| t.object_store(STORE)).map_err(|e| describe(&e))
}

pub async fn get(key: &str) -> Result<Option<String>, String> {
    let db = db().await?;
    let req = store(&db, IdbTransactionMode::Readonly)?.get(&JsValue::from_str(key)).map_err(|e| describe(&e))?;
    Ok(settle(&req).await?.as_string())
}

pub async fn put(key: &str, value: &str) -> Result<(), String> {
    let db = db().await?;
    let req = store(&db, IdbTransactionMode::Readwrite)?
        .put_with_key(&JsValue::from_str(value), &JsValue::from_str(key))
        .map_err(|e| describe(&e))?;
    settle(&req).await.map(|_| ())
}

/// Stores bytes (kept by IndexedDB as a typed array, no base64 overhead).
pub async fn put_bytes(key: &str, bytes: &[u8]) -> Result<(), String> {
    let db = db().await?;
    let array = js_sys::Uint8Array::from(bytes);
    let req = store(&db, IdbTransactionMode::Readwrite)?
        .put_with_key(&array, &JsValue::from_str(key))
        .map_err(|e| describe(&e))?;
    settle(&req).await.map(|_| ())
}

pub async fn get_bytes(key: &str) -> Result<Option<Vec<u8>>, String> {
    let db = db().await?;
    let req = store(&db, IdbTransactionMode::Readonly)?.get(&JsValue::from_str(key)).map_err(|e| describe(&e))?;
    let value = settle(&req).await?;
    Ok(value.dyn_ref::<js_sys::Uint8Array>().map(js_sys::Uint8Array::to_vec))
}

/// Reads a picked or dropped file as bytes.
pub async fn read_file_bytes(file: &web_sys::File) -> Result<Vec<u8>, String> {
    let buffer = wasm_bindgen_futures::JsFuture::from(file.array_buffer())
        .await
        .map_err(|_| "The browser could not read the file.".to_string())?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}
