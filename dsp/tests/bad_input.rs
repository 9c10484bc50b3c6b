//! Bad input (NaN, infinities, subnormals, huge values) through multiband → glue → imager at
//! every rate and block size: finite output, recovery, and no allocation in `process`.

mod common;

use common::alloc::{CountingAllocator, allocations_in};
use common::{RATES, prepared, rms_db, run, stereo_noise};
use lacquer_dsp::Processor;
use lacquer_dsp::dynamics::{
    BandParams, GlueCompressor, GlueParams, MultibandCompressor, MultibandParams, StereoMode,
};
use lacquer_dsp::filter::crossover::MAX_BANDS;
use lacquer_dsp::stereo::{Imager, ImagerParams};

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// Noise laced with NaN, infinities, subnormals and huge values.
fn bad_input(len: usize) -> [Vec<f32>; 2] {
    let mut signal = stereo_noise(len, 77);
    let specials = [
        f32::NAN,
        f32::INFINITY,
        f32::NEG_INFINITY,
        1e-40,
        -1e-44,
        f32::MAX,
        -1e30,
    ];
    for (n, x) in signal[0].iter_mut().enumerate().step_by(97) {
        *x = specials[n % specials.len()];
    }
    for (n, x) in signal[1].iter_mut().enumerate().step_by(131) {
        *x = specials[(n + 3) % specials.len()];
    }
    signal
}

#[test]
fn bad_input_every_rate_and_block_size_finite_output_and_no_allocation() {
    let multiband = MultibandParams {
        enabled: true,
        lookahead_ms: 2.0,
        mode: StereoMode::MidSide,
        band: [BandParams {
            threshold_db: -30.0,
            ratio: 8.0,
            makeup_db: 12.0,
            attack_ms: 0.05,
            auto_release: true,
            ..BandParams::default()
        }; MAX_BANDS],
        ..MultibandParams::default()
    };
    let glue = GlueParams {
        enabled: true,
        threshold_db: -30.0,
        makeup_db: 12.0,
        mix_pct: 70.0,
        ..GlueParams::default()
    };
    let imager = ImagerParams {
        enabled: true,
        width_pct: [0.0, 200.0, 150.0, 50.0],
        mono_bass: true,
        balance_pct: -30.0,
        ..ImagerParams::default()
    };
    // The counter sees allocations.
    assert_eq!(
        allocations_in(|| drop(std::hint::black_box(vec![0u8; 16]))),
        1
    );
    for rate in RATES {
        for block in [1, 7, 64, 512, 4_096, 16_384] {
            let len = (rate as usize / 10).max(2 * block);
            let mut chain: (MultibandCompressor, GlueCompressor, Imager) = (
                prepared(MultibandCompressor::new(multiband.clone()), rate),
                prepared(GlueCompressor::new(glue), rate),
                prepared(Imager::new(imager), rate),
            );
            let mut signal = bad_input(len);
            let recovery = rate as usize;
            let mut clean = stereo_noise(recovery, 3);
            let mut changed = multiband.clone();
            changed.crossovers_hz = [200.0, 2_000.0, 9_000.0];
            changed.linear_phase = true;
            let mut imager_changed = imager;
            imager_changed.linear_phase = true;
            let allocations = allocations_in(|| {
                let (m, g, i) = &mut chain;
                run(m, &mut signal, block);
                run(g, &mut signal, block);
                run(i, &mut signal, block);
                // Parameter changes, a linear-phase switch and a reset in between.
                m.set_params(&changed);
                i.set_params(&imager_changed);
                g.reset();
                run(m, &mut clean, block);
                run(g, &mut clean, block);
                run(i, &mut clean, block);
                let _ = (m.readings(), g.readings(), i.readings());
            });
            assert_eq!(allocations, 0, "{rate} Hz, block {block}");
            for x in signal.iter().chain(&clean).flatten() {
                assert!(x.is_finite(), "{rate} Hz, block {block}");
            }
            // The chain recovered within a second: the clean part is not held down.
            assert!(
                rms_db(&clean[0][recovery * 3 / 4..]) > -20.0,
                "{rate} Hz, block {block}"
            );
        }
    }
    eprintln!("bad input: finite output, no allocation, 22.05-384 kHz, blocks 1-16384");
}
