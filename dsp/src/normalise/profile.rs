//! A file's loudness profile: K-weighted energy and sample peak per 2.5 ms chunk, enough to
//! predict the integrated loudness after any gain and a model of the limiter without running
//! it.

use crate::meter::kweighting::{KCoeffs, KFilter, StereoKFilter};
use crate::meter::{LoudnessHistogram, energy_to_lufs};
use crate::util::running_max;

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
        let coeffs = KCoeffs::new(sample_rate);
        let mut filters = [KFilter::default(); 2];
        for (k, edge) in edges.windows(2).enumerate() {
            let range = edge[0]..edge[1];
            let (energy, peak) = match channels {
                [mono] => chunk_mono(&coeffs, &mut filters[0], &mono.as_ref()[range]),
                [left, right] => {
                    let [l, r] = &mut filters;
                    chunk_stereo(
                        &coeffs,
                        [l, r],
                        &left.as_ref()[range.clone()],
                        &right.as_ref()[range],
                    )
                }
                _ => (0.0, 0.0),
            };
            filters.iter_mut().for_each(KFilter::flush_denormals);
            profile.energies[k] = energy;
            profile.peaks[k] = peak;
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

/// One chunk of one channel: K-weighted energy and sample peak.
fn chunk_mono(coeffs: &KCoeffs, filter: &mut KFilter, samples: &[f32]) -> (f64, f32) {
    let (mut energy, mut peak) = (0.0, 0.0f32);
    let mut local = *filter;
    for &x in samples {
        let y = local.tick(coeffs, f64::from(x));
        energy += y * y;
        peak = running_max(peak, x.abs());
    }
    *filter = local;
    (energy, peak)
}

/// One chunk of two channels in one loop (the two filter recursions run in parallel).
fn chunk_stereo(
    coeffs: &KCoeffs,
    [left_filter, right_filter]: [&mut KFilter; 2],
    left: &[f32],
    right: &[f32],
) -> (f64, f32) {
    let (mut energy, mut peak) = (0.0, 0.0f32);
    // Filter states in locals, so they stay in registers rather than round-trip through memory
    // every sample (a third of the time).
    let mut filter = StereoKFilter::load([&*left_filter, &*right_filter]);
    for (&l, &r) in left.iter().zip(right) {
        let [yl, yr] = filter.tick(coeffs, [f64::from(l), f64::from(r)]);
        energy += yl * yl + yr * yr;
        peak = running_max(running_max(peak, l.abs()), r.abs());
    }
    filter.store([left_filter, right_filter]);
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
