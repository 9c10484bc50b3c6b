//! Click-free gain changes.

/// A gain that glides linearly to a new target over a fixed time.
///
/// Linear ramps (rather than one-pole smoothing) arrive exactly, so a settled ramp multiplies by
/// exactly its target: a 0 dB trim is bit-transparent. Gains are f64 so long ramps do not drift.
#[derive(Debug, Clone)]
pub struct GainRamp {
    current: f64,
    target: f64,
    step: f64,
    remaining: usize,
    ramp_samples: usize,
}

impl GainRamp {
    /// A ramp resting at `gain`.
    pub fn new(gain: f64) -> Self {
        Self {
            current: gain,
            target: gain,
            step: 0.0,
            remaining: 0,
            ramp_samples: 1,
        }
    }

    /// Sets how many samples a change takes (from the sample rate, in `prepare`).
    pub fn set_ramp_samples(&mut self, samples: usize) {
        self.ramp_samples = samples.max(1);
    }

    /// Starts gliding towards `target` from wherever the ramp is now.
    pub fn set_target(&mut self, target: f64) {
        if target == self.target {
            return;
        }
        self.target = target;
        self.remaining = self.ramp_samples;
        self.step = (target - self.current) / self.ramp_samples as f64;
    }

    /// Jumps to the target (used by `reset`, so renders start from the saved value).
    pub fn settle(&mut self) {
        self.current = self.target;
        self.remaining = 0;
    }

    /// The gain the ramp is heading for.
    pub fn target(&self) -> f64 {
        self.target
    }

    /// True while the gain is still moving.
    pub fn is_ramping(&self) -> bool {
        self.remaining > 0
    }

    /// Advances one sample and returns the gain for it.
    #[inline]
    pub fn next_gain(&mut self) -> f64 {
        if self.remaining > 0 {
            self.remaining -= 1;
            self.current = if self.remaining == 0 {
                self.target
            } else {
                self.current + self.step
            };
        }
        self.current
    }

    /// Multiplies every channel of a block by the ramp, advancing it once per frame.
    ///
    /// The arithmetic is the same whether the ramp moves or rests, so output does not depend on
    /// where block boundaries fall.
    pub fn apply(&mut self, channels: &mut [&mut [f32]]) {
        if !self.is_ramping() && self.current == 1.0 {
            return;
        }
        let frames = channels.iter().map(|c| c.len()).min().unwrap_or(0);
        if !self.is_ramping() {
            // Resting: the same product, a channel at a time (vectorises).
            let gain = self.current;
            for channel in channels.iter_mut() {
                for x in &mut channel[..frames] {
                    *x = (*x as f64 * gain) as f32;
                }
            }
            return;
        }
        for i in 0..frames {
            let gain = self.next_gain();
            for channel in channels.iter_mut() {
                channel[i] = (channel[i] as f64 * gain) as f32;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(ramp: &mut GainRamp, frames: usize) -> Vec<f32> {
        let mut data = vec![1.0f32; frames];
        ramp.apply(&mut [&mut data[..]]);
        data
    }

    #[test]
    fn ramp_glides_linearly_and_arrives_exactly() {
        let mut ramp = GainRamp::new(1.0);
        ramp.set_ramp_samples(4);
        ramp.set_target(0.0);
        assert_eq!(run(&mut ramp, 6), vec![0.75, 0.5, 0.25, 0.0, 0.0, 0.0]);
        assert!(!ramp.is_ramping());
    }

    #[test]
    fn ramp_is_identical_whatever_the_block_split() {
        let mut whole = GainRamp::new(0.3);
        whole.set_ramp_samples(100);
        whole.set_target(1.7);
        let expected = run(&mut whole, 300);

        let mut split = GainRamp::new(0.3);
        split.set_ramp_samples(100);
        split.set_target(1.7);
        let mut got = Vec::new();
        for len in [1, 7, 64, 3, 200, 25] {
            got.extend(run(&mut split, len));
        }
        assert_eq!(got, expected);
    }

    #[test]
    fn unity_gain_is_bit_transparent() {
        let mut ramp = GainRamp::new(1.0);
        let mut data = [0.123_456_79f32, -1e-30, 0.999_999_9];
        let before = data;
        ramp.apply(&mut [&mut data[..]]);
        assert_eq!(data, before);
    }
}
