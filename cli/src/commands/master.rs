//! `lacquer master IN... --out DIR [--preset P] [--target T] [--lufs X] [--ceiling-dbtp Y]
//! [--deliver streaming,cd,broadcast] [--flac] [--album] [--json] [--force] [--jobs N]`
//!
//! Exit status: 0 every file delivered and on target; 1 every file delivered, some off target
//! (the report says by how much); 2 nothing ran (bad arguments, preset or output folder);
//! 3 some inputs failed (the others were delivered).

use std::io::IsTerminal;
use std::path::PathBuf;

use lacquer_dsp::target::LoudnessTarget;
use serde_json::json;

use super::render::SettingsArgs;
use crate::audio_file::write_atomically;
use crate::master::delivery::{Container, Delivery};
use crate::master::report::table;
use crate::master::{MasterJob, MasterOutcome, Target};

/// Exit status: some files are off target.
pub const OFF_TARGET: u8 = 1;
/// Exit status: some inputs failed.
pub const SOME_FAILED: u8 = 3;
/// The report files written beside the deliveries.
pub const REPORT_STEM: &str = "lacquer-master-report";

/// Loudness targets by their command-line names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TargetArg {
    Spotify,
    Apple,
    Youtube,
    Amazon,
    Tidal,
    EbuR128,
    Atsc,
    /// CD and club masters: -9 LUFS, -0.3 dBTP.
    Cd,
    /// `--lufs` and `--ceiling-dbtp` (or the preset's values).
    Custom,
}

impl From<TargetArg> for LoudnessTarget {
    fn from(target: TargetArg) -> Self {
        match target {
            TargetArg::Spotify => LoudnessTarget::Spotify,
            TargetArg::Apple => LoudnessTarget::AppleMusic,
            TargetArg::Youtube => LoudnessTarget::YouTube,
            TargetArg::Amazon => LoudnessTarget::Amazon,
            TargetArg::Tidal => LoudnessTarget::Tidal,
            TargetArg::EbuR128 => LoudnessTarget::EbuR128,
            TargetArg::Atsc => LoudnessTarget::AtscA85,
            TargetArg::Cd => LoudnessTarget::Loud,
            TargetArg::Custom => LoudnessTarget::Custom,
        }
    }
}

/// The command's arguments.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Input files: WAV, FLAC, AIFF, MP3 or Ogg Vorbis, mono or stereo, any sample rate.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// Folder for the delivered files and the report (created if missing).
    #[arg(long)]
    pub out: PathBuf,
    #[command(flatten)]
    pub settings: SettingsArgs,
    /// Loudness target (platform loudness and true-peak limit); default: the settings'.
    #[arg(long, value_enum)]
    pub target: Option<TargetArg>,
    /// Integrated loudness to reach, LUFS (overrides the target's).
    #[arg(long, allow_negative_numbers = true)]
    pub lufs: Option<f64>,
    /// Highest true peak allowed, dBTP (overrides the target's).
    #[arg(long, allow_negative_numbers = true)]
    pub ceiling_dbtp: Option<f64>,
    /// Delivery formats: streaming (44.1 kHz/24-bit), cd (44.1 kHz/16-bit, dithered),
    /// broadcast (48 kHz/24-bit BWF with loudness metadata).
    #[arg(long, value_enum, value_delimiter = ',', default_value = "streaming")]
    pub deliver: Vec<Delivery>,
    /// Write FLAC files as well as WAV (same samples; the report covers each file).
    #[arg(long)]
    pub flac: bool,
    /// Master the inputs as one album: the album meets the target and the tracks keep
    /// their loudness relative to each other as mixed.
    #[arg(long)]
    pub album: bool,
    /// One JSON object per delivered file (then per album and per failure) on stdout.
    #[arg(long)]
    pub json: bool,
    /// Overwrite existing outputs (never an input).
    #[arg(long)]
    pub force: bool,
    /// Tracks rendered at once (default: one per core). Outputs do not depend on it.
    #[arg(long)]
    pub jobs: Option<usize>,
}

pub fn run(args: Args) -> anyhow::Result<u8> {
    let (params, _) = args.settings.settings().resolve()?;
    let target = Target::resolve(
        &params,
        args.target.map(LoudnessTarget::from),
        args.lufs,
        args.ceiling_dbtp,
    );
    let mut deliveries = args.deliver.clone();
    deliveries.sort();
    deliveries.dedup();
    let mut containers = vec![Container::Wav];
    if args.flac {
        containers.push(Container::Flac);
    }
    let job = MasterJob {
        inputs: args.inputs,
        out_dir: args.out.clone(),
        params,
        target,
        deliveries,
        containers,
        album: args.album,
        force: args.force,
        threads: args.jobs.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
        }),
        show_progress: !args.json && std::io::stderr().is_terminal(),
    };
    let report_paths = ["txt", "json"].map(|ext| args.out.join(format!("{REPORT_STEM}.{ext}")));
    if !args.force
        && let Some(existing) = report_paths.iter().find(|p| p.exists())
    {
        anyhow::bail!(
            "'{}' exists (use --force to overwrite it)",
            existing.display()
        );
    }
    let outcome = job.run()?;
    let text = table(&outcome.files, &outcome.albums);
    let document = document(&outcome);
    write_atomically(&report_paths[0], text.as_bytes())?;
    write_atomically(&report_paths[1], format!("{document:#}\n").as_bytes())?;
    if args.json {
        for line in document["files"]
            .as_array()
            .into_iter()
            .chain(document["albums"].as_array())
            .chain(document["failures"].as_array())
            .flatten()
        {
            println!("{line}");
        }
    } else {
        print!("{text}");
    }
    for (_, error) in &outcome.failures {
        eprintln!("lacquer: error: {error:#}");
    }
    Ok(status(&outcome))
}

/// The whole run as one JSON document.
fn document(outcome: &MasterOutcome) -> serde_json::Value {
    json!({
        "files": outcome.files.iter().map(|f| f.to_json()).collect::<Vec<_>>(),
        "albums": outcome.albums.iter().map(|a| a.to_json()).collect::<Vec<_>>(),
        "failures": outcome
            .failures
            .iter()
            .map(|(input, error)| json!({"input": input.display().to_string(), "error": format!("{error:#}")}))
            .collect::<Vec<_>>(),
    })
}

fn status(outcome: &MasterOutcome) -> u8 {
    if !outcome.failures.is_empty() {
        SOME_FAILED
    } else if outcome.files.iter().any(|f| !f.target.met())
        || outcome.albums.iter().any(|a| !a.met())
    {
        OFF_TARGET
    } else {
        0
    }
}
