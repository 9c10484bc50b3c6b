//! The second stage: measures the first stage's output exactly and corrects what still exceeds
//! the ceiling.

use super::{Limiter, PeakMode, UNREAD_SAFETY_FLOOR, link_gains};
use crate::util::for_each_sum_above;

impl Limiter {
    /// Measures the first stage's output exactly, far field included, and corrects what still
    /// exceeds the ceiling. Leaves the output in `stage`; with the readout on, also its high band
    /// in `stage_high` and what it measured in the certified rows, for the readout.
    pub(super) fn safety_stage(&mut self, count: usize, len: usize, link: f32, mode: PeakMode) {
        let ceiling = self.ceiling;
        // Intervals under this cannot raise the readout or count as overs.
        let readout = self.readout;
        let readout_floor = if readout {
            ceiling.min(self.output_peak).min(self.over_threshold)
        } else {
            ceiling * UNREAD_SAFETY_FLOOR
        };
        for channel in &mut self.channels[..count] {
            let rows = &mut channel.rows;
            channel.safety_scanner.push(&rows.stage[..len]);
            channel
                .safety_far
                .advance(&rows.stage_high[..len], &mut rows.far[..len]);
            let scanner = &channel.safety_scanner;
            let gain_for = |peak: f32, far: f32| {
                if peak + far > ceiling {
                    ((ceiling - far) / peak).max(0.0)
                } else {
                    1.0
                }
            };
            match mode {
                PeakMode::SamplePeak => {
                    for j in 0..len {
                        let peak = scanner.sample(j).abs();
                        if readout {
                            rows.certified_peak[j] = peak;
                        }
                        rows.gain[j] = gain_for(peak, rows.far[j]);
                    }
                }
                // Only intervals whose bound reaches the floor are measured (NaN: not measured).
                PeakMode::TruePeak { .. } => {
                    rows.gain[..len].fill(1.0);
                    if readout {
                        rows.certified_peak[..len].fill(f32::NAN);
                    }
                    let far = &rows.far[..len];
                    for_each_sum_above(scanner.bounds(len), far, readout_floor, |j| {
                        let peak = scanner.measure(j);
                        if readout {
                            rows.certified_peak[j] = peak;
                        }
                        rows.gain[j] = gain_for(peak, far[j]);
                    });
                }
            }
            if readout {
                rows.certified_bound[..len].copy_from_slice(scanner.bounds(len));
                rows.certified_far[..len].copy_from_slice(&rows.far[..len]);
            }
        }
        let channels = &mut self.channels[..count];
        link_gains(channels, len, link);
        for channel in channels.iter_mut() {
            let rows = &mut channel.rows;
            channel.safety.process(&mut rows.gain[..len]);
            channel.safety_delay.process(&mut rows.stage[..len]);
            channel.dry_delay.process(&mut rows.dry[..len]);
            if !readout {
                for (output, &gain) in rows.stage[..len].iter_mut().zip(&rows.gain[..len]) {
                    *output *= gain;
                }
                continue;
            }
            // What only the readout uses: the high band's part and the certified figures.
            channel
                .safety_high_delay
                .process(&mut rows.stage_high[..len]);
            channel
                .certified_bound
                .process(&mut rows.certified_bound[..len]);
            channel
                .certified_peak
                .process(&mut rows.certified_peak[..len]);
            channel
                .certified_far
                .process(&mut rows.certified_far[..len]);
            let frames = rows.stage[..len]
                .iter_mut()
                .zip(&mut rows.stage_high[..len])
                .zip(&mut rows.removed_high[..len])
                .zip(&rows.gain[..len]);
            for (((output, high), removed), &gain) in frames {
                *output *= gain;
                *removed = (1.0 - gain) * *high;
                *high *= gain;
            }
        }
    }
}
