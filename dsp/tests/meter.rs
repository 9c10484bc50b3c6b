//! The whole meter: every sample rate, and identical readings whatever the block sizes.

use lacquer_dsp::ProcessSpec;
use lacquer_dsp::meter::Meter;

/// A 997 Hz tone with 10 ms fades (an abrupt edge rings above the tone: a real true peak).
fn tone(rate: f64, seconds: f64, dbfs: f64) -> Vec<f32> {
    let amplitude = 10f64.powf(dbfs / 20.0);
    let frames = (rate * seconds) as usize;
    let fade = (0.01 * rate) as usize;
    (0..frames)
        .map(|n| {
            let edge = n.min(frames - 1 - n);
            let gain = if edge < fade {
                0.5 - 0.5 * (std::f64::consts::PI * edge as f64 / fade as f64).cos()
            } else {
                1.0
            };
            (gain * amplitude * (2.0 * std::f64::consts::PI * 997.0 * n as f64 / rate).sin()) as f32
        })
        .collect()
}

#[test]
fn every_sample_rate_reads_a_reference_tone_correctly() {
    for rate in [
        22_050.0, 32_000.0, 44_100.0, 48_000.0, 88_200.0, 96_000.0, 176_400.0, 192_000.0,
        352_800.0, 384_000.0,
    ] {
        let signal = tone(rate, 4.0, -23.0);
        let mut meter = Meter::default();
        meter.prepare(&ProcessSpec::stereo(rate, 4096));
        meter.process(&[&signal, &signal]);
        meter.finish();
        let r = meter.readings();
        let integrated = r.loudness.integrated_lufs.unwrap();
        assert!(
            (integrated + 23.0).abs() < 0.05,
            "{rate} Hz: I {integrated}"
        );
        assert!(
            (r.loudness.short_term_lufs + 23.0).abs() < 0.05,
            "{rate} Hz: S"
        );
        assert!(
            (r.true_peak_max_dbtp() + 23.0).abs() < 0.01,
            "{rate} Hz: TP {}",
            r.true_peak_max_dbtp()
        );
        assert!((r.elapsed_s - 4.0).abs() < 1e-9, "{rate} Hz: elapsed");
        assert!((r.correlation_total.unwrap() - 1.0).abs() < 1e-6);
    }
}

#[test]
fn readings_are_bit_identical_whatever_the_block_sizes() {
    let rate = 44_100.0;
    let left: Vec<f32> = (0..250_000)
        .map(|n| {
            let t = n as f32;
            (0.4 * (t * 0.031).sin() + 0.3 * (t * 1.7).sin()) * (0.5 + 0.5 * (t * 1e-5).sin())
        })
        .collect();
    let right: Vec<f32> = left
        .iter()
        .enumerate()
        .map(|(n, x)| x * (n as f32 * 3e-5).cos())
        .collect();
    let run = |block: usize| {
        let mut meter = Meter::default();
        meter.prepare(&ProcessSpec::stereo(rate, 512));
        for (l, r) in left.chunks(block).zip(right.chunks(block)) {
            meter.process(&[l, r]);
        }
        meter.finish();
        meter.readings()
    };
    let reference = run(4096);
    for block in [1, 3, 64, 441, 1000, 16_384] {
        assert_eq!(run(block), reference, "blocks of {block}");
    }
}
