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

/// The largest difference between two multichannel signals, dBFS.
pub fn null_dbfs(a: &[Vec<f32>], b: &[Vec<f32>]) -> f64 {
    let worst = a
        .iter()
        .zip(b)
        .map(|(a, b)| max_difference(a, b))
        .fold(0.0, f32::max);
    20.0 * f64::from(worst).log10()
}

/// `frames` of a sine at `freq` Hz and `amplitude`, sampled at `rate`.
pub fn sine(rate: f64, freq: f64, amplitude: f64, frames: usize) -> Vec<f32> {
    (0..frames)
        .map(|n| (amplitude * (std::f64::consts::TAU * freq * n as f64 / rate).sin()) as f32)
        .collect()
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

/// Programme-like stereo material for property tests: band-shaped noise and tones whose level
/// moves every 0.3-3 s by up to 30 dB (5 ms glides, as a fader or compressor would, and the
/// tone keeps a continuous phase), with occasional silences, so the loudness gates, the
/// histograms and the true-peak screen all get work. The spectrum falls steeply towards fs/2
/// (below -60 dB from 0.45 fs), as in material that has passed an anti-alias filter.
/// Deterministic for a seed.
pub fn programme_material(rate: f64, seconds: f64, seed: u64) -> [Vec<f32>; 2] {
    let mut state = seed | 1;
    let mut random = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let frames = (seconds * rate) as usize;
    let glide = 1.0 - (-1.0 / (0.005 * rate)).exp();
    let (mut left, mut right) = (Vec::with_capacity(frames), Vec::with_capacity(frames));
    let (mut low_l, mut low_r, mut previous) = ([0.0f64; 2], [0.0f64; 2], 0.0f64);
    // The bright part (hats, air): differentiated noise through a binomial low-pass, so it
    // peaks around fs/6 and fades towards Nyquist as mastered programme does.
    let mut binomial = [0.0f64; 5];
    let (mut gain, mut gain_target) = (0.0, 0.0);
    let (mut tone, mut tone_target, mut phase) = (200.0, 200.0, 0.0f64);
    let mut width = 0.5;
    let mut until_change = 0usize;
    for _ in 0..frames {
        if until_change == 0 {
            until_change = ((0.3 + 2.7 * random()) * rate) as usize;
            gain_target = if random() < 0.1 {
                0.0
            } else {
                10f64.powf(-30.0 * random() / 20.0)
            };
            tone_target = 40.0 + 8000.0 * random() * random();
            width = random();
        }
        until_change -= 1;
        gain += (gain_target - gain) * glide;
        tone += (tone_target - tone) * glide;
        phase = (phase + tone / rate).fract();
        let white_l = random() * 2.0 - 1.0;
        let white_r = (1.0 - width) * white_l + width * (random() * 2.0 - 1.0);
        // Body: white noise through two one-pole low-passes (-12 dB/octave above 0.01 fs).
        low_l[0] += 0.06 * (white_l - low_l[0]);
        low_l[1] += 0.06 * (low_l[0] - low_l[1]);
        low_r[0] += 0.06 * (white_r - low_r[0]);
        low_r[1] += 0.06 * (low_r[0] - low_r[1]);
        binomial.rotate_right(1);
        binomial[0] = white_l - previous;
        previous = white_l;
        let bright =
            (binomial[0] + 4.0 * binomial[1] + 6.0 * binomial[2] + 4.0 * binomial[3] + binomial[4])
                / 16.0;
        let sine = (2.0 * std::f64::consts::PI * phase).sin();
        left.push((gain * 0.55 * (4.0 * low_l[1] + 0.4 * bright + 0.3 * sine)) as f32);
        right.push((gain * 0.55 * (4.0 * low_r[1] + 0.4 * bright + 0.3 * sine)) as f32);
    }
    [left, right]
}

/// A deterministic xorshift noise source in -1..1.
pub fn noise(frames: usize, seed: u64) -> Vec<f32> {
    let mut state = seed | 1;
    (0..frames)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            ((state >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0) as f32
        })
        .collect()
}

/// Pink noise (-3 dB per octave, Paul Kellet's filter) at about the same peak level as white.
pub fn pink_noise(frames: usize, seed: u64) -> Vec<f32> {
    let white = noise(frames, seed);
    let mut b = [0.0f64; 7];
    white
        .iter()
        .map(|&w| {
            let w = f64::from(w);
            b[0] = 0.99886 * b[0] + w * 0.055_517_9;
            b[1] = 0.99332 * b[1] + w * 0.075_075_9;
            b[2] = 0.969 * b[2] + w * 0.153_852;
            b[3] = 0.8665 * b[3] + w * 0.310_485_6;
            b[4] = 0.55 * b[4] + w * 0.532_952_2;
            b[5] = -0.7616 * b[5] - w * 0.016_898;
            let pink = b.iter().sum::<f64>() + w * 0.5362;
            b[6] = w * 0.115_926;
            (pink * 0.2) as f32
        })
        .collect()
}

/// Sinc pulses (the ideal band-limited impulse), `count` of them `spacing` samples apart,
/// centred half a sample after a sample, so their peak lies between samples.
pub fn sinc_pulses(frames: usize, count: usize, spacing: usize, amplitude: f64) -> Vec<f32> {
    let mut out = vec![0.0f32; frames];
    for c in 0..count {
        let centre = spacing / 2 + c * spacing;
        for (n, x) in out.iter_mut().enumerate() {
            let t = n as f64 - centre as f64 - 0.5;
            *x +=
                (amplitude * (std::f64::consts::PI * t).sin() / (std::f64::consts::PI * t)) as f32;
        }
    }
    out
}

/// `channels` scaled together so the largest sample magnitude is `peak_dbfs`.
pub fn normalized(mut channels: Vec<Vec<f32>>, peak_dbfs: f64) -> Vec<Vec<f32>> {
    let peak = channels
        .iter()
        .flatten()
        .fold(0.0f32, |m, x| m.max(x.abs()));
    let gain = (10f64.powf(peak_dbfs / 20.0) / f64::from(peak)) as f32;
    channels.iter_mut().flatten().for_each(|x| *x *= gain);
    channels
}
