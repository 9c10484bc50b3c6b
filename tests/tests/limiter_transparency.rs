//! The limiter below and at its ceiling: transparent (the input delayed by the latency) when
//! nothing reaches the ceiling, undistorted when a steady tone is driven into it, and every
//! impulse out at exactly the reported latency. Each test measures the output against what it
//! should be.

use lacquer_dsp::Processor;
use lacquer_dsp::limiter::LimiterParams;
use lacquer_dsp::util::gain_to_db;
use lacquer_tests::exact_true_peak::exact_true_peak_dbtp;
use lacquer_tests::reference::{limiter_render_aligned, prepared_limiter, render_blocks};
use lacquer_tests::signals::{noise, normalized, null_dbfs, programme_material, sine};
use realfft::RealFftPlanner;

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
            let (output, limiter) = limiter_render_aligned(rate, &input, LimiterParams::default());
            let null = null_dbfs(&output, &input);
            eprintln!("{rate} Hz, {name}: null {null:.1} dBFS");
            assert!(null < -140.0, "{rate} Hz, {name}: null only {null:.1} dBFS");
            assert_eq!(limiter.readings().max_gain_reduction_db, 0.0, "{name}");
            let delta = LimiterParams {
                delta: true,
                ..LimiterParams::default()
            };
            let (removed, _) = limiter_render_aligned(rate, &input, delta);
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
    let (output, limiter) = limiter_render_aligned(rate, &input, params);
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
    let ripple = gain_to_db(f64::from(high / low));
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
            let mut limiter = prepared_limiter(rate, params);
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
