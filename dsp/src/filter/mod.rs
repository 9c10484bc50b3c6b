//! Filters: coefficient design (values with an analytic `response()`) and the runtime state.

mod band_split;
mod biquad;
pub mod crossover;
mod dc;
pub mod linear_phase;

pub use band_split::{BandSplit, SPLIT_CHUNK, SPLIT_HALF_TAPS, SPLIT_PASS, SPLIT_STOP};
pub use biquad::{
    Biquad, BiquadState, DENORMAL_FLOOR, LaneState, SubstitutedBiquad, flush_lane_denormals,
};
pub use dc::{DC_FILTER_CUTOFF_HZ, DcFilter};
pub use linear_phase::{LINEAR_PHASE_PARTITION, LinearPhaseFilter};
