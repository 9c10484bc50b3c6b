//! Sample conversions at the edges of the dynamics and stereo processors.

/// Non-finite input is a dropout: silence (the only value that cannot excite filters or hold a
/// gain down).
#[inline]
pub(crate) fn finite(x: f32) -> f32 {
    if x.is_finite() { x } else { 0.0 }
}

/// Back to f32, saturating at the largest finite value: makeup or width on a near-overflowing
/// input must not produce infinity.
#[inline]
pub(crate) fn to_sample(y: f64) -> f32 {
    y.clamp(-f64::from(f32::MAX), f64::from(f32::MAX)) as f32
}
