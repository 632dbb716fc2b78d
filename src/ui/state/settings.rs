//! Provider settings: key, base URL and default model per provider, plus run limits.
//! Keys live in this tab's sessionStorage unless the user ticks "remember on this device"
//! (then localStorage). They never enter a flow, an export, a URL or a log.

use crate::domain::providers::{ProviderKind, ProviderSettings};
use crate::ui::platform::platform;
use leptos::prelude::*;
use std::collections::BTreeMap;

use crate::domain::preferences::StoredPrefs;
use crate::domain::stored::to_stored;
use crate::ui::platform::storage_keys::{
    LIMITS as LIMITS_KEY, PROVIDER_PREFS as PREFS_KEY, REMEMBER_KEYS as REMEMBER_KEY,
};

fn key_storage_key(kind: ProviderKind) -> String {
    crate::ui::platform::storage_keys::api_key(kind.id())
}

pub use crate::domain::preferences::{Limits, ProviderPrefs};

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
        let prefs = crate::ui::state::unreadable::load::<StoredPrefs>(
            PREFS_KEY,
            "Providers use their default addresses and models.",
        )
        .unwrap_or_default()
        .0;
        let remember = platform::storage_get(REMEMBER_KEY).as_deref() == Some("true");
        let mut keys = BTreeMap::new();
        for kind in ProviderKind::ALL {
            let k = key_storage_key(kind);
            let stored = if remember { platform::storage_get(&k) } else { platform::session_get(&k) };
            if let Some(v) = stored.filter(|v| !v.is_empty()) {
                keys.insert(kind.id().to_string(), v);
            }
        }
        let limits =
            crate::ui::state::unreadable::load(LIMITS_KEY, "Runs use the default limits ($1 budget, 120 s time-out).")
                .unwrap_or_default();
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
        let _ = platform::storage_set(PREFS_KEY, &to_stored(&StoredPrefs(self.prefs.get_untracked())));
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
        let _ = platform::storage_set(LIMITS_KEY, &to_stored(&limits));
    }
}
