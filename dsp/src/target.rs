//! Loudness targets: where a master should land for each platform, whether it complies, and what
//! the platform's own loudness normalisation will do to it (for the platform preview).

/// A delivery target. Platform targets set the limiter's ceiling; `Custom` leaves the ceiling
/// to the limiter and aims at the custom loudness.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum LoudnessTarget {
    #[default]
    Custom,
    Spotify,
    AppleMusic,
    YouTube,
    Amazon,
    Tidal,
    EbuR128,
    AtscA85,
    /// CD and club masters: no normalisation downstream, loud by choice.
    Loud,
}

/// How a platform normalises playback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Normalisation {
    /// Playback is not normalised.
    None,
    /// Loud tracks are turned down to the reference; quiet ones are left alone.
    DownOnly,
    /// Loud tracks are turned down; quiet ones are turned up as far as their true-peak headroom
    /// allows (no limiter on playback).
    UpAndDown,
}

/// What a target asks of a master.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TargetSpec {
    /// Integrated loudness the target aims at, LUFS.
    pub lufs: f64,
    /// Highest true peak allowed, dBTP.
    pub max_true_peak_dbtp: f64,
    /// Some platforms ask for more headroom when the master is louder than their reference:
    /// Spotify asks for -2 dBTP above -14 LUFS.
    pub loud_true_peak_dbtp: Option<(f64, f64)>,
    /// Playback normalisation the platform applies.
    pub normalisation: Normalisation,
}

impl LoudnessTarget {
    /// Every target, in the order of the parameter's choices.
    pub const ALL: [LoudnessTarget; 9] = [
        LoudnessTarget::Custom,
        LoudnessTarget::Spotify,
        LoudnessTarget::AppleMusic,
        LoudnessTarget::YouTube,
        LoudnessTarget::Amazon,
        LoudnessTarget::Tidal,
        LoudnessTarget::EbuR128,
        LoudnessTarget::AtscA85,
        LoudnessTarget::Loud,
    ];

    /// The target's name as the parameter shows it.
    pub fn name(self) -> &'static str {
        match self {
            LoudnessTarget::Custom => "Custom",
            LoudnessTarget::Spotify => "Spotify",
            LoudnessTarget::AppleMusic => "Apple Music",
            LoudnessTarget::YouTube => "YouTube",
            LoudnessTarget::Amazon => "Amazon Music",
            LoudnessTarget::Tidal => "Tidal",
            LoudnessTarget::EbuR128 => "EBU R128",
            LoudnessTarget::AtscA85 => "ATSC A/85",
            LoudnessTarget::Loud => "CD / Club",
        }
    }

    /// What the target asks for. `Custom` aims at `custom_lufs` with the limiter's own
    /// `ceiling_dbtp`, normalised both ways like a broadcast playout.
    pub fn spec(self, custom_lufs: f64, ceiling_dbtp: f64) -> TargetSpec {
        use Normalisation::*;
        let (lufs, max_true_peak_dbtp, normalisation) = match self {
            LoudnessTarget::Custom => (custom_lufs, ceiling_dbtp, UpAndDown),
            LoudnessTarget::Spotify => (-14.0, -1.0, UpAndDown),
            LoudnessTarget::AppleMusic => (-16.0, -1.0, UpAndDown),
            LoudnessTarget::YouTube => (-14.0, -1.0, DownOnly),
            LoudnessTarget::Amazon => (-14.0, -2.0, DownOnly),
            LoudnessTarget::Tidal => (-14.0, -1.0, DownOnly),
            LoudnessTarget::EbuR128 => (-23.0, -1.0, UpAndDown),
            LoudnessTarget::AtscA85 => (-24.0, -2.0, UpAndDown),
            LoudnessTarget::Loud => (-9.0, -0.3, None),
        };
        TargetSpec {
            lufs,
            max_true_peak_dbtp,
            loud_true_peak_dbtp: (self == LoudnessTarget::Spotify).then_some((-14.0, -2.0)),
            normalisation,
        }
    }

    /// The limiter ceiling the target sets; `None` for `Custom` (the limiter's own ceiling).
    pub fn ceiling_dbtp(self) -> Option<f64> {
        (self != LoudnessTarget::Custom).then(|| self.spec(0.0, 0.0).max_true_peak_dbtp)
    }
}

impl TargetSpec {
    /// The true peak allowed for a master of `integrated_lufs`. A master that reads the
    /// reference to 0.1 LU is at it, not above it.
    pub fn allowed_true_peak_dbtp(&self, integrated_lufs: f64) -> f64 {
        match self.loud_true_peak_dbtp {
            Some((above_lufs, tighter))
                if integrated_lufs >= above_lufs + LOUDNESS_TOLERANCE_LU =>
            {
                tighter
            }
            _ => self.max_true_peak_dbtp,
        }
    }

    /// The gain the platform applies on playback to a master of this loudness and true peak.
    pub fn playback_gain_db(&self, integrated_lufs: f64, true_peak_dbtp: f64) -> f64 {
        let to_reference = self.lufs - integrated_lufs;
        match self.normalisation {
            Normalisation::None => 0.0,
            Normalisation::DownOnly => to_reference.min(0.0),
            Normalisation::UpAndDown if to_reference <= 0.0 => to_reference,
            Normalisation::UpAndDown => {
                let headroom = (self.max_true_peak_dbtp - true_peak_dbtp).max(0.0);
                to_reference.min(headroom)
            }
        }
    }

    /// How the master measures against the target.
    pub fn readout(&self, integrated_lufs: Option<f64>, true_peak_dbtp: f64) -> TargetReadout {
        let allowed = self.allowed_true_peak_dbtp(integrated_lufs.unwrap_or(f64::NEG_INFINITY));
        TargetReadout {
            target_lufs: self.lufs,
            allowed_true_peak_dbtp: allowed,
            distance_lu: integrated_lufs.map(|lufs| lufs - self.lufs),
            true_peak_complies: true_peak_dbtp <= allowed + TRUE_PEAK_TOLERANCE_DB,
        }
    }
}

/// Loudness is shown to 0.1 LU: a master within half of that of a reference reads it.
const LOUDNESS_TOLERANCE_LU: f64 = 0.05;
/// True peaks are shown to 0.01 dB: a peak that reads the limit complies.
const TRUE_PEAK_TOLERANCE_DB: f64 = 0.005;

/// The output measured against the selected target.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TargetReadout {
    pub target_lufs: f64,
    /// The true peak allowed at the measured loudness.
    pub allowed_true_peak_dbtp: f64,
    /// Integrated loudness minus the target, LU; `None` until measured.
    pub distance_lu: Option<f64>,
    /// Whether the highest true peak so far is within the allowed one.
    pub true_peak_complies: bool,
}

impl Default for TargetReadout {
    fn default() -> Self {
        LoudnessTarget::Custom
            .spec(-14.0, -1.0)
            .readout(None, f64::NEG_INFINITY)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platforms_turn_down_loud_masters_and_only_some_turn_up_quiet_ones() {
        let spotify = LoudnessTarget::Spotify.spec(0.0, 0.0);
        assert_eq!(spotify.playback_gain_db(-9.0, -0.5), -5.0);
        assert_eq!(spotify.playback_gain_db(-18.0, -6.0), 4.0);
        // Turn-up stops at -1 dBTP.
        assert_eq!(spotify.playback_gain_db(-18.0, -3.0), 2.0);
        let youtube = LoudnessTarget::YouTube.spec(0.0, 0.0);
        assert_eq!(youtube.playback_gain_db(-18.0, -6.0), 0.0);
        assert_eq!(youtube.playback_gain_db(-10.0, -1.0), -4.0);
        assert_eq!(
            LoudnessTarget::Loud
                .spec(0.0, 0.0)
                .playback_gain_db(-20.0, -9.0),
            0.0
        );
    }

    #[test]
    fn spotify_asks_for_more_headroom_from_loud_masters() {
        let spotify = LoudnessTarget::Spotify.spec(0.0, 0.0);
        let loud = spotify.readout(Some(-9.0), -1.5);
        assert_eq!(loud.allowed_true_peak_dbtp, -2.0);
        assert!(!loud.true_peak_complies);
        assert_eq!(loud.distance_lu, Some(5.0));
        let quiet = spotify.readout(Some(-15.0), -1.5);
        assert!(quiet.true_peak_complies);
    }

    #[test]
    fn custom_uses_the_limiter_ceiling_and_platforms_set_their_own() {
        assert_eq!(LoudnessTarget::Custom.ceiling_dbtp(), None);
        assert_eq!(LoudnessTarget::Amazon.ceiling_dbtp(), Some(-2.0));
        assert_eq!(LoudnessTarget::AtscA85.ceiling_dbtp(), Some(-2.0));
        let custom = LoudnessTarget::Custom.spec(-12.0, -0.5);
        assert_eq!((custom.lufs, custom.max_true_peak_dbtp), (-12.0, -0.5));
    }
}
