//! The readings the GUI shows: each multiband band's and the glue's gain reduction, the
//! imager's band correlations
//! (`cargo test -p lacquer-dsp --release --test readings -- --nocapture` prints them).

mod common;

use common::{neutral_multiband, prepared, run, sine, stereo_noise};
use lacquer_dsp::dynamics::{
    BandParams, GlueCompressor, GlueParams, GlueRatio, MultibandCompressor,
};
use lacquer_dsp::filter::crossover::MAX_BANDS;
use lacquer_dsp::stereo::{Imager, ImagerParams};

#[test]
fn readings_show_each_bands_reduction_and_correlation() {
    let rate = 48_000.0;
    let mut params = neutral_multiband();
    params.band[2] = BandParams {
        threshold_db: -30.0,
        ratio: 4.0,
        knee_db: 0.0,
        ..BandParams::default()
    };
    let mut m = prepared(MultibandCompressor::new(params), rate);
    // 2.5 kHz, well inside band 2 (1 to 6 kHz), at -6 dBFS.
    let mut signal = sine(2_500.0, rate, rate as usize, |_| 0.5);
    run(&mut m, &mut signal, 512);
    let readings = m.readings();
    // The band reads the sine a little below its peak (the crossovers' skirts).
    let designed = 0.75 * 24.0;
    eprintln!("multiband readings: {:?}", readings.gain_reduction_db);
    assert!((readings.gain_reduction_db[2] - designed).abs() < 0.5);
    assert_eq!(readings.gain_reduction_db[0], 0.0);
    assert!((readings.history_db[2][255] - designed as f32).abs() < 0.5);

    let mut glue = prepared(
        GlueCompressor::new(GlueParams {
            enabled: true,
            threshold_db: -30.0,
            ratio: GlueRatio::R10,
            ..GlueParams::default()
        }),
        rate,
    );
    let mut signal = sine(1_000.0, rate, rate as usize, |_| 0.5);
    run(&mut glue, &mut signal, 512);
    let reduction = glue.readings().gain_reduction_db;
    assert!((reduction - 0.9 * 24.0).abs() < 0.1, "{reduction}");

    let mut imager = prepared(
        Imager::new(ImagerParams {
            enabled: true,
            width_pct: [0.0, 0.0, 100.0, 100.0],
            ..ImagerParams::default()
        }),
        rate,
    );
    let mut signal = stereo_noise(rate as usize, 5);
    // Independent channels: the bands at full width stay uncorrelated; the band two bands below
    // them, narrowed to mono, correlates (band 1 takes the wide bands' skirts).
    signal[1] = stereo_noise(rate as usize, 6)[0].clone();
    run(&mut imager, &mut signal, 512);
    let readings = imager.readings();
    eprintln!("imager correlations: {readings:?}");
    assert!(readings.correlation[0] > 0.99);
    for band in 2..MAX_BANDS {
        assert!(readings.correlation[band].abs() < 0.1, "{band}");
    }
}
