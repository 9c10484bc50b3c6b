//! EBU R128 / Tech 3341 "EBU mode" loudness: momentary, short-term, integrated and loudness
//! range (Tech 3342), in fixed memory and independent of how audio is split into blocks.
//!
//! The K-weighted, channel-weighted energy is summed in 10 ms sub-blocks whose boundaries fall
//! at `round(k * rate / 100)` samples since reset, so 40 of them span 400 ms and 300 span 3 s
//! to the sample (at 22.05 kHz sub-blocks alternate 220 and 221 samples). Every sub-block:
//! momentary (last 400 ms) and short-term (last 3 s) are evaluated, so max-momentary sees
//! bursts at any offset (Tech 3341 case 13). Every 100 ms: the 400 ms gating block goes into
//! the integrated-loudness histogram, and the 3 s short-term value into the loudness-range
//! histogram (Tech 3342 asks for at least 10 Hz).

use super::histogram::{LoudnessHistogram, energy_to_lufs};
use super::kweighting::{KCoeffs, KFilter};
use super::MAX_METER_CHANNELS;

/// Sub-blocks per momentary window (400 ms).
const MOMENTARY_SUB_BLOCKS: usize = 40;
/// Sub-blocks per short-term window (3 s).
const SHORT_TERM_SUB_BLOCKS: usize = 300;
/// Sub-blocks per gating step (100 ms).
const STEP_SUB_BLOCKS: u64 = 10;
/// BS.1770 relative gate for integrated loudness.
const INTEGRATED_RELATIVE_GATE_LU: f64 = -10.0;
/// Tech 3342 relative gate for loudness range.
const RANGE_RELATIVE_GATE_LU: f64 = -20.0;

/// What one 10 ms sub-block contributes.
#[derive(Debug, Clone, Copy, Default)]
pub struct SubBlock {
    /// Frames in the sub-block.
    pub frames: u32,
    /// Sum over frames of the K-weighted squares, per channel.
    pub weighted: [f64; MAX_METER_CHANNELS],
    /// Sums over frames of raw left², right² and left·right (for correlation).
    pub left_squares: f64,
    pub right_squares: f64,
    pub cross: f64,
}

impl SubBlock {
    fn add(&mut self, other: &SubBlock) {
        self.frames += other.frames;
        for (a, b) in self.weighted.iter_mut().zip(&other.weighted) {
            *a += b;
        }
        self.left_squares += other.left_squares;
        self.right_squares += other.right_squares;
        self.cross += other.cross;
    }

    /// Channel-weighted mean square (BS.1770: left, right and mono weigh 1).
    pub fn energy(&self) -> f64 {
        if self.frames == 0 {
            return 0.0;
        }
        self.weighted.iter().sum::<f64>() / f64::from(self.frames)
    }
}

/// Loudness figures; LUFS are `-inf` for digital silence or before a window has filled.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LoudnessReadings {
    pub momentary_lufs: f64,
    pub short_term_lufs: f64,
    pub momentary_max_lufs: f64,
    pub short_term_max_lufs: f64,
    /// Gated programme loudness; `None` until a block passes the gates.
    pub integrated_lufs: Option<f64>,
    /// Tech 3342 loudness range; `None` until a short-term value passes the gates.
    pub loudness_range_lu: Option<f64>,
}

impl Default for LoudnessReadings {
    fn default() -> Self {
        Self {
            momentary_lufs: f64::NEG_INFINITY,
            short_term_lufs: f64::NEG_INFINITY,
            momentary_max_lufs: f64::NEG_INFINITY,
            short_term_max_lufs: f64::NEG_INFINITY,
            integrated_lufs: None,
            loudness_range_lu: None,
        }
    }
}

/// The loudness engine. `prepare` allocates its histograms; nothing else allocates.
#[derive(Debug, Clone, Default)]
pub struct LoudnessMeter {
    channels: usize,
    rate: u64,
    coeffs: Option<KCoeffs>,
    filters: [KFilter; MAX_METER_CHANNELS],
    /// Frames since reset.
    frames: u64,
    /// Sub-blocks completed since reset.
    sub_blocks: u64,
    /// Frame count at which the current sub-block ends.
    next_boundary: u64,
    current: SubBlock,
    /// The last 3 s of sub-blocks, oldest overwritten first.
    ring: Vec<SubBlock>,
    integrated: LoudnessHistogram,
    range: LoudnessHistogram,
    readings: LoudnessReadings,
    /// Sum of the last 400 ms, for correlation and balance readers.
    momentary_window: SubBlock,
    /// Everything since reset.
    total: SubBlock,
}

impl LoudnessMeter {
    /// Sizes the engine for `channels` at `sample_rate` (whole hertz) and resets it.
    pub fn prepare(&mut self, sample_rate: f64, channels: usize) {
        self.channels = channels.min(MAX_METER_CHANNELS);
        self.rate = sample_rate.round() as u64;
        self.coeffs = Some(KCoeffs::new(sample_rate));
        self.ring = vec![SubBlock::default(); SHORT_TERM_SUB_BLOCKS];
        self.reset();
    }

    /// Forgets all audio.
    pub fn reset(&mut self) {
        self.filters.iter_mut().for_each(KFilter::reset);
        self.frames = 0;
        self.sub_blocks = 0;
        self.next_boundary = self.boundary(1);
        self.current = SubBlock::default();
        self.ring.fill(SubBlock::default());
        self.integrated.clear();
        self.range.clear();
        self.readings = LoudnessReadings::default();
        self.momentary_window = SubBlock::default();
        self.total = SubBlock::default();
    }

    /// Frame count at which sub-block `k` ends.
    fn boundary(&self, k: u64) -> u64 {
        (k * self.rate + 50) / 100
    }

    /// Measures a block (one slice per channel, equal lengths).
    pub fn process<S: AsRef<[f32]>>(&mut self, channels: &[S]) {
        let Some(coeffs) = self.coeffs else {
            return;
        };
        let channels = &channels[..channels.len().min(self.channels)];
        let frames = channels.iter().map(|c| c.as_ref().len()).min().unwrap_or(0);
        let mut start = 0;
        while start < frames {
            let until_boundary = (self.next_boundary - self.frames) as usize;
            let end = frames.min(start + until_boundary);
            self.accumulate(&coeffs, channels, start, end);
            self.frames += (end - start) as u64;
            if self.frames == self.next_boundary {
                self.close_sub_block();
            }
            start = end;
        }
    }

    fn accumulate<S: AsRef<[f32]>>(&mut self, coeffs: &KCoeffs, channels: &[S], start: usize, end: usize) {
        let block = &mut self.current;
        block.frames += (end - start) as u32;
        for (c, channel) in channels.iter().enumerate() {
            let filter = &mut self.filters[c];
            let mut sum = 0.0;
            for &x in &channel.as_ref()[start..end] {
                let y = filter.tick(coeffs, f64::from(x));
                sum += y * y;
            }
            block.weighted[c] += sum;
        }
        if let [left, right] = channels {
            let (left, right) = (&left.as_ref()[start..end], &right.as_ref()[start..end]);
            for (&l, &r) in left.iter().zip(right) {
                let (l, r) = (f64::from(l), f64::from(r));
                block.left_squares += l * l;
                block.right_squares += r * r;
                block.cross += l * r;
            }
        }
    }

    fn close_sub_block(&mut self) {
        let slot = (self.sub_blocks % SHORT_TERM_SUB_BLOCKS as u64) as usize;
        self.ring[slot] = self.current;
        self.total.add(&self.current);
        self.current = SubBlock::default();
        self.sub_blocks += 1;
        self.next_boundary = self.boundary(self.sub_blocks + 1);

        if self.sub_blocks >= MOMENTARY_SUB_BLOCKS as u64 {
            let window = self.window(MOMENTARY_SUB_BLOCKS);
            let energy = window.energy();
            self.momentary_window = window;
            self.readings.momentary_lufs = energy_to_lufs(energy);
            self.readings.momentary_max_lufs =
                self.readings.momentary_max_lufs.max(self.readings.momentary_lufs);
            if self.sub_blocks % STEP_SUB_BLOCKS == 0 {
                self.integrated.add(energy);
                self.readings.integrated_lufs = self
                    .integrated
                    .gated_mean_energy(INTEGRATED_RELATIVE_GATE_LU)
                    .map(energy_to_lufs);
            }
        }
        if self.sub_blocks >= SHORT_TERM_SUB_BLOCKS as u64 {
            let energy = self.window(SHORT_TERM_SUB_BLOCKS).energy();
            self.readings.short_term_lufs = energy_to_lufs(energy);
            self.readings.short_term_max_lufs =
                self.readings.short_term_max_lufs.max(self.readings.short_term_lufs);
            if self.sub_blocks % STEP_SUB_BLOCKS == 0 {
                self.range.add(energy);
                self.readings.loudness_range_lu = self
                    .range
                    .percentiles(RANGE_RELATIVE_GATE_LU, [0.10, 0.95])
                    .map(|[low, high]| high - low);
            }
        }
    }

    /// The sum of the last `count` completed sub-blocks (summed oldest first, so the result
    /// does not depend on where the ring starts).
    fn window(&self, count: usize) -> SubBlock {
        let newest = ((self.sub_blocks - 1) % SHORT_TERM_SUB_BLOCKS as u64) as usize;
        let mut sum = SubBlock::default();
        for age in (0..count).rev() {
            let slot = (newest + SHORT_TERM_SUB_BLOCKS - age) % SHORT_TERM_SUB_BLOCKS;
            sum.add(&self.ring[slot]);
        }
        sum
    }

    /// The current readings.
    pub fn readings(&self) -> LoudnessReadings {
        self.readings
    }

    /// Completed 100 ms steps since reset (the cadence of gating blocks).
    pub fn steps(&self) -> u64 {
        self.sub_blocks / STEP_SUB_BLOCKS
    }

    /// The last 400 ms of sub-blocks (empty until 400 ms have passed).
    pub fn momentary_window(&self) -> &SubBlock {
        &self.momentary_window
    }

    /// Everything since reset.
    pub fn total(&self) -> &SubBlock {
        &self.total
    }

    /// Seconds measured since reset.
    pub fn elapsed_s(&self) -> f64 {
        if self.rate == 0 {
            0.0
        } else {
            self.frames as f64 / self.rate as f64
        }
    }
}
