//! The gain stage: makeup and engagement on top of the computed gain, applied per frame.

use crate::util::{GainRamp, ms_to_samples};

/// How long makeup and bypass changes take, ms.
pub const STAGE_RAMP_MS: f64 = 20.0;

/// Decibels to a linear gain by `exp` (faster than `powf` per sample; exactly 1 at 0 dB, so a
/// neutral stage is bit-transparent).
#[inline]
pub fn db_gain(db: f64) -> f64 {
    (db * (std::f64::consts::LN_10 / 20.0)).exp()
}

/// Makeup gain and engagement (1 processing, 0 bypassed), both gliding. Never allocates.
#[derive(Debug, Clone)]
pub struct GainStage {
    makeup: GainRamp,
    engage: GainRamp,
}

impl Default for GainStage {
    fn default() -> Self {
        Self {
            makeup: GainRamp::new(1.0),
            engage: GainRamp::new(1.0),
        }
    }
}

/// One frame's makeup and engagement.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FrameGain {
    pub makeup: f64,
    pub engage: f64,
}

impl FrameGain {
    /// The linear gain for a computed gain in dB: `1 + engage · (gain · makeup - 1)`, so
    /// bypassed or neutral it is exactly 1.
    #[inline]
    pub fn gain(&self, gain_db: f64) -> f64 {
        1.0 + self.engage * (db_gain(gain_db) * self.makeup - 1.0)
    }
}

impl GainStage {
    /// Sets the ramp length from the sample rate.
    pub fn prepare(&mut self, sample_rate: f64) {
        let samples = (ms_to_samples(STAGE_RAMP_MS, sample_rate) as usize).max(1);
        self.makeup.set_ramp_samples(samples);
        self.engage.set_ramp_samples(samples);
    }

    /// New makeup (dB) and engagement (false = bypass), reached over [`STAGE_RAMP_MS`].
    pub fn set(&mut self, makeup_db: f64, engaged: bool) {
        self.makeup.set_target(db_gain(makeup_db));
        self.engage.set_target(if engaged { 1.0 } else { 0.0 });
    }

    /// Jumps to the targets.
    pub fn settle(&mut self) {
        self.makeup.settle();
        self.engage.settle();
    }

    /// Advances one frame.
    #[inline]
    pub fn next_frame(&mut self) -> FrameGain {
        FrameGain {
            makeup: self.makeup.next_gain(),
            engage: self.engage.next_gain(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neutral_and_bypassed_stages_are_exactly_unity() {
        let mut stage = GainStage::default();
        assert_eq!(stage.next_frame().gain(0.0), 1.0);
        stage.set(6.0, false);
        stage.settle();
        assert_eq!(stage.next_frame().gain(-12.0), 1.0);
        stage.set(6.0, true);
        stage.settle();
        assert!((stage.next_frame().gain(-6.0) - 1.0).abs() < 1e-12);
        assert!((db_gain(-6.020_599_913_279_624) - 0.5).abs() < 1e-15);
    }
}
