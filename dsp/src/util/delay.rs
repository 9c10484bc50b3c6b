//! A fixed-capacity delay line.

/// Delays samples by a set number of samples, up to the capacity given at construction.
#[derive(Debug, Clone, Default)]
pub struct DelayLine {
    buffer: Vec<f32>,
    write: usize,
    delay: usize,
}

impl DelayLine {
    /// A delay line that can delay by up to `max_delay` samples. Allocates.
    pub fn with_capacity(max_delay: usize) -> Self {
        Self {
            buffer: vec![0.0; max_delay + 1],
            write: 0,
            delay: 0,
        }
    }

    /// Sets the delay (clamped to the capacity). Does not clear the contents.
    pub fn set_delay(&mut self, delay: usize) {
        self.delay = delay.min(self.buffer.len() - 1);
    }

    /// The delay in samples.
    pub fn delay(&self) -> usize {
        self.delay
    }

    /// Clears the contents to silence.
    pub fn reset(&mut self) {
        self.buffer.fill(0.0);
        self.write = 0;
    }

    /// Pushes one sample and returns the one from `delay` samples ago.
    #[inline]
    pub fn tick(&mut self, x: f32) -> f32 {
        let len = self.buffer.len();
        self.buffer[self.write] = x;
        let read = (self.write + len - self.delay) % len;
        self.write = (self.write + 1) % len;
        self.buffer[read]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_by_the_set_amount_and_zero_is_a_wire() {
        let mut line = DelayLine::with_capacity(8);
        line.set_delay(3);
        let out: Vec<f32> = (1..=6).map(|i| line.tick(i as f32)).collect();
        assert_eq!(out, [0.0, 0.0, 0.0, 1.0, 2.0, 3.0]);
        line.set_delay(0);
        assert_eq!(line.tick(9.0), 9.0);
    }
}
