//! Measurements for before/after reports.

use lacquer_dsp::util::{gain_to_db, power_to_db};

/// Whole-file level figures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LevelReport {
    /// Highest absolute sample over all channels, dBFS.
    pub sample_peak_dbfs: f64,
    /// RMS over the whole file and all channels, dBFS (a full-scale sine reads -3.01).
    pub rms_dbfs: f64,
    /// Largest DC offset of any channel, as a fraction of full scale.
    pub dc_offset: f64,
}

/// Measures `channels`.
pub fn measure(channels: &[Vec<f32>]) -> LevelReport {
    let mut peak = 0.0f64;
    let mut sum_squares = 0.0f64;
    let mut count = 0usize;
    let mut dc_offset = 0.0f64;
    for channel in channels {
        let mut sum = 0.0f64;
        for &x in channel {
            let x = f64::from(x);
            peak = peak.max(x.abs());
            sum_squares += x * x;
            sum += x;
        }
        count += channel.len();
        if !channel.is_empty() {
            dc_offset = dc_offset.max((sum / channel.len() as f64).abs());
        }
    }
    LevelReport {
        sample_peak_dbfs: gain_to_db(peak),
        rms_dbfs: power_to_db(sum_squares / count.max(1) as f64),
        dc_offset,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sine_with_offset_measures_as_expected() {
        let sine: Vec<f32> = (0..48_000)
            .map(|n| 0.5 * (2.0 * std::f32::consts::PI * 100.0 * n as f32 / 48_000.0).sin() + 0.01)
            .collect();
        let report = measure(&[sine]);
        assert!((report.sample_peak_dbfs - gain_to_db(0.51)).abs() < 1e-3);
        assert!((report.rms_dbfs - power_to_db(0.125 + 0.0001)).abs() < 1e-3);
        assert!((report.dc_offset - 0.01).abs() < 1e-5);
    }
}
