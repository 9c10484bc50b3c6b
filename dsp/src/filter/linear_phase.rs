//! Linear-phase filtering: the engine of the EQ's linear-phase mode.
//!
//! The EQ describes what it wants as a real 2x2 gain matrix per frequency, `response[out][in]`,
//! mapping (L, R) in to (L, R) out: a left/right/stereo EQ gives a diagonal matrix, mid and side
//! bands fill in the off-diagonal terms, mono uses `[0][0]` only. The gains are zero-phase: the
//! filter adds only a constant delay, [`LinearPhaseFilter::latency`].
//!
//! Design is frequency sampling: the matrix is sampled on the grid of a real FFT twice the kernel
//! length, inverse-transformed (in f64) to a zero-phase impulse response, tapered by a Tukey
//! window and centred in the kernel, which is then cut into partitions and transformed.
//!
//! Filtering is uniformly partitioned overlap-save convolution (Wefers, *Partitioned convolution
//! algorithms for real-time auralization*, 2015, §4.4): each partition of input is transformed
//! once into a frequency-domain delay line, and each output block is one complex
//! multiply-accumulate per partition, bin and matrix term, then one inverse transform.

use std::f64::consts::PI;
use std::fmt;
use std::sync::Arc;

use realfft::num_complex::Complex;
use realfft::{ComplexToReal, RealFftPlanner, RealToComplex};

use crate::{ProcessSpec, Processor};

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

/// Fraction of each side of the kernel the window tapers (a Tukey window: flat over the inner
/// half, a raised-cosine fall over the outer half).
///
/// The EQ's impulse responses have mostly died away well inside the kernel, so a window that
/// leaves the middle untouched realises them almost exactly, where bell-shaped windows (Kaiser,
/// Blackman-Harris) taper everywhere and blur every curve. Measured at 48 kHz on the test's
/// mastering curve (bells at 30 Hz and 1 kHz, a 100 Hz shelf) and its inverse: 0.0002 dB worst
/// error, against 0.09 dB for Kaiser β 8 and 0.13 dB for Blackman-Harris; a 40 Hz Q 4 bell
/// 0.19 dB against 0.97 dB. Responses too long for the kernel (a 20 Hz Q 6 bell) are resolved
/// better too (2.7 dB off at the peak against 5.3 dB), with at most 0.035 dB leaking more than an
/// octave away; a quarter taper is sharper still near the feature but leaks 0.16 dB.
const WINDOW_TAPER: f64 = 0.5;

/// Largest gain magnitude a response entry may ask for (+80 dB, beyond any EQ setting). Larger
/// requests are clamped and non-finite ones become 0, so every kernel is finite.
const MAX_GAIN: f64 = 1.0e4;

/// Largest input magnitude passed on (+360 dBFS). With gains bounded by [`MAX_GAIN`] this keeps
/// every sum in the transforms, and so the output, finite for any finite input.
const INPUT_LIMIT: f32 = 1.0e18;

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
    /// Per channel, `2 * LINEAR_PHASE_PARTITION` samples: the previous partition of input,
    /// then the one being filled (sanitised), as overlap-save transforms them.
    frames: Vec<f32>,
    /// Per channel, the output partition being played out while the next one fills.
    outputs: Vec<f32>,
    /// Samples of the current partition filled so far (`0..LINEAR_PHASE_PARTITION`).
    fill: usize,
    /// Frequency-domain delay line: row `channel * partitions + slot` holds the spectrum of one
    /// input frame; `newest` is the slot of the latest.
    delay_line: Spectra,
    /// Slot of the newest frame in `delay_line`.
    newest: usize,
    /// Two kernels: the one in use (`active`) and a spare that `set_response` designs into.
    kernels: [Kernel; 2],
    /// Index of the kernel in use.
    active: usize,
    /// True when the spare kernel holds a new design that the next partition crossfades to.
    pending: bool,
    /// The old kernel's output during a crossfade.
    faded: Vec<f32>,
    /// The f32 transforms of the convolution and their buffers.
    transforms: Transforms,
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
            frames: Vec::new(),
            outputs: Vec::new(),
            fill: 0,
            delay_line: Spectra::default(),
            newest: 0,
            kernels: [Kernel::default(), Kernel::default()],
            active: 0,
            pending: false,
            faded: Vec::new(),
            transforms: Transforms::default(),
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
        let grid_hz = self.sample_rate / (2 * self.kernel_len) as f64;
        let mut diagonal = true;
        for (bin, sample) in self.designer.samples.iter_mut().enumerate() {
            *sample = response(bin as f64 * grid_hz).map(|row| row.map(clean_gain));
            diagonal &= sample[0][1] == 0.0 && sample[1][0] == 0.0;
        }
        let kernel = &mut self.kernels[1 - self.active];
        kernel.diagonal = diagonal || self.channels == 1;
        for out in 0..self.channels {
            for input in 0..self.channels {
                let entry = out * self.channels + input;
                if out != input && kernel.diagonal {
                    self.designer.clear_entry(entry);
                } else {
                    self.designer
                        .design_entry(out, input, entry, &mut kernel.spectra);
                }
            }
        }
        self.pending = true;
    }

    /// The zero-phase gain matrix the most recent design realises at `freq_hz` (signed, linear),
    /// evaluated from the kernel taps; for response plots and tests. Entries a mono filter does
    /// not use are 0. Unprepared, the identity. Costs `kernel_len / 2` multiply-adds per entry.
    pub fn realised_response(&self, freq_hz: f64) -> [[f64; 2]; 2] {
        if self.partitions == 0 {
            return IDENTITY;
        }
        let half = self.kernel_len / 2;
        let step = 2.0 * PI * freq_hz / self.sample_rate;
        let (step_cos, step_sin) = (step.cos(), step.sin());
        let (mut cos, mut sin) = (1.0, 0.0);
        let mut sums = [0.0; 4];
        for distance in 0..half {
            // The kernel is symmetric: each tap off the centre pairs with its mirror image.
            let weight = if distance == 0 { cos } else { 2.0 * cos };
            for (entry, sum) in sums[..self.channels * self.channels].iter_mut().enumerate() {
                *sum += weight * self.designer.taps[entry * half + distance];
            }
            (cos, sin) = (
                cos * step_cos - sin * step_sin,
                sin * step_cos + cos * step_sin,
            );
        }
        if self.channels == 1 {
            [[sums[0], 0.0], [0.0, 0.0]]
        } else {
            [[sums[0], sums[1]], [sums[2], sums[3]]]
        }
    }

    /// Transforms the full input frames into the delay line and computes the next output
    /// partition, crossfading from the old kernel if a new one is waiting.
    fn run_partition(&mut self) {
        const B: usize = LINEAR_PHASE_PARTITION;
        let Self {
            channels,
            partitions,
            frames,
            outputs,
            delay_line,
            newest,
            kernels,
            active,
            pending,
            faded,
            transforms,
            ..
        } = self;
        *newest = (*newest + 1) % *partitions;
        for (channel, frame) in frames.chunks_exact_mut(2 * B).enumerate() {
            transforms.forward(frame, delay_line, channel * *partitions + *newest);
            frame.copy_within(B.., 0);
        }
        let fading_from = pending.then_some(*active);
        if *pending {
            *active = 1 - *active;
            *pending = false;
        }
        let conv = Convolution {
            channels: *channels,
            partitions: *partitions,
            newest: *newest,
            delay_line,
        };
        for (out, output) in outputs.chunks_exact_mut(B).enumerate() {
            transforms.convolve(&conv, &kernels[*active], out, output);
            if let Some(old) = fading_from {
                transforms.convolve(&conv, &kernels[old], out, faded);
                for (i, (new, old)) in output.iter_mut().zip(faded.iter()).enumerate() {
                    let mix = (i + 1) as f32 / B as f32;
                    *new = old + (*new - old) * mix;
                }
            }
        }
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
        const B: usize = LINEAR_PHASE_PARTITION;
        debug_assert!((1..=2).contains(&spec.channels), "{spec:?}");
        let channels = spec.channels.clamp(1, 2);
        let kernel_len = Self::kernel_len(spec.sample_rate);
        let partitions = kernel_len / B;
        let entries = channels * channels;
        let bins = B + 1;
        self.channels = channels;
        self.sample_rate = spec.sample_rate;
        self.kernel_len = kernel_len;
        self.partitions = partitions;
        self.frames = vec![0.0; channels * 2 * B];
        self.outputs = vec![0.0; channels * B];
        self.delay_line = Spectra::new(channels * partitions, bins);
        self.kernels = [0, 1].map(|_| Kernel {
            spectra: Spectra::new(entries * partitions, bins),
            diagonal: true,
        });
        self.faded = vec![0.0; B];
        self.transforms = Transforms::new(bins);
        self.designer = Designer::new(kernel_len, entries);
        self.set_response(|_| IDENTITY);
        self.reset();
    }

    /// Clears the signal history. A design waiting for its crossfade takes over at once.
    fn reset(&mut self) {
        self.frames.fill(0.0);
        self.outputs.fill(0.0);
        self.delay_line.clear();
        self.fill = 0;
        self.newest = 0;
        if self.pending {
            self.active = 1 - self.active;
            self.pending = false;
        }
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
        const B: usize = LINEAR_PHASE_PARTITION;
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
            let len = (B - self.fill).min(block_len - start);
            for channel in 0..self.channels {
                let frame = &mut self.frames[channel * 2 * B + B + self.fill..][..len];
                let output = &self.outputs[channel * B + self.fill..][..len];
                match channels.get_mut(channel) {
                    Some(samples) => {
                        let samples = &mut samples[start..start + len];
                        for ((x, stored), y) in samples.iter_mut().zip(frame).zip(output) {
                            *stored = sanitize_sample(*x);
                            *x = *y;
                        }
                    }
                    None => frame.fill(0.0),
                }
            }
            self.fill += len;
            start += len;
            if self.fill == B {
                self.run_partition();
                self.fill = 0;
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

/// One kernel matrix, partitioned and transformed.
#[derive(Debug, Clone, Default)]
struct Kernel {
    /// Row `entry * partitions + p` (entry `out * channels + in`): the spectrum of partition `p`
    /// of that entry's taps, zero-padded to two partitions and scaled by the inverse
    /// transform's 1 / (2 * LINEAR_PHASE_PARTITION).
    spectra: Spectra,
    /// True when the off-diagonal entries are zero (or the filter is mono): each output then
    /// needs only its own input.
    diagonal: bool,
}

/// Rows of half-spectra with real and imaginary parts in separate arrays, so the
/// multiply-accumulate runs down contiguous f32 lanes. Rows are zero-padded to a multiple of 16
/// bins, so the vector loops have no scalar tail; the padding stays zero through every product.
#[derive(Debug, Clone, Default)]
struct Spectra {
    re: Vec<f32>,
    im: Vec<f32>,
    /// Row length including padding.
    stride: usize,
}

impl Spectra {
    fn new(rows: usize, bins: usize) -> Self {
        let stride = bins.next_multiple_of(16);
        Self {
            re: vec![0.0; rows * stride],
            im: vec![0.0; rows * stride],
            stride,
        }
    }

    fn row(&self, row: usize) -> (&[f32], &[f32]) {
        let range = row * self.stride..(row + 1) * self.stride;
        (&self.re[range.clone()], &self.im[range])
    }

    fn row_mut(&mut self, row: usize) -> (&mut [f32], &mut [f32]) {
        let range = row * self.stride..(row + 1) * self.stride;
        (&mut self.re[range.clone()], &mut self.im[range])
    }

    fn clear(&mut self) {
        self.re.fill(0.0);
        self.im.fill(0.0);
    }
}

/// What one output partition is computed from.
struct Convolution<'a> {
    channels: usize,
    partitions: usize,
    /// Delay-line slot of the newest input frame.
    newest: usize,
    delay_line: &'a Spectra,
}

/// The convolution's f32 transforms (two partitions long) and their buffers.
#[derive(Clone, Default)]
struct Transforms {
    forward: Option<Arc<dyn RealToComplex<f32>>>,
    inverse: Option<Arc<dyn ComplexToReal<f32>>>,
    /// Time-domain frame, input of the forward and output of the inverse transform.
    time: Vec<f32>,
    /// Interleaved half-spectrum, `LINEAR_PHASE_PARTITION + 1` bins.
    spectrum: Vec<Complex<f32>>,
    scratch: Vec<Complex<f32>>,
    /// The accumulated output spectrum (one row).
    sum: Spectra,
}

impl Transforms {
    fn new(bins: usize) -> Self {
        let mut planner = RealFftPlanner::<f32>::new();
        let forward = planner.plan_fft_forward(2 * LINEAR_PHASE_PARTITION);
        let inverse = planner.plan_fft_inverse(2 * LINEAR_PHASE_PARTITION);
        let scratch_len = forward.get_scratch_len().max(inverse.get_scratch_len());
        Self {
            time: forward.make_input_vec(),
            spectrum: forward.make_output_vec(),
            scratch: vec![Complex::default(); scratch_len],
            sum: Spectra::new(1, bins),
            forward: Some(forward),
            inverse: Some(inverse),
        }
    }

    /// Transforms one input frame into row `row` of `delay_line`.
    fn forward(&mut self, frame: &[f32], delay_line: &mut Spectra, row: usize) {
        let Some(forward) = &self.forward else { return };
        self.time.copy_from_slice(frame);
        let result =
            forward.process_with_scratch(&mut self.time, &mut self.spectrum, &mut self.scratch);
        debug_assert!(result.is_ok(), "{result:?}");
        let (re, im) = delay_line.row_mut(row);
        for ((re, im), bin) in re.iter_mut().zip(im.iter_mut()).zip(&self.spectrum) {
            *re = bin.re;
            *im = bin.im;
        }
    }

    /// Computes output channel `out`'s next partition with `kernel` into `output`.
    fn convolve(&mut self, conv: &Convolution, kernel: &Kernel, out: usize, output: &mut [f32]) {
        let Some(inverse) = &self.inverse else { return };
        let channels = conv.channels;
        let mut terms = [(out, out * channels + out); 2];
        let term_count = if kernel.diagonal {
            1
        } else {
            terms = [0, 1].map(|input| (input, out * channels + input));
            2
        };
        accumulate(&mut self.sum, conv, &kernel.spectra, &terms[..term_count]);
        let (re, im) = self.sum.row(0);
        for ((bin, &re), &im) in self.spectrum.iter_mut().zip(re).zip(im) {
            *bin = Complex::new(re, im);
        }
        let result =
            inverse.process_with_scratch(&mut self.spectrum, &mut self.time, &mut self.scratch);
        debug_assert!(result.is_ok(), "{result:?}");
        // Overlap-save: the second half is free of the circular wrap-around.
        output.copy_from_slice(&self.time[LINEAR_PHASE_PARTITION..]);
    }
}

/// `sum = Σ_terms Σ_p X[input][newest - p] · H[entry][p]`: the partitioned convolution's
/// multiply-accumulate, compiled for the baseline and, on x86-64, for AVX2 with fused
/// multiply-adds, chosen at run time (as `util::fir`).
fn accumulate(sum: &mut Spectra, conv: &Convolution, kernel: &Spectra, terms: &[(usize, usize)]) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
        // SAFETY: the CPU has AVX2 and FMA (checked just above).
        return unsafe { accumulate_avx2(sum, conv, kernel, terms) };
    }
    accumulate_body::<false>(sum, conv, kernel, terms);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn accumulate_avx2(
    sum: &mut Spectra,
    conv: &Convolution,
    kernel: &Spectra,
    terms: &[(usize, usize)],
) {
    accumulate_body::<true>(sum, conv, kernel, terms);
}

#[inline(always)]
fn accumulate_body<const FUSED: bool>(
    sum: &mut Spectra,
    conv: &Convolution,
    kernel: &Spectra,
    terms: &[(usize, usize)],
) {
    sum.clear();
    let (sum_re, sum_im) = sum.row_mut(0);
    let partitions = conv.partitions;
    for &(input, entry) in terms {
        for p in 0..partitions {
            let slot = (conv.newest + partitions - p) % partitions;
            let (x_re, x_im) = conv.delay_line.row(input * partitions + slot);
            let (h_re, h_im) = kernel.row(entry * partitions + p);
            for (((sr, si), (&xr, &xi)), (&hr, &hi)) in sum_re
                .iter_mut()
                .zip(sum_im.iter_mut())
                .zip(x_re.iter().zip(x_im))
                .zip(h_re.iter().zip(h_im))
            {
                if FUSED {
                    *sr = xr.mul_add(hr, (-xi).mul_add(hi, *sr));
                    *si = xr.mul_add(hi, xi.mul_add(hr, *si));
                } else {
                    *sr += xr * hr - xi * hi;
                    *si += xr * hi + xi * hr;
                }
            }
        }
    }
}

/// Plans and scratch for kernel design, all f64 (sized in `prepare`).
#[derive(Clone, Default)]
struct Designer {
    kernel_len: usize,
    /// Inverse real FFT over the design grid, `2 * kernel_len` points.
    grid_inverse: Option<Arc<dyn ComplexToReal<f64>>>,
    /// Forward real FFT of one zero-padded partition, `2 * LINEAR_PHASE_PARTITION` points.
    partition_forward: Option<Arc<dyn RealToComplex<f64>>>,
    /// The window by distance from the centre tap, `0..kernel_len / 2`.
    window: Vec<f64>,
    /// The requested matrix on the design grid, bins `0..=kernel_len`.
    samples: Vec<[[f64; 2]; 2]>,
    /// One entry's gains on the grid, as the inverse FFT's input.
    grid_spectrum: Vec<Complex<f64>>,
    /// The inverse FFT's output: `2 * kernel_len` times the zero-phase impulse response,
    /// distance 0 first.
    impulse: Vec<f64>,
    /// One partition of taps, zero-padded to two.
    segment: Vec<f64>,
    segment_spectrum: Vec<Complex<f64>>,
    scratch: Vec<Complex<f64>>,
    /// The latest design's windowed taps by distance from the centre: row `entry` of
    /// `kernel_len / 2` (the kernel is symmetric; the tap `kernel_len / 2` away is 0).
    taps: Vec<f64>,
}

impl Designer {
    fn new(kernel_len: usize, entries: usize) -> Self {
        let half = kernel_len / 2;
        let mut planner = RealFftPlanner::<f64>::new();
        let grid_inverse = planner.plan_fft_inverse(2 * kernel_len);
        let partition_forward = planner.plan_fft_forward(2 * LINEAR_PHASE_PARTITION);
        let scratch_len = grid_inverse
            .get_scratch_len()
            .max(partition_forward.get_scratch_len());
        Self {
            kernel_len,
            window: (0..half)
                .map(|distance| tukey_window(distance as f64 / half as f64))
                .collect(),
            samples: vec![IDENTITY; kernel_len + 1],
            grid_spectrum: grid_inverse.make_input_vec(),
            impulse: grid_inverse.make_output_vec(),
            segment: partition_forward.make_input_vec(),
            segment_spectrum: partition_forward.make_output_vec(),
            scratch: vec![Complex::default(); scratch_len],
            taps: vec![0.0; entries * half],
            grid_inverse: Some(grid_inverse),
            partition_forward: Some(partition_forward),
        }
    }

    /// Designs entry `[out][input]` of `samples` into row block `entry` of `kernel`.
    fn design_entry(&mut self, out: usize, input: usize, entry: usize, kernel: &mut Spectra) {
        let (Some(grid_inverse), Some(partition_forward)) =
            (&self.grid_inverse, &self.partition_forward)
        else {
            return;
        };
        const B: usize = LINEAR_PHASE_PARTITION;
        let half = self.kernel_len / 2;
        for (bin, sample) in self.grid_spectrum.iter_mut().zip(&self.samples) {
            *bin = Complex::new(sample[out][input], 0.0);
        }
        let result = grid_inverse.process_with_scratch(
            &mut self.grid_spectrum,
            &mut self.impulse,
            &mut self.scratch,
        );
        debug_assert!(result.is_ok(), "{result:?}");
        // A real, even spectrum gives a real, even impulse response: distance d sits at both
        // `impulse[d]` and `impulse[2 * kernel_len - d]`, so one side defines the kernel.
        let grid_scale = 1.0 / (2 * self.kernel_len) as f64;
        let taps = &mut self.taps[entry * half..][..half];
        for ((tap, &h), &w) in taps.iter_mut().zip(&self.impulse).zip(&self.window) {
            *tap = h * w * grid_scale;
        }
        let partitions = self.kernel_len / B;
        let fft_scale = 1.0 / (2 * B) as f64;
        for p in 0..partitions {
            let (head, tail) = self.segment.split_at_mut(B);
            for (i, x) in head.iter_mut().enumerate() {
                // Kernel tap n sits `n - half` from the centre; tap 0 (a full `half` away) is 0.
                *x = taps.get((p * B + i).abs_diff(half)).copied().unwrap_or(0.0);
            }
            tail.fill(0.0);
            let result = partition_forward.process_with_scratch(
                &mut self.segment,
                &mut self.segment_spectrum,
                &mut self.scratch,
            );
            debug_assert!(result.is_ok(), "{result:?}");
            let (re, im) = kernel.row_mut(entry * partitions + p);
            for ((re, im), bin) in re.iter_mut().zip(im.iter_mut()).zip(&self.segment_spectrum) {
                *re = (bin.re * fft_scale) as f32;
                *im = (bin.im * fft_scale) as f32;
            }
        }
    }

    /// Records entry `entry` as zero (an off-diagonal term the convolution skips).
    fn clear_entry(&mut self, entry: usize) {
        let half = self.kernel_len / 2;
        self.taps[entry * half..][..half].fill(0.0);
    }
}

/// The Tukey window at `x` (0 at the centre, 1 at the kernel's end): 1 up to `1 - WINDOW_TAPER`,
/// then half a cosine period down to 0.
fn tukey_window(x: f64) -> f64 {
    let flat = 1.0 - WINDOW_TAPER;
    if x <= flat {
        1.0
    } else {
        0.5 + 0.5 * (PI * (x - flat) / WINDOW_TAPER).cos()
    }
}

/// A requested gain made safe to design from: non-finite becomes 0, magnitude at most
/// [`MAX_GAIN`].
fn clean_gain(gain: f64) -> f64 {
    if gain.is_finite() {
        gain.clamp(-MAX_GAIN, MAX_GAIN)
    } else {
        0.0
    }
}

/// An input sample made safe to convolve: non-finite becomes 0 (a dropout), magnitude at most
/// [`INPUT_LIMIT`].
#[inline]
fn sanitize_sample(x: f32) -> f32 {
    if x.is_finite() {
        x.clamp(-INPUT_LIMIT, INPUT_LIMIT)
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const B: usize = LINEAR_PHASE_PARTITION;

    fn prepared(rate: f64, channels: usize) -> LinearPhaseFilter {
        let mut filter = LinearPhaseFilter::new();
        filter.prepare(&ProcessSpec {
            sample_rate: rate,
            max_block_size: 512,
            channels,
        });
        filter
    }

    /// Deterministic white noise in -0.5..0.5 (xorshift).
    fn noise(len: usize, seed: u64) -> Vec<f32> {
        let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 40) as f32 / (1u64 << 24) as f32 - 0.5
            })
            .collect()
    }

    /// Runs `input` through `filter` in blocks of `block` samples.
    fn run(filter: &mut LinearPhaseFilter, input: &[Vec<f32>], block: usize) -> Vec<Vec<f32>> {
        let mut output = input.to_vec();
        let len = output[0].len();
        let mut start = 0;
        while start < len {
            let end = (start + block).min(len);
            match &mut output[..] {
                [mono] => filter.process(&mut [&mut mono[start..end]]),
                [left, right] => {
                    filter.process(&mut [&mut left[start..end], &mut right[start..end]])
                }
                _ => unreachable!(),
            }
            start = end;
        }
        output
    }

    /// |H(jf/f0)| of an analog prototype `(a2 s² + a1 s + a0) / (b2 s² + b1 s + b0)`.
    fn analog_magnitude(freq_hz: f64, f0_hz: f64, num: [f64; 3], den: [f64; 3]) -> f64 {
        let w = freq_hz / f0_hz;
        let at = |[c2, c1, c0]: [f64; 3]| (c0 - c2 * w * w).hypot(c1 * w);
        at(num) / at(den)
    }

    /// RBJ cookbook analog peaking EQ.
    fn bell(freq_hz: f64, f0_hz: f64, q: f64, gain_db: f64) -> f64 {
        let a = 10f64.powf(gain_db / 40.0);
        analog_magnitude(freq_hz, f0_hz, [1.0, a / q, 1.0], [1.0, 1.0 / (a * q), 1.0])
    }

    /// RBJ cookbook analog low shelf (Q 1/√2).
    fn low_shelf(freq_hz: f64, f0_hz: f64, gain_db: f64) -> f64 {
        let a = 10f64.powf(gain_db / 40.0);
        let k = a.sqrt() * std::f64::consts::SQRT_2;
        let [n2, n1, n0] = [1.0, k, a];
        analog_magnitude(freq_hz, f0_hz, [a * n2, a * n1, a * n0], [a, k, 1.0])
    }

    /// The mastering curve the accuracy test holds the filter to.
    fn curve(freq_hz: f64) -> f64 {
        bell(freq_hz, 1_000.0, 1.0, 6.0)
            * low_shelf(freq_hz, 100.0, -12.0)
            * bell(freq_hz, 30.0, 1.0, 3.0)
    }

    /// Mid scaled by `mid`, side by `side`, as a (L, R) matrix.
    fn mid_side(mid: f64, side: f64) -> [[f64; 2]; 2] {
        let (sum, difference) = ((mid + side) / 2.0, (mid - side) / 2.0);
        [[sum, difference], [difference, sum]]
    }

    /// `(Σ y[n] cos(ω(n - centre)), Σ y[n] sin(ω(n - centre)))` in f64.
    fn dtft(y: &[f32], centre: usize, freq_hz: f64, rate: f64) -> (f64, f64) {
        let step = 2.0 * PI * freq_hz / rate;
        let start = -(centre as f64) * step;
        let (step_cos, step_sin) = (step.cos(), step.sin());
        let (mut cos, mut sin) = (start.cos(), start.sin());
        let (mut re, mut im) = (0.0, 0.0);
        for &x in y {
            re += x as f64 * cos;
            im += x as f64 * sin;
            (cos, sin) = (
                cos * step_cos - sin * step_sin,
                sin * step_cos + cos * step_sin,
            );
        }
        (re, im)
    }

    fn db(gain: f64) -> f64 {
        20.0 * gain.abs().log10()
    }

    #[test]
    fn kernel_length_and_latency_follow_the_sample_rate() {
        for (rate, kernel_len) in [
            (8_000.0, 4_096),
            (22_050.0, 8_192),
            (44_100.0, 16_384),
            (48_000.0, 16_384),
            (96_000.0, 32_768),
            (192_000.0, 65_536),
            (384_000.0, 131_072),
        ] {
            assert_eq!(LinearPhaseFilter::kernel_len(rate), kernel_len, "{rate}");
            assert_eq!(prepared(rate, 2).latency(), kernel_len / 2 + B, "{rate}");
        }
    }

    #[test]
    fn unprepared_filter_passes_audio_through_without_delay() {
        let mut filter = LinearPhaseFilter::new();
        filter.set_response(|_| mid_side(1.0, 2.0));
        let input = noise(100, 1);
        let mut output = input.clone();
        filter.process(&mut [&mut output]);
        assert_eq!(output, input);
        assert_eq!(filter.latency(), 0);
        assert_eq!(filter.realised_response(1_000.0), IDENTITY);
    }

    #[test]
    fn an_impulse_comes_out_at_the_latency_with_the_identity() {
        let mut filter = prepared(48_000.0, 2);
        let latency = filter.latency();
        let mut input = vec![vec![0.0; latency + 3 * B]; 2];
        input[0][0] = 1.0;
        input[1][5] = -0.5;
        let output = run(&mut filter, &input, 256);
        for (channel, (at, value)) in [(0, 1.0), (5, -0.5)].into_iter().enumerate() {
            let (peak, &y) = output[channel]
                .iter()
                .enumerate()
                .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))
                .unwrap();
            assert_eq!(peak, latency + at, "channel {channel}");
            assert!((y - value).abs() < 1e-6, "channel {channel}: {y}");
        }
    }

    #[test]
    fn the_identity_nulls_against_the_input_delayed_by_the_latency() {
        let mut filter = prepared(44_100.0, 2);
        let latency = filter.latency();
        let len = latency + 20 * B + 123;
        let input = vec![noise(len, 2), noise(len, 3)];
        let output = run(&mut filter, &input, 480);
        for (x, y) in input.iter().zip(&output) {
            assert!(y[..latency].iter().all(|&y| y.abs() < 1e-6));
            let (mut error, mut signal) = (0.0, 0.0);
            for (&x, &y) in x.iter().zip(&y[latency..]) {
                error += (y as f64 - x as f64).powi(2);
                signal += (x as f64).powi(2);
            }
            let null_db = 10.0 * (error / signal).log10();
            assert!(null_db < -120.0, "{null_db} dB");
        }
    }

    #[test]
    fn a_mastering_curve_is_realised_within_0_1_db_from_20_hz_to_20_khz() {
        for rate in [44_100.0, 48_000.0, 96_000.0] {
            let mut filter = prepared(rate, 2);
            // Left gets the curve, right its inverse: both diagonal kernels are checked.
            filter.set_response(|f| [[curve(f), 0.0], [0.0, 1.0 / curve(f)]]);
            let kernel_len = LinearPhaseFilter::kernel_len(rate);
            let mut input = vec![vec![0.0; filter.latency() + kernel_len]; 2];
            input[0][0] = 1.0;
            input[1][0] = 1.0;
            let output = run(&mut filter, &input, 512);
            let (mut worst_db, mut worst_plot_db) = (0.0f64, 0.0f64);
            for i in 0..=300 {
                let freq = 20.0 * 1000f64.powf(i as f64 / 300.0);
                let realised = filter.realised_response(freq);
                for (channel, want) in [curve(freq), 1.0 / curve(freq)].into_iter().enumerate() {
                    // The impulse response's taps start one partition in; the centre is at
                    // `kernel_len / 2` from there.
                    let taps = &output[channel][B..B + kernel_len];
                    let (re, im) = dtft(taps, kernel_len / 2, freq, rate);
                    assert!(im.abs() < 1e-5 * re.abs(), "{rate} {freq}: phase {im}/{re}");
                    worst_db = worst_db.max((db(re) - db(want)).abs());
                    worst_plot_db =
                        worst_plot_db.max((db(realised[channel][channel]) - db(re)).abs());
                }
            }
            assert!(worst_db < 0.1, "{rate}: {worst_db} dB");
            assert!(
                worst_plot_db < 1e-4,
                "{rate}: plot off by {worst_plot_db} dB"
            );
        }
    }

    #[test]
    fn a_side_boost_scales_l_minus_r_and_leaves_l_plus_r() {
        let mut filter = prepared(48_000.0, 2);
        filter.set_response(|_| mid_side(1.0, 2.0));
        assert!(!filter.kernels[1 - filter.active].diagonal);
        let latency = filter.latency();
        let len = latency + 10 * B;
        let input = vec![noise(len, 4), noise(len, 5)];
        let output = run(&mut filter, &input, 512);
        let (mut mid_error, mut side_error, mut power) = (0.0f64, 0.0f64, 0.0f64);
        for n in latency + B..len {
            let (l, r) = (input[0][n - latency] as f64, input[1][n - latency] as f64);
            let (y_l, y_r) = (output[0][n] as f64, output[1][n] as f64);
            mid_error = mid_error.max((y_l + y_r - (l + r)).abs());
            side_error = side_error.max((y_l - y_r - 2.0 * (l - r)).abs());
            power = power.max((l + r).abs());
        }
        assert!(db(mid_error / power) < -120.0, "{}", db(mid_error / power));
        assert!(
            db(side_error / power) < -110.0,
            "{}",
            db(side_error / power)
        );
    }

    #[test]
    fn the_diagonal_shortcut_matches_the_full_matrix() {
        let response = |f: f64| {
            [
                [bell(f, 200.0, 0.7, 4.0), 0.0],
                [0.0, bell(f, 2e3, 2.0, -5.0)],
            ]
        };
        let mut shortcut = prepared(48_000.0, 2);
        shortcut.set_response(response);
        let mut full = prepared(48_000.0, 2);
        // A negligible cross term forces the four-term path.
        full.set_response(|f| {
            let mut m = response(f);
            m[0][1] = 1e-30;
            m
        });
        assert!(shortcut.kernels[1 - shortcut.active].diagonal);
        assert!(!full.kernels[1 - full.active].diagonal);
        let len = shortcut.latency() + 8 * B;
        let input = vec![noise(len, 6), noise(len, 7)];
        let a = run(&mut shortcut, &input, 512);
        let b = run(&mut full, &input, 512);
        for (a, b) in a.iter().zip(&b) {
            for (a, b) in a.iter().zip(b) {
                assert!((a - b).abs() < 1e-6, "{a} vs {b}");
            }
        }
    }

    #[test]
    fn block_lengths_do_not_change_the_output_even_across_a_redesign() {
        // A multiple of every block length below, so the redesign lands at the same sample.
        const SWITCH_AT: usize = 7 * 4096;
        let mut reference: Option<Vec<Vec<f32>>> = None;
        for block in [1, 7, 512, 4096] {
            let mut filter = prepared(48_000.0, 2);
            filter.set_response(|f| mid_side(bell(f, 300.0, 1.0, -4.0), bell(f, 5e3, 0.5, 6.0)));
            let len = filter.latency() + SWITCH_AT + 3 * B;
            let (left, right) = (noise(len, 8), noise(len, 9));
            let head = [left[..SWITCH_AT].to_vec(), right[..SWITCH_AT].to_vec()];
            let mut output = run(&mut filter, &head, block);
            filter.set_response(|f| [[bell(f, 60.0, 1.0, 3.0), 0.0], [0.0, 1.0]]);
            let rest = run(
                &mut filter,
                &[left[SWITCH_AT..].to_vec(), right[SWITCH_AT..].to_vec()],
                block,
            );
            for (output, rest) in output.iter_mut().zip(rest) {
                output.extend(rest);
            }
            match &reference {
                None => reference = Some(output),
                Some(reference) => assert!(output == *reference, "block {block}"),
            }
        }
    }

    #[test]
    fn switching_responses_mid_stream_does_not_click() {
        const FREQ_HZ: f64 = 100.0;
        let rate = 48_000.0;
        let freq = FREQ_HZ;
        let boost: fn(f64) -> [[f64; 2]; 2] = |f| [[bell(f, FREQ_HZ, 1.0, 6.0), 0.0], [0.0, 1.0]];
        let cut: fn(f64) -> [[f64; 2]; 2] = |f| [[bell(f, FREQ_HZ, 1.0, -6.0), 0.0], [0.0, 1.0]];
        let latency = prepared(rate, 2).latency();
        let len = latency + 40 * B;
        let sine: Vec<f32> = (0..len)
            .map(|n| (0.5 * (2.0 * PI * freq * n as f64 / rate).sin()) as f32)
            .collect();
        let input = vec![sine.clone(), sine];
        let max_step = |y: &[f32]| {
            y.windows(2)
                .map(|w| (w[1] - w[0]).abs())
                .fold(0.0f32, f32::max)
        };
        // The steady outputs' own sample-to-sample bounds.
        let mut steady = 0.0f32;
        for response in [boost, cut] {
            let mut filter = prepared(rate, 2);
            filter.set_response(response);
            filter.reset();
            steady = steady.max(max_step(&run(&mut filter, &input, 512)[0][latency + B..]));
        }
        let mut filter = prepared(rate, 2);
        filter.set_response(boost);
        filter.reset();
        let half = latency + 20 * B + 77;
        let mut switched = run(&mut filter, &[input[0][..half].to_vec()], 512);
        filter.set_response(cut);
        switched[0].extend(run(&mut filter, &[input[0][half..].to_vec()], 512).remove(0));
        // The new kernel takes over at the next partition boundary: that output partition is the
        // crossfade.
        let fade = half.next_multiple_of(B);
        let during = max_step(&switched[0][fade - 1..fade + B + 1]);
        assert!(during <= 1.01 * steady, "{during} vs {steady}");
        // The gain really changed: a quarter of the level after the crossfade.
        let tail = switched[0][len - 2 * B..]
            .iter()
            .fold(0.0f32, |m, y| m.max(y.abs()));
        assert!((tail - 0.25).abs() < 0.01, "{tail}");
    }

    #[test]
    fn every_rate_prepares_and_processes_finite_output() {
        for rate in [
            22_050.0, 44_100.0, 48_000.0, 88_200.0, 96_000.0, 176_400.0, 192_000.0, 352_800.0,
            384_000.0,
        ] {
            for channels in [1, 2] {
                let mut filter = prepared(rate, channels);
                filter
                    .set_response(|f| mid_side(bell(f, 20.0, 1.0, 6.0), bell(f, 10e3, 1.0, -6.0)));
                let len = filter.latency() + 2 * B;
                let input: Vec<Vec<f32>> = (0..channels).map(|c| noise(len, c as u64)).collect();
                let output = run(&mut filter, &input, 1000);
                for y in &output {
                    assert!(y.iter().all(|y| y.is_finite()), "{rate}");
                    assert!(y[len - B..].iter().any(|y| y.abs() > 0.01), "{rate}");
                }
            }
        }
    }

    #[test]
    fn nan_and_inf_input_count_as_silence_and_the_output_recovers() {
        let mut clean = prepared(48_000.0, 2);
        let mut dirty = prepared(48_000.0, 2);
        let response = |f: f64| mid_side(bell(f, 100.0, 1.0, 6.0), 1.0);
        clean.set_response(response);
        dirty.set_response(response);
        let len = clean.latency() + 30 * B;
        let mut input = vec![noise(len, 10), noise(len, 11)];
        let mut bad = input.clone();
        for n in [100, 101, 5000, 20_000] {
            bad[0][n] = f32::NAN;
            bad[1][n + 3] = f32::INFINITY;
            bad[1][n + 4] = f32::NEG_INFINITY;
            input[0][n] = 0.0;
            input[1][n + 3] = 0.0;
            input[1][n + 4] = 0.0;
        }
        let expected = run(&mut clean, &input, 512);
        let output = run(&mut dirty, &bad, 512);
        assert!(output.iter().flatten().all(|y| y.is_finite()));
        assert!(output == expected);
        // Absurd but finite input is limited, not overflowed.
        let [mut left, mut right] = [f32::MAX, -f32::MAX].map(|x| vec![x; 4 * B]);
        dirty.process(&mut [&mut left, &mut right]);
        let silence = vec![vec![0.0; dirty.latency()]; 2];
        let output = run(&mut dirty, &silence, 512);
        assert!(output.iter().flatten().all(|y| y.is_finite()));
    }

    #[test]
    fn reset_clears_the_history_and_keeps_the_response() {
        let response = |f: f64| [[bell(f, 1e3, 1.0, 6.0), 0.0], [0.0, 1.0]];
        let mut fresh = prepared(48_000.0, 1);
        fresh.set_response(response);
        fresh.reset();
        let mut used = prepared(48_000.0, 1);
        used.set_response(response);
        let len = fresh.latency() + 4 * B;
        run(&mut used, &[noise(len, 12)], 333);
        used.reset();
        let input = vec![noise(len, 13)];
        assert!(run(&mut used, &input, 512) == run(&mut fresh, &input, 512));
    }

    #[test]
    fn mono_uses_the_top_left_entry_only() {
        let mut filter = prepared(48_000.0, 1);
        filter.set_response(|_| [[0.5, 3.0], [3.0, 7.0]]);
        let realised = filter.realised_response(440.0);
        assert!((realised[0][0] - 0.5).abs() < 1e-9, "{realised:?}");
        assert_eq!([realised[0][1], realised[1][0], realised[1][1]], [0.0; 3]);
        let latency = filter.latency();
        let mut input = vec![vec![0.0; latency + B]];
        input[0][0] = 1.0;
        let output = run(&mut filter, &input, 64);
        assert!((output[0][latency] - 0.5).abs() < 1e-6);
    }
}
