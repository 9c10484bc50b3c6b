//! Meter readings crossing from the audio thread to the editor, lock-free.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use lacquer_dsp::ChainReadings;
use triple_buffer::{Input, Output, triple_buffer};

/// Audio-thread end: publishes the chain's readings once per block.
pub struct MeterPublisher {
    readings: Input<ChainReadings>,
    reset_requested: Arc<AtomicBool>,
}

/// Editor end: reads the latest readings and asks for meter resets.
pub struct MeterView {
    readings: Output<ChainReadings>,
    reset_requested: Arc<AtomicBool>,
}

/// A connected publisher/view pair.
pub fn meter_channel() -> (MeterPublisher, MeterView) {
    let (input, output) = triple_buffer(&ChainReadings::default());
    let reset_requested = Arc::new(AtomicBool::new(false));
    (
        MeterPublisher {
            readings: input,
            reset_requested: reset_requested.clone(),
        },
        MeterView {
            readings: output,
            reset_requested,
        },
    )
}

impl MeterPublisher {
    /// Makes `readings` the latest. Wait-free, no allocation (the readings are `Copy`).
    pub fn publish(&mut self, readings: ChainReadings) {
        self.readings.write(readings);
    }

    /// True once after the editor asked for a meter reset.
    pub fn take_reset_request(&self) -> bool {
        self.reset_requested.swap(false, Ordering::AcqRel)
    }
}

impl MeterView {
    /// The latest published readings.
    pub fn latest(&mut self) -> ChainReadings {
        *self.readings.read()
    }

    /// Asks the audio thread to clear the meters at its next block.
    pub fn request_reset(&self) {
        self.reset_requested.store(true, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn view_sees_the_latest_publication_and_reset_requests_arrive_once() {
        let (mut publisher, mut view) = meter_channel();
        for non_finite_samples in [1, 2] {
            publisher.publish(ChainReadings {
                non_finite_samples,
                ..ChainReadings::default()
            });
        }
        assert_eq!(view.latest().non_finite_samples, 2);
        assert!(!publisher.take_reset_request());
        view.request_reset();
        assert!(publisher.take_reset_request());
        assert!(!publisher.take_reset_request());
    }
}
