//! The limiter under hostile conditions: NaN, infinities and subnormals in the input, every
//! sample rate and block size, settings changing while it limits. The output stays finite,
//! independent of block sizes and under the ceiling (by an exact reconstruction).

use lacquer_dsp::limiter::{Character, Detection, Limiter, LimiterParams};
use lacquer_dsp::{ProcessSpec, Processor};
use lacquer_tests::exact_true_peak::exact_true_peak_dbtp;
use lacquer_tests::reference::{limiter_render_aligned, prepared_limiter, render_blocks};
use lacquer_tests::signals::{normalized, programme_material};

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
    let (from_dirty, limiter) = limiter_render_aligned(rate, &dirty, params.clone());
    let (from_silenced, _) = limiter_render_aligned(rate, &silenced, params);
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
    let mut limiter = prepared_limiter(rate, LimiterParams::default());
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
