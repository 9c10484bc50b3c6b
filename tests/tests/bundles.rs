//! The release bundles `cargo xtask test` builds, as shipped, in real hosts.
//!
//! Ignored in plain `cargo test`: `cargo xtask test` runs them after bundling, with
//! `LACQUER_BUNDLE_DIR` naming the bundle directory.

use std::path::PathBuf;
use std::process::Command;

use lacquer_dsp::ChainParams;
use lacquer_tests::clap_host::{self, Host, RenderSpec};
use lacquer_tests::paths::workspace_root;
use lacquer_tests::reference::chain_render;
use lacquer_tests::signals::{assert_identical, programme};
use lacquer_tests::vst3_host::assert_bundle_behaves;

fn bundle_dir() -> PathBuf {
    let dir = std::env::var("LACQUER_BUNDLE_DIR")
        .expect("set LACQUER_BUNDLE_DIR to the bundle directory (cargo xtask test does)");
    workspace_root().join(dir)
}

#[test]
#[ignore = "run by `cargo xtask test` after bundling"]
fn release_bundles_are_laid_out_for_hosts() {
    let dir = bundle_dir();
    assert!(dir.join("Lacquer.clap").is_file());
    let arch = format!("{}-linux", std::env::consts::ARCH);
    assert!(
        dir.join("Lacquer.vst3/Contents")
            .join(arch)
            .join("Lacquer.so")
            .is_file()
    );
    let help = Command::new(dir.join("Lacquer"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(help.status.success());
    assert!(String::from_utf8_lossy(&help.stdout).contains("--backend"));
}

#[test]
#[ignore = "run by `cargo xtask test` after bundling"]
fn release_clap_bundle_renders_like_the_dsp_chain() {
    let entry = clap_host::load(&bundle_dir().join("Lacquer.clap")).unwrap();
    let mut host = Host::new(&entry, "audio.lacquer.mastering").unwrap();
    let input = programme(48_000, 31).to_vec();
    let rendered = host
        .render(&RenderSpec::fixed(48_000.0, 512), &input, &[])
        .unwrap();
    let defaults = ChainParams::default();
    assert_identical(
        &rendered.channels,
        &chain_render(&defaults, &defaults, 48_000.0, &input),
        "release CLAP",
    );
}

#[test]
#[ignore = "run by `cargo xtask test` after bundling"]
fn release_vst3_bundle_behaves_in_pedalboard() {
    assert_bundle_behaves(&bundle_dir().join("Lacquer.vst3"));
}
