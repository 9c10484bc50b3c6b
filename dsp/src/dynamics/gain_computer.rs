//! The static curve: from a detected level to the gain it calls for.

use crate::util::db_to_gain;

/// Ratios offered. Below 1:1 the band expands upwards: above the threshold the output rises
/// faster than the input (0.5:1 doubles every dB over the threshold).
pub const RATIO_MIN: f64 = 0.5;
pub const RATIO_MAX: f64 = 20.0;
/// Widest soft knee, dB.
pub const KNEE_MAX_DB: f64 = 24.0;
/// Upward expansion never adds more than this, dB: a loud transient cannot explode.
pub const MAX_EXPANSION_DB: f64 = 12.0;
/// Levels above this (+24 dBFS) read as this: a runaway or corrupt input (1e30) cannot call
/// for hundreds of dB of reduction and hold the output silent for seconds of release.
pub const MAX_LEVEL_DB: f64 = 24.0;
const MAX_LEVEL: f64 = 15.848_931_924_611_133;

/// Threshold, ratio and soft knee: a value the GUI can plot ([`Self::output_db`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GainComputer {
    threshold_db: f64,
    knee_db: f64,
    /// `1/ratio - 1`: the gain's slope over the threshold (negative when compressing).
    slope: f64,
    /// The level (linear) below which the gain is 0 dB, so quiet passages skip the logarithm.
    knee_start: f64,
}

impl Default for GainComputer {
    fn default() -> Self {
        Self::new(0.0, 1.0, 0.0)
    }
}

impl GainComputer {
    /// `ratio` is clamped to [`RATIO_MIN`]..=[`RATIO_MAX`], the knee to 0..=[`KNEE_MAX_DB`].
    pub fn new(threshold_db: f64, ratio: f64, knee_db: f64) -> Self {
        let ratio = ratio.clamp(RATIO_MIN, RATIO_MAX);
        let knee_db = knee_db.clamp(0.0, KNEE_MAX_DB);
        let slope = 1.0 / ratio - 1.0;
        Self {
            threshold_db,
            knee_db,
            slope,
            knee_start: if slope == 0.0 {
                f64::INFINITY
            } else {
                db_to_gain(threshold_db - 0.5 * knee_db)
            },
        }
    }

    /// Gain for a level in dB (Giannoulis, Massberg & Reiss, "Digital Dynamic Range Compressor
    /// Design", JAES 2012, eq. 4): 0 below the knee, `(level - threshold) · (1/ratio - 1)` above
    /// it, and the quadratic joining them across the knee.
    pub fn gain_db(&self, level_db: f64) -> f64 {
        let over = level_db - self.threshold_db;
        let gain = if 2.0 * over <= -self.knee_db {
            0.0
        } else if 2.0 * over < self.knee_db {
            let into = over + 0.5 * self.knee_db;
            self.slope * into * into / (2.0 * self.knee_db)
        } else {
            self.slope * over
        };
        gain.min(MAX_EXPANSION_DB)
    }

    /// The designed output level for an input level, dB: the curve the GUI draws.
    pub fn output_db(&self, level_db: f64) -> f64 {
        level_db + self.gain_db(level_db)
    }

    /// Gain for a linear level (from the detector), dB.
    #[inline]
    pub fn gain_db_for_level(&self, level: f64) -> f64 {
        if level > self.knee_start {
            self.gain_db(20.0 * level.min(MAX_LEVEL).log10())
        } else {
            0.0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curve_has_threshold_ratio_and_a_smooth_knee() {
        let c = GainComputer::new(-20.0, 4.0, 6.0);
        assert_eq!(c.gain_db(-30.0), 0.0);
        assert_eq!(c.gain_db(-23.0), 0.0);
        // 12 dB over: 3 dB out of 12 remain.
        assert!((c.output_db(-8.0) + 17.0).abs() < 1e-12);
        // At the threshold the knee has taken (W/2)² · slope / 2W = -0.5625 dB.
        assert!((c.gain_db(-20.0) + 0.5625).abs() < 1e-12);
        // Continuous at both knee edges.
        for edge in [-23.0, -17.0] {
            assert!((c.gain_db(edge - 1e-9) - c.gain_db(edge + 1e-9)).abs() < 1e-8);
        }
        assert!((c.gain_db_for_level(1.0) - c.gain_db(0.0)).abs() < 1e-12);
        assert_eq!(c.gain_db_for_level(0.0), 0.0);
    }

    #[test]
    fn unity_ratio_is_exactly_neutral_and_expansion_is_capped() {
        let neutral = GainComputer::new(-40.0, 1.0, 10.0);
        for level in [0.0, 1e-3, 1.0, 1e6] {
            assert_eq!(neutral.gain_db_for_level(level), 0.0);
        }
        let upward = GainComputer::new(-20.0, 0.5, 0.0);
        assert!((upward.gain_db(-14.0) - 6.0).abs() < 1e-12);
        assert_eq!(upward.gain_db(20.0), MAX_EXPANSION_DB);
        let compressor = GainComputer::new(0.0, 2.0, 0.0);
        assert!((compressor.gain_db_for_level(1e30) + 0.5 * MAX_LEVEL_DB).abs() < 1e-9);
        assert!((20.0 * MAX_LEVEL.log10() - MAX_LEVEL_DB).abs() < 1e-12);
    }
}
