//! Dither: the last stage before a fixed-point file. Quantizes to the target word length with
//! TPDF dither, flat or noise-shaped, so the file holds the signal plus benign noise instead of
//! truncation distortion.
//!
//! - **TPDF:** the sum of two independent uniform values of ±½ LSB each: the total error is
//!   then independent of the signal in its mean and its power (Lipshitz, Wannamaker, Vanderkooy
//!   1992), white, with power LSB²/4 (LSB²/6 dither + LSB²/12 quantization), i.e. an RMS of
//!   half an LSB: −96.3 dBFS at 16 bits, −120.4 at 20, −144.5 at 24.
//! - **Noise-shaped:** error feedback through Wannamaker's 3-tap "E-weighted" filter
//!   (`1.623, −0.982, 0.109`, designed at 44.1 kHz): the error reaching the output is the white
//!   error filtered by `NTF(z) = 1 − 1.623 z⁻¹ + 0.982 z⁻² − 0.109 z⁻³`: 12 dB lower at DC and
//!   in the 2-5 kHz region where hearing is most sensitive, up to 11.4 dB higher near Nyquist.
//! - **Auto-blank:** digital silence in gives digital silence out (after the shaper's memory
//!   has passed), so fades to silence and gaps between tracks stay silent.
//! - The output is a multiple of the LSB within the word's range, so a writer of that word
//!   length stores it exactly. The noise generator restarts from a fixed seed on `reset`:
//!   renders are reproducible.

use crate::util::all_finite_and_nonzero;
use crate::{ProcessSpec, Processor};

/// Word lengths dither can target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DitherDepth {
    /// No dither, no quantization: the float output passes untouched.
    #[default]
    Off,
    Bits24,
    Bits20,
    Bits16,
}

impl DitherDepth {
    /// The word length in bits, `None` when off.
    pub fn bits(self) -> Option<u32> {
        match self {
            DitherDepth::Off => None,
            DitherDepth::Bits24 => Some(24),
            DitherDepth::Bits20 => Some(20),
            DitherDepth::Bits16 => Some(16),
        }
    }
}

/// The spectrum of the dither noise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DitherShape {
    /// White TPDF noise.
    #[default]
    Flat,
    /// TPDF noise through the E-weighted error-feedback shaper ([`SHAPER_TAPS`]).
    Shaped,
}

/// The dither's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DitherParams {
    pub depth: DitherDepth,
    pub shape: DitherShape,
}

/// Wannamaker's 3-tap E-weighted error-feedback coefficients.
pub const SHAPER_TAPS: [f64; 3] = [1.623, -0.982, 0.109];
/// Seeds of the channels' noise (any distinct values; fixed so renders repeat): each channel
/// has its own noise.
const SEEDS: [u32; MAX_CHANNELS] = [0x4f6c_dd1d, 0x7f4a_7c15];
const MAX_CHANNELS: usize = 2;

/// The noise transfer function's magnitude, dB, at `freq_hz`: what the shaper does to the
/// white error (0 dB everywhere for [`DitherShape::Flat`]).
pub fn shaping_db(shape: DitherShape, freq_hz: f64, sample_rate: f64) -> f64 {
    if shape == DitherShape::Flat {
        return 0.0;
    }
    let w = std::f64::consts::TAU * freq_hz / sample_rate;
    let (mut re, mut im) = (1.0, 0.0);
    for (k, h) in SHAPER_TAPS.iter().enumerate() {
        let phase = w * (k + 1) as f64;
        re -= h * phase.cos();
        im += h * phase.sin();
    }
    10.0 * (re * re + im * im).log10()
}

#[derive(Debug, Clone, Copy, Default)]
struct ChannelState {
    /// The last quantization errors, newest first.
    errors: [f64; 3],
    /// Consecutive exactly-zero input samples.
    silent_run: usize,
}

/// The dither stage for one or two channels. Never allocates.
#[derive(Debug, Clone)]
pub struct Dither {
    params: DitherParams,
    channels: [ChannelState; MAX_CHANNELS],
    /// Frames since the last reset: the noise of a sample is a function of it (and of the
    /// channel), so the noise never depends on how the stream is cut into blocks.
    position: u32,
}

impl Default for Dither {
    fn default() -> Self {
        Self::new(DitherParams::default())
    }
}

impl Dither {
    pub fn new(params: DitherParams) -> Self {
        Self {
            params,
            channels: Default::default(),
            position: 0,
        }
    }

    pub fn set_params(&mut self, params: &DitherParams) {
        if params.depth != self.params.depth || params.shape != self.params.shape {
            self.reset();
        }
        self.params = *params;
    }
}

/// TPDF dither in -1..1 LSB for frame `position` of the channel with `seed`: the sum of two
/// independent uniform values of ±½ LSB, both from one 32-bit hash of the position (16 bits
/// each, far finer than the dither needs; centred, so without offset). Counter-based rather
/// than a generator's sequence, so samples are independent of each other and a block's noise
/// is computed for all its samples at once (vectorised). Repeats after 2^32 frames (27 hours
/// at 44.1 kHz).
#[inline(always)]
fn tpdf(seed: u32, position: u32) -> f64 {
    let bits = hash32(position ^ seed);
    let sum = (bits >> 16) + (bits & 0xffff) + 1;
    f64::from(sum) * (1.0 / 65_536.0) - 1.0
}

/// Chris Wellons' "lowbias32" integer hash: a bijection with strong avalanche (any input bit
/// changes each output bit with probability close to one half).
#[inline(always)]
fn hash32(mut x: u32) -> u32 {
    x ^= x >> 16;
    x = x.wrapping_mul(0x7feb_352d);
    x ^= x >> 15;
    x = x.wrapping_mul(0x846c_a68b);
    x ^ (x >> 16)
}

/// Input samples of exact zero in a row after which the output is blanked: past the shaper's
/// memory, so a fade to silence ends in silence.
const BLANK_AFTER: usize = SHAPER_TAPS.len();

impl Processor for Dither {
    fn prepare(&mut self, _spec: &ProcessSpec) {
        self.reset();
    }

    fn reset(&mut self) {
        self.channels = Default::default();
        self.position = 0;
    }

    fn process(&mut self, channels: &mut [&mut [f32]]) {
        let Some(bits) = self.params.depth.bits() else {
            return;
        };
        let word = Word::new(bits, self.params.shape == DitherShape::Shaped);
        let len = channels.iter().map(|c| c.len()).min().unwrap_or(0);
        for ((samples, state), &seed) in channels.iter_mut().zip(&mut self.channels).zip(&SEEDS) {
            let samples = &mut samples[..len];
            // Flat dither of a block without silence or bad values needs no state: every
            // sample at once. Anything else goes sample by sample.
            if !word.shaped && all_finite_and_nonzero(samples) {
                word.dither_block(seed, self.position, samples);
                state.silent_run = 0;
            } else {
                let mut local = *state;
                for (i, x) in samples.iter_mut().enumerate() {
                    let noise = tpdf(seed, self.position.wrapping_add(i as u32));
                    *x = word.dither(&mut local, noise, *x);
                }
                *state = local;
            }
        }
        self.position = self.position.wrapping_add(len as u32);
    }
}

/// The target word: its scale and range in LSBs, and whether the error is shaped.
struct Word {
    scale: f64,
    lsb: f64,
    low: f64,
    high: f64,
    shaped: bool,
}

impl Word {
    fn new(bits: u32, shaped: bool) -> Self {
        let scale = f64::from(1u32 << (bits - 1));
        Self {
            scale,
            // A power of two: multiplying by its inverse is exact, and far quicker than dividing.
            lsb: 1.0 / scale,
            low: -scale,
            high: scale - 1.0,
            shaped,
        }
    }

    /// Flat dither of samples that are all finite and nonzero, frame `position` first: the
    /// same arithmetic as [`Self::dither`], vectorised where the CPU allows.
    fn dither_block(&self, seed: u32, position: u32, samples: &mut [f32]) {
        #[cfg(target_arch = "x86_64")]
        if crate::util::fir::has_avx2_fma() {
            // SAFETY: the CPU has AVX2 (checked just above).
            return unsafe { self.dither_block_avx2(seed, position, samples) };
        }
        self.dither_block_body(seed, position, samples);
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn dither_block_avx2(&self, seed: u32, position: u32, samples: &mut [f32]) {
        self.dither_block_body(seed, position, samples);
    }

    #[inline(always)]
    fn dither_block_body(&self, seed: u32, position: u32, samples: &mut [f32]) {
        for (i, x) in samples.iter_mut().enumerate() {
            let noise = tpdf(seed, position.wrapping_add(i as u32));
            *x = self.quantize(f64::from(*x) * self.scale + noise);
        }
    }

    /// One sample dithered (with `noise`, in LSBs) and quantized to the word.
    #[inline(always)]
    fn dither(&self, state: &mut ChannelState, noise: f64, x: f32) -> f32 {
        let x = f64::from(x);
        let x = if x.is_finite() { x } else { 0.0 };
        if x == 0.0 {
            state.silent_run += 1;
            if state.silent_run >= BLANK_AFTER {
                state.errors = [0.0; 3];
                return 0.0;
            }
        } else {
            state.silent_run = 0;
        }
        // In LSBs, minus the shaped past error.
        let mut wanted = x * self.scale;
        if self.shaped {
            wanted -= SHAPER_TAPS
                .iter()
                .zip(&state.errors)
                .map(|(h, e)| h * e)
                .sum::<f64>();
        }
        let output = self.quantize(wanted + noise);
        // Only the shaper needs the past errors (flat dither keeps them at zero). The error is
        // bounded even when the output clips, so the loop stays stable.
        if self.shaped {
            let error = (f64::from(output) * self.scale - wanted).clamp(-2.0, 2.0);
            state.errors = [error, state.errors[0], state.errors[1]];
        }
        output
    }

    /// `value` (in LSBs) rounded to the word, within its range, as a sample. Rounds to nearest
    /// (ties to even) by adding and taking away 1.5 · 2^52, where an f64 has no fraction bits
    /// left: two additions, which vectorise on any CPU (a rounding instruction needs SSE4.1,
    /// a conversion to integers AVX-512). Exact for |value| < 2^51.
    #[inline(always)]
    fn quantize(&self, value: f64) -> f32 {
        const ROUNDING: f64 = 6_755_399_441_055_744.0;
        (((value + ROUNDING) - ROUNDING).clamp(self.low, self.high) * self.lsb) as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The block path (vectorised) gives what the sample path gives, at every word length, on
    /// samples from the smallest to beyond full scale.
    #[test]
    fn a_block_at_once_equals_sample_by_sample() {
        let mut random = crate::util::test_random::unit_random(7);
        let samples: Vec<f32> = (0..20_000)
            .map(|n| {
                let magnitude = 10f64.powf(-9.0 * random()) * 1.2;
                let sign = if n % 3 == 0 { -1.0 } else { 1.0 };
                (sign * magnitude) as f32
            })
            .collect();
        for bits in [16, 20, 24] {
            let word = Word::new(bits, false);
            let mut block = samples.clone();
            word.dither_block(SEEDS[1], 1234, &mut block);
            let mut state = ChannelState::default();
            for (n, (&x, &y)) in samples.iter().zip(&block).enumerate() {
                let noise = tpdf(SEEDS[1], 1234 + n as u32);
                assert_eq!(
                    word.dither(&mut state, noise, x),
                    y,
                    "{bits} bits, sample {n}"
                );
            }
        }
    }
}
