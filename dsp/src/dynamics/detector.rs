//! Level detection: the level the gain computer reads, from one channel's key signal.
//!
//! No attack or release here: those act on the gain (see [`super::Ballistics`]), so their time
//! constants hold whatever the level and threshold. The detector only turns a waveform into a
//! steady level: a steady sine reads as one value, so the static curve is what the listener gets.

use crate::util::{ms_to_samples, smoothing_step};

/// How the level is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Detection {
    /// The largest `|x|` over the last 10 to 20 ms ([`PEAK_HOLD_MS`]): a steady sine at 50 Hz or
    /// above reads as its sample peak, without ripple (ripple would modulate the gain within each
    /// cycle, i.e. distort).
    #[default]
    Peak,
    /// Root mean square, averaged with a [`RMS_WINDOW_MS`] one-pole: a sine reads 3.01 dB below
    /// its peak.
    Rms,
}

/// Length of one peak-hold segment, ms. The held peak is the larger of this segment's and the
/// last one's, so it covers 10 to 20 ms: at least one half-cycle of 50 Hz.
pub const PEAK_HOLD_MS: f64 = 10.0;
/// Time constant of the RMS averaging, ms: a 1 kHz sine ripples less than ±0.04 dB.
pub const RMS_WINDOW_MS: f64 = 10.0;
/// Mean squares below this (-300 dB) are silence; flushing them keeps the state off subnormals.
const SILENCE: f64 = 1e-30;

/// Level detector for one channel. Fixed size, never allocates.
#[derive(Debug, Clone)]
pub struct LevelDetector {
    detection: Detection,
    /// Peak hold: segment length, samples into the segment, its peak and the last segment's.
    segment: usize,
    count: usize,
    current: f64,
    previous: f64,
    /// RMS: the running mean square and the one-pole's input weight.
    mean_square: f64,
    weight: f64,
}

impl Default for LevelDetector {
    fn default() -> Self {
        Self::new(Detection::Peak)
    }
}

impl LevelDetector {
    /// A detector for 48 kHz; `prepare` sets the rate.
    pub fn new(detection: Detection) -> Self {
        let mut detector = Self {
            detection,
            segment: 1,
            count: 0,
            current: 0.0,
            previous: 0.0,
            mean_square: 0.0,
            weight: 1.0,
        };
        detector.prepare(48_000.0);
        detector
    }

    /// Derives the hold and averaging lengths from the sample rate, and resets.
    pub fn prepare(&mut self, sample_rate: f64) {
        self.segment = (ms_to_samples(PEAK_HOLD_MS, sample_rate).round() as usize).max(1);
        self.weight = smoothing_step(1.0, RMS_WINDOW_MS, sample_rate);
        self.reset();
    }

    /// Switches peak / RMS. The new measure starts from the old one's level, so the gain does
    /// not jump.
    pub fn set_detection(&mut self, detection: Detection) {
        if detection == self.detection {
            return;
        }
        let level = self.level();
        self.detection = detection;
        self.mean_square = level * level;
        (self.current, self.previous) = (level, level);
    }

    /// Forgets the signal.
    pub fn reset(&mut self) {
        self.count = 0;
        self.current = 0.0;
        self.previous = 0.0;
        self.mean_square = 0.0;
    }

    /// The level now (linear amplitude).
    pub fn level(&self) -> f64 {
        match self.detection {
            Detection::Peak => self.current.max(self.previous),
            Detection::Rms => self.mean_square.sqrt(),
        }
    }

    /// Takes one key sample (finite) and returns the level (linear amplitude).
    #[inline]
    pub fn tick(&mut self, x: f64) -> f64 {
        match self.detection {
            Detection::Peak => {
                self.current = self.current.max(x.abs());
                let level = self.current.max(self.previous);
                self.count += 1;
                if self.count >= self.segment {
                    self.count = 0;
                    self.previous = self.current;
                    self.current = 0.0;
                }
                level
            }
            Detection::Rms => {
                self.mean_square += (x * x - self.mean_square) * self.weight;
                if self.mean_square < SILENCE {
                    self.mean_square = 0.0;
                }
                self.mean_square.sqrt()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    fn sine(freq: f64, rate: f64, n: usize) -> f64 {
        (2.0 * PI * freq * n as f64 / rate).sin()
    }

    #[test]
    fn peak_reads_a_steady_sine_as_its_peak_without_ripple() {
        let rate = 48_000.0;
        let mut detector = LevelDetector::new(Detection::Peak);
        detector.prepare(rate);
        let levels: Vec<f64> = (0..48_000)
            .map(|n| detector.tick(0.5 * sine(50.0, rate, n)))
            .collect();
        for &level in &levels[2_000..] {
            assert!((level - 0.5).abs() < 1e-9, "{level}");
        }
    }

    #[test]
    fn peak_holds_between_10_and_20_ms() {
        let rate = 48_000.0;
        let mut detector = LevelDetector::new(Detection::Peak);
        detector.prepare(rate);
        detector.tick(1.0);
        let held = (1..2_000).take_while(|_| detector.tick(0.0) == 1.0).count() + 1;
        assert!((480..=960).contains(&held), "{held}");
    }

    #[test]
    fn rms_reads_a_sine_3_db_below_its_peak() {
        let rate = 44_100.0;
        let mut detector = LevelDetector::new(Detection::Rms);
        detector.prepare(rate);
        let levels: Vec<f64> = (0..44_100)
            .map(|n| detector.tick(sine(1_000.0, rate, n)))
            .collect();
        for &level in &levels[20_000..] {
            let db = 20.0 * level.log10();
            assert!((db + 3.0103).abs() < 0.04, "{db}");
        }
    }

    #[test]
    fn switching_measure_keeps_the_level() {
        let mut detector = LevelDetector::new(Detection::Rms);
        for _ in 0..10_000 {
            detector.tick(0.25);
        }
        detector.set_detection(Detection::Peak);
        assert!((detector.tick(0.0) - 0.25).abs() < 1e-6);
    }
}
