//! Shared pieces of Lacquer's cross-crate tests: a CLAP host harness, locating the built plugin,
//! running a test in its own process, and test signals.

pub mod clap_host;
pub mod ebu;
pub mod exact_true_peak;
pub mod isolation;
pub mod lv2_host;
pub mod paths;
pub mod reference;
pub mod signals;
pub mod vst3_host;
