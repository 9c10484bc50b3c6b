//! A compressor's control path for one or two channels: level detectors → gain computer →
//! ballistics, from the key signal to the gain in dB.

use super::{Ballistics, Detection, GainComputer, LevelDetector};

const MAX_CHANNELS: usize = 2;

/// Timing and detection of a [`Sidechain`], in physical units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SidechainSettings {
    pub computer: GainComputer,
    pub detection: Detection,
    pub attack_ms: f64,
    pub release_ms: f64,
    pub auto_release: bool,
    /// One gain for both channels, from the louder one (keeps the stereo image).
    pub linked: bool,
}

/// The control path. Fixed size, never allocates.
#[derive(Debug, Clone, Default)]
pub struct Sidechain {
    detectors: [LevelDetector; MAX_CHANNELS],
    computer: GainComputer,
    ballistics: [Ballistics; MAX_CHANNELS],
    linked: bool,
    sample_rate: f64,
}

impl Sidechain {
    /// Derives the rate-dependent constants (does not allocate) and resets.
    pub fn prepare(&mut self, sample_rate: f64) {
        self.sample_rate = sample_rate;
        for detector in &mut self.detectors {
            detector.prepare(sample_rate);
        }
        self.reset();
    }

    /// Applies new settings; the gain glides to the new curve with the attack or release.
    pub fn set(&mut self, settings: &SidechainSettings) {
        self.computer = settings.computer;
        for detector in &mut self.detectors {
            detector.set_detection(settings.detection);
        }
        for ballistics in &mut self.ballistics {
            ballistics.set_times(
                settings.attack_ms,
                settings.release_ms,
                settings.auto_release,
                self.sample_rate,
            );
        }
        if self.linked && !settings.linked {
            // The second channel continues from the shared gain.
            let [first, second] = &mut self.ballistics;
            second.clone_from(first);
        }
        self.linked = settings.linked;
    }

    /// Forgets the signal; gains back to 0 dB.
    pub fn reset(&mut self) {
        self.detectors.iter_mut().for_each(LevelDetector::reset);
        self.ballistics.iter_mut().for_each(Ballistics::reset);
    }

    /// Takes one frame of key samples (finite; `channels` of them, 1 or 2) and returns each
    /// channel's gain in dB.
    #[inline]
    pub fn tick(&mut self, key: [f64; MAX_CHANNELS], channels: usize) -> [f64; MAX_CHANNELS] {
        if self.linked || channels < 2 {
            let level = self.detectors[..channels.clamp(1, MAX_CHANNELS)]
                .iter_mut()
                .zip(key)
                .fold(0.0f64, |level, (detector, x)| level.max(detector.tick(x)));
            let gain = self.ballistics[0].tick(self.computer.gain_db_for_level(level));
            [gain; MAX_CHANNELS]
        } else {
            let mut gains = [0.0; MAX_CHANNELS];
            for (((gain, detector), ballistics), x) in gains
                .iter_mut()
                .zip(&mut self.detectors)
                .zip(&mut self.ballistics)
                .zip(key)
            {
                *gain = ballistics.tick(self.computer.gain_db_for_level(detector.tick(x)));
            }
            gains
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sidechain(linked: bool) -> Sidechain {
        let mut s = Sidechain::default();
        s.prepare(48_000.0);
        s.set(&SidechainSettings {
            computer: GainComputer::new(-20.0, 4.0, 0.0),
            detection: Detection::Peak,
            attack_ms: 0.05,
            release_ms: 100.0,
            auto_release: false,
            linked,
        });
        s
    }

    #[test]
    fn linked_channels_share_the_louder_channels_gain() {
        let mut s = sidechain(true);
        let mut gains = [0.0; 2];
        for _ in 0..4_800 {
            gains = s.tick([0.1, 1.0], 2);
        }
        // 1.0 is 20 dB over: -15 dB on both.
        assert!(
            (gains[0] + 15.0).abs() < 1e-6 && gains[0] == gains[1],
            "{gains:?}"
        );
    }

    #[test]
    fn unlinked_channels_have_their_own_gain() {
        let mut s = sidechain(false);
        let mut gains = [0.0; 2];
        for _ in 0..4_800 {
            gains = s.tick([0.01, 1.0], 2);
        }
        assert_eq!(gains[0], 0.0);
        assert!((gains[1] + 15.0).abs() < 1e-6);
    }
}
