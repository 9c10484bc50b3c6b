//! The display grid and the frame the analyser hands to the GUI.

/// Display points per octave. Matches the finest smoothing (1/24 octave), so no band falls
/// between points.
pub const POINTS_PER_OCTAVE: usize = 24;
/// Grid steps from 1 kHz down to the lowest point (19.7 Hz, the first step at or below 20 Hz).
const STEPS_BELOW_1K: usize = 136;
/// Display points: 1/24-octave steps from 19.7 Hz to 20.2 kHz (the first at or above 20 kHz).
pub const POINTS: usize = 241;
/// The pivot of the grid and of the tilt.
pub const PIVOT_HZ: f64 = 1000.0;
/// The lowest level a frame shows, dB; digital silence reads this everywhere.
pub const FLOOR_DB: f32 = -150.0;

/// Centre frequency of display point `index`, Hz: `1000 · 2^((index − 136) / 24)`. Anchored at
/// 1 kHz so that 1 kHz, and every octave from it, is a point.
pub fn point_hz(index: usize) -> f64 {
    PIVOT_HZ * octaves_from_pivot(index).exp2()
}

/// How many octaves display point `index` lies above 1 kHz (negative below).
pub fn octaves_from_pivot(index: usize) -> f64 {
    (index as f64 - STEPS_BELOW_1K as f64) / POINTS_PER_OCTAVE as f64
}

/// One spectrum as drawn: plain, fixed-size data, cheap to copy into a triple buffer.
///
/// Written by [`SpectrumAnalyser`](super::SpectrumAnalyser) once per analysis hop; read by the
/// GUI. Only the first `len` points are meaningful: points at or above Nyquist are left out.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpectrumFrame {
    /// Centre frequency of every grid point, Hz, rising ([`point_hz`]); the same at every
    /// sample rate.
    pub freqs_hz: [f32; POINTS],
    /// Level of the band around each point, dB relative to a full-scale sine (see the module
    /// documentation), tilted and held; never below [`FLOOR_DB`], never NaN.
    pub db: [f32; POINTS],
    /// Number of points below Nyquist, the only ones drawn.
    pub len: usize,
}

impl Default for SpectrumFrame {
    /// An empty frame: no points, the grid's frequencies, the floor level.
    fn default() -> Self {
        Self {
            freqs_hz: std::array::from_fn(|i| point_hz(i) as f32),
            db: [FLOOR_DB; POINTS],
            len: 0,
        }
    }
}

impl SpectrumFrame {
    /// The points to draw, lowest first, as `(frequency_hz, level_db)`.
    pub fn points(&self) -> impl Iterator<Item = (f32, f32)> + '_ {
        self.freqs_hz[..self.len]
            .iter()
            .copied()
            .zip(self.db[..self.len].iter().copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_grid_spans_20_hz_to_20_khz_in_24ths_of_an_octave_through_1_khz() {
        assert!(point_hz(0) <= 20.0 && point_hz(1) > 20.0);
        assert!(point_hz(POINTS - 1) >= 20_000.0 && point_hz(POINTS - 2) < 20_000.0);
        assert_eq!(point_hz(STEPS_BELOW_1K), PIVOT_HZ);
        assert!((point_hz(STEPS_BELOW_1K + 24) - 2.0 * PIVOT_HZ).abs() < 1e-9);
        let frame = SpectrumFrame::default();
        assert!(frame.freqs_hz.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(frame.points().count(), 0);
    }
}
