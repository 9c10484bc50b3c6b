//! Phase correlation between two channels, for the imager's readout.

/// Averaging time constant, ms: about what correlation meters show (they settle in a few
/// hundred ms).
pub const CORRELATION_MS: f64 = 300.0;
/// Channel powers below this product (-200 dB each) count as silence.
const SILENCE: f64 = 1e-20;

/// Running correlation `⟨L·R⟩ / √(⟨L²⟩ ⟨R²⟩)` with one-pole averages: +1 mono, 0 unrelated,
/// -1 out of phase. Never allocates.
#[derive(Debug, Clone, Copy, Default)]
pub struct Correlation {
    weight: f64,
    product: f64,
    left: f64,
    right: f64,
}

impl Correlation {
    /// Sets the averaging from the sample rate, and resets.
    pub fn prepare(&mut self, sample_rate: f64) {
        self.weight = 1.0 - (-1000.0 / (CORRELATION_MS * sample_rate)).exp();
        self.reset();
    }

    pub fn reset(&mut self) {
        (self.product, self.left, self.right) = (0.0, 0.0, 0.0);
    }

    /// Takes one frame.
    #[inline]
    pub fn push(&mut self, left: f64, right: f64) {
        let w = self.weight;
        self.product += (left * right - self.product) * w;
        self.left += (left * left - self.left) * w;
        self.right += (right * right - self.right) * w;
    }

    /// Flushes averages that decayed to silence (call once per block: they would turn
    /// subnormal).
    pub fn flush(&mut self) {
        for value in [&mut self.product, &mut self.left, &mut self.right] {
            if value.abs() < SILENCE {
                *value = 0.0;
            }
        }
    }

    /// The correlation, -1..=1; 0 while either channel is silent.
    pub fn value(&self) -> f64 {
        let power = self.left * self.right;
        if power < SILENCE * SILENCE {
            0.0
        } else {
            (self.product / power.sqrt()).clamp(-1.0, 1.0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mono_unrelated_and_inverted_read_plus_one_zero_and_minus_one() {
        let read = |f: fn(f64) -> (f64, f64)| {
            let mut c = Correlation::default();
            c.prepare(48_000.0);
            for n in 0..96_000 {
                let (l, r) = f(n as f64);
                c.push(l, r);
            }
            c.value()
        };
        assert!((read(|n| ((n * 0.05).sin(), (n * 0.05).sin() * 0.3)) - 1.0).abs() < 1e-9);
        assert!((read(|n| ((n * 0.05).sin(), -(n * 0.05).sin())) + 1.0).abs() < 1e-9);
        assert!(read(|n| ((n * 0.05).sin(), (n * 0.0731).sin())).abs() < 0.02);
        assert_eq!(read(|_| (0.0, 0.0)), 0.0);
    }
}
