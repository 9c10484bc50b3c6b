//! The `lacquer` command line: the same [`MasterChain`](lacquer_dsp::MasterChain) as the plugin,
//! driven offline.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

pub mod analysis;
pub mod audio_file;
pub mod commands;
pub mod decode;
pub mod demo;
pub mod render;
pub mod report;

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

/// Runs one command.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
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
