//! Gain-reduction readings for the GUI: the value now and a history of 10 ms maxima.

/// History length: one value per 10 ms, the same frame as the limiter's, so the GUI draws
/// every gain-reduction trace alike.
pub use crate::limiter::HISTORY_LEN;

/// Follows one gain reduction (dB; negative for upward expansion). Never allocates.
#[derive(Debug, Clone)]
pub struct ReductionMeter {
    /// Sample rate, rounded: steps end at `k · rate / 100` frames (exactly 10 ms on average).
    rate: u64,
    frames: u64,
    step_end: u64,
    steps: u64,
    /// The value furthest from 0 dB in the current step, and the latest value.
    step: f32,
    current: f32,
    history: [f32; HISTORY_LEN],
    newest: usize,
}

impl Default for ReductionMeter {
    fn default() -> Self {
        let mut meter = Self {
            rate: 48_000,
            frames: 0,
            step_end: 0,
            steps: 0,
            step: 0.0,
            current: 0.0,
            history: [0.0; HISTORY_LEN],
            newest: 0,
        };
        meter.reset();
        meter
    }
}

impl ReductionMeter {
    /// Sets the step length from the sample rate, and resets.
    pub fn prepare(&mut self, sample_rate: f64) {
        self.rate = (sample_rate.round() as u64).max(100);
        self.reset();
    }

    /// Clears the history and the value now.
    pub fn reset(&mut self) {
        self.frames = 0;
        self.steps = 0;
        self.step_end = self.rate / 100;
        self.step = 0.0;
        self.current = 0.0;
        self.history = [0.0; HISTORY_LEN];
    }

    /// Takes one frame's gain reduction, dB.
    #[inline]
    pub fn push(&mut self, reduction_db: f32) {
        if reduction_db.abs() > self.step.abs() {
            self.step = reduction_db;
        }
        self.current = reduction_db;
        self.frames += 1;
        if self.frames == self.step_end {
            self.newest = (self.newest + 1) % HISTORY_LEN;
            self.history[self.newest] = self.step;
            self.step = 0.0;
            self.steps += 1;
            self.step_end = (self.steps + 1) * self.rate / 100;
        }
    }

    /// The latest frame's gain reduction, dB.
    pub fn current_db(&self) -> f32 {
        self.current
    }

    /// The reduction of each 10 ms step (the one furthest from 0 dB), oldest first.
    pub fn history_db(&self) -> [f32; HISTORY_LEN] {
        let mut history = [0.0f32; HISTORY_LEN];
        for (age, value) in history.iter_mut().rev().enumerate() {
            *value = self.history[(self.newest + HISTORY_LEN - age) % HISTORY_LEN];
        }
        history
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_keeps_the_largest_reduction_of_each_10_ms_oldest_first() {
        let mut meter = ReductionMeter::default();
        meter.prepare(44_100.0);
        for n in 0..441 * 3 {
            meter.push(if n == 500 { 9.0 } else { 1.0 });
        }
        let history = meter.history_db();
        assert_eq!(history[HISTORY_LEN - 3..], [1.0, 9.0, 1.0]);
        assert_eq!(history[HISTORY_LEN - 4], 0.0);
        assert_eq!(meter.current_db(), 1.0);
    }
}
