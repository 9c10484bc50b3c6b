//! The audio configuration a processor is prepared for.

use std::ops::RangeInclusive;

/// Sample rates Lacquer prepares for. Tested from 22.05 kHz to 384 kHz; the margins on either
/// side keep telephone-rate and DXD-rate sessions working rather than refusing to load.
pub const SAMPLE_RATE_RANGE: RangeInclusive<f64> = 8_000.0..=768_000.0;

/// Channel counts the mastering chain handles: mono or stereo.
pub const CHANNEL_RANGE: RangeInclusive<usize> = 1..=2;

/// The largest block a host may announce. Larger blocks are still processed (in slices).
pub const MAX_BLOCK_SIZE: usize = 65_536;

/// What a processor is prepared for. Hosts may send shorter blocks than `max_block_size`;
/// processors also accept longer ones by working through them in slices.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProcessSpec {
    /// Sample rate in Hz.
    pub sample_rate: f64,
    /// The longest block the host promises to send, in samples per channel.
    pub max_block_size: usize,
    /// Number of channels (1 = mono, 2 = stereo as left/right).
    pub channels: usize,
}

/// Why a [`ProcessSpec`] was refused.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum SpecError {
    #[error("sample rate {0} Hz is outside the supported 8 kHz to 768 kHz")]
    SampleRate(f64),
    #[error("{0} channels: Lacquer processes mono or stereo")]
    Channels(usize),
    #[error("maximum block size {0} is outside 1 to {MAX_BLOCK_SIZE} samples")]
    BlockSize(usize),
}

impl ProcessSpec {
    /// A stereo spec, the common case.
    pub fn stereo(sample_rate: f64, max_block_size: usize) -> Self {
        Self {
            sample_rate,
            max_block_size,
            channels: 2,
        }
    }

    /// Checks the spec against what Lacquer supports.
    pub fn validate(&self) -> Result<(), SpecError> {
        if !SAMPLE_RATE_RANGE.contains(&self.sample_rate) {
            return Err(SpecError::SampleRate(self.sample_rate));
        }
        if !CHANNEL_RANGE.contains(&self.channels) {
            return Err(SpecError::Channels(self.channels));
        }
        if !(1..=MAX_BLOCK_SIZE).contains(&self.max_block_size) {
            return Err(SpecError::BlockSize(self.max_block_size));
        }
        Ok(())
    }

    /// Converts a duration in milliseconds to a whole number of samples (rounded, at least 1).
    pub fn ms_to_samples(&self, ms: f64) -> usize {
        (crate::util::ms_to_samples(ms, self.sample_rate).round() as usize).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validate_accepts_the_tested_range_and_refuses_the_rest() {
        for rate in [22_050.0, 44_100.0, 48_000.0, 96_000.0, 192_000.0, 384_000.0] {
            assert_eq!(ProcessSpec::stereo(rate, 512).validate(), Ok(()));
        }
        assert_eq!(
            ProcessSpec::stereo(4_000.0, 512).validate(),
            Err(SpecError::SampleRate(4_000.0))
        );
        assert!(ProcessSpec::stereo(f64::NAN, 512).validate().is_err());
        let surround = ProcessSpec {
            channels: 6,
            ..ProcessSpec::stereo(48_000.0, 512)
        };
        assert_eq!(surround.validate(), Err(SpecError::Channels(6)));
        assert_eq!(
            ProcessSpec::stereo(48_000.0, 0).validate(),
            Err(SpecError::BlockSize(0))
        );
    }

    #[test]
    fn ms_to_samples_rounds_and_never_returns_zero() {
        let spec = ProcessSpec::stereo(48_000.0, 512);
        assert_eq!(spec.ms_to_samples(1.5), 72);
        assert_eq!(spec.ms_to_samples(0.0), 1);
    }
}
