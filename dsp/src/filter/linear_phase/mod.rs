//! Linear-phase filtering: the engine of the EQ's linear-phase mode.
//!
//! The EQ describes what it wants as a real 2x2 gain matrix per frequency, `response[out][in]`,
//! mapping (L, R) in to (L, R) out: a left/right/stereo EQ gives a diagonal matrix, mid and side
//! bands fill in the off-diagonal terms, mono uses `[0][0]` only. The gains are zero-phase: the
//! filter adds only a constant delay, [`LinearPhaseFilter::latency`].
//!
//! `design` turns the matrix into a kernel by frequency sampling; `convolution` runs it by
//! uniformly partitioned overlap-save. This module double-buffers the kernels so a new design
//! crossfades in at a partition boundary.

mod convolution;
mod design;
#[cfg(test)]
mod tests;

use std::fmt;

use crate::{ProcessSpec, Processor};
use convolution::{Kernel, OverlapSave};
use design::Designer;

/// Partition length in samples: the convolution's block and the buffering it adds to the latency.
///
/// Chosen by measurement (`benches/linear_phase.rs`, 48 kHz stereo): the multiply-accumulates
/// cost one per partition per sample, the transforms grow with the log of the partition. 512
/// costs 50-65% more than 1024; 2048 ties at 44.1/48 kHz and saves about a third at 384 kHz
/// (where the kernel has 128 partitions of 1024) but doubles the time a new design takes to be
/// heard (up to two partitions: the wait for the boundary, then the crossfade).
pub const LINEAR_PHASE_PARTITION: usize = 1024;

/// The kernel spans at least this long, rounded up to a power of two of samples. A bell rings
/// for a time proportional to Q over its frequency; 0.34 s holds a Q 1 bell at 20 Hz (a +6 dB
/// one has decayed by some 60 dB at the kernel's ends). Narrower low bells ring past the ends
/// and are realised broader and shallower (a 20 Hz Q 6 +12 dB bell peaks 2.7 dB short).
const KERNEL_SECONDS: f64 = 0.34;

/// Matrix the filter starts with after `prepare`: the identity, a pure delay.
const IDENTITY: [[f64; 2]; 2] = [[1.0, 0.0], [0.0, 1.0]];

/// A linear-phase FIR filter matrix of up to 2 x 2 channels, run by partitioned FFT convolution.
///
/// Allocation: [`prepare`](Processor::prepare) allocates every buffer and FFT plan (a few MB at
/// 384 kHz). [`set_response`](Self::set_response), [`reset`](Processor::reset) and
/// [`process`](Processor::process) never allocate, lock or panic.
///
/// After `prepare` the response is the identity (the output is the input delayed by
/// [`latency`](Processor::latency)); call `set_response` again after every `prepare`. Unprepared,
/// the filter passes audio through with no delay.
#[derive(Clone)]
pub struct LinearPhaseFilter {
    /// Channels prepared for (1 or 2); 0 until prepared.
    channels: usize,
    /// Sample rate in Hz, for the design grid.
    sample_rate: f64,
    /// Kernel length in samples (a power of two); the centre tap sits at `kernel_len / 2`.
    kernel_len: usize,
    /// Partitions per kernel, `kernel_len / LINEAR_PHASE_PARTITION`; 0 until prepared.
    partitions: usize,
    /// The convolution's signal state.
    engine: OverlapSave,
    /// Two kernels: the one in use (`active`) and a spare that `set_response` designs into.
    kernels: [Kernel; 2],
    /// Index of the kernel in use.
    active: usize,
    /// True when the spare kernel holds a new design that the next partition crossfades to.
    pending: bool,
    /// Plans and scratch for designing kernels.
    designer: Designer,
}

impl LinearPhaseFilter {
    /// An unprepared filter (passes audio through). Does not allocate.
    pub fn new() -> Self {
        Self {
            channels: 0,
            sample_rate: 0.0,
            kernel_len: 0,
            partitions: 0,
            engine: OverlapSave::default(),
            kernels: [Kernel::default(), Kernel::default()],
            active: 0,
            pending: false,
            designer: Designer::default(),
        }
    }

    /// Kernel length at `sample_rate_hz`: the power of two at or above 0.34 s (8192 at
    /// 22.05 kHz, 16384 at 44.1 and 48 kHz, 131072 at 384 kHz), and at least two partitions.
    pub fn kernel_len(sample_rate_hz: f64) -> usize {
        ((KERNEL_SECONDS * sample_rate_hz).ceil() as usize)
            .next_power_of_two()
            .max(2 * LINEAR_PHASE_PARTITION)
    }

    /// Designs a kernel for the zero-phase gain matrix `response(freq_hz)[out][in]` and
    /// crossfades to it over the next partition, so a change never clicks.
    ///
    /// `response` is called once per bin of the design grid, from 0 Hz to Nyquist in steps of
    /// `sample_rate / (2 * kernel_len)` (16385 calls at 48 kHz). Entries are signed linear gains;
    /// non-finite ones count as 0 and magnitudes are limited to +80 dB. When both off-diagonal
    /// entries are 0 at every bin, processing skips the cross terms (half the
    /// multiply-accumulates). Mono filters use `[0][0]` only.
    ///
    /// Never allocates. Per designed entry: one f64 inverse FFT of twice the kernel length and
    /// one transform per partition; a diagonal stereo matrix designs two entries, a full one
    /// four. Measured at 48 kHz (`benches/linear_phase.rs`): 0.33 ms diagonal, 0.60 ms full, plus
    /// the calls to `response`; the cost grows with the kernel length (about 8 ms at 384 kHz).
    /// Call it when the EQ changes, not every block. Called again before the crossfade starts,
    /// the newer design replaces the waiting one. Does nothing unprepared.
    pub fn set_response(&mut self, response: impl Fn(f64) -> [[f64; 2]; 2]) {
        if self.partitions == 0 {
            return;
        }
        let spare = &mut self.kernels[1 - self.active];
        self.designer
            .design(response, self.sample_rate, self.channels, spare);
        self.pending = true;
    }

    /// The zero-phase gain matrix the most recent design realises at `freq_hz` (signed, linear),
    /// evaluated from the kernel taps; for response plots and tests. Entries a mono filter does
    /// not use are 0. Unprepared, the identity. Costs `kernel_len / 2` multiply-adds per entry.
    pub fn realised_response(&self, freq_hz: f64) -> [[f64; 2]; 2] {
        if self.partitions == 0 {
            return IDENTITY;
        }
        self.designer
            .realised_response(freq_hz, self.sample_rate, self.channels)
    }

    /// Makes a waiting design the kernel in use; returns the index of the one it replaces.
    fn swap_in_pending(&mut self) -> Option<usize> {
        let replaced = self.pending.then_some(self.active);
        if self.pending {
            self.active = 1 - self.active;
            self.pending = false;
        }
        replaced
    }
}

impl Default for LinearPhaseFilter {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for LinearPhaseFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LinearPhaseFilter")
            .field("channels", &self.channels)
            .field("sample_rate", &self.sample_rate)
            .field("kernel_len", &self.kernel_len)
            .field("diagonal", &self.kernels[self.active].diagonal)
            .field("pending", &self.pending)
            .finish_non_exhaustive()
    }
}

impl Processor for LinearPhaseFilter {
    /// Sizes the kernel from the sample rate, plans the FFTs, allocates every buffer and designs
    /// the identity. Allocates.
    fn prepare(&mut self, spec: &ProcessSpec) {
        debug_assert!((1..=2).contains(&spec.channels), "{spec:?}");
        let channels = spec.channels.clamp(1, 2);
        let kernel_len = Self::kernel_len(spec.sample_rate);
        let partitions = kernel_len / LINEAR_PHASE_PARTITION;
        let entries = channels * channels;
        self.channels = channels;
        self.sample_rate = spec.sample_rate;
        self.kernel_len = kernel_len;
        self.partitions = partitions;
        self.engine = OverlapSave::new(channels, partitions);
        self.kernels = [0, 1].map(|_| Kernel::new(entries, partitions));
        self.designer = Designer::new(kernel_len, entries);
        self.set_response(|_| IDENTITY);
        self.reset();
    }

    /// Clears the signal history. A design waiting for its crossfade takes over at once.
    fn reset(&mut self) {
        self.engine.reset();
        self.swap_in_pending();
    }

    /// Filters 1 or 2 channels in place, blocks of any length. The output is the input convolved
    /// with the kernel matrix, delayed by [`latency`](Processor::latency); the latency does not
    /// depend on the block lengths, nor does the output.
    ///
    /// Non-finite input samples are treated as dropouts (replaced by 0) and magnitudes are
    /// limited to 1e18, so bad input never reaches the delay line: the output stays finite and
    /// is exactly what the sanitised input gives. Channels beyond those prepared for pass
    /// through untouched; missing ones count as silence.
    fn process(&mut self, channels: &mut [&mut [f32]]) {
        if self.partitions == 0 {
            return;
        }
        debug_assert!(
            channels.len() <= self.channels,
            "{} channels",
            channels.len()
        );
        let block_len = channels.iter().map(|c| c.len()).min().unwrap_or(0);
        let mut start = 0;
        while start < block_len {
            start += self.engine.exchange(channels, start, block_len - start);
            if self.engine.is_full() {
                let fading_from = self.swap_in_pending().map(|old| &self.kernels[old]);
                self.engine
                    .run_partition(&self.kernels[self.active], fading_from);
            }
        }
    }

    /// `kernel_len / 2` (the centre tap) plus one partition of buffering: 9216 samples at 44.1
    /// and 48 kHz. Constant for a given spec; 0 unprepared.
    fn latency(&self) -> usize {
        if self.partitions == 0 {
            0
        } else {
            self.kernel_len / 2 + LINEAR_PHASE_PARTITION
        }
    }
}
