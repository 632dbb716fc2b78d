//! Evals: test cases, checks, runs of a flow over the cases (several times, several
//! variants) and the statistics that say whether the prototype really works, with the test
//! case as the unit (see docs/evals.md).

pub mod batch;
pub mod case_stats;
pub mod cases;
pub mod checks;
pub mod distributions;
pub mod export;
pub mod fairness;
pub mod generate;
pub mod paired;
pub mod report;
pub mod report_setup;
pub mod routes;
pub mod run;
pub mod stats;
pub mod suite;
