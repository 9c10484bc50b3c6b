//! The limiter's behaviour besides the ceiling: transparency below it, distortion, release
//! timing, latency, bad input, every rate and block size, parameter changes, audition aids,
//! stereo link and readings. Each test measures the output against what it should be.

use lacquer_dsp::limiter::{Character, Detection, Limiter, LimiterParams};
use lacquer_dsp::{ProcessSpec, Processor};
use lacquer_tests::exact_true_peak::exact_true_peak_dbtp;
use lacquer_tests::reference::render_blocks;
use lacquer_tests::signals::{assert_identical, noise, normalized, programme_material};
use realfft::RealFftPlanner;
use std::f64::consts::PI;

fn prepared(rate: f64, params: LimiterParams) -> Limiter {
    let mut limiter = Limiter::new(params);
    limiter.prepare(&ProcessSpec::stereo(rate, 512));
    limiter
}

/// Renders through a fresh limiter and returns the output aligned with the input (the
/// latency removed) and the limiter.
fn render_aligned(
    rate: f64,
    input: &[Vec<f32>],
    params: LimiterParams,
) -> (Vec<Vec<f32>>, Limiter) {
    let mut limiter = prepared(rate, params);
    let latency = limiter.latency();
    let output = render_blocks(&mut limiter, input, 512, latency);
    let aligned = output.into_iter().map(|c| c[latency..].to_vec()).collect();
    (aligned, limiter)
}

fn sine(rate: f64, freq: f64, amplitude: f64, frames: usize) -> Vec<f32> {
    (0..frames)
        .map(|n| (amplitude * (2.0 * PI * freq * n as f64 / rate).sin()) as f32)
        .collect()
}

fn db(x: f64) -> f64 {
    20.0 * x.log10()
}

/// The largest difference between two signals, dBFS.
fn null_dbfs(a: &[Vec<f32>], b: &[Vec<f32>]) -> f64 {
    let worst = a
        .iter()
        .zip(b)
        .flat_map(|(a, b)| a.iter().zip(b).map(|(x, y)| f64::from((x - y).abs())))
        .fold(0.0, f64::max);
    db(worst)
}

#[test]
fn below_the_ceiling_the_output_is_the_input_delayed() {
    for rate in [44_100.0, 48_000.0, 96_000.0] {
        let programme = programme_material(rate, 2.0, 11).to_vec();
        let peak = programme
            .iter()
            .map(|c| exact_true_peak_dbtp(c, 32))
            .fold(f64::MIN, f64::max);
        let gain = 10f64.powf((-1.2 - peak) / 20.0) as f32;
        let programme: Vec<Vec<f32>> = programme
            .iter()
            .map(|c| c.iter().map(|x| x * gain).collect())
            .collect();
        let frames = rate as usize;
        let cases = [
            ("programme at -1.2 dBTP", programme),
            (
                "1 kHz at -1.2 dBFS",
                vec![sine(rate, 1000.0, 0.871, frames); 2],
            ),
            (
                "white noise at -12 dBFS",
                normalized(vec![noise(frames, 5), noise(frames, 6)], -12.0),
            ),
        ];
        for (name, input) in cases {
            let (output, limiter) = render_aligned(rate, &input, LimiterParams::default());
            let null = null_dbfs(&output, &input);
            eprintln!("{rate} Hz, {name}: null {null:.1} dBFS");
            assert!(null < -140.0, "{rate} Hz, {name}: null only {null:.1} dBFS");
            assert_eq!(limiter.readings().max_gain_reduction_db, 0.0, "{name}");
            let delta = LimiterParams {
                delta: true,
                ..LimiterParams::default()
            };
            let (removed, _) = render_aligned(rate, &input, delta);
            let silence: Vec<Vec<f32>> = input.iter().map(|c| vec![0.0; c.len()]).collect();
            assert!(
                null_dbfs(&removed, &silence) < -140.0,
                "{name}: delta is not silent"
            );
        }
    }
}

/// THD+N of a steady 1 kHz tone (exactly 1000 periods in the window), 20 Hz-20 kHz.
fn thd_plus_n_db(signal: &[f32], rate: f64) -> f64 {
    let len = signal.len();
    let mut time: Vec<f64> = signal.iter().map(|&x| f64::from(x)).collect();
    let fft = RealFftPlanner::<f64>::new().plan_fft_forward(len);
    let mut spectrum = fft.make_output_vec();
    fft.process(&mut time, &mut spectrum).expect("FFT");
    let bin_hz = rate / len as f64;
    let fundamental = (1000.0 / bin_hz).round() as usize;
    let power = |k: usize| spectrum[k].norm_sqr();
    let rest: f64 = ((20.0 / bin_hz) as usize..=(20_000.0 / bin_hz) as usize)
        .filter(|&k| k != fundamental)
        .map(power)
        .sum();
    10.0 * (rest / power(fundamental)).log10()
}

#[test]
fn a_sine_driven_6_db_into_the_ceiling_settles_without_distortion() {
    let rate = 48_000.0;
    let input = vec![sine(rate, 1000.0, 1.0, 144_000); 2];
    let params = LimiterParams {
        drive_db: 6.0,
        ..LimiterParams::default()
    };
    let (output, limiter) = render_aligned(rate, &input, params);
    // The second second: settled, and clear of the tone's abrupt end.
    let steady = &output[0][48_000..96_000];
    let thd = thd_plus_n_db(steady, rate);
    // The gain must be steady: every period's peak the same.
    let peaks: Vec<f32> = steady
        .chunks(48)
        .map(|p| p.iter().fold(0.0f32, |m, x| m.max(x.abs())))
        .collect();
    let (low, high) = peaks
        .iter()
        .fold((f32::MAX, 0.0f32), |(l, h), &p| (l.min(p), h.max(p)));
    let ripple = db(f64::from(high / low));
    let reduction = limiter.readings().gain_reduction_db;
    eprintln!("THD+N {thd:.1} dB, peak ripple {ripple:.6} dB, gain reduction {reduction:.3} dB");
    assert!(thd < -90.0, "THD+N {thd:.1} dB");
    assert!(ripple < 0.001, "gain ripple {ripple} dB");
    // 0 dBFS driven +6 dB into -1 dBTP: 7.02 dB, within the split's passband ripple.
    assert!(
        (reduction - 7.02).abs() < 0.03,
        "gain reduction {reduction} dB"
    );
}

/// Renders a loud DC section, a 1 ms fade (smooth, so the band split does not ring) and a
/// quiet section; returns the gain during the loud section and the gains (output over input)
/// from the first quiet sample on.
fn recovery(rate: f64, params: LimiterParams, loud_s: f64) -> (f64, Vec<f64>) {
    let (loud, fade) = ((loud_s * rate) as usize, (0.001 * rate) as usize);
    let frames = loud + fade + (6.0 * rate) as usize;
    let (high, quiet) = (2.0f64, 0.1f64);
    let input: Vec<f32> = (0..frames)
        .map(|n| match n.checked_sub(loud) {
            None => high as f32,
            Some(k) if k < fade => {
                let shape = 0.5 + 0.5 * (PI * k as f64 / fade as f64).cos();
                (quiet + (high - quiet) * shape) as f32
            }
            Some(_) => quiet as f32,
        })
        .collect();
    let (output, _) = render_aligned(rate, &[input.clone(), input.clone()], params);
    let gain = |n: usize| f64::from(output[0][n]) / f64::from(input[n]);
    let gains = (loud + fade..frames).map(gain).collect();
    (gain(loud - 1), gains)
}

/// The release time constant: the slope of ln(1 - gain) while the gain recovers from 30 % to
/// 90 % of the reduction it had during the loud section, in ms.
fn fitted_time_constant_ms((loud_gain, gains): (f64, Vec<f64>), rate: f64) -> f64 {
    let recovered = |g: f64| (g - loud_gain) / (1.0 - loud_gain);
    let after = |share: f64| {
        gains
            .iter()
            .position(|&g| recovered(g) >= share)
            .expect("recovers")
    };
    let (start, end) = (after(0.3), after(0.9));
    let (y0, y1) = ((1.0 - gains[start]).ln(), (1.0 - gains[end]).ln());
    (end - start) as f64 / (y0 - y1) / rate * 1000.0
}

#[test]
fn manual_release_follows_the_set_time_constant() {
    for rate in [44_100.0, 96_000.0] {
        for release_ms in [5.0, 50.0, 500.0] {
            let params = LimiterParams {
                release_ms,
                auto_release: false,
                ..LimiterParams::default()
            };
            let measured = fitted_time_constant_ms(recovery(rate, params, 0.2), rate);
            eprintln!("{rate} Hz, release {release_ms} ms: measured {measured:.2} ms");
            assert!(
                (measured / release_ms - 1.0).abs() < 0.1,
                "{release_ms} ms set, {measured:.2} ms measured"
            );
        }
    }
}

#[test]
fn auto_release_recovers_fast_from_brief_peaks_and_slowly_from_sustained_reduction() {
    let rate = 48_000.0;
    let params = LimiterParams {
        release_ms: 80.0,
        auto_release: true,
        ..LimiterParams::default()
    };
    let brief = fitted_time_constant_ms(recovery(rate, params.clone(), 0.005), rate);
    let sustained = fitted_time_constant_ms(recovery(rate, params, 3.0), rate);
    eprintln!("auto release 80 ms: after 5 ms {brief:.1} ms, after 3 s {sustained:.1} ms");
    assert!(
        (brief / 20.0 - 1.0).abs() < 0.25,
        "brief peak: {brief:.1} ms, expected about 20"
    );
    assert!(
        sustained > 160.0 && sustained < 400.0,
        "sustained: {sustained:.1} ms, expected 160-400"
    );
}

#[test]
fn an_impulse_comes_out_at_exactly_the_latency() {
    for rate in [22_050.0, 44_100.0, 48_000.0, 96_000.0, 192_000.0, 384_000.0] {
        for (amplitude, drive_db) in [(0.5f32, 0.0), (1.0, 0.0), (0.8, 24.0)] {
            let mut impulse = vec![0.0f32; 4096];
            impulse[100] = amplitude;
            let params = LimiterParams {
                drive_db,
                ..LimiterParams::default()
            };
            let mut limiter = prepared(rate, params);
            let latency = limiter.latency();
            let output = render_blocks(&mut limiter, &[impulse.clone(), impulse], 512, latency);
            let loudest = output[0].iter().enumerate().fold(0, |b, (n, x)| {
                if x.abs() > output[0][b].abs() { n } else { b }
            });
            assert_eq!(
                loudest,
                100 + latency,
                "{rate} Hz, impulse {amplitude} +{drive_db} dB"
            );
            if amplitude < 0.89 && drive_db == 0.0 {
                assert_eq!(
                    output[0][loudest], amplitude,
                    "{rate} Hz: a small impulse passes unchanged"
                );
            }
        }
    }
}

#[test]
fn nan_inf_and_subnormal_input_never_reaches_the_output() {
    let rate = 48_000.0;
    let clean = normalized(programme_material(rate, 1.0, 21).to_vec(), -0.3);
    let mut dirty = clean.clone();
    let mut silenced = clean.clone();
    let bad = [f32::NAN, f32::INFINITY, f32::NEG_INFINITY, 1e-40, -1e-42];
    for (k, start) in (1000..48_000).step_by(4_321).enumerate() {
        for n in start..start + 1 + k % 7 {
            dirty[k % 2][n] = bad[(k + n) % bad.len()];
            silenced[k % 2][n] = 0.0;
        }
    }
    let params = LimiterParams {
        drive_db: 12.0,
        ..LimiterParams::default()
    };
    let (from_dirty, limiter) = render_aligned(rate, &dirty, params.clone());
    let (from_silenced, _) = render_aligned(rate, &silenced, params);
    assert!(
        from_dirty.iter().flatten().all(|x| x.is_finite()),
        "non-finite output"
    );
    assert_eq!(
        from_dirty, from_silenced,
        "bad samples must act as silence, nothing more"
    );
    assert!(limiter.readings().overs == 0);
}

#[test]
fn every_rate_and_block_size_gives_the_same_output_and_holds_the_ceiling() {
    for rate in [
        22_050.0, 32_000.0, 44_100.0, 48_000.0, 88_200.0, 96_000.0, 176_400.0, 192_000.0,
        352_800.0, 384_000.0,
    ] {
        let input = normalized(programme_material(rate, 0.5, 31).to_vec(), -0.3);
        let params = LimiterParams {
            drive_db: 12.0,
            ..LimiterParams::default()
        };
        let mut reference = None;
        for block in [1, 3, 64, 480, 4096, 16384] {
            let mut limiter = Limiter::new(params.clone());
            limiter.prepare(&ProcessSpec::stereo(rate, block));
            let latency = limiter.latency();
            let output = render_blocks(&mut limiter, &input, block, latency + 1024);
            match &reference {
                None => {
                    let peak = output
                        .iter()
                        .map(|c| exact_true_peak_dbtp(c, 32))
                        .fold(f64::MIN, f64::max);
                    eprintln!("{rate} Hz: latency {latency}, true peak {peak:.4} dBTP");
                    assert!(peak <= -1.0 + 0.005, "{rate} Hz: {peak:.4} dBTP");
                    reference = Some(output);
                }
                Some(reference) => assert!(
                    *reference == output,
                    "{rate} Hz, block {block}: output differs"
                ),
            }
        }
    }
}

#[test]
fn parameter_changes_while_limiting_keep_the_output_finite_and_under_the_ceiling() {
    let rate = 48_000.0;
    let input = normalized(programme_material(rate, 3.0, 41).to_vec(), -0.3);
    let mut limiter = prepared(rate, LimiterParams::default());
    let mut output = input.clone();
    let settings = [
        LimiterParams {
            drive_db: 12.0,
            ..LimiterParams::default()
        },
        LimiterParams {
            drive_db: 24.0,
            ceiling_dbtp: -3.0,
            ..LimiterParams::default()
        },
        LimiterParams {
            drive_db: 6.0,
            lookahead_ms: 10.0,
            character: Character::Fast,
            ..LimiterParams::default()
        },
        LimiterParams {
            drive_db: 18.0,
            lookahead_ms: 0.5,
            release_ms: 1.0,
            auto_release: false,
            ..LimiterParams::default()
        },
        LimiterParams {
            drive_db: 9.0,
            ceiling_dbtp: -0.5,
            detection: Detection::Oversampled(2),
            link_pct: 0.0,
            ..LimiterParams::default()
        },
        LimiterParams {
            drive_db: 12.0,
            detection: Detection::SamplePeak,
            ..LimiterParams::default()
        },
        LimiterParams {
            drive_db: 12.0,
            release_ms: 1000.0,
            ..LimiterParams::default()
        },
    ];
    let block = 1_000;
    let (left, right) = output.split_at_mut(1);
    for (k, (l, r)) in left[0]
        .chunks_mut(block)
        .zip(right[0].chunks_mut(block))
        .enumerate()
    {
        limiter.set_params(&settings[k * 7 / 3 % settings.len()]);
        limiter.process(&mut [l, r]);
    }
    assert!(output.iter().flatten().all(|x| x.is_finite()));
    let peak = output
        .iter()
        .map(|c| exact_true_peak_dbtp(c, 32))
        .fold(f64::MIN, f64::max);
    eprintln!("true peak {peak:.4} dBTP under changing settings (highest ceiling -0.5)");
    assert!(peak <= -0.5 + 0.005, "{peak:.4} dBTP");
}

#[test]
fn delta_is_what_the_limiter_removes_and_unity_gain_undoes_the_drive() {
    let rate = 48_000.0;
    let input = normalized(programme_material(rate, 2.0, 51).to_vec(), -0.3);
    let drive = LimiterParams {
        drive_db: 9.0,
        ..LimiterParams::default()
    };
    let (limited, _) = render_aligned(rate, &input, drive.clone());
    let (removed, _) = render_aligned(
        rate,
        &input,
        LimiterParams {
            delta: true,
            ..drive.clone()
        },
    );
    let driven: Vec<Vec<f32>> = input
        .iter()
        .map(|c| c.iter().map(|x| x * 10f32.powf(0.45)).collect())
        .collect();
    let sum: Vec<Vec<f32>> = limited
        .iter()
        .zip(&removed)
        .map(|(a, b)| a.iter().zip(b).map(|(x, y)| x + y).collect())
        .collect();
    let null = null_dbfs(&sum, &driven);
    assert!(
        null < -100.0,
        "limited + delta misses the driven input by {null:.1} dBFS"
    );
    assert!(
        null_dbfs(&removed, &vec![vec![0.0; removed[0].len()]; 2]) > -20.0,
        "delta must carry the reduction"
    );

    let (unity, _) = render_aligned(
        rate,
        &input,
        LimiterParams {
            unity_gain: true,
            ..drive
        },
    );
    let lowered: Vec<Vec<f32>> = limited
        .iter()
        .map(|c| c.iter().map(|x| x / 10f32.powf(0.45)).collect())
        .collect();
    let null = null_dbfs(&unity, &lowered);
    assert!(
        null < -120.0,
        "unity gain differs from the output lowered by the drive: {null:.1} dBFS"
    );
}

#[test]
fn stereo_link_shares_the_gain_between_channels() {
    let rate = 48_000.0;
    // One tone, loud on the left, quiet on the right.
    let input = vec![
        sine(rate, 440.0, 1.0, 48_000),
        sine(rate, 440.0, 0.25, 48_000),
    ];
    let drive = LimiterParams {
        drive_db: 6.0,
        ..LimiterParams::default()
    };
    // Each channel's gain once settled: output peak over driven input peak, dB.
    let gains = |output: &[Vec<f32>]| -> Vec<f64> {
        output
            .iter()
            .zip([1.0, 0.25].map(|a| a * 10f64.powf(6.0 / 20.0)))
            .map(|(c, driven)| {
                db(f64::from(c[24_000..].iter().fold(0.0f32, |m, x| m.max(x.abs()))) / driven)
            })
            .collect()
    };
    let (linked, _) = render_aligned(rate, &input, drive.clone());
    let linked = gains(&linked);
    eprintln!("linked: {linked:?} dB");
    assert!(linked[0] < -7.0, "the loud channel is limited: {linked:?}");
    // Equal gains; the loud channel, whose top band is faded out, differs by the band split's
    // passband ripple only.
    assert!((linked[0] - linked[1]).abs() < 0.005, "linked: {linked:?}");
    let unlinked = LimiterParams {
        link_pct: 0.0,
        ..drive
    };
    let (free, _) = render_aligned(rate, &input, unlinked);
    let free = gains(&free);
    eprintln!("unlinked: {free:?} dB");
    assert!(
        (free[0] - linked[0]).abs() < 0.001 && free[1].abs() < 1e-6,
        "unlinked: {free:?}"
    );
}

#[test]
fn readings_show_gain_reduction_history_and_reset() {
    let rate = 48_000.0;
    let mut input = vec![sine(rate, 1000.0, 1.0, 48_000); 2];
    input.iter_mut().for_each(|c| c[24_000..].fill(0.0));
    let params = LimiterParams {
        drive_db: 6.0,
        release_ms: 10.0,
        auto_release: false,
        ..LimiterParams::default()
    };
    let (_, mut limiter) = render_aligned(rate, &input, params);
    let readings = limiter.readings();
    assert!(
        (readings.max_gain_reduction_db - 7.0).abs() < 0.02,
        "max {}",
        readings.max_gain_reduction_db
    );
    // The last 0.49 s are silence after a 10 ms release: the newest history steps are 0, those
    // from the loud half 7 dB (history covers the last 2.56 s, oldest first).
    let history = readings.history_db;
    assert_eq!(*history.last().unwrap(), 0.0);
    let loud_steps = history.iter().filter(|&&r| (r - 7.0).abs() < 0.02).count();
    assert!(
        (48..=52).contains(&loud_steps),
        "{loud_steps} steps at 7 dB"
    );
    assert!(readings.output_true_peak_dbtp <= -1.0 && readings.output_true_peak_dbtp > -1.01);
    limiter.reset_readings();
    let cleared = limiter.readings();
    assert_eq!(cleared.max_gain_reduction_db, 0.0);
    assert!(cleared.history_db.iter().all(|&r| r == 0.0));
    assert_eq!(cleared.output_true_peak_dbtp, f64::NEG_INFINITY);
}

#[test]
fn switched_off_the_limiter_passes_the_input_delayed_and_switching_does_not_click() {
    let rate = 48_000.0;
    let input = normalized(programme_material(rate, 2.0, 61).to_vec(), -0.3);
    let off = LimiterParams {
        enabled: false,
        drive_db: 12.0,
        ..LimiterParams::default()
    };
    let (bypassed, _) = render_aligned(rate, &input, off.clone());
    // Subnormals become zero, as everywhere in the limiter.
    let flushed: Vec<Vec<f32>> = input
        .iter()
        .map(|c| {
            c.iter()
                .map(|&x| if x.is_normal() { x } else { 0.0 })
                .collect()
        })
        .collect();
    assert_identical(
        &bypassed,
        &flushed,
        "off: the input exactly, delayed by the latency",
    );

    // Switch on and off every 0.25 s while limiting 12 dB: the output glides between the two.
    let mut limiter = prepared(rate, off.clone());
    let latency = limiter.latency();
    let mut output = input.clone();
    let (left, right) = output.split_at_mut(1);
    for (k, (l, r)) in left[0]
        .chunks_mut(12_000)
        .zip(right[0].chunks_mut(12_000))
        .enumerate()
    {
        limiter.set_params(&LimiterParams {
            enabled: k % 2 == 1,
            ..off.clone()
        });
        assert_eq!(
            limiter.latency(),
            latency,
            "switching must not move the audio"
        );
        limiter.process(&mut [l, r]);
    }
    let steps = |c: &[f32]| {
        c.windows(2)
            .map(|w| (w[1] - w[0]).abs())
            .fold(0.0f32, f32::max)
    };
    let largest = |signal: &[Vec<f32>]| signal.iter().map(|c| steps(c)).fold(0.0, f32::max);
    // A crossfade's steps are the two signals' steps plus the fade's own (1/480 of their
    // difference per sample): no larger than the larger of the two, plus a little.
    let on = LimiterParams {
        enabled: true,
        ..off.clone()
    };
    let (limited, _) = render_aligned(rate, &input, on);
    let steady = largest(&limited).max(largest(&input));
    let switching = largest(&output);
    eprintln!("largest step: steady {steady}, switching {switching}");
    assert!(output.iter().flatten().all(|x| x.is_finite()));
    assert!(
        switching <= steady + 0.01,
        "a click: {switching} against {steady}"
    );
}

/// Switched out after a long stretch switched in, the limiter fades from its output to the
/// input delayed by the latency: every faded sample lies between the two, and after the fade
/// the output is that delayed input exactly.
#[test]
fn switched_out_after_a_long_run_it_fades_to_the_delayed_input() {
    let rate = 48_000.0;
    let input = normalized(programme_material(rate, 2.0, 67).to_vec(), -0.3);
    let on = LimiterParams {
        drive_db: 12.0,
        ..LimiterParams::default()
    };
    let (limited, _) = render_aligned(rate, &input, on.clone());
    let mut limiter = prepared(rate, on.clone());
    let latency = limiter.latency();
    let switch = 72_000;
    let tail = vec![0.0; latency];
    let mut output: Vec<Vec<f32>> = input
        .iter()
        .map(|c| [c.as_slice(), &tail].concat())
        .collect();
    let (left, right) = output.split_at_mut(1);
    limiter.process(&mut [&mut left[0][..switch], &mut right[0][..switch]]);
    limiter.set_params(&LimiterParams {
        enabled: false,
        ..on
    });
    limiter.process(&mut [&mut left[0][switch..], &mut right[0][switch..]]);
    let fade = 480; // 10 ms
    for c in 0..2 {
        let aligned = &output[c][latency..];
        for j in switch - latency..switch - latency + fade {
            let (wet, dry, out) = (limited[c][j], input[c][j], aligned[j]);
            let slack = 1e-6;
            assert!(
                out >= wet.min(dry) - slack && out <= wet.max(dry) + slack,
                "channel {c}, frame {j}: {out} outside {wet}..{dry}"
            );
        }
        let after = switch - latency + fade;
        assert_eq!(
            aligned[after..],
            input[c][after..],
            "channel {c} after the fade"
        );
    }
}
