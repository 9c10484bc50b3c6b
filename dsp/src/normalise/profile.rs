//! A file's loudness profile: K-weighted energy and sample peak per 2.5 ms chunk, enough to
//! predict the integrated loudness after any gain and a model of the limiter without running
//! it.

use crate::meter::kweighting::{KCoeffs, KFilterLanes};
use crate::meter::{LoudnessHistogram, energy_to_lufs};
use crate::util::{gcd, running_max};

/// Chunks per 10 ms meter sub-block: chunk `k` ends at `round(k * rate / 400)`, so every
/// fourth boundary is one of the meter's and gating blocks line up with `lacquer analyze`'s.
const CHUNKS_PER_SUB_BLOCK: u64 = 4;
/// A chunk's duration, seconds.
pub(super) const CHUNK_S: f64 = 0.01 / CHUNKS_PER_SUB_BLOCK as f64;
/// Chunks per 100 ms gating step.
const CHUNKS_PER_STEP: usize = 40;
/// Steps per 400 ms gating block.
const STEPS_PER_BLOCK: usize = 4;
/// BS.1770 relative gate for integrated loudness.
const RELATIVE_GATE_LU: f64 = -10.0;

/// K-weighted energy, frames and peak of every 2.5 ms chunk of a signal.
#[derive(Debug, Clone, PartialEq)]
pub struct LoudnessProfile {
    pub(super) sample_rate: f64,
    /// Per chunk: the sum over frames and channels of the K-weighted squares (BS.1770 weights
    /// are 1 for mono, left and right).
    pub(super) energies: Vec<f64>,
    /// Per chunk: frames.
    pub(super) frames: Vec<u32>,
    /// Per chunk: the largest magnitude in any channel.
    pub(super) peaks: Vec<f32>,
}

impl LoudnessProfile {
    /// Measures `channels` (one slice per channel, mono or stereo; more are ignored, as the
    /// meter does).
    pub fn measure<S: AsRef<[f32]>>(channels: &[S], sample_rate: f64) -> Self {
        let channels = &channels[..channels.len().min(2)];
        let frames = channels.iter().map(|c| c.as_ref().len()).min().unwrap_or(0);
        let rate = sample_rate.round() as u64;
        let per_second = 100 * CHUNKS_PER_SUB_BLOCK;
        let boundary = |k: u64| ((k * rate + per_second / 2) / per_second) as usize;
        let mut edges = vec![0];
        while *edges.last().expect("not empty") < frames {
            edges.push(boundary(edges.len() as u64).min(frames));
        }
        let chunks = edges.len() - 1;
        let mut profile = Self {
            sample_rate,
            energies: vec![0.0; chunks],
            frames: edges.windows(2).map(|w| (w[1] - w[0]) as u32).collect(),
            peaks: vec![0.0; chunks],
        };
        if !channels.is_empty() {
            let channels: Vec<&[f32]> = channels.iter().map(|c| &c.as_ref()[..frames]).collect();
            Sections::new(&edges, channels.len(), rate).measure(&channels, &edges, &mut profile);
        }
        profile
    }

    /// The sample rate measured at.
    pub fn sample_rate(&self) -> f64 {
        self.sample_rate
    }

    /// Integrated loudness (BS.1770 gating), LUFS; `None` for silence.
    pub fn integrated_lufs(&self) -> Option<f64> {
        gated_lufs(self.gating_blocks())
    }

    /// The mean squares of the signal's 400 ms gating blocks, 100 ms apart: the blocks of
    /// several files together give their loudness as a whole (an album's).
    pub fn gating_blocks(&self) -> impl Iterator<Item = f64> + '_ {
        self.block_energies(self.energies.iter().copied())
    }

    /// The mean squares of the 400 ms gating blocks (100 ms apart) of the chunk energies
    /// `energies` (this profile's, or a gained version of them).
    pub fn block_energies(
        &self,
        energies: impl IntoIterator<Item = f64>,
    ) -> impl Iterator<Item = f64> + '_ {
        let energies: Vec<f64> = energies.into_iter().collect();
        // Per 100 ms step: energy and frames.
        let steps: Vec<(f64, u64)> = energies
            .chunks_exact(CHUNKS_PER_STEP)
            .zip(self.frames.chunks_exact(CHUNKS_PER_STEP))
            .map(|(e, n)| (e.iter().sum(), n.iter().map(|&n| u64::from(n)).sum()))
            .collect();
        (0..steps.len().saturating_sub(STEPS_PER_BLOCK - 1)).map(move |j| {
            let (energy, frames) = steps[j..j + STEPS_PER_BLOCK]
                .iter()
                .fold((0.0, 0), |(e, n), &(energy, frames)| {
                    (e + energy, n + frames)
                });
            energy / frames as f64
        })
    }
}

/// Lanes measured side by side: the signal is cut into sections (four of a mono signal, two
/// of a stereo one) and every channel of every section is one lane of a four-lane K-weighting
/// filter, so its recursion, bound by one lane's dependency chain, does four lanes' work.
const LANES: usize = 4;
/// How long a section's filters run before the section starts (on the previous section's
/// frames, which that section measures), so their state has forgotten their silent start: the
/// K-weighting high-pass (38 Hz, Q 0.5) has decayed by e^-230 after one second, far below
/// f64 resolution.
const WARM_UP_S: f64 = 1.0;

/// Where each section's filters start and which of its chunks it measures.
#[derive(Debug)]
struct Sections {
    channels: usize,
    count: usize,
    /// Per section: the first chunk its filters run, and the first chunk it measures. Starts
    /// are whole periods of the chunk-length pattern apart, so every section's k-th chunk has
    /// the same length and the lanes run in step.
    starts: [usize; LANES],
    measured_from: [usize; LANES],
    /// Chunks every section runs in step; the last section then runs the rest on its own.
    in_step: usize,
}

impl Sections {
    fn new(edges: &[usize], channels: usize, rate: u64) -> Self {
        let chunks = edges.len() - 1;
        let per_second = 100 * CHUNKS_PER_SUB_BLOCK;
        // Chunk k ends at round(k · rate / per_second): the lengths repeat every `period` chunks.
        let period = (per_second / gcd(rate.max(1), per_second)) as usize;
        let warm_up = ((WARM_UP_S * per_second as f64) as usize).next_multiple_of(period);
        let wanted = (LANES / channels).max(1);
        // Each section but the last runs its own chunks and the next one's warm-up. The last
        // (perhaps shorter) chunk stays out of step.
        let stride = ((chunks - 1).saturating_sub(warm_up) / wanted) / period * period;
        let count = if stride == 0 { 1 } else { wanted };
        let mut starts = [0; LANES];
        let mut measured_from = [0; LANES];
        for s in 1..count {
            starts[s] = s * stride;
            measured_from[s] = starts[s] + warm_up;
        }
        let in_step = if count == 1 { chunks } else { stride + warm_up };
        Self {
            channels,
            count,
            starts,
            measured_from,
            in_step,
        }
    }

    /// Fills `profile`'s energies and peaks.
    fn measure(&self, channels: &[&[f32]], edges: &[usize], profile: &mut LoudnessProfile) {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx") {
            // SAFETY: the CPU has AVX (checked just above).
            return unsafe { self.measure_avx(channels, edges, profile) };
        }
        self.measure_lanes(channels, edges, profile);
    }

    /// [`Self::measure_lanes`] in 256-bit vectors (no fused operations: the same results).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx")]
    fn measure_avx(&self, channels: &[&[f32]], edges: &[usize], profile: &mut LoudnessProfile) {
        self.measure_lanes(channels, edges, profile);
    }

    #[inline(always)]
    fn measure_lanes(&self, channels: &[&[f32]], edges: &[usize], profile: &mut LoudnessProfile) {
        let coeffs = KCoeffs::new(profile.sample_rate);
        let mut filters = KFilterLanes::<LANES>::default();
        let lanes = self.count * self.channels;
        // Lane l: section l / channels, channel l % channels; idle lanes read silence.
        let longest = edges.windows(2).map(|w| w[1] - w[0]).max().unwrap_or(0);
        let silence = vec![0.0f32; longest];
        for k in 0..self.in_step {
            let len = edges[k + 1] - edges[k];
            // Each lane's k-th chunk (the same length in every section).
            let rows: [&[f32]; LANES] = std::array::from_fn(|l| {
                if l < lanes {
                    let start = edges[self.starts[l / self.channels] + k];
                    &channels[l % self.channels][start..start + len]
                } else {
                    &silence[..len]
                }
            });
            let (energy, peak) = run_chunk(&mut filters, &coeffs, len, |i| {
                std::array::from_fn(|l| rows[l][i])
            });
            for s in 0..self.count {
                let chunk = self.starts[s] + k;
                if chunk >= self.measured_from[s] {
                    profile.record(chunk, (&energy, &peak), self.lanes_of(s));
                }
            }
        }
        // The last section's remaining chunks, its lanes on their own.
        let lanes = self.lanes_of(self.count - 1);
        for chunk in self.starts[self.count - 1] + self.in_step..edges.len() - 1 {
            let start = edges[chunk];
            let (energy, peak) = run_chunk(&mut filters, &coeffs, edges[chunk + 1] - start, |i| {
                std::array::from_fn(|l| {
                    if lanes.contains(&l) {
                        channels[l % self.channels][start + i]
                    } else {
                        0.0
                    }
                })
            });
            profile.record(chunk, (&energy, &peak), lanes.clone());
        }
    }

    /// The lanes of section `s`, one per channel.
    fn lanes_of(&self, s: usize) -> std::ops::Range<usize> {
        s * self.channels..(s + 1) * self.channels
    }
}

impl LoudnessProfile {
    /// Chunk `chunk`'s energy and peak from those of its channels' `lanes`.
    fn record(
        &mut self,
        chunk: usize,
        (energy, peak): (&[f64; LANES], &[f32; LANES]),
        lanes: std::ops::Range<usize>,
    ) {
        self.energies[chunk] = energy[lanes.clone()].iter().sum();
        self.peaks[chunk] = peak[lanes].iter().copied().fold(0.0, running_max);
    }
}

/// Runs `len` frames through the lanes (`frame(i)`: frame `i` of every lane): each lane's
/// K-weighted energy and sample peak.
#[inline(always)]
fn run_chunk(
    filters: &mut KFilterLanes<LANES>,
    coeffs: &KCoeffs,
    len: usize,
    frame: impl Fn(usize) -> [f32; LANES],
) -> ([f64; LANES], [f32; LANES]) {
    let mut energy = [0.0f64; LANES];
    let mut peak = [0.0f32; LANES];
    for i in 0..len {
        let x = frame(i);
        let y = filters.tick(coeffs, x.map(f64::from));
        for l in 0..LANES {
            energy[l] += y[l] * y[l];
            peak[l] = running_max(peak[l], x[l].abs());
        }
    }
    filters.flush_denormals();
    (energy, peak)
}

/// BS.1770 integrated loudness of gating-block mean squares: absolute gate at -70 LUFS,
/// relative gate 10 LU below the mean of the rest. `None` when no block passes.
pub fn gated_lufs(block_energies: impl IntoIterator<Item = f64>) -> Option<f64> {
    let mut histogram = LoudnessHistogram::default();
    for energy in block_energies {
        histogram.add(energy);
    }
    histogram
        .gated_mean_energy(RELATIVE_GATE_LU)
        .map(energy_to_lufs)
}
