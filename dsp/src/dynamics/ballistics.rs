//! Attack and release: how fast the gain follows the gain computer.
//!
//! They act on the gain in dB, after the gain computer (Giannoulis, Massberg & Reiss 2012, "log
//! domain, after the gain computer"): a change of gain reduction is one exponential of the set
//! time constant, however far the level moves or where the threshold sits, and release after
//! the signal stops takes exactly the release time.

/// Gains within this of their target, dB, arrive (so a released gain is exactly 0 dB, and the
/// state never decays into subnormals).
const SNAP_DB: f64 = 1e-9;
/// Automatic release: fast and slow time constants as fractions and multiples of the set
/// release (the limiter's program-dependent release, in dB).
const AUTO_FAST: f64 = 0.25;
const AUTO_SLOW: f64 = 4.0;

/// One gain's attack/release state. Fixed size, never allocates.
#[derive(Debug, Clone, Default)]
pub struct Ballistics {
    /// Per-sample weights kept of the old value: `exp(-1 / (τ · rate))`.
    attack: f64,
    release: f64,
    slow: f64,
    auto_release: bool,
    gain_db: f64,
    /// Automatic release: a slow follower of the target; the gain releases fast towards it.
    baseline_db: f64,
}

/// The per-sample weight of a one-pole with time constant `ms`.
fn keep(ms: f64, sample_rate: f64) -> f64 {
    (-1000.0 / (ms.max(1e-3) * sample_rate)).exp()
}

impl Ballistics {
    /// Sets the time constants (63 % of a change per constant), ms. With `auto_release`, a
    /// brief reduction recovers with a quarter of `release_ms`, and reduction held for longer
    /// drags the release out towards four times it.
    pub fn set_times(
        &mut self,
        attack_ms: f64,
        release_ms: f64,
        auto_release: bool,
        sample_rate: f64,
    ) {
        self.attack = keep(attack_ms, sample_rate);
        self.auto_release = auto_release;
        if auto_release {
            self.release = keep(release_ms * AUTO_FAST, sample_rate);
            self.slow = keep(release_ms * AUTO_SLOW, sample_rate);
        } else {
            self.release = keep(release_ms, sample_rate);
        }
    }

    /// Back to 0 dB.
    pub fn reset(&mut self) {
        self.gain_db = 0.0;
        self.baseline_db = 0.0;
    }

    /// The gain now, dB.
    pub fn gain_db(&self) -> f64 {
        self.gain_db
    }

    /// Follows `target_db` for one sample and returns the gain, dB. Moving away from 0 dB
    /// (more reduction, or more upward expansion) is attack; anything else is release.
    #[inline]
    pub fn tick(&mut self, target_db: f64) -> f64 {
        let g = self.gain_db;
        let attacking = (target_db < 0.0 && target_db < g) || (target_db > 0.0 && target_db > g);
        let next = if attacking {
            target_db + (g - target_db) * self.attack
        } else if self.auto_release {
            // Release towards the baseline where it holds more than the target, never past
            // where the gain is now.
            let goal = if target_db <= 0.0 {
                target_db.min(self.baseline_db).max(g)
            } else {
                target_db.max(self.baseline_db).min(g)
            };
            goal + (g - goal) * self.release
        } else {
            target_db + (g - target_db) * self.release
        };
        self.gain_db = snap(next, target_db);
        if self.auto_release {
            self.baseline_db = snap(
                target_db + (self.baseline_db - target_db) * self.slow,
                target_db,
            );
        }
        self.gain_db
    }
}

/// `value`, or `target` once within [`SNAP_DB`] of it.
#[inline]
fn snap(value: f64, target: f64) -> f64 {
    if (value - target).abs() < SNAP_DB {
        target
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Samples until the gain covers 1 - 1/e of a step.
    fn time_constant(b: &mut Ballistics, from: f64, to: f64) -> usize {
        let mark = to + (from - to) / std::f64::consts::E;
        (1..1_000_000)
            .find(|_| {
                let g = b.tick(to);
                if to < from { g <= mark } else { g >= mark }
            })
            .unwrap_or(0)
    }

    #[test]
    fn attack_and_release_are_exact_exponentials_in_db() {
        let rate = 48_000.0;
        let mut b = Ballistics::default();
        b.set_times(10.0, 150.0, false, rate);
        assert!((480..=481).contains(&time_constant(&mut b, 0.0, -12.0)));
        for _ in 0..100_000 {
            b.tick(-12.0);
        }
        assert!((7_200..=7_201).contains(&time_constant(&mut b, -12.0, -3.0)));
        for _ in 0..1_000_000 {
            b.tick(0.0);
        }
        assert_eq!(b.gain_db(), 0.0);
    }

    #[test]
    fn upward_expansion_attacks_upwards() {
        let mut b = Ballistics::default();
        b.set_times(1.0, 100.0, false, 48_000.0);
        assert!((48..=49).contains(&time_constant(&mut b, 0.0, 6.0)));
    }

    #[test]
    fn auto_release_is_fast_after_a_blip_and_slow_after_sustained_reduction() {
        let rate = 48_000.0;
        let release_after = |held: usize| {
            let mut b = Ballistics::default();
            b.set_times(0.1, 100.0, true, rate);
            for _ in 0..held {
                b.tick(-10.0);
            }
            let from = b.gain_db();
            time_constant(&mut b, from, 0.0)
        };
        let blip = release_after(48);
        let sustained = release_after(96_000);
        assert!(blip < 2_400, "{blip}");
        assert!(sustained > 9_600, "{sustained}");
    }
}
