//! Integer helpers.

/// Greatest common divisor (Euclid); `gcd(a, 0) = a`.
pub fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_rate_periods() {
        assert_eq!(gcd(48_000, 44_100), 300);
        assert_eq!(gcd(44_100, 88_200), 44_100);
        assert_eq!(gcd(44_101, 44_100), 1);
        assert_eq!(gcd(7, 0), 7);
    }
}
