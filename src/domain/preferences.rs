//! The app's own settings as stored in the browser (the UI keeps them in signals): provider
//! preferences, run limits and the hosts each flow's HTTP tools were approved to call. API keys
//! are not here: they are plain strings, kept apart (see `ui::settings`).

use crate::domain::stored::Stored;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The non-secret settings of one provider.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProviderPrefs {
    #[serde(default)]
    pub base_url: String,
    #[serde(default)]
    pub default_model: String,
    #[serde(default)]
    pub models: Vec<String>,
}

/// Every provider's preferences, by provider id (as stored).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StoredPrefs(pub BTreeMap<String, ProviderPrefs>);

impl Stored for StoredPrefs {
    const CURRENT_VERSION: u64 = 1;
    const WHAT: &'static str = "your provider settings (base URLs and models)";
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

impl Stored for Limits {
    const CURRENT_VERSION: u64 = 1;
    const WHAT: &'static str = "your run limits (budget, time-out, personal data)";
}

/// Hosts each saved flow's HTTP tools may call: `{flow id: [host, …]}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ApprovedHosts(pub BTreeMap<String, BTreeSet<String>>);

impl Stored for ApprovedHosts {
    const CURRENT_VERSION: u64 = 1;
    const WHAT: &'static str = "the web addresses you approved for your flows' tools";
}
