//! Running the flow in the browser: the Runner (engine driver), the transport that performs its
//! requests, what a run asks first (approvals, hosts, privacy) and what it sent.

pub(crate) mod approval;
pub(crate) mod approve_hosts;
pub(crate) mod data_sent;
pub(crate) mod driver;
pub(crate) mod one_shot;
pub(crate) mod privacy_notice;
#[allow(clippy::module_inception)] // the folder is named after its main file
pub(crate) mod run;
pub(crate) mod run_asks;
pub(crate) mod run_loop;
pub(crate) mod transport;
