//! What a parameter is: id, range, unit, and how it reads and parses as text.

use super::table::{ParamKey, param_table};

/// A parameter's physical unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    None,
    Db,
    Hz,
    Ms,
    Percent,
    Ratio,
    Lufs,
    Dbtp,
}

impl Unit {
    /// The unit's symbol, e.g. `dB` (empty for [`Unit::None`]).
    pub fn symbol(self) -> &'static str {
        match self {
            Unit::None => "",
            Unit::Db => "dB",
            Unit::Hz => "Hz",
            Unit::Ms => "ms",
            Unit::Percent => "%",
            Unit::Ratio => ":1",
            Unit::Lufs => "LUFS",
            Unit::Dbtp => "dBTP",
        }
    }

    /// The symbol as hosts append it to values (with a leading space where one belongs).
    pub fn suffix(self) -> &'static str {
        match self {
            Unit::None => "",
            Unit::Db => " dB",
            Unit::Hz => " Hz",
            Unit::Ms => " ms",
            Unit::Percent => " %",
            Unit::Ratio => ":1",
            Unit::Lufs => " LUFS",
            Unit::Dbtp => " dBTP",
        }
    }
}

/// How a continuous parameter spreads over a knob's travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// Even steps: gains in dB, percentages.
    Linear,
    /// Even ratios: frequencies and times.
    Log,
}

/// The kind of value a parameter holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ParamKind {
    /// A continuous value in `min..=max`.
    Float { min: f64, max: f64, scale: Scale },
    /// One of several named options, stored as the option's index.
    Choice(&'static [&'static str]),
    /// On or off, stored as 1 or 0.
    Toggle,
}

/// Why a parameter could not be set.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ParamError {
    #[error("unknown parameter id '{0}' (`lacquer params` lists them)")]
    UnknownId(String),
    #[error("'{text}' is not a value for '{id}': expected {expected}")]
    BadValue {
        id: String,
        text: String,
        expected: String,
    },
    #[error("{value} is outside the range of '{id}' ({min} to {max})")]
    OutOfRange {
        id: String,
        value: f64,
        min: f64,
        max: f64,
    },
}

/// One parameter of the chain.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamSpec {
    /// Stable id: what hosts, presets and `--set` use. Never renamed.
    pub id: String,
    /// Which field of [`ChainParams`](super::ChainParams) it sets.
    pub key: ParamKey,
    /// The module it belongs to, shown as the parameter group.
    pub group: String,
    /// Human-readable name, unique within the plugin.
    pub name: String,
    /// Physical unit of the plain value.
    pub unit: Unit,
    /// Range or options.
    pub kind: ParamKind,
    /// Default plain value (a choice's index, a toggle's 0 or 1).
    pub default: f64,
}

impl ParamSpec {
    /// Looks a parameter up by id.
    pub fn find(id: &str) -> Result<&'static ParamSpec, ParamError> {
        param_table()
            .iter()
            .find(|spec| spec.id == id)
            .ok_or_else(|| ParamError::UnknownId(id.to_owned()))
    }

    /// The smallest and largest plain value.
    pub fn range(&self) -> (f64, f64) {
        match self.kind {
            ParamKind::Float { min, max, .. } => (min, max),
            ParamKind::Choice(choices) => (0.0, (choices.len() - 1) as f64),
            ParamKind::Toggle => (0.0, 1.0),
        }
    }

    /// Brings a plain value into range (and onto a whole index for choices and toggles).
    pub fn clamp(&self, value: f64) -> f64 {
        let (min, max) = self.range();
        let value = if value.is_nan() { self.default } else { value };
        match self.kind {
            ParamKind::Float { .. } => value.clamp(min, max),
            ParamKind::Choice(_) | ParamKind::Toggle => value.round().clamp(min, max),
        }
    }

    /// Formats a plain value for display, with its unit (`-1.0 dB`, `1.20 kHz`, `On`).
    pub fn format(&self, value: f64) -> String {
        match self.kind {
            ParamKind::Choice(choices) => choices[self.clamp(value) as usize].to_owned(),
            ParamKind::Toggle => if value >= 0.5 { "On" } else { "Off" }.to_owned(),
            ParamKind::Float { .. } => format_number(value, self.unit),
        }
    }

    /// Parses text as a user types it: a number with or without its unit (`-1.5`, `-1.5 dB`,
    /// `2k`, `2 kHz`), a choice by name or index, a toggle as on/off, true/false, yes/no or 1/0.
    pub fn parse(&self, text: &str) -> Result<f64, ParamError> {
        let bad = |expected: String| ParamError::BadValue {
            id: self.id.clone(),
            text: text.to_owned(),
            expected,
        };
        let trimmed = text.trim();
        match self.kind {
            ParamKind::Toggle => match trimmed.to_ascii_lowercase().as_str() {
                "on" | "true" | "yes" | "1" => Ok(1.0),
                "off" | "false" | "no" | "0" => Ok(0.0),
                _ => Err(bad("on or off".to_owned())),
            },
            ParamKind::Choice(choices) => choices
                .iter()
                .position(|c| c.eq_ignore_ascii_case(trimmed))
                .or_else(|| trimmed.parse::<usize>().ok().filter(|&i| i < choices.len()))
                .map(|i| i as f64)
                .ok_or_else(|| bad(format!("one of: {}", choices.join(", ")))),
            ParamKind::Float { min, max, .. } => {
                let value = parse_number(trimmed, self.unit)
                    .ok_or_else(|| bad(format!("a number in {}", self.unit.symbol())))?;
                if (min..=max).contains(&value) {
                    Ok(value)
                } else {
                    Err(ParamError::OutOfRange {
                        id: self.id.clone(),
                        value,
                        min,
                        max,
                    })
                }
            }
        }
    }
}

/// Number formats switch where the *rounded* text would: a host's f32 round trip of 1000 Hz
/// or 10 ms (999.99994, 9.999999) must read as 1000 Hz or 10 ms do.
fn format_number(value: f64, unit: Unit) -> String {
    match unit {
        Unit::Hz if value.abs() >= 999.95 => format!("{:.2} kHz", value / 1000.0),
        Unit::Hz => format!("{value:.1} Hz"),
        Unit::Ms if value < 9.995 => format!("{value:.2} ms"),
        Unit::Ms => format!("{value:.0} ms"),
        Unit::Percent => format!("{value:.0} %"),
        Unit::Ratio => format!("{value:.1}:1"),
        Unit::None => format!("{value:.2}"),
        Unit::Db | Unit::Lufs | Unit::Dbtp => format!("{value:.1}{}", unit.suffix()),
    }
}

fn parse_number(text: &str, unit: Unit) -> Option<f64> {
    let lower = text.to_ascii_lowercase();
    let without_unit = lower
        .strip_suffix(&unit.symbol().to_ascii_lowercase())
        .unwrap_or(&lower)
        .trim_end();
    let (number, scale) = match without_unit.strip_suffix('k') {
        Some(number) if unit == Unit::Hz => (number.trim_end(), 1000.0),
        _ => (without_unit, 1.0),
    };
    number
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .map(|v| v * scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn float_spec(unit: Unit, min: f64, max: f64) -> ParamSpec {
        ParamSpec {
            id: "x".into(),
            key: ParamKey::OutputTrim,
            group: "G".into(),
            name: "X".into(),
            unit,
            kind: ParamKind::Float {
                min,
                max,
                scale: Scale::Linear,
            },
            default: min,
        }
    }

    #[test]
    fn numbers_parse_with_or_without_their_unit() {
        let hz = float_spec(Unit::Hz, 10.0, 30_000.0);
        assert_eq!(hz.parse("2k"), Ok(2000.0));
        assert_eq!(hz.parse("2.5 kHz"), Ok(2500.0));
        assert_eq!(hz.parse("40 Hz"), Ok(40.0));
        assert_eq!(hz.format(2500.0), "2.50 kHz");
        // f32 round trips of 1 kHz and 10 ms read as those values do.
        assert_eq!(hz.format(999.999_94), "1.00 kHz");
        assert_eq!(float_spec(Unit::Ms, 0.1, 30.0).format(9.999_999), "10 ms");
        let db = float_spec(Unit::Db, -24.0, 24.0);
        assert_eq!(db.parse(" -1.5dB "), Ok(-1.5));
        assert_eq!(db.parse(&db.format(-1.5)), Ok(-1.5));
        assert!(matches!(db.parse("inf"), Err(ParamError::BadValue { .. })));
        assert!(matches!(db.parse("NaN"), Err(ParamError::BadValue { .. })));
    }

    #[test]
    fn choices_parse_by_name_or_index_and_clamp_to_an_option() {
        let spec = ParamSpec {
            kind: ParamKind::Choice(&["Stereo", "Mid", "Side"]),
            ..float_spec(Unit::None, 0.0, 0.0)
        };
        assert_eq!(spec.parse("mid"), Ok(1.0));
        assert_eq!(spec.parse("2"), Ok(2.0));
        assert!(spec.parse("3").is_err());
        assert_eq!(spec.clamp(7.4), 2.0);
        assert_eq!(spec.format(1.0), "Mid");
    }
}
