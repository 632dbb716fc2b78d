//! Every name under which Chainboard keeps something in the browser: localStorage and
//! sessionStorage keys (and key prefixes, completed by a flow or provider id) and the
//! IndexedDB database, store and key prefixes. Nothing else in the app spells one out.
//! What each record holds and its version: docs/ARCHITECTURE.md, "Stored records".

// ---- localStorage ------------------------------------------------------------------------

/// The list of saved flows and which one is open (`domain::workspace::Workspace`).
pub const WORKSPACE: &str = "chainboard.workspace";
/// Prefix of one saved flow: a flow file (`domain::flow_file`, versioned by its own format).
pub const FLOW_PREFIX: &str = "chainboard.flow.";
/// Where the user was in a flow: pan, zoom, selection (`domain::workspace::ViewState`).
pub const VIEW_PREFIX: &str = "chainboard.view.";
/// A flow's named versions (`domain::versions::Versions`).
pub const VERSIONS_PREFIX: &str = "chainboard.versions.";
/// A flow's eval suite: cases, checks, variants (`domain::evals::suite::EvalSuite`).
pub const EVAL_SUITE_PREFIX: &str = "chainboard.evalsuite.";
/// A flow's finished eval runs (`domain::evals::suite::EvalRecords`).
pub const EVAL_RUNS_PREFIX: &str = "chainboard.evalruns.";
/// A flow's batch job sent and not yet loaded (`domain::evals::batch::PendingBatch`).
pub const EVAL_BATCH_PREFIX: &str = "chainboard.evalbatch.";
/// A flow's last recorded run, for replay (`domain::recording::Recording`).
pub const RECORDING_PREFIX: &str = "chainboard.recording.";
/// The colour theme: the plain string "dark" or "light".
pub const THEME: &str = "chainboard.theme";
/// Provider base URLs and models (`domain::preferences::StoredPrefs`).
pub const PROVIDER_PREFS: &str = "chainboard.providers";
/// Whether API keys are remembered on this device: the plain string "true" or "false".
pub const REMEMBER_KEYS: &str = "chainboard.keys.remember";
/// Run limits: budget, time-out, redaction (`domain::preferences::Limits`).
pub const LIMITS: &str = "chainboard.limits";
/// Hosts each flow's HTTP tools were approved to call (`domain::preferences::ApprovedHosts`).
pub const APPROVED_HOSTS: &str = "chainboard.approved-hosts";
/// Prefix of one provider's API key, a plain string (localStorage when remembered, else
/// sessionStorage).
pub const API_KEY_PREFIX: &str = "chainboard.key.";
/// Marks the copy kept of a record that could not be read: `<key>.unreadable-<fingerprint>`.
pub const UNREADABLE_MARK: &str = ".unreadable-";

// ---- sessionStorage ----------------------------------------------------------------------

/// This tab's cache of block results (`domain::engine::cache::RunCache`).
pub const RUN_CACHE: &str = "chainboard.runcache";

// ---- IndexedDB ---------------------------------------------------------------------------

/// The IndexedDB database.
pub const IDB_DATABASE: &str = "chainboard";
/// Its one object store of strings and byte arrays.
pub const IDB_STORE: &str = "kv";
/// Prefix of a flow's knowledge base (`domain::retrieval::knowledge::KnowledgeBase`, versioned
/// by its own `version` field).
pub const KNOWLEDGE_PREFIX: &str = "knowledge.";
/// Prefix of a media item's bytes (raw bytes, no shape).
pub const MEDIA_BYTES_PREFIX: &str = "media.";
/// Prefix of a media item's description (`domain::media::MediaRef`).
pub const MEDIA_META_PREFIX: &str = "media-meta.";

pub fn flow(id: &str) -> String {
    format!("{FLOW_PREFIX}{id}")
}

pub fn view(id: &str) -> String {
    format!("{VIEW_PREFIX}{id}")
}

pub fn versions(flow_id: &str) -> String {
    format!("{VERSIONS_PREFIX}{flow_id}")
}

pub fn eval_suite(flow_id: &str) -> String {
    format!("{EVAL_SUITE_PREFIX}{flow_id}")
}

pub fn eval_runs(flow_id: &str) -> String {
    format!("{EVAL_RUNS_PREFIX}{flow_id}")
}

pub fn eval_batch(flow_id: &str) -> String {
    format!("{EVAL_BATCH_PREFIX}{flow_id}")
}

pub fn recording(flow_id: &str) -> String {
    format!("{RECORDING_PREFIX}{flow_id}")
}

pub fn api_key(provider_id: &str) -> String {
    format!("{API_KEY_PREFIX}{provider_id}")
}

pub fn knowledge(flow_id: &str) -> String {
    format!("{KNOWLEDGE_PREFIX}{flow_id}")
}

pub fn media_bytes(id: &str) -> String {
    format!("{MEDIA_BYTES_PREFIX}{id}")
}

pub fn media_meta(id: &str) -> String {
    format!("{MEDIA_META_PREFIX}{id}")
}

/// Where the unreadable text of `key` is kept (the same text always gets the same key).
pub fn unreadable(key: &str, text: &str) -> String {
    format!("{key}{UNREADABLE_MARK}{}", crate::domain::stored::fingerprint(text))
}
