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

use crate::util::round_half_away;
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
/// Seeds of the channels' noise generators (any nonzero values; fixed so renders repeat). Each
/// channel has its own, so the two generators run side by side.
const SEEDS: [u64; MAX_CHANNELS] = [0x2545_f491_4f6c_dd1d, 0x9e37_79b9_7f4a_7c15];
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
    rng: u64,
}

/// The dither stage for one or two channels. Never allocates.
#[derive(Debug, Clone)]
pub struct Dither {
    params: DitherParams,
    channels: [ChannelState; MAX_CHANNELS],
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
            channels: fresh_channels(),
        }
    }

    pub fn set_params(&mut self, params: &DitherParams) {
        if params.depth != self.params.depth || params.shape != self.params.shape {
            self.channels = fresh_channels();
        }
        self.params = *params;
    }
}

/// TPDF dither in -1..1 LSB: the sum of two independent uniform values of ±½ LSB, both from
/// one xorshift64* draw (fast, never repeats within a render): its top 52 bits split into two
/// 26-bit values, far finer than the dither needs.
#[inline]
fn tpdf(rng: &mut u64) -> f64 {
    const HALF_BITS: u32 = 26;
    const MASK: u64 = (1 << HALF_BITS) - 1;
    *rng ^= *rng >> 12;
    *rng ^= *rng << 25;
    *rng ^= *rng >> 27;
    let bits = rng.wrapping_mul(0x2545_f491_4f6c_dd1d) >> (64 - 2 * HALF_BITS);
    let sum = (bits >> HALF_BITS) + (bits & MASK);
    sum as f64 / (1u64 << HALF_BITS) as f64 - 1.0
}

/// Channel states with no past error and their generators at the start.
fn fresh_channels() -> [ChannelState; MAX_CHANNELS] {
    SEEDS.map(|rng| ChannelState {
        rng,
        ..ChannelState::default()
    })
}

/// Input samples of exact zero in a row after which the output is blanked: past the shaper's
/// memory, so a fade to silence ends in silence.
const BLANK_AFTER: usize = SHAPER_TAPS.len();

impl Processor for Dither {
    fn prepare(&mut self, _spec: &ProcessSpec) {
        self.reset();
    }

    fn reset(&mut self) {
        self.channels = fresh_channels();
    }

    fn process(&mut self, channels: &mut [&mut [f32]]) {
        let Some(bits) = self.params.depth.bits() else {
            return;
        };
        let word = Word::new(bits, self.params.shape == DitherShape::Shaped);
        let len = channels.iter().map(|c| c.len()).min().unwrap_or(0);
        // Channel states in locals, so they stay in registers; stereo in one loop, so the two
        // noise generators run side by side.
        match channels {
            [left, right] => {
                let [mut state_l, mut state_r] = self.channels;
                for (l, r) in left[..len].iter_mut().zip(&mut right[..len]) {
                    *l = word.dither(&mut state_l, *l);
                    *r = word.dither(&mut state_r, *r);
                }
                self.channels = [state_l, state_r];
            }
            channels => {
                for (samples, state) in channels.iter_mut().zip(&mut self.channels) {
                    let mut local = *state;
                    for x in &mut samples[..len] {
                        *x = word.dither(&mut local, *x);
                    }
                    *state = local;
                }
            }
        }
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

    /// One sample dithered and quantized to the word.
    #[inline(always)]
    fn dither(&self, state: &mut ChannelState, x: f32) -> f32 {
        let x = f64::from(x);
        let x = if x.is_finite() { x } else { 0.0 };
        let dither = tpdf(&mut state.rng);
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
        let quantized = round_half_away(wanted + dither).clamp(self.low, self.high);
        // Only the shaper needs the past errors (flat dither keeps them at zero). The error is
        // bounded even when the output clips, so the loop stays stable.
        if self.shaped {
            let error = (quantized - wanted).clamp(-2.0, 2.0);
            state.errors = [error, state.errors[0], state.errors[1]];
        }
        (quantized * self.lsb) as f32
    }
}
