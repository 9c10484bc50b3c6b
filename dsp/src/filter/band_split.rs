//! Splitting off the top of the spectrum with a linear-phase FIR, so the two bands add back to
//! the (delayed) input to within float rounding.

use crate::oversampling::kaiser_window;
use crate::util::fir;

/// The low band's passband edge (within 0.02 dB), as a fraction of the sample rate (19 kHz at
/// 44.1 kHz).
pub const SPLIT_PASS: f64 = 0.43;
/// Where the low band's stopband begins (20 kHz at 44.1 kHz).
pub const SPLIT_STOP: f64 = 0.4535;
/// Taps on each side of the centre; the split delays by this many samples.
pub const SPLIT_HALF_TAPS: usize = 72;
const SPLIT_BETA: f64 = 5.0;

/// Most samples one call may bring.
pub const SPLIT_CHUNK: usize = 256;
const HISTORY: usize = 2 * SPLIT_HALF_TAPS;

/// Linear-phase low-pass and its complement for one channel.
#[derive(Debug, Clone)]
pub struct BandSplit {
    /// Taps for the pairs `x[c - k] + x[c + k]`, k = 1..=half; `centre` for k = 0.
    pairs: [f32; SPLIT_HALF_TAPS],
    centre: f32,
    /// `HISTORY` older samples, then the chunk.
    x: [f32; HISTORY + SPLIT_CHUNK],
}

impl Default for BandSplit {
    fn default() -> Self {
        // Windowed sinc at the transition's middle; the Kaiser window sets its width.
        let cutoff = 0.5 * (SPLIT_PASS + SPLIT_STOP);
        let half = SPLIT_HALF_TAPS as f64;
        let tap = |k: f64| {
            let sinc = if k == 0.0 {
                2.0 * cutoff
            } else {
                (2.0 * std::f64::consts::PI * cutoff * k).sin() / (std::f64::consts::PI * k)
            };
            sinc * kaiser_window(k / (half + 1.0), SPLIT_BETA)
        };
        let raw: Vec<f64> = (0..=SPLIT_HALF_TAPS).map(|k| tap(k as f64)).collect();
        let gain = raw[0] + 2.0 * raw[1..].iter().sum::<f64>();
        Self {
            pairs: std::array::from_fn(|k| (raw[k + 1] / gain) as f32),
            centre: (raw[0] / gain) as f32,
            x: [0.0; HISTORY + SPLIT_CHUNK],
        }
    }
}

impl BandSplit {
    /// Forgets the signal.
    pub fn reset(&mut self) {
        self.x.fill(0.0);
    }

    /// Splits up to [`SPLIT_CHUNK`] samples: `low[i]` and `high[i]` are the bands of the input
    /// [`SPLIT_HALF_TAPS`] samples before `input[i]`; `low + high` is that input sample.
    pub fn process(&mut self, input: &[f32], low: &mut [f32], high: &mut [f32]) {
        let len = input.len().min(SPLIT_CHUNK);
        self.x[HISTORY..HISTORY + len].copy_from_slice(&input[..len]);
        // Output i is centred on x[HISTORY - half + i].
        let centre = HISTORY - SPLIT_HALF_TAPS;
        let (low, high) = (&mut low[..len], &mut high[..len]);
        // The centre tap's products go in `high` first, as the FIR's starting values.
        for (h, &c) in high.iter_mut().zip(&self.x[centre..centre + len]) {
            *h = self.centre * c;
        }
        fir::symmetric(
            low,
            Some(high),
            &self.x,
            centre - 1,
            centre + 1,
            &self.pairs,
        );
        for ((h, &l), &c) in high
            .iter_mut()
            .zip(low.iter())
            .zip(&self.x[centre..centre + len])
        {
            *h = c - l;
        }
        self.x.copy_within(len..len + HISTORY, 0);
    }

    /// Magnitude response of the low band at `freq` (fraction of the sample rate), in dB.
    pub fn low_magnitude_db(&self, freq: f64) -> f64 {
        let w = 2.0 * std::f64::consts::PI * freq;
        let h = f64::from(self.centre)
            + self
                .pairs
                .iter()
                .enumerate()
                .map(|(k, &tap)| 2.0 * f64::from(tap) * (w * (k + 1) as f64).cos())
                .sum::<f64>();
        20.0 * h.abs().log10()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn low_band_passes_below_0_43_fs_and_stops_above_0_4535_fs() {
        let split = BandSplit::default();
        let mut f = 0.0;
        while f <= SPLIT_PASS {
            assert!(
                split.low_magnitude_db(f).abs() < 0.02,
                "{f}: {}",
                split.low_magnitude_db(f)
            );
            f += 0.001;
        }
        let mut f = SPLIT_STOP;
        while f <= 0.5 {
            assert!(
                split.low_magnitude_db(f) < -45.0,
                "{f}: {}",
                split.low_magnitude_db(f)
            );
            f += 0.001;
        }
    }

    #[test]
    fn bands_add_back_to_the_delayed_input_in_any_chunking() {
        let input: Vec<f32> = (0..1000)
            .map(|n| ((n * 7919 % 2003) as f32 / 1001.0) - 1.0)
            .collect();
        let mut split = BandSplit::default();
        let (mut low, mut high) = (vec![0.0; 1000], vec![0.0; 1000]);
        let mut start = 0;
        for len in [1, 100, 256, 7, 200, 256, 180].iter().cycle() {
            if start >= 1000 {
                break;
            }
            let end = (start + len).min(1000);
            split.process(
                &input[start..end],
                &mut low[start..end],
                &mut high[start..end],
            );
            start = end;
        }
        for n in SPLIT_HALF_TAPS..1000 {
            let sum = low[n] + high[n];
            assert!((sum - input[n - SPLIT_HALF_TAPS]).abs() <= 1e-7, "{n}");
        }
    }
}
