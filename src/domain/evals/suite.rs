//! What an eval keeps per flow: the suite (cases, checks, variants, settings) and the
//! records of finished runs, each with the flow version it ran on.

use serde::{Deserialize, Serialize};

use crate::domain::stored::{from_stored, to_stored, Stored, StoredError};

use super::cases::TestCase;
use super::checks::Check;
use super::run::{JobResult, Variant};

pub const DEFAULT_REPETITIONS: u32 = 3;
pub const DEFAULT_CONCURRENCY: usize = 4;
/// Saved runs kept per flow (oldest dropped first).
pub const MAX_RECORDS: usize = 20;
/// Outputs are cut to this many characters in saved runs, so storage lasts.
pub const STORED_OUTPUT_CHARS: usize = 4_000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvalSuite {
    #[serde(default)]
    pub cases: Vec<TestCase>,
    #[serde(default)]
    pub checks: Vec<Check>,
    /// Variants after the base flow (the base always runs first).
    #[serde(default)]
    pub variants: Vec<Variant>,
    #[serde(default = "default_reps")]
    pub repetitions: u32,
    #[serde(default = "default_concurrency")]
    pub concurrency: usize,
    /// The block whose output is checked; `None` means the first Output block.
    #[serde(default)]
    pub target: Option<String>,
}

fn default_reps() -> u32 {
    DEFAULT_REPETITIONS
}

fn default_concurrency() -> usize {
    DEFAULT_CONCURRENCY
}

impl Default for EvalSuite {
    fn default() -> Self {
        EvalSuite {
            cases: Vec::new(),
            checks: Vec::new(),
            variants: Vec::new(),
            repetitions: DEFAULT_REPETITIONS,
            concurrency: DEFAULT_CONCURRENCY,
            target: None,
        }
    }
}

impl Stored for EvalSuite {
    const CURRENT_VERSION: u64 = 1;
    const WHAT: &'static str = "the test cases of this flow";
}

impl Stored for EvalRecords {
    const CURRENT_VERSION: u64 = 1;
    const WHAT: &'static str = "the saved eval runs of this flow";
}

impl EvalSuite {
    /// The stored suite; a damaged or newer record is an error that says so.
    pub fn parse(text: &str) -> Result<EvalSuite, StoredError> {
        from_stored(text)
    }

    pub fn to_json(&self) -> String {
        to_stored(self)
    }

    /// Every variant that runs: the flow as it is, then the others.
    pub fn all_variants(&self) -> Vec<Variant> {
        std::iter::once(Variant::base("As it is")).chain(self.variants.iter().cloned()).collect()
    }
}

/// A finished (or stopped) eval run, as saved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvalRecord {
    pub ran_ms: i64,
    /// Which version of the flow it ran on, in words.
    pub version: String,
    pub variants: Vec<String>,
    pub checks: Vec<String>,
    pub inputs: Vec<String>,
    pub cases: Vec<TestCase>,
    pub repetitions: u32,
    pub results: Vec<JobResult>,
    #[serde(default)]
    pub stopped: Option<String>,
}

impl EvalRecord {
    /// A copy small enough to keep: outputs cut to [`STORED_OUTPUT_CHARS`].
    pub fn trimmed(mut self) -> EvalRecord {
        for r in &mut self.results {
            if let Some(o) = &mut r.output {
                if o.chars().count() > STORED_OUTPUT_CHARS {
                    let cut = o.char_indices().nth(STORED_OUTPUT_CHARS).map_or(o.len(), |(i, _)| i);
                    o.truncate(cut);
                    o.push('\u{2026}');
                }
            }
        }
        self
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct EvalRecords {
    pub list: Vec<EvalRecord>,
}

impl EvalRecords {
    /// The stored runs; a damaged or newer record is an error that says so.
    pub fn parse(text: &str) -> Result<EvalRecords, StoredError> {
        from_stored(text)
    }

    pub fn to_json(&self) -> String {
        to_stored(self)
    }

    /// Adds a record (newest first), keeping at most [`MAX_RECORDS`].
    pub fn add(&mut self, record: EvalRecord) {
        self.list.insert(0, record.trimmed());
        self.list.truncate(MAX_RECORDS);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suites_and_records_round_trip_and_stay_small() {
        let suite = EvalSuite::parse("{\"repetitions\": 5}").unwrap();
        assert_eq!((suite.repetitions, suite.concurrency), (5, DEFAULT_CONCURRENCY));
        assert!(EvalSuite::parse("garbage").is_err());
        assert_eq!(suite.all_variants().len(), 1);
        let mut records = EvalRecords::default();
        for i in 0..(MAX_RECORDS + 3) {
            records.add(EvalRecord {
                ran_ms: i as i64,
                version: String::new(),
                variants: vec![],
                checks: vec![],
                inputs: vec![],
                cases: vec![],
                repetitions: 1,
                results: vec![JobResult {
                    variant: 0,
                    case: 0,
                    rep: 0,
                    output: Some("x".repeat(STORED_OUTPUT_CHARS + 50)),
                    error: None,
                    checks: vec![],
                    latency_ms: 0.0,
                    input_tokens: 0,
                    output_tokens: 0,
                    cost_usd: 0.0,
                    routes: Vec::new(),
                }],
                stopped: None,
            });
        }
        assert_eq!(records.list.len(), MAX_RECORDS);
        assert_eq!(records.list[0].ran_ms, (MAX_RECORDS + 2) as i64);
        let out = records.list[0].results[0].output.clone().unwrap_or_default();
        assert_eq!(out.chars().count(), STORED_OUTPUT_CHARS + 1);
        let back = EvalRecords::parse(&records.to_json()).unwrap();
        assert_eq!(back, records);
    }
}
