//! One provider call outside a flow run (Settings' connection test, a search preview's query
//! embedding, a batch job's requests), as a [`Machine`] so it goes through the same run loop as
//! a flow's calls and gets the same rules: retries with backoff (408, 409, 429, 5xx, 529 and
//! network failures; the provider's `retry-after` when given), a timeout, the run budget (its
//! estimated cost), and a trace of what was sent and what came back. The key is added by the
//! browser layer when it builds the request ([`Command::Call`]); the trace only ever sees the
//! redacted request.

use super::retry::{format_secs, reason, retry_delay_ms};
use super::{format_usd, Command, EngineConfig, Event, Machine, RequestId};
use crate::domain::providers::{classify_http_error, ProviderError, ProviderKind};

/// What to ask a provider. The browser layer builds the request from it with the person's
/// settings (key, base URL): a command never carries a key.
#[derive(Debug, Clone, PartialEq)]
pub enum ProviderCall {
    /// The models the provider offers (the connection test).
    Models,
    /// Embeddings of `inputs` with `model`.
    Embed { model: String, inputs: Vec<String> },
    /// A batch job's request (OpenAI's Batch API, Anthropic's Message Batches).
    Batch(BatchCall),
}

/// The requests of a batch job (built by `evals::batch`).
#[derive(Debug, Clone, PartialEq)]
pub enum BatchCall {
    /// OpenAI: upload the JSONL file of requests.
    Upload { jsonl: String },
    /// OpenAI: create the batch from an uploaded file.
    Create { file_id: String },
    /// Anthropic: create the batch with its requests.
    AnthropicCreate { payload: String },
    /// Either: the batch's state.
    Status { batch_id: String },
    /// Either: the results (OpenAI's output file id, Anthropic's results URL).
    Results { file: String },
}

/// How a [`Fetch`] ended.
#[derive(Debug, Clone, PartialEq)]
pub enum FetchEnd {
    /// A 2xx reply with its whole body.
    Ok(String),
    /// A non-2xx reply that is not retried, or still failing after the last retry.
    Http { status: u16, body: String, retry_after: Option<String> },
    /// No reply (network, CORS), after the last retry.
    Network(String),
    /// Nothing arrived within the timeout, after the last retry.
    TimedOut { secs: String },
    /// Stopped (by the person, or a page that went away).
    Stopped,
    /// Not sent: it would pass the budget. The sentence says so.
    OverBudget(String),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum State {
    /// Not sent yet (the first `poll` sends it).
    New,
    InFlight {
        request: RequestId,
        since: f64,
    },
    /// Waiting before the next attempt.
    Backoff {
        until: f64,
    },
    Done,
}

/// One call, its retries and its trace.
#[derive(Debug, Clone)]
pub struct Fetch {
    provider: ProviderKind,
    call: ProviderCall,
    max_retries: u32,
    timeout_ms: f64,
    max_backoff_ms: f64,
    budget_usd: Option<f64>,
    estimate_usd: f64,
    state: State,
    /// Attempts made so far.
    attempts: u32,
    next_request: RequestId,
    end: Option<FetchEnd>,
    trace: Vec<String>,
    /// Why each failed attempt failed ("429 rate limit"), in order.
    failures: Vec<String>,
}

impl Fetch {
    /// A call with a run's limits (`config`: retries, backoff, timeout, budget) that is
    /// expected to cost `estimate_usd` (0 for listing models or asking about a batch).
    pub fn new(provider: ProviderKind, call: ProviderCall, config: &EngineConfig, estimate_usd: f64) -> Fetch {
        let config = config.clone().sanitized();
        Fetch {
            provider,
            call,
            max_retries: config.max_retries,
            timeout_ms: config.timeout_ms,
            max_backoff_ms: config.max_backoff_ms,
            budget_usd: config.budget_usd,
            estimate_usd: if estimate_usd.is_finite() { estimate_usd.max(0.0) } else { 0.0 },
            state: State::New,
            attempts: 0,
            next_request: 1,
            end: None,
            trace: Vec::new(),
            failures: Vec::new(),
        }
    }

    /// How it ended, once it has.
    pub fn end(&self) -> Option<&FetchEnd> {
        self.end.as_ref()
    }

    /// What happened, one line per step: sent (the redacted request), retries, the reply.
    pub fn trace(&self) -> &[String] {
        &self.trace
    }

    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The retries in a sentence for the person, when there were any: "Answered on attempt 3,
    /// after a 429 rate limit and a network error.", "Tried 4 times: 429 rate limit, network
    /// error ×3." or "Tried 4 times, a 500 server error each time."
    pub fn retry_note(&self) -> Option<String> {
        if self.failures.is_empty() {
            return None;
        }
        let mut counted: Vec<(&str, usize)> = Vec::new();
        for why in &self.failures {
            match counted.iter_mut().find(|(w, _)| *w == why.as_str()) {
                Some((_, n)) => *n += 1,
                None => counted.push((why, 1)),
            }
        }
        let reasons: Vec<String> =
            counted.iter().map(|(w, n)| if *n == 1 { w.to_string() } else { format!("{w} \u{d7}{n}") }).collect();
        Some(match (&self.end, counted.as_slice()) {
            (Some(FetchEnd::Ok(_)), _) => {
                format!("Answered on attempt {}, after {}.", self.attempts, reasons.join(", "))
            }
            // One reason every time: "Tried 4 times: network error ×4." said the number twice.
            (_, [(why, n)]) if *n as u32 == self.attempts && *n > 1 => format!("Tried {n} times, a {why} each time."),
            _ => format!("Tried {} times: {}.", self.attempts, reasons.join(", ")),
        })
    }

    /// `message` followed by the retry note, when there were retries: a result after retries
    /// says so, so a flaky connection or a rate limit is not mistaken for one clean answer or
    /// one bad moment.
    pub fn with_retry_note(&self, message: String) -> String {
        match self.retry_note() {
            Some(note) => format!("{message} {note}"),
            None => message,
        }
    }

    fn send(&mut self, now: f64) -> Vec<Command> {
        let request = self.next_request;
        self.next_request += 1;
        self.attempts += 1;
        self.state = State::InFlight { request, since: now };
        vec![
            Command::Call { request, provider: self.provider, call: self.call.clone() },
            Command::WakeAt { at_ms: now + self.timeout_ms },
        ]
    }

    fn finish(&mut self, end: FetchEnd) {
        self.state = State::Done;
        self.end = Some(end);
    }

    /// A failed attempt: wait and try again while retries are left, else end with `end`.
    /// (Network failures and timeouts are retried too: `retryable`.)
    fn failed(
        &mut self,
        retryable: bool,
        error: &ProviderError,
        status: Option<u16>,
        end: FetchEnd,
        now: f64,
    ) -> Vec<Command> {
        let request = match self.state {
            State::InFlight { request, .. } => request,
            _ => 0,
        };
        if retryable && self.attempts <= self.max_retries {
            let wait = retry_delay_ms(error, self.attempts, request, self.max_backoff_ms);
            let why = reason(error, status);
            self.trace.push(format!("Retrying in {} s ({why}).", format_secs(wait)));
            self.failures.push(why);
            self.state = State::Backoff { until: now + wait };
            return vec![Command::WakeAt { at_ms: now + wait }];
        }
        if self.attempts > 1 {
            self.failures.push(reason(error, status));
            self.trace.push(format!("Gave up after {} attempts.", self.attempts));
        }
        self.finish(end);
        Vec::new()
    }

    fn current(&self) -> Option<RequestId> {
        match self.state {
            State::InFlight { request, .. } => Some(request),
            _ => None,
        }
    }
}

impl Machine for Fetch {
    fn poll(&mut self, now_ms: f64) -> Vec<Command> {
        match self.state {
            State::New => {
                if let Some(budget) = self.budget_usd {
                    if self.estimate_usd > budget {
                        let why = format!(
                            "Stopped before this call: it would pass the run's budget of {}.",
                            format_usd(budget)
                        );
                        self.trace.push(why.clone());
                        self.finish(FetchEnd::OverBudget(why));
                        return Vec::new();
                    }
                }
                self.send(now_ms)
            }
            State::InFlight { request, since } if now_ms - since >= self.timeout_ms => {
                let secs = format_secs(self.timeout_ms);
                self.trace.push(format!("No answer after {secs} s."));
                let url = String::new();
                let error = ProviderError::Unreachable { provider: self.provider, url };
                let mut out = vec![Command::Cancel { request }];
                out.extend(self.failed(true, &error, None, FetchEnd::TimedOut { secs }, now_ms));
                out
            }
            State::InFlight { since, .. } => vec![Command::WakeAt { at_ms: since + self.timeout_ms }],
            State::Backoff { until } if now_ms >= until => self.send(now_ms),
            State::Backoff { until } => vec![Command::WakeAt { at_ms: until }],
            State::Done => Vec::new(),
        }
    }

    fn on_event(&mut self, event: Event, now_ms: f64) -> Vec<Command> {
        if self.current() != Some(event.request()) {
            return Vec::new(); // an earlier attempt's late news, or nobody's
        }
        match event {
            Event::Sent { redacted, .. } => {
                self.trace.push(format!("Sent {} {}", redacted.method.as_str(), redacted.url));
                Vec::new()
            }
            Event::ToolResponse { status, body, .. } if (200..300).contains(&status) => {
                self.trace.push(format!("Answered {status} ({} bytes).", body.len()));
                self.finish(FetchEnd::Ok(body));
                Vec::new()
            }
            Event::ToolResponse { status, body, .. } => self.http_error(status, body, None, now_ms),
            Event::HttpError { status, body, retry_after, .. } => self.http_error(status, body, retry_after, now_ms),
            Event::NetworkError { message, .. } | Event::ToolFailed { message, .. } => {
                self.trace.push(format!("No reply: {message}"));
                let error = ProviderError::Unreachable { provider: self.provider, url: String::new() };
                self.failed(true, &error, None, FetchEnd::Network(message), now_ms)
            }
            Event::Aborted { .. } => {
                self.trace.push("Stopped.".into());
                self.finish(FetchEnd::Stopped);
                Vec::new()
            }
            Event::Chunk { .. } | Event::Done { .. } | Event::Approval { .. } => Vec::new(),
        }
    }

    fn stop(&mut self, _now_ms: f64) -> Vec<Command> {
        if self.state == State::Done {
            return Vec::new();
        }
        let out = self.current().map(|request| vec![Command::Cancel { request }]).unwrap_or_default();
        self.trace.push("Stopped.".into());
        self.finish(FetchEnd::Stopped);
        out
    }

    fn is_finished(&self) -> bool {
        self.state == State::Done
    }
}

impl Fetch {
    fn http_error(&mut self, status: u16, body: String, retry_after: Option<String>, now: f64) -> Vec<Command> {
        self.trace.push(format!("Answered {status}."));
        let error = classify_http_error(self.provider, status, &body, retry_after.as_deref());
        self.failed(error.is_retryable(), &error, Some(status), FetchEnd::Http { status, body, retry_after }, now)
    }
}
