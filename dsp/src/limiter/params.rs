//! The limiter's settings and what it reports, as plain data.

use super::{HISTORY_LEN, PeakMode};

/// How the gain reacts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Character {
    /// The attack ramp spans the whole look-ahead: the smoothest, least distorting reduction.
    Transparent,
    /// The attack ramp is a quarter of the look-ahead: transients keep more of their edge.
    Fast,
}

/// How peaks between samples are detected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detection {
    /// True peak; the measuring grid by sample rate: 16 positions per sample up to 50 kHz,
    /// 8 to 100 kHz, 4 to 200 kHz, 2 above.
    Auto,
    /// True peak on a grid of this many positions per sample (2, 4, 8 or 16).
    Oversampled(usize),
    /// Sample values only: the ceiling holds for sample peaks, not between samples.
    SamplePeak,
}

impl Detection {
    pub(super) fn mode(self, sample_rate: f64) -> PeakMode {
        match self {
            Detection::SamplePeak => PeakMode::SamplePeak,
            Detection::Oversampled(positions) => PeakMode::TruePeak {
                positions: positions.clamp(2, 16).next_power_of_two(),
            },
            Detection::Auto => PeakMode::TruePeak {
                positions: match sample_rate {
                    r if r <= 50_000.0 => 16,
                    r if r <= 100_000.0 => 8,
                    r if r <= 200_000.0 => 4,
                    _ => 2,
                },
            },
        }
    }
}

/// The limiter's settings, in physical units.
#[derive(Debug, Clone, PartialEq)]
pub struct LimiterParams {
    /// Off: the input passes unchanged, delayed by the same latency (so switching does not
    /// move the audio in time), with a 10 ms crossfade.
    pub enabled: bool,
    /// Highest output peak allowed, dBTP (dBFS in sample-peak mode). -20..0.
    pub ceiling_dbtp: f64,
    /// Gain into the limiter, dB. 0..24.
    pub drive_db: f64,
    /// How far ahead the gain starts to fall, ms. 0.5..10.
    pub lookahead_ms: f64,
    /// Release time constant, ms (the gain recovers 63 % of a reduction per constant). 1..1000.
    pub release_ms: f64,
    /// Program-dependent release: brief peaks recover in a quarter of `release_ms`, sustained
    /// reduction moves with four times it.
    pub auto_release: bool,
    /// How much the channels share their gain, percent: 100 keeps the stereo image. 0..100.
    pub link_pct: f64,
    pub character: Character,
    pub detection: Detection,
    /// Output only what the limiter removes.
    pub delta: bool,
    /// Lower the output by the drive, to compare with the input at equal loudness.
    pub unity_gain: bool,
}

impl Default for LimiterParams {
    fn default() -> Self {
        Self {
            enabled: true,
            ceiling_dbtp: -1.0,
            drive_db: 0.0,
            lookahead_ms: 1.5,
            release_ms: 80.0,
            auto_release: true,
            link_pct: 100.0,
            character: Character::Transparent,
            detection: Detection::Auto,
            delta: false,
            unity_gain: false,
        }
    }
}

/// What the limiter did, for the GUI. Plain data.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LimiterReadings {
    /// Gain reduction at the end of the last block (the most-reduced channel), dB, ≥ 0.
    pub gain_reduction_db: f64,
    /// Largest gain reduction since reset, dB.
    pub max_gain_reduction_db: f64,
    /// Gain reduction per 10 ms (the largest in each), oldest first.
    pub history_db: [f32; HISTORY_LEN],
    /// True peak of the limiter's output since reset, dBTP: the proof the ceiling held
    /// (minus infinity while the readout is off: [`super::Limiter::set_readout`]).
    pub output_true_peak_dbtp: f64,
    /// Intervals whose output peak exceeded the ceiling by more than [`super::OVER_TOLERANCE_DB`]
    /// (none counted while the readout is off).
    pub overs: u64,
}

impl Default for LimiterReadings {
    fn default() -> Self {
        Self {
            gain_reduction_db: 0.0,
            max_gain_reduction_db: 0.0,
            history_db: [0.0; HISTORY_LEN],
            output_true_peak_dbtp: f64::NEG_INFINITY,
            overs: 0,
        }
    }
}
