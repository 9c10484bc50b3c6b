//! Mastering one track: decode, resample to each delivery rate, run the chain up to the
//! limiter once, find the drive that reaches the loudness target, then dither, measure, encode
//! and write each delivery.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use indicatif::ProgressBar;
use lacquer_dsp::meter::PeakScope;
use lacquer_dsp::normalise::{LoudnessProfile, NormaliseOutcome, NormaliseSpec, normalise};
use lacquer_dsp::target::LoudnessTarget;
use lacquer_dsp::{ChainParams, MasterChain, ProcessSpec, Stage};
use sha2::{Digest, Sha256};

use super::Target;
use super::delivery::{Container, Delivery};
use super::report::{FileReport, TargetCheck};
use crate::analysis::Analysis;
use crate::audio_file::{Audio, WavFile, encode_flac, write_atomically, write_atomically_with};
use crate::bwf::with_loudness_metadata;
use crate::decode::decode_all;
use crate::render::RENDER_BLOCK;
use crate::resample::resample;
use crate::track_buffer::channel_copy;

/// The most limiter drive the normalisation may use, dB (the drive parameter's range).
const MAX_DRIVE_DB: f64 = 24.0;

/// A file to deliver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    pub delivery: Delivery,
    pub container: Container,
    pub path: PathBuf,
}

/// One track's work.
#[derive(Debug, Clone)]
pub struct TrackJob<'a> {
    pub input: &'a Path,
    pub outputs: &'a [Output],
    pub params: &'a ChainParams,
    pub target: &'a Target,
    /// The integrated loudness this track aims at (the target's, or its place in an album).
    pub lufs: f64,
    /// Keep the delivered audio's gating blocks (album mode measures the album with them).
    pub keep_blocks: bool,
}

/// What mastering a track delivered.
#[derive(Debug, Clone)]
pub struct TrackResult {
    pub files: Vec<FileReport>,
    /// Per delivery: the gating-block energies of the delivered audio, if the job keeps them.
    pub blocks: Vec<(Delivery, Vec<f64>)>,
}

/// Steps a track's progress bar counts: decoding, then per delivery rate the front of the
/// chain, the loudness search and each delivery.
pub fn progress_steps(outputs: &[Output]) -> u64 {
    let rates = by_rate(outputs);
    1 + rates
        .values()
        .map(|deliveries| 2 + deliveries.len() as u64)
        .sum::<u64>()
}

/// The deliveries, grouped by sample rate (deliveries at one rate share their render).
fn by_rate(outputs: &[Output]) -> BTreeMap<u32, Vec<Delivery>> {
    let mut rates: BTreeMap<u32, Vec<Delivery>> = BTreeMap::new();
    for output in outputs {
        let deliveries = rates.entry(output.delivery.sample_rate()).or_default();
        if !deliveries.contains(&output.delivery) {
            deliveries.push(output.delivery);
        }
    }
    rates
}

/// Masters one track into every output.
pub fn master_track(job: &TrackJob, progress: &ProgressBar) -> anyhow::Result<TrackResult> {
    progress.set_message(format!("{}: decoding", job.input.display()));
    let (source_rate, mut source) = decode_all(job.input).context("cannot decode it")?;
    progress.inc(1);
    let mut result = TrackResult {
        files: Vec::new(),
        blocks: Vec::new(),
    };
    let rates = by_rate(job.outputs);
    let last_rate = rates.keys().last().copied();
    for (rate, deliveries) in rates {
        progress.set_message(format!("{}: {rate} Hz", job.input.display()));
        // The last rate takes the decoded audio itself: no copy.
        let source = if Some(rate) == last_rate {
            std::mem::take(&mut source)
        } else {
            source.iter().map(|c| channel_copy(c, 0)).collect()
        };
        let mut limited = LimitedRender::new(job, (source_rate, source), rate, progress)?;
        let count = deliveries.len();
        for (k, delivery) in deliveries.into_iter().enumerate() {
            let (audio, readings) = limited.deliver(delivery, k + 1 == count);
            for output in job.outputs.iter().filter(|o| o.delivery == delivery) {
                result
                    .files
                    .push(write_output(job, &limited, output, &audio, &readings)?);
            }
            if job.keep_blocks {
                let profile = LoudnessProfile::measure(&audio.channels, f64::from(rate));
                result
                    .blocks
                    .push((delivery, profile.gating_blocks().collect()));
            }
            progress.inc(1);
        }
    }
    Ok(result)
}

/// A track at one delivery rate, limited at the drive that reaches its loudness.
struct LimitedRender {
    chain: MasterChain,
    params: ChainParams,
    /// The limiter's output; the audio starts `latency` frames in.
    limited: Vec<Vec<f32>>,
    latency: usize,
    outcome: NormaliseOutcome,
    rate: u32,
}

impl LimitedRender {
    /// Resamples `source` (at its rate) to `rate` and finds the drive.
    fn new(
        job: &TrackJob,
        (source_rate, source): (u32, Vec<Vec<f32>>),
        rate: u32,
        progress: &ProgressBar,
    ) -> anyhow::Result<Self> {
        let ceiling_dbtp = job.target.ceiling_for(job.lufs);
        let mut params = job.params.clone();
        // The run owns the output: the limiter's drive and ceiling and the output trim.
        params.target = LoudnessTarget::Custom;
        params.target_lufs = job.lufs;
        params.limiter.ceiling_dbtp = ceiling_dbtp;
        params.output_trim_db = 0.0;
        params.dither.depth = lacquer_dsp::dither::DitherDepth::Off;
        params.bypass = false;
        params.platform_preview = false;
        let mut chain = MasterChain::new(params.clone());
        chain.set_input_metering(false);
        chain.set_true_peak_scope(PeakScope::WholeFile);
        // The output meter measures the delivered samples' true peak for the report.
        chain.set_limiter_readout(false);
        chain
            .prepare(&ProcessSpec {
                sample_rate: f64::from(rate),
                max_block_size: RENDER_BLOCK,
                channels: source.len(),
            })
            .with_context(|| format!("cannot master at {rate} Hz"))?;
        let latency = chain.latency();
        // Room for the latency's worth of tail, so the padding below copies nothing.
        let mut input = resample(&source, source_rate, rate, latency)?;
        for channel in &mut input {
            channel.resize(channel.len() + latency, 0.0);
        }
        chain.process_stage(Stage::BeforeLimiter, &mut slices(&mut input));
        let profile = LoudnessProfile::measure(&aligned(&input, latency), f64::from(rate));
        progress.inc(1);
        let spec = NormaliseSpec {
            target_lufs: job.lufs,
            ceiling_dbtp,
            release_ms: params.limiter.release_ms,
            max_drive_db: MAX_DRIVE_DB,
        };
        // The limited audio goes where the source was: its pages are already in memory (fresh
        // ones cost more than the copy into them).
        let mut limited = source;
        let outcome = normalise(&profile, &spec, |drive_db| {
            params.limiter.drive_db = drive_db;
            chain.set_params(&params);
            chain.reset();
            limited.clone_from(&input);
            chain.process_stage(Stage::Limiter, &mut slices(&mut limited));
            LoudnessProfile::measure(&aligned(&limited, latency), f64::from(rate)).integrated_lufs()
        });
        drop(input);
        params.limiter.drive_db = outcome.drive_db;
        params.output_trim_db = outcome.trim_db;
        progress.inc(1);
        Ok(Self {
            chain,
            params,
            limited,
            latency,
            outcome,
            rate,
        })
    }

    /// The limited audio trimmed and dithered for `delivery`, with the output meter's
    /// readings of exactly those samples. The `last` delivery takes the limited audio itself
    /// rather than a copy.
    fn deliver(
        &mut self,
        delivery: Delivery,
        last: bool,
    ) -> (Audio, lacquer_dsp::meter::MeterReadings) {
        self.params.dither.depth = delivery.dither();
        self.chain.set_params(&self.params);
        self.chain.reset();
        let mut channels: Vec<Vec<f32>> = if last {
            let mut channels = std::mem::take(&mut self.limited);
            for channel in &mut channels {
                channel.drain(..self.latency.min(channel.len()));
            }
            channels
        } else {
            self.limited
                .iter()
                .map(|c| c[self.latency..].to_vec())
                .collect()
        };
        self.chain
            .process_stage(Stage::AfterLimiter, &mut slices(&mut channels));
        self.chain.finish_metering();
        let audio = Audio {
            sample_rate: self.rate,
            channels,
            format: delivery.format(),
        };
        (audio, self.chain.readings().output)
    }
}

fn slices(channels: &mut [Vec<f32>]) -> Vec<&mut [f32]> {
    channels.iter_mut().map(Vec::as_mut_slice).collect()
}

/// `channels` without their first `latency` frames.
fn aligned(channels: &[Vec<f32>], latency: usize) -> Vec<&[f32]> {
    channels
        .iter()
        .map(|c| &c[latency.min(c.len())..])
        .collect()
}

/// Passes bytes on to `inner`, hashing them on the way.
struct Hashing<'a> {
    inner: &'a mut dyn Write,
    hasher: &'a mut Sha256,
}

impl Write for Hashing<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let written = self.inner.write(bytes)?;
        self.hasher.update(&bytes[..written]);
        Ok(written)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Encodes, checksums and writes one output; reports it.
fn write_output(
    job: &TrackJob,
    render: &LimitedRender,
    output: &Output,
    audio: &Audio,
    readings: &lacquer_dsp::meter::MeterReadings,
) -> anyhow::Result<FileReport> {
    let delivery = output.delivery;
    let mut hasher = Sha256::new();
    match output.container {
        Container::Wav => {
            let mut wav = WavFile::new(audio)?;
            if delivery.loudness_metadata() {
                wav.header = with_loudness_metadata(
                    &wav.header,
                    readings,
                    audio.sample_rate,
                    delivery.bits(),
                    audio.channels.len(),
                )?;
            }
            write_atomically_with(&output.path, |file| {
                wav.write_to(&mut Hashing {
                    inner: file,
                    hasher: &mut hasher,
                })
            })?;
        }
        Container::Flac => {
            let bytes = encode_flac(audio, &output.path.with_extension("flac-encoding"))?;
            hasher.update(&bytes);
            write_atomically(&output.path, &bytes)?;
        }
    }
    let sha256: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let measured = readings.loudness.integrated_lufs;
    let allowed = job.target.allowed_true_peak_dbtp(measured);
    Ok(FileReport {
        analysis: Analysis {
            file: output.path.display().to_string(),
            sample_rate: audio.sample_rate,
            channels: audio.channels.len(),
            duration_s: audio.duration_s(),
            readings: *readings,
        },
        input: job.input.display().to_string(),
        delivery,
        container: output.container,
        bits: delivery.bits(),
        dither: format!(
            "{}-bit TPDF {}",
            delivery.bits(),
            match render.params.dither.shape {
                lacquer_dsp::dither::DitherShape::Flat => "flat",
                lacquer_dsp::dither::DitherShape::Shaped => "noise-shaped",
            }
        ),
        target: TargetCheck {
            name: job.target.name.clone(),
            lufs: job.lufs,
            allowed_true_peak_dbtp: allowed,
            loudness_error_lu: measured.map(|m| m - job.lufs),
            true_peak_margin_db: allowed - readings.true_peak_max_dbtp(),
            shortfall_lu: render.outcome.shortfall_lu,
        },
        drive_db: render.outcome.drive_db,
        trim_db: render.outcome.trim_db,
        renders: render.outcome.renders,
        sha256,
    })
}
