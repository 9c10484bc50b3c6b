//! Running Lacquer's VST3 build in pedalboard (JUCE's VST3 hosting), from the test venv.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::paths::{plugin_library, target_dir, workspace_root};

/// The venv `cargo xtask test` creates, holding pedalboard and numpy.
pub fn python() -> PathBuf {
    if let Ok(python) = std::env::var("LACQUER_PYTHON") {
        return PathBuf::from(python);
    }
    let python = target_dir().join("pyenv").join("bin").join("python");
    assert!(
        python.exists(),
        "no test venv at {}: run `cargo xtask setup` (or `cargo xtask test`), or set LACQUER_PYTHON",
        python.display()
    );
    python
}

/// Lays out a VST3 bundle around the freshly built plugin library inside `dir`, as the bundler
/// does on Linux (`Lacquer.vst3/Contents/<arch>-linux/Lacquer.so`).
pub fn bundle_in(dir: &Path) -> PathBuf {
    let bundle = dir.join("Lacquer.vst3");
    let arch_dir = bundle
        .join("Contents")
        .join(format!("{}-linux", std::env::consts::ARCH));
    fs::create_dir_all(&arch_dir).expect("create bundle");
    let library = arch_dir.join("Lacquer.so");
    #[cfg(unix)]
    std::os::unix::fs::symlink(plugin_library(), &library).expect("link library into bundle");
    #[cfg(not(unix))]
    fs::copy(plugin_library(), &library).expect("copy library into bundle");
    bundle
}

/// Runs a script from `tests/python` with arguments; panics with its output if it fails.
pub fn run_script(script: &str, args: &[&str]) -> String {
    let path = workspace_root().join("tests").join("python").join(script);
    let output = Command::new(python())
        .arg(&path)
        .args(args)
        .output()
        .expect("run python");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    if !output.status.success() {
        #[cfg(unix)]
        let signal = std::os::unix::process::ExitStatusExt::signal(&output.status);
        #[cfg(not(unix))]
        let signal: Option<i32> = None;
        let cause = if signal == Some(6) {
            " (SIGABRT: an allocation inside process() under assert_process_allocs?)"
        } else {
            ""
        };
        panic!(
            "{script} failed{cause}: {:?}\n--- stdout\n{stdout}\n--- stderr\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    stdout
}

/// Writes planar stereo audio as little-endian f32 (left then right).
pub fn write_planar(path: &Path, channels: &[Vec<f32>]) {
    let bytes: Vec<u8> = channels
        .iter()
        .flatten()
        .flat_map(|x| x.to_le_bytes())
        .collect();
    fs::write(path, bytes).expect("write audio");
}

/// Reads planar little-endian f32 audio with `channels` channels.
pub fn read_planar(path: &Path, channels: usize) -> Vec<Vec<f32>> {
    let bytes = fs::read(path).expect("read audio");
    let samples: Vec<f32> = bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    let frames = samples.len() / channels;
    samples.chunks(frames).map(<[f32]>::to_vec).collect()
}
