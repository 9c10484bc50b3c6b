//! The dynamics and stereo processors held to their proof list, with measured figures
//! (`cargo test -p lacquer-dsp --release --test dynamics_stereo -- --nocapture` prints them):
//! static curves and time constants, flat crossover sums, nulls, solo responses, the imager's
//! mono sum and mono bass, bad input at every rate and block size, and no allocation in
//! `process`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::f64::consts::{LN_2, PI};

use lacquer_dsp::dynamics::{
    BandParams, Detection, GLUE_KNEE_DB, GainComputer, GlueCompressor, GlueParams, GlueRatio,
    MultibandCompressor, MultibandParams, StereoMode,
};
use lacquer_dsp::filter::crossover::{CROSSOVER_CHUNK, Crossover, MAX_BANDS};
use lacquer_dsp::stereo::{Imager, ImagerParams};
use lacquer_dsp::{ProcessSpec, Processor};

/// Counts allocations made on threads that armed it (tests run in parallel).
struct CountingAllocator;

thread_local! {
    static ARMED: Cell<bool> = const { Cell::new(false) };
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn count_if_armed() {
    if ARMED.try_with(Cell::get).unwrap_or(false) {
        let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
    }
}

// SAFETY: forwards to the system allocator; the counting touches only const thread-locals.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count_if_armed();
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count_if_armed();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// Runs `f`, returning how many allocations it made on this thread.
fn allocations_in(f: impl FnOnce()) -> usize {
    ALLOCATIONS.with(|c| c.set(0));
    ARMED.with(|a| a.set(true));
    f();
    ARMED.with(|a| a.set(false));
    ALLOCATIONS.with(Cell::get)
}

const RATES: [f64; 6] = [22_050.0, 44_100.0, 48_000.0, 96_000.0, 192_000.0, 384_000.0];

fn prepared<P: Processor>(mut processor: P, rate: f64) -> P {
    processor.prepare(&ProcessSpec::stereo(rate, 512));
    processor
}

/// Processes stereo `signal` in place in blocks of `block` frames.
fn run(processor: &mut (impl Processor + ?Sized), signal: &mut [Vec<f32>; 2], block: usize) {
    let [left, right] = signal;
    for (l, r) in left.chunks_mut(block).zip(right.chunks_mut(block)) {
        processor.process(&mut [l, r]);
    }
}

struct Random(u64);

impl Random {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn stereo_noise(len: usize, seed: u64) -> [Vec<f32>; 2] {
    let mut random = Random(seed);
    let mut signal = [Vec::with_capacity(len), Vec::with_capacity(len)];
    for _ in 0..len {
        let common = random.next() - 0.5;
        signal[0].push((common + 0.6 * (random.next() - 0.5)) as f32);
        signal[1].push((common + 0.6 * (random.next() - 0.5)) as f32);
    }
    signal
}

/// A sine whose amplitude is `amplitude(n)`, the same in both channels.
fn sine(freq: f64, rate: f64, len: usize, amplitude: impl Fn(usize) -> f64) -> [Vec<f32>; 2] {
    let x: Vec<f32> = (0..len)
        .map(|n| (amplitude(n) * (2.0 * PI * freq * n as f64 / rate).sin()) as f32)
        .collect();
    [x.clone(), x]
}

/// Magnitude of `x`'s DTFT at `freq_hz`, dB (a rotating phasor, so long signals stay cheap).
fn dft_db(x: &[f64], freq_hz: f64, rate: f64) -> f64 {
    let (s, c) = (2.0 * PI * freq_hz / rate).sin_cos();
    let (mut re, mut im) = (0.0, 0.0);
    let (mut pr, mut pi) = (1.0f64, 0.0f64);
    for (n, &v) in x.iter().enumerate() {
        re += v * pr;
        im -= v * pi;
        (pr, pi) = (pr * c - pi * s, pr * s + pi * c);
        if n % 1024 == 0 {
            let norm = (pr * pr + pi * pi).sqrt();
            (pr, pi) = (pr / norm, pi / norm);
        }
    }
    10.0 * (re * re + im * im).log10()
}

fn log_frequencies(low: f64, high: f64, count: usize) -> impl Iterator<Item = f64> {
    (0..count).map(move |i| low * (high / low).powf(i as f64 / (count - 1) as f64))
}

fn rms_db(x: &[f32]) -> f64 {
    let power = x.iter().map(|&v| f64::from(v).powi(2)).sum::<f64>() / x.len() as f64;
    10.0 * power.log10()
}

fn neutral_band() -> BandParams {
    BandParams {
        ratio: 1.0,
        makeup_db: 0.0,
        ..BandParams::default()
    }
}

fn neutral_multiband() -> MultibandParams {
    MultibandParams {
        enabled: true,
        band: [neutral_band(); MAX_BANDS],
        ..MultibandParams::default()
    }
}

/// The multiband compressor as a single-band compressor (the band is the input itself).
fn single_band(band: BandParams) -> MultibandParams {
    MultibandParams {
        enabled: true,
        bands: 1,
        band: [band; MAX_BANDS],
        ..MultibandParams::default()
    }
}

/// Steady 1 kHz sines from -50 to 0 dBFS: the gain measured on the last 0.25 s against the
/// designed curve at the detected level. Returns the largest error, dB.
fn static_curve_error(
    mut make: impl FnMut() -> Box<dyn Processor>,
    computer: &GainComputer,
    detection: Detection,
    rate: f64,
) -> f64 {
    let len = (1.5 * rate) as usize;
    let tail = (0.25 * rate) as usize;
    let mut worst: f64 = 0.0;
    for step in 0..=20 {
        let level_db = -50.0 + 2.5 * f64::from(step);
        let amplitude = 10f64.powf(level_db / 20.0);
        let mut processor = make();
        let input = sine(1_000.0, rate, len, |_| amplitude);
        let mut output = input.clone();
        run(processor.as_mut(), &mut output, 512);
        let measured = rms_db(&output[0][len - tail..]) - rms_db(&input[0][len - tail..]);
        let detected_db = match detection {
            Detection::Peak => level_db,
            Detection::Rms => level_db - 10.0 * 2f64.log10(),
        };
        let error = measured - computer.gain_db(detected_db);
        worst = worst.max(error.abs());
    }
    worst
}

#[test]
fn static_curves_match_the_design_within_0_1_db() {
    for rate in [48_000.0, 96_000.0] {
        for detection in [Detection::Peak, Detection::Rms] {
            for (threshold_db, ratio, knee_db) in [(-20.0, 4.0, 6.0), (-30.0, 20.0, 0.0)] {
                let band = BandParams {
                    threshold_db,
                    ratio,
                    knee_db,
                    attack_ms: 5.0,
                    release_ms: 100.0,
                    detection,
                    ..BandParams::default()
                };
                let error = static_curve_error(
                    || Box::new(prepared(MultibandCompressor::new(single_band(band)), rate)),
                    &GainComputer::new(threshold_db, ratio, knee_db),
                    detection,
                    rate,
                );
                eprintln!(
                    "multiband static curve {rate} Hz {detection:?} T {threshold_db} R {ratio} \
                     K {knee_db}: max error {error:.4} dB"
                );
                assert!(error < 0.1, "{error}");
            }
        }
        // Upward expansion (ratio below 1:1).
        let expand = BandParams {
            threshold_db: -30.0,
            ratio: 0.5,
            knee_db: 4.0,
            ..BandParams::default()
        };
        let error = static_curve_error(
            || {
                Box::new(prepared(
                    MultibandCompressor::new(single_band(expand)),
                    rate,
                ))
            },
            &GainComputer::new(-30.0, 0.5, 4.0),
            Detection::Peak,
            rate,
        );
        eprintln!("multiband upward expansion 0.5:1 {rate} Hz: max error {error:.4} dB");
        assert!(error < 0.1, "{error}");

        for ratio in [
            GlueRatio::R1_5,
            GlueRatio::R2,
            GlueRatio::R4,
            GlueRatio::R10,
        ] {
            let params = GlueParams {
                enabled: true,
                threshold_db: -24.0,
                ratio,
                ..GlueParams::default()
            };
            let error = static_curve_error(
                || Box::new(prepared(GlueCompressor::new(params), rate)),
                &GainComputer::new(-24.0, ratio.value(), GLUE_KNEE_DB),
                Detection::Peak,
                rate,
            );
            eprintln!("glue static curve {rate} Hz {ratio:?}: max error {error:.4} dB");
            assert!(error < 0.1, "{error}");
        }
    }
}

/// Measured attack and release time constants, ms: a 1 kHz sine steps from -20 to 0 dBFS and
/// back (at a sine peak, so the detector sees it at once), both far over a -40 dB threshold at
/// 4:1, so the gain moves between -15 and -30 dB. Each constant is the 20 % → 80 % time of a
/// change over ln 4 (the hold before release and the step's timing drop out).
fn time_constants(
    processor: &mut impl Processor,
    rate: f64,
    attack_ms: f64,
    release_ms: f64,
) -> (f64, f64) {
    let period = (rate / 1_000.0) as usize;
    let align = |seconds: f64| ((seconds * rate) as usize / period) * period + period / 4;
    // Long enough for the first attack (from 0 dB) to settle.
    let up = align((10.0 * attack_ms * 0.001).max(0.5));
    let down = align(0.5 + (12.0 * attack_ms * 0.001).max(0.3));
    let end = down + (12.0 * release_ms * 0.001 * rate) as usize;
    let amplitude = |n: usize| if (up..down).contains(&n) { 1.0 } else { 0.1 };
    let input = sine(1_000.0, rate, end, amplitude);
    let mut output = input.clone();
    run(processor, &mut output, 256);
    let gains_db: Vec<Option<f64>> = (0..end)
        .map(|n| {
            let (x, y) = (f64::from(input[0][n]), f64::from(output[0][n]));
            (x.abs() > 0.1 * amplitude(n)).then(|| 20.0 * (y / x).abs().log10())
        })
        .collect();
    let constant = |range: std::ops::Range<usize>, from: f64, to: f64| {
        let crossing = |fraction: f64| {
            range
                .clone()
                .find(|&n| gains_db[n].is_some_and(|g| (g - from) / (to - from) >= fraction))
                .expect("the gain moved")
        };
        (crossing(0.8) - crossing(0.2)) as f64 / rate / (2.0 * LN_2) * 1_000.0
    };
    (
        constant(up..down, -15.0, -30.0),
        constant(down..end, -30.0, -15.0),
    )
}

#[test]
fn attack_and_release_time_constants_are_within_10_percent() {
    for rate in [48_000.0, 96_000.0] {
        for (attack_ms, release_ms) in [
            (1.0, 50.0),
            (10.0, 150.0),
            (100.0, 1_000.0),
            (300.0, 3_000.0),
        ] {
            let band = BandParams {
                threshold_db: -40.0,
                ratio: 4.0,
                knee_db: 0.0,
                attack_ms,
                release_ms,
                ..BandParams::default()
            };
            let mut m = prepared(MultibandCompressor::new(single_band(band)), rate);
            let (attack, release) = time_constants(&mut m, rate, attack_ms, release_ms);
            eprintln!(
                "multiband {rate} Hz: attack {attack_ms} ms measured {attack:.3} ms, release \
                 {release_ms} ms measured {release:.2} ms"
            );
            assert!((attack / attack_ms - 1.0).abs() < 0.1, "attack {attack}");
            assert!(
                (release / release_ms - 1.0).abs() < 0.1,
                "release {release}"
            );
        }
        for (attack_ms, release_ms) in [(1.0, 100.0), (10.0, 300.0), (30.0, 1_200.0)] {
            let params = GlueParams {
                enabled: true,
                threshold_db: -40.0,
                ratio: GlueRatio::R4,
                attack_ms,
                release_ms,
                ..GlueParams::default()
            };
            let mut glue = prepared(GlueCompressor::new(params), rate);
            let (attack, release) = time_constants(&mut glue, rate, attack_ms, release_ms);
            eprintln!(
                "glue {rate} Hz: attack {attack_ms} ms measured {attack:.3} ms, release \
                 {release_ms} ms measured {release:.2} ms"
            );
            assert!((attack / attack_ms - 1.0).abs() < 0.1, "attack {attack}");
            assert!(
                (release / release_ms - 1.0).abs() < 0.1,
                "release {release}"
            );
        }
    }
}

/// The bank's bands for an impulse, summed (in f64, as the processors sum them).
fn bank_impulse_sum(bank: &mut Crossover, len: usize) -> Vec<f64> {
    let mut rows = [[0.0f32; CROSSOVER_CHUNK]; MAX_BANDS];
    let mut sum = Vec::with_capacity(len);
    let mut input = [0.0f32; CROSSOVER_CHUNK];
    input[0] = 1.0;
    while sum.len() < len {
        let n = CROSSOVER_CHUNK.min(len - sum.len());
        bank.step();
        bank.split(0, &input[..n], &mut rows);
        input[0] = 0.0;
        for i in 0..n {
            sum.push(
                rows[..bank.bands()]
                    .iter()
                    .map(|row| f64::from(row[i]))
                    .sum(),
            );
        }
    }
    sum
}

#[test]
fn unprocessed_bands_sum_flat_within_0_01_db_from_10_hz_to_20_khz() {
    let settings = [
        (4, [120.0, 1_000.0, 6_000.0]),
        (4, [20.0, 500.0, 20_000.0]),
        (3, [300.0, 320.0, 20_000.0]),
        (2, [60.0, 1_000.0, 6_000.0]),
    ];
    for rate in RATES {
        for linear_phase in [false, true] {
            for (bands, crossovers_hz) in settings {
                let mut bank = Crossover::new();
                bank.prepare(rate);
                bank.set(bands, crossovers_hz, linear_phase);
                bank.reset();
                let sum = bank_impulse_sum(&mut bank, (0.6 * rate) as usize);
                let top = 20_000.0f64.min(0.49 * rate);
                let deviation = log_frequencies(10.0, top, 40)
                    .map(|f| dft_db(&sum, f, rate).abs())
                    .fold(0.0, f64::max);
                eprintln!(
                    "crossover sum {rate} Hz {bands} bands {crossovers_hz:?} linear phase \
                     {linear_phase}: max deviation {deviation:.2e} dB"
                );
                assert!(deviation < 0.01, "{deviation}");
            }
        }
    }
}

/// Largest difference between two signals relative to the reference's peak, dB (-inf: equal).
fn null_db(a: &[Vec<f32>; 2], b: &[Vec<f32>; 2]) -> f64 {
    let mut peak: f64 = 0.0;
    let mut difference: f64 = 0.0;
    for c in 0..2 {
        for (&x, &y) in a[c].iter().zip(&b[c]) {
            peak = peak.max(f64::from(x).abs());
            difference = difference.max((f64::from(x) - f64::from(y)).abs());
        }
    }
    20.0 * (difference / peak).log10()
}

#[test]
fn neutral_multiband_nulls_against_the_crossover_only_path() {
    let rate = 48_000.0;
    let input = stereo_noise(rate as usize, 11);
    for linear_phase in [false, true] {
        for mode in [StereoMode::Stereo, StereoMode::Linked, StereoMode::MidSide] {
            let params = MultibandParams {
                mode,
                linear_phase,
                ..neutral_multiband()
            };
            let mut m = prepared(MultibandCompressor::new(params), rate);
            let mut output = input.clone();
            run(&mut m, &mut output, 333);

            let mut reference = input.clone();
            for channel in reference.iter_mut() {
                let mut bank = Crossover::new();
                bank.prepare(rate);
                bank.set(4, [120.0, 1_000.0, 6_000.0], linear_phase);
                bank.reset();
                let mut rows = [[0.0f32; CROSSOVER_CHUNK]; MAX_BANDS];
                for chunk in channel.chunks_mut(CROSSOVER_CHUNK) {
                    bank.step();
                    bank.split(0, chunk, &mut rows);
                    for (i, y) in chunk.iter_mut().enumerate() {
                        *y = rows.iter().map(|row| f64::from(row[i])).sum::<f64>() as f32;
                    }
                }
            }
            let null = null_db(&output, &reference);
            eprintln!(
                "neutral multiband vs crossover only, {mode:?}, linear phase {linear_phase}: \
                 null {null:.1} dB"
            );
            match mode {
                // Left/right: the same arithmetic, bit for bit.
                StereoMode::Stereo | StereoMode::Linked => assert_eq!(output, reference),
                // Mid/side rounds the encoded signals to f32 once.
                StereoMode::MidSide => assert!(null < -130.0, "{null}"),
            }
        }
    }
}

#[test]
fn solo_of_each_band_gives_that_bands_filter_response() {
    for rate in [44_100.0, 96_000.0] {
        for band in 0..MAX_BANDS {
            let mut params = neutral_multiband();
            params.band[band].solo = true;
            let mut m = prepared(MultibandCompressor::new(params), rate);
            let len = (0.5 * rate) as usize;
            let mut impulse = [vec![0.0f32; len], vec![0.0f32; len]];
            impulse[0][0] = 1.0;
            impulse[1][0] = 1.0;
            run(&mut m, &mut impulse, 512);
            let response: Vec<f64> = impulse[0].iter().map(|&v| f64::from(v)).collect();
            let mut worst: f64 = 0.0;
            for f in log_frequencies(20.0, 20_000.0, 40) {
                let (re, im) = m.crossover().band_response(band, f);
                let designed = 10.0 * (re * re + im * im).log10();
                if designed > -60.0 {
                    worst = worst.max((dft_db(&response, f, rate) - designed).abs());
                }
            }
            eprintln!(
                "solo band {band} at {rate} Hz: max deviation from its filter {worst:.2e} dB"
            );
            assert!(worst < 0.01, "{worst}");
        }
    }
}

#[test]
fn latency_is_where_an_impulse_comes_out() {
    let rate = 48_000.0;
    for (linear_phase, lookahead_ms) in [(false, 0.0), (false, 3.0), (true, 0.0), (true, 10.0)] {
        let params = MultibandParams {
            linear_phase,
            lookahead_ms,
            ..neutral_multiband()
        };
        let mut m = prepared(MultibandCompressor::new(params), rate);
        let mut signal = [vec![0.0f32; 4_000], vec![0.0f32; 4_000]];
        signal[0][0] = 1.0;
        run(&mut m, &mut signal, 64);
        let peak = (0..4_000)
            .max_by(|&a, &b| signal[0][a].abs().total_cmp(&signal[0][b].abs()))
            .unwrap_or(0);
        let expected = (if linear_phase { 1_440 } else { 0 }) + (lookahead_ms * 48.0) as usize;
        assert_eq!(m.latency(), expected);
        if linear_phase {
            assert_eq!(peak, m.latency());
        }
        assert!(signal[0][..m.latency()].iter().all(|&x| x.abs() < 1e-3));
    }
}

#[test]
fn mono_sum_is_unchanged_by_any_width() {
    let rate = 48_000.0;
    let len = 2 * rate as usize;
    let input = stereo_noise(len, 21);
    for linear_phase in [false, true] {
        let mut random = Random(99);
        let mut widths = || std::array::from_fn(|_| 200.0 * random.next());
        let mut params = ImagerParams {
            enabled: true,
            linear_phase,
            width_pct: widths(),
            ..ImagerParams::default()
        };
        let mut imager = prepared(Imager::new(params), rate);
        let latency = imager.latency();
        let mut output = input.clone();
        // New random widths (gliding) every 4096 frames.
        for start in (0..len).step_by(4_096) {
            params.width_pct = widths();
            imager.set_params(&params);
            let end = (start + 4_096).min(len);
            let [l, r] = &mut output;
            imager.process(&mut [&mut l[start..end], &mut r[start..end]]);
        }
        let mut worst: f64 = 0.0;
        for n in latency..len {
            let before = f64::from(input[0][n - latency]) + f64::from(input[1][n - latency]);
            let after = f64::from(output[0][n]) + f64::from(output[1][n]);
            // Each output channel is rounded to f32 once: half an ulp of the larger one.
            let ulp =
                f64::from(output[0][n].abs().max(output[1][n].abs())) * f64::from(f32::EPSILON);
            worst = worst.max((after - before).abs() / ulp);
        }
        eprintln!("imager mono sum, linear phase {linear_phase}: max error {worst:.2} ulp");
        assert!(worst <= 1.0, "{worst}");
    }
}

#[test]
fn mono_bass_removes_side_content_an_octave_below_by_40_db() {
    for rate in [22_050.0, 48_000.0, 384_000.0] {
        for mono_bass_hz in [20.0, 120.0, 300.0] {
            let params = ImagerParams {
                enabled: true,
                mono_bass: true,
                mono_bass_hz,
                ..ImagerParams::default()
            };
            let mut imager = prepared(Imager::new(params), rate);
            let len = (2.0 * rate) as usize;
            let freq = mono_bass_hz / 2.0;
            // Pure side at half the frequency, plus some mid.
            let mut signal = [Vec::with_capacity(len), Vec::with_capacity(len)];
            for n in 0..len {
                let t = n as f64 / rate;
                let side = 0.5 * (2.0 * PI * freq * t).sin();
                let mid = 0.3 * (2.0 * PI * 1_000.0 * t).sin();
                signal[0].push((mid + side) as f32);
                signal[1].push((mid - side) as f32);
            }
            let side = |s: &[Vec<f32>; 2], range: std::ops::Range<usize>| -> Vec<f32> {
                range.map(|n| 0.5 * (s[0][n] - s[1][n])).collect()
            };
            let tail = len / 2..len;
            let before = rms_db(&side(&signal, tail.clone()));
            run(&mut imager, &mut signal, 1_000);
            let after = rms_db(&side(&signal, tail));
            let removed = before - after;
            eprintln!(
                "mono bass {mono_bass_hz} Hz at {rate} Hz: side at {freq} Hz down {removed:.1} dB"
            );
            assert!(removed >= 40.0, "{removed}");
        }
    }
}

#[test]
fn readings_show_each_bands_reduction_and_correlation() {
    let rate = 48_000.0;
    let mut params = neutral_multiband();
    params.band[2] = BandParams {
        threshold_db: -30.0,
        ratio: 4.0,
        knee_db: 0.0,
        ..BandParams::default()
    };
    let mut m = prepared(MultibandCompressor::new(params), rate);
    // 2.5 kHz, well inside band 2 (1 to 6 kHz), at -6 dBFS.
    let mut signal = sine(2_500.0, rate, rate as usize, |_| 0.5);
    run(&mut m, &mut signal, 512);
    let readings = m.readings();
    // The band reads the sine a little below its peak (the crossovers' skirts).
    let designed = 0.75 * 24.0;
    eprintln!("multiband readings: {:?}", readings.gain_reduction_db);
    assert!((readings.gain_reduction_db[2] - designed).abs() < 0.5);
    assert_eq!(readings.gain_reduction_db[0], 0.0);
    assert!((readings.history_db[2][255] - designed as f32).abs() < 0.5);

    let mut glue = prepared(
        GlueCompressor::new(GlueParams {
            enabled: true,
            threshold_db: -30.0,
            ratio: GlueRatio::R10,
            ..GlueParams::default()
        }),
        rate,
    );
    let mut signal = sine(1_000.0, rate, rate as usize, |_| 0.5);
    run(&mut glue, &mut signal, 512);
    let reduction = glue.readings().gain_reduction_db;
    assert!((reduction - 0.9 * 24.0).abs() < 0.1, "{reduction}");

    let mut imager = prepared(
        Imager::new(ImagerParams {
            enabled: true,
            width_pct: [0.0, 0.0, 100.0, 100.0],
            ..ImagerParams::default()
        }),
        rate,
    );
    let mut signal = stereo_noise(rate as usize, 5);
    // Independent channels: the bands at full width stay uncorrelated; the band two bands below
    // them, narrowed to mono, correlates (band 1 takes the wide bands' skirts).
    signal[1] = stereo_noise(rate as usize, 6)[0].clone();
    run(&mut imager, &mut signal, 512);
    let readings = imager.readings();
    eprintln!("imager correlations: {readings:?}");
    assert!(readings.correlation[0] > 0.99);
    for band in 2..MAX_BANDS {
        assert!(readings.correlation[band].abs() < 0.1, "{band}");
    }
}

/// Noise laced with NaN, infinities, subnormals and huge values.
fn bad_input(len: usize) -> [Vec<f32>; 2] {
    let mut signal = stereo_noise(len, 77);
    let specials = [
        f32::NAN,
        f32::INFINITY,
        f32::NEG_INFINITY,
        1e-40,
        -1e-44,
        f32::MAX,
        -1e30,
    ];
    for (n, x) in signal[0].iter_mut().enumerate().step_by(97) {
        *x = specials[n % specials.len()];
    }
    for (n, x) in signal[1].iter_mut().enumerate().step_by(131) {
        *x = specials[(n + 3) % specials.len()];
    }
    signal
}

#[test]
fn bad_input_every_rate_and_block_size_finite_output_and_no_allocation() {
    let multiband = MultibandParams {
        enabled: true,
        lookahead_ms: 2.0,
        mode: StereoMode::MidSide,
        band: [BandParams {
            threshold_db: -30.0,
            ratio: 8.0,
            makeup_db: 12.0,
            attack_ms: 0.05,
            auto_release: true,
            ..BandParams::default()
        }; MAX_BANDS],
        ..MultibandParams::default()
    };
    let glue = GlueParams {
        enabled: true,
        threshold_db: -30.0,
        makeup_db: 12.0,
        mix_pct: 70.0,
        ..GlueParams::default()
    };
    let imager = ImagerParams {
        enabled: true,
        width_pct: [0.0, 200.0, 150.0, 50.0],
        mono_bass: true,
        balance_pct: -30.0,
        ..ImagerParams::default()
    };
    // The counter sees allocations.
    assert_eq!(
        allocations_in(|| drop(std::hint::black_box(vec![0u8; 16]))),
        1
    );
    for rate in RATES {
        for block in [1, 7, 64, 512, 4_096, 16_384] {
            let len = (rate as usize / 10).max(2 * block);
            let mut chain: (MultibandCompressor, GlueCompressor, Imager) = (
                prepared(MultibandCompressor::new(multiband.clone()), rate),
                prepared(GlueCompressor::new(glue), rate),
                prepared(Imager::new(imager), rate),
            );
            let mut signal = bad_input(len);
            let recovery = rate as usize;
            let mut clean = stereo_noise(recovery, 3);
            let mut changed = multiband.clone();
            changed.crossovers_hz = [200.0, 2_000.0, 9_000.0];
            changed.linear_phase = true;
            let mut imager_changed = imager;
            imager_changed.linear_phase = true;
            let allocations = allocations_in(|| {
                let (m, g, i) = &mut chain;
                run(m, &mut signal, block);
                run(g, &mut signal, block);
                run(i, &mut signal, block);
                // Parameter changes, a linear-phase switch and a reset in between.
                m.set_params(&changed);
                i.set_params(&imager_changed);
                g.reset();
                run(m, &mut clean, block);
                run(g, &mut clean, block);
                run(i, &mut clean, block);
                let _ = (m.readings(), g.readings(), i.readings());
            });
            assert_eq!(allocations, 0, "{rate} Hz, block {block}");
            for x in signal.iter().chain(&clean).flatten() {
                assert!(x.is_finite(), "{rate} Hz, block {block}");
            }
            // The chain recovered within a second: the clean part is not held down.
            assert!(
                rms_db(&clean[0][recovery * 3 / 4..]) > -20.0,
                "{rate} Hz, block {block}"
            );
        }
    }
    eprintln!("bad input: finite output, no allocation, 22.05-384 kHz, blocks 1-16384");
}
