//! The limiter's gain envelope: from a stream of required gains to a smooth gain that meets
//! every requirement wherever it matters, with look-ahead.
//!
//! requirement → delay (look-ahead − ramp) → sliding minimum over (ramp + 2·hold) → release →
//! box average over the ramp. A requirement at input sample `p` is met (the gain is at or
//! below it) for output samples `p - hold ..= p + hold`: the minimum holds it over the box's
//! whole window there, and release and averaging can only stay at or below that minimum. Before
//! that the box average ramps down linearly over `ramp` samples. The output lags the input by
//! `lookahead - 1 + hold` samples.

use crate::util::SlidingMin;

/// Release behaviour.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Release {
    /// One time constant, in samples: the gain recovers 63 % of the way to unity per constant.
    Manual { time_constant: f32 },
    /// Program-dependent: fast recovery from brief peaks (time constant `fast`) towards a
    /// baseline that follows sustained reduction slowly (time constant `slow`), so dense
    /// material does not pump and sparse peaks do not linger.
    Auto { fast: f32, slow: f32 },
}

/// Sizes and timing of an envelope, in samples.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EnvelopeShape {
    /// Total look-ahead.
    pub lookahead: usize,
    /// Length of the attack ramp (at most `lookahead`).
    pub ramp: usize,
    /// Samples on each side of a requirement over which the gain stays met.
    pub hold: usize,
    pub release: Release,
}

impl EnvelopeShape {
    /// Output lag in samples.
    pub fn delay(&self) -> usize {
        self.lookahead - 1 + self.hold
    }
}

/// A fixed-capacity ring of the last values (oldest overwritten).
#[derive(Debug, Clone, Default)]
struct Ring {
    values: Vec<f32>,
    write: usize,
}

impl Ring {
    fn with_capacity(capacity: usize) -> Self {
        Self {
            values: vec![1.0; capacity.max(1)],
            write: 0,
        }
    }

    /// Pushes `x` and returns the value pushed `delay` pushes ago (`delay` < capacity).
    fn push(&mut self, x: f32, delay: usize) -> f32 {
        let len = self.values.len();
        self.values[self.write] = x;
        let read = if self.write >= delay {
            self.write - delay
        } else {
            self.write + len - delay
        };
        self.write = if self.write + 1 == len {
            0
        } else {
            self.write + 1
        };
        self.values[read]
    }

    fn fill(&mut self, value: f32) {
        self.values.fill(value);
    }
}

/// The envelope for one channel. `with_capacity` allocates; `tick` and `reset` do not.
#[derive(Debug, Clone, Default)]
pub struct GainEnvelope {
    shape: Option<EnvelopeShape>,
    pre_delay: Ring,
    minimum: SlidingMin,
    box_ring: Ring,
    box_sum: f64,
    /// Box entries below unity: when none, the average is exactly 1 (idle is bit-transparent).
    box_reduced: usize,
    /// Release state in f64: near unity, f32 steps would stall short of it.
    released: f64,
    baseline: f64,
    fast_coeff: f64,
    slow_coeff: f64,
    /// The last requirement and how many ticks in a row it came: once it has filled every
    /// stage, the output is that requirement and ticks can skip the work.
    steady: f32,
    steady_run: usize,
}

/// Gains within this of unity are unity: release ends exactly, so idle output is transparent.
const UNITY_SNAP: f64 = 1e-9;

impl GainEnvelope {
    /// An envelope for look-aheads up to `max_lookahead` and holds up to `max_hold` samples.
    pub fn with_capacity(max_lookahead: usize, max_hold: usize) -> Self {
        Self {
            pre_delay: Ring::with_capacity(max_lookahead + 1),
            minimum: SlidingMin::with_capacity(max_lookahead + 2 * max_hold + 1),
            box_ring: Ring::with_capacity(max_lookahead + 1),
            released: 1.0,
            baseline: 1.0,
            ..Self::default()
        }
    }

    /// Sets the shape. A new release applies at once. New sizes restart the envelope at the
    /// gain it has now (never higher), so a change while limiting does not let a peak through.
    pub fn set_shape(&mut self, shape: EnvelopeShape) {
        let coeff = |time_constant: f32| 1.0 - (-1.0 / f64::from(time_constant.max(1.0))).exp();
        (self.fast_coeff, self.slow_coeff) = match shape.release {
            Release::Manual { time_constant } => (coeff(time_constant), 0.0),
            Release::Auto { fast, slow } => (coeff(fast), coeff(slow)),
        };
        let resized = self.shape.is_none_or(|s| {
            s.lookahead != shape.lookahead || s.ramp != shape.ramp || s.hold != shape.hold
        });
        self.shape = Some(shape);
        if resized {
            self.restart_at(self.released);
        }
    }

    /// Back to unity gain, no pending requirements.
    pub fn reset(&mut self) {
        self.restart_at(1.0);
    }

    /// Empties the envelope as if every recent requirement had been `gain`.
    fn restart_at(&mut self, gain: f64) {
        let ramp = self.shape.map_or(0, |s| s.ramp);
        self.pre_delay.fill(gain as f32);
        self.minimum.reset();
        self.box_ring.fill(gain as f32);
        self.box_sum = ramp as f64 * f64::from(gain as f32);
        self.box_reduced = if gain < 1.0 { ramp } else { 0 };
        self.released = gain;
        self.baseline = gain;
        self.steady_run = 0;
    }

    /// The gain after release, before averaging (for readouts).
    pub fn released(&self) -> f64 {
        self.released
    }

    /// Takes the next requirement (a gain, 0..=1) and returns the gain for the output sample
    /// `delay()` samples earlier.
    #[inline]
    pub fn tick(&mut self, requirement: f32) -> f32 {
        let Some(shape) = self.shape else {
            return 1.0;
        };
        let span = shape.lookahead + shape.ramp + 2 * shape.hold;
        if requirement == self.steady && self.steady_run > span {
            // The release has rested on this requirement long enough for every stage (the
            // pre-delay, the minimum's window, the box) to hold it: the output is the
            // requirement. An automatic release must also have its baseline at rest.
            let resting = match shape.release {
                Release::Manual { .. } => true,
                Release::Auto { .. } => self.baseline == 1.0,
            };
            if resting {
                return requirement;
            }
        }
        let delayed = self
            .pre_delay
            .push(requirement, shape.lookahead - shape.ramp);
        let held = f64::from(self.minimum.push(delayed, shape.ramp + 2 * shape.hold));
        let recovered = match shape.release {
            Release::Manual { .. } => self.released + (1.0 - self.released) * self.fast_coeff,
            Release::Auto { .. } => {
                self.baseline += (held - self.baseline) * self.slow_coeff;
                if 1.0 - self.baseline < UNITY_SNAP {
                    self.baseline = 1.0;
                }
                self.released + (self.baseline.max(self.released) - self.released) * self.fast_coeff
            }
        };
        let recovered = if 1.0 - recovered < UNITY_SNAP {
            1.0
        } else {
            recovered
        };
        self.released = recovered.min(held);
        if requirement != self.steady {
            self.steady = requirement;
            self.steady_run = 0;
        }
        if self.released == f64::from(requirement) {
            self.steady_run += 1;
        } else {
            self.steady_run = 0;
        }
        let released = self.released as f32;
        let leaving = self.box_ring.push(released, shape.ramp);
        self.box_sum += f64::from(released) - f64::from(leaving);
        self.box_reduced =
            self.box_reduced + usize::from(released < 1.0) - usize::from(leaving < 1.0);
        if self.box_reduced == 0 {
            // Exact unity (and a fresh sum, so rounding never accumulates).
            self.box_sum = shape.ramp as f64;
            1.0
        } else {
            (self.box_sum / shape.ramp as f64) as f32
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn envelope(lookahead: usize, ramp: usize, hold: usize, release: Release) -> GainEnvelope {
        let mut env = GainEnvelope::with_capacity(64, 16);
        env.set_shape(EnvelopeShape {
            lookahead,
            ramp,
            hold,
            release,
        });
        env
    }

    /// Runs requirements through and returns output gains aligned with the requirements.
    fn aligned(env: &mut GainEnvelope, requirements: &[f32], delay: usize) -> Vec<f32> {
        let mut padded = requirements.to_vec();
        padded.extend(std::iter::repeat_n(1.0, delay));
        let out: Vec<f32> = padded.iter().map(|&r| env.tick(r)).collect();
        out[delay..].to_vec()
    }

    #[test]
    fn every_requirement_is_met_around_its_sample_and_approached_by_a_linear_ramp() {
        let shape = EnvelopeShape {
            lookahead: 20,
            ramp: 20,
            hold: 4,
            release: Release::Manual {
                time_constant: 50.0,
            },
        };
        let mut env = envelope(20, 20, 4, shape.release);
        let mut requirements = vec![1.0f32; 200];
        requirements[100] = 0.5;
        let gains = aligned(&mut env, &requirements, shape.delay());
        for (n, &gain) in gains.iter().enumerate().take(105).skip(96) {
            assert!(gain <= 0.5 + 1e-6, "{n}: {gain}");
        }
        // The ramp: 20 samples from unity down to 0.5, evenly.
        for (n, &gain) in gains.iter().enumerate().take(97).skip(77) {
            let expected = 1.0 - 0.5 * (n - 76) as f32 / 20.0;
            assert!((gain - expected).abs() < 1e-5, "{n}: {gain} vs {expected}");
        }
        assert_eq!(gains[70], 1.0);
    }

    #[test]
    fn random_requirements_are_always_met() {
        let mut state = 0x9e37_79b9u32;
        let mut random = move || {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state as f32 / u32::MAX as f32
        };
        for (lookahead, ramp, hold) in [(30, 30, 8), (30, 8, 8), (5, 5, 0), (64, 16, 16)] {
            for release in [
                Release::Manual {
                    time_constant: 30.0,
                },
                Release::Auto {
                    fast: 10.0,
                    slow: 200.0,
                },
            ] {
                let mut env = envelope(lookahead, ramp, hold, release);
                let requirements: Vec<f32> = (0..3000)
                    .map(|_| if random() < 0.05 { random() } else { 1.0 })
                    .collect();
                let delay = lookahead - 1 + hold;
                let gains = aligned(&mut env, &requirements, delay);
                for (p, &r) in requirements.iter().enumerate() {
                    let (first, last) = (p.saturating_sub(hold), (p + hold).min(2999));
                    for (n, &gain) in gains.iter().enumerate().take(last + 1).skip(first) {
                        assert!(
                            gain <= r + 1e-6,
                            "shape {lookahead}/{ramp}/{hold}: gain {gain} at {n} above requirement {r} at {p}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn manual_release_recovers_with_its_time_constant_and_ends_at_exact_unity() {
        let tau = 100.0;
        let mut env = envelope(1, 1, 0, Release::Manual { time_constant: tau });
        let mut gains = vec![env.tick(0.5)];
        gains.extend((0..2000).map(|_| env.tick(1.0)));
        // After one time constant, 63 % of the reduction is recovered.
        let recovered = (gains[1 + tau as usize] - 0.5) / 0.5;
        assert!((recovered - 0.632).abs() < 0.01, "{recovered}");
        assert_eq!(*gains.last().unwrap(), 1.0);
    }

    #[test]
    fn idle_gain_is_exactly_unity() {
        let mut env = envelope(
            32,
            32,
            8,
            Release::Auto {
                fast: 20.0,
                slow: 300.0,
            },
        );
        assert!((0..1000).all(|_| env.tick(1.0) == 1.0));
    }
}
