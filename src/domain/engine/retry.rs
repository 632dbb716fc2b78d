//! When to retry a failed call and how long to wait. Deterministic: the jitter comes from
//! the request id, not from a random number generator.

use super::RequestId;
use crate::domain::providers::ProviderError;
use crate::domain::util::hash::fnv1a64;

/// The first backoff step; each retry doubles it up to the configured cap.
pub const BASE_BACKOFF_MS: f64 = 500.0;

/// The longest `retry-after` that is honoured; longer requests wait this long.
pub const MAX_RETRY_AFTER_MS: f64 = 60_000.0;

/// Jitter takes up to this fraction off a backoff step, so parallel retries spread out.
const JITTER_FRACTION: f64 = 0.25;

/// Exponential backoff before retry number `retry` (1 for the first retry): 500 ms · 2^(n-1),
/// capped at `max_backoff_ms`, minus up to 25 % jitter derived from `request`.
pub fn backoff_ms(retry: u32, request: RequestId, max_backoff_ms: f64) -> f64 {
    let exponent = i32::try_from(retry.saturating_sub(1).min(30)).unwrap_or(30);
    let cap = if max_backoff_ms.is_finite() { max_backoff_ms.max(0.0) } else { BASE_BACKOFF_MS };
    let step = (BASE_BACKOFF_MS * 2f64.powi(exponent)).min(cap);
    let jitter = (fnv1a64(&request.to_le_bytes()) % 1000) as f64 / 1000.0 * JITTER_FRACTION;
    step * (1.0 - jitter)
}

/// The wait before retrying after `error`: the provider's `retry-after` when it gave one
/// (up to [`MAX_RETRY_AFTER_MS`]), otherwise [`backoff_ms`].
pub fn retry_delay_ms(error: &ProviderError, retry: u32, request: RequestId, max_backoff_ms: f64) -> f64 {
    match error.retry_after_secs() {
        Some(secs) if secs.is_finite() && secs >= 0.0 => (secs * 1000.0).min(MAX_RETRY_AFTER_MS),
        _ => backoff_ms(retry, request, max_backoff_ms),
    }
}

/// A short reason for the retry note, e.g. "429 rate limit" or "529 overloaded".
pub(crate) fn reason(error: &ProviderError, status: Option<u16>) -> String {
    let what = match error {
        ProviderError::RateLimited { .. } => "rate limit",
        ProviderError::Overloaded { .. } => "overloaded",
        ProviderError::Server { .. } => "server error",
        ProviderError::StreamError { .. } => "error in the stream",
        ProviderError::Unreachable { .. } => "network error",
        _ => "error",
    };
    match status {
        Some(status) => format!("{status} {what}"),
        None => what.to_string(),
    }
}

/// Milliseconds as seconds for people: "2", "0.4", "1.5".
pub(crate) fn format_secs(ms: f64) -> String {
    let tenths = (ms.max(0.0) / 100.0).round();
    if tenths % 10.0 == 0.0 {
        format!("{}", tenths / 10.0)
    } else {
        format!("{:.1}", tenths / 10.0)
    }
}

/// The note kept in the trace for each retry.
pub(crate) fn note(delay_ms: f64, reason: &str) -> String {
    format!("Retrying in {} s ({reason})", format_secs(delay_ms))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::providers::ProviderKind;

    #[test]
    fn backoff_doubles_with_bounded_deterministic_jitter() {
        for request in 0..200u64 {
            for (retry, step) in [(1, 500.0), (2, 1000.0), (3, 2000.0), (4, 4000.0), (5, 8000.0)] {
                let d = backoff_ms(retry, request, 8000.0);
                assert!(d > step * 0.75 - 1e-9 && d <= step, "{retry} {request} {d}");
                assert_eq!(d, backoff_ms(retry, request, 8000.0));
            }
            assert!(backoff_ms(12, request, 8000.0) <= 8000.0);
            assert!(backoff_ms(u32::MAX, request, 8000.0) <= 8000.0);
        }
        let distinct: std::collections::BTreeSet<u64> = (0..50u64).map(|r| backoff_ms(1, r, 8000.0) as u64).collect();
        assert!(distinct.len() > 10, "jitter spreads retries: {distinct:?}");
        assert!(backoff_ms(3, 1, f64::NAN) <= BASE_BACKOFF_MS);
    }

    #[test]
    fn retry_after_wins_up_to_a_minute() {
        let limited = |secs| ProviderError::RateLimited {
            provider: ProviderKind::OpenAi,
            retry_after_secs: secs,
            message: String::new(),
        };
        assert_eq!(retry_delay_ms(&limited(Some(2.0)), 1, 7, 8000.0), 2000.0);
        assert_eq!(retry_delay_ms(&limited(Some(600.0)), 1, 7, 8000.0), 60_000.0);
        assert_eq!(retry_delay_ms(&limited(None), 1, 7, 8000.0), backoff_ms(1, 7, 8000.0));
    }

    #[test]
    fn notes_read_well() {
        assert_eq!(format_secs(2000.0), "2");
        assert_eq!(format_secs(437.5), "0.4");
        assert_eq!(format_secs(1450.0), "1.5");
        assert_eq!(note(2000.0, "429 rate limit"), "Retrying in 2 s (429 rate limit)");
    }
}
