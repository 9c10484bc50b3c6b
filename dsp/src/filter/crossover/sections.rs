//! Bilinear-transform 2nd-order sections: the Butterworth halves of a Linkwitz-Riley split and
//! the allpass that compensates the bands below it (also used by the imager's mono bass).

use std::f64::consts::PI;

use crate::filter::Biquad;

/// Bilinear-transform 2nd-order low-pass with quality `q`, pre-warped at `cutoff_hz`.
pub fn lowpass_section(cutoff_hz: f64, q: f64, sample_rate: f64) -> Biquad {
    section(cutoff_hz, q, sample_rate, |k| [k * k, 2.0 * k * k, k * k])
}

/// Bilinear-transform 2nd-order high-pass with quality `q`, pre-warped at `cutoff_hz`.
pub fn highpass_section(cutoff_hz: f64, q: f64, sample_rate: f64) -> Biquad {
    section(cutoff_hz, q, sample_rate, |_| [1.0, -2.0, 1.0])
}

/// The 2nd-order allpass sharing `section`'s denominator (numerator mirrored).
pub fn allpass_section(section: &Biquad) -> Biquad {
    Biquad {
        b0: section.a2,
        b1: section.a1,
        b2: 1.0,
        a1: section.a1,
        a2: section.a2,
    }
}

/// The low- and high-pass share their denominator; they differ only in the numerator, given
/// unnormalised as a function of the pre-warped `k = tan(π fc / fs)`.
fn section(
    cutoff_hz: f64,
    q: f64,
    sample_rate: f64,
    numerator: impl FnOnce(f64) -> [f64; 3],
) -> Biquad {
    let k = (PI * cutoff_hz / sample_rate).tan();
    let norm = 1.0 / (1.0 + k / q + k * k);
    let [b0, b1, b2] = numerator(k).map(|b| b * norm);
    Biquad {
        b0,
        b1,
        b2,
        a1: 2.0 * (k * k - 1.0) * norm,
        a2: (1.0 - k / q + k * k) * norm,
    }
}
