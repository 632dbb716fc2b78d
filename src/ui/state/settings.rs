//! Provider settings: key, base URL and default model per provider, plus run limits.
//! Keys live in this tab's sessionStorage unless the user ticks "remember on this device"
//! (then localStorage). They never enter a flow, an export, a URL or a log.

use crate::domain::providers::{ProviderKind, ProviderSettings};
use crate::ui::platform::platform;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

const PREFS_KEY: &str = "chainboard.providers";
const REMEMBER_KEY: &str = "chainboard.keys.remember";
const LIMITS_KEY: &str = "chainboard.limits";

fn key_storage_key(kind: ProviderKind) -> String {
    format!("chainboard.key.{}", kind.id())
}

/// The non-secret part, saved in localStorage.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProviderPrefs {
    #[serde(default)]
    pub base_url: String,
    #[serde(default)]
    pub default_model: String,
    #[serde(default)]
    pub models: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Limits {
    /// Per-run budget cap in dollars; None = no cap.
    pub budget_usd: Option<f64>,
    pub timeout_s: f64,
    /// Replace personal data with placeholders before it goes to a provider over the network.
    #[serde(default)]
    pub redact_personal_data: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { budget_usd: Some(1.0), timeout_s: 120.0, redact_personal_data: false }
    }
}

#[derive(Clone, Copy)]
pub struct Settings {
    pub prefs: RwSignal<BTreeMap<String, ProviderPrefs>>,
    keys: RwSignal<BTreeMap<String, String>>,
    pub remember: RwSignal<bool>,
    pub limits: RwSignal<Limits>,
    pub open: RwSignal<bool>,
    /// Set when Run found providers without a key: the dialog then leads with the ways to
    /// run without one. Cleared when the dialog closes.
    pub needs_key: RwSignal<Vec<ProviderKind>>,
}

impl Settings {
    pub fn load() -> Settings {
        let prefs = platform::storage_get(PREFS_KEY).and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default();
        let remember = platform::storage_get(REMEMBER_KEY).as_deref() == Some("true");
        let mut keys = BTreeMap::new();
        for kind in ProviderKind::ALL {
            let k = key_storage_key(kind);
            let stored = if remember { platform::storage_get(&k) } else { platform::session_get(&k) };
            if let Some(v) = stored.filter(|v| !v.is_empty()) {
                keys.insert(kind.id().to_string(), v);
            }
        }
        let limits = platform::storage_get(LIMITS_KEY).and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default();
        Settings {
            prefs: RwSignal::new(prefs),
            keys: RwSignal::new(keys),
            remember: RwSignal::new(remember),
            limits: RwSignal::new(limits),
            open: RwSignal::new(false),
            needs_key: RwSignal::new(Vec::new()),
        }
    }

    pub fn prefs_for(&self, kind: ProviderKind) -> ProviderPrefs {
        self.prefs.with_untracked(|p| p.get(kind.id()).cloned().unwrap_or_default())
    }

    pub fn update_prefs(&self, kind: ProviderKind, f: impl FnOnce(&mut ProviderPrefs)) {
        self.prefs.update(|p| f(p.entry(kind.id().to_string()).or_default()));
        let _ =
            platform::storage_set(PREFS_KEY, &serde_json::to_string(&self.prefs.get_untracked()).unwrap_or_default());
    }

    pub fn has_key(&self, kind: ProviderKind) -> bool {
        self.keys.with(|k| k.get(kind.id()).is_some_and(|v| !v.trim().is_empty()))
    }

    /// What a request builder needs; the key is read only here, at send time.
    pub fn provider_settings(&self, kind: ProviderKind) -> ProviderSettings {
        let prefs = self.prefs_for(kind);
        let key = self.keys.with_untracked(|k| k.get(kind.id()).cloned().unwrap_or_default());
        ProviderSettings { base_url: prefs.base_url.trim().to_string(), api_key: key.trim().to_string() }
    }

    pub fn set_key(&self, kind: ProviderKind, key: &str) {
        self.keys.update(|k| {
            if key.is_empty() {
                k.remove(kind.id());
            } else {
                k.insert(kind.id().to_string(), key.to_string());
            }
        });
        self.persist_key(kind);
    }

    fn persist_key(&self, kind: ProviderKind) {
        let k = key_storage_key(kind);
        let value = self.keys.with_untracked(|m| m.get(kind.id()).cloned()).unwrap_or_default();
        if self.remember.get_untracked() {
            platform::session_remove(&k);
            if value.is_empty() {
                platform::storage_remove(&k);
            } else {
                let _ = platform::storage_set(&k, &value);
            }
        } else {
            platform::storage_remove(&k);
            if value.is_empty() {
                platform::session_remove(&k);
            } else {
                platform::session_set(&k, &value);
            }
        }
    }

    /// Switching "remember" moves every key to the other storage (and out of the first).
    pub fn set_remember(&self, remember: bool) {
        self.remember.set(remember);
        let _ = platform::storage_set(REMEMBER_KEY, if remember { "true" } else { "false" });
        for kind in ProviderKind::ALL {
            self.persist_key(kind);
        }
    }

    pub fn forget_all_keys(&self) {
        self.keys.set(BTreeMap::new());
        for kind in ProviderKind::ALL {
            platform::storage_remove(&key_storage_key(kind));
            platform::session_remove(&key_storage_key(kind));
        }
    }

    pub fn set_limits(&self, limits: Limits) {
        self.limits.set(limits.clone());
        let _ = platform::storage_set(LIMITS_KEY, &serde_json::to_string(&limits).unwrap_or_default());
    }
}
