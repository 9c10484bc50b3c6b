//! Test material shared by the benchmarks.

// Each benchmark compiles this module and uses only some of it.
#![allow(dead_code)]

/// Programme-like stereo: band-shaped noise plus a tone, level changing every 1.5 s between
/// -17 and -0.5 dBFS-ish peaks. Deterministic.
pub fn programme(rate: u32, seconds: usize) -> [Vec<f32>; 2] {
    let frames = rate as usize * seconds;
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut random = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f32 / (1u64 << 53) as f32 * 2.0 - 1.0
    };
    let (mut low_l, mut low_r, mut previous) = (0.0f32, 0.0f32, 0.0f32);
    let mut channels = [Vec::with_capacity(frames), Vec::with_capacity(frames)];
    for n in 0..frames {
        let gain = [0.5f32, 0.25, 0.7, 0.1][(n / (rate as usize * 3 / 2)) % 4];
        let (a, b) = (random(), random());
        low_l += 0.05 * (a - low_l);
        low_r += 0.05 * (b - low_r);
        let bright = a - previous;
        previous = a;
        let tone = (n as f32 * 0.0573).sin() * 0.3;
        channels[0].push(gain * (1.5 * low_l + 0.1 * bright + tone));
        channels[1].push(gain * (1.5 * low_r + 0.1 * bright + tone));
    }
    channels
}

/// One benchmark iteration: `output` takes `input` afresh, then `process` runs over it in
/// blocks of `block` frames.
pub fn process_in_blocks(
    input: &[Vec<f32>; 2],
    output: &mut [Vec<f32>; 2],
    block: usize,
    mut process: impl FnMut(&mut [&mut [f32]]),
) {
    for (out, source) in output.iter_mut().zip(input) {
        out.copy_from_slice(source);
    }
    let [left, right] = output;
    for (l, r) in left.chunks_mut(block).zip(right.chunks_mut(block)) {
        process(&mut [l, r]);
    }
}
