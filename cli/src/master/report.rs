//! What `lacquer master` reports for each file it delivers: the same figures `lacquer analyze`
//! measures on the file, the target it had to meet and by how much it did, and a checksum.

use serde_json::{Value, json};

use super::delivery::{Container, Delivery};
use crate::analysis::{Analysis, aligned_table, cell, number};

/// A delivered file's integrated loudness may sit this far from its target.
pub const LOUDNESS_TOLERANCE_LU: f64 = 0.2;

/// A file measured against its target.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetCheck {
    /// The target's name, e.g. "Spotify" or "Custom".
    pub name: String,
    /// The integrated loudness this file aimed at (in album mode: its place in the album).
    pub lufs: f64,
    /// The true peak allowed at the file's loudness.
    pub allowed_true_peak_dbtp: f64,
    /// Measured minus aimed loudness, LU; `None` for silence.
    pub loudness_error_lu: Option<f64>,
    /// Allowed minus measured true peak, dB (negative: over).
    pub true_peak_margin_db: f64,
    /// How far short of its loudness the ceiling kept the file, LU.
    pub shortfall_lu: Option<f64>,
}

impl TargetCheck {
    pub fn loudness_met(&self) -> bool {
        self.loudness_error_lu
            .is_some_and(|e| e.abs() <= LOUDNESS_TOLERANCE_LU)
    }

    /// True peaks are reported to 0.01 dB: a file that reads the limit meets it.
    pub fn true_peak_met(&self) -> bool {
        self.true_peak_margin_db >= -0.005
    }

    pub fn met(&self) -> bool {
        self.loudness_met() && self.true_peak_met()
    }
}

/// One delivered file.
#[derive(Debug, Clone, PartialEq)]
pub struct FileReport {
    /// The file as measured (path, rate, channels, duration, meter readings).
    pub analysis: Analysis,
    /// The input it was mastered from.
    pub input: String,
    pub delivery: Delivery,
    pub container: Container,
    pub bits: u16,
    /// The dither applied, e.g. "16-bit TPDF".
    pub dither: String,
    pub target: TargetCheck,
    /// The limiter drive and output trim the loudness normalisation chose, dB.
    pub drive_db: f64,
    pub trim_db: f64,
    /// Limiter renders the normalisation took.
    pub renders: usize,
    /// SHA-256 of the file's bytes, hex.
    pub sha256: String,
}

impl FileReport {
    /// The JSON object: `lacquer analyze --json`'s keys for the file, then the delivery, the
    /// target check and the checksum.
    pub fn to_json(&self) -> Value {
        let mut object = self.analysis.to_json();
        let map = object.as_object_mut().expect("analysis is an object");
        let target = &self.target;
        let extra = json!({
            "input": self.input,
            "delivery": self.delivery.name(),
            "container": self.container.extension(),
            "bits": self.bits,
            "dither": self.dither,
            "target": {
                "name": target.name,
                "lufs": number(Some(target.lufs)),
                "max_true_peak_dbtp": number(Some(target.allowed_true_peak_dbtp)),
                "loudness_error_lu": number(target.loudness_error_lu),
                "true_peak_margin_db": number(Some(target.true_peak_margin_db)),
                "shortfall_lu": number(target.shortfall_lu),
                "loudness_met": target.loudness_met(),
                "true_peak_met": target.true_peak_met(),
                "met": target.met(),
            },
            "drive_db": number(Some(self.drive_db)),
            "trim_db": number(Some(self.trim_db)),
            "renders": self.renders,
            "sha256": self.sha256,
        });
        for (key, value) in extra.as_object().expect("object") {
            map.insert(key.clone(), value.clone());
        }
        object
    }
}

/// An album's loudness in one delivery.
#[derive(Debug, Clone, PartialEq)]
pub struct AlbumReport {
    pub delivery: Delivery,
    pub target_lufs: f64,
    /// Integrated loudness of all the album's files together; `None` for silence.
    pub lufs: Option<f64>,
}

impl AlbumReport {
    pub fn met(&self) -> bool {
        self.lufs
            .is_some_and(|l| (l - self.target_lufs).abs() <= LOUDNESS_TOLERANCE_LU)
    }

    pub fn to_json(&self) -> Value {
        json!({
            "album": self.delivery.name(),
            "target_lufs": number(Some(self.target_lufs)),
            "integrated_lufs": number(self.lufs),
            "met": self.met(),
        })
    }
}

/// The reports as a readable table with notes on anything missed.
pub fn table(files: &[FileReport], albums: &[AlbumReport]) -> String {
    let header = [
        "FILE", "FORMAT", "LENGTH", "I LUFS", "LRA LU", "TP dBTP", "SP dBFS", "PLR dB", "TARGET",
        "MET", "SHA-256",
    ]
    .map(str::to_owned);
    let rows: Vec<[String; 11]> = files
        .iter()
        .map(|f| {
            let r = &f.analysis.readings;
            [
                f.analysis.file.clone(),
                format!(
                    "{} {}/{}",
                    f.delivery.name(),
                    f.analysis.sample_rate,
                    f.bits
                ),
                format!("{:.1} s", f.analysis.duration_s),
                cell(r.loudness.integrated_lufs, 2),
                cell(r.loudness.loudness_range_lu, 1),
                cell(Some(r.true_peak_max_dbtp()), 2),
                cell(Some(r.sample_peak_max_db()), 2),
                cell(r.plr_db(), 1),
                format!(
                    "{} {:.1}/{:.1}",
                    f.target.name, f.target.lufs, f.target.allowed_true_peak_dbtp
                ),
                if f.target.met() { "yes" } else { "NO" }.to_owned(),
                f.sha256[..16].to_owned(),
            ]
        })
        .collect();
    let mut out = aligned_table(&header, &rows);
    for album in albums {
        out.push_str(&format!(
            "album ({}): {} LUFS for a target of {:.1} LUFS: {}\n",
            album.delivery.name(),
            cell(album.lufs, 2),
            album.target_lufs,
            if album.met() { "met" } else { "NOT met" }
        ));
    }
    for file in files.iter().filter(|f| !f.target.met()) {
        let target = &file.target;
        let mut reasons = Vec::new();
        if let Some(short) = target.shortfall_lu {
            reasons.push(format!(
                "the {:.1} dBTP ceiling holds it {short:.2} LU below the target even at {:.1} dB drive",
                target.allowed_true_peak_dbtp, file.drive_db
            ));
        } else if let Some(error) = target.loudness_error_lu.filter(|_| !target.loudness_met()) {
            reasons.push(format!("loudness is {error:+.2} LU from the target"));
        } else if target.loudness_error_lu.is_none() {
            reasons.push(
                "no integrated loudness (silent, or shorter than a 0.4 s gating block)".to_owned(),
            );
        }
        if !target.true_peak_met() {
            reasons.push(format!(
                "true peak is {:.2} dB over",
                -target.true_peak_margin_db
            ));
        }
        out.push_str(&format!(
            "{}: target not met: {}\n",
            file.analysis.file,
            reasons.join("; ")
        ));
    }
    out
}
