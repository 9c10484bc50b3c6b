//! One channel's state and working rows, and the per-channel steps of the first stage.

use super::{Detector, GainEnvelope, PeakMode};
use crate::oversampling::{FarField, PeakScanner};
use crate::util::DelayLine;

/// One channel's state and its per-chunk working rows.
#[derive(Debug, Clone, Default)]
pub(super) struct Channel {
    pub(super) detector: Detector,
    pub(super) main: GainEnvelope,
    pub(super) high: GainEnvelope,
    /// Samples left for which the high band stays out.
    pub(super) high_out_for: usize,
    pub(super) low_delay: DelayLine,
    pub(super) high_delay: DelayLine,
    /// The safety stage: measures the first stage's output, corrects the rest.
    pub(super) safety_scanner: PeakScanner,
    pub(super) safety_far: FarField,
    pub(super) safety: GainEnvelope,
    pub(super) safety_delay: DelayLine,
    pub(super) safety_high_delay: DelayLine,
    /// Delays the input to the output for delta listening.
    pub(super) dry_delay: DelayLine,
    /// Delays the untouched input by the whole latency, for bypass.
    pub(super) bypass_delay: DelayLine,
    /// The readout: the output's own scanner, screened only where the safety stage's gain
    /// moved near an interval (elsewhere the output there is the stage's signal, already
    /// measured: its bounds and peaks wait in the certified delays).
    pub(super) output_scanner: PeakScanner,
    pub(super) certified_bound: DelayLine,
    pub(super) certified_peak: DelayLine,
    pub(super) certified_far: DelayLine,
    /// The far field of what the safety stage removed from the high band: with the stage's
    /// own far field it bounds the output's.
    pub(super) removed_far: FarField,
    /// Output frames so far, and the last one whose safety gain was below unity.
    pub(super) output_frames: u64,
    pub(super) last_reduced: Option<u64>,
    pub(super) rows: Rows,
}

/// One chunk of a channel at each stage (allocated in `prepare`).
#[derive(Debug, Clone, Default)]
pub(super) struct Rows {
    pub(super) driven: Vec<f32>,
    /// The detector's requirements, then the gain of the first stage, then of the safety stage.
    pub(super) gain: Vec<f32>,
    pub(super) cut_high: Vec<bool>,
    pub(super) high_gain: Vec<f32>,
    pub(super) low: Vec<f32>,
    pub(super) high: Vec<f32>,
    /// First stage output and its high-band part, then (delayed and corrected) the output's.
    pub(super) stage: Vec<f32>,
    pub(super) stage_high: Vec<f32>,
    pub(super) dry: Vec<f32>,
    /// Bounds on the far field of each interval being measured.
    pub(super) far: Vec<f32>,
    /// The safety stage's bound of each interval and its measured peak (NaN if not measured),
    /// both without the far field.
    pub(super) certified_bound: Vec<f32>,
    pub(super) certified_peak: Vec<f32>,
    pub(super) certified_far: Vec<f32>,
    /// The high band the safety stage took away: `(1 - gain) · stage_high`.
    pub(super) removed_high: Vec<f32>,
    /// The input, delayed by the whole latency.
    pub(super) bypass: Vec<f32>,
}

impl Rows {
    pub(super) fn new(len: usize) -> Self {
        Self {
            driven: vec![0.0; len],
            gain: vec![0.0; len],
            cut_high: vec![false; len],
            high_gain: vec![0.0; len],
            low: vec![0.0; len],
            high: vec![0.0; len],
            stage: vec![0.0; len],
            stage_high: vec![0.0; len],
            dry: vec![0.0; len],
            far: vec![0.0; len],
            certified_bound: vec![0.0; len],
            certified_peak: vec![0.0; len],
            certified_far: vec![0.0; len],
            removed_high: vec![0.0; len],
            bypass: vec![0.0; len],
        }
    }
}

/// Moves each channel's gains towards the smallest of all channels by `link` (0..=1).
pub(super) fn link_gains(channels: &mut [Channel], len: usize, link: f32) {
    if let [left, right] = channels {
        let (left, right) = (&mut left.rows.gain[..len], &mut right.rows.gain[..len]);
        for (l, r) in left.iter_mut().zip(right.iter_mut()) {
            let strictest = l.min(*r);
            if link == 1.0 {
                // Exactly equal, so one envelope can serve both.
                (*l, *r) = (strictest, strictest);
            } else {
                *l += link * (strictest - *l);
                *r += link * (strictest - *r);
            }
        }
    }
}

/// The first stage of one channel after its gains: the high band's envelope, the delayed bands
/// with their gains applied. Leaves the first stage's output and its high-band part in `stage`
/// and `stage_high`, the delayed input in `dry`, the gains in `gain`.
pub(super) fn first_stage(
    channel: &mut Channel,
    len: usize,
    mode: PeakMode,
    high_post_hold: usize,
) {
    let rows = &mut channel.rows;
    match mode {
        // Sample-peak mode measures the whole signal: both bands take the gain.
        PeakMode::SamplePeak => rows.high_gain[..len].fill(1.0),
        PeakMode::TruePeak { .. } => {
            if channel.high_out_for == 0 && !rows.cut_high[..len].contains(&true) {
                // Nothing cut, nothing still out: the high band stays in.
                rows.high_gain[..len].fill(1.0);
            } else {
                let cuts = rows.high_gain[..len].iter_mut().zip(&rows.cut_high[..len]);
                for (high_gain, &cut) in cuts {
                    if cut {
                        channel.high_out_for = high_post_hold;
                    }
                    *high_gain = if channel.high_out_for > 0 { 0.0 } else { 1.0 };
                    channel.high_out_for = channel.high_out_for.saturating_sub(1);
                }
            }
            channel.high.process(&mut rows.high_gain[..len]);
        }
    }
    let (low, high) = channel.detector.bands(len);
    channel.low_delay.process_into(low, &mut rows.low[..len]);
    channel.high_delay.process_into(high, &mut rows.high[..len]);
    let frames = rows.stage[..len]
        .iter_mut()
        .zip(&mut rows.stage_high[..len])
        .zip(&mut rows.dry[..len])
        .zip(rows.low[..len].iter().zip(&rows.high[..len]))
        .zip(rows.gain[..len].iter().zip(&rows.high_gain[..len]));
    for ((((stage, stage_high), dry), (&low, &high)), (&gain, &high_gain)) in frames {
        // The high band follows the gain and, where it must, fades out as well.
        *stage_high = gain * high_gain * high;
        *stage = gain * low + *stage_high;
        *dry = low + high;
    }
}
