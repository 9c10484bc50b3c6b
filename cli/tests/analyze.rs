//! `lacquer analyze`: every supported format, JSON shape, nulls, errors.
//!
//! FLAC, AIFF, MP3 and Ogg Vorbis files are made from our WAV with `sox` (Debian packages
//! `sox libsox-fmt-all`, installed by `cargo xtask setup`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use lacquer_cli::audio_file::{Audio, SampleFormat, write_wav};

const KEYS: [&str; 12] = [
    "file",
    "sample_rate",
    "channels",
    "duration_s",
    "integrated_lufs",
    "loudness_range_lu",
    "true_peak_dbtp",
    "sample_peak_dbfs",
    "momentary_max_lufs",
    "short_term_max_lufs",
    "plr_db",
    "correlation",
];

fn lacquer(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lacquer"))
        .args(args)
        .output()
        .expect("run lacquer")
}

fn json_lines(output: &Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).expect("one JSON object per line"))
        .collect()
}

/// A stereo 1 kHz tone at `dbfs` for `seconds`, with the right channel at `right_gain`.
fn tone_wav(
    dir: &Path,
    name: &str,
    rate: u32,
    seconds: f64,
    dbfs: f64,
    right_gain: f32,
) -> PathBuf {
    let amplitude = 10f64.powf(dbfs / 20.0);
    let frames = (f64::from(rate) * seconds) as usize;
    let left: Vec<f32> = (0..frames)
        .map(|n| {
            (amplitude * (2.0 * std::f64::consts::PI * 1000.0 * n as f64 / f64::from(rate)).sin())
                as f32
        })
        .collect();
    let right = left.iter().map(|x| x * right_gain).collect();
    let path = dir.join(name);
    write_wav(
        &path,
        &Audio {
            sample_rate: rate,
            channels: vec![left, right],
            format: SampleFormat::Int24,
        },
    )
    .unwrap();
    path
}

fn sox(input: &Path, output: &Path) {
    let status = Command::new("sox")
        .arg(input)
        .arg(output)
        .status()
        .expect("sox not found: install Debian's sox and libsox-fmt-all (cargo xtask setup)");
    assert!(
        status.success(),
        "sox {} -> {}",
        input.display(),
        output.display()
    );
}

#[test]
fn json_has_exactly_the_documented_keys_and_reads_a_tone_correctly() {
    let dir = tempfile::tempdir().unwrap();
    let wav = tone_wav(dir.path(), "tone.wav", 48_000, 20.0, -23.0, 1.0);
    let run = lacquer(&["analyze", "--json", wav.to_str().unwrap()]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let lines = json_lines(&run);
    assert_eq!(lines.len(), 1);
    let object = lines[0].as_object().unwrap();
    let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
    keys.sort_unstable();
    let mut expected = KEYS.to_vec();
    expected.sort_unstable();
    assert_eq!(keys, expected);
    let get = |key: &str| object[key].as_f64().unwrap();
    assert_eq!(object["sample_rate"], 48_000);
    assert_eq!(object["channels"], 2);
    assert!((get("duration_s") - 20.0).abs() < 1e-3);
    // A 1 kHz tone reads 0.007 LU above its level (K-weighting is calibrated at 997 Hz).
    assert!((get("integrated_lufs") + 22.993).abs() < 0.01);
    assert!((get("momentary_max_lufs") + 22.993).abs() < 0.01);
    assert!((get("short_term_max_lufs") + 22.993).abs() < 0.01);
    assert!(get("loudness_range_lu").abs() < 0.05);
    assert!((get("true_peak_dbtp") + 23.0).abs() < 0.01);
    assert!((get("sample_peak_dbfs") + 23.0).abs() < 0.01);
    assert!((get("plr_db") - (get("true_peak_dbtp") - get("integrated_lufs"))).abs() < 0.002);
    assert!((get("correlation") - 1.0).abs() < 1e-3);
}

#[test]
fn silence_reads_null_not_minus_infinity() {
    let dir = tempfile::tempdir().unwrap();
    let wav = tone_wav(dir.path(), "silence.wav", 44_100, 5.0, -400.0, 1.0);
    let lines = json_lines(&lacquer(&["analyze", "--json", wav.to_str().unwrap()]));
    for key in [
        "integrated_lufs",
        "loudness_range_lu",
        "true_peak_dbtp",
        "sample_peak_dbfs",
        "momentary_max_lufs",
        "short_term_max_lufs",
        "plr_db",
        "correlation",
    ] {
        assert!(lines[0][key].is_null(), "{key}: {}", lines[0][key]);
    }
    assert_eq!(lines[0]["duration_s"], 5.0);
}

#[test]
fn flac_aiff_mp3_and_ogg_vorbis_decode_and_measure_like_the_wav() {
    let dir = tempfile::tempdir().unwrap();
    let wav = tone_wav(dir.path(), "tone.wav", 44_100, 12.0, -20.0, 0.5);
    let mut files = vec![wav.clone()];
    for extension in ["flac", "aiff", "mp3", "ogg"] {
        let path = dir.path().join(format!("tone.{extension}"));
        sox(&wav, &path);
        files.push(path);
    }
    let args: Vec<&str> = std::iter::once("analyze")
        .chain(std::iter::once("--json"))
        .chain(files.iter().map(|f| f.to_str().unwrap()))
        .collect();
    let run = lacquer(&args);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let lines = json_lines(&run);
    assert_eq!(lines.len(), 5);
    let reference = lines[0]["integrated_lufs"].as_f64().unwrap();
    for line in &lines {
        assert_eq!(line["sample_rate"], 44_100, "{line}");
        assert_eq!(line["channels"], 2, "{line}");
        let lossy = line["file"].as_str().unwrap().ends_with("mp3")
            || line["file"].as_str().unwrap().ends_with("ogg");
        let tolerance = if lossy { 0.5 } else { 1e-3 };
        let integrated = line["integrated_lufs"].as_f64().unwrap();
        assert!((integrated - reference).abs() < tolerance, "{line}");
        let duration = line["duration_s"].as_f64().unwrap();
        assert!(
            (duration - 12.0).abs() < if lossy { 0.1 } else { 1e-6 },
            "{line}"
        );
    }
}

#[test]
fn an_unreadable_file_fails_with_its_name_and_the_others_are_still_analyzed() {
    let dir = tempfile::tempdir().unwrap();
    let good = tone_wav(dir.path(), "good.wav", 48_000, 3.0, -18.0, 1.0);
    let bad = dir.path().join("bad.flac");
    std::fs::write(&bad, b"this is not audio").unwrap();
    let missing = dir.path().join("missing.wav");
    let run = lacquer(&[
        "analyze",
        "--json",
        bad.to_str().unwrap(),
        good.to_str().unwrap(),
        missing.to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("bad.flac") && stderr.contains("missing.wav"),
        "{stderr}"
    );
    let lines = json_lines(&run);
    assert_eq!(lines.len(), 1);
    assert!(lines[0]["file"].as_str().unwrap().ends_with("good.wav"));
}

#[test]
fn the_table_lists_every_file_with_readable_figures() {
    let dir = tempfile::tempdir().unwrap();
    let a = tone_wav(dir.path(), "a.wav", 48_000, 4.0, -14.0, 1.0);
    let b = tone_wav(dir.path(), "b.wav", 96_000, 4.0, -30.0, 0.0);
    let run = lacquer(&["analyze", a.to_str().unwrap(), b.to_str().unwrap()]);
    assert!(run.status.success());
    let text = String::from_utf8_lossy(&run.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(
        lines[0].starts_with("FILE") && lines[0].contains("I LUFS") && lines[0].contains("TP dBTP")
    );
    assert!(
        lines[1].contains("a.wav") && lines[1].contains("-14.0"),
        "{text}"
    );
    assert!(
        lines[2].contains("b.wav") && lines[2].contains("96000"),
        "{text}"
    );
}
