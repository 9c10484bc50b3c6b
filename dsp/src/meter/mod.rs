//! Metering: what the engineer trusts to say "this master is -14 LUFS and -1 dBTP".
//!
//! [`Meter`] combines the sample-peak/RMS meter, EBU R128 loudness (momentary, short-term,
//! integrated, loudness range), true peak and stereo correlation/balance. Meters observe; they
//! never change audio. `prepare` allocates (the loudness histograms); `process`, `reset` and
//! `readings` never do, and results do not depend on how audio is split into blocks.

mod blocks;
mod histogram;
pub mod kweighting;
mod true_peak;

pub use blocks::{
    BlockMeter, LevelReadings, LoudnessReadings, PEAK_FALL_DB_PER_S, RMS_SUB_BLOCKS, SubBlock,
};
pub use histogram::{ABSOLUTE_GATE_LUFS, LoudnessHistogram, energy_to_lufs, lufs_to_energy};
pub use true_peak::{LOOKAHEAD as TRUE_PEAK_LOOKAHEAD, PeakScope, TruePeakMeter};

use crate::ProcessSpec;

/// The most channels a meter reads (the chain is mono or stereo).
pub const MAX_METER_CHANNELS: usize = 2;

/// One plain snapshot of a meter, safe to copy to another thread. Levels are dBFS, LUFS or
/// dBTP with `-inf` for digital silence; `None` where a value does not exist yet (integrated
/// loudness before any block passes the gates, correlation of silence). Per-channel arrays read
/// `-inf` beyond `channels`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeterReadings {
    /// Number of channels metered.
    pub channels: usize,
    /// Sample peak per channel with fall-back ([`PEAK_FALL_DB_PER_S`]), updated every 10 ms.
    pub peak_db: [f64; MAX_METER_CHANNELS],
    /// Highest sample peak per channel since reset.
    pub peak_max_db: [f64; MAX_METER_CHANNELS],
    /// RMS per channel over the last 300 ms; a full-scale sine reads -3.01 dBFS.
    pub rms_db: [f64; MAX_METER_CHANNELS],
    /// EBU R128 loudness.
    pub loudness: LoudnessReadings,
    /// Highest true peak per channel since reset.
    pub true_peak_max_dbtp: [f64; MAX_METER_CHANNELS],
    /// Highest true peak per channel over the last 3 s.
    pub true_peak_recent_dbtp: [f64; MAX_METER_CHANNELS],
    /// Phase correlation of left and right over the last 400 ms, -1..+1.
    pub correlation: Option<f64>,
    /// Left-to-right loudness balance over the last 400 ms (K-weighted), dB; positive = left
    /// louder.
    pub balance_db: Option<f64>,
    /// Correlation over everything since reset.
    pub correlation_total: Option<f64>,
    /// Balance over everything since reset.
    pub balance_total_db: Option<f64>,
    /// Seconds of audio measured since reset.
    pub elapsed_s: f64,
}

impl Default for MeterReadings {
    fn default() -> Self {
        Self {
            channels: 0,
            peak_db: [f64::NEG_INFINITY; MAX_METER_CHANNELS],
            peak_max_db: [f64::NEG_INFINITY; MAX_METER_CHANNELS],
            rms_db: [f64::NEG_INFINITY; MAX_METER_CHANNELS],
            loudness: LoudnessReadings::default(),
            true_peak_max_dbtp: [f64::NEG_INFINITY; MAX_METER_CHANNELS],
            true_peak_recent_dbtp: [f64::NEG_INFINITY; MAX_METER_CHANNELS],
            correlation: None,
            balance_db: None,
            correlation_total: None,
            balance_total_db: None,
            elapsed_s: 0.0,
        }
    }
}

fn max_over(values: &[f64]) -> f64 {
    values.iter().copied().fold(f64::NEG_INFINITY, f64::max)
}

impl MeterReadings {
    /// Highest sample peak over all channels since reset, dBFS.
    pub fn sample_peak_max_db(&self) -> f64 {
        max_over(&self.peak_max_db[..self.channels])
    }

    /// Highest true peak over all channels since reset, dBTP.
    pub fn true_peak_max_dbtp(&self) -> f64 {
        max_over(&self.true_peak_max_dbtp[..self.channels])
    }

    /// Peak-to-loudness ratio: true-peak max minus integrated loudness.
    pub fn plr_db(&self) -> Option<f64> {
        let peak = self.true_peak_max_dbtp();
        self.loudness
            .integrated_lufs
            .filter(|_| peak.is_finite())
            .map(|integrated| peak - integrated)
    }

    /// Peak-to-short-term-loudness ratio: true peak of the last 3 s minus short-term loudness.
    pub fn psr_db(&self) -> Option<f64> {
        let peak = max_over(&self.true_peak_recent_dbtp[..self.channels]);
        let short_term = self.loudness.short_term_lufs;
        (peak.is_finite() && short_term.is_finite()).then_some(peak - short_term)
    }
}

/// Every meter on one signal.
#[derive(Debug, Clone, Default)]
pub struct Meter {
    channels: usize,
    blocks: BlockMeter,
    true_peak: TruePeakMeter,
}

impl Meter {
    /// Prepares for `spec` (allocates) and resets.
    pub fn prepare(&mut self, spec: &ProcessSpec) {
        self.channels = spec.channels.min(MAX_METER_CHANNELS);
        self.blocks.prepare(spec.sample_rate, spec.channels);
        self.true_peak.prepare(spec.sample_rate, spec.channels);
    }

    /// Chooses what the true-peak meter keeps track of (see [`PeakScope`]).
    pub fn set_true_peak_scope(&mut self, scope: PeakScope) {
        self.true_peak.set_scope(scope);
    }

    /// Clears every reading.
    pub fn reset(&mut self) {
        self.blocks.reset();
        self.true_peak.reset();
    }

    /// Measures one block (read only).
    pub fn process<S: AsRef<[f32]>>(&mut self, channels: &[S]) {
        self.blocks.process(channels);
        self.true_peak.process(channels);
    }

    /// At the end of a file: measures the true peak of the last samples, which the
    /// interpolator still holds in its look-ahead.
    pub fn finish(&mut self) {
        self.true_peak.flush();
    }

    /// The current readings.
    pub fn readings(&self) -> MeterReadings {
        let level = self.blocks.level();
        let stereo = self.channels == 2;
        let window = self.blocks.momentary_window();
        let total = self.blocks.total();
        MeterReadings {
            channels: self.channels,
            peak_db: level.peak_db,
            peak_max_db: level.peak_max_db,
            rms_db: level.rms_db,
            loudness: self.blocks.loudness(),
            true_peak_max_dbtp: self.true_peak.max_dbtp(),
            true_peak_recent_dbtp: self.true_peak.recent_dbtp(),
            correlation: window.correlation().filter(|_| stereo),
            balance_db: window.balance_db().filter(|_| stereo),
            correlation_total: total.correlation().filter(|_| stereo),
            balance_total_db: total.balance_db().filter(|_| stereo),
            elapsed_s: self.blocks.elapsed_s(),
        }
    }

    /// Intervals the true-peak meter measured exactly since reset (cost diagnostics).
    pub fn true_peak_refinements(&self) -> u64 {
        self.true_peak.refinements()
    }
}
