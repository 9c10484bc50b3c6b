//! The crossover bank's unprocessed sum, with measured figures
//! (`cargo test -p lacquer-dsp --release --test crossover -- --nocapture` prints them).

mod common;

use common::{RATES, band_sum, crossover_bank, dft_db, log_frequencies};

#[test]
fn unprocessed_bands_sum_flat_within_0_01_db_from_10_hz_to_20_khz() {
    let settings = [
        (4, [120.0, 1_000.0, 6_000.0]),
        (4, [20.0, 500.0, 20_000.0]),
        (3, [300.0, 320.0, 20_000.0]),
        (2, [60.0, 1_000.0, 6_000.0]),
    ];
    for rate in RATES {
        for linear_phase in [false, true] {
            for (bands, crossovers_hz) in settings {
                let mut bank = crossover_bank(rate, bands, crossovers_hz, linear_phase);
                let mut impulse = vec![0.0f32; (0.6 * rate) as usize];
                impulse[0] = 1.0;
                let sum = band_sum(&mut bank, &impulse);
                let top = 20_000.0f64.min(0.49 * rate);
                let deviation = log_frequencies(10.0, top, 40)
                    .map(|f| dft_db(&sum, f, rate).abs())
                    .fold(0.0, f64::max);
                eprintln!(
                    "crossover sum {rate} Hz {bands} bands {crossovers_hz:?} linear phase \
                     {linear_phase}: max deviation {deviation:.2e} dB"
                );
                assert!(deviation < 0.01, "{deviation}");
            }
        }
    }
}
