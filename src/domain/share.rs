//! Share links: a whole flow in the URL fragment, with no server.
//!
//! Browsers never send the part after `#` to a server, so a link `https://…/#v1.…` carries
//! the flow from one person to another without any upload. The UI puts [`encode`]'s result
//! after the `#` and hands whatever it finds there back to [`decode`].
//!
//! # Format
//!
//! * Open link: `v1.<body>`, where `body` is base64url without padding (RFC 4648 §5) of
//!   [`plaintext_bytes`].
//! * Password-protected link: `v1e.<salt>.<iv>.<ciphertext>`, each part base64url without
//!   padding. The UI encrypts [`plaintext_bytes`] with AES-GCM (key from the password with
//!   PBKDF2) and passes the three parts to [`encode_sealed`]; [`decode`] returns them as
//!   [`Decoded::Sealed`] and, after decrypting, the UI calls [`from_plaintext_bytes`].
//! * [`plaintext_bytes`] is the zlib stream (RFC 1950: deflate with a 2-byte header and an
//!   Adler-32 checksum) of a compact JSON envelope
//!   `{"flow": <flow file, docs/flow-format.md>, "outputs": [["block-id", "text"], …], "note": "…"}`
//!   where `outputs` and `note` are left out when empty. The 6 bytes of zlib framing over raw
//!   deflate buy a checksum: a damaged link is an error, not a silently different flow. (Adler-32
//!   misses rare changes: tests/fuzz.rs found an edit that changes three bytes of the text
//!   without changing its checksum; see docs/robustness.md.)
//!   Readers ignore envelope fields they do not know, so later fields stay readable by this
//!   version.
//!
//! Every character of a link is in `A-Za-z0-9-_.`, which no chat tool, mail client or
//! browser escapes. Decoding never panics; every failure is a [`ShareError`] written for
//! the person who clicked the link.
//!
//! Keys never travel: flows have no key field, known block kinds keep only their own
//! settings, and settings of block kinds this version does not know are stripped of
//! anything named like a secret (`api_key`, `token`, `password`, …) both when a link is
//! made and when one is opened.

use crate::domain::blocks::BlockConfig;
use crate::domain::flow::{BlockId, Flow};
use crate::domain::flow_file::{self, ImportError};
use crate::domain::providers::ProviderKind;
use crate::domain::util::base64::{base64url_decode, base64url_into};
use crate::domain::util::format::thousands;
use miniz_oxide::inflate::TINFLStatus;
use serde::Deserialize;
use serde_json::Value;
use std::borrow::Cow;

/// The version this app writes and reads.
pub const LINK_VERSION: u32 = 1;
/// Starts an open link's fragment.
pub const OPEN_PREFIX: &str = "v1.";
/// Starts a password-protected link's fragment.
pub const SEALED_PREFIX: &str = "v1e.";

/// A link never expands to more than this, so a crafted link (a "zip bomb": a few hundred
/// kilobytes that inflate to gigabytes) is refused before it can freeze the tab. Flow files
/// themselves may be up to `flow_file::MAX_FILE_BYTES`; anything this big belongs in a file.
pub const MAX_EXPANDED_BYTES: usize = 20 * 1024 * 1024;

/// Best compression: links are small and made once per click, so the slowest level costs
/// nothing noticeable and makes every link a little shorter.
const COMPRESSION_LEVEL: u8 = 9;

/// Above this length (of the whole link, origin and path included) the UI warns. Some chat
/// and mail tools, older browsers (Internet Explorer stopped at 2,083 characters) and many
/// servers, proxies and link shorteners cut off or refuse URLs longer than about 2,000
/// characters. The fragment itself never reaches a server, but every tool that carries the
/// link sees all of it.
pub const WARN_LINK_CHARS: usize = 2000;

/// Above this length a link is unreliable: RFC 9110 only asks software to support URIs of
/// at least 8,000 octets, common web servers and CDNs refuse request lines over 8 KB, and
/// mail clients wrap or clip such lines. The UI offers the file export instead.
pub const MAX_LINK_CHARS: usize = 8000;

/// What a share link carries.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SharePayload {
    pub flow: Flow,
    /// The latest output of some blocks; only when the sharer ticks "include outputs".
    pub outputs: Vec<(BlockId, String)>,
    /// A note from the sharer, shown in the banner of the opened link.
    pub include_note: Option<String>,
    /// The flow's test cases and checks, when the sharer includes them.
    pub evals: Option<crate::domain::evals::suite::EvalSuite>,
    /// Small documents for Retrieve blocks, when the sharer includes them.
    pub knowledge: Option<crate::domain::retrieval::knowledge::PortableKnowledge>,
    /// How the link opens: the editor (read-only), a simple app, or present mode.
    pub view: ShareView,
    /// Present mode starts at this block (only meaningful with [`ShareView::Present`]).
    pub start_at: Option<BlockId>,
}

impl SharePayload {
    /// Just the flow: no outputs, no note, opening on the canvas.
    pub fn new(flow: Flow) -> Self {
        SharePayload { flow, ..SharePayload::default() }
    }
}

/// How a shared link opens for the person who clicks it. Links made before this field
/// existed have none and open on the canvas, as they always did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ShareView {
    /// The editor, read-only (the original share view).
    #[default]
    Canvas,
    /// A simple app built from the flow: a form from its inputs, Run, the answers.
    App,
    /// Present mode: one block at a time, large type.
    Present,
}

impl ShareView {
    pub const ALL: [ShareView; 3] = [ShareView::App, ShareView::Canvas, ShareView::Present];

    /// The word a link carries (`"view":"app"`); the canvas is written as nothing.
    pub fn id(self) -> &'static str {
        match self {
            ShareView::Canvas => "canvas",
            ShareView::App => "app",
            ShareView::Present => "present",
        }
    }

    /// Unknown words (from a newer Chainboard) open on the canvas, which shows everything.
    pub fn from_id(id: &str) -> ShareView {
        ShareView::ALL.into_iter().find(|v| v.id() == id).unwrap_or_default()
    }

    /// What the Share dialog calls it.
    pub fn label(self) -> &'static str {
        match self {
            ShareView::App => "An app: a form to try it, and the answers",
            ShareView::Canvas => "The flow on its canvas (read-only)",
            ShareView::Present => "Present mode, one step at a time",
        }
    }
}

/// What a fragment holds. (Decoded once per link opened, so the size difference between
/// the variants costs nothing worth a box.)
#[derive(Debug, Clone, PartialEq)]
#[allow(clippy::large_enum_variant)]
pub enum Decoded {
    Open(SharePayload),
    /// A password-protected link: the UI asks for the password, derives the key from it and
    /// `salt`, decrypts `ciphertext` with `iv`, then calls [`from_plaintext_bytes`].
    Sealed {
        salt: Vec<u8>,
        iv: Vec<u8>,
        ciphertext: Vec<u8>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShareError {
    /// Empty, or not shaped like a share link at all.
    NotALink,
    /// Cut off or damaged on the way: bad characters, incomplete compressed data, a checksum
    /// that does not match, or unreadable JSON. `reason` is for developers; people see one
    /// sentence, because the remedy is always the same.
    Damaged { reason: &'static str },
    /// Made by a newer Chainboard; `found` is the link's version tag, such as `v2`.
    NewerVersion { found: String },
    /// Expands to more than `limit` bytes (see [`MAX_EXPANDED_BYTES`]).
    TooLarge { limit: usize },
    /// The link arrived whole, but the flow inside cannot be opened.
    InvalidFlow(ImportError),
    /// Not produced here: for the UI to report when AES-GCM decryption fails. A wrong
    /// password and a cut-off ciphertext look the same to it, so the message covers both.
    CannotUnlock,
}

impl std::fmt::Display for ShareError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ShareError::NotALink => write!(
                f,
                "This is not a Chainboard share link. A share link ends with \u{201c}#v1.\u{201d} \
                 followed by letters and digits."
            ),
            ShareError::Damaged { .. } => write!(f, "The link looks cut off: copy the whole link and try again."),
            ShareError::NewerVersion { found } => write!(
                f,
                "This link was made by a newer Chainboard (link format \u{201c}{found}\u{201d}; this app reads \
                 \u{201c}v{LINK_VERSION}\u{201d}). Open it in the latest Chainboard."
            ),
            ShareError::TooLarge { limit } => write!(
                f,
                "This link expands to more than {} MB, more than Chainboard opens from a link. \
                 Ask for the flow file instead.",
                limit / (1024 * 1024)
            ),
            ShareError::InvalidFlow(e) => write!(f, "The link is complete, but the flow in it cannot be opened. {e}"),
            ShareError::CannotUnlock => write!(
                f,
                "This password does not open the link. Check it and try again; if it is right, the link \
                 may be cut off: copy the whole link."
            ),
        }
    }
}

impl std::error::Error for ShareError {}

// ---- Making links -----------------------------------------------------------------------

/// The fragment for an open link: `v1.` and the base64url of [`plaintext_bytes`].
pub fn encode(payload: &SharePayload) -> String {
    let bytes = plaintext_bytes(payload);
    let mut out = String::with_capacity(OPEN_PREFIX.len() + bytes.len().div_ceil(3) * 4);
    out.push_str(OPEN_PREFIX);
    base64url_into(&bytes, &mut out);
    out
}

/// The fragment for a password-protected link. The UI encrypted [`plaintext_bytes`]; all
/// three parts must be non-empty for [`decode`] to accept the link.
pub fn encode_sealed(ciphertext: &[u8], salt: &[u8], iv: &[u8]) -> String {
    let mut out = String::from(SEALED_PREFIX);
    base64url_into(salt, &mut out);
    out.push('.');
    base64url_into(iv, &mut out);
    out.push('.');
    base64url_into(ciphertext, &mut out);
    out
}

/// The compressed payload: what an open link carries and what the UI encrypts.
pub fn plaintext_bytes(payload: &SharePayload) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(envelope_json(payload).as_bytes(), COMPRESSION_LEVEL)
}

/// The envelope as compact JSON. The flow part is the flow file with its layout whitespace
/// removed, spliced in as text so no nesting limit of a re-parse can bite.
fn envelope_json(payload: &SharePayload) -> String {
    let flow = without_secrets(&payload.flow);
    let file = flow_file::to_json(&flow);
    let mut json = String::with_capacity(file.len() / 2 + 64);
    json.push_str("{\"flow\":");
    if file.is_empty() {
        json.push_str("null");
    } else {
        minify_into(&file, &mut json);
    }
    if !payload.outputs.is_empty() {
        let outputs: Vec<(&str, &str)> =
            payload.outputs.iter().map(|(id, text)| (id.as_str(), text.as_str())).collect();
        json.push_str(",\"outputs\":");
        json.push_str(&serde_json::to_string(&outputs).unwrap_or_else(|_| "[]".into()));
    }
    if let Some(note) = &payload.include_note {
        json.push_str(",\"note\":");
        json.push_str(&serde_json::to_string(note).unwrap_or_else(|_| "null".into()));
    }
    if let Some(suite) = payload.evals.as_ref().filter(|s| !s.cases.is_empty() || !s.checks.is_empty()) {
        json.push_str(",\"evals\":");
        json.push_str(&serde_json::to_string(suite).unwrap_or_else(|_| "null".into()));
    }
    if let Some(knowledge) = payload.knowledge.as_ref().filter(|k| !k.documents.is_empty()) {
        json.push_str(",\"knowledge\":");
        json.push_str(&serde_json::to_string(knowledge).unwrap_or_else(|_| "null".into()));
    }
    if payload.view != ShareView::Canvas {
        json.push_str(",\"view\":\"");
        json.push_str(payload.view.id());
        json.push('"');
    }
    if let Some(start) = payload.start_at.as_ref().filter(|_| payload.view == ShareView::Present) {
        json.push_str(",\"start\":");
        json.push_str(&serde_json::to_string(&start.0).unwrap_or_else(|_| "null".into()));
    }
    json.push('}');
    json
}

/// Drops the whitespace between JSON tokens (never inside strings).
fn minify_into(json: &str, out: &mut String) {
    let mut in_string = false;
    let mut escaped = false;
    for c in json.chars() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
            out.push(c);
        } else if !matches!(c, ' ' | '\n' | '\r' | '\t') {
            out.push(c);
        }
    }
}

// ---- Opening links ----------------------------------------------------------------------

/// Reads a fragment, with or without its leading `#` (a whole pasted URL works too).
/// Whitespace and invisible characters that mail clients insert when they wrap long lines
/// are ignored, as is sentence punctuation stuck to the end of a pasted link.
pub fn decode(fragment: &str) -> Result<Decoded, ShareError> {
    let text = normalize(fragment);
    let Some((tag, body)) = text.split_once('.') else {
        // Only a version tag: a link cut off right after it (or inside it), or a newer one.
        return Err(match parse_tag(&text) {
            Ok(_) => ShareError::Damaged { reason: "the link ends after its version tag" },
            Err(ShareError::NotALink) if !text.is_empty() && "v1e".starts_with(text.as_str()) => {
                ShareError::Damaged { reason: "the link ends inside its version tag" }
            }
            Err(e) => e,
        });
    };
    match parse_tag(tag)? {
        Kind::Open => {
            let bytes = base64url_decode(body).map_err(damaged)?;
            if bytes.is_empty() {
                return Err(ShareError::Damaged { reason: "the link has no payload" });
            }
            from_plaintext_bytes(&bytes).map(Decoded::Open)
        }
        Kind::Sealed => {
            let mut parts = body.split('.');
            let (Some(salt), Some(iv), Some(ciphertext), None) =
                (parts.next(), parts.next(), parts.next(), parts.next())
            else {
                return Err(ShareError::Damaged { reason: "a protected link has three parts" });
            };
            let (salt, iv, ciphertext) = (
                base64url_decode(salt).map_err(damaged)?,
                base64url_decode(iv).map_err(damaged)?,
                base64url_decode(ciphertext).map_err(damaged)?,
            );
            if salt.is_empty() || iv.is_empty() || ciphertext.is_empty() {
                return Err(ShareError::Damaged { reason: "a part of a protected link is empty" });
            }
            Ok(Decoded::Sealed { salt, iv, ciphertext })
        }
    }
}

/// Reads [`plaintext_bytes`] (from an open link, or decrypted from a protected one).
pub fn from_plaintext_bytes(bytes: &[u8]) -> Result<SharePayload, ShareError> {
    let json =
        miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(bytes, MAX_EXPANDED_BYTES).map_err(|e| {
            match e.status {
                TINFLStatus::HasMoreOutput => ShareError::TooLarge { limit: MAX_EXPANDED_BYTES },
                TINFLStatus::Adler32Mismatch => ShareError::Damaged { reason: "the checksum does not match" },
                TINFLStatus::FailedCannotMakeProgress | TINFLStatus::NeedsMoreInput => {
                    ShareError::Damaged { reason: "the compressed data ends early" }
                }
                _ => ShareError::Damaged { reason: "the compressed data is invalid" },
            }
        })?;
    let envelope: Envelope = serde_json::from_slice(&json)
        .map_err(|_| ShareError::Damaged { reason: "the payload is not a share envelope" })?;
    let mut flow = flow_file::from_value(envelope.flow).map_err(ShareError::InvalidFlow)?;
    remove_secrets(&mut flow);
    Ok(SharePayload {
        outputs: envelope.outputs.into_iter().map(|(id, text)| (BlockId(id), text)).collect(),
        include_note: envelope.note,
        // A damaged suite is dropped: the flow still opens.
        evals: envelope.evals.and_then(|v| serde_json::from_value(v).ok()),
        knowledge: envelope.knowledge.and_then(|v| serde_json::from_value(v).ok()),
        view: envelope.view.as_ref().and_then(Value::as_str).map(ShareView::from_id).unwrap_or_default(),
        // A start block the flow does not have is ignored: present mode starts at the first.
        start_at: envelope
            .start
            .as_ref()
            .and_then(Value::as_str)
            .map(|s| BlockId(s.to_string()))
            .filter(|id| flow.block(id).is_some()),
        flow,
    })
}

#[derive(Deserialize)]
struct Envelope {
    flow: Value,
    #[serde(default)]
    outputs: Vec<(String, String)>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    evals: Option<Value>,
    #[serde(default)]
    knowledge: Option<Value>,
    /// Read leniently (any JSON): a wrong type opens on the canvas rather than failing.
    #[serde(default)]
    view: Option<Value>,
    #[serde(default)]
    start: Option<Value>,
}

enum Kind {
    Open,
    Sealed,
}

/// `v1` is open, `v1e` sealed; a higher number, or a flag this version does not know, is
/// from a newer Chainboard.
fn parse_tag(tag: &str) -> Result<Kind, ShareError> {
    let Some(rest) = tag.strip_prefix('v') else { return Err(ShareError::NotALink) };
    let digits_end = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
    let (digits, flags) = rest.split_at(digits_end);
    let plausible = !digits.is_empty()
        && digits.len() <= 9
        && !digits.starts_with('0')
        && flags.len() <= 8
        && flags.chars().all(|c| c.is_ascii_lowercase());
    let Some(version) = digits.parse::<u32>().ok().filter(|_| plausible) else {
        return Err(ShareError::NotALink);
    };
    match (version, flags) {
        (LINK_VERSION, "") => Ok(Kind::Open),
        (LINK_VERSION, "e") => Ok(Kind::Sealed),
        _ => Err(ShareError::NewerVersion { found: tag.to_string() }),
    }
}

/// Takes the fragment out of a pasted URL and removes what mail and chat tools add.
fn normalize(input: &str) -> String {
    let invisible =
        |c: char| c.is_whitespace() || matches!(c, '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}' | '\u{ad}');
    let text: String = input.chars().filter(|&c| !invisible(c)).collect();
    let fragment = match text.rsplit_once('#') {
        Some((_, after)) => after,
        None => text.as_str(),
    };
    fragment
        .trim_start_matches(['<', '(', '[', '{', '"', '\''])
        .trim_end_matches(['.', ',', ';', ':', '!', '?', '>', ')', ']', '}', '"', '\''])
        .to_string()
}

// ---- Link length --------------------------------------------------------------------------

/// What to tell the sharer about a link of a given length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkAdvice {
    /// Up to [`WARN_LINK_CHARS`].
    Fine,
    /// Over [`WARN_LINK_CHARS`]: may be cut off by some tools.
    Long { limit: usize },
    /// Over [`MAX_LINK_CHARS`]: offer the file export instead.
    TooLong { limit: usize },
}

impl LinkAdvice {
    pub fn message(self) -> String {
        match self {
            LinkAdvice::Fine => "This link is short enough to paste into chat and mail.".to_string(),
            LinkAdvice::Long { limit } => format!(
                "This link is longer than {} characters. Some chat and mail tools and older browsers cut off or \
                 refuse links this long; if it does not open for someone, send the flow file instead.",
                thousands(limit)
            ),
            LinkAdvice::TooLong { limit } => format!(
                "This link is longer than {} characters, too long to open reliably. Export the flow as a file \
                 and share that instead.",
                thousands(limit)
            ),
        }
    }

    /// True when the UI should offer the file export instead of the link.
    pub fn prefer_file(self) -> bool {
        matches!(self, LinkAdvice::TooLong { .. })
    }
}

/// Advice for a link of `len` characters: pass the whole link (origin, path, `#` and
/// fragment), since that is what chat and mail tools see.
pub fn link_advice(len: usize) -> LinkAdvice {
    if len > MAX_LINK_CHARS {
        LinkAdvice::TooLong { limit: MAX_LINK_CHARS }
    } else if len > WARN_LINK_CHARS {
        LinkAdvice::Long { limit: WARN_LINK_CHARS }
    } else {
        LinkAdvice::Fine
    }
}

// ---- Who a flow talks to ----------------------------------------------------------------

/// The providers a flow would call, as "label (host)", in block order without repeats, so
/// the viewer of a shared link sees them before running anything. Flows name providers,
/// not URLs: the host shown is the provider's default; the viewer's own base URL setting,
/// if any, is what is actually used. Blocks that cannot run here (the offline demo, a
/// provider or block kind this version does not know) contact nothing and are not listed.
/// Hosts of HTTP tools follow the providers.
pub fn hosts_contacted(flow: &Flow) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for block in &flow.blocks {
        let prompt = match &block.config {
            BlockConfig::Prompt(p) => p,
            // A Loop's prompt calls its provider once per item.
            BlockConfig::Loop(l) => match l.prompt() {
                Some(p) => p,
                None => continue,
            },
            _ => continue,
        };
        let Some(kind) = ProviderKind::from_id(prompt.provider.trim()) else { continue };
        let Some(host) = host_of(kind.default_base_url()) else { continue };
        let entry = format!("{} ({host})", kind.label());
        if !out.contains(&entry) {
            out.push(entry);
        }
    }
    // HTTP tools name their hosts literally; the viewer is asked again before any is called.
    for host in crate::domain::tools::flow_tool_hosts(flow) {
        out.push(format!("a tool ({host})"));
    }
    out
}

/// `https://api.openai.com/v1` → `api.openai.com`.
fn host_of(url: &str) -> Option<&str> {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    (!host.is_empty()).then_some(host)
}

// ---- Keeping secrets out ------------------------------------------------------------------

/// The flow with secret-looking settings removed from unknown block kinds (known kinds
/// cannot hold a key). Borrows when there is nothing to check.
fn without_secrets(flow: &Flow) -> Cow<'_, Flow> {
    if flow.blocks.iter().any(|b| matches!(b.config, BlockConfig::Unknown(_))) {
        let mut owned = flow.clone();
        remove_secrets(&mut owned);
        Cow::Owned(owned)
    } else {
        Cow::Borrowed(flow)
    }
}

fn remove_secrets(flow: &mut Flow) {
    for block in &mut flow.blocks {
        if let BlockConfig::Unknown(unknown) = &mut block.config {
            // An explicit stack: settings from code may nest deeper than the call stack allows.
            let mut stack = vec![&mut unknown.raw];
            while let Some(value) = stack.pop() {
                match value {
                    Value::Object(map) => {
                        map.retain(|name, _| !is_secret_name(name));
                        stack.extend(map.values_mut());
                    }
                    Value::Array(items) => stack.extend(items.iter_mut()),
                    _ => {}
                }
            }
        }
    }
}

/// `api_key`, `apiKey`, `X-Api-Key`, `Authorization`, `client_secret`, `password`, `token`…
fn is_secret_name(name: &str) -> bool {
    let n: String = name.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect();
    const EXACT: [&str; 7] = ["key", "auth", "authorization", "token", "bearer", "cookie", "credentials"];
    const ENDINGS: [&str; 12] = [
        "apikey",
        "secret",
        "secretkey",
        "password",
        "passwd",
        "passphrase",
        "accesskey",
        "privatekey",
        "accesstoken",
        "authtoken",
        "bearertoken",
        "refreshtoken",
    ];
    EXACT.contains(&n.as_str()) || ENDINGS.iter().any(|e| n.ends_with(e))
}

fn damaged(reason: &'static str) -> ShareError {
    ShareError::Damaged { reason }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minify_keeps_strings_intact() {
        let mut out = String::new();
        minify_into("{\n  \"a b\": \"x \\\" y\\\\\",\n  \"c\": [1, 2]\n}", &mut out);
        assert_eq!(out, "{\"a b\":\"x \\\" y\\\\\",\"c\":[1,2]}");
    }

    #[test]
    fn version_tags() {
        assert!(matches!(parse_tag("v1"), Ok(Kind::Open)));
        assert!(matches!(parse_tag("v1e"), Ok(Kind::Sealed)));
        for newer in ["v2", "v9", "v1z", "v10e", "v123456789"] {
            assert_eq!(parse_tag(newer).err(), Some(ShareError::NewerVersion { found: newer.into() }), "{newer}");
        }
        for junk in ["", "v", "1", "x1", "v0", "v01", "vE", "v1E", "v1234567890", "v1abcdefghi", "V1"] {
            assert_eq!(parse_tag(junk).err(), Some(ShareError::NotALink), "{junk}");
        }
    }

    #[test]
    fn secret_names() {
        for secret in ["api_key", "apiKey", "X-Api-Key", "Authorization", "client_secret", "password", "token", "key"] {
            assert!(is_secret_name(secret), "{secret}");
        }
        for fine in ["max_tokens", "model", "keywords", "key_points", "prompt", "tokenizer"] {
            assert!(!is_secret_name(fine), "{fine}");
        }
    }

    #[test]
    fn hosts() {
        assert_eq!(host_of("https://api.openai.com/v1"), Some("api.openai.com"));
        assert_eq!(host_of("http://localhost:11434"), Some("localhost:11434"));
        assert_eq!(host_of(""), None);
    }
}
