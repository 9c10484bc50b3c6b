//! The chain with its dynamics and stereo modules in: signal order, latency, readings, block
//! invariance, parameters by id.

use lacquer_dsp::dynamics::{GlueCompressor, MultibandCompressor};
use lacquer_dsp::eq::Equalizer;
use lacquer_dsp::filter::DcFilter;
use lacquer_dsp::limiter::Limiter;
use lacquer_dsp::stereo::Imager;
use lacquer_dsp::trim::Trim;
use lacquer_dsp::{ChainParams, MasterChain, ProcessSpec, Processor};

/// Deterministic stereo programme: noise with a loud low sine and a quieter high one, partly
/// correlated between the channels.
fn programme(frames: usize, seed: u32) -> [Vec<f32>; 2] {
    let mut state = seed.max(1);
    let mut noise = move || {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        state as f32 / u32::MAX as f32 * 2.0 - 1.0
    };
    let mut left = Vec::with_capacity(frames);
    let mut right = Vec::with_capacity(frames);
    for n in 0..frames {
        let t = n as f32 / 48_000.0;
        let common = 0.5 * (std::f32::consts::TAU * 80.0 * t).sin()
            + 0.1 * (std::f32::consts::TAU * 5_000.0 * t).sin();
        left.push(common + 0.2 * noise());
        right.push(0.8 * common + 0.2 * noise());
    }
    [left, right]
}

/// Every module of the chain in, with settings that make each of them audible.
fn busy_params() -> ChainParams {
    let mut params = ChainParams::default();
    for (id, value) in [
        ("eq5_on", "on"),
        ("eq5_gain", "3"),
        ("eq5_freq", "2k"),
        ("mb_on", "on"),
        ("mb1_thresh", "-30"),
        ("mb1_ratio", "4"),
        ("mb3_thresh", "-40"),
        ("mb3_ratio", "3"),
        ("mb_mode", "Mid/Side"),
        ("glue_on", "on"),
        ("glue_thresh", "-20"),
        ("glue_ratio", "4:1"),
        ("img_on", "on"),
        ("img_width4", "160"),
        ("img_mono", "on"),
        ("lim_drive", "6"),
    ] {
        params.set_from_text(id, value).unwrap();
    }
    params
}

fn render(chain: &mut MasterChain, input: &[Vec<f32>; 2], block: usize) -> [Vec<f32>; 2] {
    let [mut left, mut right] = input.clone();
    for (l, r) in left.chunks_mut(block).zip(right.chunks_mut(block)) {
        chain.process(&mut [l, r]);
    }
    [left, right]
}

#[test]
fn chain_runs_trim_dc_eq_multiband_glue_imager_limiter_trim_in_that_order() {
    let params = busy_params();
    let spec = ProcessSpec::stereo(48_000.0, 512);
    let input = programme(24_000, 1);
    let mut chain = MasterChain::new(params.clone());
    chain.prepare(&spec).unwrap();
    let expected = render(&mut chain, &input, 512);

    let mut modules: Vec<Box<dyn Processor>> = vec![
        Box::new(Trim::new(params.input_trim_db)),
        Box::new(DcFilter::new(params.dc_filter)),
        Box::new(Equalizer::new(params.eq.clone())),
        Box::new(MultibandCompressor::new(params.multiband.clone())),
        Box::new(GlueCompressor::new(params.glue)),
        Box::new(Imager::new(params.imager)),
        Box::new(Limiter::new(params.limiter.clone())),
        Box::new(Trim::new(params.output_trim_db)),
    ];
    let run = |modules: &mut [Box<dyn Processor>]| {
        let [mut left, mut right] = input.clone();
        for module in modules.iter_mut() {
            module.prepare(&spec);
        }
        for (l, r) in left.chunks_mut(512).zip(right.chunks_mut(512)) {
            for module in modules.iter_mut() {
                module.process(&mut [&mut *l, &mut *r]);
            }
        }
        [left, right]
    };
    assert_eq!(run(&mut modules), expected);
    // The test can tell the order apart: glue before multiband sounds different.
    modules.swap(3, 4);
    assert_ne!(run(&mut modules), expected);
}

#[test]
fn every_module_adds_its_latency_and_an_impulse_comes_out_at_the_reported_delay() {
    let mut params = ChainParams::neutral();
    for (id, value) in [
        ("eq_phase", "Linear Phase"),
        ("mb_on", "on"),
        ("mb1_ratio", "1"),
        ("mb2_ratio", "1"),
        ("mb3_ratio", "1"),
        ("mb4_ratio", "1"),
        ("mb_xover_type", "Linear Phase"),
        ("mb_lookahead", "5"),
        ("img_on", "on"),
        ("img_xover_type", "Linear Phase"),
    ] {
        params.set_from_text(id, value).unwrap();
    }
    let spec = ProcessSpec::stereo(48_000.0, 1024);
    let mut chain = MasterChain::new(params.clone());
    chain.prepare(&spec).unwrap();
    let module_latency = |module: &mut dyn Processor| {
        module.prepare(&spec);
        module.latency()
    };
    let parts = [
        module_latency(&mut Equalizer::new(params.eq.clone())),
        module_latency(&mut MultibandCompressor::new(params.multiband.clone())),
        module_latency(&mut Imager::new(params.imager)),
        // Off, the limiter keeps its latency: switching it never moves the audio in time.
        module_latency(&mut Limiter::new(params.limiter.clone())),
    ];
    assert!(parts.iter().all(|&p| p > 0), "{parts:?}");
    assert_eq!(chain.latency(), parts.iter().sum::<usize>());

    let frames = chain.latency() + 4096;
    let mut impulse = [vec![0.0f32; frames], vec![0.0f32; frames]];
    impulse[0][0] = 0.5;
    impulse[1][0] = 0.25;
    let [left, right] = render(&mut chain, &impulse, 1024);
    for (channel, height) in [(&left, 0.5f32), (&right, 0.25)] {
        let (peak_at, peak) = channel
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))
            .unwrap();
        assert_eq!(peak_at, chain.latency());
        assert!((peak - height).abs() < 0.01 * height, "peak {peak}");
    }
}

#[test]
fn compressors_and_imager_readings_come_through_the_chain() {
    let mut chain = MasterChain::new(busy_params());
    chain.prepare(&ProcessSpec::stereo(48_000.0, 512)).unwrap();
    render(&mut chain, &programme(48_000, 2), 512);
    let readings = chain.readings();
    assert!(
        readings.multiband.gain_reduction_db[0] > 3.0,
        "{readings:?}"
    );
    assert!(readings.glue.gain_reduction_db > 0.5, "{:?}", readings.glue);
    assert_eq!(readings.imager.bands, 4);
    // The imager's correlation agrees with the output meter's (the limiter barely acts).
    let overall = readings.imager.overall_correlation;
    let metered = readings.output.correlation.unwrap();
    assert!(overall > 0.0 && overall < 0.99, "correlation {overall}");
    assert!((overall - metered).abs() < 0.05, "{overall} vs {metered}");
    // Mono bass makes the lowest band mono.
    assert!(readings.imager.correlation[0] > 0.99);
    chain.reset_meters();
    let cleared = chain.readings();
    assert!(cleared.multiband.history_db[0].iter().all(|&db| db == 0.0));
    assert!(cleared.glue.history_db.iter().all(|&db| db == 0.0));
}

#[test]
fn busy_chain_renders_identically_whatever_the_block_sizes() {
    let input = programme(12_000, 3);
    let spec = ProcessSpec::stereo(44_100.0, 4096);
    let mut reference = MasterChain::new(busy_params());
    reference.prepare(&spec).unwrap();
    let expected = render(&mut reference, &input, 4096);
    for block in [1, 17, 480, 16384] {
        let mut chain = MasterChain::new(busy_params());
        chain.prepare(&spec).unwrap();
        assert_eq!(render(&mut chain, &input, block), expected, "block {block}");
    }
}

#[test]
fn switching_modules_on_mid_stream_never_jumps() {
    let input = programme(48_000, 4);
    let spec = ProcessSpec::stereo(48_000.0, 256);
    let mut chain = MasterChain::new(ChainParams::default());
    chain.prepare(&spec).unwrap();
    let [mut left, mut right] = input.clone();
    let busy = busy_params();
    for (i, (l, r)) in left.chunks_mut(256).zip(right.chunks_mut(256)).enumerate() {
        if i == 60 {
            chain.set_params(&busy);
        }
        chain.process(&mut [l, r]);
    }
    // The input moves at most ~0.05 per sample; a click would be a step of several times that.
    let worst_step = left
        .windows(2)
        .chain(right.windows(2))
        .map(|w| (w[1] - w[0]).abs())
        .fold(0.0f32, f32::max);
    let input_step = input[0]
        .windows(2)
        .chain(input[1].windows(2))
        .map(|w| (w[1] - w[0]).abs())
        .fold(0.0f32, f32::max);
    assert!(
        worst_step < 1.5 * input_step,
        "step {worst_step} vs the input's {input_step}"
    );
}

#[test]
fn spectra_show_the_eq_input_and_output_while_analysis_is_on() {
    let mut params = ChainParams::neutral();
    for (id, value) in [("eq5_on", "on"), ("eq5_gain", "6"), ("eq5_freq", "1k")] {
        params.set_from_text(id, value).unwrap();
    }
    let mut chain = MasterChain::new(params);
    chain.prepare(&ProcessSpec::stereo(48_000.0, 512)).unwrap();
    let sine: Vec<f32> = (0..48_000)
        .map(|n| 0.25 * (std::f32::consts::TAU * 1_000.0 * n as f32 / 48_000.0).sin())
        .collect();
    let input = [sine.clone(), sine];
    render(&mut chain, &input, 512);
    assert!(chain.take_fresh_spectra().is_none(), "analysis is off");
    chain.set_spectrum_analysis(true);
    render(&mut chain, &input, 512);
    let (before, after) = chain.take_fresh_spectra().expect("frames after a second");
    let at_1k = |frame: &lacquer_dsp::analyser::SpectrumFrame| {
        let (_, db) = frame.points().find(|&(hz, _)| hz == 1000.0).unwrap();
        db
    };
    // A 0.25 sine reads -12.04 dB; the bell adds 6 dB at its centre.
    assert!((at_1k(before) + 12.04).abs() < 0.1, "{}", at_1k(before));
    assert!((at_1k(after) - at_1k(before) - 6.0).abs() < 0.1);
    assert!(chain.take_fresh_spectra().is_none(), "handed out once");
}
