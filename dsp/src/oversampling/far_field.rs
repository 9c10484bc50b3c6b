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
//! written as `∫ exp(τ - x·e^τ) dτ` and the integral sampled every unit of τ (an exponential
//! sum accurate to 5e-3 over `K ≤ x ≤ 10^4`, weighted by the 1/x² of a coherent tail to 1e-4).
//! Feed it only the near-Nyquist part of a signal: lower content is the interpolator's, and
//! counting it here too would count it twice.

use crate::util::DelayLine;

/// Poles of the exponential sum: `a = e^τ` for τ = -16, -15, ..., -2.
const POLES: usize = 15;
const FIRST_EXPONENT: f64 = -16.0;

/// Tracks the past far field for the interval a [`super::PeakScanner`] is measuring.
#[derive(Debug, Clone, Default)]
pub struct FarField {
    /// Aligns the newest sample with the interval: its lag plus the reach.
    delay: DelayLine,
    /// `-e^(-a)`: each step ages every term by one sample and flips its sign.
    decay: [f64; POLES],
    /// `±w · e^(-a·K)`: the weight of the sample entering the sum at distance `K`.
    entry: [f64; POLES],
    state: [f64; POLES],
}

impl FarField {
    /// For intervals that lag the newest sample by `lag`, with an interpolator reaching `reach`
    /// samples back from an interval's start. Allocates.
    pub fn new(lag: usize, reach: usize) -> Self {
        let mut delay = DelayLine::with_capacity(lag + reach);
        delay.set_delay(lag + reach);
        let sign = if reach.is_multiple_of(2) { 1.0 } else { -1.0 };
        let a = |j: usize| (FIRST_EXPONENT + j as f64).exp();
        Self {
            delay,
            decay: std::array::from_fn(|j| -(-a(j)).exp()),
            // Trapezoid weight: step 1 times the integrand's e^τ.
            entry: std::array::from_fn(|j| sign * a(j) * (-a(j) * reach as f64).exp()),
            state: [0.0; POLES],
        }
    }

    pub fn reset(&mut self) {
        self.delay.reset();
        self.state = [0.0; POLES];
    }

    /// Takes the newest sample and returns a bound on the far field's magnitude anywhere in the
    /// interval now being measured.
    #[inline]
    pub fn tick(&mut self, newest: f32) -> f32 {
        let entering = f64::from(self.delay.tick(newest));
        let mut bound = 0.0;
        for ((state, decay), entry) in self.state.iter_mut().zip(&self.decay).zip(&self.entry) {
            let next = *decay * *state + entry * entering;
            // Silence decays the states towards subnormals, which are slow; end them at zero.
            *state = if next.abs() < 1e-150 { 0.0 } else { next };
            bound += state.abs();
        }
        // |sin(πf)| ≤ 1 and e^(-a·f) ≤ 1 within the interval.
        (bound / std::f64::consts::PI) as f32
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
        let mut far = FarField::new(lag, reach);
        let mut bound = 0.0;
        for &x in &pulse {
            bound = far.tick(x as f32);
        }
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
            f64::from(bound) <= worst * 1.01,
            "bound {bound} loose against {worst}"
        );
    }

    #[test]
    fn has_no_far_field_for_samples_within_reach() {
        let mut far = FarField::new(8, 64);
        let bounds: Vec<f32> = (0..72)
            .map(|n| far.tick(if n < 10 { 1.0 } else { 0.0 }))
            .collect();
        assert!(bounds.iter().all(|&b| b == 0.0));
        assert!(far.tick(0.0) > 0.0);
    }
}
