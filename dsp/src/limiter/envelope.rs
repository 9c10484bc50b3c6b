//! The limiter's gain envelope: from a stream of required gains to a smooth gain that meets
//! every requirement wherever it matters, with look-ahead.
//!
//! requirement → delay (look-ahead − ramp) → sliding minimum over (ramp + 2·hold) → release →
//! box average over the ramp. A requirement at input sample `p` is met (the gain is at or
//! below it) for output samples `p - hold ..= p + hold`: the minimum holds it over the box's
//! whole window there, and release and averaging can only stay at or below that minimum. Before
//! that the box average ramps down linearly over `ramp` samples. The output lags the input by
//! `lookahead - 1 + hold` samples.
//!
//! Blocks go through stage by stage; only the release and the box average step sample by
//! sample.

use crate::util::{DelayLine, all_of, running_max, running_min};

/// Release behaviour.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Release {
    /// One time constant, in samples: the gain recovers 63 % of the way to unity per constant.
    Manual { time_constant: f32 },
    /// Program-dependent: fast recovery from brief peaks (time constant `fast`) towards a
    /// baseline that follows sustained reduction slowly (time constant `slow`), so dense
    /// material does not pump and sparse peaks do not linger.
    Auto { fast: f32, slow: f32 },
    /// A straight line back to unity over this many samples: it arrives, and then the
    /// envelope rests (for the high band's return, where the shape does not matter).
    Linear { samples: f32 },
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

    /// Inputs after which a constant requirement fills every stage.
    fn span(&self) -> usize {
        self.lookahead + self.ramp + 2 * self.hold
    }
}

/// The minimum of the last `window` values of a stream (van Herk / Gil-Werman): the stream is
/// cut into runs of `window` values; a window spans the end of the previous run (its suffix
/// minima, computed once per run) and the start of the current one (a running minimum). A few
/// branch-free operations per value.
#[derive(Debug, Clone, Default)]
struct WindowMin {
    window: usize,
    run: Vec<f32>,
    /// `suffix[k]` = minimum of the previous run from `k` on; `suffix[window]` = +inf.
    suffix: Vec<f32>,
    filled: usize,
    prefix: f32,
}

impl WindowMin {
    fn with_capacity(window: usize) -> Self {
        Self {
            run: vec![1.0; window.max(1)],
            suffix: vec![1.0; window.max(1) + 1],
            ..Self::default()
        }
    }

    /// Restarts with a window of `window` values, all `value` so far.
    fn restart(&mut self, window: usize, value: f32) {
        self.window = window.clamp(1, self.run.len());
        self.suffix[..self.window].fill(value);
        self.suffix[self.window] = f32::INFINITY;
        self.filled = 0;
        self.prefix = f32::INFINITY;
    }

    fn copy_from(&mut self, other: &Self) {
        self.window = other.window;
        self.run.copy_from_slice(&other.run);
        self.suffix.copy_from_slice(&other.suffix);
        self.filled = other.filled;
        self.prefix = other.prefix;
    }

    /// Replaces each value by the minimum of the last `window` values up to it.
    fn process(&mut self, values: &mut [f32]) {
        // The running state in locals: stored through `self` it would make a round trip
        // through memory on every value's dependency chain.
        let (mut filled, mut prefix) = (self.filled, self.prefix);
        let (run, suffix) = (
            &mut self.run[..self.window],
            &mut self.suffix[..=self.window],
        );
        for value in values {
            run[filled] = *value;
            prefix = running_min(prefix, *value);
            *value = running_min(prefix, suffix[filled + 1]);
            filled += 1;
            if filled == run.len() {
                let mut min = f32::INFINITY;
                for (suffix, &v) in suffix.iter_mut().zip(run.iter()).rev() {
                    min = running_min(min, v);
                    *suffix = min;
                }
                prefix = f32::INFINITY;
                filled = 0;
            }
        }
        (self.filled, self.prefix) = (filled, prefix);
    }
}

/// The envelope for one channel. `with_capacity` allocates; `process` and `reset` do not.
#[derive(Debug, Clone, Default)]
pub struct GainEnvelope {
    shape: Option<EnvelopeShape>,
    pre_delay: DelayLine,
    minimum: WindowMin,
    /// The box's entries, delayed by the ramp: what leaves it.
    box_delay: DelayLine,
    leaving: Vec<f32>,
    box_sum: f64,
    /// Box entries below unity: when none, the average is exactly 1 (idle is bit-transparent).
    box_reduced: usize,
    /// Release state in f64: near unity, f32 steps would stall short of it.
    released: f64,
    baseline: f64,
    fast_coeff: f64,
    slow_coeff: f64,
    /// 1 / ramp: the box average multiplies (a division would sit on every sample's path).
    inverse_ramp: f64,
    /// The last requirement, how many came in a row, and for how many samples in a row the
    /// release has rested on it: once both cover every stage, the output is that requirement
    /// and blocks repeating it skip the work.
    steady: f32,
    steady_inputs: usize,
    steady_rest: usize,
    /// Longest block the pre-delay takes at once.
    max_block: usize,
}

/// Gains within this of unity are unity: release ends exactly, so idle output is transparent.
const UNITY_SNAP: f64 = 1e-9;
/// Gains from this up are within [`UNITY_SNAP`] of unity (`1 - gain < UNITY_SNAP`, tested), so
/// the snap is one comparison on the release's dependency chain rather than a subtraction and
/// a comparison.
const SNAP_ABOVE: f64 = 1.0 - UNITY_SNAP;

/// How many values at the end of `block` equal `value`: the whole block checked at once first
/// (in steady passages it repeats one value throughout), then back from the end.
fn run_at_end(block: &[f32], value: f32) -> usize {
    if all_of(block, |x| x == value) {
        block.len()
    } else {
        block.iter().rev().take_while(|&&x| x == value).count()
    }
}

/// `gain`, or unity if it is within [`UNITY_SNAP`] of it.
#[inline(always)]
fn snap_to_unity(gain: f64) -> f64 {
    if gain >= SNAP_ABOVE { 1.0 } else { gain }
}

impl GainEnvelope {
    /// An envelope for look-aheads up to `max_lookahead`, holds up to `max_hold` samples and
    /// blocks up to `max_block`.
    pub fn with_capacity(max_lookahead: usize, max_hold: usize, max_block: usize) -> Self {
        Self {
            pre_delay: DelayLine::with_capacity(max_lookahead + max_block),
            minimum: WindowMin::with_capacity(max_lookahead + 2 * max_hold + 1),
            box_delay: DelayLine::with_capacity(max_lookahead + max_block),
            leaving: vec![0.0; max_block.max(1)],
            released: 1.0,
            baseline: 1.0,
            max_block: max_block.max(1),
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
            Release::Linear { samples } => (1.0 / f64::from(samples.max(1.0)), 0.0),
        };
        let resized = self.shape.is_none_or(|s| {
            s.lookahead != shape.lookahead || s.ramp != shape.ramp || s.hold != shape.hold
        });
        self.shape = Some(shape);
        self.inverse_ramp = 1.0 / shape.ramp.max(1) as f64;
        if resized {
            self.restart_at(self.released);
        }
    }

    /// Takes over another envelope's state (built with the same capacities): for a channel that
    /// shared another's gain until now. Does not allocate.
    pub fn copy_state_from(&mut self, other: &Self) {
        self.shape = other.shape;
        self.pre_delay.copy_from(&other.pre_delay);
        self.minimum.copy_from(&other.minimum);
        self.box_delay.copy_from(&other.box_delay);
        self.box_sum = other.box_sum;
        self.box_reduced = other.box_reduced;
        self.released = other.released;
        self.baseline = other.baseline;
        self.fast_coeff = other.fast_coeff;
        self.slow_coeff = other.slow_coeff;
        self.inverse_ramp = other.inverse_ramp;
        self.steady = other.steady;
        self.steady_inputs = other.steady_inputs;
        self.steady_rest = other.steady_rest;
    }

    /// Back to unity gain, no pending requirements.
    pub fn reset(&mut self) {
        self.restart_at(1.0);
    }

    /// Empties the envelope as if every recent requirement had been `gain`.
    fn restart_at(&mut self, gain: f64) {
        let Some(shape) = self.shape else {
            return;
        };
        let value = gain as f32;
        self.pre_delay.set_delay(shape.lookahead - shape.ramp);
        self.pre_delay.fill(value);
        self.minimum.restart(shape.ramp + 2 * shape.hold, value);
        self.box_delay.set_delay(shape.ramp);
        self.box_delay.fill(value);
        self.box_sum = shape.ramp as f64 * f64::from(value);
        self.box_reduced = if gain < 1.0 { shape.ramp } else { 0 };
        self.released = gain;
        self.baseline = gain;
        self.steady_inputs = 0;
        self.steady_rest = 0;
    }

    /// Replaces a block of requirements (gains, 0..=1) by the gains for the output samples
    /// `delay()` earlier.
    pub fn process(&mut self, block: &mut [f32]) {
        for slice in block.chunks_mut(self.max_block) {
            self.process_slice(slice);
        }
    }

    fn process_slice(&mut self, block: &mut [f32]) {
        let Some(shape) = self.shape else {
            block.fill(1.0);
            return;
        };
        if self.resting(&shape, block) {
            self.steady_inputs += block.len();
            self.steady_rest += block.len();
            block.fill(self.steady);
            return;
        }
        // The run of equal requirements the block ends with (at least its last one, even NaN),
        // continuing the steady one if the whole block repeats it.
        let run = block
            .last()
            .map_or(0, |&last| run_at_end(block, last).max(1));
        if run == block.len() && block.first() == Some(&self.steady) {
            self.steady_inputs += run;
        } else if let Some(&first) = block.get(block.len() - run) {
            self.steady = first;
            self.steady_inputs = run;
        }
        self.pre_delay.process(block);
        self.minimum.process(block);
        self.release(&shape, block);
        self.average(&shape, block);
    }

    /// Whether every stage holds the one requirement that the whole block repeats.
    fn resting(&self, shape: &EnvelopeShape, block: &[f32]) -> bool {
        let release_rests = match shape.release {
            Release::Manual { .. } | Release::Linear { .. } => true,
            // An automatic release keeps moving its baseline until it reaches unity.
            Release::Auto { .. } => self.baseline == 1.0,
        };
        self.steady_inputs > shape.span()
            && self.steady_rest > shape.ramp
            && release_rests
            && all_of(block, |r| r == self.steady)
    }

    /// Replaces the held minima by the released gain.
    fn release(&mut self, shape: &EnvelopeShape, block: &mut [f32]) {
        // Written as `released · keep + target · coeff`, so each sample's dependency on the
        // previous one is one multiply-add.
        let (coeff, keep) = (self.fast_coeff, 1.0 - self.fast_coeff);
        let (mut released, mut baseline) = (self.released, self.baseline);
        match shape.release {
            Release::Manual { .. } => {
                for value in block.iter_mut() {
                    let recovered = snap_to_unity(released * keep + coeff);
                    released = running_min(recovered, f64::from(*value));
                    *value = released as f32;
                }
            }
            Release::Linear { .. } => {
                for value in block.iter_mut() {
                    let recovered = running_min(released + coeff, 1.0);
                    released = running_min(recovered, f64::from(*value));
                    *value = released as f32;
                }
            }
            Release::Auto { .. } => {
                let slow = self.slow_coeff;
                for value in block.iter_mut() {
                    let held = f64::from(*value);
                    baseline = snap_to_unity(baseline + (held - baseline) * slow);
                    let target = running_max(baseline, released);
                    let recovered = snap_to_unity(released * keep + target * coeff);
                    released = running_min(recovered, held);
                    *value = released as f32;
                }
            }
        }
        (self.released, self.baseline) = (released, baseline);
        // How long the release has rested on the steady requirement.
        let resting = run_at_end(block, self.steady);
        self.steady_rest = if resting == block.len() {
            self.steady_rest + resting
        } else {
            resting
        };
    }

    /// Replaces the released gains by their average over the ramp (the box).
    fn average(&mut self, shape: &EnvelopeShape, block: &mut [f32]) {
        let leaving = &mut self.leaving[..block.len()];
        self.box_delay.process_into(block, leaving);
        let ramp = shape.ramp as f64;
        let (mut sum, mut reduced) = (self.box_sum, self.box_reduced);
        for (value, &left) in block.iter_mut().zip(leaving.iter()) {
            let entering = *value;
            sum += f64::from(entering) - f64::from(left);
            reduced = reduced + usize::from(entering < 1.0) - usize::from(left < 1.0);
            // No entry below unity: exactly 1 (and a fresh sum, so rounding never accumulates).
            let unity = reduced == 0;
            sum = if unity { ramp } else { sum };
            *value = if unity {
                1.0
            } else {
                (sum * self.inverse_ramp) as f32
            };
        }
        (self.box_sum, self.box_reduced) = (sum, reduced);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_snap_threshold_is_the_unity_distance() {
        // Every double within a million steps of the threshold, and some far from it.
        let mut gain = SNAP_ABOVE;
        for _ in 0..1_000_000 {
            gain = gain.next_down();
        }
        for _ in 0..2_000_000 {
            assert_eq!(gain >= SNAP_ABOVE, 1.0 - gain < UNITY_SNAP, "{gain:e}");
            gain = gain.next_up();
        }
        for gain in [0.0, 0.5, 0.999, 1.0] {
            assert_eq!(gain >= SNAP_ABOVE, 1.0 - gain < UNITY_SNAP, "{gain}");
        }
    }

    fn envelope(lookahead: usize, ramp: usize, hold: usize, release: Release) -> GainEnvelope {
        let mut env = GainEnvelope::with_capacity(64, 16, 256);
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
        // Odd block lengths, so blocks and steady runs interleave.
        let mut start = 0;
        for len in [1usize, 7, 64, 3, 129].iter().cycle() {
            if start >= padded.len() {
                break;
            }
            let end = (start + len).min(padded.len());
            env.process(&mut padded[start..end]);
            start = end;
        }
        padded[delay..].to_vec()
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
        let mut gains = vec![1.0f32; 2001];
        gains[0] = 0.5;
        env.process(&mut gains);
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
        let mut gains = vec![1.0f32; 1000];
        env.process(&mut gains);
        assert!(gains.iter().all(|&g| g == 1.0));
    }
}
