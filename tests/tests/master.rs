//! `lacquer master` end to end on synthesized programme: every delivered file meets its target
//! (loudness by the meter, true peak by an independent 16x reconstruction), has the right
//! rate and word length, the CD file is dithered, albums keep their tracks' relative loudness,
//! threads do not change a bit, and failures stay contained.

use std::path::{Path, PathBuf};

use clap::Parser;
use lacquer_cli::analysis::analyze;
use lacquer_cli::audio_file::{Audio, SampleFormat, read_wav, write_wav};
use lacquer_cli::bwf::read_loudness_fields;
use lacquer_cli::demo::demo_mix;
use lacquer_cli::{Cli, run};
use lacquer_tests::exact_true_peak::exact_true_peak_dbtp;
use serde_json::Value;

/// Runs `lacquer master INPUTS --out OUT OPTIONS` in process: the exit status, or the error
/// that stopped it (status 2).
fn master(inputs: &[&Path], out: &Path, options: &[&str]) -> anyhow::Result<u8> {
    let paths = inputs.iter().map(|p| p.to_str().unwrap());
    let args = ["lacquer", "master"]
        .into_iter()
        .chain(paths)
        .chain(["--out", out.to_str().unwrap()])
        .chain(options.iter().copied());
    run(Cli::parse_from(args))
}

fn write_input(path: &Path, seconds: f64, gain_db: f64) {
    let gain = 10f32.powf(gain_db as f32 / 20.0);
    let mut channels = demo_mix(48_000, seconds);
    channels.iter_mut().flatten().for_each(|x| *x *= gain);
    let audio = Audio {
        sample_rate: 48_000,
        channels,
        format: SampleFormat::Int24,
    };
    write_wav(path, &audio).unwrap();
}

fn report(out: &Path) -> Value {
    let text = std::fs::read_to_string(out.join("lacquer-master-report.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn files(report: &Value) -> &Vec<Value> {
    report["files"].as_array().unwrap()
}

fn true_peak(audio: &Audio) -> f64 {
    audio
        .channels
        .iter()
        .map(|c| exact_true_peak_dbtp(c, 16))
        .fold(f64::NEG_INFINITY, f64::max)
}

fn path(value: &Value) -> PathBuf {
    PathBuf::from(value["file"].as_str().unwrap())
}

#[test]
fn every_delivery_meets_its_target_and_analyze_agrees() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("mix.wav");
    write_input(&input, 12.0, 0.0);
    let out = dir.path().join("out");
    let options = [
        "--target",
        "spotify",
        "--deliver",
        "streaming,cd,broadcast",
        "--flac",
    ];
    let status = master(&[&input], &out, &options).unwrap();
    assert_eq!(status, 0);
    let report = report(&out);
    let expected = [
        ("streaming", 44_100, 24),
        ("cd", 44_100, 16),
        ("broadcast", 48_000, 24),
    ];
    assert_eq!(files(&report).len(), 2 * expected.len());
    let (wavs, flacs): (Vec<&Value>, Vec<&Value>) =
        files(&report).iter().partition(|f| f["container"] == "wav");
    for (flac, wav) in flacs.iter().zip(&wavs) {
        // The FLAC file holds exactly the WAV file's samples and reads the same figures.
        assert_eq!(flac["delivery"], wav["delivery"]);
        let (rate, samples) = lacquer_cli::decode::decode_all(&path(flac)).unwrap();
        let wav_audio = read_wav(&path(wav)).unwrap();
        assert_eq!(
            (rate, &samples),
            (wav_audio.sample_rate, &wav_audio.channels)
        );
        let analysis = analyze(&path(flac), None).unwrap().to_json();
        for (key, value) in analysis.as_object().unwrap() {
            if key != "file" {
                assert_eq!(&wav[key], value, "FLAC {key}");
            }
        }
        let (wav_size, flac_size) = (
            std::fs::metadata(path(wav)).unwrap().len(),
            std::fs::metadata(path(flac)).unwrap().len(),
        );
        eprintln!(
            "{}: FLAC {flac_size} bytes, WAV {wav_size} bytes",
            flac["delivery"]
        );
    }
    for (file, (delivery, rate, bits)) in wavs.into_iter().zip(expected) {
        assert_eq!(file["delivery"], delivery);
        let audio = read_wav(&path(file)).unwrap();
        assert_eq!(
            (audio.sample_rate, file["bits"].as_u64().unwrap()),
            (rate, bits)
        );
        let format = if bits == 16 {
            SampleFormat::Int16
        } else {
            SampleFormat::Int24
        };
        assert_eq!(audio.format, format);
        assert!(
            (audio.duration_s() - 12.0).abs() < 1e-4,
            "{}",
            audio.duration_s()
        );
        let lufs = file["integrated_lufs"].as_f64().unwrap();
        assert!((lufs + 14.0).abs() < 0.2, "{delivery}: {lufs} LUFS");
        let peak = true_peak(&audio);
        assert!(peak <= -1.0, "{delivery}: {peak} dBTP");
        assert_eq!(file["target"]["met"], true);
        // `lacquer analyze` reads the same figures from the file.
        let analysis = analyze(&path(file), None).unwrap().to_json();
        for (key, value) in analysis.as_object().unwrap() {
            assert_eq!(&file[key], value, "{delivery}: {key}");
        }
        eprintln!(
            "{delivery}: {lufs} LUFS, true peak {peak:.4} dBTP (16x), drive {} dB, trim {} dB, \
             {} renders",
            file["drive_db"], file["trim_db"], file["renders"]
        );
    }
    // The broadcast file carries its loudness in its bext chunk.
    let broadcast = &files(&report)[4];
    let bytes = std::fs::read(path(broadcast)).unwrap();
    let fields = read_loudness_fields(&bytes).unwrap();
    let lufs = broadcast["integrated_lufs"].as_f64().unwrap();
    assert_eq!(f64::from(fields[0]), (lufs * 100.0).round());
}

/// The CD file is the streaming file's render dithered to 16 bits: their difference is TPDF
/// noise at half an LSB RMS (-96.3 dBFS), not truncation (-101.1 dBFS, signal-correlated).
#[test]
fn the_cd_file_is_dithered_not_truncated() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("song.wav");
    write_input(&input, 6.0, -3.0);
    let out = dir.path().join("out");
    assert_eq!(
        master(&[&input], &out, &["--deliver", "cd,streaming"]).unwrap(),
        0
    );
    let cd = read_wav(&out.join("song.cd.wav")).unwrap();
    let streaming = read_wav(&out.join("song.streaming.wav")).unwrap();
    let (mut error, mut correlation, mut power) = (0.0, 0.0, 0.0);
    for (c, s) in cd
        .channels
        .iter()
        .flatten()
        .zip(streaming.channels.iter().flatten())
    {
        let e = f64::from(c - s);
        error += e * e;
        correlation += e * f64::from(*s);
        power += f64::from(*s).powi(2);
    }
    let n = (cd.frames() * 2) as f64;
    let error_db = 10.0 * (error / n).log10();
    let expected_db = 20.0 * (0.5f64 / 32_768.0).log10();
    assert!(
        (error_db - expected_db).abs() < 0.5,
        "{error_db} vs {expected_db}"
    );
    let normalised = correlation / (error * power).sqrt();
    eprintln!(
        "CD minus streaming: {error_db:.2} dBFS RMS (TPDF {expected_db:.2}), correlation {normalised:.5}"
    );
    assert!(
        normalised.abs() < 0.01,
        "error correlates with the signal: {normalised}"
    );
}

#[test]
fn an_album_keeps_its_tracks_relative_loudness() {
    let dir = tempfile::tempdir().unwrap();
    let gains = [0.0, -4.0, -9.0];
    let inputs: Vec<PathBuf> = gains
        .iter()
        .enumerate()
        .map(|(i, &gain)| {
            let path = dir.path().join(format!("track{i}.wav"));
            write_input(&path, 8.0 + i as f64, gain);
            path
        })
        .collect();
    let out = dir.path().join("album");
    let tracks: Vec<&Path> = inputs.iter().map(PathBuf::as_path).collect();
    let status = master(&tracks, &out, &["--album", "--target", "apple"]).unwrap();
    assert_eq!(status, 0);
    let report = report(&out);
    let album = &report["albums"][0];
    let album_lufs = album["integrated_lufs"].as_f64().unwrap();
    assert!((album_lufs + 16.0).abs() < 0.2, "album {album_lufs}");
    let input_lufs: Vec<f64> = inputs
        .iter()
        .map(|p| {
            analyze(p, None)
                .unwrap()
                .readings
                .loudness
                .integrated_lufs
                .unwrap()
        })
        .collect();
    let output_lufs: Vec<f64> = files(&report)
        .iter()
        .map(|f| f["integrated_lufs"].as_f64().unwrap())
        .collect();
    for i in 1..gains.len() {
        let mixed = input_lufs[i] - input_lufs[0];
        let mastered = output_lufs[i] - output_lufs[0];
        eprintln!(
            "track {i}: {mixed:.3} LU as mixed, {mastered:.3} LU mastered; album {album_lufs:.3}"
        );
        assert!(
            (mixed - mastered).abs() < 0.1,
            "track {i}: {mixed} vs {mastered}"
        );
    }
    for file in files(&report) {
        let peak = true_peak(&read_wav(&path(file)).unwrap());
        assert!(peak <= -1.0, "{}: {peak}", file["file"]);
    }
}

#[test]
fn threads_do_not_change_a_bit_and_bad_inputs_fail_alone() {
    let dir = tempfile::tempdir().unwrap();
    let good = [dir.path().join("a.wav"), dir.path().join("b.wav")];
    write_input(&good[0], 4.0, 0.0);
    write_input(&good[1], 5.0, -6.0);
    let bad = dir.path().join("broken.wav");
    std::fs::write(&bad, b"RIFF\x10\x00\x00\x00WAVEjunk").unwrap();
    let mut checksums = Vec::new();
    for jobs in ["1", "2"] {
        let out = dir.path().join(format!("jobs{jobs}"));
        let status = master(&[&good[0], &bad, &good[1]], &out, &["--jobs", jobs]).unwrap();
        assert_eq!(status, 3, "a failed input shows in the exit status");
        let report = report(&out);
        let failure = report["failures"][0]["error"].as_str().unwrap();
        assert!(failure.contains("broken.wav"), "{failure}");
        let mut names: Vec<String> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(
            names,
            [
                "a.streaming.wav",
                "b.streaming.wav",
                "lacquer-master-report.json",
                "lacquer-master-report.txt"
            ]
        );
        checksums.push(
            files(&report)
                .iter()
                .map(|f| f["sha256"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>(),
        );
    }
    assert_eq!(checksums[0], checksums[1]);
}

#[test]
fn outputs_are_never_overwritten_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("song.wav");
    write_input(&input, 3.0, 0.0);
    let out = dir.path().join("out");
    assert_eq!(master(&[&input], &out, &[]).unwrap(), 0);
    let delivered = out.join("song.streaming.wav");
    let before = std::fs::read(&delivered).unwrap();
    let error = master(&[&input], &out, &[]).unwrap_err().to_string();
    assert!(error.contains("--force"), "{error}");
    assert_eq!(std::fs::read(&delivered).unwrap(), before);
    assert_eq!(master(&[&input], &out, &["--force"]).unwrap(), 0);
    assert_eq!(
        std::fs::read(&delivered).unwrap(),
        before,
        "renders are reproducible"
    );
    // An output that would land on another input is refused, even with --force.
    let other = dir.path().join("song.streaming.wav");
    std::fs::copy(&input, &other).unwrap();
    let error = master(&[&input, &other], dir.path(), &["--force"])
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("refusing to write over the input"),
        "{error}"
    );
    assert_eq!(
        std::fs::read(&other).unwrap(),
        std::fs::read(&input).unwrap()
    );
}

/// A sparse, peaky signal cannot reach -6 LUFS under a -1 dBTP ceiling: the report says so
/// and by how much, and the exit status says a file is off target.
#[test]
fn an_unreachable_target_is_reported_with_its_shortfall() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("clicks.wav");
    let mut left = vec![0.0f32; 48_000 * 4];
    for (i, x) in left.iter_mut().enumerate() {
        if i % 4_800 < 24 {
            *x = 0.5 * ((i % 4_800) as f32 * 0.7).sin();
        }
    }
    let audio = Audio {
        sample_rate: 48_000,
        channels: vec![left.clone(), left],
        format: SampleFormat::Float32,
    };
    write_wav(&input, &audio).unwrap();
    let out = dir.path().join("out");
    let status = master(&[&input], &out, &["--lufs", "-6", "--ceiling-dbtp", "-1"]).unwrap();
    assert_eq!(status, 1);
    let report = report(&out);
    let file = &files(&report)[0];
    let shortfall = file["target"]["shortfall_lu"].as_f64().unwrap();
    let lufs = file["integrated_lufs"].as_f64().unwrap();
    assert!(
        (lufs + shortfall + 6.0).abs() < 0.05,
        "{lufs} + {shortfall}"
    );
    assert_eq!(file["drive_db"].as_f64().unwrap(), 24.0);
    let text = std::fs::read_to_string(out.join("lacquer-master-report.txt")).unwrap();
    assert!(text.contains("target not met"), "{text}");
}
