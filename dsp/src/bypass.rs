//! Global bypass: the chain's input, delayed by the chain's latency, crossfaded in place of its
//! output. The host hears the same timing either way, so toggling never shifts the audio, and the
//! chain keeps running underneath so coming back is seamless.

use crate::ProcessSpec;
use crate::util::{DelayLine, GainRamp, db_to_gain};

const MAX_CHANNELS: usize = 2;
/// The crossfade between processed and bypassed audio.
const CROSSFADE_MS: f64 = 10.0;
/// The glide of the level-matching gain.
const MATCH_GLIDE_MS: f64 = 50.0;

/// The bypass path and its crossfade.
#[derive(Debug, Clone)]
pub struct Bypass {
    delays: [DelayLine; MAX_CHANNELS],
    /// The delayed input of the current block.
    dry: [Vec<f32>; MAX_CHANNELS],
    /// 0 = processed, 1 = bypassed.
    mix: GainRamp,
    /// Gain on the bypassed audio (level matching).
    dry_gain: GainRamp,
}

impl Default for Bypass {
    fn default() -> Self {
        Self {
            delays: Default::default(),
            dry: Default::default(),
            mix: GainRamp::new(0.0),
            dry_gain: GainRamp::new(1.0),
        }
    }
}

impl Bypass {
    /// Sizes the delay for up to `max_latency` samples. Allocates.
    pub fn prepare(&mut self, spec: &ProcessSpec, max_latency: usize) {
        for (delay, dry) in self.delays.iter_mut().zip(&mut self.dry) {
            *delay = DelayLine::with_capacity(max_latency + spec.max_block_size);
            *dry = vec![0.0; spec.max_block_size];
        }
        self.mix.set_ramp_samples(spec.ms_to_samples(CROSSFADE_MS));
        self.dry_gain
            .set_ramp_samples(spec.ms_to_samples(MATCH_GLIDE_MS));
        self.reset();
    }

    /// Clears the delayed input; the crossfade and level jump to their targets.
    pub fn reset(&mut self) {
        self.delays.iter_mut().for_each(DelayLine::reset);
        self.mix.settle();
        self.dry_gain.settle();
    }

    /// Sets the delay of the bypass path: the chain's latency.
    pub fn set_delay(&mut self, samples: usize) {
        self.delays.iter_mut().for_each(|d| d.set_delay(samples));
    }

    /// Switches to the bypassed input (`true`) or the processed output, with a crossfade.
    pub fn set_bypassed(&mut self, bypassed: bool) {
        self.mix.set_target(if bypassed { 1.0 } else { 0.0 });
    }

    /// Whether the bypass is on (or fading in).
    pub fn is_bypassed(&self) -> bool {
        self.mix.target() > 0.5
    }

    /// Sets the gain of the bypassed audio, dB (gain-matched bypass).
    pub fn set_dry_gain_db(&mut self, gain_db: f64) {
        self.dry_gain.set_target(db_to_gain(gain_db));
    }

    /// Stores the chain's input of this block (before the chain changes it in place).
    pub fn capture(&mut self, block: &[&mut [f32]]) {
        for ((input, delay), dry) in block.iter().zip(&mut self.delays).zip(&mut self.dry) {
            delay.process_into(input, &mut dry[..input.len()]);
        }
    }

    /// Replaces the processed block by the captured input as far as the bypass is in.
    pub fn mix(&mut self, block: &mut [&mut [f32]]) {
        if !self.mix.is_ramping() && self.mix.target() == 0.0 {
            return;
        }
        let frames = block.iter().map(|c| c.len()).min().unwrap_or(0);
        for i in 0..frames {
            let mix = self.mix.next_gain();
            let dry_gain = self.dry_gain.next_gain() * mix;
            for (channel, dry) in block.iter_mut().zip(&self.dry) {
                let wet = f64::from(channel[i]) * (1.0 - mix);
                channel[i] = (wet + f64::from(dry[i]) * dry_gain) as f32;
            }
        }
    }
}
