//! The parameter table, in signal order.

use std::sync::OnceLock;

use super::spec::{ParamKind, ParamSpec, Scale, Unit};

/// Names one field of [`ChainParams`](super::ChainParams).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ParamKey {
    InputTrim,
    DcFilter,
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
}

/// Every parameter of the chain, in signal order. Built once, on first use.
pub fn param_table() -> &'static [ParamSpec] {
    static TABLE: OnceLock<Vec<ParamSpec>> = OnceLock::new();
    TABLE.get_or_init(build)
}

fn float(
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

fn toggle(id: &str, key: ParamKey, group: &str, name: &str, default: bool) -> ParamSpec {
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

fn choice(
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

/// The limiter's envelope characters and detection choices, in index order.
pub const CHARACTERS: &[&str] = &["Transparent", "Fast"];
pub const DETECTIONS: &[&str] = &["Auto", "2x", "4x", "8x", "16x", "Sample peak"];

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
    ]
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
