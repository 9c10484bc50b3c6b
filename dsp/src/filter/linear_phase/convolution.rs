//! Uniformly partitioned overlap-save convolution (Wefers, *Partitioned convolution algorithms
//! for real-time auralization*, 2015, §4.4): each partition of input is transformed once into a
//! frequency-domain delay line, and each output block is one complex multiply-accumulate per
//! partition, bin and matrix term, then one inverse transform.

use std::sync::Arc;

use realfft::num_complex::Complex;
use realfft::{ComplexToReal, RealFftPlanner, RealToComplex};

use super::LINEAR_PHASE_PARTITION as B;

/// Largest input magnitude passed on (+360 dBFS). With gains bounded by
/// [`MAX_GAIN`](super::design::MAX_GAIN) this keeps every sum in the transforms, and so the
/// output, finite for any finite input.
const INPUT_LIMIT: f32 = 1.0e18;

/// Bins of the half-spectrum of a frame two partitions long.
const BINS: usize = B + 1;

/// One kernel matrix, partitioned and transformed.
#[derive(Debug, Clone, Default)]
pub(super) struct Kernel {
    /// Row `entry * partitions + p` (entry `out * channels + in`): the spectrum of partition `p`
    /// of that entry's taps, zero-padded to two partitions and scaled by the inverse
    /// transform's 1 / (2 * LINEAR_PHASE_PARTITION).
    pub(super) spectra: Spectra,
    /// True when the off-diagonal entries are zero (or the filter is mono): each output then
    /// needs only its own input.
    pub(super) diagonal: bool,
}

impl Kernel {
    /// A kernel of `entries` matrix entries of `partitions` partitions each, all zero.
    pub(super) fn new(entries: usize, partitions: usize) -> Self {
        Self {
            spectra: Spectra::new(entries * partitions),
            diagonal: true,
        }
    }
}

/// Rows of half-spectra ([`BINS`] bins) with real and imaginary parts in separate arrays, so the
/// multiply-accumulate runs down contiguous f32 lanes. Rows are zero-padded to a multiple of 16
/// bins, so the vector loops have no scalar tail; the padding stays zero through every product.
#[derive(Debug, Clone, Default)]
pub(super) struct Spectra {
    re: Vec<f32>,
    im: Vec<f32>,
    /// Row length including padding.
    stride: usize,
}

impl Spectra {
    fn new(rows: usize) -> Self {
        let stride = BINS.next_multiple_of(16);
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

    pub(super) fn row_mut(&mut self, row: usize) -> (&mut [f32], &mut [f32]) {
        let range = row * self.stride..(row + 1) * self.stride;
        (&mut self.re[range.clone()], &mut self.im[range])
    }

    fn clear(&mut self) {
        self.re.fill(0.0);
        self.im.fill(0.0);
    }
}

/// The convolution's signal state: input frames, their spectra and the output being played
/// out. Unprepared (`default`) it holds nothing and must not be run.
#[derive(Clone, Default)]
pub(super) struct OverlapSave {
    /// Channels (1 or 2).
    channels: usize,
    /// Partitions per kernel.
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
    /// The old kernel's output during a crossfade.
    faded: Vec<f32>,
    /// The f32 transforms and their buffers.
    transforms: Transforms,
}

impl OverlapSave {
    /// Plans the transforms and allocates every buffer, silent.
    pub(super) fn new(channels: usize, partitions: usize) -> Self {
        Self {
            channels,
            partitions,
            frames: vec![0.0; channels * 2 * B],
            outputs: vec![0.0; channels * B],
            fill: 0,
            delay_line: Spectra::new(channels * partitions),
            newest: 0,
            faded: vec![0.0; B],
            transforms: Transforms::new(),
        }
    }

    /// Clears the signal history.
    pub(super) fn reset(&mut self) {
        self.frames.fill(0.0);
        self.outputs.fill(0.0);
        self.delay_line.clear();
        self.fill = 0;
        self.newest = 0;
    }

    /// Stores samples `start..` of `channels` (sanitised), up to `len` or the end of the
    /// partition, and replaces them with the output; returns how many it took. Missing
    /// channels count as silence. Once it returns with the partition full, call
    /// [`run_partition`](Self::run_partition).
    pub(super) fn exchange(
        &mut self,
        channels: &mut [&mut [f32]],
        start: usize,
        len: usize,
    ) -> usize {
        let len = (B - self.fill).min(len);
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
        len
    }

    /// True when a whole partition of input is waiting for [`run_partition`](Self::run_partition).
    pub(super) fn is_full(&self) -> bool {
        self.fill == B
    }

    /// Transforms the full input frames into the delay line and computes the next output
    /// partition with `kernel`, crossfading from `fading_from` if given.
    pub(super) fn run_partition(&mut self, kernel: &Kernel, fading_from: Option<&Kernel>) {
        let Self {
            channels,
            partitions,
            frames,
            outputs,
            fill,
            delay_line,
            newest,
            faded,
            transforms,
        } = self;
        *newest = (*newest + 1) % *partitions;
        for (channel, frame) in frames.chunks_exact_mut(2 * B).enumerate() {
            transforms.forward(frame, delay_line, channel * *partitions + *newest);
            frame.copy_within(B.., 0);
        }
        let conv = Convolution {
            channels: *channels,
            partitions: *partitions,
            newest: *newest,
            delay_line,
        };
        for (out, output) in outputs.chunks_exact_mut(B).enumerate() {
            transforms.convolve(&conv, kernel, out, output);
            if let Some(old) = fading_from {
                transforms.convolve(&conv, old, out, faded);
                for (i, (new, old)) in output.iter_mut().zip(faded.iter()).enumerate() {
                    let mix = (i + 1) as f32 / B as f32;
                    *new = old + (*new - old) * mix;
                }
            }
        }
        *fill = 0;
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
    /// Interleaved half-spectrum, [`BINS`] bins.
    spectrum: Vec<Complex<f32>>,
    scratch: Vec<Complex<f32>>,
    /// The accumulated output spectrum (one row).
    sum: Spectra,
}

impl Transforms {
    fn new() -> Self {
        let mut planner = RealFftPlanner::<f32>::new();
        let forward = planner.plan_fft_forward(2 * B);
        let inverse = planner.plan_fft_inverse(2 * B);
        let scratch_len = forward.get_scratch_len().max(inverse.get_scratch_len());
        Self {
            time: forward.make_input_vec(),
            spectrum: forward.make_output_vec(),
            scratch: vec![Complex::default(); scratch_len],
            sum: Spectra::new(1),
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
        output.copy_from_slice(&self.time[B..]);
    }
}

/// `sum = Σ_terms Σ_p X[input][newest - p] · H[entry][p]`: the partitioned convolution's
/// multiply-accumulate, compiled for the baseline and, on x86-64, for AVX2 with fused
/// multiply-adds, chosen at run time (as `util::fir`).
fn accumulate(sum: &mut Spectra, conv: &Convolution, kernel: &Spectra, terms: &[(usize, usize)]) {
    #[cfg(target_arch = "x86_64")]
    if crate::util::fir::has_avx2_fma() {
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

/// An input sample made safe to convolve: non-finite becomes 0 (a dropout), magnitude at most
/// [`INPUT_LIMIT`]. Not `util::sanitize`: that also flushes subnormals and does not limit.
#[inline]
fn sanitize_sample(x: f32) -> f32 {
    if x.is_finite() {
        x.clamp(-INPUT_LIMIT, INPUT_LIMIT)
    } else {
        0.0
    }
}
