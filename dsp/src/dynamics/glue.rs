//! The glue compressor: a broadband bus compressor in the manner of console bus compressors.
//!
//! Both channels share one gain (the image stays put), from a peak detector fed through a
//! high-pass so the low end does not pump the mix. Fixed ratios and a gentle knee; a dry/wet
//! mix for parallel compression. The output is the input times one gain per frame, so it adds
//! no latency and is bit-exact when off.

use super::samples::{finite, to_sample};
use super::{
    Detection, GainComputer, GainStage, HISTORY_LEN, ReductionMeter, Sidechain, SidechainSettings,
};
use crate::filter::{Biquad, BiquadState};
use crate::util::GainRamp;
use crate::{ProcessSpec, Processor};

/// The knee, dB: soft enough that the onset is not heard as a corner.
pub const GLUE_KNEE_DB: f64 = 3.0;
/// Attack range, ms.
pub const GLUE_ATTACK_MIN_MS: f64 = 0.1;
pub const GLUE_ATTACK_MAX_MS: f64 = 30.0;
/// Release range, ms.
pub const GLUE_RELEASE_MIN_MS: f64 = 100.0;
pub const GLUE_RELEASE_MAX_MS: f64 = 1_200.0;
/// Side-chain high-pass range, Hz.
pub const SIDECHAIN_HP_MIN_HZ: f64 = 20.0;
pub const SIDECHAIN_HP_MAX_HZ: f64 = 500.0;
/// Mix and on/off changes take this long, ms.
const SWITCH_MS: f64 = 10.0;
const MAX_CHANNELS: usize = 2;

/// The ratios a bus compressor offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GlueRatio {
    /// 1.5:1
    R1_5,
    /// 2:1
    #[default]
    R2,
    /// 4:1
    R4,
    /// 10:1
    R10,
}

impl GlueRatio {
    /// The ratio as a number (input dB per output dB over the threshold).
    pub fn value(self) -> f64 {
        match self {
            GlueRatio::R1_5 => 1.5,
            GlueRatio::R2 => 2.0,
            GlueRatio::R4 => 4.0,
            GlueRatio::R10 => 10.0,
        }
    }
}

/// The glue compressor's settings, in physical units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GlueParams {
    /// Off: the input passes unchanged, with a 10 ms crossfade.
    pub enabled: bool,
    /// Peak level where compression starts (the knee's centre), dBFS. -60..0.
    pub threshold_db: f64,
    pub ratio: GlueRatio,
    /// Attack time constant, ms. 0.1..30.
    pub attack_ms: f64,
    /// Release time constant, ms. 100..1200.
    pub release_ms: f64,
    /// Program-dependent release around `release_ms` (see [`super::Ballistics::set_times`]).
    pub auto_release: bool,
    /// Gain after compression, dB. 0..24.
    pub makeup_db: f64,
    /// Compressed share of the output, percent (the rest is the dry input). 0..100.
    pub mix_pct: f64,
    /// Cutoff of the side-chain's 12 dB/oct high-pass, Hz. 20..500.
    pub sidechain_hp_hz: f64,
}

impl Default for GlueParams {
    fn default() -> Self {
        Self {
            enabled: false,
            threshold_db: -18.0,
            ratio: GlueRatio::R2,
            attack_ms: 10.0,
            release_ms: 300.0,
            auto_release: false,
            makeup_db: 0.0,
            mix_pct: 100.0,
            sidechain_hp_hz: 90.0,
        }
    }
}

/// What the glue compressor did, for the GUI. Plain data.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GlueReadings {
    /// Gain reduction at the end of the last block, dB, ≥ 0 (before the mix).
    pub gain_reduction_db: f64,
    /// Gain reduction per 10 ms (the largest in each), oldest first.
    pub history_db: [f32; HISTORY_LEN],
}

impl Default for GlueReadings {
    fn default() -> Self {
        Self {
            gain_reduction_db: 0.0,
            history_db: [0.0; HISTORY_LEN],
        }
    }
}

/// The glue compressor for one or two channels. Nothing allocates, `prepare` included.
#[derive(Debug, Clone)]
pub struct GlueCompressor {
    params: GlueParams,
    sample_rate: Option<f64>,
    sidechain: Sidechain,
    highpass: Biquad,
    highpass_state: [BiquadState; MAX_CHANNELS],
    stage: GainStage,
    mix: GainRamp,
    /// 1 while enabled, 0 while off, gliding between.
    wet: GainRamp,
    meter: ReductionMeter,
}

impl Default for GlueCompressor {
    fn default() -> Self {
        Self::new(GlueParams::default())
    }
}

impl GlueCompressor {
    /// A glue compressor with `params`, unprepared (passes audio through untouched).
    pub fn new(params: GlueParams) -> Self {
        let mut glue = Self {
            params,
            sample_rate: None,
            sidechain: Sidechain::default(),
            highpass: Biquad::IDENTITY,
            highpass_state: Default::default(),
            stage: GainStage::default(),
            mix: GainRamp::new(params.mix_pct.clamp(0.0, 100.0) * 0.01),
            wet: GainRamp::new(if params.enabled { 1.0 } else { 0.0 }),
            meter: ReductionMeter::default(),
        };
        glue.set_params(&params);
        glue
    }

    pub fn params(&self) -> &GlueParams {
        &self.params
    }

    /// Applies new settings. Makeup, mix and on/off glide; the gain follows a new curve with
    /// the attack or release.
    pub fn set_params(&mut self, params: &GlueParams) {
        let waking = params.enabled && !self.params.enabled && self.wet.target() == 0.0;
        self.params = *params;
        let rate = self.sample_rate.unwrap_or(48_000.0);
        self.sidechain.set(&SidechainSettings {
            computer: GainComputer::new(params.threshold_db, params.ratio.value(), GLUE_KNEE_DB),
            detection: Detection::Peak,
            attack_ms: params
                .attack_ms
                .clamp(GLUE_ATTACK_MIN_MS, GLUE_ATTACK_MAX_MS),
            release_ms: params
                .release_ms
                .clamp(GLUE_RELEASE_MIN_MS, GLUE_RELEASE_MAX_MS),
            auto_release: params.auto_release,
            linked: true,
        });
        self.highpass = Biquad::butterworth_highpass(
            params
                .sidechain_hp_hz
                .clamp(SIDECHAIN_HP_MIN_HZ, SIDECHAIN_HP_MAX_HZ),
            rate,
        );
        self.stage.set(params.makeup_db, true);
        self.mix.set_target(params.mix_pct.clamp(0.0, 100.0) * 0.01);
        self.wet.set_target(if params.enabled { 1.0 } else { 0.0 });
        if waking {
            self.reset_state();
        }
    }

    /// What the compressor did since the last call to [`Self::reset_readings`].
    pub fn readings(&self) -> GlueReadings {
        GlueReadings {
            gain_reduction_db: f64::from(self.meter.current_db()),
            history_db: self.meter.history_db(),
        }
    }

    /// Clears the readings only.
    pub fn reset_readings(&mut self) {
        self.meter.reset();
    }

    fn reset_state(&mut self) {
        self.sidechain.reset();
        self.highpass_state.iter_mut().for_each(BiquadState::reset);
        self.stage.settle();
        self.mix.settle();
        self.wet.settle();
    }
}

impl Processor for GlueCompressor {
    fn prepare(&mut self, spec: &ProcessSpec) {
        let rate = spec.sample_rate;
        self.sample_rate = Some(rate);
        self.sidechain.prepare(rate);
        self.stage.prepare(rate);
        self.meter.prepare(rate);
        self.mix.set_ramp_samples(spec.ms_to_samples(SWITCH_MS));
        self.wet.set_ramp_samples(spec.ms_to_samples(SWITCH_MS));
        let params = self.params;
        self.set_params(&params);
        self.reset();
    }

    fn reset(&mut self) {
        self.reset_state();
        self.reset_readings();
    }

    fn process(&mut self, channels: &mut [&mut [f32]]) {
        if self.sample_rate.is_none() || (!self.params.enabled && !self.wet.is_ramping()) {
            return;
        }
        let count = channels.len().min(MAX_CHANNELS);
        let frames = channels.iter().map(|c| c.len()).min().unwrap_or(0);
        for i in 0..frames {
            let mut input = [0.0f64; MAX_CHANNELS];
            let mut key = [0.0f64; MAX_CHANNELS];
            for (c, samples) in channels.iter().take(count).enumerate() {
                input[c] = f64::from(finite(samples[i]));
                key[c] = self.highpass_state[c].tick(&self.highpass, input[c]);
            }
            let gain_db = self.sidechain.tick(key, count)[0];
            self.meter.push(-gain_db as f32);
            let gain = self.stage.next_frame().gain(gain_db);
            // Parallel mix and on/off are both a blend with the dry input.
            let amount = self.mix.next_gain() * self.wet.next_gain();
            let applied = 1.0 + amount * (gain - 1.0);
            for (samples, &x) in channels.iter_mut().zip(&input).take(count) {
                samples[i] = to_sample(x * applied);
            }
        }
        self.highpass_state
            .iter_mut()
            .for_each(BiquadState::flush_denormals);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glue(params: GlueParams) -> GlueCompressor {
        let mut g = GlueCompressor::new(params);
        g.prepare(&ProcessSpec::stereo(48_000.0, 512));
        g
    }

    fn sine(amplitude: f32, freq: f32, len: usize) -> Vec<f32> {
        (0..len)
            .map(|n| amplitude * (std::f32::consts::TAU * freq * n as f32 / 48_000.0).sin())
            .collect()
    }

    #[test]
    fn disabled_is_bit_exact() {
        let mut g = glue(GlueParams::default());
        let input = sine(0.9, 440.0, 4_800);
        let mut output = input.clone();
        g.process(&mut [&mut output[..]]);
        assert_eq!(output, input);
    }

    #[test]
    fn sidechain_high_pass_keeps_bass_from_pumping() {
        let params = GlueParams {
            enabled: true,
            threshold_db: -20.0,
            ratio: GlueRatio::R4,
            sidechain_hp_hz: 500.0,
            ..GlueParams::default()
        };
        let reduction = |freq: f32| {
            let mut g = glue(params);
            let mut x = sine(0.5, freq, 48_000);
            g.process(&mut [&mut x[..]]);
            g.readings().gain_reduction_db
        };
        // 50 Hz is 40 dB down in the side-chain: under the threshold.
        assert_eq!(reduction(50.0), 0.0);
        assert!(reduction(5_000.0) > 5.0);
    }

    #[test]
    fn half_mix_is_halfway_between_dry_and_compressed() {
        let full = GlueParams {
            enabled: true,
            threshold_db: -30.0,
            ratio: GlueRatio::R10,
            ..GlueParams::default()
        };
        let input = sine(0.5, 1_000.0, 48_000);
        let run = |params| {
            let mut g = glue(params);
            let mut x = input.clone();
            g.process(&mut [&mut x[..]]);
            x
        };
        let wet = run(full);
        let half = run(GlueParams {
            mix_pct: 50.0,
            ..full
        });
        for n in 24_000..48_000 {
            let want = 0.5 * (input[n] + wet[n]);
            assert!((half[n] - want).abs() < 1e-6, "{n}");
        }
    }
}
