//! `cargo xtask install`: copy the bundles where hosts look for them.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use crate::bundle::Bundles;

fn home() -> anyhow::Result<PathBuf> {
    std::env::var_os("HOME")
        .map(PathBuf::from)
        .context("HOME is not set")
}

fn copy_tree(from: &Path, to: &Path) -> anyhow::Result<()> {
    if from.is_dir() {
        fs::create_dir_all(to)?;
        for entry in fs::read_dir(from)? {
            let entry = entry?;
            copy_tree(&entry.path(), &to.join(entry.file_name()))?;
        }
    } else {
        fs::copy(from, to).with_context(|| format!("copy {}", from.display()))?;
    }
    Ok(())
}

pub fn run() -> anyhow::Result<()> {
    let bundles = Bundles::locate();
    if !bundles.clap.exists() || !bundles.vst3.exists() {
        bail!(
            "no bundles in target/bundled: run `cargo xtask demo` or `cargo xtask bundle lacquer --release` first"
        );
    }
    let home = home()?;
    let clap_dir = home.join(".clap");
    let vst3_dir = home.join(".vst3");
    fs::create_dir_all(&clap_dir)?;
    fs::create_dir_all(&vst3_dir)?;
    copy_tree(&bundles.clap, &clap_dir.join("Lacquer.clap"))?;
    let vst3_target = vst3_dir.join("Lacquer.vst3");
    if vst3_target.exists() {
        fs::remove_dir_all(&vst3_target)?;
    }
    copy_tree(&bundles.vst3, &vst3_target)?;
    println!("Installed {}", clap_dir.join("Lacquer.clap").display());
    println!("Installed {}", vst3_target.display());
    println!("Rescan plugins in your DAW to find Lacquer.");
    Ok(())
}
