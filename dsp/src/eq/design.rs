//! Magnitude-matched digital sections: analog accuracy up to 20 kHz without oversampling.
//!
//! The bilinear transform squeezes the whole analog axis into the digital band, so a shelf or
//! bell near 20 kHz at 44.1 kHz comes out narrower and lower than drawn ("cramping"). Here the
//! poles are mapped by impulse invariance (`z = e^{sT}`, which keeps each pole's frequency and
//! damping), and the numerator is then solved so that the digital magnitude equals the analog
//! one exactly at DC, at Nyquist and at one frequency in between (the band's centre). This is
//! M. Vicanek, "Matched Second Order Digital Filters" (2016), applied to any second-order
//! prototype. Fits, a pre-warped bilinear transform and a searched match compete with it
//! ([`best`]); where no single section comes within 0.1 dB, a fitted pair of sections does
//! ([`best_sections`]). The EQ's tests bound the error over random settings.

use std::f64::consts::PI;

use super::pair::fitted_pair;
use crate::filter::Biquad;

/// An analog section `H(s) = (n0 + n1 s + n2 s²) / (d0 + d1 s + d2 s²)`, with `s` in units of
/// the band's angular frequency (`s = jf/f0` on the frequency axis). First-order sections have
/// `n2 = d2 = 0`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AnalogSection {
    pub n: [f64; 3],
    pub d: [f64; 3],
}

impl AnalogSection {
    /// Squared magnitude at `ratio = f / f0`.
    pub fn power(&self, ratio: f64) -> f64 {
        let w2 = ratio * ratio;
        let part = |c: &[f64; 3]| {
            let re = c[0] - c[2] * w2;
            let im = c[1] * ratio;
            re * re + im * im
        };
        part(&self.n) / part(&self.d)
    }

    /// The frequencies around `f0_hz` where the section's shape changes fastest, kept inside
    /// `low..high`: two octaves either side for broad sections, narrowing with the sharper of
    /// the pole and zero pairs' Q (three bandwidths either side).
    pub fn centre_span(&self, f0_hz: f64, low: f64, high: f64) -> (f64, f64) {
        let sharpness = |c: &[f64; 3]| {
            if c[1] > 0.0 {
                (c[0] * c[2]).abs().sqrt() / c[1]
            } else {
                0.0
            }
        };
        let q = sharpness(&self.n).max(sharpness(&self.d));
        let octaves = (3.0 / q.max(1e-3)).clamp(0.1, 2.0);
        let spread = octaves.exp2();
        let from = (f0_hz / spread).clamp(low, high);
        let to = (f0_hz * spread).clamp(low, high);
        if to > from { (from, to) } else { (low, high) }
    }

    fn is_first_order(&self) -> bool {
        self.n[2] == 0.0 && self.d[2] == 0.0
    }
}

/// Pole angles beyond this fraction of Nyquist are pulled back to it: a pole at or above
/// Nyquist has no digital image, and a bell or shelf set above Nyquist only shows its skirt in
/// band, which the matched numerator then fits.
const MAX_POLE_ANGLE: f64 = 0.9 * PI;

/// The digital section matching `analog` (centred at `f0_hz`) at DC, at Nyquist and at
/// `match_hz` (clamped inside the band).
pub fn matched(analog: &AnalogSection, f0_hz: f64, match_hz: f64, sample_rate: f64) -> Biquad {
    matched_with_nyquist(analog, f0_hz, match_hz, sample_rate, 1.0)
}

/// [`matched`], with the magnitude aimed at Nyquist scaled by `nyquist_scale` (a power ratio).
fn matched_with_nyquist(
    analog: &AnalogSection,
    f0_hz: f64,
    match_hz: f64,
    sample_rate: f64,
    nyquist_scale: f64,
) -> Biquad {
    let w0 = 2.0 * PI * f0_hz / sample_rate;
    let nyquist_ratio = 0.5 * sample_rate / f0_hz;
    if analog.is_first_order() {
        return matched_first_order(analog, w0, nyquist_ratio);
    }
    let (a1, a2) = digital_poles(analog, w0);
    let a = [(1.0 + a1 + a2).powi(2), (1.0 - a1 + a2).powi(2), -4.0 * a2];
    let b0_sq = analog.power(0.0) * a[0];
    let b1_sq = analog.power(nyquist_ratio) * nyquist_scale * a[1];
    let wm = (2.0 * PI * match_hz / sample_rate).clamp(1e-9, 0.95 * PI);
    let phi = phis(wm);
    let denominator = a[0] * phi[0] + a[1] * phi[1] + a[2] * phi[2];
    let target = analog.power(wm / w0) * denominator;
    let b2_sq = (target - b0_sq * phi[0] - b1_sq * phi[1]) / phi[2];
    numerator_from_squares(b0_sq, b1_sq, b2_sq, a1, a2)
}

/// Points of the check grid the candidates are judged on: log-spaced over the audio band, and
/// as many again close around the centre (where a narrow band's peak would fall between).
const CHECK_POINTS: usize = 40;
const CHECK_CENTRE_POINTS: usize = 24;
/// Below this squared magnitude (-30 dB) an error is not audible next to the rest of the band.
const CHECK_FLOOR: f64 = 1e-3;

/// Where candidates are judged: a log grid from 10 Hz to 20 kHz (or Nyquist) and one around
/// f0 ([`AnalogSection::centre_span`]), each point's φ basis and the prototype's squared
/// magnitude there (computed once per design).
struct CheckGrid {
    points: [([f64; 3], f64); CHECK_POINTS + CHECK_CENTRE_POINTS],
}

impl CheckGrid {
    fn new(analog: &AnalogSection, f0_hz: f64, sample_rate: f64) -> Self {
        let top = (0.4999 * sample_rate).min(AUDIO_TOP_HZ);
        let step = (top / 10.0).ln() / (CHECK_POINTS - 1) as f64;
        let (centre_low, centre_high) = analog.centre_span(f0_hz, 10.0, top);
        let centre_step = (centre_high / centre_low).ln() / (CHECK_CENTRE_POINTS - 1) as f64;
        Self {
            points: std::array::from_fn(|k| {
                let f = if k < CHECK_POINTS {
                    10.0 * (step * k as f64).exp()
                } else {
                    centre_low * (centre_step * (k - CHECK_POINTS) as f64).exp()
                };
                (
                    phis(2.0 * PI * f / sample_rate),
                    analog.power(f / f0_hz) + CHECK_FLOOR,
                )
            }),
        }
    }

    /// Worst error of `c` (natural log of the power ratio); NaN if `c` gives NaN anywhere.
    fn worst_error(&self, c: &Biquad) -> f64 {
        self.worst_error_of(std::slice::from_ref(c))
    }

    /// [`Self::worst_error`] of a cascade.
    fn worst_error_of(&self, sections: &[Biquad]) -> f64 {
        let (mut over, mut under) = (1.0f64, 1.0f64);
        for (phi, want) in &self.points {
            let got: f64 = sections.iter().map(|c| power(c, phi)).product();
            let ratio = (got + CHECK_FLOOR) / want;
            over = over.max(ratio);
            under = under.min(ratio);
        }
        over.ln().max(-under.ln())
    }
}

/// The best digital section for `analog` centred at `f0_hz`: the candidates (least-squares
/// fits up to Nyquist and up to 20 kHz, three-point match, pre-warped bilinear) are each
/// measured against the prototype on a log grid up to 20 kHz (or Nyquist) and the one with the
/// smallest worst error in dB wins; if none is within 0.02 dB, a matched section with a
/// searched Nyquist magnitude competes too. Each method fails somewhere (the bilinear
/// transform near Nyquist, the match between its points for broad bands, the fits for narrow
/// low bands); together they cover the range.
pub fn best(analog: &AnalogSection, f0_hz: f64, sample_rate: f64) -> Biquad {
    best_judged(
        analog,
        f0_hz,
        sample_rate,
        &CheckGrid::new(analog, f0_hz, sample_rate),
    )
    .1
}

/// Above this worst error (0.1 dB, as a log power ratio) of the best single section, a
/// fitted pair competes.
const PAIR_ABOVE: f64 = 0.1 * std::f64::consts::LN_10 / 10.0;

/// The best cascade of one or two sections for `analog`: [`best`], or where that strays by
/// more than 0.1 dB below 20 kHz, a jointly fitted pair (`pair::fitted_pair`) if it does better.
pub fn best_sections(analog: &AnalogSection, f0_hz: f64, sample_rate: f64) -> ([Biquad; 2], usize) {
    let grid = CheckGrid::new(analog, f0_hz, sample_rate);
    let (error, single) = best_judged(analog, f0_hz, sample_rate, &grid);
    if error > PAIR_ABOVE
        && AUDIO_TOP_HZ < 0.5 * sample_rate
        && let Some(pair) = fitted_pair(analog, f0_hz, sample_rate, AUDIO_TOP_HZ, &single)
        && pair.iter().all(|c| c.b0.is_finite() && is_stable(c))
        && grid.worst_error_of(&pair) < error
    {
        return (pair, 2);
    }
    ([single, Biquad::IDENTITY], 1)
}

/// [`best`] with its worst error on `grid`.
fn best_judged(
    analog: &AnalogSection,
    f0_hz: f64,
    sample_rate: f64,
    grid: &CheckGrid,
) -> (f64, Biquad) {
    let candidates = [
        fitted(analog, f0_hz, sample_rate),
        (AUDIO_TOP_HZ < 0.5 * sample_rate)
            .then(|| fitted_up_to(analog, f0_hz, sample_rate, AUDIO_TOP_HZ))
            .flatten(),
        Some(matched(analog, f0_hz, f0_hz, sample_rate)),
        bilinear(analog, f0_hz, sample_rate),
    ];
    let judged = |c: Biquad| {
        let usable = c.b0.is_finite() && c.b1.is_finite() && c.b2.is_finite() && is_stable(&c);
        let error = grid.worst_error(&c);
        (usable && error.is_finite()).then_some((error, c))
    };
    let first = candidates
        .into_iter()
        .flatten()
        .filter_map(judged)
        .min_by(|a, b| a.0.total_cmp(&b.0));
    let searched = match first {
        Some((error, _)) if error <= SEARCH_ABOVE => None,
        _ => matched_free_nyquist(analog, f0_hz, sample_rate, grid).and_then(judged),
    };
    first
        .into_iter()
        .chain(searched)
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .unwrap_or((f64::INFINITY, Biquad::IDENTITY))
}

/// Where the first candidates are this close (0.02 dB, as a log power ratio), no search runs.
const SEARCH_ABOVE: f64 = 0.02 * std::f64::consts::LN_10 / 10.0;
/// Golden-section steps of the Nyquist search (the interval shrinks to 0.618^16 of 24 dB,
/// 0.01 dB).
const NYQUIST_SEARCH_STEPS: usize = 16;
/// The Nyquist search spans this many dB either side of the prototype's value there.
const NYQUIST_SEARCH_DB: f64 = 12.0;

/// The matched section (exact at DC and f0) whose magnitude at Nyquist, where the prototype
/// is not held to, is chosen to minimise the worst error below 20 kHz: a digital section is
/// flat at Nyquist while a broad analog band is still moving at 20 kHz, so aiming it past the
/// prototype's Nyquist value lets it follow the curve up to 20 kHz.
fn matched_free_nyquist(
    analog: &AnalogSection,
    f0_hz: f64,
    sample_rate: f64,
    grid: &CheckGrid,
) -> Option<Biquad> {
    let design =
        |log_scale: f64| matched_with_nyquist(analog, f0_hz, f0_hz, sample_rate, log_scale.exp());
    let error = |log_scale: f64| {
        let c = design(log_scale);
        if is_stable(&c) && c.b0.is_finite() {
            grid.worst_error(&c)
        } else {
            f64::INFINITY
        }
    };
    let span = NYQUIST_SEARCH_DB * std::f64::consts::LN_10 / 10.0;
    let (mut low, mut high) = (-span, span);
    let ratio = 0.5 * (5f64.sqrt() - 1.0);
    let (mut x1, mut x2) = (high - ratio * (high - low), low + ratio * (high - low));
    let (mut e1, mut e2) = (error(x1), error(x2));
    for _ in 0..NYQUIST_SEARCH_STEPS {
        if e1 < e2 {
            high = x2;
            (x2, e2) = (x1, e1);
            x1 = high - ratio * (high - low);
            e1 = error(x1);
        } else {
            low = x1;
            (x1, e1) = (x2, e2);
            x2 = low + ratio * (high - low);
            e2 = error(x2);
        }
    }
    let best = if e1 < e2 { x1 } else { x2 };
    Some(design(best))
}

/// Poles strictly inside the unit circle (the stability triangle of `a1`, `a2`).
fn is_stable(c: &Biquad) -> bool {
    c.a2.abs() < 1.0 && c.a1.abs() < 1.0 + c.a2
}

/// The bilinear transform pre-warped at `f0_hz`: exact at f0 and at low frequencies, cramped
/// towards Nyquist. `None` when f0 is at or above Nyquist.
pub fn bilinear(analog: &AnalogSection, f0_hz: f64, sample_rate: f64) -> Option<Biquad> {
    let w0 = 2.0 * PI * f0_hz / sample_rate;
    if w0 >= 0.98 * PI {
        return None;
    }
    let c = 1.0 / (0.5 * w0).tan();
    let map = |k: &[f64; 3]| {
        let (c1, c2) = (k[1] * c, k[2] * c * c);
        [k[0] + c1 + c2, 2.0 * (k[0] - c2), k[0] - c1 + c2]
    };
    Some(Biquad::from_polynomials(map(&analog.n), map(&analog.d)))
}

/// Frequencies the least-squares fit samples, log-spaced over the band.
const FIT_POINTS: usize = 48;
/// Reweighting passes of the fit (each divides by the previous pass's denominator, turning
/// the equation error into the relative magnitude error).
const FIT_PASSES: usize = 3;

/// The digital section whose squared magnitude best fits `analog`'s in relative terms, from
/// `f0 / 64` (at least 2 Hz) to Nyquist: numerator and denominator both fitted, as squared
/// magnitudes linear in the φ basis, then factored into the minimum-phase biquad. Returns
/// `None` when the fit is not realisable (a squared magnitude negative somewhere).
pub fn fitted(analog: &AnalogSection, f0_hz: f64, sample_rate: f64) -> Option<Biquad> {
    fitted_up_to(analog, f0_hz, sample_rate, 0.5 * sample_rate)
}

/// [`fitted`] on the band from `f0 / 64` to `top` only: free above `top` (20 kHz, where the
/// prototype is not held to), so it can bend towards Nyquist as the band needs.
fn fitted_up_to(analog: &AnalogSection, f0_hz: f64, sample_rate: f64, top: f64) -> Option<Biquad> {
    let nyquist = 0.5 * sample_rate;
    let low = (f0_hz / 64.0).clamp(2.0, 0.5 * top);
    let points = log_points::<FIT_POINTS>(low, top.min(nyquist), sample_rate, |f| {
        analog.power(f / f0_hz)
    });
    // Start from the impulse-invariant poles' denominator: the weights then already turn the
    // equation error into the relative error where the denominator is small.
    let (a1, a2) = digital_poles(analog, 2.0 * PI * f0_hz / sample_rate);
    let nyquist_denominator = (1.0 - a1 + a2).powi(2);
    fit_squared(&points, |phi| {
        ((1.0 + a1 + a2).powi(2) * phi[0] + nyquist_denominator * phi[1] - 4.0 * a2 * phi[2])
            / nyquist_denominator
    })
}

/// `N` log-spaced fit points from `low` to `high` Hz: the φ basis and `target(f)`, the squared
/// magnitude to fit.
fn log_points<const N: usize>(
    low: f64,
    high: f64,
    sample_rate: f64,
    target: impl Fn(f64) -> f64,
) -> [([f64; 3], f64); N] {
    let step = (high / low).ln() / (N - 1) as f64;
    std::array::from_fn(|k| {
        let f = (low * (step * k as f64).exp()).min(high);
        (phis(2.0 * PI * f / sample_rate), target(f))
    })
}

/// The biquad whose squared magnitude fits the points' targets with the least relative error,
/// starting from weights `1 / (target · initial(φ))`.
fn fit_squared<const N: usize>(
    points: &[([f64; 3], f64); N],
    initial: impl Fn(&[f64; 3]) -> f64,
) -> Option<Biquad> {
    let mut weights: [f64; N] =
        std::array::from_fn(|k| 1.0 / (points[k].1.max(1e-12) * initial(&points[k].0)));
    let mut solution = None;
    for _ in 0..FIT_PASSES {
        // Unknowns B0, B1, B2, A0, A2 (A1 = 1: the squared denominator at Nyquist, never zero
        // for poles below Nyquist). Residual: B·φ - T (A0 φ0 + φ1 + A2 φ2).
        let mut normal = [[0.0; 6]; 5];
        for ((phi, t), &w) in points.iter().zip(&weights) {
            let row = [phi[0], phi[1], phi[2], -t * phi[0], -t * phi[2]];
            let rhs = t * phi[1];
            for i in 0..5 {
                for j in 0..5 {
                    normal[i][j] += w * w * row[i] * row[j];
                }
                normal[i][5] += w * w * row[i] * rhs;
            }
        }
        let x = solve5(normal)?;
        for ((phi, t), w) in points.iter().zip(weights.iter_mut()) {
            let d = x[3] * phi[0] + phi[1] + x[4] * phi[2];
            if d <= 0.0 {
                return None;
            }
            *w = 1.0 / (t.max(1e-12) * d);
        }
        solution = Some(x);
    }
    let [b0_sq, b1_sq, b2_sq, a0_sq, a2_sq] = solution?;
    let a = factor(a0_sq, 1.0, a2_sq)?;
    let b = factor(b0_sq, b1_sq, b2_sq)?;
    Some(Biquad::from_polynomials(b, a))
}

/// Upper end of the audio band the design is held to.
const AUDIO_TOP_HZ: f64 = 20_000.0;

/// Gaussian elimination with partial pivoting on a 5x5 system (augmented).
fn solve5(mut m: [[f64; 6]; 5]) -> Option<[f64; 5]> {
    for col in 0..5 {
        let pivot = (col..5).max_by(|&a, &b| m[a][col].abs().total_cmp(&m[b][col].abs()))?;
        m.swap(col, pivot);
        if m[col][col].abs() < 1e-300 {
            return None;
        }
        let pivot_row = m[col];
        for row in m.iter_mut().skip(col + 1) {
            let factor = row[col] / pivot_row[col];
            for (value, &p) in row.iter_mut().zip(&pivot_row).skip(col) {
                *value -= factor * p;
            }
        }
    }
    let mut x = [0.0; 5];
    for row in (0..5).rev() {
        let tail: f64 = (row + 1..5).map(|k| m[row][k] * x[k]).sum();
        x[row] = (m[row][5] - tail) / m[row][row];
    }
    x.iter().all(|v| v.is_finite()).then_some(x)
}

/// The minimum-phase `[c0, c1, c2]` with `(c0+c1+c2)² = s0`, `(c0-c1+c2)² = s1`,
/// `-4 c0 c2 = s2`, if there is one.
pub(super) fn factor(s0: f64, s1: f64, s2: f64) -> Option<[f64; 3]> {
    if s0 < 0.0 || s1 < 0.0 {
        return None;
    }
    let (r0, r1) = (s0.sqrt(), s1.sqrt());
    // c0 + c2 is (r0 + r1)/2 when both sums share a sign, else (r0 - r1)/2.
    for w in [0.5 * (r0 + r1), 0.5 * (r0 - r1).abs()] {
        let disc = w * w + s2;
        if disc >= 0.0 {
            let c0 = 0.5 * (w + disc.sqrt());
            if c0 <= 0.0 {
                continue;
            }
            let c2 = -s2 / (4.0 * c0);
            let c1 = if w == 0.5 * (r0 + r1) {
                0.5 * (r0 - r1)
            } else {
                0.5 * (r0 + r1) * if r0 >= r1 { 1.0 } else { -1.0 }
            };
            return Some([c0, c1, c2]);
        }
    }
    None
}

/// `φ0 = cos²(w/2)`, `φ1 = sin²(w/2)`, `φ2 = 4 φ0 φ1` at angular frequency `w` (radians per
/// sample): in this basis a biquad's squared magnitude is linear in its coefficients' squares
/// (Vicanek eq. 7), so many sections are evaluated at one frequency with one sine.
pub fn phis(w: f64) -> [f64; 3] {
    let s = (0.5 * w).sin().powi(2);
    [1.0 - s, s, 4.0 * (1.0 - s) * s]
}

/// Squared magnitude of `c` where the basis is `phi` (from [`phis`]).
#[inline]
pub fn power(c: &Biquad, phi: &[f64; 3]) -> f64 {
    let part = |c0: f64, c1: f64, c2: f64| {
        (c0 + c1 + c2).powi(2) * phi[0] + (c0 - c1 + c2).powi(2) * phi[1] - 4.0 * c0 * c2 * phi[2]
    };
    part(c.b0, c.b1, c.b2) / part(1.0, c.a1, c.a2)
}

/// The digital denominator `(a1, a2)` with the analog poles mapped by `z = e^{sT}`.
fn digital_poles(analog: &AnalogSection, w0: f64) -> (f64, f64) {
    let [d0, d1, d2] = analog.d;
    let discriminant = d1 * d1 - 4.0 * d2 * d0;
    let sigma = -d1 / (2.0 * d2) * w0;
    if discriminant < 0.0 {
        let angle = ((-discriminant).sqrt() / (2.0 * d2) * w0).min(MAX_POLE_ANGLE);
        let radius = sigma.exp();
        (-2.0 * radius * angle.cos(), radius * radius)
    } else {
        let spread = discriminant.sqrt() / (2.0 * d2) * w0;
        let (p1, p2) = ((sigma + spread).exp(), (sigma - spread).exp());
        (-(p1 + p2), p1 * p2)
    }
}

/// Recovers `b0, b1, b2` from `B0 = (b0+b1+b2)²`, `B1 = (b0-b1+b2)²`, `B2 = -4 b0 b2` (the
/// minimum-phase root). A `B2` beyond what any real numerator reaches is clipped to the nearest
/// reachable value (the match point is then met as closely as possible).
fn numerator_from_squares(b0_sq: f64, b1_sq: f64, b2_sq: f64, a1: f64, a2: f64) -> Biquad {
    let (r0, r1) = (b0_sq.max(0.0).sqrt(), b1_sq.max(0.0).sqrt());
    let w = 0.5 * (r0 + r1);
    let b0 = 0.5 * (w + (w * w + b2_sq).max(0.0).sqrt());
    let b1 = 0.5 * (r0 - r1);
    let b2 = if b0 > 0.0 { -b2_sq / (4.0 * b0) } else { 0.0 };
    Biquad { b0, b1, b2, a1, a2 }
}

fn matched_first_order(analog: &AnalogSection, w0: f64, nyquist_ratio: f64) -> Biquad {
    let pole = (-analog.d[0] / analog.d[1] * w0).exp();
    let a1 = -pole;
    let r0 = (analog.power(0.0)).sqrt() * (1.0 + a1);
    let r1 = (analog.power(nyquist_ratio)).sqrt() * (1.0 - a1);
    Biquad {
        b0: 0.5 * (r0 + r1),
        b1: 0.5 * (r0 - r1),
        b2: 0.0,
        a1,
        a2: 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bell(gain_db: f64, q: f64) -> AnalogSection {
        let a = 10f64.powf(gain_db / 40.0);
        AnalogSection {
            n: [1.0, a / q, 1.0],
            d: [1.0, 1.0 / (a * q), 1.0],
        }
    }

    #[test]
    fn the_matched_points_are_exact() {
        let rate = 44_100.0;
        for (f0, gain, q) in [(1000.0, 6.0, 1.0), (15_000.0, -9.0, 0.7), (40.0, 12.0, 3.0)] {
            let analog = bell(gain, q);
            let digital = matched(&analog, f0, f0, rate);
            for f in [1e-3, f0, rate / 2.0] {
                let want = 10.0 * analog.power(f / f0).log10();
                let got = digital.magnitude_db(f, rate);
                assert!((want - got).abs() < 1e-6, "{f0} Hz at {f}: {want} vs {got}");
            }
        }
    }

    #[test]
    fn power_in_the_phi_basis_equals_the_biquads_magnitude() {
        let rate = 48_000.0;
        let c = matched(&bell(7.0, 2.0), 3000.0, 3000.0, rate);
        for f in [20.0, 3000.0, 11_000.0, 23_900.0] {
            let phi = phis(2.0 * PI * f / rate);
            let db = 10.0 * power(&c, &phi).log10();
            assert!((db - c.magnitude_db(f, rate)).abs() < 1e-9, "{f}");
        }
    }

    #[test]
    fn first_order_high_pass_matches_at_dc_and_nyquist() {
        let rate = 48_000.0;
        let analog = AnalogSection {
            n: [0.0, 1.0, 0.0],
            d: [1.0, 1.0, 0.0],
        };
        let digital = matched(&analog, 3000.0, 3000.0, rate);
        let want = 10.0 * analog.power(8.0).log10();
        assert!((digital.magnitude_db(24_000.0, rate) - want).abs() < 1e-9);
        assert!(digital.magnitude_db(1.0, rate) < -60.0);
    }
}
