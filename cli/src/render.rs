//! Offline rendering through the mastering chain, latency-compensated.

use lacquer_dsp::{ChainParams, MasterChain, ProcessSpec};

use crate::audio_file::Audio;

/// Block size for offline renders; any size gives the same output.
pub const RENDER_BLOCK: usize = 4096;

/// Renders `audio` through a chain with `params`. The output has the input's length and is
/// aligned with it: the chain's latency is flushed with silence and cut from the start.
pub fn render(audio: &Audio, params: &ChainParams) -> anyhow::Result<Vec<Vec<f32>>> {
    let mut chain = MasterChain::new(params.clone());
    chain.prepare(&ProcessSpec {
        sample_rate: f64::from(audio.sample_rate),
        max_block_size: RENDER_BLOCK,
        channels: audio.channels.len(),
    })?;
    let latency = chain.latency();
    let mut channels: Vec<Vec<f32>> = audio
        .channels
        .iter()
        .map(|c| {
            let mut padded = c.clone();
            padded.resize(c.len() + latency, 0.0);
            padded
        })
        .collect();
    let frames = channels[0].len();
    let mut start = 0;
    while start < frames {
        let end = (start + RENDER_BLOCK).min(frames);
        let mut block: Vec<&mut [f32]> = channels.iter_mut().map(|c| &mut c[start..end]).collect();
        chain.process(&mut block);
        start = end;
    }
    for channel in &mut channels {
        channel.drain(..latency);
    }
    Ok(channels)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio_file::SampleFormat;

    #[test]
    fn neutral_render_returns_the_input_aligned() {
        let left: Vec<f32> = (0..10_000)
            .map(|i| ((i * 37 % 101) as f32 / 50.0) - 1.0)
            .collect();
        let audio = Audio {
            sample_rate: 48_000,
            channels: vec![left.clone(), left.clone()],
            format: SampleFormat::Float32,
        };
        let out = render(&audio, &ChainParams::neutral()).unwrap();
        assert_eq!(out[0], left);
        assert_eq!(out[1].len(), left.len());
    }

    #[test]
    fn unsupported_rates_are_refused_with_the_reason() {
        let audio = Audio {
            sample_rate: 1_000,
            channels: vec![vec![0.0; 10]],
            format: SampleFormat::Int16,
        };
        let error = render(&audio, &ChainParams::default())
            .unwrap_err()
            .to_string();
        assert!(error.contains("sample rate"), "{error}");
    }
}
