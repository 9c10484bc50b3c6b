//! Installing what the tasks need on a fresh Debian machine: Debian packages (when root; else
//! saying exactly what to install) and a Python venv with pedalboard under `target/pyenv`.

use std::path::{Path, PathBuf};

use anyhow::bail;

use crate::cmd;

/// Building the workspace: the standalone app's JACK and ALSA backends, and libFLAC for the
/// CLI's FLAC output.
const BUILD_PACKAGES: &[&str] = &[
    "pkg-config",
    "libasound2-dev",
    "libjack-jackd2-dev",
    "libflac-dev",
];
/// Opening the editor headless for the GUI smoke test.
const GUI_PACKAGES: &[&str] = &[
    "xvfb",
    "x11-utils",
    "xdotool",
    "imagemagick",
    "libegl1",
    "libegl-mesa0",
    "libgl1",
    "libglx-mesa0",
    "libgl1-mesa-dri",
    "libx11-xcb1",
    "libxkbcommon-x11-0",
];
/// Making FLAC, AIFF, MP3 and Ogg Vorbis test files for `lacquer analyze`.
const CODEC_PACKAGES: &[&str] = &["sox", "libsox-fmt-all"];
/// The peer limiters `cargo xtask bench` compares against (LV2), and `lv2info` for their ports.
const PEER_PACKAGES: &[&str] = &["x42-plugins", "lsp-plugins-lv2", "lilv-utils"];
/// Python packages of the VST3 host tests.
const PYTHON_PACKAGES: &[&str] = &["pedalboard==0.9.26", "numpy==2.4.6"];

/// What a task needs installed.
pub struct Needs {
    /// Building the workspace.
    pub build: bool,
    pub gui: bool,
    pub python: bool,
    pub codecs: bool,
    pub peers: bool,
}

impl Needs {
    pub fn all() -> Self {
        Self {
            build: true,
            gui: true,
            python: true,
            codecs: true,
            peers: false,
        }
    }

    /// What `cargo xtask bench` needs: the build packages and the peer plugins.
    pub fn peers() -> Self {
        Self {
            build: true,
            gui: false,
            python: false,
            codecs: false,
            peers: true,
        }
    }
}

/// Installs (or reports) everything in `needs`.
pub fn run(needs: &Needs) -> anyhow::Result<()> {
    let mut packages = Vec::new();
    if needs.build {
        packages.extend_from_slice(BUILD_PACKAGES);
    }
    if needs.gui {
        packages.extend_from_slice(GUI_PACKAGES);
    }
    if needs.python {
        packages.push("python3-venv");
    }
    if needs.codecs {
        packages.extend_from_slice(CODEC_PACKAGES);
    }
    if needs.peers {
        packages.extend_from_slice(PEER_PACKAGES);
    }
    ensure_debian_packages(&packages)?;
    if needs.python {
        ensure_python_venv()?;
    }
    Ok(())
}

fn is_installed(package: &str) -> bool {
    cmd::output("dpkg-query", &["-W", "-f=${Status}", package])
        .is_ok_and(|status| status.contains("install ok installed"))
}

fn is_root() -> bool {
    cmd::output("id", &["-u"]).is_ok_and(|uid| uid.trim() == "0")
}

fn ensure_debian_packages(packages: &[&str]) -> anyhow::Result<()> {
    if !cmd::exists("dpkg-query") {
        eprintln!(
            "not a Debian system: make sure these are installed: {}",
            packages.join(" ")
        );
        return Ok(());
    }
    let missing: Vec<&str> = packages
        .iter()
        .copied()
        .filter(|p| !is_installed(p))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    if !is_root() {
        bail!(
            "missing Debian packages: {0}\ninstall them with: sudo apt-get install -y {0}",
            missing.join(" ")
        );
    }
    let env = [("DEBIAN_FRONTEND", "noninteractive")];
    cmd::run_env("apt-get", &["update", "-qq"], &env)?;
    let mut args = vec!["install", "-y", "-qq", "--no-install-recommends"];
    args.extend(&missing);
    cmd::run_env("apt-get", &args, &env)
}

/// The test venv's interpreter.
pub fn venv_python() -> PathBuf {
    Path::new("target").join("pyenv").join("bin").join("python")
}

fn ensure_python_venv() -> anyhow::Result<()> {
    let python = venv_python();
    let probe = "import pedalboard, numpy";
    if python.exists() && cmd::output(python.to_str().unwrap(), &["-c", probe]).is_ok() {
        return Ok(());
    }
    cmd::run("python3", &["-m", "venv", "target/pyenv"])?;
    let mut args = vec![
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
    ];
    args.extend(PYTHON_PACKAGES);
    cmd::run(python.to_str().unwrap(), &args)
}
