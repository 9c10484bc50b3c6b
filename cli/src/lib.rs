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
pub mod track_buffer;
// The dsp tests' seeded generator, shared by path (test-only items of another crate are out of
// reach).
#[cfg(test)]
#[path = "../../dsp/src/util/test_random.rs"]
mod test_random;

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
        #[command(flatten)]
        settings: commands::render::SettingsArgs,
        /// Output sample format; defaults to the input's.
        #[arg(long, value_enum)]
        format: Option<audio_file::SampleFormat>,
    },
    /// Master files for delivery: each normalised to a loudness target under a true-peak
    /// ceiling through the full chain, in every delivery format asked for, with a report.
    ///
    /// Exit status: 0 all delivered on target; 1 all delivered, some off target; 2 nothing
    /// ran; 3 some inputs failed, the others were delivered.
    Master(commands::master::Args),
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
        Command::Master(args) => commands::master::run(args),
        Command::Render {
            input,
            output,
            settings,
            format,
        } => commands::render::run(&input, &output, &settings.settings(), format).map(|()| 0),
        Command::Analyze { files, json } => commands::analyze::run(&files, json).map(|()| 0),
        Command::Params { json } => commands::params::run(json).map(|()| 0),
        Command::Presets { json } => commands::presets::run(json).map(|()| 0),
        Command::Demo { out } => commands::demo::run(&out).map(|()| 0),
    }
}
