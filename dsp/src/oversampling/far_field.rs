//! The part of a signal's band-limited reconstruction that comes from samples beyond an
//! interpolator's reach.
//!
//! A windowed-sinc interpolator of reach `K` reconstructs content well below Nyquist exactly,
//! but content near Nyquist reaches much further: between samples `m` and `m + 1`, sample
//! `m - k` contributes `(-1)^k · sin(πf)/π · x[m - k] / (k + f)`, a tail that decays only as
//! 1/k. A sinc pulse's tails add up coherently this way; measured on a limited pulse, the
//! samples more than 64 away still moved its peak by 1 %.
//!
//! The sum over all past samples with `k ≥ K` is kept by a bank of one-pole filters: `1/x` is
//! written as `∫ exp(τ - x·e^τ) dτ` and the integral sampled every 1.25 of τ (an exponential
//! sum within 4e-2 over `K ≤ x ≤ 10^4`, weighted by the 1/x² of a coherent tail within 5e-3;
//! bounds are raised by 1 % to cover it).
//! Feed it only the near-Nyquist part of a signal: lower content is the interpolator's, and
//! counting it here too would count it twice.

use std::f32::consts::FRAC_1_PI;

use crate::util::{DelayLine, all_of};

/// Poles of the exponential sum: `a = e^τ` for τ = -12, -10.75, ..., -2. Samples beyond about
/// 10^5 (2 s at 48 kHz) are left out; a coherent 1/k tail there adds under 1e-5 of its peak.
const POLES: usize = 9;
const FIRST_EXPONENT: f64 = -12.0;
const EXPONENT_STEP: f64 = 1.25;
/// The poles padded to whole vectors (the padding has zero weight).
const LANES: usize = 12;
/// Covers the exponential sum's error.
const BOUND_FACTOR: f64 = 1.01;

/// Samples folded into the sum at a time; bounds within a segment grow by what enters.
const SEGMENT: usize = 8;

/// Tracks the past far field for the intervals a [`super::PeakScanner`] is measuring.
///
/// The terms are updated once per segment of `SEGMENT` (8) samples (counted from the start of the
/// stream, so results do not depend on how the stream is cut into blocks); within a segment each
/// term can grow by at most its entry weight times what entered.
#[derive(Debug, Clone)]
pub struct FarField {
    /// Aligns the newest samples with the intervals: their lag plus the reach.
    delay: DelayLine,
    entering: Vec<f32>,
    /// `(-e^(-a))^SEGMENT`: a segment's ageing of each term (ageing flips the sign per step).
    ageing: [f32; LANES],
    /// The weight of each segment sample in each term at the segment's end.
    weights: [[f32; LANES]; SEGMENT],
    /// Total entry weight: how fast the bound can grow per unit entering.
    growth: f32,
    state: [f32; LANES],
    segment: [f32; SEGMENT],
    filled: usize,
    /// Σ|term| at the segment's start, and Σ|x| entered since.
    start: f32,
    entered: f32,
}

impl Default for FarField {
    /// A far field of nothing (until replaced by a real one in `prepare`).
    fn default() -> Self {
        Self::new(0, 0, 0)
    }
}

impl FarField {
    /// For intervals that lag the newest sample by `lag`, with an interpolator reaching `reach`
    /// samples back from an interval's start, fed up to `chunk` samples at a time. Allocates.
    pub fn new(lag: usize, reach: usize, chunk: usize) -> Self {
        let mut delay = DelayLine::with_capacity(lag + reach + chunk);
        delay.set_delay(lag + reach);
        let sign = if reach.is_multiple_of(2) { 1.0 } else { -1.0 };
        let a = |j: usize| (FIRST_EXPONENT + EXPONENT_STEP * j as f64).exp();
        let decay = |j: usize| -(-a(j)).exp();
        // Trapezoid weight (the step times the integrand's e^τ) at distance `reach`.
        let entry = |j: usize| sign * EXPONENT_STEP * a(j) * (-a(j) * reach as f64).exp();
        let pole = |j: usize, value: f64| if j < POLES { value as f32 } else { 0.0 };
        Self {
            delay,
            entering: vec![0.0; chunk],
            ageing: std::array::from_fn(|j| pole(j, decay(j).powi(SEGMENT as i32))),
            weights: std::array::from_fn(|i| {
                std::array::from_fn(|j| pole(j, entry(j) * decay(j).powi((SEGMENT - 1 - i) as i32)))
            }),
            growth: (BOUND_FACTOR * (0..POLES).map(|j| entry(j).abs()).sum::<f64>()) as f32,
            state: [0.0; LANES],
            segment: [0.0; SEGMENT],
            filled: 0,
            start: 0.0,
            entered: 0.0,
        }
    }

    pub fn reset(&mut self) {
        self.delay.reset();
        self.state = [0.0; LANES];
        self.filled = 0;
        self.start = 0.0;
        self.entered = 0.0;
    }

    /// Takes the newest samples and writes, for each interval they complete, a bound on the far
    /// field's magnitude anywhere in that interval.
    pub fn advance(&mut self, newest: &[f32], bounds: &mut [f32]) {
        let len = newest.len();
        self.delay.process_into(newest, &mut self.entering[..len]);
        let silent = all_of(&self.entering[..len], |x| x == 0.0);
        let mut done = 0;
        while done < len {
            // Up to the end of the current segment.
            let take = (SEGMENT - self.filled).min(len - done);
            let (input, output) = (
                &self.entering[done..done + take],
                &mut bounds[done..done + take],
            );
            if silent {
                // Nothing enters (the high band is out while limiting): the bound stands still.
                self.segment[self.filled..self.filled + take].fill(0.0);
                output.fill((self.start + self.growth * self.entered) * FRAC_1_PI);
            } else {
                self.segment[self.filled..self.filled + take].copy_from_slice(input);
                // In locals: through `self` the sum would round-trip memory every sample.
                let (start, growth, mut entered) = (self.start, self.growth, self.entered);
                for (&x, bound) in input.iter().zip(output) {
                    entered += x.abs();
                    // |sin(πf)| ≤ 1 and e^(-a·f) ≤ 1 within an interval.
                    *bound = (start + growth * entered) * FRAC_1_PI;
                }
                self.entered = entered;
            }
            self.filled += take;
            done += take;
            if self.filled == SEGMENT {
                self.fold();
            }
        }
    }

    /// Folds the full segment into the terms.
    fn fold(&mut self) {
        for (state, ageing) in self.state.iter_mut().zip(&self.ageing) {
            *state *= ageing;
        }
        if self.entered != 0.0 {
            for (weights, &x) in self.weights.iter().zip(&self.segment) {
                for (state, weight) in self.state.iter_mut().zip(weights) {
                    *state += weight * x;
                }
            }
        }
        for state in &mut self.state {
            // Long silence decays the terms towards subnormals, which are slow; end them at zero.
            if state.abs() < 1e-30 {
                *state = 0.0;
            }
        }
        self.start = BOUND_FACTOR as f32 * self.state.iter().map(|s| s.abs()).sum::<f32>();
        self.entered = 0.0;
        self.filled = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The exact far field of interval start `m` at fraction `f`: samples `m - k`, k ≥ reach.
    fn exact(signal: &[f64], m: usize, f: f64, reach: usize) -> f64 {
        (reach..=m)
            .map(|k| {
                let t = k as f64 + f;
                signal[m - k] * (std::f64::consts::PI * t).sin() / (std::f64::consts::PI * t)
            })
            .sum()
    }

    #[test]
    fn bounds_the_far_field_of_a_sinc_pulse_tightly() {
        // A half-sample-offset sinc centred at 3000: its tails are all near Nyquist and add up
        // coherently at the peak; only the part beyond 64 samples is fed and measured.
        let len = 3001;
        let pulse: Vec<f64> = (0..len)
            .map(|n| {
                let t = n as f64 - 3000.5;
                (std::f64::consts::PI * t).sin() / (std::f64::consts::PI * t)
            })
            .collect();
        let (lag, reach) = (10, 64);
        let mut far = FarField::new(lag, reach, 1);
        let mut bound = [0.0];
        for &x in &pulse {
            far.advance(&[x as f32], &mut bound);
        }
        let bound = bound[0];
        // The interval being measured now starts `lag` samples before the newest.
        let m = len - 1 - lag;
        let worst = (0..=16)
            .map(|q| exact(&pulse, m, q as f64 / 16.0, reach).abs())
            .fold(0.0, f64::max);
        assert!(
            worst > 0.001,
            "the test signal must have a far field: {worst}"
        );
        assert!(f64::from(bound) >= worst, "bound {bound} below {worst}");
        assert!(
            f64::from(bound) <= worst * 1.1,
            "bound {bound} loose against {worst}"
        );
    }

    #[test]
    fn has_no_far_field_for_samples_within_reach() {
        let mut far = FarField::new(8, 64, 128);
        let mut input = [0.0f32; 128];
        input[..10].fill(1.0);
        let mut bounds = [0.0f32; 128];
        far.advance(&input, &mut bounds);
        assert!(bounds[..72].iter().all(|&b| b == 0.0));
        assert!(bounds[72] > 0.0);
    }

    #[test]
    fn bounds_do_not_depend_on_how_the_stream_is_cut() {
        let signal: Vec<f32> = (0..4096)
            .map(|n| {
                if (n / 300) % 2 == 0 {
                    if n % 2 == 0 { 0.5 } else { -0.4 }
                } else {
                    0.0
                }
            })
            .collect();
        let bounds_in = |chunk: usize| {
            let mut far = FarField::new(20, 64, chunk);
            let mut bounds = vec![0.0f32; signal.len()];
            for (input, output) in signal.chunks(chunk).zip(bounds.chunks_mut(chunk)) {
                far.advance(input, output);
            }
            bounds
        };
        let whole = bounds_in(256);
        assert!(whole.iter().any(|&b| b > 0.0));
        for chunk in [1, 7, 64, 100] {
            assert_eq!(bounds_in(chunk), whole, "chunks of {chunk}");
        }
    }
}
