//! Kernel design by frequency sampling: the requested matrix sampled on the grid of a real FFT
//! twice the kernel length, inverse-transformed (in f64) to a zero-phase impulse response,
//! tapered by a Tukey window and centred in the kernel, then cut into partitions and transformed
//! for the convolution.

use std::f64::consts::PI;
use std::sync::Arc;

use realfft::num_complex::Complex;
use realfft::{ComplexToReal, RealFftPlanner, RealToComplex};

use super::convolution::{Kernel, Spectra};
use super::{IDENTITY, LINEAR_PHASE_PARTITION};

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

/// Plans and scratch for kernel design, all f64 (sized in `prepare`).
#[derive(Clone, Default)]
pub(super) struct Designer {
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
    /// Plans the transforms and allocates for a kernel of `kernel_len` taps and `entries`
    /// matrix entries.
    pub(super) fn new(kernel_len: usize, entries: usize) -> Self {
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

    /// Samples `response` on the design grid and designs the `channels` x `channels` matrix
    /// into `kernel`, skipping the off-diagonal entries when they are all zero (or mono).
    pub(super) fn design(
        &mut self,
        response: impl Fn(f64) -> [[f64; 2]; 2],
        sample_rate: f64,
        channels: usize,
        kernel: &mut Kernel,
    ) {
        let grid_hz = sample_rate / (2 * self.kernel_len) as f64;
        let mut diagonal = true;
        for (bin, sample) in self.samples.iter_mut().enumerate() {
            *sample = response(bin as f64 * grid_hz).map(|row| row.map(clean_gain));
            diagonal &= sample[0][1] == 0.0 && sample[1][0] == 0.0;
        }
        kernel.diagonal = diagonal || channels == 1;
        for out in 0..channels {
            for input in 0..channels {
                let entry = out * channels + input;
                if out != input && kernel.diagonal {
                    self.clear_entry(entry);
                } else {
                    self.design_entry(out, input, entry, &mut kernel.spectra);
                }
            }
        }
    }

    /// The zero-phase gain matrix the latest design realises at `freq_hz`, evaluated from its
    /// taps. Entries a mono design does not use are 0.
    pub(super) fn realised_response(
        &self,
        freq_hz: f64,
        sample_rate: f64,
        channels: usize,
    ) -> [[f64; 2]; 2] {
        let half = self.kernel_len / 2;
        let step = 2.0 * PI * freq_hz / sample_rate;
        let (step_cos, step_sin) = (step.cos(), step.sin());
        let (mut cos, mut sin) = (1.0, 0.0);
        let mut sums = [0.0; 4];
        for distance in 0..half {
            // The kernel is symmetric: each tap off the centre pairs with its mirror image.
            let weight = if distance == 0 { cos } else { 2.0 * cos };
            for (entry, sum) in sums[..channels * channels].iter_mut().enumerate() {
                *sum += weight * self.taps[entry * half + distance];
            }
            (cos, sin) = (
                cos * step_cos - sin * step_sin,
                sin * step_cos + cos * step_sin,
            );
        }
        if channels == 1 {
            [[sums[0], 0.0], [0.0, 0.0]]
        } else {
            [[sums[0], sums[1]], [sums[2], sums[3]]]
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
