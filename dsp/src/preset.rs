//! Presets: named settings of the chain, as readable JSON.
//!
//! A preset stores the sound-shaping parameters by id. It never carries the session's own
//! settings (bypass, latency mode, preview), and by default applying it leaves the output
//! target alone — target, ceiling, output trim and dither stay as the engineer set them
//! ("lock output"), unless the caller asks for the preset's.
//!
//! File format (`.json`): `{"format": "lacquer-preset", "version": 1, "name": ..., "description":
//! ..., "params": {"lim_drive": 4.0, "glue_on": true, "glue_ratio": "2:1", ...}}`: numbers in
//! the parameter's unit, toggles as booleans, choices by name. Missing parameters take their
//! defaults, so presets stay valid as parameters are added.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use crate::ChainParams;
use crate::params::{ParamError, ParamKind, ParamSpec, param_table};

const FORMAT: &str = "lacquer-preset";
/// The preset format's version; newer files are refused rather than half-read.
pub const PRESET_VERSION: u64 = 1;

/// Parameters that belong to the session, never to a preset.
const SESSION_IDS: &[&str] = &["bypass", "bypass_match", "latency_mode", "preview"];
/// Parameters that set the output target, applied only when the output is unlocked.
const OUTPUT_IDS: &[&str] = &[
    "target",
    "target_lufs",
    "lim_ceiling",
    "out_trim",
    "dither",
    "dither_shape",
];

/// Why a preset could not be read.
#[derive(Debug, thiserror::Error)]
pub enum PresetError {
    #[error("not a Lacquer preset: {0}")]
    NotAPreset(String),
    #[error("preset format version {0} is newer than this Lacquer reads ({PRESET_VERSION})")]
    TooNew(u64),
    #[error("parameter '{id}': expected {expected}")]
    BadValue { id: String, expected: &'static str },
    #[error(transparent)]
    Param(#[from] ParamError),
}

/// A named chain setting.
#[derive(Debug, Clone, PartialEq)]
pub struct Preset {
    pub name: String,
    pub description: String,
    /// The full chain setting the preset stands for.
    pub params: ChainParams,
}

impl Preset {
    /// Captures `params` under a name (session settings are not part of it).
    pub fn capture(name: &str, description: &str, params: &ChainParams) -> Self {
        Self {
            name: name.to_owned(),
            description: description.to_owned(),
            params: params.clone(),
        }
    }

    /// Applies the preset over `params`. With `lock_output`, the output target (target,
    /// ceiling, output trim, dither) keeps its current setting.
    pub fn apply(&self, params: &mut ChainParams, lock_output: bool) {
        for spec in param_table() {
            let id = spec.id.as_str();
            if SESSION_IDS.contains(&id) || (lock_output && OUTPUT_IDS.contains(&id)) {
                continue;
            }
            params.set(spec.key, self.params.get(spec.key));
        }
    }

    /// The preset as pretty JSON; only parameters that differ from the defaults are written.
    pub fn to_json(&self) -> String {
        let defaults = ChainParams::default();
        let mut values = Map::new();
        for spec in preset_specs() {
            let value = self.params.get(spec.key);
            if value != defaults.get(spec.key) {
                values.insert(spec.id.clone(), json_value(spec, value));
            }
        }
        let document = json!({
            "format": FORMAT,
            "version": PRESET_VERSION,
            "name": self.name,
            "description": self.description,
            "params": values,
        });
        serde_json::to_string_pretty(&document).expect("JSON values always serialise")
    }

    /// Reads a preset written by [`Self::to_json`] (or by hand).
    pub fn from_json(text: &str) -> Result<Self, PresetError> {
        let document: Value =
            serde_json::from_str(text).map_err(|e| PresetError::NotAPreset(e.to_string()))?;
        if document.get("format").and_then(Value::as_str) != Some(FORMAT) {
            return Err(PresetError::NotAPreset(format!(
                "no \"format\": \"{FORMAT}\" field"
            )));
        }
        let version = document.get("version").and_then(Value::as_u64).unwrap_or(1);
        if version > PRESET_VERSION {
            return Err(PresetError::TooNew(version));
        }
        let text_field = |key: &str| {
            document
                .get(key)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let mut params = ChainParams::default();
        if let Some(values) = document.get("params").and_then(Value::as_object) {
            for (id, value) in values {
                let spec = ParamSpec::find(id)?;
                if SESSION_IDS.contains(&id.as_str()) {
                    continue;
                }
                params.set(spec.key, parse_value(spec, value)?);
            }
        }
        Ok(Self {
            name: text_field("name"),
            description: text_field("description"),
            params,
        })
    }

    /// The loudness target the preset was made for, by name.
    pub fn target_name(&self) -> String {
        let spec = ParamSpec::find("target").expect("the target parameter exists");
        spec.format(self.params.get(spec.key))
    }
}

/// Parameters a preset can hold.
fn preset_specs() -> impl Iterator<Item = &'static ParamSpec> {
    param_table()
        .iter()
        .filter(|spec| !SESSION_IDS.contains(&spec.id.as_str()))
}

fn json_value(spec: &ParamSpec, value: f64) -> Value {
    match spec.kind {
        ParamKind::Toggle => Value::Bool(value >= 0.5),
        ParamKind::Choice(choices) => Value::from(choices[value.round() as usize]),
        ParamKind::Float { .. } => json!((value * 1e6).round() / 1e6),
    }
}

fn parse_value(spec: &ParamSpec, value: &Value) -> Result<f64, PresetError> {
    let bad = |expected| PresetError::BadValue {
        id: spec.id.clone(),
        expected,
    };
    match (spec.kind, value) {
        (ParamKind::Toggle, Value::Bool(on)) => Ok(f64::from(u8::from(*on))),
        (ParamKind::Toggle, _) => Err(bad("true or false")),
        (ParamKind::Choice(_), Value::String(name)) => Ok(spec.parse(name)?),
        (ParamKind::Choice(_), _) => Err(bad("a choice name")),
        (ParamKind::Float { .. }, Value::Number(n)) => {
            let value = n.as_f64().ok_or_else(|| bad("a number"))?;
            Ok(spec.parse(&value.to_string())?)
        }
        (ParamKind::Float { .. }, Value::String(text)) => Ok(spec.parse(text)?),
        (ParamKind::Float { .. }, _) => Err(bad("a number")),
    }
}

/// Parameter settings by id, as a user would type them.
type Settings = &'static [(&'static str, &'static str)];

/// The factory presets, each as (name, description, settings over the defaults).
const FACTORY: &[(&str, &str, Settings)] = &[
    (
        "Transparent streaming",
        "Clean loudness for streaming: limiter only, gentle drive, -14 LUFS / -1 dBTP.",
        &[
            ("target", "Spotify"),
            ("lim_drive", "2"),
            ("lim_release", "120"),
        ],
    ),
    (
        "Loud modern",
        "Dense and loud: glue, a firm multiband, tighter lows, fast limiter into -0.3 dBTP.",
        &[
            ("target", "CD / Club"),
            ("mb_on", "on"),
            ("mb1_thresh", "-24"),
            ("mb1_ratio", "3"),
            ("mb2_thresh", "-22"),
            ("mb2_ratio", "2"),
            ("mb3_thresh", "-22"),
            ("mb3_ratio", "2"),
            ("mb4_thresh", "-26"),
            ("mb4_ratio", "2.5"),
            ("glue_on", "on"),
            ("glue_thresh", "-20"),
            ("glue_ratio", "2:1"),
            ("glue_attack", "10"),
            ("img_on", "on"),
            ("img_mono", "on"),
            ("img_mono_freq", "120"),
            ("img_width4", "115"),
            ("lim_drive", "8"),
            ("lim_lookahead", "1"),
            ("lim_character", "Fast"),
        ],
    ),
    (
        "Warm glue",
        "Slow-attack bus glue, a touch of low warmth and a softened top.",
        &[
            ("target", "Spotify"),
            ("eq1_on", "on"),
            ("eq1_type", "Low Shelf"),
            ("eq1_freq", "100"),
            ("eq1_gain", "1"),
            ("eq1_q", "0.7"),
            ("eq2_on", "on"),
            ("eq2_type", "High Shelf"),
            ("eq2_freq", "10000"),
            ("eq2_gain", "-0.8"),
            ("eq2_q", "0.7"),
            ("glue_on", "on"),
            ("glue_thresh", "-16"),
            ("glue_ratio", "2:1"),
            ("glue_attack", "30"),
            ("glue_auto_rel", "on"),
            ("lim_drive", "3"),
        ],
    ),
    (
        "Broadcast R128",
        "EBU R128 delivery: -23 LUFS, -1 dBTP, wide dynamics kept, true-peak safe.",
        &[
            ("target", "EBU R128"),
            ("glue_on", "on"),
            ("glue_thresh", "-30"),
            ("glue_ratio", "1.5:1"),
            ("lim_release", "200"),
        ],
    ),
    (
        "Podcast voice",
        "Speech: rumble cut, presence, steady level, mono lows; -16 LUFS.",
        &[
            ("target", "Apple Music"),
            ("eq1_on", "on"),
            ("eq1_type", "Low Cut"),
            ("eq1_freq", "80"),
            ("eq1_slope", "24 dB/oct"),
            ("eq2_on", "on"),
            ("eq2_type", "Bell"),
            ("eq2_freq", "3000"),
            ("eq2_gain", "2"),
            ("eq2_q", "1"),
            ("glue_on", "on"),
            ("glue_thresh", "-24"),
            ("glue_ratio", "4:1"),
            ("glue_attack", "5"),
            ("glue_makeup", "4"),
            ("img_on", "on"),
            ("img_mono", "on"),
            ("img_mono_freq", "150"),
            ("lim_drive", "4"),
        ],
    ),
    (
        "Vinyl-safe",
        "For the cutting lathe: mono below 150 Hz, no sub rumble, tamed sibilant top, moderate level.",
        &[
            ("target", "Custom"),
            ("target_lufs", "-12"),
            ("eq1_on", "on"),
            ("eq1_type", "Low Cut"),
            ("eq1_freq", "25"),
            ("eq1_slope", "12 dB/oct"),
            ("eq2_on", "on"),
            ("eq2_type", "High Shelf"),
            ("eq2_freq", "12000"),
            ("eq2_gain", "-1.5"),
            ("eq2_q", "0.7"),
            ("img_on", "on"),
            ("img_mono", "on"),
            ("img_mono_freq", "150"),
            ("lim_ceiling", "-1"),
            ("lim_drive", "2"),
            ("lim_release", "150"),
        ],
    ),
];

/// The factory presets, in menu order.
pub fn factory_presets() -> Vec<Preset> {
    FACTORY
        .iter()
        .map(|(name, description, values)| {
            let mut params = ChainParams::default();
            for (id, text) in *values {
                params
                    .set_from_text(id, text)
                    .unwrap_or_else(|e| panic!("factory preset '{name}': {e}"));
            }
            Preset {
                name: (*name).to_owned(),
                description: (*description).to_owned(),
                params,
            }
        })
        .collect()
}

/// A factory preset by name (case-insensitive).
pub fn factory_preset(name: &str) -> Option<Preset> {
    factory_presets()
        .into_iter()
        .find(|p| p.name.eq_ignore_ascii_case(name))
}

/// The environment variable that points user presets elsewhere than the platform's config
/// directory (portable installs, tests).
pub const PRESET_DIR_ENV: &str = "LACQUER_PRESET_DIR";

/// User presets: one `.json` file per preset in a folder. File access for the CLI and the
/// plugin's GUI thread, never for the audio thread.
#[derive(Debug, Clone)]
pub struct PresetLibrary {
    dir: PathBuf,
}

impl PresetLibrary {
    /// The library in `dir` (created when the first preset is saved).
    pub fn new(dir: PathBuf) -> Self {
        Self { dir }
    }

    /// The user's library: `$LACQUER_PRESET_DIR`, else `<config_dir>/Lacquer/presets`.
    pub fn user(config_dir: Option<PathBuf>) -> Option<Self> {
        let dir = std::env::var_os(PRESET_DIR_ENV)
            .map(PathBuf::from)
            .or_else(|| Some(config_dir?.join("Lacquer").join("presets")))?;
        Some(Self::new(dir))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Every `.json` file in the library, by file name, each read or with why it could not be.
    pub fn list(&self) -> Vec<(PathBuf, Result<Preset, String>)> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut files: Vec<PathBuf> = entries
            .filter_map(|e| Some(e.ok()?.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        files
            .into_iter()
            .map(|path| {
                let preset = read_preset(&path).map_err(|e| e.to_string());
                (path, preset)
            })
            .collect()
    }

    /// A user preset by name (case-insensitive).
    pub fn find(&self, name: &str) -> Option<Preset> {
        self.list()
            .into_iter()
            .filter_map(|(_, preset)| preset.ok())
            .find(|p| p.name.eq_ignore_ascii_case(name))
    }

    /// Saves `preset` as `<name>.json` (atomically: a temporary file renamed into place).
    pub fn save(&self, preset: &Preset) -> std::io::Result<PathBuf> {
        std::fs::create_dir_all(&self.dir)?;
        let stem: String = preset
            .name
            .chars()
            .map(|c| {
                if c.is_alphanumeric() || c == ' ' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let path = self.dir.join(format!("{}.json", stem.trim()));
        let temporary = path.with_extension("json.tmp");
        std::fs::write(&temporary, preset.to_json())?;
        std::fs::rename(&temporary, &path)?;
        Ok(path)
    }
}

/// Reads a preset file.
pub fn read_preset(path: &Path) -> Result<Preset, PresetError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| PresetError::NotAPreset(format!("{}: {e}", path.display())))?;
    Preset::from_json(&text)
}

/// A preset by factory name, user preset name or file path, in that order.
pub fn resolve_preset(
    name_or_path: &str,
    library: Option<&PresetLibrary>,
) -> Result<Preset, PresetError> {
    if let Some(preset) = factory_preset(name_or_path) {
        return Ok(preset);
    }
    if let Some(preset) = library.and_then(|l| l.find(name_or_path)) {
        return Ok(preset);
    }
    let path = Path::new(name_or_path);
    if path.exists() {
        return read_preset(path);
    }
    let factory: Vec<String> = factory_presets().into_iter().map(|p| p.name).collect();
    Err(PresetError::NotAPreset(format!(
        "no preset or file named '{name_or_path}' (factory presets: {})",
        factory.join(", ")
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn factory_presets_are_valid_and_round_trip_through_json() {
        let presets = factory_presets();
        assert!(presets.len() >= 6);
        for preset in presets {
            let back = Preset::from_json(&preset.to_json()).unwrap();
            assert_eq!(back, preset, "{}", preset.name);
        }
    }

    #[test]
    fn applying_locks_the_output_unless_asked() {
        let broadcast = factory_preset("broadcast r128").unwrap();
        let mut session = ChainParams::default();
        session.set_from_text("lim_ceiling", "-0.5").unwrap();
        session.set_from_text("bypass", "on").unwrap();
        broadcast.apply(&mut session, true);
        assert_eq!(session.limiter.ceiling_dbtp, -0.5);
        assert_eq!(session.target, ChainParams::default().target);
        assert!(session.bypass, "session settings are never a preset's");
        assert!(session.glue.enabled);
        broadcast.apply(&mut session, false);
        assert_eq!(session.target, broadcast.params.target);
        assert_eq!(session.limiter.ceiling_dbtp, -1.0);
    }

    #[test]
    fn user_presets_save_list_and_resolve_by_name_or_path() {
        let dir = std::env::temp_dir().join(format!("lacquer-presets-{}", std::process::id()));
        let library = PresetLibrary::new(dir.clone());
        let mut params = ChainParams::default();
        params.set_from_text("lim_drive", "3.25").unwrap();
        let mine = Preset::capture("My master / v2", "for the album", &params);
        let path = library.save(&mine).unwrap();
        std::fs::write(dir.join("broken.json"), "{").unwrap();
        let listed = library.list();
        assert_eq!(listed.len(), 2);
        assert!(
            listed
                .iter()
                .any(|(_, p)| p.as_ref().is_err_and(|e| e.contains("not a")))
        );
        assert_eq!(
            resolve_preset("my master / V2", Some(&library)).unwrap(),
            mine
        );
        assert_eq!(resolve_preset(path.to_str().unwrap(), None).unwrap(), mine);
        assert!(resolve_preset("Warm glue", None).is_ok());
        let missing = resolve_preset("nothing", Some(&library)).unwrap_err();
        assert!(missing.to_string().contains("Transparent streaming"));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn bad_files_name_the_problem() {
        assert!(matches!(
            Preset::from_json("{"),
            Err(PresetError::NotAPreset(_))
        ));
        assert!(matches!(
            Preset::from_json(r#"{"format":"lacquer-preset","version":9}"#),
            Err(PresetError::TooNew(9))
        ));
        let bad = r#"{"format":"lacquer-preset","params":{"lim_drive":99}}"#;
        assert!(matches!(
            Preset::from_json(bad),
            Err(PresetError::Param(ParamError::OutOfRange { .. }))
        ));
        let unknown = r#"{"format":"lacquer-preset","params":{"nope":1}}"#;
        assert!(matches!(
            Preset::from_json(unknown),
            Err(PresetError::Param(ParamError::UnknownId(_)))
        ));
        let text = r#"{"format":"lacquer-preset","params":{"glue_on":"yes"}}"#;
        assert!(matches!(
            Preset::from_json(text),
            Err(PresetError::BadValue { .. })
        ));
    }
}
