//! Decoding any supported audio file (WAV, FLAC, AIFF, MP3, Ogg Vorbis) with symphonia,
//! streamed in packets so long files need no more memory than a packet. Plain PCM WAV, the
//! common case, is read in bulk and converted directly (without the decoder's packets and their
//! copies), to the same values.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use anyhow::{Context, bail};
use symphonia::core::codecs::audio::AudioDecoderOptions;
use symphonia::core::errors::Error;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, TrackType};
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;

use crate::track_buffer::channel_with_capacity;

/// What a decoded stream is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamInfo {
    pub sample_rate: u32,
    pub channels: usize,
    /// Frames, if the container says (used for progress only).
    pub frames_hint: Option<u64>,
}

/// Where decoded audio goes.
pub trait Sink {
    /// Called once, before any audio.
    fn start(&mut self, info: &StreamInfo) -> anyhow::Result<()>;
    /// Called with each decoded block, planar (one vector per channel, equal lengths).
    fn block(&mut self, channels: &[Vec<f32>]);
}

/// Decodes `path` into `sink`. Mono and stereo only.
pub fn decode(path: &Path, sink: &mut impl Sink) -> anyhow::Result<StreamInfo> {
    match read_pcm_wav(path, sink)? {
        Some(info) => Ok(info),
        None => decode_with_symphonia(path, sink),
    }
}

/// Frames per block of the PCM WAV reader.
const WAV_BLOCK: usize = 8192;

/// How one sample of a PCM WAV is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PcmWord {
    Int16,
    Int24,
    Int32,
    Float32,
}

impl PcmWord {
    fn of(format: hound::SampleFormat, bits: u16, bytes: u32) -> Option<Self> {
        use hound::SampleFormat::{Float, Int};
        match (format, bits, bytes) {
            (Int, 16, 2) => Some(Self::Int16),
            (Int, 24, 3) => Some(Self::Int24),
            (Int, 32, 4) => Some(Self::Int32),
            (Float, 32, 4) => Some(Self::Float32),
            _ => None,
        }
    }

    fn bytes(self) -> usize {
        match self {
            Self::Int16 => 2,
            Self::Int24 => 3,
            Self::Int32 | Self::Float32 => 4,
        }
    }

    /// Little-endian `bytes` (interleaved, `channels` per frame) into planar `out`, with the
    /// arithmetic of symphonia's sample conversions.
    fn convert(self, bytes: &[u8], out: &mut [Vec<f32>]) {
        let channels = out.len();
        let width = self.bytes();
        let frames = bytes.len() / (width * channels);
        for (c, channel) in out.iter_mut().enumerate() {
            channel.clear();
            let samples = bytes
                .chunks_exact(width * channels)
                .map(|frame| &frame[c * width..(c + 1) * width]);
            match self {
                Self::Int16 => channel.extend(
                    samples.map(|b| f32::from(i16::from_le_bytes([b[0], b[1]])) / 32_768.0),
                ),
                Self::Int24 => channel.extend(samples.map(|b| {
                    (i32::from_le_bytes([0, b[0], b[1], b[2]]) >> 8) as f32 / 8_388_608.0
                })),
                Self::Int32 => channel.extend(samples.map(|b| {
                    (f64::from(i32::from_le_bytes([b[0], b[1], b[2], b[3]])) / 2_147_483_648.0)
                        as f32
                })),
                Self::Float32 => {
                    channel.extend(samples.map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])))
                }
            }
            debug_assert_eq!(channel.len(), frames);
        }
    }
}

/// Reads a PCM WAV (16-, 24- or 32-bit integer, 32-bit float) in bulk. `None` when the file is
/// anything else, for symphonia to decode. Like the decoder, refuses a truncated file.
fn read_pcm_wav(path: &Path, sink: &mut impl Sink) -> anyhow::Result<Option<StreamInfo>> {
    let Ok(reader) = hound::WavReader::new(BufReader::new(File::open(path)?)) else {
        return Ok(None);
    };
    let (spec, samples) = (reader.spec(), reader.len());
    // hound leaves the file at the data, just after the data chunk's length, a whole number of
    // samples: their width is that length over their count.
    let mut file = reader.into_inner();
    let data_start = file.stream_position()?;
    file.seek(SeekFrom::Start(data_start - 4))?;
    let mut data_len = [0u8; 4];
    file.read_exact(&mut data_len)?;
    let data_len = u32::from_le_bytes(data_len);
    if samples == 0 {
        return Ok(None);
    }
    let Some(word) = PcmWord::of(spec.sample_format, spec.bits_per_sample, data_len / samples)
    else {
        return Ok(None);
    };
    let channels = usize::from(spec.channels);
    if !(1..=2).contains(&channels) {
        return Ok(None);
    }
    let frame_bytes = word.bytes() * channels;
    let frames = u64::from(data_len) / frame_bytes as u64;
    let info = StreamInfo {
        sample_rate: spec.sample_rate,
        channels,
        frames_hint: Some(frames),
    };
    let mut left = frames as usize * frame_bytes;
    let mut bytes = vec![0u8; WAV_BLOCK * frame_bytes];
    let mut planar: Vec<Vec<f32>> = (0..channels)
        .map(|_| Vec::with_capacity(WAV_BLOCK))
        .collect();
    sink.start(&info)?;
    while left > 0 {
        let want = left.min(bytes.len());
        let got = read_up_to(&mut file, &mut bytes[..want])?;
        if got < want {
            bail!(
                "corrupt stream: the audio data ends after {} of its {frames} frames",
                (frames as usize * frame_bytes - left + got) / frame_bytes
            );
        }
        word.convert(&bytes[..got], &mut planar);
        sink.block(&planar);
        left -= got;
    }
    Ok(Some(info))
}

/// Fills `buffer` from `reader` as far as the data goes; how many bytes it read.
fn read_up_to(reader: &mut impl Read, buffer: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        match reader.read(&mut buffer[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
    Ok(filled)
}

/// Decodes any format symphonia reads.
fn decode_with_symphonia(path: &Path, sink: &mut impl Sink) -> anyhow::Result<StreamInfo> {
    let file = File::open(path)?;
    let stream = MediaSourceStream::new(Box::new(file), Default::default());
    let mut hint = Hint::new();
    if let Some(extension) = path.extension().and_then(|e| e.to_str()) {
        hint.with_extension(extension);
    }
    let mut format = symphonia::default::get_probe()
        .probe(
            &hint,
            stream,
            FormatOptions::default(),
            MetadataOptions::default(),
        )
        .context("not a supported audio file (WAV, FLAC, AIFF, MP3, Ogg Vorbis)")?;
    let track = format
        .default_track(TrackType::Audio)
        .context("no audio track")?;
    let track_id = track.id;
    let params = track
        .codec_params
        .as_ref()
        .and_then(|p| p.audio())
        .context("no audio codec parameters")?
        .clone();
    let mut decoder = symphonia::default::get_codecs()
        .make_audio_decoder(&params, &AudioDecoderOptions::default())
        .context("unsupported codec")?;
    let sample_rate = params.sample_rate.context("unknown sample rate")?;
    let channels = params.channels.as_ref().map(|c| c.count());
    let mut info = StreamInfo {
        sample_rate,
        channels: channels.unwrap_or(0),
        frames_hint: track.num_frames,
    };
    let mut announced = false;
    let mut planar: Vec<Vec<f32>> = Vec::new();
    while let Some(packet) = format.next_packet().context("corrupt stream")? {
        if packet.track_id != track_id {
            continue;
        }
        let decoded = match decoder.decode(&packet) {
            Ok(decoded) => decoded,
            // A damaged packet in a lossy stream: skip it, as players do.
            Err(Error::DecodeError(_)) => continue,
            Err(error) => return Err(error).context("decoding failed"),
        };
        if !announced {
            info.channels = decoded.spec().channels().count();
            if !(1..=2).contains(&info.channels) {
                bail!(
                    "{} channels (Lacquer analyses mono or stereo)",
                    info.channels
                );
            }
            sink.start(&info)?;
            announced = true;
        }
        decoded.copy_to_vecs_planar::<f32>(&mut planar);
        sink.block(&planar[..info.channels]);
    }
    if !announced {
        bail!("no audio in the file");
    }
    Ok(info)
}

/// Collects a whole decoded file in memory.
#[derive(Default)]
struct Collect {
    channels: Vec<Vec<f32>>,
}

impl Sink for Collect {
    fn start(&mut self, info: &StreamInfo) -> anyhow::Result<()> {
        let capacity = info.frames_hint.unwrap_or(0) as usize;
        // One by one: `vec![v; n]` clones, and a clone has no spare capacity.
        self.channels = (0..info.channels)
            .map(|_| channel_with_capacity(capacity))
            .collect();
        Ok(())
    }

    fn block(&mut self, channels: &[Vec<f32>]) {
        for (all, block) in self.channels.iter_mut().zip(channels) {
            all.extend_from_slice(block);
        }
    }
}

/// Decodes all of `path`: its sample rate and its channels, planar.
pub fn decode_all(path: &Path) -> anyhow::Result<(u32, Vec<Vec<f32>>)> {
    let mut collect = Collect::default();
    let info = decode(path, &mut collect)?;
    Ok((info.sample_rate, collect.channels))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_random::unit_random;

    /// A WAV of `frames` frames holding full-scale extremes, zero and pseudo-random values.
    fn write_wav(path: &Path, channels: u16, bits: u16, format: hound::SampleFormat, frames: u32) {
        let spec = hound::WavSpec {
            channels,
            sample_rate: 44_100,
            bits_per_sample: bits,
            sample_format: format,
        };
        let mut writer = hound::WavWriter::create(path, spec).unwrap();
        let mut random = unit_random(0x9e37_79b9);
        for n in 0..frames * u32::from(channels) {
            let full = 1i64 << (bits - 1);
            let int = match n % 7 {
                0 => full - 1,
                1 => -full,
                2 => 0,
                _ => ((2.0 * random() - 1.0) * full as f64) as i64,
            };
            match format {
                hound::SampleFormat::Int => writer.write_sample(int as i32).unwrap(),
                hound::SampleFormat::Float => {
                    writer.write_sample(int as f32 / full as f32 * 1.5).unwrap()
                }
            }
        }
        writer.finalize().unwrap();
    }

    /// The channels read in bulk and decoded by symphonia (same rate and channel count).
    fn both_ways(path: &Path) -> [Vec<Vec<f32>>; 2] {
        let mut fast = Collect::default();
        let info = read_pcm_wav(path, &mut fast)
            .unwrap()
            .expect("read in bulk");
        let mut reference = Collect::default();
        let reference_info = decode_with_symphonia(path, &mut reference).unwrap();
        assert_eq!(
            (info.sample_rate, info.channels),
            (reference_info.sample_rate, reference_info.channels)
        );
        [fast.channels, reference.channels]
    }

    #[test]
    fn bulk_pcm_reading_gives_the_decoders_values() {
        let dir = tempfile::tempdir().unwrap();
        for (bits, format) in [
            (16, hound::SampleFormat::Int),
            (24, hound::SampleFormat::Int),
            (32, hound::SampleFormat::Int),
            (32, hound::SampleFormat::Float),
        ] {
            for channels in [1, 2] {
                let path = dir.path().join(format!("{bits}-{format:?}-{channels}.wav"));
                // Longer than a block, not a whole number of blocks.
                write_wav(&path, channels, bits, format, 2 * WAV_BLOCK as u32 + 77);
                let [fast, reference] = both_ways(&path);
                assert_eq!(fast.len(), usize::from(channels));
                assert_eq!(fast[0].len(), 2 * WAV_BLOCK + 77);
                assert_eq!(
                    fast, reference,
                    "{bits}-bit {format:?}, {channels} channels"
                );
                // Bit for bit (equality alone would let -0.0 pass for 0.0).
                let mut same = fast.iter().flatten().zip(reference.iter().flatten());
                assert!(same.all(|(a, b)| a.to_bits() == b.to_bits()));
            }
        }
    }

    #[test]
    fn a_truncated_wav_is_refused_as_the_decoder_refuses_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cut.wav");
        write_wav(&path, 2, 24, hound::SampleFormat::Int, 1_000);
        let bytes = std::fs::read(&path).unwrap();
        let header = bytes.len() - 6_000;
        std::fs::write(&path, &bytes[..header + 2_404]).unwrap();
        let error = read_pcm_wav(&path, &mut Collect::default()).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("ends after 400 of its 1000 frames"),
            "{error}"
        );
        assert!(decode_with_symphonia(&path, &mut Collect::default()).is_err());
    }

    #[test]
    fn other_files_are_left_to_the_decoder() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("8-bit.wav");
        write_wav(&path, 2, 8, hound::SampleFormat::Int, 100);
        assert!(
            read_pcm_wav(&path, &mut Collect::default())
                .unwrap()
                .is_none()
        );
        let (rate, channels) = decode_all(&path).unwrap();
        assert_eq!((rate, channels[0].len()), (44_100, 100));
        let text = dir.path().join("text.wav");
        std::fs::write(&text, b"not audio at all").unwrap();
        assert!(
            read_pcm_wav(&text, &mut Collect::default())
                .unwrap()
                .is_none()
        );
        assert!(decode_all(&text).is_err());
    }
}
