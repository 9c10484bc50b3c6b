//! Filters: coefficient design (values with an analytic `response()`) and the runtime state.

mod biquad;
mod dc;

pub use biquad::{Biquad, BiquadState};
pub use dc::{DC_FILTER_CUTOFF_HZ, DcFilter};
