//! `cargo xtask test`: exactly what CI runs.

use anyhow::bail;

use crate::bundle;
use crate::cmd;
use crate::gui_smoke;
use crate::setup::{self, Needs};

/// Crates `lacquer-dsp` must never depend on: it stays framework-free.
const FORBIDDEN_IN_DSP: &[&str] = &[
    "nice-plug",
    "egui",
    "baseview",
    "clack",
    "vst3",
    "hound",
    "symphonia",
];

pub fn run(args: &[String]) -> anyhow::Result<()> {
    if let Some(unknown) = args.first() {
        bail!("`cargo xtask test` takes no arguments (got '{unknown}')");
    }
    setup::run(&Needs::all())?;
    step("formatting");
    cmd::run("cargo", &["fmt", "--all", "--", "--check"])?;
    step("lacquer-dsp depends on no plugin, GUI or file crate");
    check_dsp_dependencies()?;
    step("clippy");
    cmd::run(
        "cargo",
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
    )?;
    step("unit, integration and real-host tests");
    cmd::run("cargo", &["test", "--workspace"])?;
    step("release bundles");
    let bundles = bundle::release()?;
    step("release bundles in real hosts");
    cmd::run_env(
        "cargo",
        // --workspace keeps the feature unification (and so the build) of the step above.
        &[
            "test",
            "--workspace",
            "--test",
            "bundles",
            "--",
            "--ignored",
        ],
        &[("LACQUER_BUNDLE_DIR", bundle::BUNDLE_DIR)],
    )?;
    step("standalone editor under Xvfb");
    gui_smoke::run(&bundles.standalone)?;
    eprintln!("\nall checks passed");
    Ok(())
}

fn step(name: &str) {
    eprintln!("\n==> {name}");
}

fn check_dsp_dependencies() -> anyhow::Result<()> {
    let tree = cmd::output(
        "cargo",
        &[
            "tree",
            "-p",
            "lacquer-dsp",
            "-e",
            "normal",
            "--prefix",
            "none",
        ],
    )?;
    let offending: Vec<&str> = tree
        .lines()
        .filter(|line| FORBIDDEN_IN_DSP.iter().any(|f| line.starts_with(f)))
        .collect();
    if !offending.is_empty() {
        bail!(
            "lacquer-dsp must stay framework-free but depends on: {}",
            offending.join(", ")
        );
    }
    Ok(())
}
