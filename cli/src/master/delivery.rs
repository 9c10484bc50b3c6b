//! What a mastering run delivers: formats (rate, word length, dither, metadata) and
//! containers.

use lacquer_dsp::dither::DitherDepth;

use crate::audio_file::SampleFormat;

/// A delivery format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, clap::ValueEnum)]
pub enum Delivery {
    /// 44.1 kHz, 24-bit (streaming services' masters).
    Streaming,
    /// 44.1 kHz, 16-bit with dither (Red Book CD).
    Cd,
    /// 48 kHz, 24-bit Broadcast Wave with loudness metadata (EBU Tech 3285 v2).
    Broadcast,
}

impl Delivery {
    /// The name used in file names and reports.
    pub fn name(self) -> &'static str {
        match self {
            Delivery::Streaming => "streaming",
            Delivery::Cd => "cd",
            Delivery::Broadcast => "broadcast",
        }
    }

    pub fn sample_rate(self) -> u32 {
        match self {
            Delivery::Streaming | Delivery::Cd => 44_100,
            Delivery::Broadcast => 48_000,
        }
    }

    pub fn format(self) -> SampleFormat {
        match self {
            Delivery::Streaming | Delivery::Broadcast => SampleFormat::Int24,
            Delivery::Cd => SampleFormat::Int16,
        }
    }

    /// The word length the dither targets.
    pub fn dither(self) -> DitherDepth {
        match self {
            Delivery::Streaming | Delivery::Broadcast => DitherDepth::Bits24,
            Delivery::Cd => DitherDepth::Bits16,
        }
    }

    pub fn bits(self) -> u16 {
        match self.format() {
            SampleFormat::Int16 => 16,
            _ => 24,
        }
    }

    /// Whether its WAV files carry the `bext` loudness chunk.
    pub fn loudness_metadata(self) -> bool {
        self == Delivery::Broadcast
    }
}

/// A file container.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Container {
    Wav,
    Flac,
}

impl Container {
    pub fn extension(self) -> &'static str {
        match self {
            Container::Wav => "wav",
            Container::Flac => "flac",
        }
    }
}
