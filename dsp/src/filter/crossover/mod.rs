//! Crossover banks: up to four bands whose unprocessed sum has a flat magnitude.
//!
//! Minimum phase (the default, no latency): Linkwitz-Riley 24 dB/oct splits in a tree. Each split
//! is a pair of squared Butterworth sections, low-pass and high-pass; their sum is the 2nd-order
//! allpass with the Butterworth denominator (analog: `(s² - √2 s + 1) / (s² + √2 s + 1)`, and the
//! bilinear transform keeps the identity). Every band below a split passes through that split's
//! allpass, so all bands share one phase response and add up to an allpass: flat magnitude, the
//! phase of the splits (chowdsp `CrossoverFilter`, D'Appolito's "phase compensated" tree).
//!
//! Linear phase (an option, latency [`Crossover::latency`]): zero-phase FIR low-passes with the
//! Linkwitz-Riley magnitude `1 / (1 + (f/fc)⁴)`, from its closed-form impulse response. Band `k`
//! is `LP_k - LP_{k-1}` (the top band the delayed input less the last low-pass), so the bands add
//! back to the delayed input to within float rounding whatever the taps. The FIR spans
//! [`LINEAR_PHASE_SPAN_MS`] on each side (at most [`MAX_LINEAR_PHASE_HALF`] taps): crossovers
//! below about 60 Hz (higher above 68 kHz sample rate) get gentler slopes than 24 dB/oct, which
//! changes the bands' shapes but never their sum.
//!
//! Crossover frequencies glide (in log frequency, [`GLIDE_MS`]) so automation does not click;
//! coefficients are recomputed at the start of each [`CROSSOVER_CHUNK`]-frame chunk, counted from
//! `reset`, so output does not depend on how the host splits blocks.

mod chunks;
mod linear_phase;
mod minimum_phase;
mod sections;
#[cfg(test)]
mod tests;

pub use chunks::{BandRows, for_each_chunk};
pub use linear_phase::{LINEAR_PHASE_SPAN_MS, MAX_LINEAR_PHASE_HALF};
pub use minimum_phase::CrossoverDesign;
pub use sections::{allpass_section, highpass_section, lowpass_section};

use linear_phase::LinearPhase;
use minimum_phase::MinimumPhase;

/// Most bands a bank splits into.
pub const MAX_BANDS: usize = 4;
/// Most crossover frequencies (bands - 1).
pub const MAX_CROSSOVERS: usize = MAX_BANDS - 1;
/// Crossover frequency range, Hz.
pub const CROSSOVER_MIN_HZ: f64 = 20.0;
pub const CROSSOVER_MAX_HZ: f64 = 20_000.0;
/// Crossovers stay below this fraction of the sample rate: at 22.05 kHz a 20 kHz crossover would
/// sit above Nyquist.
const MAX_CROSSOVER_FRACTION: f64 = 0.45;
/// Frames per coefficient update while frequencies glide; also the most frames one `split` takes.
pub const CROSSOVER_CHUNK: usize = 128;
/// Time constant of the crossover glide, ms.
pub const GLIDE_MS: f64 = 20.0;
/// A glide closer than this to its target (natural log of the frequency ratio, 0.1 %) arrives.
const GLIDE_SNAP: f64 = 1e-3;
const MAX_CHANNELS: usize = 2;

/// Crossover frequencies as a bank uses them: each within 20 Hz..20 kHz and below 0.45 fs, and
/// none below the one before (equal crossovers leave an empty band; the sum stays flat).
pub fn clamp_crossovers(crossovers_hz: [f64; MAX_CROSSOVERS], sample_rate: f64) -> [f64; 3] {
    let top = CROSSOVER_MAX_HZ.min(MAX_CROSSOVER_FRACTION * sample_rate);
    let mut out = [CROSSOVER_MIN_HZ; MAX_CROSSOVERS];
    let mut floor = CROSSOVER_MIN_HZ;
    for (out, &f) in out.iter_mut().zip(&crossovers_hz) {
        let f = if f.is_nan() { floor } else { f };
        *out = f.clamp(floor, top.max(floor));
        floor = *out;
    }
    out
}

/// A crossover bank for one or two channels.
///
/// `prepare` allocates (the linear-phase history and taps); `set`, `reset`, `step` and `split`
/// never allocate, lock or panic.
#[derive(Debug, Clone)]
pub struct Crossover {
    sample_rate: f64,
    bands: usize,
    linear_phase: bool,
    target_hz: [f64; MAX_CROSSOVERS],
    /// The gliding frequencies in use.
    current_hz: [f64; MAX_CROSSOVERS],
    /// Fraction of the remaining log-frequency distance covered per chunk.
    glide: f64,
    design: CrossoverDesign,
    minimum: [MinimumPhase; MAX_CHANNELS],
    linear: LinearPhase,
}

impl Default for Crossover {
    fn default() -> Self {
        Self::new()
    }
}

impl Crossover {
    /// A single-band (pass-through) bank at 48 kHz; `prepare` before use.
    pub fn new() -> Self {
        let crossovers_hz = [120.0, 1_000.0, 6_000.0];
        Self {
            sample_rate: 48_000.0,
            bands: 1,
            linear_phase: false,
            target_hz: crossovers_hz,
            current_hz: crossovers_hz,
            glide: 1.0,
            design: CrossoverDesign::new(1, crossovers_hz, 48_000.0),
            minimum: [MinimumPhase::default(); MAX_CHANNELS],
            linear: LinearPhase::default(),
        }
    }

    /// Sizes the linear-phase FIR for `sample_rate` (allocates) and resets.
    pub fn prepare(&mut self, sample_rate: f64) {
        self.sample_rate = sample_rate;
        self.linear.prepare(sample_rate);
        self.glide = crate::util::smoothing_step(CROSSOVER_CHUNK as f64, GLIDE_MS, sample_rate);
        self.reset();
    }

    /// Sets the band count (1..=4), the crossovers (gliding there) and the filter type. A new
    /// band count or filter type takes effect at once (not click-free: it changes the signal
    /// path); the linear-phase choice changes [`Self::latency`].
    pub fn set(&mut self, bands: usize, crossovers_hz: [f64; MAX_CROSSOVERS], linear_phase: bool) {
        let bands = bands.clamp(1, MAX_BANDS);
        self.target_hz = clamp_crossovers(crossovers_hz, self.sample_rate);
        if bands != self.bands || linear_phase != self.linear_phase {
            // Filters that join the path start from silence rather than stale state.
            self.bands = bands;
            self.linear_phase = linear_phase;
            self.clear_state();
            self.redesign(true);
        }
    }

    /// Jumps to the target frequencies and clears all filter state.
    pub fn reset(&mut self) {
        self.current_hz = self.target_hz;
        self.clear_state();
        self.redesign(true);
    }

    fn clear_state(&mut self) {
        self.minimum.iter_mut().for_each(MinimumPhase::reset);
        self.linear.clear();
    }

    /// Number of bands.
    pub fn bands(&self) -> usize {
        self.bands
    }

    /// The crossovers in use now (gliding towards the set ones).
    pub fn crossovers_hz(&self) -> [f64; MAX_CROSSOVERS] {
        self.current_hz
    }

    /// The minimum-phase design in use now.
    pub fn design(&self) -> &CrossoverDesign {
        &self.design
    }

    /// Delay of the bands, samples: the FIR's half length when linear phase, else 0.
    pub fn latency(&self) -> usize {
        if self.linear_phase && self.bands > 1 {
            self.linear.half()
        } else {
            0
        }
    }

    /// The largest latency this bank can have at the prepared rate.
    pub fn max_latency(&self) -> usize {
        self.linear.half()
    }

    /// Complex response of band `band` at `freq_hz` as the bank runs now: the minimum-phase
    /// design's, or the linear-phase FIR's amplitude (its delay left out).
    pub fn band_response(&self, band: usize, freq_hz: f64) -> (f64, f64) {
        if self.latency() == 0 {
            return self.design.band_response(band, freq_hz);
        }
        let amplitude = self
            .linear
            .band_response(band, self.bands, freq_hz, self.sample_rate);
        (amplitude, 0.0)
    }

    /// Moves the glide on by one chunk. Call once at the start of each chunk (before `split`).
    pub fn step(&mut self) {
        if self.current_hz == self.target_hz {
            return;
        }
        for (current, &target) in self.current_hz.iter_mut().zip(&self.target_hz) {
            let distance = (target / *current).ln();
            *current = if distance.abs() < GLIDE_SNAP {
                target
            } else {
                *current * (distance * self.glide).exp()
            };
        }
        self.redesign(false);
    }

    /// Recomputes the coefficients for the current frequencies; the FIR taps (an expensive
    /// redesign) only if `now`, on arrival, or now and then while gliding.
    fn redesign(&mut self, now: bool) {
        self.design = CrossoverDesign::new(self.bands, self.current_hz, self.sample_rate);
        if self.linear_phase {
            let due = now || self.current_hz == self.target_hz;
            self.linear.redesign(self.current_hz, &self.design, due);
        }
    }

    /// Splits up to [`CROSSOVER_CHUNK`] samples of channel `channel` (0 or 1) into `bands`
    /// (rows `0..self.bands()` are written). Call `step` once per chunk, before the channels.
    pub fn split(&mut self, channel: usize, input: &[f32], bands: &mut BandRows) {
        let input = &input[..input.len().min(CROSSOVER_CHUNK)];
        let channel = channel.min(MAX_CHANNELS - 1);
        if channel == 0 {
            self.linear.advance(input.len());
        }
        if self.bands == 1 {
            bands[0][..input.len()].copy_from_slice(input);
        } else if self.latency() > 0 {
            self.linear.split(channel, self.bands - 1, input, bands);
        } else {
            self.minimum[channel].split(&self.design, input, bands);
        }
    }
}
