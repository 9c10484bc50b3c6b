//! The spectrum analyser drawn behind the EQ curve (the plugin runs one before the EQ and one
//! after it).
//!
//! Path: channels → mono → ring of one FFT length → every quarter of that length (75 %
//! overlap) a 4-term Blackman-Harris window and a real FFT → power per bin → the power in a
//! fractional-octave band around each display point → dB, tilt, ballistics →
//! [`SpectrumFrame`].
//!
//! - **Mono:** the average of the channels, (L + R) / 2, so a centred source reads its own
//!   level and the display shows what the mono fold-down holds (antiphase content cancels).
//!   NaN and infinite samples count as silence.
//! - **Resolution:** the FFT is 8192 samples at 44.1 and 48 kHz, doubled or halved per octave
//!   of sample rate (nearest), so bins are 4.1 to 8.3 Hz apart at every rate and a frame comes
//!   every 43 ms at 48 kHz.
//! - **Grid:** [`POINTS`] points 1/24 octave apart from 19.7 Hz to 20.2 kHz, through 1 kHz;
//!   points at or above Nyquist are left out of the frame.
//!
//! # Level convention
//!
//! Each point shows the power in a band [`AnalyserParams::smoothing_oct`] wide (geometrically
//! centred on it), as on a fractional-octave RTA, in dB relative to a full-scale sine:
//! `L = 10·log10(2·P)`, P the band's mean square. Bins are summed, not averaged, and scaled
//! by the window's energy, `4 / (N·Σw²)` (Parseval), so:
//!
//! - a sine of amplitude A reads `20·log10(A)` (0 dB at full scale) wherever the band is
//!   wider than about 5 bins (30 Hz), which hold all but 0.02 dB of the window's main lobe:
//!   with no scalloping, whatever the frequency and its position between bins (the coherent
//!   gain does not enter). That is 1/24-octave bands from 1 kHz up, 1/3-octave from 130 Hz,
//!   1-octave from 40 Hz. In narrower bands the tone's power is shared with the neighbouring
//!   points, whose powers add up to it.
//! - noise reads its power in the band: white noise of RMS σ reads
//!   `10·log10(2σ²·B/(fs/2))` at a point whose band is B Hz wide (`B = f·(2^(w/2) − 2^(−w/2))`
//!   for w octaves), so white noise rises 3.01 dB/oct and pink noise reads flat.
//!
//! Per-bin FFT displays (FabFilter Pro-Q, Voxengo SPAN) show white noise flat and pink noise
//! falling 3 dB/oct, and tilt by 4.5 dB/oct by default; the same picture here is a tilt of
//! 1.5 dB/oct. The default tilt is 0: pink noise, the usual tonal-balance reference, is flat.
//!
//! # Ballistics
//!
//! A point rises to a new level at once and falls at most [`AnalyserParams::decay_db_per_s`].
//! Levels stop at [`FLOOR_DB`], where digital silence reads.
//!
//! # Allocation
//!
//! `prepare` plans the FFT and allocates every buffer. `reset`, `set_params`, `process` and
//! `frame` never allocate, lock or panic, and frames never hold NaN.

mod bands;
mod frame;
#[cfg(test)]
mod tests;
mod window;

pub use frame::{FLOOR_DB, PIVOT_HZ, POINTS, POINTS_PER_OCTAVE, SpectrumFrame, point_hz};

use std::fmt;
use std::sync::Arc;

use realfft::num_complex::Complex;
use realfft::{RealFftPlanner, RealToComplex};

use crate::ProcessSpec;
use crate::util::power_to_db;
use bands::Band;
use frame::octaves_from_pivot;

/// FFT length at [`BASE_RATE_HZ`] (and 44.1 kHz): 5.9 Hz between bins, so a 1/3 octave at
/// 100 Hz spans four of them, for 171 ms of audio per frame.
const BASE_FFT_SIZE: usize = 8192;
const BASE_RATE_HZ: f64 = 48_000.0;
/// Frames per FFT length: a new frame every quarter of it (75 % overlap). Four shifted
/// Blackman-Harris windows add up to a constant, so every sample counts equally.
const HOPS_PER_FFT: usize = 4;
/// Band width, octaves: 1/24 to 1.
pub const SMOOTHING_RANGE_OCT: (f64, f64) = (1.0 / 24.0, 1.0);
/// Tilt, dB per octave about 1 kHz.
pub const TILT_RANGE_DB_PER_OCT: (f64, f64) = (-12.0, 12.0);

/// The analyser's settings, in physical units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AnalyserParams {
    /// Width of the band each point sums, octaves, 1/24..1: 1/3 reads like a third-octave
    /// RTA; narrower shows more detail and, at low frequencies, more of the noise's variance.
    pub smoothing_oct: f64,
    /// Fastest fall of a point, dB/s, ≥ 0. Rises are immediate. `f64::INFINITY` shows every
    /// frame as analysed; 0 holds the maximum.
    pub decay_db_per_s: f64,
    /// Slope added to the display, dB per octave, pivoting at 1 kHz, -12..12.
    pub tilt_db_per_oct: f64,
}

impl Default for AnalyserParams {
    fn default() -> Self {
        Self {
            smoothing_oct: 1.0 / 3.0,
            decay_db_per_s: 20.0,
            tilt_db_per_oct: 0.0,
        }
    }
}

impl AnalyserParams {
    /// The settings with every number inside its range (NaN falls to the default).
    pub fn clamped(&self) -> Self {
        let default = Self::default();
        let clamp = |v: f64, (lo, hi): (f64, f64), default: f64| {
            if v.is_nan() { default } else { v.clamp(lo, hi) }
        };
        Self {
            smoothing_oct: clamp(
                self.smoothing_oct,
                SMOOTHING_RANGE_OCT,
                default.smoothing_oct,
            ),
            decay_db_per_s: clamp(
                self.decay_db_per_s,
                (0.0, f64::INFINITY),
                default.decay_db_per_s,
            ),
            tilt_db_per_oct: clamp(
                self.tilt_db_per_oct,
                TILT_RANGE_DB_PER_OCT,
                default.tilt_db_per_oct,
            ),
        }
    }
}

/// The FFT length for `sample_rate`: [`BASE_FFT_SIZE`] times the power of two nearest the
/// rate's ratio to [`BASE_RATE_HZ`] (1024 at 8 kHz to 131 072 at 768 kHz). A NaN rate gets
/// the base length rather than none, which would stall `process`.
fn fft_size(sample_rate: f64) -> usize {
    let octaves = (sample_rate / BASE_RATE_HZ).log2().round();
    let octaves = if octaves.is_nan() {
        0.0
    } else {
        octaves.clamp(-3.0, 4.0)
    };
    (BASE_FFT_SIZE as f64 * octaves.exp2()) as usize
}

/// Silence in place of samples that are not finite, widened for the mono sum.
#[inline]
fn finite_or_zero(x: f32) -> f64 {
    if x.is_finite() { f64::from(x) } else { 0.0 }
}

/// The spectrum analyser: reads blocks, publishes a [`SpectrumFrame`] every hop.
#[derive(Clone)]
pub struct SpectrumAnalyser {
    params: AnalyserParams,
    /// The forward FFT; `None` until prepared.
    fft: Option<Arc<dyn RealToComplex<f64>>>,
    sample_rate: f64,
    /// Hz between bins.
    bin_hz: f64,
    /// Samples between frames.
    hop: usize,
    /// Samples until the next frame (counted across blocks, so any block split gives the same
    /// frames).
    until_hop: usize,
    /// The last FFT length of mono input; the oldest sample is at `write`.
    ring: Vec<f64>,
    write: usize,
    window: Vec<f64>,
    /// The windowed ring, the FFT's input (realfft also uses it as scratch).
    windowed: Vec<f64>,
    spectrum: Vec<Complex<f64>>,
    scratch: Vec<Complex<f64>>,
    /// Power per bin, DC to Nyquist, scaled so that sums over bins read as the module
    /// documentation says.
    power: Vec<f64>,
    /// `4 / (N·Σw²)`.
    power_scale: f64,
    bands: [Band; POINTS],
    /// Tilt per point, dB.
    tilt_db: [f64; POINTS],
    /// Largest fall per frame, dB.
    fall_db_per_hop: f32,
    /// The display, also the ballistics' state.
    frame: SpectrumFrame,
}

impl fmt::Debug for SpectrumAnalyser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SpectrumAnalyser")
            .field("params", &self.params)
            .field("sample_rate", &self.sample_rate)
            .field("fft_size", &self.ring.len())
            .finish_non_exhaustive()
    }
}

impl Default for SpectrumAnalyser {
    fn default() -> Self {
        Self::new(AnalyserParams::default())
    }
}

impl SpectrumAnalyser {
    /// An analyser with `params`, to be prepared before use.
    pub fn new(params: AnalyserParams) -> Self {
        Self {
            params: params.clamped(),
            fft: None,
            sample_rate: BASE_RATE_HZ,
            bin_hz: BASE_RATE_HZ / BASE_FFT_SIZE as f64,
            hop: 0,
            until_hop: 0,
            ring: Vec::new(),
            write: 0,
            window: Vec::new(),
            windowed: Vec::new(),
            spectrum: Vec::new(),
            scratch: Vec::new(),
            power: Vec::new(),
            power_scale: 0.0,
            bands: [Band::default(); POINTS],
            tilt_db: [0.0; POINTS],
            fall_db_per_hop: 0.0,
            frame: SpectrumFrame::default(),
        }
    }

    pub fn params(&self) -> &AnalyserParams {
        &self.params
    }

    /// Plans the FFT and sizes every buffer for `spec` (allocates), then resets. The spec
    /// must already be validated ([`ProcessSpec::validate`]).
    pub fn prepare(&mut self, spec: &ProcessSpec) {
        let size = fft_size(spec.sample_rate);
        let fft = RealFftPlanner::<f64>::new().plan_fft_forward(size);
        self.window = vec![0.0; size];
        window::blackman_harris(&mut self.window);
        let energy: f64 = self.window.iter().map(|w| w * w).sum();
        self.power_scale = 4.0 / (size as f64 * energy);
        self.ring = vec![0.0; size];
        self.windowed = fft.make_input_vec();
        self.spectrum = fft.make_output_vec();
        self.scratch = fft.make_scratch_vec();
        self.power = vec![0.0; fft.complex_len()];
        self.fft = Some(fft);
        self.sample_rate = spec.sample_rate;
        self.bin_hz = spec.sample_rate / size as f64;
        self.hop = size / HOPS_PER_FFT;
        let nyquist_hz = 0.5 * spec.sample_rate;
        self.frame.len = (0..POINTS)
            .take_while(|&i| point_hz(i) < nyquist_hz)
            .count();
        self.configure();
        self.reset();
    }

    /// Forgets all input: the ring is silent and every point at the floor.
    pub fn reset(&mut self) {
        self.ring.fill(0.0);
        self.write = 0;
        self.until_hop = self.hop;
        self.frame.db.fill(FLOOR_DB);
    }

    /// Applies new settings (clamped into range). A new tilt moves the display at once; a
    /// new smoothing or decay shows from the next frame.
    pub fn set_params(&mut self, params: &AnalyserParams) {
        let params = params.clamped();
        let tilt_change = params.tilt_db_per_oct - self.params.tilt_db_per_oct;
        self.params = params;
        if tilt_change != 0.0 {
            for (i, db) in self.frame.db.iter_mut().enumerate() {
                if *db > FLOOR_DB {
                    let shift = tilt_change * octaves_from_pivot(i);
                    *db = (*db + shift as f32).max(FLOOR_DB);
                }
            }
        }
        self.configure();
    }

    /// Derives the bands, tilt and fall from the settings and the prepared rate.
    fn configure(&mut self) {
        if self.fft.is_none() {
            return;
        }
        let params = self.params;
        self.bands =
            std::array::from_fn(|i| Band::around(point_hz(i), params.smoothing_oct, self.bin_hz));
        self.tilt_db = std::array::from_fn(|i| params.tilt_db_per_oct * octaves_from_pivot(i));
        self.fall_db_per_hop = (params.decay_db_per_s * self.hop as f64 / self.sample_rate) as f32;
    }

    /// Reads one block (`channels` are not changed): mono, left/right, or more channels of
    /// which the first two are read; slices of unequal length are cut to the shortest.
    /// Returns whether the frame changed. Does nothing before `prepare`.
    pub fn process<S: AsRef<[f32]>>(&mut self, channels: &[S]) -> bool {
        if self.fft.is_none() {
            return false;
        }
        let (left, right) = match channels {
            [] => return false,
            [mono] => (mono.as_ref(), None),
            [left, right, ..] => (left.as_ref(), Some(right.as_ref())),
        };
        let frames = right.map_or(left.len(), |right| right.len().min(left.len()));
        let mut updated = false;
        let mut start = 0;
        while start < frames {
            let end = start + (frames - start).min(self.until_hop);
            match right {
                None => {
                    for &x in &left[start..end] {
                        self.push(finite_or_zero(x));
                    }
                }
                Some(right) => {
                    for (&l, &r) in left[start..end].iter().zip(&right[start..end]) {
                        self.push(0.5 * (finite_or_zero(l) + finite_or_zero(r)));
                    }
                }
            }
            self.until_hop -= end - start;
            start = end;
            if self.until_hop == 0 {
                self.until_hop = self.hop;
                updated |= self.analyse();
            }
        }
        updated
    }

    /// The display as of the last frame.
    pub fn frame(&self) -> &SpectrumFrame {
        &self.frame
    }

    #[inline]
    fn push(&mut self, x: f64) {
        self.ring[self.write] = x;
        self.write += 1;
        if self.write == self.ring.len() {
            self.write = 0;
        }
    }

    /// Analyses the ring into the frame; false if there was nothing to analyse with.
    fn analyse(&mut self) -> bool {
        let Some(fft) = &self.fft else {
            return false;
        };
        let (newest, oldest) = self.ring.split_at(self.write);
        let history = oldest.iter().chain(newest);
        for ((out, &x), &w) in self.windowed.iter_mut().zip(history).zip(&self.window) {
            *out = x * w;
        }
        let transformed =
            fft.process_with_scratch(&mut self.windowed, &mut self.spectrum, &mut self.scratch);
        if transformed.is_err() {
            return false;
        }
        for (power, x) in self.power.iter_mut().zip(&self.spectrum) {
            *power = self.power_scale * x.norm_sqr();
        }
        let points = self.frame.db[..self.frame.len].iter_mut();
        for ((shown, band), tilt_db) in points.zip(&self.bands).zip(&self.tilt_db) {
            let level_db = (power_to_db(band.integrate(&self.power)) + tilt_db) as f32;
            *shown = level_db.max(FLOOR_DB).max(*shown - self.fall_db_per_hop);
        }
        true
    }
}
