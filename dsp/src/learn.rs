//! "Learn": listens to the programme and proposes the limiter drive that lands the output on the
//! target integrated loudness. It never changes the sound itself; the engineer applies the
//! proposal.
//!
//! A limiter's loudness gain is not the drive: the more it limits, the less each extra dB of
//! drive adds. So while learning, the signal that enters the limiter also runs through shadow
//! limiters at a grid of drives (0, 2, ... 24 dB), each followed by the output gain and a
//! loudness meter. The proposal interpolates the measured loudness-versus-drive curve, so it
//! holds however hard the programme is limited. Shadows run only while learning.

use crate::limiter::{Limiter, LimiterParams};
use crate::meter::Meter;
use crate::util::{GainRamp, db_to_gain};
use crate::{ProcessSpec, Processor};

/// Drives the shadow limiters try, dB (the drive parameter's range, every 2 dB).
const DRIVE_STEP_DB: f64 = 2.0;
const DRIVES: usize = 13;
const MAX_CHANNELS: usize = 2;

/// A proposed drive.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DriveProposal {
    /// The limiter drive that reaches the target, dB (clamped to 0..24).
    pub drive_db: f64,
    /// The integrated loudness expected at that drive, LUFS.
    pub expected_lufs: f64,
    /// False when the target lies outside what 0..24 dB of drive can reach.
    pub reaches_target: bool,
}

/// What Learn shows: whether it is listening, and its proposal so far.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct LearnReadout {
    pub listening: bool,
    pub proposal: Option<DriveProposal>,
}

/// One shadow: a limiter at a fixed drive and a meter on its output.
#[derive(Debug, Clone)]
struct Shadow {
    limiter: Limiter,
    meter: Meter,
}

/// The shadow limiters and their meters.
#[derive(Debug, Clone)]
pub struct DriveLearner {
    shadows: Vec<Shadow>,
    scratch: [Vec<f32>; MAX_CHANNELS],
    /// The chain's output trim (held still while learning).
    output_gain: GainRamp,
    listening: bool,
}

impl Default for DriveLearner {
    fn default() -> Self {
        Self {
            shadows: Vec::new(),
            scratch: Default::default(),
            output_gain: GainRamp::new(1.0),
            listening: false,
        }
    }
}

impl DriveLearner {
    /// Builds the shadows for `spec`. Allocates.
    pub fn prepare(&mut self, spec: &ProcessSpec) {
        self.shadows = (0..DRIVES)
            .map(|_| {
                let mut limiter = Limiter::new(LimiterParams::default());
                limiter.prepare(spec);
                let mut meter = Meter::default();
                meter.prepare(spec);
                Shadow { limiter, meter }
            })
            .collect();
        self.scratch = Default::default();
        for scratch in &mut self.scratch {
            *scratch = vec![0.0; spec.max_block_size];
        }
        self.listening = false;
    }

    /// Starts listening afresh with the chain's limiter settings and output gain.
    pub fn start(&mut self, limiter: &LimiterParams, output_gain_db: f64) {
        for (i, shadow) in self.shadows.iter_mut().enumerate() {
            shadow.limiter.set_params(&LimiterParams {
                enabled: true,
                drive_db: i as f64 * DRIVE_STEP_DB,
                delta: false,
                unity_gain: false,
                ..limiter.clone()
            });
            shadow.limiter.reset();
            shadow.meter.reset();
        }
        self.output_gain = GainRamp::new(db_to_gain(output_gain_db));
        self.listening = true;
    }

    /// Stops listening; the proposal stays.
    pub fn stop(&mut self) {
        self.listening = false;
    }

    pub fn is_listening(&self) -> bool {
        self.listening
    }

    /// Feeds the block that is about to enter the chain's limiter.
    pub fn process(&mut self, block: &[&mut [f32]]) {
        if !self.listening {
            return;
        }
        let channels = block.len().min(MAX_CHANNELS);
        let frames = block.iter().map(|c| c.len()).min().unwrap_or(0);
        for shadow in &mut self.shadows {
            let [left, right] = &mut self.scratch;
            let mut scratch = [&mut left[..frames], &mut right[..frames]];
            let scratch = &mut scratch[..channels];
            for (copy, input) in scratch.iter_mut().zip(block) {
                copy.copy_from_slice(&input[..frames]);
            }
            shadow.limiter.process(scratch);
            self.output_gain.apply(scratch);
            shadow.meter.process(scratch);
        }
    }

    /// The drive that reaches `target_lufs`, from what was heard so far; `None` until the
    /// loudness is measured (the first 400 ms block passing the gates).
    pub fn proposal(&self, target_lufs: f64) -> Option<DriveProposal> {
        if self.shadows.is_empty() {
            return None;
        }
        let mut curve = [(0.0, 0.0); DRIVES];
        for (i, (point, shadow)) in curve.iter_mut().zip(&self.shadows).enumerate() {
            let lufs = shadow.meter.readings().loudness.integrated_lufs?;
            *point = (i as f64 * DRIVE_STEP_DB, lufs);
        }
        proposal_on_curve(&curve, target_lufs)
    }

    /// What the editor shows.
    pub fn readout(&self, target_lufs: f64) -> LearnReadout {
        LearnReadout {
            listening: self.listening,
            proposal: self.proposal(target_lufs),
        }
    }
}

/// Interpolates a rising loudness-versus-drive curve at `target_lufs`.
fn proposal_on_curve(curve: &[(f64, f64)], target_lufs: f64) -> Option<DriveProposal> {
    let (first, last) = (*curve.first()?, *curve.last()?);
    if target_lufs <= first.1 {
        return Some(DriveProposal {
            drive_db: first.0,
            expected_lufs: first.1,
            reaches_target: (target_lufs - first.1).abs() < 0.05,
        });
    }
    for pair in curve.windows(2) {
        let ((d0, l0), (d1, l1)) = (pair[0], pair[1]);
        if target_lufs <= l1 && l1 > l0 {
            let drive_db = d0 + (d1 - d0) * (target_lufs - l0) / (l1 - l0);
            return Some(DriveProposal {
                drive_db,
                expected_lufs: target_lufs,
                reaches_target: true,
            });
        }
    }
    Some(DriveProposal {
        drive_db: last.0,
        expected_lufs: last.1,
        reaches_target: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolates_between_measured_drives_and_says_when_out_of_reach() {
        let curve = [(0.0, -20.0), (2.0, -18.2), (4.0, -16.8)];
        let p = proposal_on_curve(&curve, -17.5).unwrap();
        assert!((p.drive_db - 3.0).abs() < 1e-9 && p.reaches_target);
        let too_loud = proposal_on_curve(&curve, -10.0).unwrap();
        assert_eq!((too_loud.drive_db, too_loud.reaches_target), (4.0, false));
        let too_quiet = proposal_on_curve(&curve, -25.0).unwrap();
        assert_eq!((too_quiet.drive_db, too_quiet.reaches_target), (0.0, false));
    }
}
