//! The 10 ms sub-block engine behind the meters: EBU R128 / Tech 3341 "EBU mode" loudness
//! (momentary, short-term, integrated, Tech 3342 loudness range), sample level and stereo
//! statistics, in fixed memory and independent of how audio is split into blocks.
//!
//! Sums are collected in sub-blocks whose boundaries fall at `round(k * rate / 100)` samples
//! since reset, so 40 of them span 400 ms and 300 span 3 s to the sample (at 22.05 kHz they
//! alternate 220 and 221 samples). Every sub-block: momentary (last 400 ms), short-term (last
//! 3 s), RMS (last 300 ms) and the peak display are updated, so max-momentary sees bursts at
//! any offset (Tech 3341 case 13). Every 100 ms: the 400 ms gating block goes into the
//! integrated-loudness histogram and the 3 s short-term value into the loudness-range
//! histogram (Tech 3342 asks for at least 10 Hz). Every sum is accumulated sample by sample in
//! a fixed order, so results are bit-identical whatever the host's block sizes.

use super::MAX_METER_CHANNELS;
use super::histogram::{LoudnessHistogram, energy_to_lufs};
use super::kweighting::{KCoeffs, KFilterLanes};
use crate::util::{gain_to_db, power_to_db, running_max};

/// Sub-blocks per momentary window (400 ms).
const MOMENTARY_SUB_BLOCKS: usize = 40;
/// Sub-blocks per short-term window (3 s); also the ring's length.
const SHORT_TERM_SUB_BLOCKS: usize = 300;
/// Sub-blocks per RMS window.
pub const RMS_SUB_BLOCKS: usize = 30;
/// Sub-blocks per gating step (100 ms).
const STEP_SUB_BLOCKS: u64 = 10;
/// BS.1770 relative gate for integrated loudness.
const INTEGRATED_RELATIVE_GATE_LU: f64 = -10.0;
/// Tech 3342 relative gate for loudness range.
const RANGE_RELATIVE_GATE_LU: f64 = -20.0;
/// BS.1770 channel weights, in channel order (left, right; mono weighs 1 too). A 5.1 layout
/// would add centre 1.0 and surrounds 1.41, and leave out the LFE.
const CHANNEL_WEIGHTS: [f64; MAX_METER_CHANNELS] = [1.0, 1.0];
/// Peak display fall-back: 20 dB in 1.7 s, as IEC 60268-18 asks of digital peak meters.
pub const PEAK_FALL_DB_PER_S: f64 = 20.0 / 1.7;

/// What one 10 ms sub-block contributes.
#[derive(Debug, Clone, Copy, Default)]
pub struct SubBlock {
    /// Frames in the sub-block.
    pub frames: u32,
    /// Sum over frames of the K-weighted squares, per channel.
    pub weighted: [f64; MAX_METER_CHANNELS],
    /// Sum over frames of the raw squares, per channel.
    pub squares: [f64; MAX_METER_CHANNELS],
    /// Sum over frames of left times right (raw).
    pub cross: f64,
    /// Largest raw magnitude, per channel.
    pub peak: [f32; MAX_METER_CHANNELS],
}

impl SubBlock {
    fn add(&mut self, other: &SubBlock) {
        self.frames += other.frames;
        for c in 0..MAX_METER_CHANNELS {
            self.weighted[c] += other.weighted[c];
            self.squares[c] += other.squares[c];
            self.peak[c] = self.peak[c].max(other.peak[c]);
        }
        self.cross += other.cross;
    }

    /// Channel-weighted K-weighted mean square (BS.1770 eq. 2, before the logarithm).
    pub fn energy(&self) -> f64 {
        if self.frames == 0 {
            return 0.0;
        }
        let sum: f64 = self
            .weighted
            .iter()
            .zip(CHANNEL_WEIGHTS)
            .map(|(e, g)| e * g)
            .sum();
        sum / f64::from(self.frames)
    }

    /// Phase correlation of left and right, -1..+1; `None` if either is silent.
    pub fn correlation(&self) -> Option<f64> {
        let denominator = (self.squares[0] * self.squares[1]).sqrt();
        (denominator > 1e-20).then(|| (self.cross / denominator).clamp(-1.0, 1.0))
    }

    /// K-weighted left-to-right energy ratio in dB; `None` if either is silent.
    pub fn balance_db(&self) -> Option<f64> {
        let [left, right] = self.weighted;
        (left > 1e-20 && right > 1e-20).then(|| 10.0 * (left / right).log10())
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

/// Sample-level figures per channel, dBFS (`-inf` for silence).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LevelReadings {
    /// Sample peak with fall-back ([`PEAK_FALL_DB_PER_S`]), updated every 10 ms.
    pub peak_db: [f64; MAX_METER_CHANNELS],
    /// Highest sample peak since reset.
    pub peak_max_db: [f64; MAX_METER_CHANNELS],
    /// RMS over the last 300 ms; a full-scale sine reads -3.01 dBFS.
    pub rms_db: [f64; MAX_METER_CHANNELS],
}

impl Default for LevelReadings {
    fn default() -> Self {
        Self {
            peak_db: [f64::NEG_INFINITY; MAX_METER_CHANNELS],
            peak_max_db: [f64::NEG_INFINITY; MAX_METER_CHANNELS],
            rms_db: [f64::NEG_INFINITY; MAX_METER_CHANNELS],
        }
    }
}

/// The engine. `prepare` allocates the ring and histograms; nothing else allocates.
#[derive(Debug, Clone, Default)]
pub struct BlockMeter {
    channels: usize,
    rate: u64,
    coeffs: Option<KCoeffs>,
    /// One lane per channel (a mono signal leaves the second lane silent).
    filters: KFilterLanes<MAX_METER_CHANNELS>,
    /// Peak fall-back factor per frame.
    peak_fall: f64,
    frames: u64,
    sub_blocks: u64,
    next_boundary: u64,
    current: SubBlock,
    /// The last 3 s of sub-blocks, oldest overwritten first.
    ring: Vec<SubBlock>,
    integrated: LoudnessHistogram,
    range: LoudnessHistogram,
    loudness: LoudnessReadings,
    level: LevelReadings,
    peak_display: [f64; MAX_METER_CHANNELS],
    momentary_window: SubBlock,
    total: SubBlock,
}

impl BlockMeter {
    /// Sizes the engine for `channels` at `sample_rate` (whole hertz) and resets it.
    pub fn prepare(&mut self, sample_rate: f64, channels: usize) {
        self.channels = channels.min(MAX_METER_CHANNELS);
        self.rate = sample_rate.round() as u64;
        self.coeffs = Some(KCoeffs::new(sample_rate));
        self.peak_fall = 10f64.powf(-PEAK_FALL_DB_PER_S / 20.0 / sample_rate);
        self.ring = vec![SubBlock::default(); SHORT_TERM_SUB_BLOCKS];
        self.reset();
    }

    /// Forgets all audio.
    pub fn reset(&mut self) {
        self.filters = KFilterLanes::default();
        self.frames = 0;
        self.sub_blocks = 0;
        self.next_boundary = self.boundary(1);
        self.current = SubBlock::default();
        self.ring.fill(SubBlock::default());
        self.integrated.clear();
        self.range.clear();
        self.loudness = LoudnessReadings::default();
        self.level = LevelReadings::default();
        self.peak_display = [0.0; MAX_METER_CHANNELS];
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
            let end = frames.min(start + (self.next_boundary - self.frames) as usize);
            match channels {
                [mono] => self.accumulate_mono(&coeffs, &mono.as_ref()[start..end]),
                [left, right] => self.accumulate_stereo(
                    &coeffs,
                    &left.as_ref()[start..end],
                    &right.as_ref()[start..end],
                ),
                _ => {}
            }
            self.frames += (end - start) as u64;
            if self.frames == self.next_boundary {
                self.close_sub_block();
            }
            start = end;
        }
    }

    fn accumulate_mono(&mut self, coeffs: &KCoeffs, samples: &[f32]) {
        let block = &mut self.current;
        block.frames += samples.len() as u32;
        let mut filters = self.filters;
        let (mut weighted, mut squares, mut peak) =
            (block.weighted[0], block.squares[0], block.peak[0]);
        for &x in samples {
            let [y, _] = filters.tick(coeffs, [f64::from(x), 0.0]);
            weighted += y * y;
            squares += f64::from(x * x);
            peak = running_max(peak, x.abs());
        }
        self.filters = filters;
        (block.weighted[0], block.squares[0], block.peak[0]) = (weighted, squares, peak);
    }

    /// Both channels in one loop, each operation on both at once (two-lane vector code).
    fn accumulate_stereo(&mut self, coeffs: &KCoeffs, left: &[f32], right: &[f32]) {
        let block = &mut self.current;
        block.frames += left.len() as u32;
        let mut filters = self.filters;
        let (mut weighted, mut squares, mut peak) = (block.weighted, block.squares, block.peak);
        let mut cross = block.cross;
        for (&l, &r) in left.iter().zip(right) {
            let x = [l, r];
            let y = filters.tick(coeffs, x.map(f64::from));
            weighted = std::array::from_fn(|c| weighted[c] + y[c] * y[c]);
            squares = std::array::from_fn(|c| squares[c] + f64::from(x[c] * x[c]));
            peak = std::array::from_fn(|c| running_max(peak[c], x[c].abs()));
            cross += f64::from(l * r);
        }
        self.filters = filters;
        (block.weighted, block.squares, block.peak) = (weighted, squares, peak);
        block.cross = cross;
    }

    fn close_sub_block(&mut self) {
        self.filters.flush_denormals();
        let block = self.current;
        let slot = (self.sub_blocks % SHORT_TERM_SUB_BLOCKS as u64) as usize;
        self.ring[slot] = block;
        self.total.add(&block);
        self.current = SubBlock::default();
        self.sub_blocks += 1;
        self.next_boundary = self.boundary(self.sub_blocks + 1);
        self.update_level(&block);

        if self.sub_blocks >= MOMENTARY_SUB_BLOCKS as u64 {
            let window = self.window(MOMENTARY_SUB_BLOCKS);
            let energy = window.energy();
            self.momentary_window = window;
            self.loudness.momentary_lufs = energy_to_lufs(energy);
            self.loudness.momentary_max_lufs = self
                .loudness
                .momentary_max_lufs
                .max(self.loudness.momentary_lufs);
            if self.sub_blocks.is_multiple_of(STEP_SUB_BLOCKS) {
                self.integrated.add(energy);
                self.loudness.integrated_lufs = self
                    .integrated
                    .gated_mean_energy(INTEGRATED_RELATIVE_GATE_LU)
                    .map(energy_to_lufs);
            }
        }
        if self.sub_blocks >= SHORT_TERM_SUB_BLOCKS as u64 {
            let energy = self.window_energy(SHORT_TERM_SUB_BLOCKS);
            self.loudness.short_term_lufs = energy_to_lufs(energy);
            self.loudness.short_term_max_lufs = self
                .loudness
                .short_term_max_lufs
                .max(self.loudness.short_term_lufs);
            if self.sub_blocks.is_multiple_of(STEP_SUB_BLOCKS) {
                self.range.add(energy);
                self.loudness.loudness_range_lu = self
                    .range
                    .percentiles(RANGE_RELATIVE_GATE_LU, [0.10, 0.95])
                    .map(|[low, high]| high - low);
            }
        }
    }

    fn update_level(&mut self, block: &SubBlock) {
        let fall = self.peak_fall.powi(block.frames as i32);
        let rms = self.window(RMS_SUB_BLOCKS.min(self.sub_blocks as usize));
        for c in 0..self.channels {
            let peak = f64::from(block.peak[c]);
            self.peak_display[c] = (self.peak_display[c] * fall).max(peak);
            if self.peak_display[c] < 1e-30 {
                self.peak_display[c] = 0.0;
            }
            self.level.peak_db[c] = gain_to_db(self.peak_display[c]);
            self.level.peak_max_db[c] = self.level.peak_max_db[c].max(gain_to_db(peak));
            self.level.rms_db[c] = power_to_db(rms.squares[c] / f64::from(rms.frames.max(1)));
        }
    }

    /// The last `count` completed sub-blocks, oldest first.
    fn recent(&self, count: usize) -> impl Iterator<Item = &SubBlock> {
        let end = ((self.sub_blocks - 1) % SHORT_TERM_SUB_BLOCKS as u64) as usize + 1;
        let wrapped = count.saturating_sub(end);
        self.ring[SHORT_TERM_SUB_BLOCKS - wrapped..]
            .iter()
            .chain(&self.ring[end - (count - wrapped)..end])
    }

    /// The sum of the last `count` completed sub-blocks (summed oldest first, so the result
    /// does not depend on where the ring starts).
    fn window(&self, count: usize) -> SubBlock {
        self.recent(count)
            .fold(SubBlock::default(), |mut sum, block| {
                sum.add(block);
                sum
            })
    }

    /// [`Self::window`]'s energy, summing only what energy needs (the short-term window's 300
    /// sub-blocks every 10 ms).
    fn window_energy(&self, count: usize) -> f64 {
        let mut sum = SubBlock::default();
        for block in self.recent(count) {
            sum.frames += block.frames;
            for c in 0..MAX_METER_CHANNELS {
                sum.weighted[c] += block.weighted[c];
            }
        }
        sum.energy()
    }

    /// Loudness readings.
    pub fn loudness(&self) -> LoudnessReadings {
        self.loudness
    }

    /// Sample-level readings.
    pub fn level(&self) -> LevelReadings {
        self.level
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

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(frames: usize, amplitude: f32, rate: f64) -> Vec<f32> {
        (0..frames)
            .map(|n| {
                amplitude * (2.0 * std::f64::consts::PI * 997.0 * n as f64 / rate).sin() as f32
            })
            .collect()
    }

    fn prepared(rate: f64, channels: usize) -> BlockMeter {
        let mut meter = BlockMeter::default();
        meter.prepare(rate, channels);
        meter
    }

    #[test]
    fn full_scale_sine_reads_0_dbfs_peak_minus_3_rms_and_minus_3_lufs() {
        let mut meter = prepared(48_000.0, 2);
        let (left, right) = (sine(96_000, 1.0, 48_000.0), sine(96_000, 0.5, 48_000.0));
        meter.process(&[&left, &right]);
        let level = meter.level();
        assert!(level.peak_max_db[0].abs() < 0.01);
        assert!((level.peak_max_db[1] + 6.02).abs() < 0.01);
        assert!((level.rms_db[0] + 3.01).abs() < 0.01, "{}", level.rms_db[0]);
        assert!((level.rms_db[1] + 9.03).abs() < 0.01);
        // BS.1770: a 0 dBFS 997 Hz sine in one channel reads -3.01 LKFS; here the right adds
        // a quarter of the power: -3.01 + 10 log10(1.25).
        let momentary = meter.loudness().momentary_lufs;
        assert!(
            (momentary - (-3.01 + 10.0 * 1.25f64.log10())).abs() < 0.01,
            "{momentary}"
        );
    }

    #[test]
    fn peak_display_falls_20_db_in_1_7_seconds() {
        let mut meter = prepared(48_000.0, 1);
        let mut click = vec![0.0f32; 81_600 + 480];
        click[479] = 1.0;
        meter.process(&[&click]);
        let level = meter.level();
        assert!(
            (level.peak_db[0] + 20.0).abs() < 0.05,
            "{}",
            level.peak_db[0]
        );
        assert_eq!(level.peak_max_db[0], 0.0);
    }

    #[test]
    fn readings_are_bit_identical_whatever_the_block_sizes() {
        let left = sine(200_000, 0.7, 44_100.0);
        let right: Vec<f32> = left
            .iter()
            .enumerate()
            .map(|(n, x)| x * (n as f32 * 1e-4).cos())
            .collect();
        let mut whole = prepared(44_100.0, 2);
        whole.process(&[&left, &right]);
        for block in [1, 7, 441, 1000, 4096] {
            let mut split = prepared(44_100.0, 2);
            for (l, r) in left.chunks(block).zip(right.chunks(block)) {
                split.process(&[l, r]);
            }
            assert_eq!(whole.loudness(), split.loudness(), "block {block}");
            assert_eq!(whole.level(), split.level(), "block {block}");
            assert_eq!(whole.total().cross.to_bits(), split.total().cross.to_bits());
        }
    }

    #[test]
    fn correlation_reads_plus_one_minus_one_and_zero() {
        let tone = sine(48_000, 0.5, 48_000.0);
        let inverted: Vec<f32> = tone.iter().map(|x| -x).collect();
        let quadrature: Vec<f32> = (0..48_000)
            .map(|n| 0.5 * (2.0 * std::f64::consts::PI * 997.0 * n as f64 / 48_000.0).cos() as f32)
            .collect();
        for (right, expected) in [(&tone, 1.0), (&inverted, -1.0), (&quadrature, 0.0)] {
            let mut meter = prepared(48_000.0, 2);
            meter.process(&[&tone, right]);
            let correlation = meter.momentary_window().correlation().unwrap();
            assert!(
                (correlation - expected).abs() < 0.01,
                "{correlation} vs {expected}"
            );
        }
    }
}
