//! The EBU loudness test signals, synthesized from their published definitions (EBU Tech 3341
//! Table 1 and Tech 3342 Table 1), and a way to run a meter over them.
//!
//! Levels are per-channel sine peaks in dBFS; "stereo" is the same 1 kHz tone in phase on both
//! channels, which reads as loudness equal to the peak level (-23 dBFS reads -23 LUFS).

use std::f64::consts::PI;

use lacquer_dsp::ProcessSpec;
use lacquer_dsp::meter::{Meter, MeterReadings};

/// A stretch of a tone programme: a 1 kHz sine at a level, or silence.
#[derive(Debug, Clone, Copy)]
pub enum Part {
    Tone { dbfs: f64, seconds: f64 },
    Silence { seconds: f64 },
}

use Part::{Silence, Tone};

/// The parts laid end to end, as stereo. The tone keeps a continuous phase; part boundaries
/// fall on the sample nearest their exact time, so long programmes do not drift.
pub fn tone_programme(rate: f64, parts: &[Part]) -> Vec<Vec<f32>> {
    let mut samples = Vec::new();
    let mut elapsed = 0.0;
    for part in parts {
        let (amplitude, seconds) = match *part {
            Tone { dbfs, seconds } => (10f64.powf(dbfs / 20.0), seconds),
            Silence { seconds } => (0.0, seconds),
        };
        let start = (elapsed * rate).round() as usize;
        elapsed += seconds;
        let end = (elapsed * rate).round() as usize;
        samples.extend(
            (start..end).map(|n| (amplitude * (2.0 * PI * 1000.0 * n as f64 / rate).sin()) as f32),
        );
    }
    vec![samples.clone(), samples]
}

/// Tech 3341 case 9: (1.34 s at -20; 1.66 s at -30 dBFS) x 5. Short-term reads -22.993.
pub fn case_9() -> Vec<Part> {
    [
        Tone {
            dbfs: -20.0,
            seconds: 1.34,
        },
        Tone {
            dbfs: -30.0,
            seconds: 1.66,
        },
    ]
    .repeat(5)
}

/// Tech 3341 case 10, file `i` (0-based): i x 0.15 s silence, 3 s at -23 dBFS, 1 s silence.
pub fn case_10(i: usize) -> Vec<Part> {
    vec![
        Silence {
            seconds: i as f64 * 0.15,
        },
        Tone {
            dbfs: -23.0,
            seconds: 3.0,
        },
        Silence { seconds: 1.0 },
    ]
}

/// Tech 3341 case 11: for i in 0..20, i x 0.15 s silence, 3 s at (-38 + i) dBFS, then silence
/// to 6 s.
pub fn case_11() -> Vec<Part> {
    (0..20)
        .flat_map(|i| {
            let offset = i as f64 * 0.15;
            [
                Silence { seconds: offset },
                Tone {
                    dbfs: -38.0 + i as f64,
                    seconds: 3.0,
                },
                Silence {
                    seconds: 3.0 - offset,
                },
            ]
        })
        .collect()
}

/// Tech 3341 case 12: (0.18 s at -20; 0.22 s at -30 dBFS) x 25. Momentary reads -22.967.
pub fn case_12() -> Vec<Part> {
    [
        Tone {
            dbfs: -20.0,
            seconds: 0.18,
        },
        Tone {
            dbfs: -30.0,
            seconds: 0.22,
        },
    ]
    .repeat(25)
}

/// Tech 3341 case 13, file `i` (0-based): i x 20 ms silence, 400 ms at -23 dBFS, 1 s silence.
pub fn case_13(i: usize) -> Vec<Part> {
    vec![
        Silence {
            seconds: i as f64 * 0.02,
        },
        Tone {
            dbfs: -23.0,
            seconds: 0.4,
        },
        Silence { seconds: 1.0 },
    ]
}

/// Tech 3341 case 14: for i in 0..20, i x 20 ms silence, 400 ms at (-38 + i) dBFS, then
/// silence to 0.8 s.
pub fn case_14() -> Vec<Part> {
    (0..20)
        .flat_map(|i| {
            let offset = i as f64 * 0.02;
            [
                Silence { seconds: offset },
                Tone {
                    dbfs: -38.0 + i as f64,
                    seconds: 0.4,
                },
                Silence {
                    seconds: 0.4 - offset,
                },
            ]
        })
        .collect()
}

/// Tech 3341 cases 15-19: a stereo sine at `rate / divisor`, `amplitude` (linear), starting
/// `phase_degrees`, 1 s with 10 ms raised-cosine fades.
pub fn true_peak_sine(
    rate: f64,
    divisor: f64,
    amplitude: f64,
    phase_degrees: f64,
) -> Vec<Vec<f32>> {
    let frames = rate as usize;
    let fade = (0.01 * rate) as usize;
    let samples: Vec<f32> = (0..frames)
        .map(|n| {
            let edge = n.min(frames - 1 - n);
            let gain = if edge < fade {
                0.5 - 0.5 * (PI * edge as f64 / fade as f64).cos()
            } else {
                1.0
            };
            let phase = 2.0 * PI * n as f64 / divisor + phase_degrees.to_radians();
            (gain * amplitude * phase.sin()) as f32
        })
        .collect();
    vec![samples.clone(), samples]
}

/// Tech 3341 cases 20-23 (in that order): a sine at fs/6 (0.5 FFS) containing one period of
/// fs/4 at 1.0 FFS, continuous in phase at both ends, synthesized at 4 fs, low-pass filtered and
/// taken every fourth sample from offset 0, 1, 2 and 3.
///
/// The standard leaves the anti-alias filter open; this uses a 2047-tap Kaiser (beta 10)
/// windowed sinc with its cutoff at 0.475 fs, which keeps the burst's true peak within 0.15 dB
/// of full scale. The burst starts on a rising zero crossing of the fs/6 tone.
pub fn true_peak_bursts(rate: f64) -> [Vec<Vec<f32>>; 4] {
    const UP: usize = 4;
    let frames = (rate / 2.0) as usize;
    let up_frames = frames * UP;
    let fade = (0.01 * rate) as usize * UP;
    // fs/6 at 4 fs: period 24 samples; fs/4: period 16.
    let burst_start = (up_frames / 2 / 24) * 24;
    let mut high: Vec<f64> = (0..up_frames)
        .map(|n| {
            let edge = n.min(up_frames - 1 - n);
            let gain = if edge < fade {
                0.5 - 0.5 * (PI * edge as f64 / fade as f64).cos()
            } else {
                1.0
            };
            let value = if (burst_start..burst_start + 16).contains(&n) {
                (2.0 * PI * (n - burst_start) as f64 / 16.0).sin()
            } else {
                let t = if n >= burst_start + 16 { n - 16 } else { n };
                0.5 * (2.0 * PI * t as f64 / 24.0).sin()
            };
            gain * value
        })
        .collect();
    high = lowpass(&high, 0.475 / UP as f64);
    [0, 1, 2, 3].map(|offset| {
        let samples: Vec<f32> = high
            .iter()
            .skip(offset)
            .step_by(UP)
            .map(|&x| x as f32)
            .collect();
        vec![samples.clone(), samples]
    })
}

/// Zero-phase windowed-sinc low-pass with `cutoff` as a fraction of the sample rate.
fn lowpass(signal: &[f64], cutoff: f64) -> Vec<f64> {
    const TAPS: isize = 1023;
    const BETA: f64 = 10.0;
    let i0 = |x: f64| {
        let (mut sum, mut term) = (1.0, 1.0);
        for k in 1..50 {
            term *= (x / 2.0 / k as f64).powi(2);
            sum += term;
        }
        sum
    };
    let kernel: Vec<f64> = (-TAPS..=TAPS)
        .map(|k| {
            let x = k as f64;
            let sinc = if k == 0 {
                2.0 * cutoff
            } else {
                (2.0 * PI * cutoff * x).sin() / (PI * x)
            };
            let w = i0(BETA * (1.0 - (x / TAPS as f64).powi(2)).sqrt()) / i0(BETA);
            sinc * w
        })
        .collect();
    let gain: f64 = kernel.iter().sum();
    (0..signal.len() as isize)
        .map(|n| {
            let lo = (n - TAPS).max(0);
            let hi = (n + TAPS).min(signal.len() as isize - 1);
            (lo..=hi)
                .map(|m| signal[m as usize] * kernel[(m - n + TAPS) as usize])
                .sum::<f64>()
                / gain
        })
        .collect()
}

/// Tech 3342 cases 1-4: 20 s tones at each level in turn.
pub fn range_case(levels: &[f64]) -> Vec<Part> {
    levels
        .iter()
        .map(|&dbfs| Tone {
            dbfs,
            seconds: 20.0,
        })
        .collect()
}

/// A freshly prepared meter for stereo at `rate`.
pub fn meter(rate: f64) -> Meter {
    let mut meter = Meter::default();
    meter.prepare(&ProcessSpec::stereo(rate, 4096));
    meter
}

/// Measures a whole programme, as a file-based meter does.
pub fn measure(rate: f64, signal: &[Vec<f32>]) -> MeterReadings {
    let mut meter = meter(rate);
    for (left, right) in signal[0].chunks(4096).zip(signal[1].chunks(4096)) {
        meter.process(&[left, right]);
    }
    meter.finish();
    meter.readings()
}

/// Runs a live meter over a programme and returns the readings every 10 ms, with the time
/// (seconds) each was taken at.
pub fn timeline(rate: f64, signal: &[Vec<f32>]) -> Vec<(f64, MeterReadings)> {
    let hop = (rate / 100.0).round() as usize;
    let mut meter = meter(rate);
    let mut out = Vec::new();
    let mut done = 0;
    for (left, right) in signal[0].chunks(hop).zip(signal[1].chunks(hop)) {
        meter.process(&[left, right]);
        done += left.len();
        out.push((done as f64 / rate, meter.readings()));
    }
    out
}
