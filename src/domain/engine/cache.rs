//! The block output cache: a finished model call's text, keyed by a hash of the exact
//! request (provider and rendered [`ChatRequest`]). Editing a prompt, or anything upstream
//! that changes what it sends, changes the key, so exactly the affected blocks miss.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::domain::providers::{ChatRequest, ProviderKind};
use crate::domain::util::hash::fnv1a64;

/// Entries beyond this are evicted oldest first, so a persisted cache stays small.
pub const MAX_CACHE_ENTRIES: usize = 500;

/// Bumped when the key's input changes shape, so old entries simply stop matching.
const KEY_VERSION: u32 = 1;

/// A 64-bit FNV-1a hash of a request's canonical JSON. Shown as 16 hex digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CacheKey(pub u64);

impl fmt::Display for CacheKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

#[derive(Serialize)]
struct KeyInput<'a> {
    v: u32,
    provider: &'static str,
    request: &'a ChatRequest,
}

/// The canonical JSON a key is computed from: struct fields in declaration order, JSON
/// object keys (in schemas) sorted.
pub fn canonical_request_json(provider: ProviderKind, chat: &ChatRequest) -> String {
    let input = KeyInput { v: KEY_VERSION, provider: provider.id(), request: chat };
    // Serialising these plain types cannot fail; the fallback only keeps this total.
    serde_json::to_string(&input).unwrap_or_else(|_| format!("{KEY_VERSION}|{provider:?}|{chat:?}"))
}

/// The cache key of one model call.
pub fn request_key(provider: ProviderKind, chat: &ChatRequest) -> CacheKey {
    CacheKey(fnv1a64(canonical_request_json(provider, chat).as_bytes()))
}

/// What a cached call produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CachedOutput {
    pub output: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_tokens: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_tokens: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Entry {
    #[serde(flatten)]
    value: CachedOutput,
    /// Larger is more recent; the smallest is evicted first.
    #[serde(default)]
    seq: u64,
}

/// Finished outputs by request key. Serialisable so the UI can keep it between sessions
/// (it holds model output, never keys).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RunCache {
    #[serde(default)]
    entries: BTreeMap<String, Entry>,
    #[serde(default)]
    next_seq: u64,
}

impl RunCache {
    pub fn new() -> Self {
        RunCache::default()
    }

    pub fn get(&self, key: CacheKey) -> Option<&CachedOutput> {
        self.entries.get(&key.to_string()).map(|e| &e.value)
    }

    pub fn contains(&self, key: CacheKey) -> bool {
        self.entries.contains_key(&key.to_string())
    }

    /// Stores (or refreshes) an entry, evicting the oldest beyond [`MAX_CACHE_ENTRIES`].
    pub fn insert(&mut self, key: CacheKey, value: CachedOutput) {
        let seq = self.next_seq;
        self.next_seq = self.next_seq.saturating_add(1);
        self.entries.insert(key.to_string(), Entry { value, seq });
        while self.entries.len() > MAX_CACHE_ENTRIES {
            let oldest = self.entries.iter().min_by_key(|(_, e)| e.seq).map(|(k, _)| k.clone());
            match oldest {
                Some(k) => {
                    self.entries.remove(&k);
                }
                None => break,
            }
        }
    }

    /// Marks an entry as recently used, so eviction keeps it.
    pub fn touch(&mut self, key: CacheKey) {
        let seq = self.next_seq;
        if let Some(entry) = self.entries.get_mut(&key.to_string()) {
            entry.seq = seq;
            self.next_seq = self.next_seq.saturating_add(1);
        }
    }

    pub fn remove(&mut self, key: CacheKey) -> Option<CachedOutput> {
        self.entries.remove(&key.to_string()).map(|e| e.value)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }
}

impl crate::domain::stored::Stored for RunCache {
    const CURRENT_VERSION: u64 = 1;
    const WHAT: &'static str = "the cache of this tab's runs";
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::providers::ChatMessage;

    fn chat(user: &str) -> ChatRequest {
        ChatRequest { model: "gpt-4o-mini".into(), messages: vec![ChatMessage::user(user)], ..ChatRequest::default() }
    }

    #[test]
    fn keys_depend_on_provider_and_every_request_field() {
        let base = request_key(ProviderKind::OpenAi, &chat("hi"));
        assert_eq!(base, request_key(ProviderKind::OpenAi, &chat("hi")));
        assert_ne!(base, request_key(ProviderKind::OpenAiCompatible, &chat("hi")));
        assert_ne!(base, request_key(ProviderKind::OpenAi, &chat("hi!")));
        let mut warmer = chat("hi");
        warmer.temperature = Some(0.7);
        assert_ne!(base, request_key(ProviderKind::OpenAi, &warmer));
        assert_eq!(base.to_string().len(), 16);
    }

    #[test]
    fn schema_key_order_does_not_change_the_key() {
        let mut a = chat("x");
        let mut b = chat("x");
        a.json_mode = Some(crate::domain::providers::JsonMode::Schema {
            name: "output".into(),
            schema: serde_json::from_str(r#"{"a":1,"b":2}"#).unwrap_or_default(),
        });
        b.json_mode = Some(crate::domain::providers::JsonMode::Schema {
            name: "output".into(),
            schema: serde_json::from_str(r#"{"b":2,"a":1}"#).unwrap_or_default(),
        });
        assert_eq!(request_key(ProviderKind::OpenAi, &a), request_key(ProviderKind::OpenAi, &b));
    }

    #[test]
    fn round_trips_through_json_and_evicts_the_oldest() {
        let mut cache = RunCache::new();
        let out = |s: &str| CachedOutput { output: s.into(), input_tokens: Some(3), output_tokens: None };
        for i in 0..(MAX_CACHE_ENTRIES as u64 + 2) {
            cache.insert(CacheKey(i), out("x"));
            if i == 10 {
                cache.touch(CacheKey(0));
            }
        }
        assert_eq!(cache.len(), MAX_CACHE_ENTRIES);
        assert!(cache.contains(CacheKey(0)), "touched entries are kept");
        assert!(!cache.contains(CacheKey(1)) && !cache.contains(CacheKey(2)));
        let json = serde_json::to_string(&cache).unwrap_or_default();
        let back: RunCache = serde_json::from_str(&json).unwrap_or_default();
        assert_eq!(back, cache);
        assert_eq!(back.get(CacheKey(5)), Some(&out("x")));
    }
}
