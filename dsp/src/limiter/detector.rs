//! What gain each output sample needs: per channel, the driven signal is split into a low band
//! (below 0.4535 fs) whose true peaks are measured exactly, and a high band that the limiter
//! fades out wherever it could carry the signal over the ceiling.

use crate::filter::{BandSplit, SPLIT_CHUNK};
use crate::oversampling::PeakScanner;
use crate::oversampling::peak_scan::{CHUNK, ScanDesign};
use crate::util::{DelayLine, running_max};

/// The low band stops at 0.4535 fs, so the audio-band scanner measures it exactly.
pub const DETECT_SCAN: ScanDesign = ScanDesign::AUDIO_BAND;
/// How far the detector's intervals lag the newest split sample.
pub const DETECT_LOOKAHEAD: usize = DETECT_SCAN.lookahead();
/// High-band samples around an interval that its peak may depend on (a superset of the
/// scanner's window: from its reach before the interval to the newest sample).
const HIGH_WINDOW: usize = DETECT_LOOKAHEAD + DETECT_SCAN.reach() + 1;
/// How far the high band can raise a peak, per unit of its largest nearby sample. Between
/// samples, content near Nyquist can peak higher than its samples; 2 covers the pulses and
/// bursts measured in `tests::high_band_headroom_covers_what_the_high_band_adds`.
pub const HIGH_BAND_REACH: f32 = 2.0;

/// Largest frames per call (the split's and the scanner's chunk).
pub const DETECT_CHUNK: usize = if SPLIT_CHUNK < CHUNK {
    SPLIT_CHUNK
} else {
    CHUNK
};

/// How inter-sample peaks are found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeakMode {
    /// True peak on a grid of `positions` per sample (2, 4, 8 or 16), refined by a parabola.
    TruePeak { positions: usize },
    /// Sample values only.
    SamplePeak,
}

impl PeakMode {
    /// Extra attenuation that covers the refinement grid's worst under-read of a band-limited
    /// peak (measured in `tests::grid_margins_cover_the_worst_under_read`), plus 0.002 dB for
    /// the interpolators' own error.
    pub fn margin_db(self) -> f64 {
        match self {
            // Measured worst grid under-reads: 0.00001, 0.0004, 0.004 and 0.027 dB.
            PeakMode::TruePeak { positions: 16.. } => 0.003,
            PeakMode::TruePeak { positions: 8 } => 0.004,
            PeakMode::TruePeak { positions: 4 } => 0.01,
            PeakMode::TruePeak { .. } => 0.06,
            PeakMode::SamplePeak => 0.0,
        }
    }
}

/// The largest magnitude among at least the last [`HIGH_WINDOW`] samples, from maxima of
/// 16-sample blocks: a little more than the window, for a few operations per sample.
#[derive(Debug, Clone, Default)]
struct RecentPeak {
    blocks: [f32; PEAK_BLOCKS],
    newest: usize,
    blocks_max: f32,
    current: f32,
    filled: usize,
}

const PEAK_BLOCK: usize = 16;
const PEAK_BLOCKS: usize = HIGH_WINDOW.div_ceil(PEAK_BLOCK);

impl RecentPeak {
    #[inline]
    fn push(&mut self, x: f32) -> f32 {
        self.current = running_max(self.current, x.abs());
        self.filled += 1;
        if self.filled == PEAK_BLOCK {
            self.newest = if self.newest + 1 == PEAK_BLOCKS {
                0
            } else {
                self.newest + 1
            };
            self.blocks[self.newest] = self.current;
            self.blocks_max = self.blocks.iter().copied().fold(0.0, running_max);
            self.current = 0.0;
            self.filled = 0;
        }
        running_max(self.blocks_max, self.current)
    }
}

/// A measured peak may read this much above the screen's bounds (1 %); the coverage test allows
/// for it, so skipping never changes a requirement that matters.
const COVER_SLACK: f32 = 0.99;

/// One channel's detector. Fixed memory after construction; never allocates.
#[derive(Debug, Clone)]
pub struct Detector {
    split: BandSplit,
    scanner: PeakScanner,
    /// The largest high-band magnitude near the screened interval.
    high_peak: RecentPeak,
    /// The full-band signal, aligned with the screened interval (for sample-peak mode).
    full_delay: DelayLine,
    low: [f32; DETECT_CHUNK],
    high: [f32; DETECT_CHUNK],
    /// The screen's bounds of the chunk's intervals, and each interval's nearest summit before.
    bounds: [f32; DETECT_CHUNK],
    /// The chunk's intervals that cut the high band, in order: only they can bind.
    cut: [usize; DETECT_CHUNK],
    previous_summit: [Option<usize>; DETECT_CHUNK],
}

impl Default for Detector {
    fn default() -> Self {
        let mut full_delay = DelayLine::with_capacity(DETECT_LOOKAHEAD + DETECT_CHUNK);
        full_delay.set_delay(DETECT_LOOKAHEAD);
        Self {
            split: BandSplit::default(),
            scanner: PeakScanner::new(DETECT_SCAN),
            high_peak: RecentPeak::default(),
            full_delay,
            low: [0.0; DETECT_CHUNK],
            high: [0.0; DETECT_CHUNK],
            bounds: [0.0; DETECT_CHUNK],
            cut: [0; DETECT_CHUNK],
            previous_summit: [None; DETECT_CHUNK],
        }
    }
}

impl Detector {
    /// Delay from the driven input to the requirements and to [`Self::bands`]' first output:
    /// the split's and the scanner's look-ahead.
    pub const fn delay() -> usize {
        crate::filter::SPLIT_HALF_TAPS + DETECT_LOOKAHEAD
    }

    pub fn reset(&mut self) {
        self.split.reset();
        self.scanner.reset();
        self.high_peak = RecentPeak::default();
        self.full_delay.reset();
    }

    /// Analyses up to [`DETECT_CHUNK`] driven samples: afterwards [`Self::bands`] holds their
    /// split (delayed by the split's half length) and `gains` and `cut_high` what each frame
    /// needs (delayed by [`Self::delay`]): the most gain the low band may have (the whole signal
    /// in sample-peak mode), and whether the high band must be out because, with it, the frame
    /// might exceed the ceiling by more than can be measured between samples. `window` is the
    /// span of the envelope's minimum, over which one requirement covers its neighbours; with
    /// none, every interval that might exceed is measured.
    pub fn analyse(
        &mut self,
        driven: &[f32],
        ceiling: f32,
        mode: PeakMode,
        window: Option<usize>,
        gains: &mut [f32],
        cut_high: &mut [bool],
    ) {
        let len = driven.len().min(DETECT_CHUNK);
        self.split
            .process(&driven[..len], &mut self.low[..len], &mut self.high[..len]);
        self.scanner.push(&self.low[..len]);
        let (gains, cut_high) = (&mut gains[..len], &mut cut_high[..len]);
        match mode {
            PeakMode::SamplePeak => {
                cut_high.fill(false);
                driven_full(&self.low[..len], &self.high[..len], gains);
                self.full_delay.process(gains);
                for g in gains.iter_mut() {
                    *g = gain_for(g.abs(), ceiling);
                }
            }
            PeakMode::TruePeak { positions } => {
                self.true_peak_requirements(len, ceiling, positions, window, gains, cut_high)
            }
        }
    }

    /// The requirements of a chunk's intervals, measuring only those that can bind.
    ///
    /// An interval needs a requirement only where its bound exceeds the headroom. Its
    /// requirement is at least `ceiling / bound`. The intervals where the bound peaks are
    /// measured first; any other interval with a measured interval on each side, both within
    /// `window` (the envelope's minimum spans it) and both requiring no more than it possibly
    /// can, is covered by them: every window of the envelope that holds it holds one of them.
    /// Only the rest is measured. The high band goes wherever an interval might exceed the
    /// headroom, measured or not, so what is measured does not change the output.
    fn true_peak_requirements(
        &mut self,
        len: usize,
        ceiling: f32,
        positions: usize,
        window: Option<usize>,
        gains: &mut [f32],
        cut_high: &mut [bool],
    ) {
        let mut cuts = 0;
        for j in 0..len {
            // Below this the whole signal, high band included, stays under the ceiling.
            let headroom = ceiling - HIGH_BAND_REACH * self.high_peak.push(self.high[j]);
            self.bounds[j] = self.scanner.bound(j);
            cut_high[j] = self.bounds[j] > headroom;
            gains[j] = 1.0;
            // Appended without a branch: the slot is overwritten unless it cuts.
            self.cut[cuts] = j;
            cuts += usize::from(cut_high[j]);
        }
        let bounds = &self.bounds[..len];
        // Summits cut, so only the cutting intervals need looking at from here on.
        let is_summit = |j: usize| {
            cut_high[j]
                && (j == 0 || bounds[j] >= bounds[j - 1])
                && (j + 1 == len || bounds[j] > bounds[j + 1])
        };
        // The summits' requirements, and the nearest summit before each interval.
        let mut previous = None;
        for &j in &self.cut[..cuts] {
            self.previous_summit[j] = previous;
            if is_summit(j) {
                gains[j] = gain_for(self.scanner.measure_on_grid(j, positions), ceiling);
                previous = Some(j);
            }
        }
        // The nearest summit after each interval, and the rest's requirements.
        let mut next = None;
        for &j in self.cut[..cuts].iter().rev() {
            if is_summit(j) {
                next = Some(j);
                continue;
            }
            // The least it could require. Its measurement climbs up to half a sample into
            // either neighbour, so their bounds count too; and the measurement may read a
            // little above the screen (different interpolators).
            let reach = bounds[j.saturating_sub(1)..(j + 2).min(len)]
                .iter()
                .fold(0.0f32, |a, &b| a.max(b));
            let least = COVER_SLACK * ceiling / reach;
            let covered = match (self.previous_summit[j], next, window) {
                (Some(before), Some(after), Some(window)) => {
                    after - before < window && gains[before] <= least && gains[after] <= least
                }
                _ => false,
            };
            if !covered {
                gains[j] = gain_for(self.scanner.measure_on_grid(j, positions), ceiling);
            }
        }
    }

    /// The low and high band of the last analysed chunk.
    pub fn bands(&self, len: usize) -> (&[f32], &[f32]) {
        (&self.low[..len], &self.high[..len])
    }
}

/// The bands added back together.
fn driven_full(low: &[f32], high: &[f32], full: &mut [f32]) {
    for ((f, &l), &h) in full.iter_mut().zip(low).zip(high) {
        *f = l + h;
    }
}

/// The gain that brings `peak` to `ceiling` (unity when already below).
#[inline]
fn gain_for(peak: f32, ceiling: f32) -> f32 {
    if peak > ceiling { ceiling / peak } else { 1.0 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    /// The worst under-read of the grid refinement on sines up to 0.4535 fs, in dB.
    fn worst_under_read(positions: usize) -> f64 {
        let mut worst = 0.0f64;
        for step in 0..=90 {
            let freq = 0.01 + step as f64 * (0.4535 - 0.01) / 90.0;
            for p in 0..12 {
                let phase = p as f64 * PI / 12.0;
                let signal: Vec<f32> = (0..CHUNK)
                    .map(|n| (0.5 * (2.0 * PI * freq * n as f64 + phase).sin()) as f32)
                    .collect();
                let mut scanner = PeakScanner::new(DETECT_SCAN);
                scanner.push(&signal);
                let peak = (100..200)
                    .map(|j| scanner.measure_on_grid(j, positions))
                    .fold(0.0, f32::max);
                worst = worst.min(20.0 * (f64::from(peak) / 0.5).log10());
            }
        }
        worst
    }

    #[test]
    fn grid_margins_cover_the_worst_under_read() {
        for positions in [2, 4, 8, 16] {
            let worst = worst_under_read(positions);
            let margin = PeakMode::TruePeak { positions }.margin_db();
            assert!(
                -worst + 0.002 <= margin,
                "{positions} positions: under-read {worst:.4} dB, margin {margin}"
            );
        }
    }
}

#[cfg(test)]
mod covering_tests {
    use super::*;

    /// Requirements for `signal` analysed in chunks of `chunk`, with or without covering.
    fn requirements(signal: &[f32], chunk: usize, window: Option<usize>) -> Vec<f32> {
        let mut detector = Detector::default();
        let mut out = Vec::new();
        let (mut gains, mut cut) = ([0.0f32; DETECT_CHUNK], [false; DETECT_CHUNK]);
        for part in signal.chunks(chunk) {
            let mode = PeakMode::TruePeak { positions: 16 };
            detector.analyse(part, 0.9, mode, window, &mut gains, &mut cut);
            out.extend_from_slice(&gains[..part.len()]);
        }
        out
    }

    fn window_min(values: &[f32], window: usize) -> Vec<f32> {
        (0..values.len())
            .map(|n| {
                values[n.saturating_sub(window - 1)..=n]
                    .iter()
                    .copied()
                    .fold(1.0, f32::min)
            })
            .collect()
    }

    #[test]
    fn skipping_covered_intervals_leaves_every_window_minimum_unchanged() {
        let signal: Vec<f32> = (0..20_000)
            .map(|n| {
                let t = n as f32;
                2.0 * (t * 0.05).sin() * (t * 0.0007).sin().abs() + 0.3 * (t * 0.31).sin()
            })
            .collect();
        let window = 100;
        let exact = requirements(&signal, 256, None);
        for chunk in [1, 7, 64, 256] {
            let covered = requirements(&signal, chunk, Some(window));
            let (a, b) = (window_min(&covered, window), window_min(&exact, window));
            assert!(a == b, "chunk {chunk}: window minima differ");
        }
    }
}
