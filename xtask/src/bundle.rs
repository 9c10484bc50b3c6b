//! Bundling: nice-plug's bundler for the CLAP and VST3 bundles, then the standalone app.
//!
//! The standalone is its own binary target (`lacquer-standalone`, feature `standalone`) so the
//! plugin library does not link ALSA and JACK, and so it cannot collide with the CLI binary,
//! which is also called `lacquer`. It is placed in `target/bundled/Lacquer` after bundling.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::cmd;

/// Where the bundler puts things.
pub const BUNDLE_DIR: &str = "target/bundled";

/// The shipped artefacts.
pub struct Bundles {
    pub clap: PathBuf,
    pub vst3: PathBuf,
    pub standalone: PathBuf,
}

impl Bundles {
    pub fn locate() -> Self {
        let dir = Path::new(BUNDLE_DIR);
        Self {
            clap: dir.join("Lacquer.clap"),
            vst3: dir.join("Lacquer.vst3"),
            standalone: dir.join("Lacquer"),
        }
    }
}

/// `cargo xtask bundle ARGS`: nice-plug's bundler; for the `lacquer` package also the
/// standalone app, built with the same profile arguments.
pub fn run(args: &[String]) -> anyhow::Result<()> {
    let mut bundler_args = vec!["bundle".to_owned()];
    bundler_args.extend_from_slice(args);
    nice_plug_xtask::main_with_args("cargo xtask", bundler_args)?;
    if args.iter().any(|a| a == "lacquer") {
        let profile_args: Vec<&str> = args
            .iter()
            .map(String::as_str)
            .filter(|a| *a != "lacquer" && *a != "-p")
            .collect();
        build_standalone(&profile_args)?;
    }
    Ok(())
}

/// Release bundles of everything: CLAP, VST3 and standalone.
pub fn release() -> anyhow::Result<Bundles> {
    run(&["lacquer".to_owned(), "--release".to_owned()])?;
    Ok(Bundles::locate())
}

fn build_standalone(profile_args: &[&str]) -> anyhow::Result<()> {
    let mut args = vec![
        "build",
        "-p",
        "lacquer",
        "--bin",
        "lacquer-standalone",
        "--features",
        "standalone",
    ];
    args.extend_from_slice(profile_args);
    cmd::run("cargo", &args)?;
    let profile = if profile_args.contains(&"--release") {
        "release"
    } else {
        "debug"
    };
    let built = Path::new("target").join(profile).join("lacquer-standalone");
    let bundled = Bundles::locate().standalone;
    fs::copy(&built, &bundled)
        .with_context(|| format!("copy {} to {}", built.display(), bundled.display()))?;
    eprintln!("Created the standalone app at '{}'", bundled.display());
    Ok(())
}
