//! The limiter's release: a manual release recovers with the set time constant, the automatic
//! one fast after brief peaks and slowly after sustained reduction (time constants fitted to
//! the measured recovery).

use lacquer_dsp::limiter::LimiterParams;
use lacquer_tests::reference::limiter_render_aligned;
use std::f64::consts::PI;

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
    let (output, _) = limiter_render_aligned(rate, &[input.clone(), input.clone()], params);
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
