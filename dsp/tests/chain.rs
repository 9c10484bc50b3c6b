//! The chain as a whole: null test, bad input, every rate and block size, block-split invariance.

use lacquer_dsp::util::db_to_gain;
use lacquer_dsp::{ChainParams, MasterChain, ProcessSpec};

/// Deterministic broadband test signal (xorshift noise mixed with a low sine), in -1..1.
fn programme(frames: usize, seed: u32) -> Vec<f32> {
    let mut state = seed.max(1);
    (0..frames)
        .map(|n| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            let noise = state as f32 / u32::MAX as f32 * 2.0 - 1.0;
            0.5 * noise + 0.4 * (n as f32 * 0.01).sin()
        })
        .collect()
}

fn render(
    chain: &mut MasterChain,
    left: &[f32],
    right: &[f32],
    block: usize,
) -> (Vec<f32>, Vec<f32>) {
    let (mut l, mut r) = (left.to_vec(), right.to_vec());
    for (lc, rc) in l.chunks_mut(block).zip(r.chunks_mut(block)) {
        chain.process(&mut [lc, rc]);
    }
    (l, r)
}

#[test]
fn neutral_chain_returns_the_input_delayed_by_its_latency() {
    let (left, right) = (programme(48_000, 1), programme(48_000, 2));
    let mut chain = MasterChain::new(ChainParams::neutral());
    chain.prepare(&ProcessSpec::stereo(48_000.0, 512)).unwrap();
    let latency = chain.latency();
    let (l, r) = render(&mut chain, &left, &right, 512);
    let worst = l[latency..]
        .iter()
        .zip(&left)
        .chain(r[latency..].iter().zip(&right))
        .map(|(a, b)| (a - b).abs())
        .fold(0.0f32, f32::max);
    assert!(worst <= 1e-6, "neutral chain differs by {worst}");
}

#[test]
fn default_chain_renders_identically_whatever_the_block_sizes() {
    let (left, right) = (programme(20_000, 3), programme(20_000, 4));
    let mut reference = MasterChain::default();
    reference
        .prepare(&ProcessSpec::stereo(44_100.0, 4096))
        .unwrap();
    let expected = render(&mut reference, &left, &right, 4096);
    for block in [1, 13, 64, 511, 16384] {
        let mut chain = MasterChain::default();
        chain.prepare(&ProcessSpec::stereo(44_100.0, 4096)).unwrap();
        assert_eq!(
            render(&mut chain, &left, &right, block),
            expected,
            "block {block}"
        );
    }
}

#[test]
fn reset_gives_the_same_render_as_a_fresh_chain() {
    let (left, right) = (programme(8_000, 5), programme(8_000, 6));
    let mut chain = MasterChain::default();
    chain.prepare(&ProcessSpec::stereo(48_000.0, 256)).unwrap();
    let first = render(&mut chain, &left, &right, 256);
    chain.reset();
    assert_eq!(render(&mut chain, &left, &right, 256), first);
}

#[test]
fn nan_inf_and_denormal_input_never_reaches_the_output() {
    let mut chain = MasterChain::default();
    chain.prepare(&ProcessSpec::stereo(48_000.0, 64)).unwrap();
    let mut left = programme(1_000, 7);
    let mut right = programme(1_000, 8);
    left[10] = f32::NAN;
    left[11] = f32::INFINITY;
    right[500] = f32::NEG_INFINITY;
    right[501] = 1e-41;
    let (l, r) = render(&mut chain, &left, &right, 64);
    assert!(
        l.iter()
            .chain(&r)
            .all(|x| x.is_finite() && !x.is_subnormal())
    );
    assert_eq!(chain.readings().non_finite_samples, 3);
}

#[test]
fn every_sample_rate_and_block_size_processes_finite_audio() {
    for rate in [
        22_050.0, 44_100.0, 48_000.0, 88_200.0, 96_000.0, 176_400.0, 192_000.0, 384_000.0,
    ] {
        for max_block in [1, 64, 4096, 16384] {
            let mut params = ChainParams::neutral();
            params.input_trim_db = 6.0;
            let mut chain = MasterChain::new(params);
            chain
                .prepare(&ProcessSpec::stereo(rate, max_block))
                .unwrap();
            let left = programme(20_000, 9);
            // Blocks longer than announced are processed in slices.
            let (l, _) = render(&mut chain, &left, &left, max_block * 2);
            assert!(
                l.iter().all(|x| x.is_finite()),
                "{rate} Hz, block {max_block}"
            );
            let gain = db_to_gain(6.0) as f32;
            let last = 19_999 - chain.latency();
            assert!(
                (l[19_999] / left[last] - gain).abs() < 0.05,
                "{rate} Hz trim applied"
            );
        }
    }
}

#[test]
fn mono_chain_processes_one_channel() {
    let mut params = ChainParams::neutral();
    params.output_trim_db = -6.0;
    let mut chain = MasterChain::new(params);
    chain
        .prepare(&ProcessSpec {
            channels: 1,
            ..ProcessSpec::stereo(48_000.0, 128)
        })
        .unwrap();
    let mut mono = vec![0.5f32; 1_000];
    chain.process(&mut [&mut mono]);
    assert!((mono[999] - 0.5 * db_to_gain(-6.0) as f32).abs() < 1e-6);
    assert_eq!(chain.readings().output.channels, 1);
}

#[test]
fn unprepared_chain_passes_audio_through() {
    let mut chain = MasterChain::default();
    let mut data = programme(100, 10);
    let before = data.clone();
    chain.process(&mut [&mut data]);
    assert_eq!(data, before);
}

#[test]
fn meters_read_input_before_and_output_after_processing() {
    let mut params = ChainParams::neutral();
    params.input_trim_db = -12.0;
    let mut chain = MasterChain::new(params);
    chain.prepare(&ProcessSpec::stereo(48_000.0, 512)).unwrap();
    let mut left = vec![0.0f32; 4_800];
    left[100] = 1.0;
    let mut right = vec![0.0f32; 4_800];
    chain.process(&mut [&mut left, &mut right]);
    let readings = chain.readings();
    assert_eq!(readings.input.peak_max_db[0], 0.0);
    assert!((readings.output.peak_max_db[0] + 12.0).abs() < 1e-3);
    assert_eq!(readings.output.peak_max_db[1], f64::NEG_INFINITY);
}
