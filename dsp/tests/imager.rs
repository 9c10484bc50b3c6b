//! The imager's mono sum and mono bass, with measured figures
//! (`cargo test -p lacquer-dsp --release --test imager -- --nocapture` prints them).

mod common;

use std::f64::consts::PI;

use common::{Random, prepared, rms_db, run, stereo_noise};
use lacquer_dsp::Processor;
use lacquer_dsp::stereo::{Imager, ImagerParams};

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
