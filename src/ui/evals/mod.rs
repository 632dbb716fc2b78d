//! Evaluate: test cases, checks, variants, the eval run and its results.

pub(crate) mod eval_batch;
pub(crate) mod eval_charts;
pub(crate) mod eval_dialog;
pub(crate) mod eval_driver;
pub(crate) mod eval_results;
pub(crate) mod fairness_ui;
