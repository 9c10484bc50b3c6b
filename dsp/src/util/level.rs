//! Decibel conversions. `gain` is always a linear amplitude factor.

/// Converts decibels to a linear amplitude factor.
#[inline]
pub fn db_to_gain(db: f64) -> f64 {
    10f64.powf(db * 0.05)
}

/// Converts a linear amplitude factor to decibels; silence gives `-inf`.
#[inline]
pub fn gain_to_db(gain: f64) -> f64 {
    20.0 * gain.abs().log10()
}

/// Converts a mean-square (power) value to decibels; silence gives `-inf`.
#[inline]
pub fn power_to_db(power: f64) -> f64 {
    10.0 * power.log10()
}

/// `peak.max(candidate)` for a running maximum that starts as a number: a NaN candidate is
/// ignored, as `max` ignores it, in one instruction. (`max` also guards against a NaN `peak`,
/// with three more instructions on the running value's dependency chain, which bound the
/// loudness profile's and the limiter envelope's loops.)
#[inline(always)]
pub fn running_max<T: PartialOrd>(peak: T, candidate: T) -> T {
    if candidate > peak { candidate } else { peak }
}

/// `low.min(candidate)` for a running minimum that starts as a number (see [`running_max`]).
#[inline(always)]
pub fn running_min<T: PartialOrd>(low: T, candidate: T) -> T {
    if candidate < low { candidate } else { low }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn running_extremes_are_max_and_min_and_ignore_nan_candidates() {
        for (a, b) in [(0.5f32, 0.25), (0.25, 0.5), (1.0, 1.0)] {
            assert_eq!(running_max(a, b), a.max(b));
            assert_eq!(running_min(a, b), a.min(b));
            assert_eq!(running_min(f64::from(a), f64::from(b)), f64::from(a.min(b)));
        }
        assert_eq!(running_max(0.5, f32::NAN), 0.5);
        assert_eq!(running_min(0.5, f64::NAN), 0.5);
    }

    #[test]
    fn conversions_are_inverse_and_anchored() {
        assert!((db_to_gain(-6.020_599_913_279_624) - 0.5).abs() < 1e-15);
        assert!((gain_to_db(db_to_gain(-13.7)) + 13.7).abs() < 1e-12);
        assert!((power_to_db(0.01) + 20.0).abs() < 1e-12);
        assert_eq!(gain_to_db(0.0), f64::NEG_INFINITY);
    }
}
