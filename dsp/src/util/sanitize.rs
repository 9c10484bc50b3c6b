//! Keeping bad input out of the chain.

/// Replaces NaN and infinite samples with silence and flushes subnormals to zero.
///
/// Returns how many samples were not finite, so callers can report it. A non-finite sample is
/// treated as a dropout: zero is the only value that cannot excite filters or hold a limiter
/// down for seconds. Subnormals are flushed because hosts do not all set FTZ/DAZ.
pub fn sanitize(channels: &mut [&mut [f32]]) -> usize {
    let mut non_finite = 0;
    for channel in channels.iter_mut() {
        // Branch-free, so it vectorises: normal numbers and zeros stay, the rest turn to zero.
        for x in channel.iter_mut() {
            non_finite += usize::from(!x.is_finite());
            *x = if x.is_normal() { *x } else { 0.0 };
        }
    }
    non_finite
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_zeroes_nan_inf_and_subnormals_and_counts_the_bad_ones() {
        let mut data = [
            f32::NAN,
            0.5,
            f32::INFINITY,
            f32::MIN_POSITIVE / 4.0,
            -0.25,
            f32::NEG_INFINITY,
        ];
        let bad = sanitize(&mut [&mut data[..]]);
        assert_eq!(bad, 3);
        assert_eq!(data, [0.0, 0.5, 0.0, 0.0, -0.25, 0.0]);
    }
}
