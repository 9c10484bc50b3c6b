//! The analyser against sines, white and pink noise, bad input and any block split.

use super::*;

const RATES: [f64; 9] = [
    22_050.0, 44_100.0, 48_000.0, 88_200.0, 96_000.0, 176_400.0, 192_000.0, 352_800.0, 384_000.0,
];

fn prepared(rate: f64, params: AnalyserParams) -> SpectrumAnalyser {
    let mut analyser = SpectrumAnalyser::new(params);
    analyser.prepare(&ProcessSpec::stereo(rate, 512));
    analyser
}

/// Each frame as analysed, in bands `smoothing_oct` wide, untilted.
fn unheld(smoothing_oct: f64) -> AnalyserParams {
    AnalyserParams {
        smoothing_oct,
        decay_db_per_s: f64::INFINITY,
        tilt_db_per_oct: 0.0,
    }
}

fn point_near(hz: f64) -> usize {
    let distance = |i: usize| (point_hz(i) / hz).log2().abs();
    (0..POINTS)
        .min_by(|&a, &b| distance(a).total_cmp(&distance(b)))
        .unwrap_or(0)
}

fn sine(rate: f64, hz: f64, amplitude: f64, frames: usize) -> Vec<f32> {
    let step = std::f64::consts::TAU * hz / rate;
    (0..frames)
        .map(|n| (amplitude * (step * n as f64).sin()) as f32)
        .collect()
}

/// Uniform noise in [-1, 1) (variance 1/3), deterministic.
struct Noise(u64);

impl Noise {
    fn sample(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 52) as f64 - 1.0
    }
}

/// Programme-like stereo: noise, a tone and their difference between channels.
fn programme(rate: f64, frames: usize) -> [Vec<f32>; 2] {
    let mut noise = Noise(0x9e37_79b9_7f4a_7c15);
    let tone = sine(rate, 440.0, 0.3, frames);
    let mut channels = [Vec::with_capacity(frames), Vec::with_capacity(frames)];
    for &t in &tone {
        let (a, b) = (noise.sample() as f32, noise.sample() as f32);
        channels[0].push(0.2 * a + t);
        channels[1].push(0.2 * b - 0.5 * t);
    }
    channels
}

/// Feeds `signal` (mono) in 512-frame blocks and returns the mean power per point over the
/// frames after the first full window, dB.
fn mean_levels_db(analyser: &mut SpectrumAnalyser, signal: &[f32]) -> Vec<f64> {
    let mut sums = vec![0.0; POINTS];
    let (mut frames, mut averaged) = (0, 0);
    for block in signal.chunks(512) {
        if analyser.process(&[block]) {
            frames += 1;
            if frames > HOPS_PER_FFT {
                averaged += 1;
                for (sum, &db) in sums.iter_mut().zip(&analyser.frame().db) {
                    *sum += 10f64.powf(f64::from(db) / 10.0);
                }
            }
        }
    }
    assert!(averaged > 100, "{averaged} frames");
    sums.iter()
        .map(|sum| power_to_db(sum / averaged as f64))
        .collect()
}

fn assert_sane(frame: &SpectrumFrame) {
    assert!(
        frame.db.iter().all(|db| db.is_finite() && *db >= FLOOR_DB),
        "{:?}",
        frame.db
    );
    assert!(frame.freqs_hz.iter().all(|hz| hz.is_finite()));
}

#[test]
fn a_full_scale_sine_reads_0_db_at_its_point_and_far_below_two_octaves_away() {
    for rate in [44_100.0, 48_000.0] {
        let mut analyser = prepared(rate, unheld(1.0 / 24.0));
        let stereo = sine(rate, 1000.0, 1.0, rate as usize);
        analyser.process(&[&stereo, &stereo]);
        let db = &analyser.frame().db;
        let at_1k = db[point_near(1000.0)];
        assert_eq!(point_hz(point_near(1000.0)), 1000.0);
        assert!(at_1k.abs() < 0.1, "{rate} Hz: {at_1k} dB");
        for far in [250.0, 4000.0] {
            assert!(
                db[point_near(far)] < at_1k - 60.0,
                "{far} Hz: {}",
                db[point_near(far)]
            );
        }
    }
}

#[test]
fn a_sine_anywhere_between_bins_reads_its_amplitude_in_third_octave_bands() {
    let rate = 48_000.0;
    for hz in [150.0, 1000.0, 1234.5, 3003.3, 9876.5, 17_000.0] {
        for amplitude_db in [0.0, -20.0, -60.0] {
            let mut analyser = prepared(rate, unheld(1.0 / 3.0));
            let amplitude = 10f64.powf(amplitude_db / 20.0);
            analyser.process(&[sine(rate, hz, amplitude, 24_000)]);
            let read = f64::from(analyser.frame().db[point_near(hz)]);
            assert!((read - amplitude_db).abs() < 0.1, "{hz} Hz: {read} dB");
        }
    }
}

#[test]
fn every_sample_rate_prepares_reads_a_sine_at_0_db_and_draws_only_below_nyquist() {
    for rate in RATES {
        let mut analyser = prepared(rate, AnalyserParams::default());
        let size = fft_size(rate);
        let bin_hz = rate / size as f64;
        assert!((4.1..8.3).contains(&bin_hz), "{rate}: {bin_hz} Hz bins");
        let stereo = sine(rate, 1000.0, 1.0, size * 2);
        assert!(analyser.process(&[&stereo, &stereo]));
        let frame = analyser.frame();
        assert_sane(frame);
        let read = frame.db[point_near(1000.0)];
        assert!(read.abs() < 0.1, "{rate} Hz: {read} dB");
        let nyquist = 0.5 * rate as f32;
        assert!(frame.points().all(|(hz, _)| hz < nyquist));
        assert!(frame.len == POINTS || frame.freqs_hz[frame.len] >= nyquist);
    }
    assert_eq!(
        prepared(22_050.0, AnalyserParams::default()).frame().len,
        220
    );
    assert_eq!(fft_size(44_100.0), 8192);
    assert_eq!(fft_size(96_000.0), 16_384);
    assert_eq!(fft_size(384_000.0), 65_536);
    assert_eq!(fft_size(f64::NAN), 8192);
}

/// Pins the documented noise level: `10·log10(2σ²·B/(fs/2))`, B the band width in Hz.
#[test]
fn white_noise_reads_its_band_power() {
    let rate = 48_000.0;
    let mut analyser = prepared(rate, unheld(1.0 / 3.0));
    let mut noise = Noise(0x1234_5678_9abc_def1);
    let amplitude = 0.5;
    let signal: Vec<f32> = (0..rate as usize * 20)
        .map(|_| (amplitude * noise.sample()) as f32)
        .collect();
    let variance = amplitude * amplitude / 3.0;
    let levels = mean_levels_db(&mut analyser, &signal);
    let width = (1.0f64 / 6.0).exp2() - (-1.0f64 / 6.0).exp2();
    let deviations: Vec<f64> = (point_near(100.0)..=point_near(10_000.0))
        .map(|i| {
            let expected = power_to_db(2.0 * variance * point_hz(i) * width / (0.5 * rate));
            levels[i] - expected
        })
        .collect();
    let worst = deviations.iter().fold(0.0f64, |m, d| m.max(d.abs()));
    let mean = deviations.iter().sum::<f64>() / deviations.len() as f64;
    assert!(worst < 1.0, "worst {worst} dB");
    assert!(mean.abs() < 0.1, "mean {mean} dB");
}

/// Paul Kellet's "refined" pink filter (±0.05 dB from 9.2 Hz to Nyquist at 44.1 kHz).
fn pink(frames: usize) -> Vec<f32> {
    let mut noise = Noise(0x0bad_5eed_dead_beef);
    let mut b = [0.0f64; 7];
    (0..frames)
        .map(|_| {
            let white = 0.1 * noise.sample();
            b[0] = 0.99886 * b[0] + white * 0.0555179;
            b[1] = 0.99332 * b[1] + white * 0.0750759;
            b[2] = 0.96900 * b[2] + white * 0.1538520;
            b[3] = 0.86650 * b[3] + white * 0.3104856;
            b[4] = 0.55000 * b[4] + white * 0.5329522;
            b[5] = -0.7616 * b[5] - white * 0.0168980;
            let out = b.iter().sum::<f64>() + white * 0.5362;
            b[6] = white * 0.115926;
            out as f32
        })
        .collect()
}

#[test]
fn pink_noise_reads_flat() {
    let rate = 44_100.0;
    let mut analyser = prepared(rate, unheld(1.0 / 3.0));
    let levels = mean_levels_db(&mut analyser, &pink(rate as usize * 20));
    let range = &levels[point_near(100.0)..=point_near(10_000.0)];
    let mean = range.iter().sum::<f64>() / range.len() as f64;
    let worst = range.iter().fold(0.0f64, |m, l| m.max((l - mean).abs()));
    assert!(worst < 1.0, "worst {worst} dB from {mean} dB");
}

#[test]
fn tilt_pivots_at_1_khz_at_once_and_silence_stays_at_the_floor() {
    let rate = 48_000.0;
    let tilted = AnalyserParams {
        tilt_db_per_oct: 4.5,
        ..AnalyserParams::default()
    };
    let mut flat = prepared(rate, AnalyserParams::default());
    let mut reference = prepared(rate, tilted);
    let [left, right] = programme(rate, 48_000);
    flat.process(&[&left, &right]);
    reference.process(&[&left, &right]);
    for i in 0..flat.frame().len {
        let difference = reference.frame().db[i] - flat.frame().db[i];
        let expected = 4.5 * (point_hz(i) / 1000.0).log2();
        assert!((f64::from(difference) - expected).abs() < 1e-3, "{i}");
    }
    let assert_same = |a: &SpectrumFrame, b: &SpectrumFrame| {
        let worst =
            a.db.iter()
                .zip(&b.db)
                .fold(0.0f32, |m, (a, b)| m.max((a - b).abs()));
        assert!(worst < 1e-3, "{worst} dB apart");
    };
    flat.set_params(&tilted);
    assert_same(flat.frame(), reference.frame());
    flat.process(&[&left, &right]);
    reference.process(&[&left, &right]);
    assert_same(flat.frame(), reference.frame());

    let steep = AnalyserParams {
        tilt_db_per_oct: 12.0,
        ..AnalyserParams::default()
    };
    let mut silent = prepared(rate, steep);
    silent.process(&[vec![0.0f32; 48_000]]);
    assert!(silent.frame().points().all(|(_, db)| db == FLOOR_DB));
}

#[test]
fn frames_do_not_depend_on_block_size_and_reset_forgets_everything() {
    let rate = 48_000.0;
    let [left, right] = programme(rate, 70_001);
    let run = |analyser: &mut SpectrumAnalyser, sizes: &mut dyn FnMut() -> usize| {
        let mut start = 0;
        let mut frames = 0;
        while start < left.len() {
            let end = (start + sizes()).min(left.len());
            frames += usize::from(analyser.process(&[&left[start..end], &right[start..end]]));
            start = end;
        }
        (*analyser.frame(), frames)
    };
    let mut reference = prepared(rate, AnalyserParams::default());
    let (expected, _) = run(&mut reference, &mut || 512);
    assert!(expected.points().all(|(_, db)| db > FLOOR_DB));
    for size in [1, 7, 512, 4096] {
        let mut analyser = prepared(rate, AnalyserParams::default());
        let (frame, frames) = run(&mut analyser, &mut || size);
        assert_eq!(frame, expected, "blocks of {size}");
        if size <= 2048 {
            assert_eq!(frames, left.len() / 2048, "blocks of {size}");
        }
    }
    let mut noise = Noise(77);
    let mut analyser = prepared(rate, AnalyserParams::default());
    let (frame, _) = run(&mut analyser, &mut || {
        1 + (noise.sample().abs() * 3000.0) as usize
    });
    assert_eq!(frame, expected, "random blocks");

    analyser.reset();
    assert!(analyser.frame().db.iter().all(|&db| db == FLOOR_DB));
    let (frame, _) = run(&mut analyser, &mut || 512);
    assert_eq!(frame, expected, "after reset");
}

#[test]
fn non_finite_input_counts_as_silence_and_frames_stay_finite() {
    let rate = 48_000.0;
    let clean = sine(rate, 1000.0, 0.5, 30_000);
    let mut dirty = clean.clone();
    let mut zeroed = clean.clone();
    for (n, (d, z)) in dirty.iter_mut().zip(zeroed.iter_mut()).enumerate() {
        if n % 97 == 0 {
            *d = [f32::NAN, f32::INFINITY, f32::NEG_INFINITY][n % 3];
            *z = 0.0;
        }
    }
    let mut analyser = prepared(rate, AnalyserParams::default());
    let mut reference = prepared(rate, AnalyserParams::default());
    analyser.process(&[&dirty, &dirty]);
    reference.process(&[&zeroed, &zeroed]);
    assert_sane(analyser.frame());
    assert_eq!(analyser.frame(), reference.frame());

    let extreme: Vec<f32> = (0..30_000)
        .map(|n| [f32::MAX, f32::MIN, f32::NAN, f32::MIN_POSITIVE / 8.0][n % 4])
        .collect();
    analyser.process(&[&extreme, &dirty]);
    assert_sane(analyser.frame());
    analyser.process(&[vec![f32::NAN; 30_000]]);
    assert_sane(analyser.frame());
}

#[test]
fn after_silence_points_fall_at_the_set_rate() {
    let rate = 48_000.0;
    for decay_db_per_s in [20.0, 60.0] {
        let params = AnalyserParams {
            decay_db_per_s,
            ..AnalyserParams::default()
        };
        let mut analyser = prepared(rate, params);
        analyser.process(&[sine(rate, 1000.0, 1.0, 48_000)]);
        let point = point_near(1000.0);
        let silence = [0.0f32; 512];
        let mut readings = Vec::new();
        for block in 0..(rate as usize * 2 / 512) {
            if analyser.process(&[&silence]) {
                let seconds = (block + 1) as f64 * 512.0 / rate;
                readings.push((seconds, f64::from(analyser.frame().db[point])));
            }
        }
        let start = readings.iter().find(|(t, _)| *t >= 0.25).copied();
        let end = readings.iter().rev().find(|(t, _)| *t <= 1.0).copied();
        let (Some((t0, db0)), Some((t1, db1))) = (start, end) else {
            panic!("no frames");
        };
        let measured = (db0 - db1) / (t1 - t0);
        assert!(
            (measured / decay_db_per_s - 1.0).abs() < 0.1,
            "{measured} dB/s for {decay_db_per_s}"
        );
    }
}

#[test]
fn a_low_tone_in_narrow_bands_spreads_smoothly_and_its_points_add_up_to_its_power() {
    let rate = 48_000.0;
    let mut analyser = prepared(rate, unheld(1.0 / 24.0));
    analyser.process(&[sine(rate, 50.0, 1.0, 48_000)]);
    let db = &analyser.frame().db;
    let total: f64 = db[..point_near(400.0)]
        .iter()
        .map(|&db| 10f64.powf(f64::from(db) / 10.0))
        .sum();
    assert!(power_to_db(total).abs() < 0.05, "{} dB", power_to_db(total));
    // The peak sits on the louder of the two bins around the tone.
    let (low, high) = (point_near(35.0), point_near(70.0));
    let peak = (low..=high)
        .max_by(|&a, &b| db[a].total_cmp(&db[b]))
        .unwrap_or(low);
    assert!(
        (point_hz(peak) - 50.0).abs() < rate / 8192.0,
        "{}",
        point_hz(peak)
    );
    let rising = &db[low..=peak];
    let falling = &db[peak..=high];
    assert!(rising.windows(2).all(|w| w[0] < w[1]), "{rising:?}");
    assert!(falling.windows(2).all(|w| w[0] > w[1]), "{falling:?}");
}

#[test]
fn settings_are_clamped_and_an_unprepared_analyser_reads_nothing() {
    let wild = AnalyserParams {
        smoothing_oct: f64::NAN,
        decay_db_per_s: -5.0,
        tilt_db_per_oct: 100.0,
    };
    let mut analyser = SpectrumAnalyser::new(wild);
    assert_eq!(
        *analyser.params(),
        AnalyserParams {
            smoothing_oct: 1.0 / 3.0,
            decay_db_per_s: 0.0,
            tilt_db_per_oct: 12.0,
        }
    );
    assert!(!analyser.process(&[[0.5f32; 4096]]));
    assert_eq!(analyser.frame().len, 0);
}
