//! A jointly fitted pair of sections (fourth order) for broad bands near Nyquist.
//!
//! A single digital section is flat at Nyquist, so a broad shelf or bell that is still moving
//! at 20 kHz on a 44.1 kHz session cannot follow its analog prototype there: second order
//! leaves up to ~0.7 dB. Two sections fitted together have room to follow the curve to 20 kHz
//! and turn flat in the last 2 kHz, where nothing is held to the prototype.
//!
//! The squared magnitude of a fourth-order filter is a ratio of quartics in
//! `s = sin²(w/2)` (0 at DC, 1 at Nyquist). Both quartics are fitted by weighted linear least
//! squares (Sanathanan-Koerner reweighting turns the equation error into the relative error),
//! and each is split into two quadratics, which are the squared magnitudes of minimum-phase
//! biquads.

use realfft::num_complex::Complex;
use std::f64::consts::PI;

use super::design::{AnalogSection, factor};
use crate::filter::Biquad;

/// Fit points: log-spaced from the band's low skirt to 20 kHz, and as many again close around
/// the centre (a narrow bell's peak would fall between the first kind).
const SPREAD_POINTS: usize = 24;
const CENTRE_POINTS: usize = 16;
/// Guard points between 20 kHz and Nyquist, lightly held to the prototype's value at 20 kHz
/// when the free fit is not realisable (it went negative up there); they cost accuracy below,
/// so the free fit goes first.
const GUARD_POINTS: usize = 4;
const GUARD_WEIGHT: f64 = 0.1;
const HELD_POINTS: usize = SPREAD_POINTS + CENTRE_POINTS;
const POINTS: usize = HELD_POINTS + GUARD_POINTS;
/// Unknowns: numerator n0..n4 and denominator d1..d4 (d0 = 1: the squared denominator at DC).
const UNKNOWNS: usize = 9;
/// Sanathanan-Koerner passes (each divides by the previous denominator, turning the equation
/// error into the relative error).
const PASSES: usize = 3;

/// Two biquads whose cascade fits `analog` (centred at `f0_hz`) from `f0 / 64` to `top_hz`,
/// starting from the denominator of `start` (a second-order design of the same band): of the
/// passes' fits that are realisable, the one with the smallest worst error. `None` when none
/// is, free or guarded.
pub fn fitted_pair(
    analog: &AnalogSection,
    f0_hz: f64,
    sample_rate: f64,
    top_hz: f64,
    start: &Biquad,
) -> Option<[Biquad; 2]> {
    fit_with_guard(analog, f0_hz, sample_rate, top_hz, start, 0.0)
        .or_else(|| fit_with_guard(analog, f0_hz, sample_rate, top_hz, start, GUARD_WEIGHT))
}

fn fit_with_guard(
    analog: &AnalogSection,
    f0_hz: f64,
    sample_rate: f64,
    top_hz: f64,
    start: &Biquad,
    guard_weight: f64,
) -> Option<[Biquad; 2]> {
    let nyquist = 0.5 * sample_rate;
    let low = (f0_hz / 64.0).clamp(2.0, 0.5 * top_hz);
    let step = (top_hz / low).ln() / (SPREAD_POINTS - 1) as f64;
    let (centre_low, centre_high) = analog.centre_span(f0_hz, low, top_hz);
    let centre_step = (centre_high / centre_low).ln() / (CENTRE_POINTS - 1) as f64;
    let at_top = analog.power(top_hz / f0_hz);
    let points: [(f64, f64); POINTS] = std::array::from_fn(|k| {
        let (f, target) = if k < SPREAD_POINTS {
            (low * (step * k as f64).exp(), None)
        } else if k < HELD_POINTS {
            (
                centre_low * (centre_step * (k - SPREAD_POINTS) as f64).exp(),
                None,
            )
        } else {
            let x = (k - HELD_POINTS + 1) as f64 / GUARD_POINTS as f64;
            (top_hz + x * (nyquist - top_hz), Some(at_top))
        };
        let s = (PI * f / sample_rate).sin().powi(2);
        (s, target.unwrap_or_else(|| analog.power(f / f0_hz)))
    });
    let start_powers = [
        section_quadratic(start.b0, start.b1, start.b2),
        section_quadratic(1.0, start.a1, start.a2),
    ];
    let start_den = start_powers[1].map(|c| c / start_powers[1][0]);
    let start_den = [start_den[0], start_den[1], start_den[2], 0.0, 0.0];
    let mut weights: [f64; POINTS] =
        std::array::from_fn(|k| 1.0 / (points[k].1 * eval(&start_den, points[k].0)));
    let held: [f64; POINTS] = std::array::from_fn(|k| {
        if k < HELD_POINTS {
            1.0
        } else {
            guard_weight.sqrt()
        }
    });
    let mut best: Option<(f64, [Biquad; 2])> = None;
    for _ in 0..PASSES {
        let mut rows = [[0.0; UNKNOWNS + 1]; POINTS];
        for (k, &(s, t)) in points.iter().enumerate() {
            let w = weights[k] * held[k];
            let mut p = 1.0;
            for j in 0..5 {
                rows[k][j] = w * p;
                if j > 0 {
                    rows[k][4 + j] = -w * t * p;
                }
                p *= s;
            }
            rows[k][UNKNOWNS] = w * t;
        }
        let x = least_squares(rows)?;
        let num = [x[0], x[1], x[2], x[3], x[4]];
        let den = [1.0, x[5], x[6], x[7], x[8]];
        let mut worst = 0.0f64;
        let mut positive = true;
        for (k, &(s, t)) in points.iter().enumerate() {
            let (n, d) = (eval(&num, s), eval(&den, s));
            positive &= k >= HELD_POINTS || (n > 0.0 && d > 0.0);
            // A pass that went negative somewhere still steers the next one's weights.
            weights[k] = 1.0 / (t * d.abs().max(1e-12));
            if k < HELD_POINTS {
                worst = worst.max((n / d / t).abs().ln().abs());
            }
        }
        if positive
            && best.is_none_or(|(e, _)| worst < e)
            && let Some(pair) = split(&num, &den, &points[..HELD_POINTS], &start_powers)
        {
            best = Some((worst, pair));
        }
    }
    best.map(|(_, pair)| pair)
}

/// `c0 + c1 s + c2 s²` (the squared magnitude of `c0 + c1 z⁻¹ + c2 z⁻²` in `s`).
fn section_quadratic(c0: f64, c1: f64, c2: f64) -> [f64; 3] {
    let at_dc = (c0 + c1 + c2).powi(2);
    let at_nyquist = (c0 - c1 + c2).powi(2);
    let cross = -4.0 * c0 * c2;
    // B0 φ0 + B1 φ1 + B2 φ2 with φ0 = 1 - s, φ1 = s, φ2 = 4 s (1 - s).
    [at_dc, at_nyquist - at_dc + 4.0 * cross, -4.0 * cross]
}

fn eval<const N: usize>(poly: &[f64; N], s: f64) -> f64 {
    poly.iter().rev().fold(0.0, |acc, &c| acc * s + c)
}

/// The two biquads of the fitted squared magnitude `num / den` (quartics in `s`), arranged so
/// that the first is the one closer to `start` (`[numerator, denominator]` in `s`) on `points`
/// and the second, the correction, has unit gain at DC. A band gliding between a single
/// section and a pair then hands its filter state over without a click: the signal between
/// the two sections is close to the single section's output.
fn split(
    num: &[f64; 5],
    den: &[f64; 5],
    points: &[(f64, f64)],
    start: &[[f64; 3]; 2],
) -> Option<[Biquad; 2]> {
    let n = quadratic_factors(num)?;
    let d = quadratic_factors(den)?;
    let distance = |(i, j): (usize, usize)| -> f64 {
        points
            .iter()
            .map(|&(s, _)| {
                let ours = eval(&n[i], s) / eval(&d[j], s);
                let theirs = eval(&start[0], s) / eval(&start[1], s);
                (ours / theirs).ln().powi(2)
            })
            .sum()
    };
    let (i, j) = [(0, 0), (0, 1), (1, 0), (1, 1)]
        .into_iter()
        .min_by(|&a, &b| distance(a).total_cmp(&distance(b)))?;
    let (mut first_n, first_d, mut second_n, second_d) = (n[i], d[j], n[1 - i], d[1 - j]);
    let unity = second_d[0] / second_n[0];
    second_n.iter_mut().for_each(|c| *c *= unity);
    first_n.iter_mut().for_each(|c| *c /= unity);
    let to_section = |q: &[f64; 3]| factor(q[0], q[0] + q[1] + q[2], -0.25 * q[2]);
    let section =
        |n: &[f64; 3], d: &[f64; 3]| Some(Biquad::from_polynomials(to_section(n)?, to_section(d)?));
    Some([section(&first_n, &first_d)?, section(&second_n, &second_d)?])
}

/// Splits a quartic in `s` that is positive on `[0, 1]` into two quadratics that are each
/// positive there. `None` if it has a root in `[0, 1]` (or is not a quartic).
fn quadratic_factors(poly: &[f64; 5]) -> Option<[[f64; 3]; 2]> {
    let lead = poly[4];
    if lead == 0.0 || !lead.is_finite() {
        return None;
    }
    let mut roots = quartic_roots(poly)?;
    // Conjugate pairs sit next to each other once sorted by real part, then by imaginary
    // part; two real roots pair with each other.
    roots.sort_by(|a, b| a.re.total_cmp(&b.re).then(a.im.total_cmp(&b.im)));
    let pairs = pair_up(&roots)?;
    let mut factors = pairs.map(|(a, b)| [(a * b).re, -(a + b).re, 1.0]);
    factors[0].iter_mut().for_each(|c| *c *= lead);
    for f in factors.iter_mut() {
        if f[0] < 0.0 {
            f.iter_mut().for_each(|c| *c = -*c);
        }
    }
    let positive = |f: &[f64; 3]| f[0] > 0.0 && f[0] + f[1] + f[2] > 0.0 && !root_inside(f);
    factors.iter().all(positive).then_some(factors)
}

/// Groups four roots into two pairs whose products are real: conjugates together.
fn pair_up(roots: &[Complex<f64>; 4]) -> Option<[(Complex<f64>, Complex<f64>); 2]> {
    let is_real = |z: &Complex<f64>| z.im.abs() <= 1e-9 * (1.0 + z.re.abs());
    let (mut real, mut complex) = ([Complex::default(); 4], [Complex::default(); 4]);
    let (mut nr, mut nc) = (0, 0);
    for z in roots {
        if is_real(z) {
            real[nr] = Complex::new(z.re, 0.0);
            nr += 1;
        } else if z.im > 0.0 {
            complex[nc] = *z;
            nc += 1;
        }
    }
    match (nr, nc) {
        (4, 0) => Some([(real[0], real[1]), (real[2], real[3])]),
        (2, 1) => Some([(real[0], real[1]), (complex[0], complex[0].conj())]),
        (0, 2) => Some([
            (complex[0], complex[0].conj()),
            (complex[1], complex[1].conj()),
        ]),
        _ => None,
    }
}

/// Whether `f0 + f1 s + f2 s²` has a real root in `[0, 1]`.
fn root_inside(f: &[f64; 3]) -> bool {
    let disc = f[1] * f[1] - 4.0 * f[2] * f[0];
    if disc < 0.0 || f[2] == 0.0 {
        return false;
    }
    let r = disc.sqrt();
    [(-f[1] - r) / (2.0 * f[2]), (-f[1] + r) / (2.0 * f[2])]
        .iter()
        .any(|x| (0.0..=1.0).contains(x))
}

/// The four roots of a quartic (Aberth iteration from points on a circle).
fn quartic_roots(poly: &[f64; 5]) -> Option<[Complex<f64>; 4]> {
    let monic: [f64; 5] = std::array::from_fn(|k| poly[k] / poly[4]);
    // Fujiwara's bound on the roots' size sets the start circle.
    let radius = (0..4)
        .map(|k| monic[k].abs().powf(1.0 / (4 - k) as f64))
        .fold(0.0, f64::max)
        .max(1e-12);
    let value = |z: Complex<f64>| {
        monic
            .iter()
            .rev()
            .fold(Complex::new(0.0, 0.0), |acc, &c| acc * z + c)
    };
    let slope = |z: Complex<f64>| {
        (1..5).rev().fold(Complex::new(0.0, 0.0), |acc, k| {
            acc * z + monic[k] * k as f64
        })
    };
    let mut roots: [Complex<f64>; 4] =
        std::array::from_fn(|k| Complex::from_polar(radius, 0.4 + 2.0 * PI * k as f64 / 4.0));
    for _ in 0..100 {
        let mut moved = 0.0f64;
        for i in 0..4 {
            let z = roots[i];
            let ratio = value(z) / slope(z);
            let repulsion: Complex<f64> = (0..4)
                .filter(|&j| j != i)
                .map(|j| (z - roots[j]).inv())
                .sum();
            let delta = ratio / (Complex::new(1.0, 0.0) - ratio * repulsion);
            if delta.is_finite() {
                roots[i] = z - delta;
                moved = moved.max(delta.norm() / (1.0 + z.norm()));
            }
        }
        if moved < 1e-15 {
            break;
        }
    }
    roots.iter().all(|z| z.is_finite()).then_some(roots)
}

/// Least squares on the augmented rows `[a | b]` (`a · x ≈ b`) by Householder QR: the normal
/// equations would square the monomial basis's conditioning.
fn least_squares(mut rows: [[f64; UNKNOWNS + 1]; POINTS]) -> Option<[f64; UNKNOWNS]> {
    for col in 0..UNKNOWNS {
        let norm = rows[col..]
            .iter()
            .map(|r| r[col] * r[col])
            .sum::<f64>()
            .sqrt();
        if norm == 0.0 || !norm.is_finite() {
            return None;
        }
        // The reflector v = column - alpha e_col maps the column onto alpha e_col.
        let alpha = if rows[col][col] > 0.0 { -norm } else { norm };
        let mut v = [0.0; POINTS];
        for (v, r) in v[col..].iter_mut().zip(&rows[col..]) {
            *v = r[col];
        }
        v[col] -= alpha;
        let vv: f64 = v[col..].iter().map(|x| x * x).sum();
        for c in col..=UNKNOWNS {
            let dot: f64 = v[col..]
                .iter()
                .zip(&rows[col..])
                .map(|(v, r)| v * r[c])
                .sum();
            let k = 2.0 * dot / vv;
            for (v, r) in v[col..].iter().zip(rows[col..].iter_mut()) {
                r[c] -= k * v;
            }
        }
    }
    let mut x = [0.0; UNKNOWNS];
    for row in (0..UNKNOWNS).rev() {
        let tail: f64 = (row + 1..UNKNOWNS).map(|k| rows[row][k] * x[k]).sum();
        x[row] = (rows[row][UNKNOWNS] - tail) / rows[row][row];
    }
    x.iter().all(|v| v.is_finite()).then_some(x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eq::design::best;

    fn eval_complex(p: &[f64; 5], z: Complex<f64>) -> Complex<f64> {
        p.iter()
            .rev()
            .fold(Complex::new(0.0, 0.0), |acc, &c| acc * z + c)
    }

    fn multiply(a: &[f64; 3], b: &[f64; 3]) -> [f64; 5] {
        let mut p = [0.0; 5];
        for (i, x) in a.iter().enumerate() {
            for (j, y) in b.iter().enumerate() {
                p[i + j] += x * y;
            }
        }
        p
    }

    #[test]
    fn the_quartic_roots_are_roots() {
        // (s - 2)(s + 0.5)(s² + 0.2 s + 0.5)
        let p = multiply(&[-1.0, -1.5, 1.0], &[0.5, 0.2, 1.0]);
        let roots = quartic_roots(&p).unwrap();
        for z in roots {
            assert!(eval_complex(&p, z).norm() < 1e-12, "{z}");
        }
        assert!(roots.iter().any(|z| (z - 2.0).norm() < 1e-12));
        assert!(roots.iter().any(|z| (z + 0.5).norm() < 1e-12));
    }

    #[test]
    fn quadratic_factors_multiply_back_and_are_positive_on_the_band() {
        for (a, b) in [
            ([0.5, 0.2, 1.0], [3.5, -4.0, 1.0]), // a complex pair, real roots 1.17 and 2.71
            ([2.0, 3.0, 1.0], [6.0, -5.0, 1.0]), // real roots -1, -2 and 2, 3
            ([0.3, -0.2, 0.5], [1.0, 0.1, 0.7]), // two complex pairs
        ] {
            let p = multiply(&a, &b);
            let [f, g] = quadratic_factors(&p).unwrap();
            let back = multiply(&f, &g);
            for (x, y) in back.iter().zip(&p) {
                assert!((x - y).abs() < 1e-9 * (1.0 + y.abs()), "{back:?} vs {p:?}");
            }
            for k in 0..=100 {
                let s = f64::from(k) / 100.0;
                assert!(eval(&f, s) > 0.0 && eval(&g, s) > 0.0, "{f:?} {g:?} at {s}");
            }
        }
        // Real roots at s = 0.5 and 3: a sign change in the band is no squared magnitude.
        let p = multiply(&[1.5, -3.5, 1.0], &[1.0, 0.0, 1.0]);
        assert!(quadratic_factors(&p).is_none());
    }

    /// A broad +16.5 dB high shelf at 16 kHz on a 44.1 kHz session: one section cannot follow it
    /// to 20 kHz, the pair can; its second section is the correction, unity at DC.
    #[test]
    fn a_pair_follows_a_broad_high_shelf_to_20_khz() {
        let (gain_db, q, f0, rate) = (16.5f64, 0.5, 16_000.0, 44_100.0);
        let a = 10f64.powf(gain_db / 40.0);
        let k = a.sqrt() / q;
        let analog = AnalogSection {
            n: [a, a * k, a * a],
            d: [a, k, 1.0],
        };
        let single = best(&analog, f0, rate);
        let pair = fitted_pair(&analog, f0, rate, 20_000.0, &single).unwrap();
        let (mut single_worst, mut pair_worst) = (0.0f64, 0.0f64);
        let mut f = 20.0;
        while f <= 20_000.0 {
            let want = 10.0 * analog.power(f / f0).log10();
            single_worst = single_worst.max((single.magnitude_db(f, rate) - want).abs());
            let got = pair[0].magnitude_db(f, rate) + pair[1].magnitude_db(f, rate);
            pair_worst = pair_worst.max((got - want).abs());
            f *= 1.01;
        }
        assert!(single_worst > 0.25, "{single_worst}");
        assert!(pair_worst < 0.01, "{pair_worst}");
        let dc_gain = |c: &Biquad| (c.b0 + c.b1 + c.b2) / (1.0 + c.a1 + c.a2);
        assert!(
            (dc_gain(&pair[1]) - 1.0).abs() < 1e-9,
            "{}",
            dc_gain(&pair[1])
        );
    }
}
