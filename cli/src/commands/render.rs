//! `lacquer render IN OUT [--set ID=VALUE]... [--format F]`

use std::path::Path;

use anyhow::{Context, bail};
use lacquer_dsp::ChainParams;

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
    let params = params_from_sets(sets)?;
    if same_file(input, output) {
        bail!("refusing to write over the input '{}'", input.display());
    }
    let audio = read_wav(input)?;
    let channels =
        render(&audio, &params).with_context(|| format!("cannot render '{}'", input.display()))?;
    let rendered = Audio {
        channels,
        format: format.unwrap_or(audio.format),
        ..audio
    };
    write_wav(output, &rendered)?;
    eprintln!(
        "rendered '{}' -> '{}' ({:.1} s, {} Hz, {:?})",
        input.display(),
        output.display(),
        rendered.duration_s(),
        rendered.sample_rate,
        rendered.format
    );
    Ok(())
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}
