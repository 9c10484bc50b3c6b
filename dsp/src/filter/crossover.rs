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

use std::f64::consts::{FRAC_1_SQRT_2, PI};

use super::{Biquad, BiquadState};
use crate::util::fir;

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
/// How far the linear-phase FIR reaches on each side of its centre, ms; its latency.
pub const LINEAR_PHASE_SPAN_MS: f64 = 30.0;
/// Cap on the FIR's half length, so high sample rates stay affordable (a direct-form FIR's cost
/// grows with the square of the rate).
pub const MAX_LINEAR_PHASE_HALF: usize = 2048;
/// The FIR is windowed flat over its inner half and by a raised cosine over the outer half:
/// tapers the truncated tails of low crossovers without smoothing the response of the others.
fn taper(k: usize, half: usize) -> f64 {
    let x = k as f64 / (half + 1) as f64;
    if x <= 0.5 {
        1.0
    } else {
        0.5 + 0.5 * (2.0 * PI * (x - 0.5)).cos()
    }
}
/// While gliding, the linear-phase taps are redesigned at most once per this many frames (a
/// redesign costs a few thousand transcendental functions).
const LINEAR_PHASE_REDESIGN_FRAMES: usize = 2048;
/// Frames of input the FIR buffers hold beyond the history before moving it back.
const LINEAR_PHASE_ROOM: usize = 16 * CROSSOVER_CHUNK;
const MAX_CHANNELS: usize = 2;

/// One chunk of bands for one channel.
pub type BandRows = [[f32; CROSSOVER_CHUNK]; MAX_BANDS];

/// Bilinear-transform 2nd-order low-pass with quality `q`, pre-warped at `cutoff_hz`.
pub fn lowpass_section(cutoff_hz: f64, q: f64, sample_rate: f64) -> Biquad {
    let (k, norm) = warp(cutoff_hz, q, sample_rate);
    let b0 = k * k * norm;
    Biquad {
        b0,
        b1: 2.0 * b0,
        b2: b0,
        a1: 2.0 * (k * k - 1.0) * norm,
        a2: (1.0 - k / q + k * k) * norm,
    }
}

/// Bilinear-transform 2nd-order high-pass with quality `q`, pre-warped at `cutoff_hz`.
pub fn highpass_section(cutoff_hz: f64, q: f64, sample_rate: f64) -> Biquad {
    let (k, norm) = warp(cutoff_hz, q, sample_rate);
    Biquad {
        b0: norm,
        b1: -2.0 * norm,
        b2: norm,
        a1: 2.0 * (k * k - 1.0) * norm,
        a2: (1.0 - k / q + k * k) * norm,
    }
}

/// The 2nd-order allpass sharing `section`'s denominator (numerator mirrored).
pub fn allpass_section(section: &Biquad) -> Biquad {
    Biquad {
        b0: section.a2,
        b1: section.a1,
        b2: 1.0,
        a1: section.a1,
        a2: section.a2,
    }
}

fn warp(cutoff_hz: f64, q: f64, sample_rate: f64) -> (f64, f64) {
    let k = (PI * cutoff_hz / sample_rate).tan();
    (k, 1.0 / (1.0 + k / q + k * k))
}

fn multiply(a: (f64, f64), b: (f64, f64)) -> (f64, f64) {
    (a.0 * b.0 - a.1 * b.1, a.0 * b.1 + a.1 * b.0)
}

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

/// Minimum-phase (Linkwitz-Riley 4th order) coefficients for a set of crossovers. A value: the
/// GUI plots [`Self::band_response`], the tests hold it to the running bank.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CrossoverDesign {
    /// Number of bands, 1..=4 (uses the first `bands - 1` crossovers).
    pub bands: usize,
    pub crossovers_hz: [f64; MAX_CROSSOVERS],
    pub sample_rate: f64,
    /// Butterworth sections of each split (each applied twice) and its allpass.
    lowpass: [Biquad; MAX_CROSSOVERS],
    highpass: [Biquad; MAX_CROSSOVERS],
    allpass: [Biquad; MAX_CROSSOVERS],
}

impl CrossoverDesign {
    /// Designs `bands` bands (clamped to 1..=4) split at `crossovers_hz` (see
    /// [`clamp_crossovers`]).
    pub fn new(bands: usize, crossovers_hz: [f64; MAX_CROSSOVERS], sample_rate: f64) -> Self {
        let crossovers_hz = clamp_crossovers(crossovers_hz, sample_rate);
        let lowpass = crossovers_hz.map(|f| lowpass_section(f, FRAC_1_SQRT_2, sample_rate));
        let highpass = crossovers_hz.map(|f| highpass_section(f, FRAC_1_SQRT_2, sample_rate));
        Self {
            bands: bands.clamp(1, MAX_BANDS),
            crossovers_hz,
            sample_rate,
            lowpass,
            highpass,
            allpass: lowpass.map(|s| allpass_section(&s)),
        }
    }

    /// Complex response `(re, im)` of band `band` at `freq_hz`: the high-passes of the splits
    /// below it, its own low-pass, and the allpasses of the splits above.
    pub fn band_response(&self, band: usize, freq_hz: f64) -> (f64, f64) {
        let rate = self.sample_rate;
        let splits = self.bands - 1;
        let mut h = (1.0, 0.0);
        for split in 0..splits {
            let section = match split {
                s if s < band => self.highpass[s].response(freq_hz, rate),
                s if s == band => self.lowpass[s].response(freq_hz, rate),
                s => {
                    h = multiply(h, self.allpass[s].response(freq_hz, rate));
                    continue;
                }
            };
            h = multiply(h, multiply(section, section));
        }
        h
    }

    /// Complex response of all bands added together (an allpass).
    pub fn sum_response(&self, freq_hz: f64) -> (f64, f64) {
        (0..self.bands).fold((0.0, 0.0), |sum, band| {
            let h = self.band_response(band, freq_hz);
            (sum.0 + h.0, sum.1 + h.1)
        })
    }
}

/// One channel's minimum-phase filter state.
#[derive(Debug, Clone, Copy, Default)]
struct MinimumPhase {
    lowpass: [[BiquadState; 2]; MAX_CROSSOVERS],
    highpass: [[BiquadState; 2]; MAX_CROSSOVERS],
    /// `allpass[band][split]`: band `band` compensated for split `split` (> `band`).
    allpass: [[BiquadState; MAX_CROSSOVERS]; MAX_CROSSOVERS],
}

impl MinimumPhase {
    #[inline]
    fn split(&mut self, d: &CrossoverDesign, x: f64, bands: &mut [f64; MAX_BANDS]) {
        let mut rest = x;
        for split in 0..d.bands - 1 {
            let [lp1, lp2] = &mut self.lowpass[split];
            let [hp1, hp2] = &mut self.highpass[split];
            let (lp, hp) = (&d.lowpass[split], &d.highpass[split]);
            bands[split] = lp2.tick(lp, lp1.tick(lp, rest));
            rest = hp2.tick(hp, hp1.tick(hp, rest));
            for (band, value) in bands[..split].iter_mut().enumerate() {
                *value = self.allpass[band][split].tick(&d.allpass[split], *value);
            }
        }
        bands[d.bands - 1] = rest;
    }

    fn states(&mut self) -> impl Iterator<Item = &mut BiquadState> {
        self.lowpass
            .iter_mut()
            .chain(self.highpass.iter_mut())
            .flatten()
            .chain(self.allpass.iter_mut().flatten())
    }
}

/// One channel's linear-phase FIR input: the last `2 · half` samples end at `filled`, with
/// room after them for several chunks.
#[derive(Debug, Clone, Default)]
struct LinearPhase {
    x: Vec<f32>,
    filled: usize,
}

/// Zero-phase low-pass taps with the Linkwitz-Riley 4th-order magnitude.
#[derive(Debug, Clone, Default)]
struct LowpassTaps {
    centre: f32,
    /// Taps for the pairs `x[c - k] + x[c + k]`, k = 1..=half.
    pairs: Vec<f32>,
}

impl LowpassTaps {
    /// Samples `h(t) = a/(2√2) · e^(-a|t|/√2) · (cos(a|t|/√2) + sin(a|t|/√2))`, `a = 2π fc`: the
    /// inverse Fourier transform of `1 / (1 + (f/fc)⁴)`. Tapered ([`taper`]), then scaled to unit
    /// DC gain.
    /// Does not allocate (the pairs keep their length).
    fn design(&mut self, cutoff_hz: f64, sample_rate: f64) {
        let half = self.pairs.len();
        let a = 2.0 * PI * cutoff_hz / sample_rate * FRAC_1_SQRT_2;
        let tap = |k: usize| {
            let t = a * k as f64;
            (-t).exp() * (t.cos() + t.sin()) * taper(k, half)
        };
        let mut dc = tap(0);
        for k in 1..=half {
            dc += 2.0 * tap(k);
        }
        self.centre = (tap(0) / dc) as f32;
        for (k, pair) in self.pairs.iter_mut().enumerate() {
            *pair = (tap(k + 1) / dc) as f32;
        }
    }

    /// Zero-phase amplitude at `freq_hz` (real).
    fn amplitude(&self, freq_hz: f64, sample_rate: f64) -> f64 {
        let w = 2.0 * PI * freq_hz / sample_rate;
        f64::from(self.centre)
            + self
                .pairs
                .iter()
                .enumerate()
                .map(|(k, &tap)| 2.0 * f64::from(tap) * (w * (k + 1) as f64).cos())
                .sum::<f64>()
    }
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
    /// The FIR's half length (its latency), fixed by the sample rate.
    half: usize,
    taps: [LowpassTaps; MAX_CROSSOVERS],
    /// The frequencies the taps were designed for, and frames since.
    taps_hz: [f64; MAX_CROSSOVERS],
    frames_since_taps: usize,
    linear: [LinearPhase; MAX_CHANNELS],
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
            half: 0,
            taps: Default::default(),
            taps_hz: [0.0; MAX_CROSSOVERS],
            frames_since_taps: 0,
            linear: Default::default(),
        }
    }

    /// Sizes the linear-phase FIR for `sample_rate` (allocates) and resets.
    pub fn prepare(&mut self, sample_rate: f64) {
        self.sample_rate = sample_rate;
        self.half = ((LINEAR_PHASE_SPAN_MS * 0.001 * sample_rate).round() as usize)
            .clamp(1, MAX_LINEAR_PHASE_HALF);
        for taps in &mut self.taps {
            taps.pairs = vec![0.0; self.half];
        }
        for channel in &mut self.linear {
            channel.x = vec![0.0; 2 * self.half + LINEAR_PHASE_ROOM];
        }
        self.glide = 1.0 - (-(CROSSOVER_CHUNK as f64) / (GLIDE_MS * 0.001 * sample_rate)).exp();
        self.taps_hz = [0.0; MAX_CROSSOVERS];
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
        for channel in &mut self.minimum {
            channel.states().for_each(BiquadState::reset);
        }
        for channel in &mut self.linear {
            channel.x.fill(0.0);
            channel.filled = 2 * self.half;
        }
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
            self.half
        } else {
            0
        }
    }

    /// The largest latency this bank can have at the prepared rate.
    pub fn max_latency(&self) -> usize {
        self.half
    }

    /// Complex response of band `band` at `freq_hz` as the bank runs now: the minimum-phase
    /// design's, or the linear-phase FIR's amplitude (its delay left out).
    pub fn band_response(&self, band: usize, freq_hz: f64) -> (f64, f64) {
        if self.latency() == 0 {
            return self.design.band_response(band, freq_hz);
        }
        let lowpass = |k: usize| self.taps[k].amplitude(freq_hz, self.sample_rate);
        let upper = if band + 1 < self.bands {
            lowpass(band)
        } else {
            1.0
        };
        let lower = if band > 0 { lowpass(band - 1) } else { 0.0 };
        (upper - lower, 0.0)
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

    /// Recomputes the coefficients for the current frequencies; the FIR taps only if `now` or
    /// at most once per [`LINEAR_PHASE_REDESIGN_FRAMES`] (and on arrival).
    fn redesign(&mut self, now: bool) {
        self.design = CrossoverDesign::new(self.bands, self.current_hz, self.sample_rate);
        if !self.linear_phase || self.half == 0 || self.taps[0].pairs.is_empty() {
            return;
        }
        let arrived = self.current_hz == self.target_hz;
        if self.taps_hz == self.current_hz
            || !(now || arrived || self.frames_since_taps >= LINEAR_PHASE_REDESIGN_FRAMES)
        {
            return;
        }
        for (split, taps) in self.taps.iter_mut().enumerate() {
            taps.design(self.design.crossovers_hz[split], self.sample_rate);
        }
        self.taps_hz = self.current_hz;
        self.frames_since_taps = 0;
    }

    /// Splits up to [`CROSSOVER_CHUNK`] samples of channel `channel` (0 or 1) into `bands`
    /// (rows `0..self.bands()` are written). Call `step` once per chunk, before the channels.
    pub fn split(&mut self, channel: usize, input: &[f32], bands: &mut BandRows) {
        let len = input.len().min(CROSSOVER_CHUNK);
        let channel = channel.min(MAX_CHANNELS - 1);
        if channel == 0 {
            self.frames_since_taps += len;
        }
        if self.bands == 1 {
            bands[0][..len].copy_from_slice(&input[..len]);
        } else if self.latency() > 0 {
            self.split_linear(channel, &input[..len], bands);
        } else {
            let state = &mut self.minimum[channel];
            let mut frame = [0.0; MAX_BANDS];
            for (i, &x) in input[..len].iter().enumerate() {
                state.split(&self.design, f64::from(x), &mut frame);
                for (row, &value) in bands.iter_mut().zip(&frame[..self.bands]) {
                    row[i] = value as f32;
                }
            }
            state.states().for_each(BiquadState::flush_denormals);
        }
    }

    fn split_linear(&mut self, channel: usize, input: &[f32], bands: &mut BandRows) {
        let (len, half, splits) = (input.len(), self.half, self.bands - 1);
        let LinearPhase { x, filled } = &mut self.linear[channel];
        let history = 2 * half;
        if *filled + len > x.len() {
            // Out of room: the history moves back to the start (once per `x.len() - history`
            // frames, so short blocks stay cheap).
            x.copy_within(*filled - history..*filled, 0);
            *filled = history;
        }
        x[*filled..*filled + len].copy_from_slice(input);
        // Output i is centred on x[centre + i]; the top band starts as that delayed input.
        let centre = *filled - half;
        bands[splits][..len].copy_from_slice(&x[centre..centre + len]);
        let mut products = [0.0f32; CROSSOVER_CHUNK];
        for (split, taps) in self.taps.iter().enumerate().take(splits) {
            for (p, &sample) in products.iter_mut().zip(&x[centre..centre + len]) {
                *p = taps.centre * sample;
            }
            fir::symmetric(
                &mut bands[split][..len],
                Some(&products[..len]),
                x,
                centre - 1,
                centre + 1,
                &taps.pairs,
            );
        }
        // Low-passes to bands: each band is its low-pass less the one below.
        for split in (0..splits).rev() {
            let (lower, upper) = bands.split_at_mut(split + 1);
            for (high, &low) in upper[0][..len].iter_mut().zip(&lower[split][..len]) {
                *high -= low;
            }
        }
        *filled += len;
    }
}

/// Runs `f` over consecutive chunks of the block, each ending at a multiple of
/// [`CROSSOVER_CHUNK`] frames counted by `position` (so chunks line up with the glide steps
/// whatever the host's block sizes). `f` gets the chunk and whether it starts a step.
pub fn for_each_chunk(
    channels: &mut [&mut [f32]],
    position: &mut usize,
    mut f: impl FnMut(&mut [&mut [f32]], bool),
) {
    let frames = channels.iter().map(|c| c.len()).min().unwrap_or(0);
    let mut start = 0;
    while start < frames {
        let end = frames.min(start + CROSSOVER_CHUNK - *position);
        let starts_step = *position == 0;
        match channels {
            [] => return,
            [mono] => f(&mut [&mut mono[start..end]], starts_step),
            [left, right, ..] => f(
                &mut [&mut left[start..end], &mut right[start..end]],
                starts_step,
            ),
        }
        *position = (*position + end - start) % CROSSOVER_CHUNK;
        start = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn magnitude_db(h: (f64, f64)) -> f64 {
        10.0 * (h.0 * h.0 + h.1 * h.1).log10()
    }

    /// Runs an impulse through `bank`, returning each band's response.
    fn impulse_bands(bank: &mut Crossover, frames: usize) -> Vec<Vec<f32>> {
        let mut out = vec![Vec::with_capacity(frames); bank.bands()];
        let mut rows = [[0.0; CROSSOVER_CHUNK]; MAX_BANDS];
        let mut n = 0;
        while n < frames {
            let len = CROSSOVER_CHUNK.min(frames - n);
            let mut input = [0.0f32; CROSSOVER_CHUNK];
            if n == 0 {
                input[0] = 1.0;
            }
            bank.step();
            bank.split(0, &input[..len], &mut rows);
            for (band, row) in out.iter_mut().zip(&rows) {
                band.extend_from_slice(&row[..len]);
            }
            n += len;
        }
        out
    }

    fn dft_db(x: &[f32], freq_hz: f64, rate: f64) -> f64 {
        let w = 2.0 * PI * freq_hz / rate;
        let (mut re, mut im) = (0.0, 0.0);
        for (n, &v) in x.iter().enumerate() {
            re += f64::from(v) * (w * n as f64).cos();
            im -= f64::from(v) * (w * n as f64).sin();
        }
        magnitude_db((re, im))
    }

    #[test]
    fn design_bands_are_linkwitz_riley_and_sum_to_an_allpass() {
        for rate in [22_050.0, 48_000.0, 384_000.0] {
            let design = CrossoverDesign::new(4, [100.0, 1_000.0, 9_000.0], rate);
            for f in [10.0, 50.0, 120.0, 700.0, 1_000.0, 6_000.0, 9_000.0] {
                let db = magnitude_db(design.sum_response(f));
                assert!(db.abs() < 1e-6, "{rate} {f}: {db}");
            }
            // -6 dB at each crossover for the bands on either side (the other splits, a decade
            // away, add less than 0.005 dB).
            for (split, &f) in design.crossovers_hz.iter().enumerate() {
                for band in [split, split + 1] {
                    let db = magnitude_db(design.band_response(band, f));
                    assert!(
                        (db + 6.0206).abs() < 5e-3,
                        "{rate} band {band} at {f}: {db}"
                    );
                }
            }
        }
    }

    #[test]
    fn running_bank_matches_its_design() {
        let rate = 48_000.0;
        let mut bank = Crossover::new();
        bank.prepare(rate);
        bank.set(4, [200.0, 2_000.0, 9_000.0], false);
        bank.reset();
        let bands = impulse_bands(&mut bank, 48_000);
        for (band, response) in bands.iter().enumerate() {
            for f in [100.0, 200.0, 1_500.0, 9_000.0, 15_000.0] {
                let want = magnitude_db(bank.design().band_response(band, f));
                let got = dft_db(response, f, rate);
                if want > -80.0 {
                    assert!(
                        (got - want).abs() < 1e-3,
                        "band {band} {f} Hz: {got} vs {want}"
                    );
                }
            }
        }
    }

    #[test]
    fn linear_phase_bands_add_to_the_delayed_impulse() {
        let rate = 48_000.0;
        let mut bank = Crossover::new();
        bank.prepare(rate);
        bank.set(4, [120.0, 1_000.0, 6_000.0], true);
        let latency = bank.latency();
        assert_eq!(latency, 1_440);
        let bands = impulse_bands(&mut bank, 4 * latency);
        for n in 0..4 * latency {
            let sum: f32 = bands.iter().map(|b| b[n]).sum();
            let want = if n == latency { 1.0 } else { 0.0 };
            assert!((sum - want).abs() < 1e-6, "{n}: {sum}");
        }
        // The low-passes have the Linkwitz-Riley magnitude: -6 dB at the crossovers.
        let edges = [
            (0, 120.0),
            (1, 120.0),
            (1, 1_000.0),
            (2, 1_000.0),
            (2, 6_000.0),
            (3, 6_000.0),
        ];
        for (band, f) in edges {
            let db = magnitude_db(bank.band_response(band, f));
            assert!((db + 6.02).abs() < 0.05, "band {band} at {f}: {db}");
        }
    }

    #[test]
    fn glide_arrives_and_chunks_align_to_the_position() {
        let mut bank = Crossover::new();
        bank.prepare(48_000.0);
        bank.set(2, [100.0, 1_000.0, 6_000.0], false);
        bank.reset();
        bank.set(2, [400.0, 1_000.0, 6_000.0], false);
        for _ in 0..1_000 {
            bank.step();
        }
        assert_eq!(bank.crossovers_hz()[0], 400.0);

        let mut data = vec![0.0f32; 300];
        let mut position = 100;
        let mut seen = Vec::new();
        for_each_chunk(&mut [&mut data[..]], &mut position, |chunk, starts| {
            seen.push((chunk[0].len(), starts));
        });
        assert_eq!(
            seen,
            vec![(28, false), (128, true), (128, true), (16, true)]
        );
        assert_eq!(position, 16);
    }

    #[test]
    fn crossovers_are_clamped_and_ordered() {
        let f = clamp_crossovers([5.0, f64::NAN, 30_000.0], 22_050.0);
        assert_eq!(f, [20.0, 20.0, 0.45 * 22_050.0]);
        let f = clamp_crossovers([1_000.0, 500.0, 6_000.0], 48_000.0);
        assert_eq!(f, [1_000.0, 1_000.0, 6_000.0]);
    }
}
