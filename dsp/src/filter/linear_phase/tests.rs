//! The filter against analog prototypes, impulses, noise and bad input.

use std::f64::consts::PI;

use super::*;
use crate::util::gain_to_db;

const B: usize = LINEAR_PHASE_PARTITION;

fn prepared(rate: f64, channels: usize) -> LinearPhaseFilter {
    let mut filter = LinearPhaseFilter::new();
    filter.prepare(&ProcessSpec {
        sample_rate: rate,
        max_block_size: 512,
        channels,
    });
    filter
}

/// Deterministic white noise in -0.5..0.5 (xorshift).
fn noise(len: usize, seed: u64) -> Vec<f32> {
    let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 40) as f32 / (1u64 << 24) as f32 - 0.5
        })
        .collect()
}

/// Runs `input` through `filter` in blocks of `block` samples.
fn run(filter: &mut LinearPhaseFilter, input: &[Vec<f32>], block: usize) -> Vec<Vec<f32>> {
    let mut output = input.to_vec();
    let len = output[0].len();
    let mut start = 0;
    while start < len {
        let end = (start + block).min(len);
        match &mut output[..] {
            [mono] => filter.process(&mut [&mut mono[start..end]]),
            [left, right] => filter.process(&mut [&mut left[start..end], &mut right[start..end]]),
            _ => unreachable!(),
        }
        start = end;
    }
    output
}

/// |H(jf/f0)| of an analog prototype `(a2 s² + a1 s + a0) / (b2 s² + b1 s + b0)`.
fn analog_magnitude(freq_hz: f64, f0_hz: f64, num: [f64; 3], den: [f64; 3]) -> f64 {
    let w = freq_hz / f0_hz;
    let at = |[c2, c1, c0]: [f64; 3]| (c0 - c2 * w * w).hypot(c1 * w);
    at(num) / at(den)
}

/// RBJ cookbook analog peaking EQ.
fn bell(freq_hz: f64, f0_hz: f64, q: f64, gain_db: f64) -> f64 {
    let a = 10f64.powf(gain_db / 40.0);
    analog_magnitude(freq_hz, f0_hz, [1.0, a / q, 1.0], [1.0, 1.0 / (a * q), 1.0])
}

/// RBJ cookbook analog low shelf (Q 1/√2).
fn low_shelf(freq_hz: f64, f0_hz: f64, gain_db: f64) -> f64 {
    let a = 10f64.powf(gain_db / 40.0);
    let k = a.sqrt() * std::f64::consts::SQRT_2;
    let [n2, n1, n0] = [1.0, k, a];
    analog_magnitude(freq_hz, f0_hz, [a * n2, a * n1, a * n0], [a, k, 1.0])
}

/// The mastering curve the accuracy test holds the filter to.
fn curve(freq_hz: f64) -> f64 {
    bell(freq_hz, 1_000.0, 1.0, 6.0)
        * low_shelf(freq_hz, 100.0, -12.0)
        * bell(freq_hz, 30.0, 1.0, 3.0)
}

/// Mid scaled by `mid`, side by `side`, as a (L, R) matrix.
fn mid_side(mid: f64, side: f64) -> [[f64; 2]; 2] {
    let (sum, difference) = ((mid + side) / 2.0, (mid - side) / 2.0);
    [[sum, difference], [difference, sum]]
}

/// `(Σ y[n] cos(ω(n - centre)), Σ y[n] sin(ω(n - centre)))` in f64.
fn dtft(y: &[f32], centre: usize, freq_hz: f64, rate: f64) -> (f64, f64) {
    let step = 2.0 * PI * freq_hz / rate;
    let start = -(centre as f64) * step;
    let (step_cos, step_sin) = (step.cos(), step.sin());
    let (mut cos, mut sin) = (start.cos(), start.sin());
    let (mut re, mut im) = (0.0, 0.0);
    for &x in y {
        re += x as f64 * cos;
        im += x as f64 * sin;
        (cos, sin) = (
            cos * step_cos - sin * step_sin,
            sin * step_cos + cos * step_sin,
        );
    }
    (re, im)
}

#[test]
fn kernel_length_and_latency_follow_the_sample_rate() {
    for (rate, kernel_len) in [
        (8_000.0, 4_096),
        (22_050.0, 8_192),
        (44_100.0, 16_384),
        (48_000.0, 16_384),
        (96_000.0, 32_768),
        (192_000.0, 65_536),
        (384_000.0, 131_072),
    ] {
        assert_eq!(LinearPhaseFilter::kernel_len(rate), kernel_len, "{rate}");
        assert_eq!(prepared(rate, 2).latency(), kernel_len / 2 + B, "{rate}");
    }
}

#[test]
fn unprepared_filter_passes_audio_through_without_delay() {
    let mut filter = LinearPhaseFilter::new();
    filter.set_response(|_| mid_side(1.0, 2.0));
    let input = noise(100, 1);
    let mut output = input.clone();
    filter.process(&mut [&mut output]);
    assert_eq!(output, input);
    assert_eq!(filter.latency(), 0);
    assert_eq!(filter.realised_response(1_000.0), IDENTITY);
}

#[test]
fn an_impulse_comes_out_at_the_latency_with_the_identity() {
    let mut filter = prepared(48_000.0, 2);
    let latency = filter.latency();
    let mut input = vec![vec![0.0; latency + 3 * B]; 2];
    input[0][0] = 1.0;
    input[1][5] = -0.5;
    let output = run(&mut filter, &input, 256);
    for (channel, (at, value)) in [(0, 1.0), (5, -0.5)].into_iter().enumerate() {
        let (peak, &y) = output[channel]
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))
            .unwrap();
        assert_eq!(peak, latency + at, "channel {channel}");
        assert!((y - value).abs() < 1e-6, "channel {channel}: {y}");
    }
}

#[test]
fn the_identity_nulls_against_the_input_delayed_by_the_latency() {
    let mut filter = prepared(44_100.0, 2);
    let latency = filter.latency();
    let len = latency + 20 * B + 123;
    let input = vec![noise(len, 2), noise(len, 3)];
    let output = run(&mut filter, &input, 480);
    for (x, y) in input.iter().zip(&output) {
        assert!(y[..latency].iter().all(|&y| y.abs() < 1e-6));
        let (mut error, mut signal) = (0.0, 0.0);
        for (&x, &y) in x.iter().zip(&y[latency..]) {
            error += (y as f64 - x as f64).powi(2);
            signal += (x as f64).powi(2);
        }
        let null_db = 10.0 * (error / signal).log10();
        assert!(null_db < -120.0, "{null_db} dB");
    }
}

#[test]
fn a_mastering_curve_is_realised_within_0_1_db_from_20_hz_to_20_khz() {
    for rate in [44_100.0, 48_000.0, 96_000.0] {
        let mut filter = prepared(rate, 2);
        // Left gets the curve, right its inverse: both diagonal kernels are checked.
        filter.set_response(|f| [[curve(f), 0.0], [0.0, 1.0 / curve(f)]]);
        let kernel_len = LinearPhaseFilter::kernel_len(rate);
        let mut input = vec![vec![0.0; filter.latency() + kernel_len]; 2];
        input[0][0] = 1.0;
        input[1][0] = 1.0;
        let output = run(&mut filter, &input, 512);
        let (mut worst_db, mut worst_plot_db) = (0.0f64, 0.0f64);
        for i in 0..=300 {
            let freq = 20.0 * 1000f64.powf(i as f64 / 300.0);
            let realised = filter.realised_response(freq);
            for (channel, want) in [curve(freq), 1.0 / curve(freq)].into_iter().enumerate() {
                // The impulse response's taps start one partition in; the centre is at
                // `kernel_len / 2` from there.
                let taps = &output[channel][B..B + kernel_len];
                let (re, im) = dtft(taps, kernel_len / 2, freq, rate);
                assert!(im.abs() < 1e-5 * re.abs(), "{rate} {freq}: phase {im}/{re}");
                worst_db = worst_db.max((gain_to_db(re) - gain_to_db(want)).abs());
                worst_plot_db = worst_plot_db
                    .max((gain_to_db(realised[channel][channel]) - gain_to_db(re)).abs());
            }
        }
        assert!(worst_db < 0.1, "{rate}: {worst_db} dB");
        assert!(
            worst_plot_db < 1e-4,
            "{rate}: plot off by {worst_plot_db} dB"
        );
    }
}

#[test]
fn a_side_boost_scales_l_minus_r_and_leaves_l_plus_r() {
    let mut filter = prepared(48_000.0, 2);
    filter.set_response(|_| mid_side(1.0, 2.0));
    assert!(!filter.kernels[1 - filter.active].diagonal);
    let latency = filter.latency();
    let len = latency + 10 * B;
    let input = vec![noise(len, 4), noise(len, 5)];
    let output = run(&mut filter, &input, 512);
    let (mut mid_error, mut side_error, mut power) = (0.0f64, 0.0f64, 0.0f64);
    for n in latency + B..len {
        let (l, r) = (input[0][n - latency] as f64, input[1][n - latency] as f64);
        let (y_l, y_r) = (output[0][n] as f64, output[1][n] as f64);
        mid_error = mid_error.max((y_l + y_r - (l + r)).abs());
        side_error = side_error.max((y_l - y_r - 2.0 * (l - r)).abs());
        power = power.max((l + r).abs());
    }
    assert!(
        gain_to_db(mid_error / power) < -120.0,
        "{}",
        gain_to_db(mid_error / power)
    );
    assert!(
        gain_to_db(side_error / power) < -110.0,
        "{}",
        gain_to_db(side_error / power)
    );
}

#[test]
fn the_diagonal_shortcut_matches_the_full_matrix() {
    let response = |f: f64| {
        [
            [bell(f, 200.0, 0.7, 4.0), 0.0],
            [0.0, bell(f, 2e3, 2.0, -5.0)],
        ]
    };
    let mut shortcut = prepared(48_000.0, 2);
    shortcut.set_response(response);
    let mut full = prepared(48_000.0, 2);
    // A negligible cross term forces the four-term path.
    full.set_response(|f| {
        let mut m = response(f);
        m[0][1] = 1e-30;
        m
    });
    assert!(shortcut.kernels[1 - shortcut.active].diagonal);
    assert!(!full.kernels[1 - full.active].diagonal);
    let len = shortcut.latency() + 8 * B;
    let input = vec![noise(len, 6), noise(len, 7)];
    let a = run(&mut shortcut, &input, 512);
    let b = run(&mut full, &input, 512);
    for (a, b) in a.iter().zip(&b) {
        for (a, b) in a.iter().zip(b) {
            assert!((a - b).abs() < 1e-6, "{a} vs {b}");
        }
    }
}

#[test]
fn block_lengths_do_not_change_the_output_even_across_a_redesign() {
    // A multiple of every block length below, so the redesign lands at the same sample.
    const SWITCH_AT: usize = 7 * 4096;
    let mut reference: Option<Vec<Vec<f32>>> = None;
    for block in [1, 7, 512, 4096] {
        let mut filter = prepared(48_000.0, 2);
        filter.set_response(|f| mid_side(bell(f, 300.0, 1.0, -4.0), bell(f, 5e3, 0.5, 6.0)));
        let len = filter.latency() + SWITCH_AT + 3 * B;
        let (left, right) = (noise(len, 8), noise(len, 9));
        let head = [left[..SWITCH_AT].to_vec(), right[..SWITCH_AT].to_vec()];
        let mut output = run(&mut filter, &head, block);
        filter.set_response(|f| [[bell(f, 60.0, 1.0, 3.0), 0.0], [0.0, 1.0]]);
        let rest = run(
            &mut filter,
            &[left[SWITCH_AT..].to_vec(), right[SWITCH_AT..].to_vec()],
            block,
        );
        for (output, rest) in output.iter_mut().zip(rest) {
            output.extend(rest);
        }
        match &reference {
            None => reference = Some(output),
            Some(reference) => assert!(output == *reference, "block {block}"),
        }
    }
}

#[test]
fn switching_responses_mid_stream_does_not_click() {
    const FREQ_HZ: f64 = 100.0;
    let rate = 48_000.0;
    let freq = FREQ_HZ;
    let boost: fn(f64) -> [[f64; 2]; 2] = |f| [[bell(f, FREQ_HZ, 1.0, 6.0), 0.0], [0.0, 1.0]];
    let cut: fn(f64) -> [[f64; 2]; 2] = |f| [[bell(f, FREQ_HZ, 1.0, -6.0), 0.0], [0.0, 1.0]];
    let latency = prepared(rate, 2).latency();
    let len = latency + 40 * B;
    let sine: Vec<f32> = (0..len)
        .map(|n| (0.5 * (2.0 * PI * freq * n as f64 / rate).sin()) as f32)
        .collect();
    let input = vec![sine.clone(), sine];
    let max_step = |y: &[f32]| {
        y.windows(2)
            .map(|w| (w[1] - w[0]).abs())
            .fold(0.0f32, f32::max)
    };
    // The steady outputs' own sample-to-sample bounds.
    let mut steady = 0.0f32;
    for response in [boost, cut] {
        let mut filter = prepared(rate, 2);
        filter.set_response(response);
        filter.reset();
        steady = steady.max(max_step(&run(&mut filter, &input, 512)[0][latency + B..]));
    }
    let mut filter = prepared(rate, 2);
    filter.set_response(boost);
    filter.reset();
    let half = latency + 20 * B + 77;
    let mut switched = run(&mut filter, &[input[0][..half].to_vec()], 512);
    filter.set_response(cut);
    switched[0].extend(run(&mut filter, &[input[0][half..].to_vec()], 512).remove(0));
    // The new kernel takes over at the next partition boundary: that output partition is the
    // crossfade.
    let fade = half.next_multiple_of(B);
    let during = max_step(&switched[0][fade - 1..fade + B + 1]);
    assert!(during <= 1.01 * steady, "{during} vs {steady}");
    // The gain really changed: a quarter of the level after the crossfade.
    let tail = switched[0][len - 2 * B..]
        .iter()
        .fold(0.0f32, |m, y| m.max(y.abs()));
    assert!((tail - 0.25).abs() < 0.01, "{tail}");
}

#[test]
fn every_rate_prepares_and_processes_finite_output() {
    for rate in [
        22_050.0, 44_100.0, 48_000.0, 88_200.0, 96_000.0, 176_400.0, 192_000.0, 352_800.0,
        384_000.0,
    ] {
        for channels in [1, 2] {
            let mut filter = prepared(rate, channels);
            filter.set_response(|f| mid_side(bell(f, 20.0, 1.0, 6.0), bell(f, 10e3, 1.0, -6.0)));
            let len = filter.latency() + 2 * B;
            let input: Vec<Vec<f32>> = (0..channels).map(|c| noise(len, c as u64)).collect();
            let output = run(&mut filter, &input, 1000);
            for y in &output {
                assert!(y.iter().all(|y| y.is_finite()), "{rate}");
                assert!(y[len - B..].iter().any(|y| y.abs() > 0.01), "{rate}");
            }
        }
    }
}

#[test]
fn nan_and_inf_input_count_as_silence_and_the_output_recovers() {
    let mut clean = prepared(48_000.0, 2);
    let mut dirty = prepared(48_000.0, 2);
    let response = |f: f64| mid_side(bell(f, 100.0, 1.0, 6.0), 1.0);
    clean.set_response(response);
    dirty.set_response(response);
    let len = clean.latency() + 30 * B;
    let mut input = vec![noise(len, 10), noise(len, 11)];
    let mut bad = input.clone();
    for n in [100, 101, 5000, 20_000] {
        bad[0][n] = f32::NAN;
        bad[1][n + 3] = f32::INFINITY;
        bad[1][n + 4] = f32::NEG_INFINITY;
        input[0][n] = 0.0;
        input[1][n + 3] = 0.0;
        input[1][n + 4] = 0.0;
    }
    let expected = run(&mut clean, &input, 512);
    let output = run(&mut dirty, &bad, 512);
    assert!(output.iter().flatten().all(|y| y.is_finite()));
    assert!(output == expected);
    // Absurd but finite input is limited, not overflowed.
    let [mut left, mut right] = [f32::MAX, -f32::MAX].map(|x| vec![x; 4 * B]);
    dirty.process(&mut [&mut left, &mut right]);
    let silence = vec![vec![0.0; dirty.latency()]; 2];
    let output = run(&mut dirty, &silence, 512);
    assert!(output.iter().flatten().all(|y| y.is_finite()));
}

#[test]
fn reset_clears_the_history_and_keeps_the_response() {
    let response = |f: f64| [[bell(f, 1e3, 1.0, 6.0), 0.0], [0.0, 1.0]];
    let mut fresh = prepared(48_000.0, 1);
    fresh.set_response(response);
    fresh.reset();
    let mut used = prepared(48_000.0, 1);
    used.set_response(response);
    let len = fresh.latency() + 4 * B;
    run(&mut used, &[noise(len, 12)], 333);
    used.reset();
    let input = vec![noise(len, 13)];
    assert!(run(&mut used, &input, 512) == run(&mut fresh, &input, 512));
}

#[test]
fn mono_uses_the_top_left_entry_only() {
    let mut filter = prepared(48_000.0, 1);
    filter.set_response(|_| [[0.5, 3.0], [3.0, 7.0]]);
    let realised = filter.realised_response(440.0);
    assert!((realised[0][0] - 0.5).abs() < 1e-9, "{realised:?}");
    assert_eq!([realised[0][1], realised[1][0], realised[1][1]], [0.0; 3]);
    let latency = filter.latency();
    let mut input = vec![vec![0.0; latency + B]];
    input[0][0] = 1.0;
    let output = run(&mut filter, &input, 64);
    assert!((output[0][latency] - 0.5).abs() < 1e-6);
}
