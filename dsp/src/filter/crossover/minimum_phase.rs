//! Minimum phase: Linkwitz-Riley 24 dB/oct splits in a tree, each band below a split passed
//! through that split's allpass so all bands share one phase and sum to an allpass.

use std::f64::consts::FRAC_1_SQRT_2;

use super::{
    BandRows, MAX_BANDS, MAX_CROSSOVERS, allpass_section, clamp_crossovers, highpass_section,
    lowpass_section,
};
use crate::filter::{Biquad, BiquadState};

/// Minimum-phase (Linkwitz-Riley 4th order) coefficients for a set of crossovers. A value: the
/// GUI plots [`Self::band_response`], the tests hold it to the running bank.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CrossoverDesign {
    /// Number of bands, 1..=4 (uses the first `bands - 1` crossovers).
    pub bands: usize,
    pub crossovers_hz: [f64; MAX_CROSSOVERS],
    pub sample_rate: f64,
    /// Butterworth sections of each split (each applied twice) and its allpass.
    lowpass: [Biquad; MAX_CROSSOVERS],
    highpass: [Biquad; MAX_CROSSOVERS],
    allpass: [Biquad; MAX_CROSSOVERS],
}

impl CrossoverDesign {
    /// Designs `bands` bands (clamped to 1..=4) split at `crossovers_hz` (see
    /// [`clamp_crossovers`]).
    pub fn new(bands: usize, crossovers_hz: [f64; MAX_CROSSOVERS], sample_rate: f64) -> Self {
        let crossovers_hz = clamp_crossovers(crossovers_hz, sample_rate);
        let lowpass = crossovers_hz.map(|f| lowpass_section(f, FRAC_1_SQRT_2, sample_rate));
        let highpass = crossovers_hz.map(|f| highpass_section(f, FRAC_1_SQRT_2, sample_rate));
        Self {
            bands: bands.clamp(1, MAX_BANDS),
            crossovers_hz,
            sample_rate,
            lowpass,
            highpass,
            allpass: lowpass.map(|s| allpass_section(&s)),
        }
    }

    /// Complex response `(re, im)` of band `band` at `freq_hz`: the high-passes of the splits
    /// below it, its own low-pass, and the allpasses of the splits above.
    pub fn band_response(&self, band: usize, freq_hz: f64) -> (f64, f64) {
        let rate = self.sample_rate;
        let splits = self.bands - 1;
        let mut h = (1.0, 0.0);
        for split in 0..splits {
            let section = match split {
                s if s < band => self.highpass[s].response(freq_hz, rate),
                s if s == band => self.lowpass[s].response(freq_hz, rate),
                s => {
                    h = multiply(h, self.allpass[s].response(freq_hz, rate));
                    continue;
                }
            };
            h = multiply(h, multiply(section, section));
        }
        h
    }

    /// Complex response of all bands added together (an allpass).
    pub fn sum_response(&self, freq_hz: f64) -> (f64, f64) {
        (0..self.bands).fold((0.0, 0.0), |sum, band| {
            let h = self.band_response(band, freq_hz);
            (sum.0 + h.0, sum.1 + h.1)
        })
    }
}

fn multiply(a: (f64, f64), b: (f64, f64)) -> (f64, f64) {
    (a.0 * b.0 - a.1 * b.1, a.0 * b.1 + a.1 * b.0)
}

/// One channel's minimum-phase filter state.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct MinimumPhase {
    lowpass: [[BiquadState; 2]; MAX_CROSSOVERS],
    highpass: [[BiquadState; 2]; MAX_CROSSOVERS],
    /// `allpass[band][split]`: band `band` compensated for split `split` (> `band`).
    allpass: [[BiquadState; MAX_CROSSOVERS]; MAX_CROSSOVERS],
}

impl MinimumPhase {
    /// Splits `input` (at most a chunk) into rows `0..d.bands` of `bands`.
    pub(super) fn split(&mut self, d: &CrossoverDesign, input: &[f32], bands: &mut BandRows) {
        let mut frame = [0.0; MAX_BANDS];
        for (i, &x) in input.iter().enumerate() {
            self.split_frame(d, f64::from(x), &mut frame);
            for (row, &value) in bands.iter_mut().zip(&frame[..d.bands]) {
                row[i] = value as f32;
            }
        }
        self.states().for_each(BiquadState::flush_denormals);
    }

    #[inline]
    fn split_frame(&mut self, d: &CrossoverDesign, x: f64, bands: &mut [f64; MAX_BANDS]) {
        let mut rest = x;
        for split in 0..d.bands - 1 {
            let [lp1, lp2] = &mut self.lowpass[split];
            let [hp1, hp2] = &mut self.highpass[split];
            let (lp, hp) = (&d.lowpass[split], &d.highpass[split]);
            bands[split] = lp2.tick(lp, lp1.tick(lp, rest));
            rest = hp2.tick(hp, hp1.tick(hp, rest));
            for (band, value) in bands[..split].iter_mut().enumerate() {
                *value = self.allpass[band][split].tick(&d.allpass[split], *value);
            }
        }
        bands[d.bands - 1] = rest;
    }

    /// Silences the filters.
    pub(super) fn reset(&mut self) {
        self.states().for_each(BiquadState::reset);
    }

    fn states(&mut self) -> impl Iterator<Item = &mut BiquadState> {
        self.lowpass
            .iter_mut()
            .chain(self.highpass.iter_mut())
            .flatten()
            .chain(self.allpass.iter_mut().flatten())
    }
}
