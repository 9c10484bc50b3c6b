//! Whole-block scans that vectorise.

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

/// Whether every value is finite: on the magnitudes' bits, infinity and NaN lie above every
/// finite value, so one integer maximum over the block decides (it vectorises; per-value
/// float tests compile to scalar bit tests).
#[inline]
pub fn all_finite(values: &[f32]) -> bool {
    let largest = values
        .iter()
        .map(|x| x.to_bits() & 0x7fff_ffff)
        .fold(0, u32::max);
    largest < f32::INFINITY.to_bits()
}

/// Whether every value is finite and nonzero: as [`all_finite`], with one taken from each
/// magnitude first, so zero wraps to the largest number.
#[inline]
pub fn all_finite_and_nonzero(values: &[f32]) -> bool {
    let largest = values
        .iter()
        .map(|x| (x.to_bits() & 0x7fff_ffff).wrapping_sub(1))
        .fold(0, u32::max);
    largest < f32::MAX.to_bits()
}

/// Calls `f` with each index `j` where `a[j] + b[j] > floor`, in order. Sixteen indices are
/// screened at once (vectorised), so stretches below the floor cost little.
#[inline]
pub fn for_each_sum_above(a: &[f32], b: &[f32], floor: f32, mut f: impl FnMut(usize)) {
    let len = a.len().min(b.len());
    for start in (0..len).step_by(16) {
        let end = len.min(start + 16);
        let pairs = a[start..end].iter().zip(&b[start..end]);
        if pairs
            .clone()
            .fold(false, |any, (&x, &y)| any | (x + y > floor))
        {
            for (j, (&x, &y)) in (start..end).zip(pairs) {
                if x + y > floor {
                    f(j);
                }
            }
        }
    }
}

/// The index of the first value above `floor`. Sixteen values are screened at once
/// (vectorised), so stretches below the floor cost little.
#[inline]
pub fn first_above(values: &[f32], floor: f32) -> Option<usize> {
    let mut start = 0;
    for group in values.chunks(16) {
        if group.iter().fold(false, |any, &x| any | (x > floor)) {
            return group.iter().position(|&x| x > floor).map(|i| start + i);
        }
        start += group.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finite_and_nonzero_blocks_are_told_from_the_rest() {
        let good = [
            1.0,
            -0.5,
            f32::MAX,
            -f32::MAX,
            f32::MIN_POSITIVE,
            1e-45,
            -1e-45,
        ];
        let bad = [
            0.0,
            -0.0,
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::NAN,
            -f32::NAN,
        ];
        assert!(all_finite_and_nonzero(&good) && all_finite(&good));
        for x in bad {
            for at in 0..good.len() {
                let mut block = good.to_vec();
                block.insert(at, x);
                assert!(!all_finite_and_nonzero(&block), "{x} at {at}");
                assert_eq!(all_finite(&block), x == 0.0, "{x} at {at}");
            }
        }
    }

    #[test]
    fn the_first_value_above_is_found_at_every_position() {
        for len in 0..40 {
            assert_eq!(first_above(&vec![1.0; len], 1.0), None);
            for at in 0..len {
                // One value above at `at`, and a larger one at the end after it.
                let mut values = vec![1.0f32; len];
                values[at] = 2.0;
                if at + 1 < len {
                    values[len - 1] = 3.0;
                }
                assert_eq!(first_above(&values, 1.0), Some(at), "{len} {at}");
            }
        }
    }

    #[test]
    fn sums_above_are_found_in_order() {
        let a: Vec<f32> = (0..53).map(|j| ((j * 7919) % 13) as f32).collect();
        let b: Vec<f32> = (0..53)
            .map(|j| if j % 5 == 0 { f32::NAN } else { 0.5 })
            .collect();
        let mut found = Vec::new();
        for_each_sum_above(&a, &b, 9.0, |j| found.push(j));
        let expected: Vec<usize> = (0..53).filter(|&j| a[j] + b[j] > 9.0).collect();
        assert!(!expected.is_empty());
        assert_eq!(found, expected);
    }

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
