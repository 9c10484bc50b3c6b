//! Sample-peak and RMS level meter.

use super::MAX_METER_CHANNELS;
use crate::ProcessSpec;
use crate::util::{gain_to_db, power_to_db};

/// Peak fall-back rate: 20 dB in 1.7 s, as IEC 60268-18 asks of digital peak meters.
pub const PEAK_FALL_DB_PER_S: f64 = 20.0 / 1.7;

/// RMS integration time constant.
pub const RMS_TIME_CONSTANT_MS: f64 = 300.0;

/// Sample-peak and RMS levels per channel, dBFS (`-inf` for silence).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LevelReadings {
    pub peak_db: [f64; MAX_METER_CHANNELS],
    pub peak_max_db: [f64; MAX_METER_CHANNELS],
    pub rms_db: [f64; MAX_METER_CHANNELS],
}

impl Default for LevelReadings {
    fn default() -> Self {
        Self {
            peak_db: [f64::NEG_INFINITY; MAX_METER_CHANNELS],
            peak_max_db: [f64::NEG_INFINITY; MAX_METER_CHANNELS],
            rms_db: [f64::NEG_INFINITY; MAX_METER_CHANNELS],
        }
    }
}

/// Levels below this (-600 dB) are silence.
const FLUSH_FLOOR: f64 = 1e-30;

#[derive(Debug, Clone, Copy, Default)]
struct ChannelLevel {
    peak: f64,
    peak_max: f64,
    mean_square: f64,
}

/// Per-sample peak and RMS meter. Results do not depend on how audio is split into blocks.
#[derive(Debug, Clone)]
pub struct LevelMeter {
    channels: usize,
    peak_fall: f64,
    rms_coeff: f64,
    levels: [ChannelLevel; MAX_METER_CHANNELS],
}

impl Default for LevelMeter {
    fn default() -> Self {
        Self {
            channels: 0,
            peak_fall: 1.0,
            rms_coeff: 1.0,
            levels: [ChannelLevel::default(); MAX_METER_CHANNELS],
        }
    }
}

impl LevelMeter {
    /// Derives the ballistics from the sample rate and clears the readings.
    pub fn prepare(&mut self, spec: &ProcessSpec) {
        self.channels = spec.channels.min(MAX_METER_CHANNELS);
        self.peak_fall = 10f64.powf(-PEAK_FALL_DB_PER_S / 20.0 / spec.sample_rate);
        self.rms_coeff = 1.0 - (-1.0 / (RMS_TIME_CONSTANT_MS * 0.001 * spec.sample_rate)).exp();
        self.reset();
    }

    /// Clears all readings to silence.
    pub fn reset(&mut self) {
        self.levels = [ChannelLevel::default(); MAX_METER_CHANNELS];
    }

    /// Measures one block (read only).
    pub fn process<S: AsRef<[f32]>>(&mut self, channels: &[S]) {
        for (channel, level) in channels.iter().zip(&mut self.levels[..self.channels]) {
            for &x in channel.as_ref() {
                let x = x as f64;
                let magnitude = x.abs();
                level.peak = (level.peak * self.peak_fall).max(magnitude);
                level.peak_max = level.peak_max.max(magnitude);
                level.mean_square += (x * x - level.mean_square) * self.rms_coeff;
                // Flush long decays before they reach (slow) subnormals.
                if level.mean_square < FLUSH_FLOOR {
                    level.mean_square = 0.0;
                }
                if level.peak < FLUSH_FLOOR {
                    level.peak = 0.0;
                }
            }
        }
    }

    /// The current readings.
    pub fn readings(&self) -> LevelReadings {
        let mut readings = LevelReadings::default();
        for (c, level) in self.levels[..self.channels].iter().enumerate() {
            readings.peak_db[c] = gain_to_db(level.peak);
            readings.peak_max_db[c] = gain_to_db(level.peak_max);
            readings.rms_db[c] = power_to_db(level.mean_square);
        }
        readings
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(frames: usize, amplitude: f32, rate: f64) -> Vec<f32> {
        (0..frames)
            .map(|n| {
                amplitude * (2.0 * std::f64::consts::PI * 997.0 * n as f64 / rate).sin() as f32
            })
            .collect()
    }

    #[test]
    fn full_scale_sine_reads_0_dbfs_peak_and_minus_3_rms() {
        let mut meter = LevelMeter::default();
        meter.prepare(&ProcessSpec::stereo(48_000.0, 512));
        let mut left = sine(96_000, 1.0, 48_000.0);
        let mut right = sine(96_000, 0.5, 48_000.0);
        meter.process(&[&mut left, &mut right]);
        let r = meter.readings();
        assert!(r.peak_max_db[0].abs() < 0.01);
        assert!((r.peak_max_db[1] + 6.02).abs() < 0.01);
        assert!((r.rms_db[0] + 3.01).abs() < 0.05, "{}", r.rms_db[0]);
        assert!((r.rms_db[1] + 9.03).abs() < 0.05);
    }

    #[test]
    fn peak_falls_20_db_in_1_7_seconds() {
        let mut meter = LevelMeter::default();
        meter.prepare(&ProcessSpec::stereo(48_000.0, 512));
        let mut click = vec![0.0f32; 81_600];
        click[0] = 1.0;
        meter.process(&[&mut click]);
        let r = meter.readings();
        assert!((r.peak_db[0] + 20.0).abs() < 0.01, "{}", r.peak_db[0]);
        assert_eq!(r.peak_max_db[0], 0.0);
    }

    #[test]
    fn readings_do_not_depend_on_block_size() {
        let signal = sine(10_000, 0.7, 44_100.0);
        let mut whole = LevelMeter::default();
        whole.prepare(&ProcessSpec::stereo(44_100.0, 512));
        let mut data = signal.clone();
        whole.process(&[&mut data]);

        let mut split = LevelMeter::default();
        split.prepare(&ProcessSpec::stereo(44_100.0, 512));
        for chunk in signal.chunks(37) {
            let mut chunk = chunk.to_vec();
            split.process(&[&mut chunk]);
        }
        assert_eq!(whole.readings(), split.readings());
    }
}
