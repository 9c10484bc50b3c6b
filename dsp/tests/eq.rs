//! The EQ against its analog prototypes and under automation, bad settings and channel modes.

mod common;

use lacquer_dsp::eq::{BandParams, BandType, ChannelMode, EqParams, Equalizer};
use lacquer_dsp::{ProcessSpec, Processor};
use proptest::prelude::*;

/// Worst deviation, dB, of `band`'s digital sections from its analog prototype between 10 Hz
/// and 20 kHz, ignoring where the prototype is below -30 dB.
fn worst_deviation_db(band: &BandParams, rate: f64) -> f64 {
    let (sections, count) = band.digital_sections(rate);
    let mut worst = 0.0f64;
    let mut f = 10.0;
    while f <= 20_000.0f64.min(0.499 * rate) {
        let want = 10.0 * band.analog_power(f).log10();
        if want > -30.0 {
            let got: f64 = sections[..count]
                .iter()
                .map(|c| c.magnitude_db(f, rate))
                .sum();
            worst = worst.max((want - got).abs());
        }
        f *= 1.01;
    }
    worst
}

fn band(band_type: BandType, freq_hz: f64, gain_db: f64, q: f64) -> BandParams {
    BandParams {
        enabled: true,
        band_type,
        freq_hz,
        gain_db,
        q,
        slope_db_per_oct: 24,
        mode: ChannelMode::Stereo,
    }
}

/// Deviation bars the design meets, by rate and highest band frequency (about 10 % over the
/// worst of 5000 random settings each: the README's table, `accuracy_table`). Bells Q 0.1-18, shelves and
/// tilt Q 0.3-2, gains ±18 dB. The issue asks for 0.25 dB up to 20 kHz at 44.1 kHz and above.
const BARS: &[(f64, f64, BandType, f64)] = &[
    (44_100.0, 20_000.0, BandType::Bell, 0.17),
    (44_100.0, 20_000.0, BandType::LowShelf, 0.17),
    (44_100.0, 20_000.0, BandType::HighShelf, 0.17),
    (44_100.0, 20_000.0, BandType::Tilt, 0.17),
    (48_000.0, 20_000.0, BandType::Bell, 0.17),
    (48_000.0, 20_000.0, BandType::LowShelf, 0.17),
    (48_000.0, 20_000.0, BandType::HighShelf, 0.17),
    (48_000.0, 20_000.0, BandType::Tilt, 0.17),
    (96_000.0, 43_000.0, BandType::Bell, 0.055),
    (96_000.0, 43_000.0, BandType::LowShelf, 0.015),
    (96_000.0, 43_000.0, BandType::HighShelf, 0.065),
    (96_000.0, 43_000.0, BandType::Tilt, 0.035),
    (192_000.0, 30_000.0, BandType::Bell, 0.005),
    (192_000.0, 30_000.0, BandType::HighShelf, 0.005),
    (192_000.0, 30_000.0, BandType::Tilt, 0.005),
];

/// How far, dB, `band` strays between 20 kHz and Nyquist outside the range its prototype
/// spans there: the fitted pairs are free above 20 kHz but must not ring up ultrasonics.
fn excursion_above_audio_db(band: &BandParams, rate: f64) -> f64 {
    let (sections, count) = band.digital_sections(rate);
    let nyquist = 0.5 * rate;
    let points = (0..=100).map(|k| 20_000.0 + (nyquist - 20_000.0) * f64::from(k) / 100.0);
    let want = points.clone().map(|f| 10.0 * band.analog_power(f).log10());
    let (low, high) = want.fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), p| {
        (l.min(p), h.max(p))
    });
    points
        .map(|f| {
            let got: f64 = sections[..count]
                .iter()
                .map(|c| c.magnitude_db(f, rate))
                .sum();
            (got - high).max(low - got).max(0.0)
        })
        .fold(0.0, f64::max)
}

proptest! {
    // Seeded, so a run is reproducible; the seed is part of the test.
    #![proptest_config(ProptestConfig {
        cases: 1000,
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x01ac_c0e5),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn bells_and_shelves_follow_the_analog_prototype(
        bar in 0..BARS.len(),
        position in 0.0f64..1.0,
        gain_db in -18.0f64..18.0,
        q_position in 0.0f64..1.0,
    ) {
        let (rate, top, band_type, limit) = BARS[bar];
        let freq_hz = 20.0 * (top / 20.0).powf(position);
        let q = if band_type == BandType::Bell {
            0.1 * 180f64.powf(q_position)
        } else {
            0.3 * (2.0f64 / 0.3).powf(q_position)
        };
        let deviation = worst_deviation_db(&band(band_type, freq_hz, gain_db, q), rate);
        prop_assert!(deviation < limit, "{band_type:?} {freq_hz:.0} Hz {gain_db:.1} dB Q {q:.2} at {rate}: {deviation:.3} dB");
        if rate < 50_000.0 {
            let excursion = excursion_above_audio_db(&band(band_type, freq_hz, gain_db, q), rate);
            prop_assert!(excursion < 2.0, "{band_type:?} {freq_hz:.0} Hz {gain_db:.1} dB Q {q:.2} at {rate}: {excursion:.3} dB above 20 kHz");
        }
    }
}

/// The README's accuracy table (not run by default: 120 000 designs): worst deviation per
/// rate, band range and type over 5000 seeded settings, and how many needed a fitted pair.
/// `cargo test --release -p lacquer-dsp --test eq -- --ignored --nocapture accuracy_table`
#[test]
#[ignore]
fn accuracy_table() {
    let types = [
        BandType::Bell,
        BandType::LowShelf,
        BandType::HighShelf,
        BandType::Tilt,
    ];
    println!("rate Hz | bands up to Hz | worst dB (pairs): bell, low shelf, high shelf, tilt");
    for (rate, top) in [
        (44_100.0, 20_000.0),
        (44_100.0, 30_000.0),
        (48_000.0, 20_000.0),
        (48_000.0, 30_000.0),
        (96_000.0, 43_000.0),
        (192_000.0, 30_000.0),
    ] {
        let mut row = format!("{rate} | {top}");
        for band_type in types {
            let mut unit = common::test_random::unit_random(12_345);
            let (mut worst, mut pairs) = (0.0f64, 0);
            for _ in 0..5000 {
                let freq_hz = 20.0 * (top / 20.0f64).powf(unit());
                let gain_db = -18.0 + 36.0 * unit();
                let q = if band_type == BandType::Bell {
                    0.1 * 180f64.powf(unit())
                } else {
                    0.3 * (2.0f64 / 0.3).powf(unit())
                };
                let b = band(band_type, freq_hz, gain_db, q);
                worst = worst.max(worst_deviation_db(&b, rate));
                pairs += usize::from(b.digital_sections(rate).1 == 2);
            }
            row += &format!(" | {worst:.3} ({pairs})");
        }
        println!("{row}");
    }
}

#[test]
fn dc_centre_and_20_khz_match_for_moderate_bells() {
    for rate in [44_100.0, 48_000.0, 96_000.0] {
        for (f0, gain, q) in [
            (100.0, 3.0, 1.0),
            (2_500.0, -4.0, 0.7),
            (12_000.0, 2.0, 0.5),
        ] {
            let b = band(BandType::Bell, f0, gain, q);
            let (sections, count) = b.digital_sections(rate);
            for f in [1.0, f0, 20_000.0] {
                let want = 10.0 * b.analog_power(f).log10();
                let got: f64 = sections[..count]
                    .iter()
                    .map(|c| c.magnitude_db(f, rate))
                    .sum();
                assert!(
                    (want - got).abs() < 0.15,
                    "{f0} Hz at {f} Hz, {rate}: {want} vs {got}"
                );
            }
        }
    }
}

fn eq_with(bands: &[(usize, BandParams)]) -> EqParams {
    let mut params = EqParams::default();
    for &(index, band) in bands {
        params.bands[index] = band;
    }
    params
}

fn noise(frames: usize, seed: u32) -> Vec<f32> {
    let mut state = seed.max(1);
    (0..frames)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            (state as f32 / u32::MAX as f32 * 2.0 - 1.0) * 0.5
        })
        .collect()
}

fn run(eq: &mut Equalizer, left: &[f32], right: &[f32], block: usize) -> (Vec<f32>, Vec<f32>) {
    let (mut l, mut r) = (left.to_vec(), right.to_vec());
    for (lc, rc) in l.chunks_mut(block).zip(r.chunks_mut(block)) {
        eq.process(&mut [lc, rc]);
    }
    (l, r)
}

#[test]
fn a_flat_eq_returns_the_input_bit_for_bit() {
    let (left, right) = (noise(20_000, 1), noise(20_000, 2));
    let mut eq = Equalizer::new(EqParams::default());
    eq.prepare(&ProcessSpec::stereo(48_000.0, 512));
    assert_eq!(
        run(&mut eq, &left, &right, 512),
        (left.clone(), right.clone())
    );
    // A bell switched on at 0 dB is inaudible, so it stays out of the path.
    let zero = eq_with(&[(3, band(BandType::Bell, 1000.0, 0.0, 1.0))]);
    eq.set_params(&zero);
    assert_eq!(run(&mut eq, &left, &right, 512), (left, right));
}

#[test]
fn the_running_filter_measures_as_its_response() {
    let rate = 48_000.0;
    let params = eq_with(&[
        (1, band(BandType::LowShelf, 120.0, 4.0, 0.71)),
        (3, band(BandType::Bell, 2_000.0, -5.0, 2.0)),
        (6, band(BandType::HighShelf, 12_000.0, 3.0, 0.71)),
    ]);
    let mut eq = Equalizer::new(params);
    eq.prepare(&ProcessSpec::stereo(rate, 512));
    let mut impulse = vec![0.0f32; 1 << 16];
    impulse[0] = 1.0;
    let (l, _) = run(&mut eq, &impulse, &impulse, 512);
    for f in [30.0, 120.0, 700.0, 2_000.0, 5_000.0, 12_000.0, 20_000.0] {
        let w = 2.0 * std::f64::consts::PI * f / rate;
        let (re, im) = l.iter().enumerate().fold((0.0, 0.0), |(re, im), (n, &y)| {
            let (s, c) = (w * n as f64).sin_cos();
            (re + f64::from(y) * c, im - f64::from(y) * s)
        });
        let measured = 10.0 * (re * re + im * im).log10();
        let predicted = eq.curve_db(f, ChannelMode::Left);
        assert!(
            (measured - predicted).abs() < 0.01,
            "{f} Hz: {measured} vs {predicted}"
        );
    }
}

/// A flat EQ that has run long enough to rest (its bands skip their ticks) still takes new
/// settings: bands switched on later measure as their response.
#[test]
fn bands_switched_on_after_a_long_rest_measure_as_their_response() {
    let rate = 48_000.0;
    let mut eq = Equalizer::new(EqParams::default());
    eq.prepare(&ProcessSpec::stereo(rate, 512));
    let rest = noise(96_000, 9);
    assert_eq!(run(&mut eq, &rest, &rest, 512), (rest.clone(), rest));
    eq.set_params(&eq_with(&[
        (2, band(BandType::Bell, 400.0, 6.0, 1.0)),
        (5, band(BandType::HighShelf, 8_000.0, -4.0, 0.71)),
    ]));
    let silence = vec![0.0f32; 48_000];
    run(&mut eq, &silence, &silence, 512);
    let mut impulse = vec![0.0f32; 1 << 16];
    impulse[0] = 1.0;
    let (l, _) = run(&mut eq, &impulse, &impulse, 512);
    let measured_db = |f: f64| {
        let w = 2.0 * std::f64::consts::PI * f / rate;
        let (re, im) = l.iter().enumerate().fold((0.0, 0.0), |(re, im), (n, &y)| {
            let (s, c) = (w * n as f64).sin_cos();
            (re + f64::from(y) * c, im - f64::from(y) * s)
        });
        10.0 * (re * re + im * im).log10()
    };
    // The bell's peak and the shelf's plateau are there...
    assert!(measured_db(400.0) > 5.5, "{}", measured_db(400.0));
    assert!(measured_db(16_000.0) < -3.5, "{}", measured_db(16_000.0));
    // ...and everywhere as designed.
    for f in [100.0, 400.0, 2_000.0, 8_000.0, 16_000.0] {
        let predicted = eq.curve_db(f, ChannelMode::Left);
        assert!(
            (measured_db(f) - predicted).abs() < 0.01,
            "{f} Hz: {} vs {predicted}",
            measured_db(f)
        );
    }
}

#[test]
fn mid_and_side_bands_leave_the_other_part_untouched() {
    let (left, right) = (noise(20_000, 3), noise(20_000, 4));
    for (mode, kept) in [(ChannelMode::Mid, 1.0f32), (ChannelMode::Side, -1.0)] {
        let mut b = band(BandType::Bell, 800.0, 9.0, 0.7);
        b.mode = mode;
        let mut eq = Equalizer::new(eq_with(&[(2, b)]));
        eq.prepare(&ProcessSpec::stereo(48_000.0, 512));
        let (l, r) = run(&mut eq, &left, &right, 512);
        // Mid band: the side (L-R) is kept; side band: the mid (L+R).
        let worst = (0..left.len())
            .map(|n| ((l[n] - kept * r[n]) - (left[n] - kept * right[n])).abs())
            .fold(0.0f32, f32::max);
        assert!(worst < 2e-7, "{mode:?}: {worst}");
        let changed = (0..left.len())
            .map(|n| ((l[n] + kept * r[n]) - (left[n] + kept * right[n])).abs())
            .fold(0.0f32, f32::max);
        assert!(changed > 0.05, "{mode:?} band did nothing");
    }
}

#[test]
fn any_block_split_gives_the_same_output() {
    let (left, right) = (noise(30_000, 5), noise(30_000, 6));
    let params = eq_with(&[
        (0, band(BandType::LowCut, 40.0, 0.0, 0.71)),
        (4, band(BandType::Bell, 3_000.0, 6.0, 3.0)),
    ]);
    let render = |block: usize| {
        let mut eq = Equalizer::new(EqParams::default());
        eq.prepare(&ProcessSpec::stereo(44_100.0, 4096));
        // The change glides from the first sample, the same in every split.
        eq.set_params(&params);
        run(&mut eq, &left, &right, block)
    };
    let reference = render(4096);
    for block in [1, 7, 64, 333] {
        assert!(render(block) == reference, "block {block}");
    }
}

/// A 0.1 amplitude 100 Hz sine, `seconds` long, through one band whose settings
/// `band_at(phase)` (phase 0..1 over the run) are set before every 64-frame block. Returns the
/// left channel.
fn sweep_at_block_rate(
    rate: f64,
    seconds: f64,
    mut band_at: impl FnMut(f64) -> BandParams,
) -> Vec<f32> {
    let frames = (rate * seconds) as usize;
    let input: Vec<f32> = (0..frames)
        .map(|n| 0.1 * (2.0 * std::f32::consts::PI * 100.0 * n as f32 / rate as f32).sin())
        .collect();
    let mut eq = Equalizer::new(EqParams::default());
    eq.prepare(&ProcessSpec::stereo(rate, 64));
    let (mut l, mut r) = (input.clone(), input);
    for (i, (lc, rc)) in l.chunks_mut(64).zip(r.chunks_mut(64)).enumerate() {
        eq.set_params(&eq_with(&[(3, band_at(i as f64 * 64.0 / frames as f64))]));
        eq.process(&mut [lc, rc]);
    }
    l
}

#[test]
fn sweeping_a_band_at_block_rate_makes_no_jumps() {
    // A bell sweeping 20 Hz → 20 kHz and back while its gain swings ±18 dB.
    let l = sweep_at_block_rate(48_000.0, 2.0, |phase| {
        let sweep = (std::f64::consts::PI * 2.0 * phase).sin().abs();
        band(
            BandType::Bell,
            20.0 * 1000f64.powf(sweep),
            18.0 * (std::f64::consts::PI * 6.0 * phase).cos(),
            2.0,
        )
    });
    // The largest step a 100 Hz sine can make after +18 dB (8x) of any filter is about
    // 8 · 0.1 · 2π · 100 / 48000 = 0.0105; a zipper or a coefficient transient would exceed it.
    let worst_step = l
        .windows(2)
        .map(|w| (w[1] - w[0]).abs())
        .fold(0.0f32, f32::max);
    assert!(worst_step < 0.0105, "{worst_step}");
    assert!(l.iter().all(|x| x.is_finite()));
}

/// A broad high shelf gliding across the range where its design switches between one section
/// and a fitted pair (and back) at 44.1 kHz: the hand-over of filter state makes no click.
#[test]
fn gliding_between_one_section_and_a_fitted_pair_makes_no_click() {
    let rate = 44_100.0;
    let mut sections_seen = [false; 3];
    let l = sweep_at_block_rate(rate, 2.0, |phase| {
        let sweep = (std::f64::consts::PI * 3.0 * phase).sin().abs();
        let b = band(BandType::HighShelf, 1_000.0 * 20f64.powf(sweep), 18.0, 0.4);
        sections_seen[b.digital_sections(rate).1] = true;
        b
    });
    assert!(sections_seen[1] && sections_seen[2], "{sections_seen:?}");
    // Largest second difference (a click is a spike in it). Measured: 2.1e-4 with the
    // hand-over; the same sweep held to single sections gives 2.0e-4 (the glide's own
    // coefficient steps); without the hand-over the switches click at 1.5e-2.
    let worst = l
        .windows(3)
        .map(|w| (w[2] - 2.0 * w[1] + w[0]).abs())
        .fold(0.0f32, f32::max);
    assert!(worst < 3e-4, "{worst}");
}

#[test]
fn extreme_settings_at_extreme_rates_stay_finite_and_stable() {
    let input = noise(20_000, 7);
    for rate in [22_050.0, 44_100.0, 384_000.0] {
        for band_type in BandType::ALL {
            for (freq_hz, q) in [(10.0, 0.1), (10.0, 18.0), (30_000.0, 0.1), (30_000.0, 18.0)] {
                let extreme = BandParams {
                    slope_db_per_oct: 48,
                    ..band(band_type, freq_hz, 18.0, q)
                };
                let mut eq = Equalizer::new(eq_with(&[(0, extreme)]));
                eq.prepare(&ProcessSpec::stereo(rate, 512));
                let (l, r) = run(&mut eq, &input, &input, 512);
                let peak = l.iter().chain(&r).fold(0.0f32, |m, x| m.max(x.abs()));
                // At most +18 dB, or a Q 18 cut's resonance (about 25x), on noise peaking at 0.5.
                assert!(
                    peak.is_finite() && peak < 100.0,
                    "{band_type:?} {freq_hz} Hz Q {q} at {rate}: {peak}"
                );
            }
        }
    }
}

#[test]
fn switching_bands_fades_without_clicks() {
    let rate = 48_000.0;
    let input: Vec<f32> = (0..48_000)
        .map(|n| 0.5 * (2.0 * std::f32::consts::PI * 60.0 * n as f32 / rate as f32).sin())
        .collect();
    let mut eq = Equalizer::new(EqParams::default());
    eq.prepare(&ProcessSpec::stereo(rate, 256));
    let (mut l, mut r) = (input.clone(), input.clone());
    for (i, (lc, rc)) in l.chunks_mut(256).zip(r.chunks_mut(256)).enumerate() {
        // Every 20 blocks: a low cut in, then the same band as a +12 dB low shelf, then out.
        let step = (i / 20) % 3;
        let params = match step {
            0 => EqParams::default(),
            1 => eq_with(&[(0, band(BandType::LowCut, 120.0, 0.0, 0.71))]),
            _ => eq_with(&[(0, band(BandType::LowShelf, 120.0, 12.0, 0.71))]),
        };
        eq.set_params(&params);
        eq.process(&mut [lc, rc]);
    }
    // A 60 Hz sine at 0.5 through at most +12 dB steps by at most 4 · 0.5 · 2π · 60/48000.
    let worst_step = l
        .windows(2)
        .map(|w| (w[1] - w[0]).abs())
        .fold(0.0f32, f32::max);
    assert!(worst_step < 0.0158, "{worst_step}");
}

/// Magnitude of `signal`'s DFT at `freq_hz`, dB.
fn dft_db(signal: &[f32], freq_hz: f64, rate: f64) -> f64 {
    let w = 2.0 * std::f64::consts::PI * freq_hz / rate;
    let (re, im) = signal
        .iter()
        .enumerate()
        .fold((0.0, 0.0), |(re, im), (n, &y)| {
            let (s, c) = (w * n as f64).sin_cos();
            (re + f64::from(y) * c, im - f64::from(y) * s)
        });
    10.0 * (re * re + im * im).log10()
}

#[test]
fn linear_phase_has_the_zero_latency_magnitude_and_a_symmetric_response() {
    let rate = 48_000.0;
    let mut side = band(BandType::Bell, 3_000.0, 4.0, 1.0);
    side.mode = ChannelMode::Side;
    let mut params = eq_with(&[
        (0, band(BandType::LowCut, 30.0, 0.0, 0.71)),
        (1, band(BandType::LowShelf, 120.0, 3.0, 0.71)),
        (3, band(BandType::Bell, 1_000.0, -4.0, 1.5)),
        (6, band(BandType::HighShelf, 12_000.0, 2.5, 0.71)),
    ]);
    let zero_latency = Equalizer::new(params.clone());
    params.phase = lacquer_dsp::eq::PhaseMode::LinearPhase;
    let mut eq = Equalizer::new(params.clone());
    eq.prepare(&ProcessSpec::stereo(rate, 512));
    let latency = eq.latency();
    assert!(latency > 0);
    let mut impulse = vec![0.0f32; latency * 2 + 4096];
    impulse[0] = 1.0;
    let (l, _) = run(&mut eq, &impulse, &impulse, 512);
    let mut reference = zero_latency;
    reference.prepare(&ProcessSpec::stereo(rate, 512));
    for f in [40.0, 120.0, 1_000.0, 5_000.0, 12_000.0, 20_000.0] {
        let measured = dft_db(&l, f, rate);
        let wanted = reference.curve_db(f, ChannelMode::Left);
        assert!(
            (measured - wanted).abs() < 0.1,
            "{f} Hz: {measured} vs {wanted}"
        );
    }
    // Linear phase: the response is symmetric about the reported latency.
    let peak = l.iter().map(|x| x.abs()).fold(0.0f32, f32::max);
    let asymmetry = (1..2048)
        .map(|k| (l[latency + k] - l[latency - k]).abs())
        .fold(0.0f32, f32::max);
    assert!(asymmetry < 1e-4 * peak, "{asymmetry} of {peak}");

    // A side band: the mid (L+R) passes untouched through the matrix kernel.
    params.bands[5] = side;
    let mut eq = Equalizer::new(params);
    eq.prepare(&ProcessSpec::stereo(rate, 512));
    let (left, right) = (noise(latency + 20_000, 8), noise(latency + 20_000, 9));
    let (l, r) = run(&mut eq, &left, &right, 512);
    let mut plain = Equalizer::new(eq.params().clone());
    let mut stereo_only = plain.params().clone();
    stereo_only.bands[5].enabled = false;
    plain.set_params(&stereo_only);
    plain.prepare(&ProcessSpec::stereo(rate, 512));
    let (pl, pr) = run(&mut plain, &left, &right, 512);
    let mid_error = (latency..l.len())
        .map(|n| ((l[n] + r[n]) - (pl[n] + pr[n])).abs())
        .fold(0.0f32, f32::max);
    assert!(mid_error < 1e-4, "{mid_error}");
}

#[test]
fn switching_phase_mode_keeps_the_audio_going() {
    let rate = 48_000.0;
    let input: Vec<f32> = (0..rate as usize * 2)
        .map(|n| 0.5 * (2.0 * std::f32::consts::PI * 200.0 * n as f32 / rate as f32).sin())
        .collect();
    let mut params = eq_with(&[(3, band(BandType::Bell, 1_000.0, 3.0, 1.0))]);
    let mut eq = Equalizer::new(params.clone());
    eq.prepare(&ProcessSpec::stereo(rate, 256));
    let (mut l, mut r) = (input.clone(), input.clone());
    for (i, (lc, rc)) in l.chunks_mut(256).zip(r.chunks_mut(256)).enumerate() {
        params.phase = if (i / 100) % 2 == 1 {
            lacquer_dsp::eq::PhaseMode::LinearPhase
        } else {
            lacquer_dsp::eq::PhaseMode::ZeroLatency
        };
        eq.set_params(&params);
        eq.process(&mut [lc, rc]);
    }
    // Every 10 ms holds the sine: no silent gap while the linear path fills. Mid-fade the two
    // paths are a latency apart, so the 200 Hz sine (RMS 0.35) partly cancels: at worst
    // cos(72°) of its level for this latency's 144° offset, 0.11.
    for (k, window) in l.chunks(480).enumerate() {
        let rms = (window.iter().map(|x| x * x).sum::<f32>() / window.len() as f32).sqrt();
        assert!(rms > 0.1, "window {k}: {rms}");
    }
    assert!(l.iter().all(|x| x.is_finite()));
}

#[test]
fn a_side_band_in_mono_is_silent_and_comes_in_when_switched_to_stereo() {
    let side = BandParams {
        mode: ChannelMode::Side,
        ..band(BandType::Bell, 1_000.0, 6.0, 1.0)
    };
    let mut params = EqParams::default();
    params.bands[4] = side;
    let mut eq = Equalizer::new(params.clone());
    eq.prepare(&ProcessSpec {
        sample_rate: 48_000.0,
        max_block_size: 480,
        channels: 1,
    });
    let mut n = 0usize;
    let mut block_peak = |eq: &mut Equalizer| {
        let mut block: Vec<f32> = (0..480)
            .map(|_| {
                n += 1;
                0.25 * (std::f32::consts::TAU * 1_000.0 * n as f32 / 48_000.0).sin()
            })
            .collect();
        eq.process(&mut [block.as_mut_slice()]);
        block.iter().fold(0.0f32, |peak, x| peak.max(x.abs()))
    };
    for _ in 0..10 {
        assert!((block_peak(&mut eq) - 0.25).abs() < 1e-3, "no side in mono");
    }
    params.bands[4].mode = ChannelMode::Stereo;
    eq.set_params(&params);
    // Fade out (of nothing), swap, fade in: 30 ms, then +6 dB.
    let peaks: Vec<f32> = (0..10).map(|_| block_peak(&mut eq)).collect();
    assert!((peaks[9] / 0.25 - 2.0).abs() < 0.01, "{peaks:?}");
}
