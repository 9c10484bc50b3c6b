//! Test signals.

/// Deterministic stereo programme-like noise: a low sine under xorshift noise, in about ±0.9.
pub fn programme(frames: usize, seed: u32) -> [Vec<f32>; 2] {
    let mut state = seed.max(1);
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        state as f32 / u32::MAX as f32 * 2.0 - 1.0
    };
    let mut left = Vec::with_capacity(frames);
    let mut right = Vec::with_capacity(frames);
    for n in 0..frames {
        let tone = 0.4 * (n as f32 * 0.013).sin();
        left.push(tone + 0.45 * next());
        right.push(tone + 0.45 * next());
    }
    [left, right]
}

/// Largest absolute difference between two signals over their common length.
pub fn max_difference(a: &[f32], b: &[f32]) -> f32 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

/// RMS of a signal.
pub fn rms(signal: &[f32]) -> f64 {
    let sum: f64 = signal.iter().map(|&x| f64::from(x) * f64::from(x)).sum();
    (sum / signal.len().max(1) as f64).sqrt()
}

/// Asserts two multichannel signals are identical sample for sample, reporting the first
/// difference and the largest one (instead of printing the audio).
#[track_caller]
pub fn assert_identical(got: &[Vec<f32>], want: &[Vec<f32>], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: channel count");
    for (c, (g, w)) in got.iter().zip(want).enumerate() {
        assert_eq!(g.len(), w.len(), "{what}: channel {c} length");
        if let Some(first) = g
            .iter()
            .zip(w)
            .position(|(a, b)| a.to_bits() != b.to_bits())
        {
            panic!(
                "{what}: channel {c} differs from frame {first} ({} vs {}), by up to {}",
                g[first],
                w[first],
                max_difference(g, w)
            );
        }
    }
}
