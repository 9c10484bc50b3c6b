//! Time constants: milliseconds to samples, and one-pole smoothing steps.

/// Samples in `ms` milliseconds at `sample_rate` (fractional: callers round as they need).
#[inline]
pub fn ms_to_samples(ms: f64, sample_rate: f64) -> f64 {
    ms * 0.001 * sample_rate
}

/// The share of the remaining distance a one-pole smoother with time constant `time_ms`
/// covers in `step` samples (`1 - e^(-step/τ)`): smoothers that update every `step` samples use
/// it so their time constant does not depend on the update interval.
#[inline]
pub fn smoothing_step(step: f64, time_ms: f64, sample_rate: f64) -> f64 {
    1.0 - (-step / ms_to_samples(time_ms, sample_rate)).exp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_time_constant_covers_63_percent() {
        assert_eq!(ms_to_samples(1.5, 48_000.0), 72.0);
        let per_sample = smoothing_step(1.0, 10.0, 48_000.0);
        let remaining = (1.0 - per_sample).powi(480);
        assert!((remaining - (-1.0f64).exp()).abs() < 1e-12);
        // Stepping 32 samples at once covers what 32 single steps do.
        let stepped = 1.0 - smoothing_step(32.0, 10.0, 48_000.0);
        assert!((stepped - (1.0 - per_sample).powi(32)).abs() < 1e-12);
    }
}
