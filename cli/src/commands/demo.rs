//! `lacquer demo --out DIR`: synthesize a mix, master it with the default chain, report.

use std::fs;
use std::path::Path;

use anyhow::Context;
use lacquer_dsp::ChainParams;

use crate::audio_file::{Audio, SampleFormat, write_wav};
use crate::demo::demo_mix;
use crate::render::render;
use crate::report::{dc_offset, measure};

/// Sample rate and length of the demo.
const DEMO_RATE: u32 = 48_000;
const DEMO_SECONDS: f64 = 20.0;

pub fn run(out: &Path) -> anyhow::Result<()> {
    fs::create_dir_all(out).with_context(|| format!("cannot create '{}'", out.display()))?;
    let mix = Audio {
        sample_rate: DEMO_RATE,
        channels: demo_mix(DEMO_RATE, DEMO_SECONDS),
        format: SampleFormat::Int24,
    };
    let mix_path = out.join("demo-mix.wav");
    write_wav(&mix_path, &mix)?;

    let master = Audio {
        channels: render(&mix, &ChainParams::default())?,
        ..mix.clone()
    };
    let master_path = out.join("demo-master.wav");
    write_wav(&master_path, &master)?;

    println!("Demo mix:    {}", mix_path.display());
    println!("Demo master: {}", master_path.display());
    println!("{}", compare(&mix, &master)?);
    Ok(())
}

/// A before/after table of the figures a mastering engineer checks.
fn compare(mix: &Audio, master: &Audio) -> anyhow::Result<String> {
    let before = measure(mix.sample_rate, &mix.channels)?;
    let after = measure(master.sample_rate, &master.channels)?;
    let figure = |value: Option<f64>| match value {
        Some(v) if v.is_finite() => format!("{v:>9.2}"),
        _ => format!("{:>9}", "-"),
    };
    let mut text = format!("  {:<18} {:>9} {:>9}\n", "", "mix", "master");
    let mut row = |name: &str, a: Option<f64>, b: Option<f64>, unit: &str| {
        text += &format!("  {name:<18} {} {}  {unit}\n", figure(a), figure(b));
    };
    row(
        "integrated",
        before.loudness.integrated_lufs,
        after.loudness.integrated_lufs,
        "LUFS",
    );
    row(
        "loudness range",
        before.loudness.loudness_range_lu,
        after.loudness.loudness_range_lu,
        "LU",
    );
    row(
        "true peak",
        Some(before.true_peak_max_dbtp()),
        Some(after.true_peak_max_dbtp()),
        "dBTP",
    );
    row(
        "sample peak",
        Some(before.sample_peak_max_db()),
        Some(after.sample_peak_max_db()),
        "dBFS",
    );
    row("PLR", before.plr_db(), after.plr_db(), "dB");
    let dc = |audio: &Audio| Some(1000.0 * dc_offset(&audio.channels));
    row("DC offset", dc(mix), dc(master), "x 1/1000 FS");
    Ok(text)
}
