//! The minimum of the last values of a stream, in constant time per value.

/// Minimum over a sliding window, by a monotonic queue in fixed memory.
#[derive(Debug, Clone, Default)]
pub struct SlidingMin {
    /// (arrival index, value), values increasing from head to tail.
    queue: Vec<(u64, f32)>,
    head: usize,
    len: usize,
    arrivals: u64,
}

impl SlidingMin {
    /// For windows up to `window` values. Allocates.
    pub fn with_capacity(window: usize) -> Self {
        Self {
            queue: vec![(0, 1.0); window.max(1) + 1],
            ..Self::default()
        }
    }

    /// Forgets every value.
    pub fn reset(&mut self) {
        self.head = 0;
        self.len = 0;
        self.arrivals = 0;
    }

    /// Adds `value` and returns the minimum of the last `window` values.
    #[inline]
    pub fn push(&mut self, value: f32, window: usize) -> f32 {
        let cap = self.queue.len();
        let wrap = |i: usize| if i >= cap { i - cap } else { i };
        // Drop larger values from the tail: they can never be the minimum again.
        while self.len > 0 && self.queue[wrap(self.head + self.len - 1)].1 >= value {
            self.len -= 1;
        }
        self.queue[wrap(self.head + self.len)] = (self.arrivals, value);
        self.len += 1;
        self.arrivals += 1;
        // Drop values that left the window from the head.
        while self.queue[self.head].0 + (window as u64) < self.arrivals {
            self.head = wrap(self.head + 1);
            self.len -= 1;
        }
        self.queue[self.head].1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_a_brute_force_minimum_for_every_window() {
        let values: Vec<f32> = (0..500u32).map(|n| ((n * 7919) % 101) as f32).collect();
        for window in [1, 2, 5, 33] {
            let mut sliding = SlidingMin::with_capacity(window);
            for (n, &v) in values.iter().enumerate() {
                let expected = values[n.saturating_sub(window - 1)..=n]
                    .iter()
                    .copied()
                    .fold(f32::MAX, f32::min);
                assert_eq!(
                    sliding.push(v, window),
                    expected,
                    "window {window}, value {n}"
                );
            }
        }
    }
}
