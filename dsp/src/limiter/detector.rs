//! What gain each output sample needs: per channel, the driven signal is split into a low band
//! (below 0.4535 fs) whose true peaks are measured exactly, and a high band (faded out near the
//! ceiling by the limiter).

use crate::filter::{BandSplit, SPLIT_CHUNK};
use crate::oversampling::PeakScanner;
use crate::oversampling::peak_scan::{CHUNK, ScanDesign};

/// The limiter measures with the wide-band scanner (exact to 0.48 fs), so gain movement on a
/// signal reaching 0.4535 fs is still measured exactly.
pub const SCAN: ScanDesign = ScanDesign::WIDE;
/// How far screened intervals lag the newest sample.
pub const SCAN_LOOKAHEAD: usize = SCAN.lookahead();
use crate::util::DelayLine;

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

/// One channel's detector. Fixed memory after construction; never allocates.
#[derive(Debug, Clone)]
pub struct Detector {
    split: BandSplit,
    scanner: PeakScanner,
    /// The full-band signal, aligned with the screened interval (for sample-peak mode).
    full_delay: DelayLine,
    low: [f32; DETECT_CHUNK],
    high: [f32; DETECT_CHUNK],
}

impl Default for Detector {
    fn default() -> Self {
        let mut full_delay = DelayLine::with_capacity(SCAN_LOOKAHEAD);
        full_delay.set_delay(SCAN_LOOKAHEAD);
        Self {
            split: BandSplit::default(),
            scanner: PeakScanner::new(SCAN),
            full_delay,
            low: [0.0; DETECT_CHUNK],
            high: [0.0; DETECT_CHUNK],
        }
    }
}

impl Detector {
    /// Delay from the driven input to the requirements and to [`Self::bands`]' first output:
    /// the split's and the scanner's look-ahead.
    pub const fn delay() -> usize {
        crate::filter::SPLIT_HALF_TAPS + SCAN_LOOKAHEAD
    }

    pub fn reset(&mut self) {
        self.split.reset();
        self.scanner.reset();
        self.full_delay.reset();
    }

    /// Analyses up to [`DETECT_CHUNK`] driven samples; afterwards [`Self::bands`] holds their
    /// split (delayed by the split's half length) and `requirement(j, ..)` the requirement of
    /// each frame (delayed by [`Self::delay`]).
    pub fn analyse(&mut self, driven: &[f32]) {
        let len = driven.len().min(DETECT_CHUNK);
        self.split
            .process(&driven[..len], &mut self.low[..len], &mut self.high[..len]);
        self.scanner.push(&self.low[..len]);
    }

    /// The low and high band of the last analysed chunk.
    pub fn bands(&self, len: usize) -> (&[f32], &[f32]) {
        (&self.low[..len], &self.high[..len])
    }

    /// The gain frame `j` of the last chunk may have at most, for the low band (in sample-peak
    /// mode, the whole signal). Call for each `j` in order, once.
    #[inline]
    pub fn requirement(&mut self, j: usize, ceiling: f32, mode: PeakMode) -> f32 {
        let full = self.full_delay.tick(self.low[j] + self.high[j]);
        match mode {
            PeakMode::SamplePeak => gain_for(full.abs(), ceiling),
            PeakMode::TruePeak { positions } => {
                if self.scanner.bound(j) <= ceiling {
                    1.0
                } else {
                    gain_for(self.scanner.measure_on_grid(j, positions), ceiling)
                }
            }
        }
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
                let mut scanner = PeakScanner::new(SCAN);
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
