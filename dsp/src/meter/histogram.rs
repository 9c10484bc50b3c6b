//! Fixed-memory distribution of block loudness, for integrated loudness and loudness range.
//!
//! Like libebur128's histogram mode, but finer (0.01 LU bins instead of 0.1) and exact where it
//! matters: every bin keeps the sum of its blocks' energies, so means are computed from the
//! true energies and only the gate and percentile decisions see the 0.01 LU resolution.

/// Lowest loudness kept: the absolute gate of BS.1770 and Tech 3342.
pub const ABSOLUTE_GATE_LUFS: f64 = -70.0;
/// Highest bin's lower edge; louder blocks (beyond any real programme) share the top bin.
const TOP_LUFS: f64 = 10.0;
const BINS_PER_LU: f64 = 100.0;
const BINS: usize = ((TOP_LUFS - ABSOLUTE_GATE_LUFS) * BINS_PER_LU) as usize + 1;

/// BS.1770 loudness of a channel-weighted mean square.
#[inline]
pub fn energy_to_lufs(energy: f64) -> f64 {
    -0.691 + 10.0 * energy.log10()
}

/// The mean square that reads `lufs`.
#[inline]
pub fn lufs_to_energy(lufs: f64) -> f64 {
    10f64.powf((lufs + 0.691) / 10.0)
}

/// Counts and energy sums of blocks in 0.01 LU bins from -70 LUFS up.
#[derive(Debug, Clone)]
pub struct LoudnessHistogram {
    counts: Box<[u32]>,
    energies: Box<[f64]>,
    total_count: u64,
    total_energy: f64,
}

impl Default for LoudnessHistogram {
    fn default() -> Self {
        Self {
            counts: vec![0; BINS].into_boxed_slice(),
            energies: vec![0.0; BINS].into_boxed_slice(),
            total_count: 0,
            total_energy: 0.0,
        }
    }
}

fn bin_of(lufs: f64) -> usize {
    (((lufs - ABSOLUTE_GATE_LUFS) * BINS_PER_LU) as usize).min(BINS - 1)
}

impl LoudnessHistogram {
    /// Forgets every block.
    pub fn clear(&mut self) {
        self.counts.fill(0);
        self.energies.fill(0.0);
        self.total_count = 0;
        self.total_energy = 0.0;
    }

    /// Adds a block by its mean square; blocks at or below the absolute gate are dropped.
    pub fn add(&mut self, energy: f64) {
        let lufs = energy_to_lufs(energy);
        if !(lufs > ABSOLUTE_GATE_LUFS) {
            return;
        }
        let bin = bin_of(lufs);
        self.counts[bin] += 1;
        self.energies[bin] += energy;
        self.total_count += 1;
        self.total_energy += energy;
    }

    /// Blocks above the absolute gate.
    pub fn count(&self) -> u64 {
        self.total_count
    }

    /// The first bin whose blocks lie above `relative_lu` below the absolute-gated mean.
    fn relative_gate_bin(&self, relative_lu: f64) -> Option<usize> {
        if self.total_count == 0 {
            return None;
        }
        let mean = self.total_energy / self.total_count as f64;
        let threshold = energy_to_lufs(mean) + relative_lu;
        if threshold <= ABSOLUTE_GATE_LUFS {
            return Some(0);
        }
        let bin = bin_of(threshold);
        // The bin holding the threshold counts if its blocks' mean lies above it.
        let inside = self.counts[bin] > 0
            && energy_to_lufs(self.energies[bin] / f64::from(self.counts[bin])) > threshold;
        Some(if inside { bin } else { bin + 1 })
    }

    /// Mean energy of the blocks above the relative gate `relative_lu` (BS.1770 integrated
    /// loudness uses -10 LU). `None` when no block passes.
    pub fn gated_mean_energy(&self, relative_lu: f64) -> Option<f64> {
        let first = self.relative_gate_bin(relative_lu)?;
        let (count, energy) = self.counts[first..]
            .iter()
            .zip(&self.energies[first..])
            .fold((0u64, 0.0), |(n, e), (&c, &s)| (n + u64::from(c), e + s));
        (count > 0).then(|| energy / count as f64)
    }

    /// Loudness at the given percentiles (0..=1) of the blocks above the relative gate, by
    /// Tech 3342's nearest-rank rule `round((n - 1) * p)`. Each bin reads as the loudness of its
    /// blocks' mean energy. `None` when no block passes.
    pub fn percentiles<const N: usize>(&self, relative_lu: f64, ps: [f64; N]) -> Option<[f64; N]> {
        let first = self.relative_gate_bin(relative_lu)?;
        let n: u64 = self.counts[first..].iter().map(|&c| u64::from(c)).sum();
        if n == 0 {
            return None;
        }
        Some(ps.map(|p| {
            let rank = ((n - 1) as f64 * p).round() as u64;
            let mut seen = 0u64;
            for bin in first..BINS {
                seen += u64::from(self.counts[bin]);
                if seen > rank {
                    return energy_to_lufs(self.energies[bin] / f64::from(self.counts[bin]));
                }
            }
            unreachable!("rank {rank} below count {n}")
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gating_drops_quiet_blocks_and_averages_energies_exactly() {
        let mut h = LoudnessHistogram::default();
        for _ in 0..10 {
            h.add(lufs_to_energy(-23.0));
        }
        h.add(lufs_to_energy(-40.0)); // below the -10 LU relative gate
        h.add(lufs_to_energy(-80.0)); // below the absolute gate
        assert_eq!(h.count(), 11);
        let integrated = energy_to_lufs(h.gated_mean_energy(-10.0).unwrap());
        assert!((integrated + 23.0).abs() < 1e-9, "{integrated}");
    }

    #[test]
    fn percentiles_follow_the_nearest_rank_rule() {
        let mut h = LoudnessHistogram::default();
        for i in 0..=100 {
            h.add(lufs_to_energy(-40.0 + 0.1 * f64::from(i)));
        }
        let [low, high] = h.percentiles(-20.0, [0.10, 0.95]).unwrap();
        assert!((low + 39.0).abs() < 1e-6, "{low}");
        assert!((high + 30.5).abs() < 1e-6, "{high}");
    }

    #[test]
    fn an_empty_histogram_has_no_loudness() {
        let h = LoudnessHistogram::default();
        assert_eq!(h.gated_mean_energy(-10.0), None);
        assert_eq!(h.percentiles(-20.0, [0.1]), None);
    }
}
