//! Second-order sections in f64.

use std::f64::consts::PI;

/// Normalised biquad coefficients (`a0 = 1`):
/// `H(z) = (b0 + b1 z^-1 + b2 z^-2) / (1 + a1 z^-1 + a2 z^-2)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Biquad {
    pub b0: f64,
    pub b1: f64,
    pub b2: f64,
    pub a1: f64,
    pub a2: f64,
}

impl Biquad {
    /// Passes the signal unchanged.
    pub const IDENTITY: Self = Self {
        b0: 1.0,
        b1: 0.0,
        b2: 0.0,
        a1: 0.0,
        a2: 0.0,
    };

    /// The section `(b[0] + b[1] z⁻¹ + b[2] z⁻²) / (a[0] + a[1] z⁻¹ + a[2] z⁻²)`, normalised.
    pub fn from_polynomials(b: [f64; 3], a: [f64; 3]) -> Self {
        let norm = 1.0 / a[0];
        Self {
            b0: b[0] * norm,
            b1: b[1] * norm,
            b2: b[2] * norm,
            a1: a[1] * norm,
            a2: a[2] * norm,
        }
    }

    /// Second-order Butterworth high-pass by the bilinear transform, pre-warped at the cutoff
    /// (so the -3 dB point lands exactly on `cutoff_hz`).
    pub fn butterworth_highpass(cutoff_hz: f64, sample_rate: f64) -> Self {
        let k = (PI * cutoff_hz / sample_rate).tan();
        let q = std::f64::consts::FRAC_1_SQRT_2;
        let norm = 1.0 / (1.0 + k / q + k * k);
        Self {
            b0: norm,
            b1: -2.0 * norm,
            b2: norm,
            a1: 2.0 * (k * k - 1.0) * norm,
            a2: (1.0 - k / q + k * k) * norm,
        }
    }

    /// The filter that undoes this one: numerator and denominator swapped. Stable when this one
    /// is minimum phase.
    pub fn inverse(&self) -> Self {
        let norm = 1.0 / self.b0;
        Self {
            b0: norm,
            b1: self.a1 * norm,
            b2: self.a2 * norm,
            a1: self.b1 * norm,
            a2: self.b2 * norm,
        }
    }

    /// Complex frequency response at `freq_hz` as `(re, im)`.
    pub fn response(&self, freq_hz: f64, sample_rate: f64) -> (f64, f64) {
        let w = 2.0 * PI * freq_hz / sample_rate;
        let (s1, c1) = w.sin_cos();
        let (s2, c2) = (2.0 * w).sin_cos();
        // z^-1 = cos w - j sin w
        let num = (
            self.b0 + self.b1 * c1 + self.b2 * c2,
            -self.b1 * s1 - self.b2 * s2,
        );
        let den = (
            1.0 + self.a1 * c1 + self.a2 * c2,
            -self.a1 * s1 - self.a2 * s2,
        );
        let den_norm = den.0 * den.0 + den.1 * den.1;
        (
            (num.0 * den.0 + num.1 * den.1) / den_norm,
            (num.1 * den.0 - num.0 * den.1) / den_norm,
        )
    }

    /// Magnitude response at `freq_hz` in dB.
    pub fn magnitude_db(&self, freq_hz: f64, sample_rate: f64) -> f64 {
        let (re, im) = self.response(freq_hz, sample_rate);
        10.0 * (re * re + im * im).log10()
    }
}

/// A biquad in the form the filters that run through whole tracks use: the transposed direct
/// form II with the output substituted into the state updates, so each sample's dependency on
/// the last is one multiply and one subtract (the plain form chains an add, a multiply, a
/// subtract and an add, and such a filter is bound by that chain). It runs `N` independent
/// lanes at once, each with the arithmetic of one lane, so with vector instructions and the
/// same results.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SubstitutedBiquad {
    b0: f64,
    /// `b1 - a1·b0` and `b2 - a2·b0`.
    k1: f64,
    k2: f64,
    a1: f64,
    a2: f64,
}

/// [`SubstitutedBiquad`] state: per state slot, the lanes' values.
pub type LaneState<const N: usize> = [[f64; N]; 2];

impl SubstitutedBiquad {
    pub fn new(c: &Biquad) -> Self {
        Self {
            b0: c.b0,
            k1: c.b1 - c.a1 * c.b0,
            k2: c.b2 - c.a2 * c.b0,
            a1: c.a1,
            a2: c.a2,
        }
    }

    /// One sample per lane through the section.
    #[inline(always)]
    pub fn tick<const N: usize>(&self, state: &mut LaneState<N>, x: [f64; N]) -> [f64; N] {
        let [s1, s2] = *state;
        *state = [
            std::array::from_fn(|l| self.k1 * x[l] + s2[l] - self.a1 * s1[l]),
            std::array::from_fn(|l| self.k2 * x[l] - self.a2 * s1[l]),
        ];
        std::array::from_fn(|l| self.b0 * x[l] + s1[l])
    }
}

/// Zeroes lane state that has decayed below -600 dB, before it turns subnormal (slow).
pub fn flush_lane_denormals<const N: usize>(state: &mut LaneState<N>) {
    for s in state.as_flattened_mut() {
        if s.abs() < DENORMAL_FLOOR {
            *s = 0.0;
        }
    }
}

/// Transposed direct form II state for one channel.
#[derive(Debug, Clone, Copy, Default)]
pub struct BiquadState {
    s1: f64,
    s2: f64,
}

/// State below this is flushed: f64 subnormals appear minutes into silence and are slow.
pub const DENORMAL_FLOOR: f64 = 1e-30;

impl BiquadState {
    /// Filters one sample. Does not flush decaying state: call [`Self::flush_denormals`] now
    /// and then (each block).
    #[inline]
    pub fn tick(&mut self, c: &Biquad, x: f64) -> f64 {
        let y = c.b0 * x + self.s1;
        self.s1 = c.b1 * x - c.a1 * y + self.s2;
        self.s2 = c.b2 * x - c.a2 * y;
        y
    }

    /// Zeroes state that has decayed below -600 dB, before it turns subnormal.
    #[inline]
    pub fn flush_denormals(&mut self) {
        if self.s1.abs() < DENORMAL_FLOOR {
            self.s1 = 0.0;
        }
        if self.s2.abs() < DENORMAL_FLOOR {
            self.s2 = 0.0;
        }
    }

    /// Clears the state.
    pub fn reset(&mut self) {
        *self = Self::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Magnitude of the filter measured by running a long impulse response through a DFT bin.
    fn measured_magnitude_db(c: &Biquad, freq_hz: f64, sample_rate: f64) -> f64 {
        let mut state = BiquadState::default();
        let w = 2.0 * PI * freq_hz / sample_rate;
        let (mut re, mut im) = (0.0, 0.0);
        for n in 0..400_000 {
            let y = state.tick(c, if n == 0 { 1.0 } else { 0.0 });
            re += y * (w * n as f64).cos();
            im -= y * (w * n as f64).sin();
        }
        10.0 * (re * re + im * im).log10()
    }

    #[test]
    fn butterworth_highpass_is_3db_down_at_cutoff_and_flat_above() {
        for rate in [22_050.0, 48_000.0, 384_000.0] {
            let c = Biquad::butterworth_highpass(5.0, rate);
            assert!((c.magnitude_db(5.0, rate) + 3.0103).abs() < 1e-3, "{rate}");
            // Analog prototype: |H|^2 = (f/fc)^4 / (1 + (f/fc)^4).
            let analog_20hz = 10.0 * (256.0f64 / 257.0).log10();
            assert!((c.magnitude_db(20.0, rate) - analog_20hz).abs() < 1e-3);
            assert!(c.magnitude_db(1000.0, rate).abs() < 1e-6);
        }
    }

    #[test]
    fn response_matches_the_running_filter() {
        let c = Biquad::butterworth_highpass(40.0, 48_000.0);
        for f in [10.0, 40.0, 200.0, 5_000.0] {
            let analytic = c.magnitude_db(f, 48_000.0);
            let measured = measured_magnitude_db(&c, f, 48_000.0);
            assert!(
                (analytic - measured).abs() < 1e-3,
                "{f} Hz: {analytic} vs {measured}"
            );
        }
    }
}
