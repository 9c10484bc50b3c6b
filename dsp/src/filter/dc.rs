//! Removing DC offset before anything else sees it.

use super::{Biquad, LaneState, SubstitutedBiquad, flush_lane_denormals};
use crate::util::GainRamp;
use crate::{ProcessSpec, Processor};

/// Cutoff of the DC filter: low enough to leave 20 Hz untouched (-0.017 dB), high enough to
/// settle an offset within a fraction of a second.
pub const DC_FILTER_CUTOFF_HZ: f64 = 5.0;

/// Time for the on/off crossfade.
const SWITCH_MS: f64 = 10.0;

/// A 5 Hz second-order Butterworth high-pass that can be switched on and off without clicks.
///
/// The filter always runs, so its state is warm when switched in; switching crossfades between
/// the dry and the filtered signal. Switched off and settled, the output is the input, bit for bit.
#[derive(Debug, Clone)]
pub struct DcFilter {
    coeffs: SubstitutedBiquad,
    /// One lane per channel (mono leaves the second silent).
    state: LaneState<2>,
    mix: GainRamp,
}

impl DcFilter {
    /// A filter, switched on or off.
    pub fn new(enabled: bool) -> Self {
        Self {
            coeffs: SubstitutedBiquad::new(&Biquad::IDENTITY),
            state: LaneState::default(),
            mix: GainRamp::new(if enabled { 1.0 } else { 0.0 }),
        }
    }

    /// Switches the filter in or out (with a short crossfade).
    pub fn set_enabled(&mut self, enabled: bool) {
        self.mix.set_target(if enabled { 1.0 } else { 0.0 });
    }
}

impl Processor for DcFilter {
    fn prepare(&mut self, spec: &ProcessSpec) {
        self.coeffs = SubstitutedBiquad::new(&Biquad::butterworth_highpass(
            DC_FILTER_CUTOFF_HZ,
            spec.sample_rate,
        ));
        self.mix.set_ramp_samples(spec.ms_to_samples(SWITCH_MS));
        self.reset();
    }

    fn reset(&mut self) {
        self.state = LaneState::default();
        self.mix.settle();
    }

    fn process(&mut self, channels: &mut [&mut [f32]]) {
        let frames = channels.iter().map(|c| c.len()).min().unwrap_or(0);
        if self.mix.is_ramping() {
            self.crossfade(channels, frames);
            return;
        }
        let on = self.mix.target() != 0.0;
        let mut state = self.state;
        match channels {
            [left, right] => {
                for (l, r) in left[..frames].iter_mut().zip(&mut right[..frames]) {
                    let [wet_l, wet_r] =
                        self.coeffs.tick(&mut state, [f64::from(*l), f64::from(*r)]);
                    if on {
                        (*l, *r) = (wet_l as f32, wet_r as f32);
                    }
                }
            }
            [mono] => {
                for x in &mut mono[..frames] {
                    let [wet, _] = self.coeffs.tick(&mut state, [f64::from(*x), 0.0]);
                    if on {
                        *x = wet as f32;
                    }
                }
            }
            // Mono or stereo only (`ProcessSpec::validate`).
            _ => {}
        }
        // Decayed state is flushed once per block: from the -600 dB floor a 5 Hz pole takes
        // millions of samples to turn subnormal.
        flush_lane_denormals(&mut state);
        self.state = state;
    }
}

impl DcFilter {
    /// While switching: each sample a mix of the input and the filtered input.
    fn crossfade(&mut self, channels: &mut [&mut [f32]], frames: usize) {
        let count = channels.len().min(2);
        for i in 0..frames {
            let mix = self.mix.next_gain();
            let dry: [f64; 2] = std::array::from_fn(|c| {
                if c < count {
                    f64::from(channels[c][i])
                } else {
                    0.0
                }
            });
            let wet = self.coeffs.tick(&mut self.state, dry);
            flush_lane_denormals(&mut self.state);
            for (c, channel) in channels[..count].iter_mut().enumerate() {
                channel[i] = (dry[c] + (wet[c] - dry[c]) * mix) as f32;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prepared(enabled: bool) -> DcFilter {
        let mut filter = DcFilter::new(enabled);
        filter.prepare(&ProcessSpec::stereo(48_000.0, 512));
        filter
    }

    #[test]
    fn removes_an_offset_within_half_a_second() {
        let mut filter = prepared(true);
        let mut left = vec![0.5f32; 48_000];
        let mut right = vec![-0.25f32; 48_000];
        filter.process(&mut [&mut left, &mut right]);
        let tail = |c: &[f32]| c[24_000..].iter().fold(0.0f32, |m, x| m.max(x.abs()));
        assert!(tail(&left) < 1e-3, "left residue {}", tail(&left));
        assert!(tail(&right) < 1e-3);
    }

    #[test]
    fn switched_off_it_is_bit_transparent() {
        let mut filter = prepared(false);
        let input: Vec<f32> = (0..4096)
            .map(|i| ((i * 7919 % 1000) as f32 / 500.0) - 1.0)
            .collect();
        let mut data = input.clone();
        filter.process(&mut [&mut data]);
        assert_eq!(data, input);
    }

    #[test]
    fn switching_crossfades_without_a_step() {
        let mut filter = prepared(false);
        let mut warmup = vec![0.5f32; 4800];
        filter.process(&mut [&mut warmup]);
        filter.set_enabled(true);
        let mut data = vec![0.5f32; 4800];
        filter.process(&mut [&mut data]);
        let largest_step = data
            .windows(2)
            .map(|w| (w[1] - w[0]).abs())
            .fold(0.0, f32::max);
        // A hard switch would jump by ~0.5; the 10 ms fade moves at most 0.5/480 per sample.
        assert!(largest_step < 0.002, "step {largest_step}");
    }
}
