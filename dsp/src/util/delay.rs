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

    /// Takes over another line's contents and delay (same capacity; no allocation).
    pub fn copy_from(&mut self, other: &Self) {
        self.buffer.copy_from_slice(&other.buffer);
        self.write = other.write;
        self.delay = other.delay;
    }

    /// Sets every stored sample to `value`.
    pub fn fill(&mut self, value: f32) {
        self.buffer.fill(value);
    }

    /// Clears the contents to silence.
    pub fn reset(&mut self) {
        self.buffer.fill(0.0);
        self.write = 0;
    }

    /// Delays a block in place: each sample is replaced by the one `delay` samples before it.
    /// The capacity must cover the delay plus the block.
    pub fn process(&mut self, block: &mut [f32]) {
        self.write_block(block);
        self.read_block(block);
    }

    /// Delays `input` into `output` (of the same length), leaving `input` as it is.
    pub fn process_into(&mut self, input: &[f32], output: &mut [f32]) {
        self.write_block(input);
        self.read_block(output);
    }

    /// Stores a block without reading any back: for a line that passes audio on undelayed
    /// but must still hold its history for when it delays again.
    pub fn push(&mut self, block: &[f32]) {
        self.write_block(block);
        self.write = (self.write + block.len()) % self.buffer.len();
    }

    /// Stores a block at the write position.
    fn write_block(&mut self, block: &[f32]) {
        let len = self.buffer.len();
        let n = block.len();
        debug_assert!(
            self.delay + n <= len,
            "delay {} + block {n} > {len}",
            self.delay
        );
        let first = n.min(len - self.write);
        self.buffer[self.write..self.write + first].copy_from_slice(&block[..first]);
        self.buffer[..n - first].copy_from_slice(&block[first..]);
    }

    /// Reads the block just stored, `delay` samples earlier, and moves the write position on.
    fn read_block(&mut self, block: &mut [f32]) {
        let len = self.buffer.len();
        let n = block.len();
        let read = (self.write + len - self.delay) % len;
        let first = n.min(len - read);
        block[..first].copy_from_slice(&self.buffer[read..read + first]);
        block[first..].copy_from_slice(&self.buffer[..n - first]);
        self.write = (self.write + n) % len;
    }

    /// Pushes one sample and returns the one from `delay` samples ago.
    #[inline]
    pub fn tick(&mut self, x: f32) -> f32 {
        let len = self.buffer.len();
        self.buffer[self.write] = x;
        // Wrapping by comparison: an integer division per sample would dominate a delay line.
        let read = if self.write >= self.delay {
            self.write - self.delay
        } else {
            self.write + len - self.delay
        };
        self.write = if self.write + 1 == len {
            0
        } else {
            self.write + 1
        };
        self.buffer[read]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_and_single_samples_delay_alike() {
        let input: Vec<f32> = (1..=40).map(|i| i as f32).collect();
        let mut by_sample = DelayLine::with_capacity(16);
        by_sample.set_delay(5);
        let expected: Vec<f32> = input.iter().map(|&x| by_sample.tick(x)).collect();
        let mut by_block = DelayLine::with_capacity(16);
        by_block.set_delay(5);
        let mut output = input.clone();
        let mut start = 0;
        for len in [3, 11, 1, 7, 11, 7] {
            by_block.process(&mut output[start..start + len]);
            start += len;
        }
        assert_eq!(output, expected);
    }

    #[test]
    fn pushed_blocks_are_history_like_processed_ones() {
        let input: Vec<f32> = (1..=30).map(|i| i as f32).collect();
        let mut pushed = DelayLine::with_capacity(16);
        let mut processed = DelayLine::with_capacity(16);
        for block in input[..20].chunks(10) {
            pushed.push(block);
            processed.process(&mut block.to_vec());
        }
        for line in [&mut pushed, &mut processed] {
            line.set_delay(6);
        }
        let (mut a, mut b) = (input[20..].to_vec(), input[20..].to_vec());
        pushed.process(&mut a);
        processed.process(&mut b);
        assert_eq!(a, b);
        assert_eq!(a[..3], [15.0, 16.0, 17.0]);
    }

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
