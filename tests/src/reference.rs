//! What the plugin should output: the same input through `lacquer-dsp` directly.

use lacquer_dsp::limiter::{Limiter, LimiterParams};
use lacquer_dsp::{ChainParams, MasterChain, ProcessSpec, Processor};

/// Renders `input` through a chain prepared with `prepared` and switched to `params` before
/// the first block (as when a host sends parameter changes with the first process call; pass
/// the same settings twice for a chain that starts settled).
pub fn chain_render(
    prepared: &ChainParams,
    params: &ChainParams,
    sample_rate: f64,
    input: &[Vec<f32>],
) -> Vec<Vec<f32>> {
    let mut chain = MasterChain::new(prepared.clone());
    chain
        .prepare(&ProcessSpec {
            sample_rate,
            max_block_size: 4096,
            channels: input.len(),
        })
        .expect("supported spec");
    chain.set_params(params);
    let mut output = input.to_vec();
    let mut channels: Vec<&mut [f32]> = output.iter_mut().map(Vec::as_mut_slice).collect();
    chain.process(&mut channels);
    output
}

/// As [`chain_render`], with the chain's latency flushed and cut from the start: the output
/// aligned with the input, as a host that compensates latency delivers it.
pub fn chain_render_aligned(
    prepared: &ChainParams,
    params: &ChainParams,
    sample_rate: f64,
    input: &[Vec<f32>],
) -> Vec<Vec<f32>> {
    let mut chain = MasterChain::new(prepared.clone());
    chain
        .prepare(&ProcessSpec {
            sample_rate,
            max_block_size: 4096,
            channels: input.len(),
        })
        .expect("supported spec");
    chain.set_params(params);
    let latency = chain.latency();
    let mut output: Vec<Vec<f32>> = input
        .iter()
        .map(|c| {
            c.iter()
                .copied()
                .chain(std::iter::repeat_n(0.0, latency))
                .collect()
        })
        .collect();
    let mut channels: Vec<&mut [f32]> = output.iter_mut().map(Vec::as_mut_slice).collect();
    chain.process(&mut channels);
    output.iter_mut().for_each(|c| {
        c.drain(..latency);
    });
    output
}

/// Renders `input` (one `Vec` per channel) through `processor` in blocks of `block` frames,
/// followed by `tail` frames of silence, and returns the output including the tail.
pub fn render_blocks(
    processor: &mut impl lacquer_dsp::Processor,
    input: &[Vec<f32>],
    block: usize,
    tail: usize,
) -> Vec<Vec<f32>> {
    let mut output: Vec<Vec<f32>> = input
        .iter()
        .map(|c| {
            c.iter()
                .copied()
                .chain(std::iter::repeat_n(0.0, tail))
                .collect()
        })
        .collect();
    let frames = output.first().map_or(0, Vec::len);
    let mut start = 0;
    while start < frames {
        let end = (start + block).min(frames);
        let mut channels: Vec<&mut [f32]> = output.iter_mut().map(|c| &mut c[start..end]).collect();
        processor.process(&mut channels);
        start = end;
    }
    output
}

/// A stereo limiter with `params`, prepared at `rate` for blocks of up to 512 frames.
pub fn prepared_limiter(rate: f64, params: LimiterParams) -> Limiter {
    let mut limiter = Limiter::new(params);
    limiter.prepare(&ProcessSpec::stereo(rate, 512));
    limiter
}

/// Renders through a fresh [`prepared_limiter`] in blocks of 512 frames and returns the output
/// aligned with the input (the latency flushed and cut) and the limiter, for its readings.
pub fn limiter_render_aligned(
    rate: f64,
    input: &[Vec<f32>],
    params: LimiterParams,
) -> (Vec<Vec<f32>>, Limiter) {
    let mut limiter = prepared_limiter(rate, params);
    let latency = limiter.latency();
    let output = render_blocks(&mut limiter, input, 512, latency);
    let aligned = output.into_iter().map(|c| c[latency..].to_vec()).collect();
    (aligned, limiter)
}
