//! Broadcast Wave (EBU Tech 3285 v2): a `bext` chunk with the loudness of the file (EBU R128
//! figures as EBU Tech 3285 Supplement / v2 defines them), spliced into a WAV file.

use anyhow::{Context, bail};
use lacquer_dsp::meter::MeterReadings;

/// Version 2 of the `bext` chunk carries loudness.
const BEXT_VERSION: u16 = 2;
/// Bytes of the fixed part of a `bext` chunk.
const BEXT_FIXED: usize = 602;
/// A loudness field with no value.
const UNSET: i16 = 0x7fff;

/// The `bext` chunk's body: originator "Lacquer", no date or time (so renders stay
/// reproducible), the loudness fields in hundredths, and a coding history line.
fn bext_body(readings: &MeterReadings, sample_rate: u32, bits: u16, channels: usize) -> Vec<u8> {
    let mut body = vec![0u8; BEXT_FIXED];
    let text = |body: &mut [u8], offset: usize, len: usize, value: &str| {
        let bytes = value.as_bytes();
        body[offset..offset + bytes.len().min(len)].copy_from_slice(&bytes[..bytes.len().min(len)]);
    };
    text(&mut body, 0, 256, "Mastered with Lacquer");
    text(&mut body, 256, 32, "Lacquer");
    body[346..348].copy_from_slice(&BEXT_VERSION.to_le_bytes());
    let hundredths = |value: Option<f64>| match value {
        Some(v) if v.is_finite() => (v * 100.0).round().clamp(-32768.0, 32766.0) as i16,
        _ => UNSET,
    };
    let loudness = &readings.loudness;
    let fields = [
        hundredths(loudness.integrated_lufs),
        hundredths(loudness.loudness_range_lu),
        hundredths(Some(readings.true_peak_max_dbtp())),
        hundredths(Some(loudness.momentary_max_lufs)),
        hundredths(Some(loudness.short_term_max_lufs)),
    ];
    for (i, field) in fields.iter().enumerate() {
        let offset = 412 + 2 * i;
        body[offset..offset + 2].copy_from_slice(&field.to_le_bytes());
    }
    let mode = if channels == 1 { "mono" } else { "stereo" };
    body.extend_from_slice(
        format!(
            "A=PCM,F={sample_rate},W={bits},M={mode},T=Lacquer {}\r\n",
            env!("CARGO_PKG_VERSION")
        )
        .as_bytes(),
    );
    body
}

/// `wav` (a RIFF/WAVE file, or only its start: the RIFF length is read, not recounted) with a
/// `bext` chunk carrying `readings` inserted before its first chunk.
pub fn with_loudness_metadata(
    wav: &[u8],
    readings: &MeterReadings,
    sample_rate: u32,
    bits: u16,
    channels: usize,
) -> anyhow::Result<Vec<u8>> {
    if wav.len() < 12 || &wav[..4] != b"RIFF" || &wav[8..12] != b"WAVE" {
        bail!("not a RIFF/WAVE file");
    }
    let mut body = bext_body(readings, sample_rate, bits, channels);
    // An even length needs no pad byte (which some readers do not skip); the coding history
    // may end in NUL.
    if body.len() % 2 == 1 {
        body.push(0);
    }
    let size = u32::try_from(body.len()).context("bext chunk too long")?;
    let riff_size = u32::from_le_bytes(wav[4..8].try_into().expect("four bytes"))
        .checked_add(8 + body.len() as u32)
        .context("file too large for RIFF")?;
    let mut out = Vec::with_capacity(wav.len() + 8 + body.len());
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&riff_size.to_le_bytes());
    out.extend_from_slice(b"WAVE");
    out.extend_from_slice(b"bext");
    out.extend_from_slice(&size.to_le_bytes());
    out.extend_from_slice(&body);
    out.extend_from_slice(&wav[12..]);
    Ok(out)
}

/// The loudness fields of a file's `bext` chunk, in order: integrated, range, max true peak,
/// max momentary, max short-term (hundredths); `None` without a version-2 `bext` chunk.
pub fn read_loudness_fields(wav: &[u8]) -> Option<[i16; 5]> {
    let mut offset = 12;
    while offset + 8 <= wav.len() {
        let id = &wav[offset..offset + 4];
        let len = u32::from_le_bytes(wav[offset + 4..offset + 8].try_into().ok()?) as usize;
        let body = wav.get(offset + 8..offset + 8 + len)?;
        if id == b"bext" && body.len() >= BEXT_FIXED {
            let version = u16::from_le_bytes([body[346], body[347]]);
            return (version >= BEXT_VERSION).then(|| {
                std::array::from_fn(|i| i16::from_le_bytes([body[412 + 2 * i], body[413 + 2 * i]]))
            });
        }
        offset += 8 + len + len % 2;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio_file::{Audio, SampleFormat, encode_wav};

    #[test]
    fn loudness_fields_round_trip_and_the_file_still_reads() {
        let audio = Audio {
            sample_rate: 48_000,
            channels: vec![vec![0.25; 4_800], vec![-0.25; 4_800]],
            format: SampleFormat::Int24,
        };
        let wav = encode_wav(&audio).unwrap();
        let mut readings = MeterReadings::default();
        readings.loudness.integrated_lufs = Some(-23.004);
        readings.loudness.loudness_range_lu = None;
        let bwf = with_loudness_metadata(&wav, &readings, 48_000, 24, 2).unwrap();
        let fields = read_loudness_fields(&bwf).unwrap();
        assert_eq!(fields[0], -2300);
        assert_eq!(fields[1], UNSET);
        assert_eq!(read_loudness_fields(&wav), None);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bwf.wav");
        std::fs::write(&path, &bwf).unwrap();
        let back = crate::audio_file::read_wav(&path).unwrap();
        assert_eq!(back.channels, audio.channels);
    }
}
