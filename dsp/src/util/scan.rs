//! Whole-block tests that vectorise.

/// Whether `test` holds for every value. Values are tested sixteen at a time without stopping
/// inside a group, so the test vectorises (a plain `all` stops after each value and runs one
/// value at a time); long blocks still stop at the first failing group.
#[inline]
pub fn all_of(values: &[f32], test: impl Fn(f32) -> bool) -> bool {
    let mut groups = values.chunks_exact(16);
    groups
        .by_ref()
        .all(|group| group.iter().fold(true, |all, &x| all & test(x)))
        && groups.remainder().iter().all(|&x| test(x))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_all_at_every_length_and_position() {
        for len in 0..70 {
            let ones = vec![1.0f32; len];
            assert!(all_of(&ones, |x| x == 1.0));
            for at in 0..len {
                let mut values = ones.clone();
                values[at] = f32::NAN;
                assert!(!all_of(&values, |x| x == 1.0), "{len} {at}");
                assert!(all_of(&values, |x| x == 1.0 || x.is_nan()), "{len} {at}");
            }
        }
    }
}
