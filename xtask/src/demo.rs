//! `cargo xtask demo`: the release bundles, then a synthesized mix mastered by the CLI.

use crate::bundle;
use crate::cmd;
use crate::setup::{self, Needs};

pub fn run() -> anyhow::Result<()> {
    setup::run(&Needs {
        build: true,
        gui: false,
        python: false,
        codecs: false,
        peers: false,
    })?;
    let bundles = bundle::release()?;
    cmd::run(
        "cargo",
        &[
            "run",
            "--release",
            "-q",
            "-p",
            "lacquer-cli",
            "--",
            "demo",
            "--out",
            "target/demo",
        ],
    )?;
    println!();
    println!("Bundles:");
    println!("  CLAP        {}", bundles.clap.display());
    println!("  VST3        {}", bundles.vst3.display());
    println!(
        "  Standalone  {}  (--help for audio options)",
        bundles.standalone.display()
    );
    println!();
    println!("Install for your DAW with `cargo xtask install` (copies into ~/.clap and ~/.vst3),");
    println!("or copy Lacquer.clap and Lacquer.vst3 into your host's plugin folders.");
    Ok(())
}
