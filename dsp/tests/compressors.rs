//! The multiband and glue compressors held to their proof list, with measured figures
//! (`cargo test -p lacquer-dsp --release --test compressors -- --nocapture` prints them):
//! static curves and time constants, the neutral multiband's null against the crossover, solo
//! responses, and latency.

mod common;

use std::f64::consts::LN_2;

use common::{
    band_sum, crossover_bank, dft_db, log_frequencies, neutral_multiband, prepared, rms_db, run,
    sine, stereo_noise,
};
use lacquer_dsp::Processor;
use lacquer_dsp::dynamics::{
    BandParams, Detection, GLUE_KNEE_DB, GainComputer, GlueCompressor, GlueParams, GlueRatio,
    MultibandCompressor, MultibandParams, StereoMode,
};
use lacquer_dsp::filter::crossover::MAX_BANDS;

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
                let mut bank = crossover_bank(rate, 4, [120.0, 1_000.0, 6_000.0], linear_phase);
                let sum = band_sum(&mut bank, channel);
                for (y, s) in channel.iter_mut().zip(sum) {
                    *y = s as f32;
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
