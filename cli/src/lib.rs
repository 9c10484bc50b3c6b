//! The `lacquer` command line: the same [`MasterChain`](lacquer_dsp::MasterChain) as the plugin,
//! driven offline.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

pub mod analysis;
pub mod audio_file;
pub mod bwf;
pub mod commands;
pub mod decode;
pub mod demo;
pub mod master;
pub mod render;
pub mod report;
pub mod resample;

/// Lacquer mastering suite, offline.
#[derive(Debug, Parser)]
#[command(name = "lacquer", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Render an audio file through the mastering chain.
    Render {
        /// Input WAV file.
        input: PathBuf,
        /// Output WAV file (written whole or not at all).
        output: PathBuf,
        /// Start from a preset: a factory or user preset name, or a preset file
        /// (`lacquer presets` lists them). `--set` values apply on top.
        #[arg(long, value_name = "NAME|FILE")]
        preset: Option<String>,
        /// Take the preset's output target too (target, ceiling, output trim, dither); by
        /// default a preset leaves them as they are.
        #[arg(long, requires = "preset")]
        unlock_output: bool,
        /// Set a parameter, e.g. `--set out_trim=-1.5` (repeatable; `lacquer params` lists ids).
        #[arg(long = "set", value_name = "ID=VALUE")]
        sets: Vec<String>,
        /// Output sample format; defaults to the input's.
        #[arg(long, value_enum)]
        format: Option<audio_file::SampleFormat>,
    },
    /// Master files for delivery: each normalised to a loudness target under a true-peak
    /// ceiling through the full chain, in every delivery format asked for, with a report.
    ///
    /// Exit status: 0 all delivered on target; 1 all delivered, some off target; 2 nothing
    /// ran; 3 some inputs failed, the others were delivered.
    Master {
        /// Input files: WAV, FLAC, AIFF, MP3 or Ogg Vorbis, mono or stereo, any sample rate.
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        /// Folder for the delivered files and the report (created if missing).
        #[arg(long)]
        out: PathBuf,
        /// Start from a preset (`lacquer presets` lists them).
        #[arg(long, value_name = "NAME|FILE")]
        preset: Option<String>,
        /// Take the preset's target too (by default the preset's sound only).
        #[arg(long, requires = "preset")]
        unlock_output: bool,
        /// Set a parameter, e.g. `--set glue_on=on` (repeatable).
        #[arg(long = "set", value_name = "ID=VALUE")]
        sets: Vec<String>,
        /// Loudness target (platform loudness and true-peak limit); default: the settings'.
        #[arg(long, value_enum)]
        target: Option<commands::master::TargetArg>,
        /// Integrated loudness to reach, LUFS (overrides the target's).
        #[arg(long, allow_negative_numbers = true)]
        lufs: Option<f64>,
        /// Highest true peak allowed, dBTP (overrides the target's).
        #[arg(long, allow_negative_numbers = true)]
        ceiling_dbtp: Option<f64>,
        /// Delivery formats: streaming (44.1 kHz/24-bit), cd (44.1 kHz/16-bit, dithered),
        /// broadcast (48 kHz/24-bit BWF with loudness metadata).
        #[arg(long, value_enum, value_delimiter = ',', default_value = "streaming")]
        deliver: Vec<master::delivery::Delivery>,
        /// Write FLAC files as well as WAV (same samples; the report covers each file).
        #[arg(long)]
        flac: bool,
        /// Master the inputs as one album: the album meets the target and the tracks keep
        /// their loudness relative to each other as mixed.
        #[arg(long)]
        album: bool,
        /// One JSON object per delivered file (then per album and per failure) on stdout.
        #[arg(long)]
        json: bool,
        /// Overwrite existing outputs (never an input).
        #[arg(long)]
        force: bool,
        /// Tracks rendered at once (default: one per core). Outputs do not depend on it.
        #[arg(long)]
        jobs: Option<usize>,
    },
    /// Measure loudness (EBU R128), loudness range, true peak, PLR and correlation.
    Analyze {
        /// Audio files: WAV, FLAC, AIFF, MP3 or Ogg Vorbis, mono or stereo, any sample rate.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// One JSON object per file, one per line, instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// List every parameter: id, module, name, unit, range, default and choices.
    Params {
        /// One JSON array instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// List the factory and user presets with their targets.
    Presets {
        /// One JSON array instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Synthesize a demo mix and master it with the default chain.
    Demo {
        /// Where to write `demo-mix.wav` and `demo-master.wav`.
        #[arg(long, default_value = "target/demo")]
        out: PathBuf,
    },
}

/// Runs one command; returns the exit status (0 for success; see each command for others).
pub fn run(cli: Cli) -> anyhow::Result<u8> {
    match cli.command {
        Command::Master {
            inputs,
            out,
            preset,
            unlock_output,
            sets,
            target,
            lufs,
            ceiling_dbtp,
            deliver,
            flac,
            album,
            json,
            force,
            jobs,
        } => commands::master::run(commands::master::Args {
            inputs,
            out,
            settings: commands::render::Settings {
                preset: preset.as_deref(),
                unlock_output,
                sets: &sets,
            },
            target,
            lufs,
            ceiling_dbtp,
            deliver,
            flac,
            album,
            json,
            force,
            jobs,
        }),
        command => run_other(command).map(|()| 0),
    }
}

fn run_other(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Master { .. } => unreachable!("handled by run"),
        Command::Render {
            input,
            output,
            preset,
            unlock_output,
            sets,
            format,
        } => {
            let settings = commands::render::Settings {
                preset: preset.as_deref(),
                unlock_output,
                sets: &sets,
            };
            commands::render::run(&input, &output, &settings, format)
        }
        Command::Analyze { files, json } => commands::analyze::run(&files, json),
        Command::Params { json } => commands::params::run(json),
        Command::Presets { json } => commands::presets::run(json),
        Command::Demo { out } => commands::demo::run(&out),
    }
}
