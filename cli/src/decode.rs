//! Decoding any supported audio file (WAV, FLAC, AIFF, MP3, Ogg Vorbis) with symphonia,
//! streamed in packets so long files need no more memory than a packet.

use std::fs::File;
use std::path::Path;

use anyhow::{Context, bail};
use symphonia::core::codecs::audio::AudioDecoderOptions;
use symphonia::core::errors::Error;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, TrackType};
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;

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
            .map(|_| Vec::with_capacity(capacity))
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
