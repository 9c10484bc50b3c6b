//! Linear phase: zero-phase FIR low-passes with the Linkwitz-Riley magnitude, band `k` the
//! difference of neighbouring low-passes, so the bands add back to the delayed input exactly.

use std::f64::consts::{FRAC_1_SQRT_2, PI};

use super::{BandRows, CROSSOVER_CHUNK, CrossoverDesign, MAX_CHANNELS, MAX_CROSSOVERS};
use crate::util::fir;

/// How far the linear-phase FIR reaches on each side of its centre, ms; its latency.
pub const LINEAR_PHASE_SPAN_MS: f64 = 30.0;
/// Cap on the FIR's half length, so high sample rates stay affordable (a direct-form FIR's cost
/// grows with the square of the rate).
pub const MAX_LINEAR_PHASE_HALF: usize = 2048;
/// While gliding, the linear-phase taps are redesigned at most once per this many frames (a
/// redesign costs a few thousand transcendental functions).
const LINEAR_PHASE_REDESIGN_FRAMES: usize = 2048;
/// Frames of input the FIR buffers hold beyond the history before moving it back.
const LINEAR_PHASE_ROOM: usize = 16 * CROSSOVER_CHUNK;

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

/// The linear-phase path of a bank: the low-pass taps and each channel's input history.
#[derive(Debug, Clone, Default)]
pub(super) struct LinearPhase {
    /// The FIR's half length (its latency), fixed by the sample rate.
    half: usize,
    taps: [LowpassTaps; MAX_CROSSOVERS],
    /// The frequencies the taps were designed for, and frames since.
    taps_hz: [f64; MAX_CROSSOVERS],
    frames_since_taps: usize,
    history: [History; MAX_CHANNELS],
}

impl LinearPhase {
    /// Sizes the FIR and the histories for `sample_rate` (allocates); the taps are stale until
    /// the next `redesign`, the histories until `clear`.
    pub(super) fn prepare(&mut self, sample_rate: f64) {
        self.half = (crate::util::ms_to_samples(LINEAR_PHASE_SPAN_MS, sample_rate).round()
            as usize)
            .clamp(1, MAX_LINEAR_PHASE_HALF);
        for taps in &mut self.taps {
            taps.pairs = vec![0.0; self.half];
        }
        for channel in &mut self.history {
            channel.x = vec![0.0; 2 * self.half + LINEAR_PHASE_ROOM];
        }
        self.taps_hz = [0.0; MAX_CROSSOVERS];
    }

    /// The FIR's half length: the latency of the bands (0 before `prepare`).
    pub(super) fn half(&self) -> usize {
        self.half
    }

    /// Silences the histories.
    pub(super) fn clear(&mut self) {
        for channel in &mut self.history {
            channel.x.fill(0.0);
            channel.filled = 2 * self.half;
        }
    }

    /// Redesigns the taps for `current_hz` (as clamped in `design`) if `due`, or at most once per
    /// [`LINEAR_PHASE_REDESIGN_FRAMES`] while gliding.
    pub(super) fn redesign(
        &mut self,
        current_hz: [f64; MAX_CROSSOVERS],
        design: &CrossoverDesign,
        due: bool,
    ) {
        if self.half == 0
            || self.taps_hz == current_hz
            || !(due || self.frames_since_taps >= LINEAR_PHASE_REDESIGN_FRAMES)
        {
            return;
        }
        for (split, taps) in self.taps.iter_mut().enumerate() {
            taps.design(design.crossovers_hz[split], design.sample_rate);
        }
        self.taps_hz = current_hz;
        self.frames_since_taps = 0;
    }

    /// Counts frames towards the next redesign while gliding.
    pub(super) fn advance(&mut self, frames: usize) {
        self.frames_since_taps += frames;
    }

    /// Amplitude of band `band` of `bands` at `freq_hz` (real: the delay left out).
    pub(super) fn band_response(
        &self,
        band: usize,
        bands: usize,
        freq_hz: f64,
        sample_rate: f64,
    ) -> f64 {
        let lowpass = |k: usize| self.taps[k].amplitude(freq_hz, sample_rate);
        let upper = if band + 1 < bands { lowpass(band) } else { 1.0 };
        let lower = if band > 0 { lowpass(band - 1) } else { 0.0 };
        upper - lower
    }

    /// Splits `input` (at most a chunk) of channel `channel` at the first `splits` low-passes
    /// into rows `0..=splits` of `bands`, delayed by `half`.
    pub(super) fn split(
        &mut self,
        channel: usize,
        splits: usize,
        input: &[f32],
        bands: &mut BandRows,
    ) {
        let (len, half) = (input.len(), self.half);
        let History { x, filled } = &mut self.history[channel];
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

/// One channel's FIR input: the last `2 · half` samples end at `filled`, with room after them
/// for several chunks.
#[derive(Debug, Clone, Default)]
struct History {
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
