//! The proof: the output's true peak and the over counter, reusing the safety stage's
//! certified measurements where its gain rests.

use super::{Limiter, PeakMode, SAFETY_SCAN, SAFETY_SCAN_LOOKAHEAD};

impl Limiter {
    /// Measures the output's peaks, far field included: the readout and the over counter.
    pub(super) fn check_output(&mut self, count: usize, len: usize, mode: PeakMode) {
        for channel in &mut self.channels[..count] {
            let rows = &mut channel.rows;
            if let Some(last) = rows.gain[..len].iter().rposition(|&g| g < 1.0) {
                channel.last_reduced = Some(channel.output_frames + last as u64);
            }
            let start = channel.output_frames;
            channel.output_frames += len as u64;
            if let PeakMode::SamplePeak = mode {
                for &y in &rows.stage[..len] {
                    self.output_peak = self.output_peak.max(y.abs());
                    self.overs += u64::from(y.abs() > self.over_threshold);
                }
                continue;
            }
            channel.output_scanner.push_unscreened(&rows.stage[..len]);
            // The output's far field: the stage's, less what the safety stage removed.
            channel
                .removed_far
                .advance(&rows.removed_high[..len], &mut rows.far[..len]);
            for (far, &certified) in rows.far[..len].iter_mut().zip(&rows.certified_far[..len]) {
                *far += certified;
            }
            // The intervals lag the newest sample by the look-ahead; each reaches that far on
            // either side. Where no safety gain moved in that span, the output there is the
            // stage's signal and the certified figures are its own.
            let span_start =
                start.saturating_sub((SAFETY_SCAN_LOOKAHEAD + SAFETY_SCAN.reach()) as u64);
            let certified = channel.last_reduced.is_none_or(|last| last < span_start);
            let unmeasured = |j: usize| rows.certified_peak[j].is_nan();
            let floor = self.output_peak.min(self.over_threshold);
            let needs_own =
                (0..len).any(|j| rows.certified_bound[j] + rows.far[j] > floor && unmeasured(j));
            let scanner = &mut channel.output_scanner;
            if !certified || needs_own {
                scanner.screen();
            }
            for (j, &far) in rows.far[..len].iter().enumerate() {
                let floor = self.output_peak.min(self.over_threshold);
                let (bound, measured) = if certified && !needs_own {
                    (rows.certified_bound[j], rows.certified_peak[j])
                } else {
                    (scanner.bound(j), f32::NAN)
                };
                if bound + far <= floor {
                    continue;
                }
                let peak = if measured.is_nan() {
                    scanner.measure(j)
                } else {
                    measured
                } + far;
                self.output_peak = self.output_peak.max(peak);
                if peak > self.over_threshold {
                    self.overs += 1;
                }
            }
        }
    }
}
