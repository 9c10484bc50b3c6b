//! Reading and writing WAV files. Writes go to a temporary file that is renamed into place, so
//! a failed or interrupted write never leaves a partial output.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

/// Sample formats Lacquer reads and writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SampleFormat {
    /// 16-bit integer PCM.
    Int16,
    /// 24-bit integer PCM.
    Int24,
    /// 32-bit integer PCM.
    Int32,
    /// 32-bit IEEE float.
    Float32,
}

impl SampleFormat {
    fn spec(self) -> (u16, hound::SampleFormat) {
        match self {
            SampleFormat::Int16 => (16, hound::SampleFormat::Int),
            SampleFormat::Int24 => (24, hound::SampleFormat::Int),
            SampleFormat::Int32 => (32, hound::SampleFormat::Int),
            SampleFormat::Float32 => (32, hound::SampleFormat::Float),
        }
    }

    fn from_spec(spec: hound::WavSpec) -> Option<Self> {
        match (spec.bits_per_sample, spec.sample_format) {
            (16, hound::SampleFormat::Int) => Some(SampleFormat::Int16),
            (24, hound::SampleFormat::Int) => Some(SampleFormat::Int24),
            (32, hound::SampleFormat::Int) => Some(SampleFormat::Int32),
            (32, hound::SampleFormat::Float) => Some(SampleFormat::Float32),
            _ => None,
        }
    }
}

/// De-interleaved audio in memory.
#[derive(Debug, Clone, PartialEq)]
pub struct Audio {
    pub sample_rate: u32,
    /// One vector per channel, all the same length.
    pub channels: Vec<Vec<f32>>,
    /// The format it was read in (or should be written in).
    pub format: SampleFormat,
}

impl Audio {
    /// Frames per channel.
    pub fn frames(&self) -> usize {
        self.channels.first().map_or(0, Vec::len)
    }

    /// Duration in seconds.
    pub fn duration_s(&self) -> f64 {
        self.frames() as f64 / f64::from(self.sample_rate)
    }
}

/// Reads a mono or stereo WAV file (16/24/32-bit int or 32-bit float).
pub fn read_wav(path: &Path) -> anyhow::Result<Audio> {
    let mut reader = hound::WavReader::open(path)
        .with_context(|| format!("cannot read '{}'", path.display()))?;
    let spec = reader.spec();
    let format = SampleFormat::from_spec(spec).with_context(|| {
        format!(
            "cannot read '{}': {}-bit {:?} WAV is not supported (16/24/32-bit int, 32-bit float)",
            path.display(),
            spec.bits_per_sample,
            spec.sample_format
        )
    })?;
    let channels = usize::from(spec.channels);
    if !(1..=2).contains(&channels) {
        bail!(
            "cannot read '{}': {channels} channels (Lacquer masters mono or stereo)",
            path.display()
        );
    }
    let interleaved: Vec<f32> = match spec.sample_format {
        hound::SampleFormat::Float => reader.samples::<f32>().collect::<Result<_, _>>(),
        hound::SampleFormat::Int => {
            let scale = 1.0 / (1u64 << (spec.bits_per_sample - 1)) as f32;
            reader
                .samples::<i32>()
                .map(|s| s.map(|v| v as f32 * scale))
                .collect::<Result<_, _>>()
        }
    }
    .with_context(|| format!("cannot read '{}': corrupt sample data", path.display()))?;
    let mut planar = vec![Vec::with_capacity(interleaved.len() / channels); channels];
    for frame in interleaved.chunks_exact(channels) {
        for (channel, &sample) in planar.iter_mut().zip(frame) {
            channel.push(sample);
        }
    }
    Ok(Audio {
        sample_rate: spec.sample_rate,
        channels: planar,
        format,
    })
}

/// Writes `audio` as WAV in its `format`, atomically: a temporary file beside `path` is renamed
/// over it only once complete. Integer formats are rounded and clipped to full scale.
pub fn write_wav(path: &Path, audio: &Audio) -> anyhow::Result<()> {
    let wav = WavFile::new(audio)?;
    write_atomically_with(path, |file| wav.write_to(file))
}

/// Writes `bytes` to `path` through a temporary file beside it, renamed into place only once
/// complete: an interrupted or failed write leaves neither a partial file nor a temporary one.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    write_atomically_with(path, |file| file.write_all(bytes))
}

/// [`write_atomically`] for contents that `write` produces piece by piece.
pub fn write_atomically_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    let temporary = temporary_path(path);
    let result = fs::File::create(&temporary)
        .and_then(|mut file| write(&mut file))
        .and_then(|()| fs::rename(&temporary, path))
        .map_err(anyhow::Error::from);
    if result.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    result.with_context(|| format!("cannot write '{}'", path.display()))
}

fn temporary_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!(".{name}.partial-{}", std::process::id()))
}

/// `audio` as the bytes of a WAV file in its `format` (tests compare and edit whole files).
#[cfg(test)]
pub(crate) fn encode_wav(audio: &Audio) -> anyhow::Result<Vec<u8>> {
    let wav = WavFile::new(audio)?;
    let mut bytes = Vec::with_capacity(wav.byte_len());
    wav.write_to(&mut bytes)?;
    Ok(bytes)
}

/// A WAV file of `audio`, produced piece by piece: hound writes the header (its choice of
/// format chunk); the samples are packed here, as hound would store them, a piece at a time
/// (hound's sample-by-sample writer took a tenth of a whole mastering run, and a whole file
/// in memory costs its size in fresh pages).
pub struct WavFile<'a> {
    audio: &'a Audio,
    /// Everything before the samples: RIFF and format chunks, any other chunk, the data chunk's
    /// header.
    pub header: Vec<u8>,
    width: usize,
}

/// Frames packed per piece: a few hundred kilobytes, at home in the cache.
const PIECE_FRAMES: usize = 1 << 15;

impl<'a> WavFile<'a> {
    pub fn new(audio: &'a Audio) -> anyhow::Result<Self> {
        let (bits_per_sample, sample_format) = audio.format.spec();
        let channels = audio.channels.len();
        let spec = hound::WavSpec {
            channels: channels as u16,
            sample_rate: audio.sample_rate,
            bits_per_sample,
            sample_format,
        };
        let width = usize::from(bits_per_sample / 8);
        let data_bytes = audio.frames() * channels * width;
        let too_long = || anyhow::anyhow!("{data_bytes} bytes of audio: too long for a WAV file");
        let mut header = std::io::Cursor::new(Vec::new());
        hound::WavWriter::new(&mut header, spec)?.finalize()?;
        let mut header = header.into_inner();
        // The header ends with the data chunk's length; the RIFF length counts all but 8 bytes.
        let header_len = header.len();
        let data_len = u32::try_from(data_bytes).map_err(|_| too_long())?;
        let riff_len = u32::try_from(header_len - 8 + data_bytes).map_err(|_| too_long())?;
        header[4..8].copy_from_slice(&riff_len.to_le_bytes());
        header[header_len - 4..].copy_from_slice(&data_len.to_le_bytes());
        Ok(Self {
            audio,
            header,
            width,
        })
    }

    /// Bytes in the file.
    pub fn byte_len(&self) -> usize {
        self.header.len() + self.audio.frames() * self.audio.channels.len() * self.width
    }

    /// Writes the file to `sink`, a piece at a time.
    pub fn write_to(&self, sink: &mut (impl Write + ?Sized)) -> std::io::Result<()> {
        sink.write_all(&self.header)?;
        let frames = self.audio.frames();
        let frame_len = self.audio.channels.len() * self.width;
        let piece_frames = PIECE_FRAMES.min(frames);
        let mut piece = vec![0u8; piece_frames * frame_len];
        let mut words = vec![0i32; piece_frames];
        for start in (0..frames).step_by(PIECE_FRAMES) {
            let end = frames.min(start + PIECE_FRAMES);
            let bytes = &mut piece[..(end - start) * frame_len];
            self.pack(start..end, &mut words, bytes);
            sink.write_all(bytes)?;
        }
        Ok(())
    }

    /// Packs the samples of `frames` into `bytes`, interleaved; integer formats are quantised
    /// a channel at a time into `words` first (a loop that runs as vector code).
    fn pack(&self, frames: std::ops::Range<usize>, words: &mut [i32], bytes: &mut [u8]) {
        let (width, frame_len) = (self.width, self.audio.channels.len() * self.width);
        let (bits, _) = self.audio.format.spec();
        for (c, channel) in self.audio.channels.iter().enumerate() {
            let slots = bytes
                .chunks_exact_mut(frame_len)
                .map(|frame| &mut frame[c * width..(c + 1) * width]);
            let samples = &channel[frames.clone()];
            if self.audio.format == SampleFormat::Float32 {
                store(slots, samples, |x| x.to_le_bytes());
                continue;
            }
            let words = &mut words[..samples.len()];
            quantize_into(samples, bits, words);
            match width {
                2 => store(slots, words, |w| (w as i16).to_le_bytes()),
                3 => store(slots, words, |w| {
                    let [a, b, c, _] = w.to_le_bytes();
                    [a, b, c]
                }),
                _ => store(slots, words, |w| w.to_le_bytes()),
            }
        }
    }
}

/// Stores each value's little-endian bytes in its slot.
fn store<'a, T: Copy, const N: usize>(
    slots: impl Iterator<Item = &'a mut [u8]>,
    values: &[T],
    word: impl Fn(T) -> [u8; N],
) {
    for (slot, &x) in slots.zip(values) {
        slot.copy_from_slice(&word(x));
    }
}

/// `audio` as the bytes of a FLAC file, by libFLAC (compression level 5). libFLAC writes
/// `scratch` (so it can seek back and complete the stream header with the length and the MD5
/// of the audio); the bytes are read back and `scratch` removed. 16- and 24-bit only.
#[cfg(feature = "flac")]
pub fn encode_flac(audio: &Audio, scratch: &Path) -> anyhow::Result<Vec<u8>> {
    let bits = match audio.format {
        SampleFormat::Int16 => 16,
        SampleFormat::Int24 => 24,
        other => bail!("FLAC holds 16- or 24-bit integers, not {other:?}"),
    };
    let encoded = encode_flac_file(audio, bits, scratch).and_then(|()| Ok(fs::read(scratch)?));
    let _ = fs::remove_file(scratch);
    encoded.context("FLAC encoding failed")
}

#[cfg(feature = "flac")]
fn encode_flac_file(audio: &Audio, bits: u16, path: &Path) -> anyhow::Result<()> {
    let frames = audio.frames();
    let interleaved: Vec<i32> = (0..frames)
        .flat_map(|frame| audio.channels.iter().map(move |c| quantize(c[frame], bits)))
        .collect();
    let mut encoder = flac_bound::FlacEncoder::new()
        .context("libFLAC could not create an encoder")?
        .channels(audio.channels.len() as u32)
        .bits_per_sample(u32::from(bits))
        .sample_rate(audio.sample_rate)
        .compression_level(5)
        .total_samples_estimate(frames as u64)
        .init_file(&path)
        .map_err(|e| anyhow::anyhow!("libFLAC: {e:?}"))?;
    encoder
        .process_interleaved(&interleaved, frames as u32)
        .map_err(|()| anyhow::anyhow!("libFLAC: {:?}", encoder.state()))?;
    encoder
        .finish()
        .map_err(|e| anyhow::anyhow!("libFLAC: {:?}", e.state()))?;
    Ok(())
}

/// Without libFLAC (the `flac` feature off), FLAC output is refused.
#[cfg(not(feature = "flac"))]
pub fn encode_flac(_audio: &Audio, _scratch: &Path) -> anyhow::Result<Vec<u8>> {
    bail!("this build of lacquer has no FLAC encoder (built without the `flac` feature)")
}

/// Rounds a sample to a signed integer of `bits` (halves away from zero), clipping at full
/// scale; NaN gives 0. The half is added exactly (a sample scaled to 32 bits spans at most 33
/// bits of f64's 53) and the sum clamped to whole bounds before the truncating conversion,
/// which makes it round-then-clamp (tested) in arithmetic that vectorises.
#[inline]
pub fn quantize(x: f32, bits: u16) -> i32 {
    let full_scale = (1u64 << (bits.clamp(1, 32) - 1)) as f64;
    let scaled = f64::from(x) * full_scale;
    let clamped = (scaled + 0.5f64.copysign(scaled)).clamp(-full_scale, full_scale - 1.0);
    let finite = if clamped.is_nan() { 0.0 } else { clamped };
    // SAFETY: `finite` is finite and within `i32`'s range (a full scale of at most 2^31), so
    // the truncating conversion is defined; the checked `as` would not vectorise.
    unsafe { finite.to_int_unchecked() }
}

/// [`quantize`] over a block.
fn quantize_into(samples: &[f32], bits: u16, words: &mut [i32]) {
    for (word, &x) in words.iter_mut().zip(samples) {
        *word = quantize(x, bits);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_random::unit_random;

    fn ramp_audio(format: SampleFormat) -> Audio {
        let left: Vec<f32> = (0..1000).map(|i| (i as f32 / 500.0) - 1.0).collect();
        let right: Vec<f32> = left.iter().map(|x| -x * 0.5).collect();
        Audio {
            sample_rate: 44_100,
            channels: vec![left, right],
            format,
        }
    }

    #[test]
    fn every_format_round_trips_within_its_resolution() {
        let dir = tempfile::tempdir().unwrap();
        for (format, tolerance) in [
            (SampleFormat::Int16, 1.0 / 32768.0),
            (SampleFormat::Int24, 1.0 / 8_388_608.0),
            (SampleFormat::Int32, 1e-7),
            (SampleFormat::Float32, 0.0),
        ] {
            let path = dir.path().join(format!("{format:?}.wav"));
            let audio = ramp_audio(format);
            write_wav(&path, &audio).unwrap();
            let back = read_wav(&path).unwrap();
            assert_eq!(back.format, format);
            assert_eq!(back.sample_rate, 44_100);
            for (a, b) in audio
                .channels
                .iter()
                .flatten()
                .zip(back.channels.iter().flatten())
            {
                assert!((a - b).abs() <= tolerance, "{format:?}: {a} vs {b}");
            }
        }
    }

    /// What hound's own sample-by-sample writer makes of `audio`.
    fn hound_bytes(audio: &Audio) -> Vec<u8> {
        let (bits_per_sample, sample_format) = audio.format.spec();
        let spec = hound::WavSpec {
            channels: audio.channels.len() as u16,
            sample_rate: audio.sample_rate,
            bits_per_sample,
            sample_format,
        };
        let mut bytes = std::io::Cursor::new(Vec::new());
        let mut writer = hound::WavWriter::new(&mut bytes, spec).unwrap();
        for frame in 0..audio.frames() {
            for channel in &audio.channels {
                match audio.format {
                    SampleFormat::Float32 => writer.write_sample(channel[frame]).unwrap(),
                    _ => writer
                        .write_sample(quantize(channel[frame], bits_per_sample))
                        .unwrap(),
                }
            }
        }
        writer.finalize().unwrap();
        bytes.into_inner()
    }

    #[test]
    fn encoded_files_are_what_hound_writes_byte_for_byte() {
        for format in [
            SampleFormat::Int16,
            SampleFormat::Int24,
            SampleFormat::Int32,
            SampleFormat::Float32,
        ] {
            let stereo = ramp_audio(format);
            // Mono with an odd length: an odd data chunk for 24 bits.
            let mono = Audio {
                channels: vec![stereo.channels[1][..999].to_vec()],
                ..stereo.clone()
            };
            for audio in [stereo, mono] {
                assert!(
                    encode_wav(&audio).unwrap() == hound_bytes(&audio),
                    "{format:?}, {} channels",
                    audio.channels.len()
                );
            }
        }
    }

    #[test]
    fn quantize_rounds_and_clips() {
        assert_eq!(quantize(1.0, 16), 32767);
        assert_eq!(quantize(-1.0, 16), -32768);
        assert_eq!(quantize(2.0, 24), 8_388_607);
        assert_eq!(quantize(0.5 / 32768.0, 16), 1);
    }

    /// Against rounding first and clamping after, on every kind of f32 (random bit patterns:
    /// normals of every size, subnormals, infinities, NaN) and exact halves.
    #[test]
    fn quantize_is_round_then_clamp_for_any_sample() {
        let mut random = unit_random(0x2545_f491_4f6c_dd1d);
        let mut values: Vec<f32> = (0..200_000)
            .map(|_| f32::from_bits((random() * 4_294_967_296.0) as u32))
            .collect();
        values.extend((-70_000..70_000).map(|k| (k as f32 + 0.5) / 32_768.0));
        for bits in [16, 24, 32] {
            let full_scale = (1u64 << (bits - 1)) as f64;
            for &x in &values {
                let rounded = (f64::from(x) * full_scale).round();
                let expected = if x.is_nan() {
                    0
                } else {
                    rounded.clamp(-full_scale, full_scale - 1.0) as i32
                };
                assert_eq!(quantize(x, bits), expected, "{x:e} at {bits} bits");
            }
        }
    }

    #[test]
    fn failed_write_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing-dir").join("out.wav");
        let error = write_wav(&path, &ramp_audio(SampleFormat::Int16)).unwrap_err();
        assert!(format!("{error:#}").contains("out.wav"));
        assert!(!path.exists());
    }

    #[test]
    fn unreadable_files_are_named_in_the_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("garbage.wav");
        fs::write(&path, b"RIFF nonsense").unwrap();
        let error = format!("{:#}", read_wav(&path).unwrap_err());
        assert!(error.contains("garbage.wav"), "{error}");
    }
}
