//! The parameter table, in signal order.

use std::sync::OnceLock;

use super::dynamics::{
    CompressorField, GlueField, ImagerField, MultibandField, glue_specs, imager_specs,
    multiband_specs,
};
use super::spec::{ParamKind, ParamSpec, Scale, Unit};

/// Names one field of [`ChainParams`](super::ChainParams).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ParamKey {
    InputTrim,
    DcFilter,
    EqOn,
    EqPhase,
    /// One setting of one EQ band (0-based).
    EqBand(u8, EqField),
    /// A multiband compressor setting shared by its bands.
    Multiband(MultibandField),
    /// One setting of one multiband compressor band (0-based).
    MultibandBand(u8, CompressorField),
    Glue(GlueField),
    Imager(ImagerField),
    LimiterOn,
    LimiterCeiling,
    LimiterDrive,
    LimiterLookahead,
    LimiterRelease,
    LimiterAutoRelease,
    LimiterLink,
    LimiterCharacter,
    LimiterDetection,
    LimiterDelta,
    LimiterUnityGain,
    OutputTrim,
    DitherDepth,
    DitherShape,
    Bypass,
    BypassGainMatch,
    LatencyMode,
    Target,
    TargetLufs,
    PlatformPreview,
}

/// The settings of an EQ band, as parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EqField {
    On,
    Type,
    Freq,
    Gain,
    Q,
    Slope,
    Mode,
}

/// Every parameter of the chain, in signal order. Built once, on first use.
pub fn param_table() -> &'static [ParamSpec] {
    static TABLE: OnceLock<Vec<ParamSpec>> = OnceLock::new();
    TABLE.get_or_init(build)
}

pub(super) fn float(
    id: &str,
    key: ParamKey,
    group: &str,
    name: &str,
    unit: Unit,
    (min, max, scale): (f64, f64, Scale),
    default: f64,
) -> ParamSpec {
    ParamSpec {
        id: id.to_owned(),
        key,
        group: group.to_owned(),
        name: name.to_owned(),
        unit,
        kind: ParamKind::Float { min, max, scale },
        default,
    }
}

pub(super) fn toggle(id: &str, key: ParamKey, group: &str, name: &str, default: bool) -> ParamSpec {
    ParamSpec {
        id: id.to_owned(),
        key,
        group: group.to_owned(),
        name: name.to_owned(),
        unit: Unit::None,
        kind: ParamKind::Toggle,
        default: f64::from(u8::from(default)),
    }
}

pub(super) fn choice(
    id: &str,
    key: ParamKey,
    group: &str,
    name: &str,
    choices: &'static [&'static str],
) -> ParamSpec {
    ParamSpec {
        id: id.to_owned(),
        key,
        group: group.to_owned(),
        name: name.to_owned(),
        unit: Unit::None,
        kind: ParamKind::Choice(choices),
        default: 0.0,
    }
}

/// The EQ's choices, in the order of `BandType::ALL`, the slopes and `ChannelMode::ALL`.
pub const EQ_PHASES: &[&str] = &["Zero Latency", "Linear Phase"];
pub const EQ_TYPES: &[&str] = &[
    "Bell",
    "Low Shelf",
    "High Shelf",
    "Low Cut",
    "High Cut",
    "Tilt",
    "Notch",
    "Band Pass",
];
pub const EQ_SLOPES: &[&str] = &[
    "6 dB/oct",
    "12 dB/oct",
    "18 dB/oct",
    "24 dB/oct",
    "30 dB/oct",
    "36 dB/oct",
    "42 dB/oct",
    "48 dB/oct",
];
pub const EQ_MODES: &[&str] = &["Stereo", "Left", "Right", "Mid", "Side"];

/// The parameters of EQ band `index` (0-based; ids and names count from 1), defaults from
/// [`EqParams::default`].
fn eq_band(index: usize) -> Vec<ParamSpec> {
    use crate::eq::{BandType, EqParams, FREQ_RANGE_HZ, GAIN_RANGE_DB, Q_RANGE};
    let defaults = EqParams::default().bands[index];
    let key = |field| ParamKey::EqBand(index as u8, field);
    let n = index + 1;
    let group = format!("EQ Band {n}");
    let type_index = BandType::ALL
        .iter()
        .position(|&t| t == defaults.band_type)
        .unwrap_or(0);
    vec![
        toggle(
            &format!("eq{n}_on"),
            key(EqField::On),
            &group,
            &format!("Band {n}"),
            false,
        ),
        ParamSpec {
            default: type_index as f64,
            ..choice(
                &format!("eq{n}_type"),
                key(EqField::Type),
                &group,
                &format!("Band {n} Type"),
                EQ_TYPES,
            )
        },
        float(
            &format!("eq{n}_freq"),
            key(EqField::Freq),
            &group,
            &format!("Band {n} Frequency"),
            Unit::Hz,
            (FREQ_RANGE_HZ.0, FREQ_RANGE_HZ.1, Scale::Log),
            defaults.freq_hz,
        ),
        float(
            &format!("eq{n}_gain"),
            key(EqField::Gain),
            &group,
            &format!("Band {n} Gain"),
            Unit::Db,
            (GAIN_RANGE_DB.0, GAIN_RANGE_DB.1, Scale::Linear),
            0.0,
        ),
        float(
            &format!("eq{n}_q"),
            key(EqField::Q),
            &group,
            &format!("Band {n} Q"),
            Unit::None,
            (Q_RANGE.0, Q_RANGE.1, Scale::Log),
            defaults.q,
        ),
        ParamSpec {
            default: f64::from(defaults.slope_db_per_oct / 6 - 1),
            ..choice(
                &format!("eq{n}_slope"),
                key(EqField::Slope),
                &group,
                &format!("Band {n} Slope"),
                EQ_SLOPES,
            )
        },
        choice(
            &format!("eq{n}_mode"),
            key(EqField::Mode),
            &group,
            &format!("Band {n} Channels"),
            EQ_MODES,
        ),
    ]
}

/// The limiter's envelope characters and detection choices, in index order.
pub const CHARACTERS: &[&str] = &["Transparent", "Fast"];
pub const DETECTIONS: &[&str] = &["Auto", "2x", "4x", "8x", "16x", "Sample peak"];
/// The dither's word lengths and noise shapes, in index order.
pub const DITHER_DEPTHS: &[&str] = &["Off", "24 bit", "20 bit", "16 bit"];
pub const DITHER_SHAPES: &[&str] = &["Flat TPDF", "Noise-shaped"];
/// The chain's latency modes, in the order of `LatencyMode::ALL`.
pub const LATENCY_MODES: &[&str] = &["Master", "Live"];
/// The loudness targets, in the order of `LoudnessTarget::ALL`.
pub const TARGETS: &[&str] = &[
    "Custom",
    "Spotify",
    "Apple Music",
    "YouTube",
    "Amazon Music",
    "Tidal",
    "EBU R128",
    "ATSC A/85",
    "CD / Club",
];

fn build() -> Vec<ParamSpec> {
    use ParamKey::*;
    const TRIM: (f64, f64, Scale) = (-24.0, 24.0, Scale::Linear);
    vec![
        float(
            "in_trim",
            InputTrim,
            "Input",
            "Input Trim",
            Unit::Db,
            TRIM,
            0.0,
        ),
        toggle("dc_filter", DcFilter, "Input", "DC Filter", true),
        toggle("eq_on", EqOn, "EQ", "EQ", true),
        choice("eq_phase", EqPhase, "EQ", "EQ Phase", EQ_PHASES),
    ]
    .into_iter()
    .chain((0..crate::eq::BANDS).flat_map(eq_band))
    .chain(multiband_specs())
    .chain(glue_specs())
    .chain(imager_specs())
    .chain([
        toggle("lim_on", LimiterOn, "Limiter", "Limiter", true),
        float(
            "lim_ceiling",
            LimiterCeiling,
            "Limiter",
            "Ceiling",
            Unit::Dbtp,
            (-20.0, 0.0, Scale::Linear),
            -1.0,
        ),
        float(
            "lim_drive",
            LimiterDrive,
            "Limiter",
            "Drive",
            Unit::Db,
            (0.0, 24.0, Scale::Linear),
            0.0,
        ),
        float(
            "lim_lookahead",
            LimiterLookahead,
            "Limiter",
            "Lookahead",
            Unit::Ms,
            (0.5, 10.0, Scale::Log),
            1.5,
        ),
        float(
            "lim_release",
            LimiterRelease,
            "Limiter",
            "Release",
            Unit::Ms,
            (1.0, 1000.0, Scale::Log),
            80.0,
        ),
        toggle(
            "lim_auto_rel",
            LimiterAutoRelease,
            "Limiter",
            "Auto Release",
            true,
        ),
        float(
            "lim_link",
            LimiterLink,
            "Limiter",
            "Stereo Link",
            Unit::Percent,
            (0.0, 100.0, Scale::Linear),
            100.0,
        ),
        choice(
            "lim_character",
            LimiterCharacter,
            "Limiter",
            "Character",
            CHARACTERS,
        ),
        choice(
            "lim_detection",
            LimiterDetection,
            "Limiter",
            "Detection",
            DETECTIONS,
        ),
        toggle("lim_delta", LimiterDelta, "Limiter", "Delta", false),
        toggle(
            "lim_unity",
            LimiterUnityGain,
            "Limiter",
            "Unity Gain",
            false,
        ),
        float(
            "out_trim",
            OutputTrim,
            "Output",
            "Output Trim",
            Unit::Db,
            TRIM,
            0.0,
        ),
        choice("dither", DitherDepth, "Output", "Dither", DITHER_DEPTHS),
        choice(
            "dither_shape",
            DitherShape,
            "Output",
            "Dither Shape",
            DITHER_SHAPES,
        ),
        choice("target", Target, "Target", "Target", TARGETS),
        float(
            "target_lufs",
            TargetLufs,
            "Target",
            "Custom Loudness",
            Unit::Lufs,
            (-36.0, -5.0, Scale::Linear),
            -14.0,
        ),
        toggle(
            "preview",
            PlatformPreview,
            "Target",
            "Platform Preview",
            false,
        ),
        toggle("bypass", Bypass, "Global", "Bypass", false),
        toggle(
            "bypass_match",
            BypassGainMatch,
            "Global",
            "Gain-Matched Bypass",
            false,
        ),
        choice(
            "latency_mode",
            LatencyMode,
            "Global",
            "Latency Mode",
            LATENCY_MODES,
        ),
    ])
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_and_names_are_unique_and_defaults_in_range() {
        let table = param_table();
        let ids: HashSet<_> = table.iter().map(|s| &s.id).collect();
        let names: HashSet<_> = table.iter().map(|s| &s.name).collect();
        let keys: HashSet<_> = table.iter().map(|s| s.key).collect();
        assert_eq!(ids.len(), table.len());
        assert_eq!(names.len(), table.len());
        assert_eq!(keys.len(), table.len());
        for spec in table {
            assert_eq!(spec.clamp(spec.default), spec.default, "{}", spec.id);
            assert!(spec.id.len() <= 16 && spec.id.is_ascii(), "{}", spec.id);
        }
    }
}
