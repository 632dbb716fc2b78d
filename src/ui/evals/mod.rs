//! Evaluate: test cases, checks, variants, the eval run and its results.

mod cases;
mod check_fields;
mod checks;
pub(crate) mod eval_batch;
pub(crate) mod eval_charts;
pub(crate) mod eval_dialog;
pub(crate) mod eval_driver;
pub(crate) mod eval_results;
pub(crate) mod fairness_ui;
mod generate;
mod held_out;
mod results_body;
mod results_grid;
mod run_section;
pub(crate) mod suite_store;
