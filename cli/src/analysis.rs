//! Measuring a whole file with the same meter the plugin shows, and reporting it.

use std::path::Path;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressDrawTarget};
use lacquer_dsp::ProcessSpec;
use lacquer_dsp::meter::{Meter, MeterReadings, PeakScope};
use serde_json::{Value, json};

use crate::decode::{Sink, StreamInfo, decode};

/// The figures `lacquer analyze` reports for one file.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    pub file: String,
    pub sample_rate: u32,
    pub channels: usize,
    pub duration_s: f64,
    pub readings: MeterReadings,
}

/// Feeds decoded audio to a meter, advancing a progress bar.
struct Measuring<'a> {
    meter: Meter,
    frames: u64,
    progress: Option<&'a ProgressBar>,
}

impl Sink for Measuring<'_> {
    fn start(&mut self, info: &StreamInfo) -> anyhow::Result<()> {
        let spec = ProcessSpec {
            sample_rate: f64::from(info.sample_rate),
            max_block_size: 1,
            channels: info.channels,
        };
        spec.validate()?;
        self.meter.prepare(&spec);
        // A file's report needs its highest true peak only.
        self.meter.set_true_peak_scope(PeakScope::WholeFile);
        if let (Some(bar), Some(total)) = (self.progress, info.frames_hint) {
            bar.set_length(total);
            if total as f64 / f64::from(info.sample_rate) >= LONG_FILE_S {
                bar.set_draw_target(ProgressDrawTarget::stderr());
            }
        }
        Ok(())
    }

    fn block(&mut self, channels: &[Vec<f32>]) {
        self.meter.process(channels);
        self.frames += channels[0].len() as u64;
        if let Some(bar) = self.progress {
            bar.set_position(self.frames);
        }
    }
}

/// Files at least this long show their progress bar.
const LONG_FILE_S: f64 = 20.0;

/// Decodes and measures `path`. `progress`, if given, advances by frames decoded and is drawn
/// (on standard error) for long files.
pub fn analyze(path: &Path, progress: Option<&ProgressBar>) -> anyhow::Result<Analysis> {
    let mut measuring = Measuring {
        meter: Meter::default(),
        frames: 0,
        progress,
    };
    let info = decode(path, &mut measuring)
        .with_context(|| format!("cannot analyze '{}'", path.display()))?;
    let Measuring {
        mut meter, frames, ..
    } = measuring;
    meter.finish();
    Ok(Analysis {
        file: path.display().to_string(),
        sample_rate: info.sample_rate,
        channels: info.channels,
        duration_s: frames as f64 / f64::from(info.sample_rate),
        readings: meter.readings(),
    })
}

/// A finite number, or JSON `null` (silence has no loudness, not -inf).
pub fn number(value: Option<f64>) -> Value {
    match value {
        Some(v) if v.is_finite() => json!((v * 1000.0).round() / 1000.0),
        _ => Value::Null,
    }
}

impl Analysis {
    /// The JSON object: exactly the documented keys, `null` where a value does not exist.
    pub fn to_json(&self) -> Value {
        let r = &self.readings;
        json!({
            "file": self.file,
            "sample_rate": self.sample_rate,
            "channels": self.channels,
            "duration_s": number(Some(self.duration_s)),
            "integrated_lufs": number(r.loudness.integrated_lufs),
            "loudness_range_lu": number(r.loudness.loudness_range_lu),
            "true_peak_dbtp": number(Some(r.true_peak_max_dbtp())),
            "sample_peak_dbfs": number(Some(r.sample_peak_max_db())),
            "momentary_max_lufs": number(Some(r.loudness.momentary_max_lufs)),
            "short_term_max_lufs": number(Some(r.loudness.short_term_max_lufs)),
            "plr_db": number(r.plr_db()),
            "correlation": number(r.correlation_total),
        })
    }
}

/// Formats a value for the text table (`-` where it does not exist).
pub fn cell(value: Option<f64>, decimals: usize) -> String {
    match value {
        Some(v) if v.is_finite() => format!("{v:.decimals$}"),
        _ => "-".to_owned(),
    }
}

/// The analyses as a readable table, one row per file.
pub fn table(analyses: &[Analysis]) -> String {
    let header = [
        "FILE", "RATE", "CH", "LENGTH", "I LUFS", "LRA LU", "TP dBTP", "SP dBFS", "M max", "S max",
        "PLR dB", "CORR",
    ]
    .map(str::to_owned);
    let rows: Vec<[String; 12]> = analyses
        .iter()
        .map(|a| {
            let r = &a.readings;
            [
                a.file.clone(),
                a.sample_rate.to_string(),
                a.channels.to_string(),
                format!("{:.1} s", a.duration_s),
                cell(r.loudness.integrated_lufs, 1),
                cell(r.loudness.loudness_range_lu, 1),
                cell(Some(r.true_peak_max_dbtp()), 2),
                cell(Some(r.sample_peak_max_db()), 2),
                cell(Some(r.loudness.momentary_max_lufs), 1),
                cell(Some(r.loudness.short_term_max_lufs), 1),
                cell(r.plr_db(), 1),
                cell(r.correlation_total, 2),
            ]
        })
        .collect();
    aligned_table(&header, &rows)
}

/// Rows under a header as text columns: the first left-aligned, the rest right-aligned.
pub fn aligned_table<const N: usize>(header: &[String; N], rows: &[[String; N]]) -> String {
    let mut widths = header.clone().map(|h| h.chars().count());
    for row in rows {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(header).chain(rows) {
        let line: Vec<String> = row
            .iter()
            .zip(widths)
            .enumerate()
            .map(|(i, (c, w))| {
                if i == 0 {
                    format!("{c:<w$}")
                } else {
                    format!("{c:>w$}")
                }
            })
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    out
}
