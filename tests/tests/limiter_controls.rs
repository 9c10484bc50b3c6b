//! The limiter's controls and readouts: delta and unity-gain audition, stereo link, the
//! gain-reduction readings, and switching it in and out (the input delayed, crossfaded without
//! clicks). Each test measures the output against what it should be.

use lacquer_dsp::Processor;
use lacquer_dsp::limiter::LimiterParams;
use lacquer_dsp::util::gain_to_db;
use lacquer_tests::reference::{limiter_render_aligned, prepared_limiter};
use lacquer_tests::signals::{assert_identical, normalized, null_dbfs, programme_material, sine};

#[test]
fn delta_is_what_the_limiter_removes_and_unity_gain_undoes_the_drive() {
    let rate = 48_000.0;
    let input = normalized(programme_material(rate, 2.0, 51).to_vec(), -0.3);
    let drive = LimiterParams {
        drive_db: 9.0,
        ..LimiterParams::default()
    };
    let (limited, _) = limiter_render_aligned(rate, &input, drive.clone());
    let (removed, _) = limiter_render_aligned(
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

    let (unity, _) = limiter_render_aligned(
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
                gain_to_db(
                    f64::from(c[24_000..].iter().fold(0.0f32, |m, x| m.max(x.abs()))) / driven,
                )
            })
            .collect()
    };
    let (linked, _) = limiter_render_aligned(rate, &input, drive.clone());
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
    let (free, _) = limiter_render_aligned(rate, &input, unlinked);
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
    let (_, mut limiter) = limiter_render_aligned(rate, &input, params);
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
    let (bypassed, _) = limiter_render_aligned(rate, &input, off.clone());
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
    let mut limiter = prepared_limiter(rate, off.clone());
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
    let (limited, _) = limiter_render_aligned(rate, &input, on);
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
    let (limited, _) = limiter_render_aligned(rate, &input, on.clone());
    let mut limiter = prepared_limiter(rate, on.clone());
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
