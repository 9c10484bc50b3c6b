//! Meter readings and spectra crossing from the audio thread to the editor, lock-free.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};

use lacquer_dsp::ChainReadings;
use lacquer_dsp::analyser::SpectrumFrame;
use triple_buffer::{Input, Output, triple_buffer};

/// The spectra into and out of the EQ, as the editor draws them behind the curve.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct EqSpectra {
    pub input: SpectrumFrame,
    pub output: SpectrumFrame,
}

/// Audio-thread end: publishes the chain's readings once per block and the EQ's spectra
/// after each analysis.
pub struct MeterPublisher {
    readings: Input<ChainReadings>,
    spectra: Input<EqSpectra>,
    reset_requested: Arc<AtomicBool>,
    learn_request: Arc<AtomicU8>,
}

/// What the editor asks of Learn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LearnRequest {
    Start = 1,
    Stop = 2,
}

/// Editor end: reads the latest readings and spectra, and asks for meter resets.
pub struct MeterView {
    readings: Output<ChainReadings>,
    spectra: Output<EqSpectra>,
    reset_requested: Arc<AtomicBool>,
    learn_request: Arc<AtomicU8>,
}

/// A connected publisher/view pair.
pub fn meter_channel() -> (MeterPublisher, MeterView) {
    let (input, output) = triple_buffer(&ChainReadings::default());
    let (spectra_input, spectra_output) = triple_buffer(&EqSpectra::default());
    let reset_requested = Arc::new(AtomicBool::new(false));
    let learn_request = Arc::new(AtomicU8::new(0));
    (
        MeterPublisher {
            readings: input,
            spectra: spectra_input,
            reset_requested: reset_requested.clone(),
            learn_request: learn_request.clone(),
        },
        MeterView {
            readings: output,
            spectra: spectra_output,
            reset_requested,
            learn_request,
        },
    )
}

impl MeterPublisher {
    /// Makes `readings` the latest. Wait-free, no allocation (the readings are `Copy`).
    pub fn publish(&mut self, readings: ChainReadings) {
        self.readings.write(readings);
    }

    /// Makes `input` and `output` the latest spectra. Wait-free, no allocation.
    pub fn publish_spectra(&mut self, input: &SpectrumFrame, output: &SpectrumFrame) {
        let slot = self.spectra.input_buffer_mut();
        slot.input = *input;
        slot.output = *output;
        self.spectra.publish();
    }

    /// The editor's latest Learn request, once.
    pub fn take_learn_request(&self) -> Option<LearnRequest> {
        match self.learn_request.swap(0, Ordering::AcqRel) {
            1 => Some(LearnRequest::Start),
            2 => Some(LearnRequest::Stop),
            _ => None,
        }
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

    /// The latest published spectra.
    pub fn latest_spectra(&mut self) -> EqSpectra {
        *self.spectra.read()
    }

    /// Asks the audio thread to start or stop Learn at its next block.
    pub fn request_learn(&self, request: LearnRequest) {
        self.learn_request.store(request as u8, Ordering::Release);
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
        let frame = SpectrumFrame {
            len: 3,
            ..SpectrumFrame::default()
        };
        publisher.publish_spectra(&SpectrumFrame::default(), &frame);
        assert_eq!(view.latest_spectra().output.len, 3);
        assert!(!publisher.take_reset_request());
        view.request_reset();
        assert!(publisher.take_reset_request());
        assert!(!publisher.take_reset_request());
    }
}
