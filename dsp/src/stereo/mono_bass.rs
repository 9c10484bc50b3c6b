//! Mono bass: removes side content below a frequency.
//!
//! A Linkwitz-Riley 8th-order high-pass (a squared 4th-order Butterworth) on the side signal:
//! 48 dB down one octave below the frequency, -6 dB at it, within 0.04 dB an octave above.
//! The mid never passes through it, so the mono sum is untouched.

use std::f64::consts::PI;

use crate::filter::crossover::{GLIDE_MS, highpass_section};
use crate::filter::{Biquad, BiquadState};
use crate::util::{GainRamp, ms_to_samples, smoothing_step};

/// Frequency range, Hz.
pub const MONO_BASS_MIN_HZ: f64 = 20.0;
pub const MONO_BASS_MAX_HZ: f64 = 300.0;
/// Quality factors of a 4th-order Butterworth's two sections: `1 / (2 cos θ)`, θ = 22.5°, 67.5°.
fn butterworth4_q() -> [f64; 2] {
    [PI / 8.0, 3.0 * PI / 8.0].map(|theta| 0.5 / theta.cos())
}
/// Switching on or off crossfades over this long, ms.
const SWITCH_MS: f64 = 20.0;
/// A glide closer than this to its target (log frequency ratio) arrives.
const GLIDE_SNAP: f64 = 1e-3;

/// The side high-pass with its on/off crossfade. Never allocates.
#[derive(Debug, Clone)]
pub struct MonoBass {
    sample_rate: f64,
    target_hz: f64,
    current_hz: f64,
    /// Fraction of the remaining log distance the glide covers per step.
    glide: f64,
    sections: [Biquad; 2],
    /// Each section runs twice (Linkwitz-Riley: Butterworth squared).
    state: [BiquadState; 4],
    /// 1 while on, 0 while off.
    amount: GainRamp,
}

impl Default for MonoBass {
    fn default() -> Self {
        let mut mono_bass = Self {
            sample_rate: 48_000.0,
            target_hz: 120.0,
            current_hz: 120.0,
            glide: 1.0,
            sections: [Biquad::IDENTITY; 2],
            state: Default::default(),
            amount: GainRamp::new(0.0),
        };
        mono_bass.design();
        mono_bass
    }
}

impl MonoBass {
    /// Sets the rate; `step_frames` is how often [`Self::step`] will be called.
    pub fn prepare(&mut self, sample_rate: f64, step_frames: usize) {
        self.sample_rate = sample_rate;
        self.glide = smoothing_step(step_frames as f64, GLIDE_MS, sample_rate);
        self.amount
            .set_ramp_samples((ms_to_samples(SWITCH_MS, sample_rate) as usize).max(1));
        self.reset();
    }

    /// On or off (crossfading) and the frequency (gliding), Hz.
    pub fn set(&mut self, on: bool, frequency_hz: f64) {
        self.amount.set_target(if on { 1.0 } else { 0.0 });
        self.target_hz = if frequency_hz.is_nan() {
            MONO_BASS_MIN_HZ
        } else {
            frequency_hz.clamp(MONO_BASS_MIN_HZ, MONO_BASS_MAX_HZ)
        };
    }

    /// Jumps to the settings and clears the filter.
    pub fn reset(&mut self) {
        self.current_hz = self.target_hz;
        self.amount.settle();
        self.state.iter_mut().for_each(BiquadState::reset);
        self.design();
    }

    /// The high-pass's sections (each applied twice), for plotting.
    pub fn sections(&self) -> &[Biquad; 2] {
        &self.sections
    }

    fn design(&mut self) {
        let q = butterworth4_q();
        self.sections = q.map(|q| highpass_section(self.current_hz, q, self.sample_rate));
    }

    /// Moves the frequency glide on by one step.
    pub fn step(&mut self) {
        if self.current_hz == self.target_hz {
            return;
        }
        let distance = (self.target_hz / self.current_hz).ln();
        self.current_hz = if distance.abs() < GLIDE_SNAP {
            self.target_hz
        } else {
            self.current_hz * (distance * self.glide).exp()
        };
        self.design();
    }

    /// Filters one side sample. Off (and settled), it returns the sample exactly.
    #[inline]
    pub fn tick(&mut self, side: f64) -> f64 {
        let [a, b] = &self.sections;
        let [s1, s2, s3, s4] = &mut self.state;
        let high = s4.tick(b, s3.tick(a, s2.tick(b, s1.tick(a, side))));
        side + self.amount.next_gain() * (high - side)
    }

    /// Flushes decayed filter state (once per block).
    pub fn flush(&mut self) {
        self.state.iter_mut().for_each(BiquadState::flush_denormals);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn magnitude_db(m: &MonoBass, freq: f64) -> f64 {
        m.sections
            .iter()
            .map(|s| 2.0 * s.magnitude_db(freq, m.sample_rate))
            .sum()
    }

    #[test]
    fn linkwitz_riley_8_is_48_db_down_an_octave_below() {
        for rate in [22_050.0, 48_000.0, 384_000.0] {
            let mut m = MonoBass::default();
            m.prepare(rate, 128);
            m.set(true, 150.0);
            m.reset();
            assert!((magnitude_db(&m, 150.0) + 6.0206).abs() < 1e-3);
            assert!(magnitude_db(&m, 75.0) < -48.0);
            let above = magnitude_db(&m, 300.0);
            assert!(above.abs() < 0.04, "{rate}: {above}");
        }
    }

    #[test]
    fn off_is_exact() {
        let mut m = MonoBass::default();
        m.prepare(48_000.0, 128);
        for n in 0..1_000 {
            let x = (n as f64 * 0.01).sin();
            assert_eq!(m.tick(x), x);
        }
    }
}
