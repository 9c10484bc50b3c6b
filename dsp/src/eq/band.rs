//! One EQ band: its settings, its analog prototype and the matched digital sections.

use super::design::{AnalogSection, best, best_sections};
use crate::filter::Biquad;

/// Steepest cut: 48 dB/oct, four second-order sections.
pub const MAX_SECTIONS: usize = 4;
/// Frequency range of a band, Hz. Above Nyquist a band still acts through its skirt.
pub const FREQ_RANGE_HZ: (f64, f64) = (10.0, 30_000.0);
pub const GAIN_RANGE_DB: (f64, f64) = (-18.0, 18.0);
pub const Q_RANGE: (f64, f64) = (0.1, 18.0);
/// The default Q, at which cuts are Butterworth (it scales their sharpest section's 1/√2) and
/// shelves barely overshoot (0.03 dB). A value hosts store and display exactly, so a saved
/// session and its text give the same filters as the defaults.
pub const NEUTRAL_Q: f64 = 0.75;

/// The shape of a band.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BandType {
    /// Peak or dip of `gain_db` at the frequency, width set by Q (RBJ constant-Q form).
    Bell,
    /// Second-order shelves: `gain_db` below (low) or above (high) the frequency, half of it at
    /// the frequency; Q above 0.707 adds the analog shelf's overshoot.
    LowShelf,
    HighShelf,
    /// Butterworth high-pass (low cut) or low-pass (high cut), 6-48 dB/oct; Q sets the
    /// resonance of the sharpest section ([`NEUTRAL_Q`]: none).
    LowCut,
    HighCut,
    /// Tilts the spectrum about the frequency: -gain/2 far below, +gain/2 far above.
    Tilt,
    /// Removes the frequency; Q sets the width.
    Notch,
    /// Keeps a band around the frequency at unity, Q sets the width.
    BandPass,
}

impl BandType {
    pub const ALL: [BandType; 8] = [
        BandType::Bell,
        BandType::LowShelf,
        BandType::HighShelf,
        BandType::LowCut,
        BandType::HighCut,
        BandType::Tilt,
        BandType::Notch,
        BandType::BandPass,
    ];

    /// Whether the band's gain shapes it (and 0 dB makes it inaudible).
    pub fn has_gain(self) -> bool {
        matches!(
            self,
            BandType::Bell | BandType::LowShelf | BandType::HighShelf | BandType::Tilt
        )
    }

    /// Whether the slope setting shapes it.
    pub fn has_slope(self) -> bool {
        matches!(self, BandType::LowCut | BandType::HighCut)
    }
}

/// Which part of the signal a band acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelMode {
    /// Both channels alike.
    Stereo,
    Left,
    Right,
    /// `(L + R) / 2`: the centre.
    Mid,
    /// `(L - R) / 2`: the width. In mono there is none, so side bands do nothing there.
    Side,
}

impl ChannelMode {
    pub const ALL: [ChannelMode; 5] = [
        ChannelMode::Stereo,
        ChannelMode::Left,
        ChannelMode::Right,
        ChannelMode::Mid,
        ChannelMode::Side,
    ];
}

/// One band's settings, in physical units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BandParams {
    pub enabled: bool,
    pub band_type: BandType,
    /// Centre, corner or pivot frequency, Hz. 10..30 000.
    pub freq_hz: f64,
    /// dB, -18..18 (bells, shelves, tilt).
    pub gain_db: f64,
    /// Width of bells, notches and band-passes; shelf and cut resonance. 0.1..18.
    pub q: f64,
    /// Cut steepness, dB/oct: 6, 12, .., 48.
    pub slope_db_per_oct: u32,
    pub mode: ChannelMode,
}

impl Default for BandParams {
    fn default() -> Self {
        Self {
            enabled: false,
            band_type: BandType::Bell,
            freq_hz: 1000.0,
            gain_db: 0.0,
            q: NEUTRAL_Q,
            slope_db_per_oct: 12,
            mode: ChannelMode::Stereo,
        }
    }
}

impl BandParams {
    /// Whether the band changes the sound: on, and (for gain types) with a gain.
    pub fn is_audible(&self) -> bool {
        self.enabled && (!self.band_type.has_gain() || self.gain_db != 0.0)
    }

    /// The settings with every number inside its range (NaN falls to the default).
    pub fn clamped(&self) -> Self {
        let clamp = |v: f64, (lo, hi): (f64, f64), default: f64| {
            if v.is_nan() { default } else { v.clamp(lo, hi) }
        };
        Self {
            freq_hz: clamp(self.freq_hz, FREQ_RANGE_HZ, 1000.0),
            gain_db: clamp(self.gain_db, GAIN_RANGE_DB, 0.0),
            q: clamp(self.q, Q_RANGE, NEUTRAL_Q),
            slope_db_per_oct: (self.slope_db_per_oct / 6).clamp(1, 8) * 6,
            ..*self
        }
    }

    /// The analog prototype as sections (all centred at `freq_hz`), and how many there are.
    pub fn analog_sections(&self) -> ([AnalogSection; MAX_SECTIONS], usize) {
        let mut sections = [AnalogSection {
            n: [1.0, 0.0, 0.0],
            d: [1.0, 0.0, 0.0],
        }; MAX_SECTIONS];
        let a = 10f64.powf(self.gain_db / 40.0);
        let q = self.q;
        let one = |n, d| (n, d);
        let (n, d) = match self.band_type {
            BandType::Bell => one([1.0, a / q, 1.0], [1.0, 1.0 / (a * q), 1.0]),
            BandType::LowShelf => {
                let k = a.sqrt() / q;
                one([a * a, a * k, a], [1.0, k, a])
            }
            BandType::HighShelf => {
                let k = a.sqrt() / q;
                one([a, a * k, a * a], [a, k, 1.0])
            }
            BandType::Tilt => {
                let k = a.sqrt() / q;
                one([1.0, k, a], [a, k, 1.0])
            }
            BandType::Notch => one([1.0, 0.0, 1.0], [1.0, 1.0 / q, 1.0]),
            BandType::BandPass => one([0.0, 1.0 / q, 0.0], [1.0, 1.0 / q, 1.0]),
            BandType::LowCut | BandType::HighCut => {
                let count = butterworth(self, &mut sections);
                return (sections, count);
            }
        };
        sections[0] = AnalogSection { n, d };
        (sections, 1)
    }

    /// Squared magnitude of the analog prototype at `freq_hz` (the truth the tests hold the
    /// digital band to).
    pub fn analog_power(&self, freq_hz: f64) -> f64 {
        let (sections, count) = self.analog_sections();
        let ratio = freq_hz / self.freq_hz;
        sections[..count].iter().map(|s| s.power(ratio)).product()
    }

    /// The digital sections at `sample_rate`, and how many there are.
    ///
    /// Cuts of the gain types are designed as the inverse of the matching boost (Vicanek §4):
    /// a cut's resonant part is its zeros, and poles map more exactly than zeros.
    pub fn digital_sections(&self, sample_rate: f64) -> ([Biquad; MAX_SECTIONS], usize) {
        let mut digital = [Biquad::IDENTITY; MAX_SECTIONS];
        if self.band_type.has_gain() && self.gain_db < 0.0 {
            let boost = BandParams {
                gain_db: -self.gain_db,
                ..*self
            };
            let (sections, count) = boost.digital_sections(sample_rate);
            for (out, section) in digital.iter_mut().zip(&sections[..count]) {
                *out = section.inverse();
            }
            return (digital, count);
        }
        let (analog, count) = self.analog_sections();
        if count == 1 {
            let (pair, count) = best_sections(&analog[0], self.freq_hz, sample_rate);
            digital[..2].copy_from_slice(&pair);
            return (digital, count);
        }
        for (out, section) in digital.iter_mut().zip(&analog[..count]) {
            *out = best(section, self.freq_hz, sample_rate);
        }
        (digital, count)
    }
}

/// Butterworth cut sections of the band's order: second-order sections with the pole pair
/// Qs `1 / (2 cos ψ)`, plus a first-order one for odd orders. The band's Q scales the sharpest
/// section's Q ([`NEUTRAL_Q`] leaves it Butterworth).
fn butterworth(band: &BandParams, sections: &mut [AnalogSection; MAX_SECTIONS]) -> usize {
    let order = band.slope_db_per_oct / 6;
    let low_cut = band.band_type == BandType::LowCut;
    let resonance = band.q / NEUTRAL_Q;
    let pairs = order / 2;
    let odd = order % 2 == 1;
    for (k, section) in sections.iter_mut().enumerate().take(pairs as usize) {
        let k = k as f64 + 1.0;
        let psi = if odd {
            k * std::f64::consts::PI / f64::from(order)
        } else {
            (2.0 * k - 1.0) * std::f64::consts::PI / (2.0 * f64::from(order))
        };
        // ψ grows with k, so the last pair is the sharpest.
        let mut q = 1.0 / (2.0 * psi.cos());
        if k as u32 == pairs {
            q *= resonance;
        }
        let d = [1.0, 1.0 / q, 1.0];
        let n = if low_cut {
            [0.0, 0.0, 1.0]
        } else {
            [1.0, 0.0, 0.0]
        };
        *section = AnalogSection { n, d };
    }
    let mut count = pairs as usize;
    if odd {
        let n = if low_cut {
            [0.0, 1.0, 0.0]
        } else {
            [1.0, 0.0, 0.0]
        };
        sections[count] = AnalogSection {
            n,
            d: [1.0, 1.0, 0.0],
        };
        count += 1;
    }
    count
}
