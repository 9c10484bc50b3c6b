//! Dynamics: the multiband compressor and the glue (bus) compressor.
//!
//! Both are built from the same parts, each testable on its own (chowdsp's compressor layout):
//! [`LevelDetector`] (peak with hold, or RMS) → [`GainComputer`] (threshold, ratio, soft knee:
//! the static curve) → [`Ballistics`] (attack and release on the gain in dB) → [`GainStage`]
//! (makeup, bypass). [`Sidechain`] bundles the first three for one or two channels;
//! [`ReductionMeter`] keeps the gain-reduction readings for the GUI.

mod ballistics;
mod detector;
mod gain_computer;
mod gain_stage;
mod glue;
mod history;
mod multiband;
pub(crate) mod samples;
mod sidechain;

pub use ballistics::Ballistics;
pub use detector::{Detection, LevelDetector, PEAK_HOLD_MS, RMS_WINDOW_MS};
pub use gain_computer::{
    GainComputer, KNEE_MAX_DB, MAX_EXPANSION_DB, MAX_LEVEL_DB, RATIO_MAX, RATIO_MIN,
};
pub use gain_stage::{FrameGain, GainStage, STAGE_RAMP_MS, db_gain};
pub use glue::{
    GLUE_ATTACK_MAX_MS, GLUE_ATTACK_MIN_MS, GLUE_KNEE_DB, GLUE_RELEASE_MAX_MS, GLUE_RELEASE_MIN_MS,
    GlueCompressor, GlueParams, GlueRatio, GlueReadings, SIDECHAIN_HP_MAX_HZ, SIDECHAIN_HP_MIN_HZ,
};
pub use history::{HISTORY_LEN, ReductionMeter};
pub use multiband::{
    ATTACK_MAX_MS, ATTACK_MIN_MS, BandParams, MAX_LOOKAHEAD_MS, MultibandCompressor,
    MultibandParams, MultibandReadings, RELEASE_MAX_MS, RELEASE_MIN_MS, StereoMode,
};
pub use sidechain::{Sidechain, SidechainSettings};
