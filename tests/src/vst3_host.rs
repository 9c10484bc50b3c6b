//! Running Lacquer's VST3 build in pedalboard (JUCE's VST3 hosting), from the test venv.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use lacquer_dsp::ChainParams;
use lacquer_dsp::params::{ParamKind, param_table};

use crate::paths::{plugin_library, target_dir, workspace_root};
use crate::reference::chain_render_aligned;
use crate::signals::{assert_identical, programme};

const RATE: f64 = 48_000.0;

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

/// Runs `script BUNDLE INPUT.f32 RATE DIR EXTRA...` on `input` (written into `dir`) and reads
/// the JSON report it leaves in `dir` under `report`.
fn run_on_input(
    script: &str,
    bundle: &Path,
    input: &[Vec<f32>],
    dir: &Path,
    extra: &[&str],
    report: &str,
) -> serde_json::Value {
    let input_path = dir.join("input.f32");
    write_planar(&input_path, input);
    let rate = RATE.to_string();
    let mut args = vec![
        bundle.to_str().unwrap(),
        input_path.to_str().unwrap(),
        &rate,
        dir.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    run_script(script, &args);
    serde_json::from_str(&fs::read_to_string(dir.join(report)).unwrap()).unwrap()
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

/// Runs `vst3_host.py` on `bundle` and checks what pedalboard saw: parameter names, ranges and
/// default text as the table defines them; audio identical to the DSP chain; state restored into
/// a second instance; the mono layout; no allocation in process() (the script aborts if a debug build allocates).
pub fn assert_bundle_behaves(bundle: &Path) {
    let dir = tempfile::tempdir().unwrap();
    let input = programme(24_000, 21).to_vec();
    let report = run_on_input(
        "vst3_host.py",
        bundle,
        &input,
        dir.path(),
        &[],
        "report.json",
    );

    let params = report["params"].as_array().unwrap();
    assert_eq!(params.len(), param_table().len());
    for (param, spec) in params.iter().zip(param_table()) {
        assert_eq!(param["name"], spec.name.as_str());
        if let ParamKind::Float { min, max, .. } = spec.kind {
            assert_eq!(param["min"].as_f64(), Some(min), "{}", spec.id);
            assert_eq!(param["max"].as_f64(), Some(max), "{}", spec.id);
        }
        let default_text = param["default_text"].as_str().unwrap();
        assert!(
            spec.format(spec.default).starts_with(default_text.trim()),
            "{default_text}"
        );
    }
    let mut chain = lacquer_dsp::MasterChain::default();
    chain
        .prepare(&lacquer_dsp::ProcessSpec::stereo(RATE, 512))
        .unwrap();
    assert_eq!(report["latency"].as_u64(), Some(chain.latency() as u64));

    // pedalboard compensates the reported latency, so its output lines up with the input. It
    // sends parameter changes with the first process call, so the chain glides into them
    // (20 ms trim ramp, 10 ms DC-filter crossfade); a restored state is in place before
    // activation, so it does not glide.
    let defaults = ChainParams::default();
    let default = read_planar(&dir.path().join("default.f32"), 2);
    assert_identical(
        &default,
        &chain_render_aligned(&defaults, &defaults, RATE, &input),
        "default render",
    );
    let changed_params = ChainParams {
        output_trim_db: -6.0,
        dc_filter: false,
        ..ChainParams::default()
    };
    let changed = read_planar(&dir.path().join("changed.f32"), 2);
    let glide = chain_render_aligned(&defaults, &changed_params, RATE, &input);
    assert_identical(&changed, &glide, "changed render");

    assert_eq!(
        report["restored_values"]["output_trim_db"].as_f64(),
        Some(-6.0)
    );
    assert_eq!(
        report["restored_values"]["dc_filter"].as_bool(),
        Some(false)
    );
    let restored = read_planar(&dir.path().join("restored.f32"), 2);
    let settled = chain_render_aligned(&changed_params, &changed_params, RATE, &input);
    assert_identical(&restored, &settled, "restored render");

    let mono = read_planar(&dir.path().join("mono.f32"), 1);
    let mono_settled = chain_render_aligned(&changed_params, &changed_params, RATE, &input[..1]);
    assert_identical(&mono, &mono_settled, "mono layout render");
}

/// Renders every factory preset through the VST3 build in pedalboard (`vst3_presets.py`): the
/// preset's values go in as text through the host, the render starts from a reset. Returns
/// each preset's settings, the host's reported latency and its (latency-compensated) output.
pub fn render_factory_presets(
    bundle: &Path,
    input: &[Vec<f32>],
) -> Vec<(lacquer_dsp::preset::Preset, ChainParams, u64, Vec<Vec<f32>>)> {
    let dir = tempfile::tempdir().unwrap();
    let defaults = ChainParams::default();
    let presets: Vec<_> = lacquer_dsp::preset::factory_presets()
        .into_iter()
        .map(|preset| {
            let mut settings = ChainParams::default();
            preset.apply(&mut settings, true);
            (preset, settings)
        })
        .collect();
    let listing: Vec<serde_json::Value> = presets
        .iter()
        .map(|(preset, settings)| {
            let values: Vec<serde_json::Value> = param_table()
                .iter()
                .filter(|spec| settings.get(spec.key) != defaults.get(spec.key))
                .map(|spec| {
                    serde_json::json!({
                        "param": spec.name,
                        "text": spec.format(settings.get(spec.key)),
                    })
                })
                .collect();
            serde_json::json!({ "name": preset.name, "values": values })
        })
        .collect();
    let listing_path = dir.path().join("listing.json");
    fs::write(&listing_path, serde_json::Value::from(listing).to_string()).unwrap();
    let report = run_on_input(
        "vst3_presets.py",
        bundle,
        input,
        dir.path(),
        &[listing_path.to_str().unwrap()],
        "presets.json",
    );
    presets
        .into_iter()
        .enumerate()
        .map(|(i, (preset, settings))| {
            let latency = report["latencies"][i].as_u64().unwrap();
            let output = read_planar(&dir.path().join(format!("preset-{i}.f32")), 2);
            (preset, settings, latency, output)
        })
        .collect()
}
