//! The `lacquer` binary as scripts use it: exit codes, messages, outputs.

use std::path::Path;
use std::process::{Command, Output};

use lacquer_cli::audio_file::{Audio, SampleFormat, read_wav, write_wav};
use lacquer_cli::render::render;
use lacquer_dsp::ChainParams;
use lacquer_dsp::params::param_table;
use lacquer_dsp::preset::{PRESET_DIR_ENV, Preset, PresetLibrary, factory_preset};

fn lacquer(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lacquer"))
        .args(args)
        .output()
        .expect("run lacquer")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn write_test_wav(path: &Path, format: SampleFormat) -> Audio {
    let left: Vec<f32> = (0..9_600)
        .map(|n| 0.4 * (n as f32 * 0.05).sin() + 0.01)
        .collect();
    let right: Vec<f32> = left.iter().map(|x| -0.5 * x).collect();
    let audio = Audio {
        sample_rate: 48_000,
        channels: vec![left, right],
        format,
    };
    write_wav(path, &audio).unwrap();
    audio
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn render_applies_settings_and_keeps_format_rate_and_length() {
    let dir = tempfile::tempdir().unwrap();
    let (input, output) = (dir.path().join("in.wav"), dir.path().join("out.wav"));
    let audio = write_test_wav(&input, SampleFormat::Int24);
    let run = lacquer(&[
        "render",
        input.to_str().unwrap(),
        output.to_str().unwrap(),
        "--set",
        "out_trim=-6",
        "--set",
        "dc_filter=off",
    ]);
    assert!(run.status.success(), "{}", stderr(&run));
    let rendered = read_wav(&output).unwrap();
    assert_eq!(rendered.format, SampleFormat::Int24);
    assert_eq!(rendered.sample_rate, 48_000);
    assert_eq!(rendered.frames(), audio.frames());
    let gain = 10f32.powf(-6.0 / 20.0);
    for (out, inp) in rendered.channels[0].iter().zip(&audio.channels[0]) {
        assert!(
            (out - inp * gain).abs() < 2.0 / 8_388_608.0,
            "{out} vs {}",
            inp * gain
        );
    }
}

#[test]
fn render_writes_every_output_format() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.wav");
    write_test_wav(&input, SampleFormat::Float32);
    for (name, format) in [
        ("int16", SampleFormat::Int16),
        ("int24", SampleFormat::Int24),
        ("int32", SampleFormat::Int32),
        ("float32", SampleFormat::Float32),
    ] {
        let output = dir.path().join(format!("{name}.wav"));
        let run = lacquer(&[
            "render",
            input.to_str().unwrap(),
            output.to_str().unwrap(),
            "--format",
            name,
        ]);
        assert!(run.status.success(), "{}", stderr(&run));
        assert_eq!(read_wav(&output).unwrap().format, format);
    }
}

#[test]
fn bad_settings_and_files_fail_with_exit_code_2_naming_the_problem_and_leave_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.wav");
    write_test_wav(&input, SampleFormat::Int16);
    let output = dir.path().join("out.wav");
    let (i, o) = (input.to_str().unwrap(), output.to_str().unwrap());
    let garbage = dir.path().join("garbage.wav");
    std::fs::write(&garbage, b"not a wav file at all").unwrap();
    let cases: [(Vec<&str>, &str); 6] = [
        (
            vec!["render", i, o, "--set", "nope=1"],
            "unknown parameter id 'nope'",
        ),
        (
            vec!["render", i, o, "--set", "out_trim=loud"],
            "'loud' is not a value for 'out_trim'",
        ),
        (
            vec!["render", i, o, "--set", "out_trim=99"],
            "outside the range of 'out_trim'",
        ),
        (
            vec!["render", i, o, "--set", "out_trim"],
            "expected ID=VALUE",
        ),
        (vec!["render", garbage.to_str().unwrap(), o], "garbage.wav"),
        (
            vec!["render", i, "/nonexistent-dir/out.wav"],
            "/nonexistent-dir/out.wav",
        ),
    ];
    for (args, message) in cases {
        let run = lacquer(&args);
        assert_eq!(run.status.code(), Some(2), "{args:?}");
        let error = stderr(&run);
        assert!(error.contains(message), "{args:?}: {error}");
        assert_eq!(error.lines().count(), 1, "one-line error: {error}");
    }
    assert_eq!(files_in(dir.path()), ["garbage.wav", "in.wav"]);
}

#[test]
fn render_refuses_to_overwrite_its_input() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.wav");
    write_test_wav(&input, SampleFormat::Int16);
    let before = std::fs::read(&input).unwrap();
    let run = lacquer(&["render", input.to_str().unwrap(), input.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(2));
    assert!(stderr(&run).contains("refusing to write over the input"));
    assert_eq!(std::fs::read(&input).unwrap(), before);
}

#[test]
fn params_json_lists_every_parameter_with_its_range_and_default() {
    let run = lacquer(&["params", "--json"]);
    assert!(run.status.success());
    let list: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), param_table().len());
    for (entry, spec) in list.iter().zip(param_table()) {
        assert_eq!(entry["id"], spec.id.as_str());
        assert_eq!(entry["module"], spec.group.as_str());
        assert_eq!(entry["name"], spec.name.as_str());
        assert_eq!(entry["unit"], spec.unit.symbol());
        let (min, max) = spec.range();
        assert_eq!(entry["min"].as_f64(), Some(min));
        assert_eq!(entry["max"].as_f64(), Some(max));
        assert_eq!(entry["default"].as_f64(), Some(spec.default));
    }
    let dc = list.iter().find(|e| e["id"] == "dc_filter").unwrap();
    assert_eq!(dc["choices"], serde_json::json!(["Off", "On"]));

    let table = lacquer(&["params"]);
    let text = String::from_utf8_lossy(&table.stdout);
    for spec in param_table() {
        assert!(
            text.lines().any(|l| l.starts_with(spec.id.as_str())),
            "{}",
            spec.id
        );
    }
}

#[test]
fn sixteen_bit_renders_are_dithered_so_a_sine_below_one_lsb_survives() {
    let dir = tempfile::tempdir().unwrap();
    let (input, output) = (dir.path().join("in.wav"), dir.path().join("out.wav"));
    // 0.4 LSB of 16 bit: plain rounding would write silence.
    let lsb = 1.0 / 32_768.0;
    let sine: Vec<f32> = (0..48_000)
        .map(|n| 0.4 * lsb * (std::f32::consts::TAU * 1_000.0 * n as f32 / 48_000.0).sin())
        .collect();
    let audio = Audio {
        sample_rate: 48_000,
        channels: vec![sine.clone(), sine.clone()],
        format: SampleFormat::Float32,
    };
    write_wav(&input, &audio).unwrap();
    // Limiter and DC filter out of the way; `extra` adds settings.
    let render_16 = |extra: &[&str]| {
        let mut args = vec![
            "render",
            input.to_str().unwrap(),
            output.to_str().unwrap(),
            "--format",
            "int16",
            "--set",
            "lim_on=off",
            "--set",
            "dc_filter=off",
        ];
        args.extend_from_slice(extra);
        let run = lacquer(&args);
        assert!(run.status.success(), "{}", stderr(&run));
        (stderr(&run), read_wav(&output).unwrap().channels[0].clone())
    };
    let (_, undithered) = render_16(&["--set", "dither=off"]);
    assert!(undithered.iter().all(|&x| x == 0.0));
    let (log, dithered) = render_16(&[]);
    assert!(log.contains("dither Bits16"), "{log}");
    // The sine is still there, in the mean: correlate with it.
    let (dot, energy) = dithered
        .iter()
        .zip(&sine)
        .fold((0.0f64, 0.0f64), |(d, e), (&y, &x)| {
            (
                d + f64::from(y) * f64::from(x),
                e + f64::from(x) * f64::from(x),
            )
        });
    let gain = dot / energy;
    assert!((gain - 1.0).abs() < 0.1, "recovered sine gain {gain}");
}

fn lacquer_with_presets(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lacquer"))
        .args(args)
        .env(PRESET_DIR_ENV, dir)
        .output()
        .expect("run lacquer")
}

#[test]
fn render_with_a_preset_keeps_the_output_target_unless_unlocked() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.wav");
    let audio = write_test_wav(&input, SampleFormat::Float32);
    let render_to = |name: &str, extra: &[&str]| {
        let out = dir.path().join(name);
        let mut args = vec![
            "render",
            input.to_str().unwrap(),
            out.to_str().unwrap(),
            "--preset",
            "loud MODERN",
        ];
        args.extend(extra);
        let run = lacquer_with_presets(dir.path(), &args);
        assert!(run.status.success(), "{}", stderr(&run));
        read_wav(&out).unwrap()
    };
    let locked = render_to("locked.wav", &["--set", "lim_drive=12"]);
    let mut expected = ChainParams::default();
    factory_preset("Loud modern")
        .unwrap()
        .apply(&mut expected, true);
    expected.limiter.drive_db = 12.0;
    assert_eq!(locked.channels, render(&audio, &expected).unwrap());
    assert_eq!(
        expected.limiter.ceiling_dbtp, -1.0,
        "locked: the default ceiling"
    );

    let unlocked = render_to(
        "unlocked.wav",
        &["--set", "lim_drive=12", "--unlock-output"],
    );
    let peak = |a: &Audio| {
        a.channels
            .iter()
            .flatten()
            .fold(0.0f32, |m, x| m.max(x.abs()))
    };
    let (locked_db, unlocked_db) = (20.0 * peak(&locked).log10(), 20.0 * peak(&unlocked).log10());
    eprintln!("sample peaks: locked {locked_db:.2} dBFS, unlocked {unlocked_db:.2} dBFS");
    assert!(locked_db <= -1.0 && unlocked_db > -1.0 && unlocked_db <= -0.3);
}

#[test]
fn presets_lists_factory_and_user_presets_with_their_targets() {
    let dir = tempfile::tempdir().unwrap();
    let mut params = ChainParams::default();
    params.set_from_text("target", "EBU R128").unwrap();
    params.set_from_text("glue_on", "on").unwrap();
    let mine = Preset::capture("Album master", "mine", &params);
    PresetLibrary::new(dir.path().to_owned())
        .save(&mine)
        .unwrap();
    std::fs::write(dir.path().join("garbage.json"), "not json").unwrap();

    let run = lacquer_with_presets(dir.path(), &["presets", "--json"]);
    assert!(run.status.success(), "{}", stderr(&run));
    assert!(
        stderr(&run).contains("garbage.json"),
        "unreadable files are named"
    );
    let list: Vec<serde_json::Value> = serde_json::from_slice(&run.stdout).unwrap();
    let names: Vec<&str> = list.iter().map(|p| p["name"].as_str().unwrap()).collect();
    for factory in [
        "Transparent streaming",
        "Loud modern",
        "Warm glue",
        "Broadcast R128",
        "Podcast voice",
        "Vinyl-safe",
    ] {
        assert!(names.contains(&factory), "{factory} in {names:?}");
    }
    let user = list.iter().find(|p| p["name"] == "Album master").unwrap();
    assert_eq!(user["source"], "user");
    assert_eq!(user["target"], "EBU R128");
    assert_eq!(user["target_lufs"], -23.0);

    let input = dir.path().join("in.wav");
    let audio = write_test_wav(&input, SampleFormat::Float32);
    let out = dir.path().join("out.wav");
    let args = [
        "render",
        input.to_str().unwrap(),
        out.to_str().unwrap(),
        "--preset",
        "album master",
    ];
    let run = lacquer_with_presets(dir.path(), &args);
    assert!(run.status.success(), "{}", stderr(&run));
    let mut expected = ChainParams::default();
    mine.apply(&mut expected, true);
    assert_eq!(
        read_wav(&out).unwrap().channels,
        render(&audio, &expected).unwrap()
    );

    let missing = lacquer_with_presets(
        dir.path(),
        &["render", "a.wav", "b.wav", "--preset", "nope"],
    );
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("no preset or file named 'nope'"));
}
