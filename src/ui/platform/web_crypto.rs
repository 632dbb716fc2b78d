//! Web Crypto for password-protected share links: PBKDF2-SHA256 (310,000 iterations) derives
//! an AES-GCM-256 key from the password, which seals and unseals the link's bytes; random bytes
//! for the salt and the IV.

use wasm_bindgen::JsCast;

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
