//! The true-peak limiter holds its ceiling, measured by an independent reference: the exact
//! band-limited reconstruction of each whole output (FFT, 32 positions per sample).
//!
//! Every case renders stereo through a freshly prepared limiter (ceiling -1 dBTP), flushes
//! its latency and checks that no reconstructed peak exceeds the ceiling by more than
//! 0.005 dB, and that the limiter's own "ceiling held" readout is honest: it reports no overs
//! and never reads lower than the reference. File renders switch the readout off (their output
//! meter measures instead); the ceiling must hold without it as well.

use lacquer_dsp::limiter::{Character, Detection, Limiter, LimiterParams};
use lacquer_dsp::{ProcessSpec, Processor};
use lacquer_tests::exact_true_peak::exact_true_peak_dbtp;
use lacquer_tests::reference::render_blocks;
use lacquer_tests::signals::{noise, normalized, pink_noise, programme_material, sinc_pulses};

const CEILING_DBTP: f64 = -1.0;
const TOLERANCE_DB: f64 = 0.005;
/// The readout may under-read by the reference's own grid error at most.
const READOUT_TOLERANCE_DB: f64 = 0.001;

/// Renders a case and returns what is wrong with it, if anything, after printing its figures.
fn check(name: &str, rate: f64, input: &[Vec<f32>], params: &LimiterParams) -> Option<String> {
    check_with(name, rate, input, params, true)
}

/// [`check`], with the limiter's readout on or off (off, only the ceiling is checked, and the
/// readings must hold no measurement).
fn check_with(
    name: &str,
    rate: f64,
    input: &[Vec<f32>],
    params: &LimiterParams,
    readout: bool,
) -> Option<String> {
    let mut limiter = Limiter::new(params.clone());
    limiter.set_readout(readout);
    limiter.prepare(&ProcessSpec::stereo(rate, 512));
    let tail = limiter.latency() + 4096;
    let output = render_blocks(&mut limiter, input, 512, tail);
    let exact = output
        .iter()
        .map(|c| exact_true_peak_dbtp(c, 32))
        .fold(f64::NEG_INFINITY, f64::max);
    let readings = limiter.readings();
    let excess = exact - params.ceiling_dbtp;
    let readout_error = readings.output_true_peak_dbtp - exact;
    eprintln!("{name}: {excess:+.4} dB over the ceiling, readout {readout_error:+.4} dB");
    if excess > TOLERANCE_DB {
        Some(format!("{name}: {excess:+.4} dB over"))
    } else if !readout {
        (readings.output_true_peak_dbtp != f64::NEG_INFINITY || readings.overs > 0)
            .then(|| format!("{name}: a readout without the readout: {readings:?}"))
    } else if readings.overs > 0 || readout_error < -READOUT_TOLERANCE_DB {
        Some(format!(
            "{name}: readout {:.4} dBTP ({} overs), reference {exact:.4} dBTP",
            readings.output_true_peak_dbtp, readings.overs
        ))
    } else {
        None
    }
}

fn params(drive_db: f64) -> LimiterParams {
    LimiterParams {
        ceiling_dbtp: CEILING_DBTP,
        drive_db,
        ..LimiterParams::default()
    }
}

fn stereo(mono: Vec<f32>) -> Vec<Vec<f32>> {
    vec![mono.clone(), mono]
}

/// The test signals at a rate, each with the drive it is rendered at.
fn torture(rate: f64) -> Vec<(String, Vec<Vec<f32>>, f64)> {
    let frames = rate as usize; // 1 s each
    let mut cases = Vec::new();
    // Programme peaking at -0.3 dBFS, as a mix arrives at mastering.
    let programme = normalized(programme_material(rate, 2.0, 3).to_vec(), -0.3);
    for drive in [0.0, 6.0, 12.0, 24.0] {
        cases.push((format!("programme +{drive} dB"), programme.clone(), drive));
    }
    cases.push((
        "white noise +12 dB".into(),
        vec![noise(frames, 1), noise(frames, 2)],
        12.0,
    ));
    cases.push((
        "pink noise +12 dB".into(),
        vec![pink_noise(frames, 3), pink_noise(frames, 4)],
        12.0,
    ));
    for (name, divisor, phase) in [("fs/4 sine", 4.0, 45.0f64), ("fs/6 sine", 6.0, 60.0)] {
        let sine: Vec<f32> = (0..frames)
            .map(|n| {
                (2.0 * std::f64::consts::PI * n as f64 / divisor + phase.to_radians()).sin() as f32
            })
            .collect();
        cases.push((
            format!("{name} at inter-sample phase +6 dB"),
            stereo(sine),
            6.0,
        ));
    }
    for drive in [0.0, 24.0] {
        cases.push((
            format!("half-sample sinc pulses +{drive} dB"),
            stereo(sinc_pulses(frames, 8, frames / 8, 1.5)),
            drive,
        ));
    }
    let square: Vec<f32> = (0..frames)
        .map(|n| {
            if (n as f64 * 997.0 / rate).fract() < 0.5 {
                1.0
            } else {
                -1.0
            }
        })
        .collect();
    cases.push(("clipped square +12 dB".into(), stereo(square), 12.0));
    let steps: Vec<f32> = (0..frames)
        .map(|n| {
            if n % (frames / 4) < frames / 8 {
                0.0
            } else {
                1.0
            }
        })
        .collect();
    cases.push(("silence to full-scale steps".into(), stereo(steps), 0.0));
    cases
}

#[test]
fn ceiling_holds_on_every_torture_signal_at_every_rate() {
    let mut failures = Vec::new();
    for rate in [44_100.0, 48_000.0, 96_000.0, 192_000.0] {
        for (name, input, drive) in torture(rate) {
            failures.extend(check(
                &format!("{rate} Hz, {name}"),
                rate,
                &input,
                &params(drive),
            ));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn ceiling_holds_without_the_readout_at_every_rate() {
    let mut failures = Vec::new();
    for rate in [44_100.0, 48_000.0, 96_000.0, 192_000.0] {
        for (name, input, drive) in torture(rate) {
            let name = format!("{rate} Hz, {name}, no readout");
            failures.extend(check_with(&name, rate, &input, &params(drive), false));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn ceiling_holds_for_every_character_and_detection_choice() {
    let rate = 48_000.0;
    let mut failures = Vec::new();
    let inputs = [
        (
            "programme +12 dB",
            normalized(programme_material(rate, 2.0, 5).to_vec(), -0.3),
            12.0,
        ),
        (
            "white noise +12 dB",
            vec![noise(48_000, 7), noise(48_000, 8)],
            12.0,
        ),
    ];
    for character in [Character::Transparent, Character::Fast] {
        for detection in [
            Detection::Auto,
            Detection::Oversampled(2),
            Detection::Oversampled(4),
            Detection::Oversampled(8),
            Detection::Oversampled(16),
        ] {
            for (name, input, drive) in &inputs {
                let params = LimiterParams {
                    character,
                    detection,
                    ..params(*drive)
                };
                let name = format!("{character:?}, {detection:?}, {name}");
                failures.extend(check(&name, rate, input, &params));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
