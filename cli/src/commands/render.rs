//! `lacquer render IN OUT [--preset NAME|FILE [--unlock-output]] [--set ID=VALUE]... [--format F]`
//!
//! 16- and 24-bit outputs are dithered to their word length (flat TPDF) unless `--set dither=…`
//! (or an unlocked preset's dither) says otherwise.

use std::path::Path;

use anyhow::{Context, bail};
use lacquer_dsp::ChainParams;
use lacquer_dsp::dither::DitherDepth;
use lacquer_dsp::preset::resolve_preset;

use crate::audio_file::{Audio, SampleFormat, read_wav, write_wav};
use crate::render::render;

/// Where the settings come from, as command-line options (`render` and `master`).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct SettingsArgs {
    /// Start from a preset: a factory or user preset name, or a preset file
    /// (`lacquer presets` lists them). `--set` values apply on top.
    #[arg(long, value_name = "NAME|FILE")]
    pub preset: Option<String>,
    /// Take the preset's output target too (target, ceiling, output trim, dither); by
    /// default a preset leaves them as they are.
    #[arg(long, requires = "preset")]
    pub unlock_output: bool,
    /// Set a parameter, e.g. `--set out_trim=-1.5` (repeatable; `lacquer params` lists ids).
    #[arg(long = "set", value_name = "ID=VALUE")]
    pub sets: Vec<String>,
}

impl SettingsArgs {
    pub fn settings(&self) -> Settings<'_> {
        Settings {
            preset: self.preset.as_deref(),
            unlock_output: self.unlock_output,
            sets: &self.sets,
        }
    }
}

/// Where a render's settings come from.
#[derive(Debug, Clone, Copy, Default)]
pub struct Settings<'a> {
    /// A preset name or file.
    pub preset: Option<&'a str>,
    /// Apply the preset's output target too.
    pub unlock_output: bool,
    /// `ID=VALUE` settings over the preset.
    pub sets: &'a [String],
}

impl Settings<'_> {
    /// The chain parameters: defaults, then the preset, then the `--set` values; and whether
    /// the user chose the dither.
    pub fn resolve(&self) -> anyhow::Result<(ChainParams, bool)> {
        let mut params = ChainParams::default();
        let mut dither_chosen = false;
        if let Some(name) = self.preset {
            let library = super::presets::user_library();
            let preset = resolve_preset(name, library.as_ref())?;
            preset.apply(&mut params, !self.unlock_output);
            dither_chosen = self.unlock_output && preset.params.dither.depth != DitherDepth::Off;
        }
        apply_sets(&mut params, self.sets)?;
        dither_chosen |= self
            .sets
            .iter()
            .any(|s| s.trim_start().starts_with("dither="));
        Ok((params, dither_chosen))
    }
}

/// Applies `ID=VALUE` settings.
fn apply_sets(params: &mut ChainParams, sets: &[String]) -> anyhow::Result<()> {
    for set in sets {
        let (id, value) = set
            .split_once('=')
            .with_context(|| format!("--set '{set}': expected ID=VALUE"))?;
        params
            .set_from_text(id.trim(), value)
            .with_context(|| format!("--set '{set}'"))?;
    }
    Ok(())
}

pub fn run(
    input: &Path,
    output: &Path,
    settings: &Settings,
    format: Option<SampleFormat>,
) -> anyhow::Result<()> {
    let (mut params, dither_chosen) = settings.resolve()?;
    if same_file(input, output) {
        bail!("refusing to write over the input '{}'", input.display());
    }
    let audio = read_wav(input)?;
    let format = format.unwrap_or(audio.format);
    if !dither_chosen {
        params.dither.depth = dither_for(format);
    }
    let channels =
        render(&audio, &params).with_context(|| format!("cannot render '{}'", input.display()))?;
    let rendered = Audio {
        channels,
        format,
        ..audio
    };
    write_wav(output, &rendered)?;
    eprintln!(
        "rendered '{}' -> '{}' ({:.1} s, {} Hz, {:?}, dither {:?})",
        input.display(),
        output.display(),
        rendered.duration_s(),
        rendered.sample_rate,
        rendered.format,
        params.dither.depth
    );
    Ok(())
}

/// The dither a file format needs unless the user chose one: its word length for 16- and
/// 24-bit integers; none for 32-bit integers and floats, which hold more than the chain's
/// 24-bit float mantissa.
fn dither_for(format: SampleFormat) -> DitherDepth {
    match format {
        SampleFormat::Int16 => DitherDepth::Bits16,
        SampleFormat::Int24 => DitherDepth::Bits24,
        SampleFormat::Int32 | SampleFormat::Float32 => DitherDepth::Off,
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}
