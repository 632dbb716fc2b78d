//! Evals: test cases, checks, runs of a flow over the cases (several times, several
//! variants) and the statistics that say whether the prototype really works.

pub mod batch;
pub mod cases;
pub mod checks;
pub mod export;
pub mod generate;
pub mod report;
pub mod run;
pub mod stats;
pub mod suite;
