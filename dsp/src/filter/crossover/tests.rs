//! The bank held to its design, and the chunking and clamping it relies on.

use std::f64::consts::PI;

use super::*;

fn magnitude_db(h: (f64, f64)) -> f64 {
    10.0 * (h.0 * h.0 + h.1 * h.1).log10()
}

/// Runs an impulse through `bank`, returning each band's response.
fn impulse_bands(bank: &mut Crossover, frames: usize) -> Vec<Vec<f32>> {
    let mut out = vec![Vec::with_capacity(frames); bank.bands()];
    let mut rows = [[0.0; CROSSOVER_CHUNK]; MAX_BANDS];
    let mut n = 0;
    while n < frames {
        let len = CROSSOVER_CHUNK.min(frames - n);
        let mut input = [0.0f32; CROSSOVER_CHUNK];
        if n == 0 {
            input[0] = 1.0;
        }
        bank.step();
        bank.split(0, &input[..len], &mut rows);
        for (band, row) in out.iter_mut().zip(&rows) {
            band.extend_from_slice(&row[..len]);
        }
        n += len;
    }
    out
}

fn dft_db(x: &[f32], freq_hz: f64, rate: f64) -> f64 {
    let w = 2.0 * PI * freq_hz / rate;
    let (mut re, mut im) = (0.0, 0.0);
    for (n, &v) in x.iter().enumerate() {
        re += f64::from(v) * (w * n as f64).cos();
        im -= f64::from(v) * (w * n as f64).sin();
    }
    magnitude_db((re, im))
}

#[test]
fn design_bands_are_linkwitz_riley_and_sum_to_an_allpass() {
    for rate in [22_050.0, 48_000.0, 384_000.0] {
        let design = CrossoverDesign::new(4, [100.0, 1_000.0, 9_000.0], rate);
        for f in [10.0, 50.0, 120.0, 700.0, 1_000.0, 6_000.0, 9_000.0] {
            let db = magnitude_db(design.sum_response(f));
            assert!(db.abs() < 1e-6, "{rate} {f}: {db}");
        }
        // -6 dB at each crossover for the bands on either side (the other splits, a decade
        // away, add less than 0.005 dB).
        for (split, &f) in design.crossovers_hz.iter().enumerate() {
            for band in [split, split + 1] {
                let db = magnitude_db(design.band_response(band, f));
                assert!(
                    (db + 6.0206).abs() < 5e-3,
                    "{rate} band {band} at {f}: {db}"
                );
            }
        }
    }
}

#[test]
fn running_bank_matches_its_design() {
    let rate = 48_000.0;
    let mut bank = Crossover::new();
    bank.prepare(rate);
    bank.set(4, [200.0, 2_000.0, 9_000.0], false);
    bank.reset();
    let bands = impulse_bands(&mut bank, 48_000);
    for (band, response) in bands.iter().enumerate() {
        for f in [100.0, 200.0, 1_500.0, 9_000.0, 15_000.0] {
            let want = magnitude_db(bank.design().band_response(band, f));
            let got = dft_db(response, f, rate);
            if want > -80.0 {
                assert!(
                    (got - want).abs() < 1e-3,
                    "band {band} {f} Hz: {got} vs {want}"
                );
            }
        }
    }
}

#[test]
fn linear_phase_bands_add_to_the_delayed_impulse() {
    let rate = 48_000.0;
    let mut bank = Crossover::new();
    bank.prepare(rate);
    bank.set(4, [120.0, 1_000.0, 6_000.0], true);
    let latency = bank.latency();
    assert_eq!(latency, 1_440);
    let bands = impulse_bands(&mut bank, 4 * latency);
    for n in 0..4 * latency {
        let sum: f32 = bands.iter().map(|b| b[n]).sum();
        let want = if n == latency { 1.0 } else { 0.0 };
        assert!((sum - want).abs() < 1e-6, "{n}: {sum}");
    }
    // The low-passes have the Linkwitz-Riley magnitude: -6 dB at the crossovers.
    let edges = [
        (0, 120.0),
        (1, 120.0),
        (1, 1_000.0),
        (2, 1_000.0),
        (2, 6_000.0),
        (3, 6_000.0),
    ];
    for (band, f) in edges {
        let db = magnitude_db(bank.band_response(band, f));
        assert!((db + 6.02).abs() < 0.05, "band {band} at {f}: {db}");
    }
}

#[test]
fn glide_arrives_and_chunks_align_to_the_position() {
    let mut bank = Crossover::new();
    bank.prepare(48_000.0);
    bank.set(2, [100.0, 1_000.0, 6_000.0], false);
    bank.reset();
    bank.set(2, [400.0, 1_000.0, 6_000.0], false);
    for _ in 0..1_000 {
        bank.step();
    }
    assert_eq!(bank.crossovers_hz()[0], 400.0);

    let mut data = vec![0.0f32; 300];
    let mut position = 100;
    let mut seen = Vec::new();
    for_each_chunk(&mut [&mut data[..]], &mut position, |chunk, starts| {
        seen.push((chunk[0].len(), starts));
    });
    assert_eq!(
        seen,
        vec![(28, false), (128, true), (128, true), (16, true)]
    );
    assert_eq!(position, 16);
}

#[test]
fn crossovers_are_clamped_and_ordered() {
    let f = clamp_crossovers([5.0, f64::NAN, 30_000.0], 22_050.0);
    assert_eq!(f, [20.0, 20.0, 0.45 * 22_050.0]);
    let f = clamp_crossovers([1_000.0, 500.0, 6_000.0], 48_000.0);
    assert_eq!(f, [1_000.0, 1_000.0, 6_000.0]);
}
