//! `lacquer render IN OUT [--set ID=VALUE]... [--format F]`
//!
//! 16- and 24-bit outputs are dithered to their word length (flat TPDF) unless `--set dither=…`
//! says otherwise.

use std::path::Path;

use anyhow::{Context, bail};
use lacquer_dsp::ChainParams;
use lacquer_dsp::dither::DitherDepth;

use crate::audio_file::{Audio, SampleFormat, read_wav, write_wav};
use crate::render::render;

/// Parses `ID=VALUE` settings into chain parameters on top of the defaults.
pub fn params_from_sets(sets: &[String]) -> anyhow::Result<ChainParams> {
    let mut params = ChainParams::default();
    for set in sets {
        let (id, value) = set
            .split_once('=')
            .with_context(|| format!("--set '{set}': expected ID=VALUE"))?;
        params
            .set_from_text(id.trim(), value)
            .with_context(|| format!("--set '{set}'"))?;
    }
    Ok(params)
}

pub fn run(
    input: &Path,
    output: &Path,
    sets: &[String],
    format: Option<SampleFormat>,
) -> anyhow::Result<()> {
    let mut params = params_from_sets(sets)?;
    if same_file(input, output) {
        bail!("refusing to write over the input '{}'", input.display());
    }
    let audio = read_wav(input)?;
    let format = format.unwrap_or(audio.format);
    if !sets.iter().any(|s| s.trim_start().starts_with("dither=")) {
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
