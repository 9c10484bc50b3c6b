//! Offline rendering in stages and the two-pass loudness normalisation on the real chain.

use lacquer_dsp::dither::DitherDepth;
use lacquer_dsp::normalise::{LoudnessProfile, NormaliseSpec, normalise};
use lacquer_dsp::preset::factory_presets;
use lacquer_dsp::{ChainParams, MasterChain, ProcessSpec, Stage};

/// A mix-like stereo programme: kick, hats, a swelling chord, a quieter bridge.
fn programme(rate: f64, seconds: f64) -> Vec<Vec<f32>> {
    let frames = (rate * seconds) as usize;
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut noise = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed >> 11) as f64 / (1u64 << 53) as f64 - 0.5
    };
    let tau = std::f64::consts::TAU;
    let mut channels = vec![Vec::with_capacity(frames), Vec::with_capacity(frames)];
    for n in 0..frames {
        let t = n as f64 / rate;
        let beat = t % 0.5;
        let kick = 0.8 * (-beat * 16.0).exp() * (tau * 52.0 * beat).sin();
        let hat = 0.2 * (-(t % 0.25) * 50.0).exp() * noise();
        let swell = 0.6 + 0.4 * (tau * t / 3.0).sin();
        let chord: f64 = [196.0, 246.9, 293.7, 392.0]
            .iter()
            .map(|f| 0.1 * swell * (tau * f * t).sin())
            .sum();
        let section = if (seconds * 0.45..seconds * 0.6).contains(&t) {
            0.25
        } else {
            1.0
        };
        channels[0].push((section * (kick + chord) + hat) as f32);
        channels[1].push((section * (kick + 0.9 * chord) - hat) as f32);
    }
    channels
}

fn prepared(params: &ChainParams, rate: f64) -> MasterChain {
    let mut chain = MasterChain::new(params.clone());
    chain
        .prepare(&ProcessSpec {
            sample_rate: rate,
            max_block_size: 4096,
            channels: 2,
        })
        .unwrap();
    chain
}

fn run(chain: &mut MasterChain, stage: Option<Stage>, audio: &mut [Vec<f32>]) {
    let [left, right] = audio else { unreachable!() };
    match stage {
        Some(stage) => chain.process_stage(stage, &mut [left, right]),
        None => chain.process(&mut [left, right]),
    }
}

/// Every factory preset (dithered to 16 bits): the three stages run one after the other over
/// the whole file give exactly what `process` gives.
#[test]
fn stages_in_turn_render_exactly_what_process_renders() {
    let rate = 44_100.0;
    let input = programme(rate, 3.0);
    for preset in factory_presets() {
        let mut params = preset.params.clone();
        params.dither.depth = DitherDepth::Bits16;
        let mut whole = input.clone();
        run(&mut prepared(&params, rate), None, &mut whole);
        let mut staged = input.clone();
        let mut chain = prepared(&params, rate);
        for stage in Stage::ALL {
            run(&mut chain, Some(stage), &mut staged);
        }
        assert_eq!(whole, staged, "{}", preset.name);
    }
}

/// The search on the real limiter: every target lands within 0.01 LU (the bar is 0.2) after
/// at most two limiter renders, and the output meter agrees.
#[test]
fn normalisation_lands_on_the_target_through_the_real_limiter() {
    for (rate, preset) in [(44_100.0, None), (48_000.0, Some("Loud modern"))] {
        let mut params = ChainParams::default();
        if let Some(name) = preset {
            lacquer_dsp::preset::factory_preset(name)
                .unwrap()
                .apply(&mut params, true);
        }
        let mut chain = prepared(&params, rate);
        chain.set_input_metering(false);
        let mut front = programme(rate, 20.0);
        run(&mut chain, Some(Stage::BeforeLimiter), &mut front);
        let profile = LoudnessProfile::measure(&front, rate);
        for target_lufs in [-23.0, -16.0, -14.0, -9.0] {
            let spec = NormaliseSpec {
                target_lufs,
                ceiling_dbtp: params.limiter.ceiling_dbtp,
                release_ms: params.limiter.release_ms,
                max_drive_db: 24.0,
            };
            let mut rendered = Vec::new();
            let outcome = normalise(&profile, &spec, |drive_db| {
                let mut trial = params.clone();
                trial.limiter.drive_db = drive_db;
                chain.set_params(&trial);
                chain.reset();
                rendered = front.clone();
                run(&mut chain, Some(Stage::Limiter), &mut rendered);
                LoudnessProfile::measure(&rendered, rate).integrated_lufs()
            });
            let mut finished = params.clone();
            finished.limiter.drive_db = outcome.drive_db;
            finished.output_trim_db = outcome.trim_db;
            chain.set_params(&finished);
            chain.reset();
            run(&mut chain, Some(Stage::AfterLimiter), &mut rendered);
            chain.finish_metering();
            let output = chain.readings().output;
            let measured = output.loudness.integrated_lufs.unwrap();
            eprintln!(
                "{rate} Hz {preset:?} {target_lufs} LUFS: {measured:.4} LUFS, drive {:.2} dB, \
                 trim {:.3} dB, {} renders, TP {:.3} dBTP",
                outcome.drive_db,
                outcome.trim_db,
                outcome.renders,
                output.true_peak_max_dbtp()
            );
            assert!(
                (measured - target_lufs).abs() < 0.01,
                "{outcome:?} {measured}"
            );
            assert!(outcome.renders <= 2, "{outcome:?}");
            assert!(output.true_peak_max_dbtp() <= spec.ceiling_dbtp + 0.005);
        }
    }
}
