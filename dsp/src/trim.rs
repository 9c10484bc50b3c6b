//! Input and output trim: plain gain with click-free changes.

use crate::util::{GainRamp, db_to_gain};
use crate::{ProcessSpec, Processor};

/// Time a trim change takes to glide to its new value.
const TRIM_RAMP_MS: f64 = 20.0;

/// A gain stage set in dB.
#[derive(Debug, Clone)]
pub struct Trim {
    ramp: GainRamp,
}

impl Trim {
    /// A trim resting at `gain_db`.
    pub fn new(gain_db: f64) -> Self {
        Self {
            ramp: GainRamp::new(db_to_gain(gain_db)),
        }
    }

    /// Glides to `gain_db`.
    pub fn set_gain_db(&mut self, gain_db: f64) {
        self.ramp.set_target(db_to_gain(gain_db));
    }
}

impl Processor for Trim {
    fn prepare(&mut self, spec: &ProcessSpec) {
        self.ramp.set_ramp_samples(spec.ms_to_samples(TRIM_RAMP_MS));
        self.reset();
    }

    fn reset(&mut self) {
        self.ramp.settle();
    }

    fn process(&mut self, channels: &mut [&mut [f32]]) {
        self.ramp.apply(channels);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trim_applies_its_gain_after_the_glide() {
        let mut trim = Trim::new(0.0);
        trim.prepare(&ProcessSpec::stereo(48_000.0, 512));
        trim.set_gain_db(-6.0);
        let mut data = vec![1.0f32; 2_000];
        trim.process(&mut [&mut data]);
        assert!(
            (data[959] - 0.501_187_2).abs() < 1e-6,
            "settled after 20 ms"
        );
        assert!(data[100] > 0.9, "still gliding after 2 ms");
    }
}
