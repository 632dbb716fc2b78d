//! Errors a provider call can end in, each worded so the user knows what to do next, and
//! the classification of provider error bodies into them.

use std::fmt;

use serde_json::Value;

use super::types::{strip_key_param, REDACTED};
use super::ProviderKind;

/// What went wrong, in terms of what the user can do about it.
///
/// Messages quoted from providers pass through [`clean_message`], which removes anything that
/// looks like a key, because some providers echo (part of) the key back.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ProviderError {
    /// The key is wrong, revoked or missing on the provider's side.
    BadKey {
        provider: ProviderKind,
        status: u16,
    },
    PermissionDenied {
        provider: ProviderKind,
        status: u16,
        message: String,
    },
    /// The provider refuses calls made directly from a web page (Anthropic can do this per
    /// organization).
    BrowserAccessDenied {
        provider: ProviderKind,
        message: String,
    },
    RateLimited {
        provider: ProviderKind,
        retry_after_secs: Option<f64>,
        message: String,
    },
    /// Out of credit or over a spend limit: retrying cannot help.
    QuotaExceeded {
        provider: ProviderKind,
        message: String,
    },
    Overloaded {
        provider: ProviderKind,
        message: String,
    },
    Server {
        provider: ProviderKind,
        status: u16,
        message: String,
    },
    BadRequest {
        provider: ProviderKind,
        status: u16,
        message: String,
    },
    ModelNotFound {
        provider: ProviderKind,
        message: String,
    },
    /// A 404 that is not about a model: usually a wrong base URL.
    NotFound {
        provider: ProviderKind,
        message: String,
    },
    /// The stream broke off or reported an error after the HTTP 200.
    StreamError {
        provider: ProviderKind,
        message: String,
    },
    /// The reply was not in the provider's format.
    Malformed {
        provider: ProviderKind,
        message: String,
    },
    MissingSetting {
        provider: ProviderKind,
        what: Setting,
    },
    /// `fetch` itself failed: server down, offline, or blocked by CORS. The UI builds this
    /// one, since only it sees network failures.
    Unreachable {
        provider: ProviderKind,
        url: String,
    },
    Unsupported {
        provider: ProviderKind,
        what: String,
    },
    /// The in-browser model failed to load or run; the message is already a sentence.
    Local {
        provider: ProviderKind,
        message: String,
    },
}

/// A setting the user has to fill in before a call can be made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setting {
    ApiKey,
    BaseUrl,
    Model,
}

impl ProviderError {
    /// `Unreachable` for `url`, with any query string dropped so a key can never show.
    pub fn unreachable(provider: ProviderKind, url: &str) -> ProviderError {
        ProviderError::Unreachable { provider, url: strip_key_param(url) }
    }

    pub fn provider(&self) -> ProviderKind {
        match self {
            ProviderError::BadKey { provider, .. }
            | ProviderError::PermissionDenied { provider, .. }
            | ProviderError::BrowserAccessDenied { provider, .. }
            | ProviderError::RateLimited { provider, .. }
            | ProviderError::QuotaExceeded { provider, .. }
            | ProviderError::Overloaded { provider, .. }
            | ProviderError::Server { provider, .. }
            | ProviderError::BadRequest { provider, .. }
            | ProviderError::ModelNotFound { provider, .. }
            | ProviderError::NotFound { provider, .. }
            | ProviderError::StreamError { provider, .. }
            | ProviderError::Malformed { provider, .. }
            | ProviderError::MissingSetting { provider, .. }
            | ProviderError::Unreachable { provider, .. }
            | ProviderError::Unsupported { provider, .. }
            | ProviderError::Local { provider, .. } => *provider,
        }
    }

    /// True when the same request may succeed later without the user changing anything.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            ProviderError::RateLimited { .. }
                | ProviderError::Overloaded { .. }
                | ProviderError::Server { .. }
                | ProviderError::StreamError { .. }
        )
    }

    /// The wait the provider asked for, when it said one.
    pub fn retry_after_secs(&self) -> Option<f64> {
        match self {
            ProviderError::RateLimited { retry_after_secs, .. } => *retry_after_secs,
            _ => None,
        }
    }
}

/// The provider as the subject of a sentence.
fn subject(kind: ProviderKind) -> &'static str {
    match kind {
        ProviderKind::OpenAiCompatible => "The OpenAI-compatible server",
        ProviderKind::Demo => "Sample answers",
        other => other.label(),
    }
}

/// `: “message”`, or nothing when the provider gave no message.
fn quoted(message: &str) -> String {
    if message.is_empty() {
        String::new()
    } else {
        format!(": “{message}”")
    }
}

impl fmt::Display for ProviderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = self.provider();
        let (s, l) = (subject(p), p.label());
        match self {
            ProviderError::BadKey { status, .. } => {
                write!(f, "{s} rejected the key ({status}). Check the key in Settings → {l}.")
            }
            ProviderError::PermissionDenied { status, message, .. } => {
                if p == ProviderKind::Ollama {
                    write!(
                        f,
                        "Ollama refused the request ({status}){}. Ollama only answers pages it \
                         trusts: restart it with OLLAMA_ORIGINS set to this page's address.",
                        quoted(message)
                    )
                } else {
                    write!(
                        f,
                        "{s} refused access ({status}){}. The key works but is not allowed to do \
                         this: check its permissions, project or region in your {l} account.",
                        quoted(message)
                    )
                }
            }
            ProviderError::BrowserAccessDenied { message, .. } => write!(
                f,
                "{s} refused a request made from the browser{}. Browser access may be turned \
                 off for your organization: ask an admin to allow it, or use another key.",
                quoted(message)
            ),
            ProviderError::RateLimited { retry_after_secs, message, .. } => {
                write!(f, "{s} is rate limiting requests{}. ", quoted(message))?;
                match retry_after_secs {
                    Some(secs) if *secs > 1.0 => {
                        write!(f, "Wait {} seconds and try again.", secs.ceil())
                    }
                    Some(_) => write!(f, "Wait a second and try again."),
                    None => write!(f, "Wait a little and try again."),
                }
            }
            ProviderError::QuotaExceeded { message, .. } => write!(
                f,
                "{s} says the account is out of quota or credit{}. Add credit or raise the \
                 spend limit in your {l} account; trying again will not help until then.",
                quoted(message)
            ),
            ProviderError::Overloaded { message, .. } => {
                write!(f, "{s} is overloaded right now{}. Try again in a minute.", quoted(message))
            }
            ProviderError::Server { status, message, .. } => {
                let look = if is_local(p) { "the server's log" } else { "the provider's status page" };
                write!(
                    f,
                    "{s} had a server error (HTTP {status}){}. Try again in a moment; if it \
                     keeps failing, check {look}.",
                    quoted(message)
                )
            }
            ProviderError::BadRequest { status, message, .. } => write!(
                f,
                "{s} rejected the request ({status}){}. Check the model name and this block's \
                 settings (max tokens, temperature, stop sequences, JSON schema).",
                quoted(message)
            ),
            ProviderError::ModelNotFound { message, .. } => {
                if p == ProviderKind::Ollama {
                    write!(
                        f,
                        "Ollama does not have this model{}. Download it with `ollama pull \
                         <model>`, or pick a model that is installed.",
                        quoted(message)
                    )
                } else {
                    write!(
                        f,
                        "{s} does not know this model{}. Check the model name, or list the \
                         available models in Settings → {l}.",
                        quoted(message)
                    )
                }
            }
            ProviderError::NotFound { message, .. } => {
                let hint = if p == ProviderKind::OpenAiCompatible { " (it usually ends in /v1)" } else { "" };
                write!(f, "{s} answered 404 Not Found{}. Check the base URL in Settings → {l}{hint}.", quoted(message))
            }
            ProviderError::StreamError { message, .. } => {
                write!(f, "{s} stopped mid-answer. {message} Try again to get the full answer.")
            }
            ProviderError::Malformed { message, .. } => write!(
                f,
                "{s} sent a reply Chainboard could not read ({message}). Check the base URL \
                 in Settings → {l}{}.",
                if p == ProviderKind::OpenAiCompatible { " and that the server speaks the OpenAI format" } else { "" }
            ),
            ProviderError::MissingSetting { what, .. } => match what {
                Setting::ApiKey => {
                    write!(f, "{s} needs an API key. Add your key in Settings → {l}.")
                }
                Setting::BaseUrl => write!(
                    f,
                    "{s} needs a base URL that starts with http:// or https://. Set it in \
                     Settings → {l}."
                ),
                Setting::Model => {
                    write!(f, "{s} needs a model name. Choose a model for this block.")
                }
            },
            ProviderError::Unreachable { url, .. } => match p {
                ProviderKind::Ollama => write!(
                    f,
                    "Could not reach Ollama at {url}. Check that Ollama is running and that it \
                     allows this page (start it with OLLAMA_ORIGINS set to this page's address)."
                ),
                ProviderKind::OpenAiCompatible => write!(
                    f,
                    "Could not reach the OpenAI-compatible server at {url}. Check that it is \
                     running, that the base URL is right, and that it allows requests from this \
                     page (CORS; in LM Studio turn on “Enable CORS”)."
                ),
                _ => write!(
                    f,
                    "Could not reach {s} at {url}. Check your internet connection and the base \
                     URL in Settings → {l}; a browser extension or network filter may also \
                     block the request."
                ),
            },
            ProviderError::Unsupported { what, .. } => match self.provider() {
                ProviderKind::Browser => write!(f, "The in-browser model does not support {what} yet."),
                _ => write!(f, "{s} works offline and does not support {what}."),
            },
            ProviderError::Local { message, .. } => f.write_str(message),
        }
    }
}

fn is_local(kind: ProviderKind) -> bool {
    matches!(kind, ProviderKind::Ollama | ProviderKind::OpenAiCompatible)
}

/// Turns a non-2xx response into an error. `retry_after` is the `Retry-After` header when the
/// browser could read it; only the seconds form is understood, since this module has no clock
/// to resolve the date form.
pub fn classify_http_error(kind: ProviderKind, status: u16, body: &str, retry_after: Option<&str>) -> ProviderError {
    let info = info_from_body(body);
    // The in-browser model's failures are explained by the browser layer already.
    if kind == ProviderKind::Browser {
        return ProviderError::Local { provider: kind, message: clean_message(&info.message) };
    }
    let retry = parse_seconds(retry_after).or(info.retry_delay);
    classify(kind, status, &info, retry)
}

/// Classifies an error object that arrived inside a 200 stream. Providers name the error
/// type instead of a status there, so the type is mapped back to its documented status.
pub(crate) fn classify_stream_payload(kind: ProviderKind, payload: &Value) -> ProviderError {
    let info = info_from_value(payload);
    let status = info.numeric_code.filter(|c| (400..600).contains(c)).or_else(|| status_for_type(&info));
    match status {
        Some(status) => classify(kind, status, &info, info.retry_delay),
        None => {
            let message = clean_message(&info.message);
            let message = if message.is_empty() {
                "It reported an error without details.".to_string()
            } else {
                format!("It reported: “{message}”.")
            };
            ProviderError::StreamError { provider: kind, message }
        }
    }
}

/// The parts of an error body the classification looks at, across all providers' shapes.
#[derive(Debug, Default)]
struct ErrorInfo {
    message: String,
    /// `type`, `code`, `status`, `reason` and `error_code` values, as sent.
    markers: Vec<String>,
    numeric_code: Option<u16>,
    retry_delay: Option<f64>,
}

impl ErrorInfo {
    fn has(&self, marker: &str) -> bool {
        self.markers.iter().any(|m| m.eq_ignore_ascii_case(marker))
    }
}

fn info_from_body(body: &str) -> ErrorInfo {
    let mut info = match serde_json::from_str::<Value>(body) {
        // Gemini's non-SSE stream endpoint wraps errors in an array.
        Ok(Value::Array(items)) => items.first().map(info_from_value).unwrap_or_default(),
        Ok(value) => info_from_value(&value),
        Err(_) => ErrorInfo { message: plain_text_message(body), ..ErrorInfo::default() },
    };
    // These two decide "do not retry"; a proxy may nest them differently, so look anywhere.
    for marker in ["insufficient_quota", "enforced_spend_limit_reached"] {
        if body.contains(marker) {
            info.markers.push(marker.to_string());
        }
    }
    info
}

fn info_from_value(value: &Value) -> ErrorInfo {
    let err = value.get("error").unwrap_or(value);
    let mut info = ErrorInfo::default();
    // Ollama and some proxies send `{"error":"text"}`.
    if let Some(text) = err.as_str() {
        info.message = text.to_string();
        return info;
    }
    let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).map(str::to_string);
    info.message =
        text(err, "message").or_else(|| text(value, "detail")).or_else(|| text(value, "message")).unwrap_or_default();
    for key in ["type", "code", "status"] {
        if let Some(marker) = text(err, key) {
            info.markers.push(marker);
        }
    }
    info.numeric_code = err.get("code").and_then(Value::as_u64).and_then(|c| u16::try_from(c).ok());
    match err.get("details") {
        Some(Value::Array(details)) => {
            for detail in details {
                info.markers.extend(text(detail, "reason"));
                if let Some(delay) = detail.get("retryDelay").and_then(Value::as_str) {
                    info.retry_delay = parse_seconds(Some(delay.trim_end_matches('s')));
                }
            }
        }
        Some(details) => info.markers.extend(text(details, "error_code")),
        None => {}
    }
    info
}

/// The documented HTTP status for an error type named inside a stream.
fn status_for_type(info: &ErrorInfo) -> Option<u16> {
    info.markers.iter().find_map(|m| match m.to_ascii_lowercase().as_str() {
        "invalid_request_error" | "invalid_argument" => Some(400),
        "authentication_error" | "unauthenticated" => Some(401),
        "billing_error" => Some(402),
        "permission_error" | "permission_denied" => Some(403),
        "not_found_error" | "not_found" => Some(404),
        "request_too_large" => Some(413),
        "rate_limit_error" | "rate_limit_exceeded" | "insufficient_quota" | "resource_exhausted" => Some(429),
        "api_error" | "server_error" | "internal" => Some(500),
        "unavailable" => Some(503),
        "timeout_error" | "deadline_exceeded" => Some(504),
        "overloaded_error" => Some(529),
        _ => None,
    })
}

fn classify(kind: ProviderKind, status: u16, info: &ErrorInfo, retry_after_secs: Option<f64>) -> ProviderError {
    let message = clean_message(&info.message);
    let lower = message.to_lowercase();
    let provider = kind;
    // Gemini reports a bad key as 400, not 401.
    if info.has("API_KEY_INVALID") || lower.contains("api key not valid") {
        return ProviderError::BadKey { provider, status };
    }
    if matches!(status, 401 | 403) && lower.contains("cors") {
        return ProviderError::BrowserAccessDenied { provider, message };
    }
    if status == 402
        || info.has("insufficient_quota")
        || info.has("enforced_spend_limit_reached")
        || info.has("billing_error")
    {
        return ProviderError::QuotaExceeded { provider, message };
    }
    if info.has("model_not_found") {
        return ProviderError::ModelNotFound { provider, message };
    }
    match status {
        401 => ProviderError::BadKey { provider, status },
        403 => ProviderError::PermissionDenied { provider, status, message },
        404 if lower.contains("model") => ProviderError::ModelNotFound { provider, message },
        404 => ProviderError::NotFound { provider, message },
        408 | 409 => ProviderError::Server { provider, status, message },
        429 => ProviderError::RateLimited { provider, retry_after_secs, message },
        503 | 529 => ProviderError::Overloaded { provider, message },
        500..=599 if info.has("overloaded_error") => ProviderError::Overloaded { provider, message },
        500..=599 => ProviderError::Server { provider, status, message },
        400..=499 => ProviderError::BadRequest { provider, status, message },
        _ => ProviderError::Malformed { provider, message: format!("unexpected HTTP status {status}") },
    }
}

fn parse_seconds(value: Option<&str>) -> Option<f64> {
    value.and_then(|v| v.trim().parse::<f64>().ok()).filter(|secs| secs.is_finite() && *secs >= 0.0)
}

/// A non-JSON error body: HTML error pages say nothing useful, so only plain text is kept.
fn plain_text_message(body: &str) -> String {
    let trimmed = body.trim();
    if trimmed.starts_with('<') {
        String::new()
    } else {
        trimmed.lines().next().unwrap_or_default().to_string()
    }
}

const MAX_MESSAGE_CHARS: usize = 300;

/// Key-like prefixes: OpenAI and Anthropic (`sk-`, `sk-ant-`), Google (`AIza`), Groq, xAI.
const SECRET_PREFIXES: [&str; 6] = ["sk-", "sk_", "AIza", "gsk_", "xai-", "Bearer "];

/// Makes a provider's message safe and short enough to show: whitespace collapsed, key-like
/// tokens replaced, length capped.
pub(crate) fn clean_message(raw: &str) -> String {
    let collapsed = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    let scrubbed = scrub_secrets(&collapsed);
    if scrubbed.chars().count() > MAX_MESSAGE_CHARS {
        let mut short: String = scrubbed.chars().take(MAX_MESSAGE_CHARS).collect();
        short.push('…');
        short
    } else {
        scrubbed
    }
}

fn scrub_secrets(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some((start, end)) = find_secret(rest) {
        out.push_str(rest.get(..start).unwrap_or_default());
        out.push_str(REDACTED);
        rest = rest.get(end..).unwrap_or_default();
    }
    out.push_str(rest);
    out
}

/// The byte range of the first key-like token, starting at a word boundary.
fn find_secret(text: &str) -> Option<(usize, usize)> {
    let mut previous: Option<char> = None;
    for (i, c) in text.char_indices() {
        let at_boundary = previous.is_none_or(|p| !p.is_alphanumeric());
        previous = Some(c);
        if !at_boundary {
            continue;
        }
        let tail = text.get(i..).unwrap_or_default();
        let Some(prefix) = SECRET_PREFIXES.iter().find(|p| tail.starts_with(*p)) else {
            continue;
        };
        let after = tail.get(prefix.len()..).unwrap_or_default();
        let token_len = after.find(|c: char| !(c.is_ascii_alphanumeric() || "-_*.".contains(c))).unwrap_or(after.len());
        // A trailing full stop ends the sentence, not the key.
        let token = after.get(..token_len).unwrap_or_default().trim_end_matches('.');
        return Some((i, i + prefix.len() + token.len()));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use ProviderKind::*;

    #[derive(Debug, PartialEq)]
    enum Expect {
        BadKey,
        Permission,
        Browser,
        RateLimited(Option<f64>),
        Quota,
        Overloaded,
        Server,
        BadRequest,
        Model,
        NotFound,
    }

    fn kind_of(e: &ProviderError) -> Expect {
        match e {
            ProviderError::BadKey { .. } => Expect::BadKey,
            ProviderError::PermissionDenied { .. } => Expect::Permission,
            ProviderError::BrowserAccessDenied { .. } => Expect::Browser,
            ProviderError::RateLimited { retry_after_secs, .. } => Expect::RateLimited(*retry_after_secs),
            ProviderError::QuotaExceeded { .. } => Expect::Quota,
            ProviderError::Overloaded { .. } => Expect::Overloaded,
            ProviderError::Server { .. } => Expect::Server,
            ProviderError::BadRequest { .. } => Expect::BadRequest,
            ProviderError::ModelNotFound { .. } => Expect::Model,
            ProviderError::NotFound { .. } => Expect::NotFound,
            other => panic!("unexpected {other:?}"),
        }
    }

    struct Case {
        kind: ProviderKind,
        status: u16,
        body: &'static str,
        retry_after: Option<&'static str>,
        expect: Expect,
        retryable: bool,
        /// Words the user-facing sentence must contain to be actionable.
        says: &'static [&'static str],
    }

    const CASES: &[Case] = &[
        Case {
            kind: OpenAi,
            status: 401,
            body: r#"{"error":{"message":"Incorrect API key provided: sk-proj-abc1********************wxyz. You can find your API key at https://platform.openai.com/account/api-keys.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}"#,
            retry_after: None,
            expect: Expect::BadKey,
            retryable: false,
            says: &["OpenAI rejected the key (401)", "Settings → OpenAI"],
        },
        Case {
            kind: OpenAi,
            status: 403,
            body: r#"{"error":{"message":"Country, region, or territory not supported","type":"request_forbidden","param":null,"code":"unsupported_country_region_territory"}}"#,
            retry_after: None,
            expect: Expect::Permission,
            retryable: false,
            says: &["refused access (403)", "Country, region"],
        },
        Case {
            kind: OpenAi,
            status: 429,
            body: r#"{"error":{"message":"Rate limit reached for gpt-4o-mini on requests per min (RPM): Limit 3, Used 3, Requested 1.","type":"requests","param":null,"code":"rate_limit_exceeded"}}"#,
            retry_after: Some("20"),
            expect: Expect::RateLimited(Some(20.0)),
            retryable: true,
            says: &["rate limiting", "Wait 20 seconds"],
        },
        Case {
            kind: OpenAi,
            status: 429,
            body: r#"{"error":{"message":"You exceeded your current quota, please check your plan and billing details.","type":"insufficient_quota","param":null,"code":"insufficient_quota"}}"#,
            retry_after: None,
            expect: Expect::Quota,
            retryable: false,
            says: &["out of quota", "Add credit", "will not help"],
        },
        Case {
            kind: OpenAi,
            status: 404,
            body: r#"{"error":{"message":"The model `gpt-9` does not exist or you do not have access to it.","type":"invalid_request_error","param":null,"code":"model_not_found"}}"#,
            retry_after: None,
            expect: Expect::Model,
            retryable: false,
            says: &["does not know this model", "gpt-9"],
        },
        Case {
            kind: OpenAi,
            status: 500,
            body: r#"{"error":{"message":"The server had an error while processing your request.","type":"server_error","param":null,"code":null}}"#,
            retry_after: None,
            expect: Expect::Server,
            retryable: true,
            says: &["server error (HTTP 500)", "Try again"],
        },
        Case {
            kind: OpenAi,
            status: 503,
            body: r#"{"error":{"message":"The engine is currently overloaded, please try again later","type":"server_error","param":null,"code":null}}"#,
            retry_after: None,
            expect: Expect::Overloaded,
            retryable: true,
            says: &["overloaded", "Try again in a minute"],
        },
        Case {
            kind: OpenAi,
            status: 400,
            body: r#"{"error":{"message":"Invalid schema for response_format 'summary'.","type":"invalid_request_error","param":"response_format","code":null}}"#,
            retry_after: None,
            expect: Expect::BadRequest,
            retryable: false,
            says: &["rejected the request (400)", "Invalid schema", "JSON schema"],
        },
        Case {
            kind: Anthropic,
            status: 529,
            body: r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_1"}"#,
            retry_after: None,
            expect: Expect::Overloaded,
            retryable: true,
            says: &["Anthropic is overloaded", "Try again in a minute"],
        },
        Case {
            kind: Anthropic,
            status: 401,
            body: r#"{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"},"request_id":"req_2"}"#,
            retry_after: None,
            expect: Expect::BadKey,
            retryable: false,
            says: &["Anthropic rejected the key (401). Check the key in Settings → Anthropic."],
        },
        Case {
            kind: Anthropic,
            status: 401,
            body: r#"{"type":"error","error":{"type":"authentication_error","message":"CORS requests must set 'anthropic-dangerous-direct-browser-access' header"},"request_id":"req_3"}"#,
            retry_after: None,
            expect: Expect::Browser,
            retryable: false,
            says: &["from the browser", "anthropic-dangerous-direct-browser-access"],
        },
        Case {
            kind: Anthropic,
            status: 403,
            body: r#"{"type":"error","error":{"type":"permission_error","message":"CORS requests are not allowed for this Organization because of its settings"}}"#,
            retry_after: None,
            expect: Expect::Browser,
            retryable: false,
            says: &["ask an admin"],
        },
        Case {
            kind: Anthropic,
            status: 429,
            body: r#"{"type":"error","error":{"type":"rate_limit_error","message":"Number of request tokens has exceeded your per-minute rate limit"}}"#,
            retry_after: Some("7"),
            expect: Expect::RateLimited(Some(7.0)),
            retryable: true,
            says: &["Wait 7 seconds"],
        },
        Case {
            kind: Anthropic,
            status: 429,
            body: r#"{"type":"error","error":{"type":"rate_limit_error","message":"You have reached your specified workspace API usage limits.","details":{"error_code":"enforced_spend_limit_reached"}}}"#,
            retry_after: None,
            expect: Expect::Quota,
            retryable: false,
            says: &["spend limit", "Anthropic account"],
        },
        Case {
            kind: Anthropic,
            status: 402,
            body: r#"{"type":"error","error":{"type":"billing_error","message":"Your credit balance is too low."}}"#,
            retry_after: None,
            expect: Expect::Quota,
            retryable: false,
            says: &["Add credit"],
        },
        Case {
            kind: Anthropic,
            status: 404,
            body: r#"{"type":"error","error":{"type":"not_found_error","message":"model: claude-nope"}}"#,
            retry_after: None,
            expect: Expect::Model,
            retryable: false,
            says: &["claude-nope"],
        },
        Case {
            kind: Gemini,
            status: 400,
            body: r#"{"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID","domain":"googleapis.com","metadata":{"service":"generativelanguage.googleapis.com"}}]}}"#,
            retry_after: None,
            expect: Expect::BadKey,
            retryable: false,
            says: &["Google Gemini rejected the key (400)", "Settings → Google Gemini"],
        },
        Case {
            kind: Gemini,
            status: 400,
            body: r#"{"error":{"code":400,"message":"User location is not supported for the API use.","status":"FAILED_PRECONDITION"}}"#,
            retry_after: None,
            expect: Expect::BadRequest,
            retryable: false,
            says: &["User location is not supported"],
        },
        Case {
            kind: Gemini,
            status: 429,
            body: r#"{"error":{"code":429,"message":"You exceeded your current quota.","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.Help","links":[{"description":"Learn more","url":"https://ai.google.dev/gemini-api/docs/rate-limits"}]},{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"17s"}]}}"#,
            retry_after: None,
            expect: Expect::RateLimited(Some(17.0)),
            retryable: true,
            says: &["Wait 17 seconds"],
        },
        Case {
            kind: Gemini,
            status: 403,
            body: r#"{"error":{"code":403,"message":"Method doesn't allow unregistered callers.","status":"PERMISSION_DENIED"}}"#,
            retry_after: None,
            expect: Expect::Permission,
            retryable: false,
            says: &["refused access (403)"],
        },
        Case {
            kind: Gemini,
            status: 404,
            body: r#"{"error":{"code":404,"message":"models/gemini-9 is not found for API version v1beta, or is not supported for generateContent.","status":"NOT_FOUND"}}"#,
            retry_after: None,
            expect: Expect::Model,
            retryable: false,
            says: &["does not know this model"],
        },
        Case {
            kind: Gemini,
            status: 503,
            body: r#"{"error":{"code":503,"message":"The model is overloaded. Please try again later.","status":"UNAVAILABLE"}}"#,
            retry_after: None,
            expect: Expect::Overloaded,
            retryable: true,
            says: &["overloaded"],
        },
        Case {
            kind: Ollama,
            status: 404,
            body: r#"{"error":"model \"llama3.2\" not found, try pulling it first"}"#,
            retry_after: None,
            expect: Expect::Model,
            retryable: false,
            says: &["ollama pull", "llama3.2"],
        },
        Case {
            kind: Ollama,
            status: 403,
            body: "",
            retry_after: None,
            expect: Expect::Permission,
            retryable: false,
            says: &["OLLAMA_ORIGINS"],
        },
        Case {
            kind: Ollama,
            status: 500,
            body: r#"{"error":"llama runner process has terminated: exit status 2"}"#,
            retry_after: None,
            expect: Expect::Server,
            retryable: true,
            says: &["server's log", "llama runner"],
        },
        Case {
            kind: OpenAiCompatible,
            status: 503,
            body: r#"{"error":{"code":503,"message":"Loading model","type":"unavailable_error"}}"#,
            retry_after: None,
            expect: Expect::Overloaded,
            retryable: true,
            says: &["Loading model"],
        },
        Case {
            kind: OpenAiCompatible,
            status: 404,
            body: "<html><body><h1>404 Not Found</h1></body></html>",
            retry_after: None,
            expect: Expect::NotFound,
            retryable: false,
            says: &["base URL", "/v1"],
        },
        Case {
            kind: OpenAiCompatible,
            status: 400,
            body: r#"{"object":"error","message":"max_tokens is too large","type":"BadRequestError","param":null,"code":400}"#,
            retry_after: None,
            expect: Expect::BadRequest,
            retryable: false,
            says: &["max_tokens is too large"],
        },
        Case {
            kind: OpenAiCompatible,
            status: 502,
            body: "Bad Gateway",
            retry_after: None,
            expect: Expect::Server,
            retryable: true,
            says: &["HTTP 502", "Bad Gateway"],
        },
    ];

    #[test]
    fn documented_error_bodies_are_classified() {
        for case in CASES {
            let err = classify_http_error(case.kind, case.status, case.body, case.retry_after);
            let label = format!("{:?} {} {}", case.kind, case.status, case.body);
            assert_eq!(kind_of(&err), case.expect, "{label}");
            assert_eq!(err.is_retryable(), case.retryable, "{label}");
            assert_eq!(err.provider(), case.kind, "{label}");
            let text = err.to_string();
            for phrase in case.says {
                assert!(text.contains(phrase), "{label}\n`{text}` lacks `{phrase}`");
            }
            assert!(text.ends_with('.'), "not a full sentence: {text}");
            assert!(!text.contains("sk-proj"), "key leaked: {text}");
        }
    }

    #[test]
    fn keys_in_provider_messages_are_scrubbed() {
        let cases = [
            ("Incorrect API key provided: sk-proj-abc***xyz.", "Incorrect API key provided: [redacted]."),
            ("bad key `sk-ant-api03-AbC_d-9`", "bad key `[redacted]`"),
            ("key AIzaSyA-1234567890 is invalid", "key [redacted] is invalid"),
            ("header Bearer gsk_abc123 refused", "header [redacted] refused"),
            ("a task-list and risk-free ask-me", "a task-list and risk-free ask-me"),
        ];
        for (raw, expected) in cases {
            assert_eq!(clean_message(raw), expected);
        }
        let long = "word ".repeat(200);
        assert!(clean_message(&long).chars().count() <= MAX_MESSAGE_CHARS + 1);
    }

    #[test]
    fn retry_after_accepts_seconds_and_ignores_dates() {
        let rate = |header| classify_http_error(OpenAi, 429, "{}", header).retry_after_secs();
        assert_eq!(rate(Some("3")), Some(3.0));
        assert_eq!(rate(Some(" 1.5 ")), Some(1.5));
        assert_eq!(rate(Some("Wed, 21 Oct 2026 07:28:00 GMT")), None);
        assert_eq!(rate(Some("-4")), None);
        assert_eq!(rate(None), None);
    }

    #[test]
    fn stream_payloads_map_types_to_statuses() {
        let overloaded = serde_json::json!({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}});
        assert!(matches!(classify_stream_payload(Anthropic, &overloaded), ProviderError::Overloaded { .. }));
        let gemini = serde_json::json!({"error":{"code":500,"message":"Internal error","status":"INTERNAL"}});
        assert!(matches!(classify_stream_payload(Gemini, &gemini), ProviderError::Server { status: 500, .. }));
        let unknown = serde_json::json!({"error":{"message":"Provider disconnected"}});
        let err = classify_stream_payload(OpenAiCompatible, &unknown);
        assert!(matches!(err, ProviderError::StreamError { .. }));
        assert!(err.to_string().contains("“Provider disconnected”"), "{err}");
        let ollama = serde_json::json!({"error":"an error was encountered while running the model"});
        assert!(matches!(classify_stream_payload(Ollama, &ollama), ProviderError::StreamError { .. }));
    }

    #[test]
    fn every_variant_reads_as_a_sentence_and_hides_query_keys() {
        let errors = [
            ProviderError::MissingSetting { provider: Anthropic, what: Setting::ApiKey },
            ProviderError::MissingSetting { provider: OpenAiCompatible, what: Setting::BaseUrl },
            ProviderError::MissingSetting { provider: Gemini, what: Setting::Model },
            ProviderError::unreachable(Ollama, "http://localhost:11434/api/chat"),
            ProviderError::unreachable(OpenAiCompatible, "http://localhost:1234/v1"),
            ProviderError::unreachable(Gemini, "https://g/v1beta/models?key=AIzaSecret"),
            ProviderError::Unsupported { provider: Demo, what: "network requests".into() },
            ProviderError::Malformed { provider: OpenAiCompatible, message: "not JSON".into() },
            ProviderError::StreamError { provider: Anthropic, message: "It reported: “x”.".into() },
        ];
        for err in errors {
            let text = err.to_string();
            assert!(text.ends_with('.'), "{text}");
            assert!(!text.contains("AIzaSecret"), "{text}");
            assert!(!err.is_retryable() || matches!(err, ProviderError::StreamError { .. }));
        }
    }
}
