//! Measurements for before/after reports.

use lacquer_dsp::ProcessSpec;
use lacquer_dsp::meter::{Meter, MeterReadings};

/// Meters a whole in-memory file, as `lacquer analyze` does.
pub fn measure(sample_rate: u32, channels: &[Vec<f32>]) -> anyhow::Result<MeterReadings> {
    let mut meter = Meter::default();
    let spec = ProcessSpec {
        sample_rate: f64::from(sample_rate),
        max_block_size: 1,
        channels: channels.len(),
    };
    spec.validate()?;
    meter.prepare(&spec);
    meter.process(channels);
    meter.finish();
    Ok(meter.readings())
}

/// Largest DC offset of any channel, as a fraction of full scale.
pub fn dc_offset(channels: &[Vec<f32>]) -> f64 {
    channels
        .iter()
        .filter(|c| !c.is_empty())
        .map(|c| (c.iter().map(|&x| f64::from(x)).sum::<f64>() / c.len() as f64).abs())
        .fold(0.0, f64::max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sine_with_offset_measures_as_expected() {
        let sine: Vec<f32> = (0..96_000)
            .map(|n| 0.5 * (2.0 * std::f32::consts::PI * 997.0 * n as f32 / 48_000.0).sin() + 0.01)
            .collect();
        let readings = measure(48_000, std::slice::from_ref(&sine)).unwrap();
        assert!((readings.sample_peak_max_db() - 20.0 * 0.51f64.log10()).abs() < 1e-3);
        assert!((dc_offset(&[sine]) - 0.01).abs() < 1e-5);
        // Mono 997 Hz at -6.02 dBFS peak: -3.01 - 6.02 LUFS.
        let integrated = readings.loudness.integrated_lufs.unwrap();
        assert!((integrated + 9.03).abs() < 0.02, "{integrated}");
    }
}
