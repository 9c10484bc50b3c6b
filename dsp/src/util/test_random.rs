//! A seeded generator for the tests: the same values on every run and machine. The unit tests
//! reach it here; the integration tests include this file (`tests/common`).

/// Values uniform in 0..1 (xorshift64, 53 bits) from `seed` (nonzero).
pub fn unit_random(seed: u64) -> impl FnMut() -> f64 {
    let mut state = seed;
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    }
}
