//! Metering: what the engineer reads to judge levels. Meters observe; they never change audio.

mod level;

pub use level::{LevelMeter, PEAK_FALL_DB_PER_S, RMS_TIME_CONSTANT_MS};

/// The most channels a meter reads (the chain is mono or stereo).
pub const MAX_METER_CHANNELS: usize = 2;

/// One plain snapshot of a meter, safe to copy to another thread. Levels are dBFS with
/// `-inf` for digital silence. Channels beyond `channels` read `-inf`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeterReadings {
    /// Number of channels metered.
    pub channels: usize,
    /// Sample peak per channel with peak-programme fall-back ([`PEAK_FALL_DB_PER_S`]), for bar
    /// displays: instant attack, so no peak is missed whatever the display's frame rate.
    pub peak_db: [f64; MAX_METER_CHANNELS],
    /// Highest sample peak per channel since the last reset.
    pub peak_max_db: [f64; MAX_METER_CHANNELS],
    /// RMS level per channel ([`RMS_TIME_CONSTANT_MS`] exponential integration). A full-scale
    /// sine reads -3.01 dBFS.
    pub rms_db: [f64; MAX_METER_CHANNELS],
}

impl Default for MeterReadings {
    fn default() -> Self {
        Self {
            channels: 0,
            peak_db: [f64::NEG_INFINITY; MAX_METER_CHANNELS],
            peak_max_db: [f64::NEG_INFINITY; MAX_METER_CHANNELS],
            rms_db: [f64::NEG_INFINITY; MAX_METER_CHANNELS],
        }
    }
}

impl MeterReadings {
    /// The highest `peak_max_db` over the metered channels.
    pub fn sample_peak_max_db(&self) -> f64 {
        self.peak_max_db[..self.channels]
            .iter()
            .copied()
            .fold(f64::NEG_INFINITY, f64::max)
    }
}
