//! `lacquer demo --out DIR`: synthesize a mix, master it with the default chain, report.

use std::fs;
use std::path::Path;

use anyhow::Context;
use lacquer_dsp::ChainParams;

use crate::audio_file::{Audio, SampleFormat, write_wav};
use crate::demo::demo_mix;
use crate::render::render;
use crate::report::{LevelReport, measure};

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
    println!(
        "{}",
        compare(&measure(&mix.channels), &measure(&master.channels))
    );
    Ok(())
}

/// A before/after table.
fn compare(before: &LevelReport, after: &LevelReport) -> String {
    let row = |name: &str, a: f64, b: f64, unit: &str| {
        format!("  {name:<16} {a:>9.2} {b:>9.2}  {unit}\n")
    };
    let mut text = format!("  {:<16} {:>9} {:>9}\n", "", "mix", "master");
    text += &row(
        "sample peak",
        before.sample_peak_dbfs,
        after.sample_peak_dbfs,
        "dBFS",
    );
    text += &row("RMS", before.rms_dbfs, after.rms_dbfs, "dBFS");
    text += &row(
        "DC offset",
        before.dc_offset * 1000.0,
        after.dc_offset * 1000.0,
        "x 1/1000 FS",
    );
    text
}
