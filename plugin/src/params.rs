//! The plugin's parameters: one host parameter per entry of the DSP parameter table, and the
//! single mapping from host values into [`ChainParams`].

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use lacquer_dsp::ChainParams;
use lacquer_dsp::params::{ParamKind, ParamSpec, Scale, Unit, param_table};
use lacquer_dsp::preset::Preset;
use nice_plug::prelude::*;

/// How strongly log-scaled parameters (frequencies, times) are skewed towards their low end.
const LOG_SKEW: f32 = -2.0;

/// A host parameter of whichever type the table entry needs.
enum HostParam {
    Float(FloatParam),
    Choice(IntParam),
    Toggle(BoolParam),
}

impl HostParam {
    /// Builds the host parameter for a table entry; display and parsing come from the table so
    /// hosts, the editor and the CLI show the same text.
    fn new(spec: &'static ParamSpec) -> Self {
        let name = spec.name.clone();
        match spec.kind {
            ParamKind::Float { min, max, scale } => {
                let (min, max) = (min as f32, max as f32);
                let range = match scale {
                    Scale::Linear => FloatRange::Linear { min, max },
                    Scale::Log => FloatRange::Skewed {
                        min,
                        max,
                        factor: FloatRange::skew_factor(LOG_SKEW),
                    },
                };
                HostParam::Float(
                    FloatParam::new(name, spec.default as f32, range)
                        .with_unit(host_unit(spec))
                        .with_value_to_string(Arc::new(move |v| plain_text(spec, v as f64)))
                        .with_string_to_value(Arc::new(move |s| {
                            spec.parse(s).ok().map(|v| v as f32)
                        })),
                )
            }
            ParamKind::Choice(choices) => HostParam::Choice(
                IntParam::new(
                    name,
                    spec.default as i32,
                    IntRange::Linear {
                        min: 0,
                        max: choices.len() as i32 - 1,
                    },
                )
                .with_value_to_string(Arc::new(move |v| spec.format(v as f64)))
                .with_string_to_value(Arc::new(move |s| spec.parse(s).ok().map(|v| v as i32))),
            ),
            ParamKind::Toggle => HostParam::Toggle(
                BoolParam::new(name, spec.default >= 0.5)
                    .with_value_to_string(Arc::new(move |v| spec.format(f64::from(u8::from(v)))))
                    .with_string_to_value(Arc::new(move |s| spec.parse(s).ok().map(|v| v >= 0.5))),
            ),
        }
    }

    /// The current plain value (choices as index, toggles as 0/1).
    fn plain_value(&self) -> f64 {
        match self {
            HostParam::Float(p) => five_significant_digits(f64::from(p.value())),
            HostParam::Choice(p) => f64::from(p.value()),
            HostParam::Toggle(p) => f64::from(u8::from(p.value())),
        }
    }

    fn as_ptr(&self) -> ParamPtr {
        match self {
            HostParam::Float(p) => p.as_ptr(),
            HostParam::Choice(p) => p.as_ptr(),
            HostParam::Toggle(p) => p.as_ptr(),
        }
    }
}

/// Hosts carry values as normalised f32, so 2 dB arrives as 2.0000002 dB and 12 kHz as
/// 11999.99 Hz (log-skewed ranges magnify the f32 step). Rounding to five significant digits
/// (finer than the four the controls show and type) gives back the value the engineer set, so
/// a session renders bit-identically to `lacquer render` with the same settings.
fn five_significant_digits(value: f64) -> f64 {
    if value == 0.0 || !value.is_finite() {
        return value;
    }
    let scale = 10f64.powi(4 - value.abs().log10().floor() as i32);
    (value * scale).round() / scale
}

/// The unit hosts append to the value text. Frequencies carry their own (`120.0 Hz`,
/// `1.20 kHz`): a fixed suffix would read `1.20 kHz Hz`.
fn host_unit(spec: &ParamSpec) -> &'static str {
    match spec.unit {
        Unit::Hz => "",
        unit => unit.suffix(),
    }
}

/// The value text without the unit hosts append themselves.
fn plain_text(spec: &ParamSpec, value: f64) -> String {
    let text = spec.format(value);
    text.strip_suffix(host_unit(spec))
        .map(str::to_owned)
        .unwrap_or(text)
}

/// Keys of the editor's settings in the plugin state.
const METER_RESET_ON_PLAY_KEY: &str = "meter_reset_on_play";
const STATE_VERSION_KEY: &str = "state_version";
const AB_ACTIVE_KEY: &str = "ab_active";
const AB_OTHER_KEY: &str = "ab_other";
/// The version of the state this build writes. 1: parameters and the meter setting (before
/// targets, bypass and latency modes: those load at their defaults, which keep the old sound);
/// 2: adds the A/B snapshot.
pub const STATE_VERSION: u32 = 2;

/// Which of the two settings snapshots is playing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AbSlot {
    #[default]
    A,
    B,
}

impl AbSlot {
    pub fn other(self) -> Self {
        match self {
            AbSlot::A => AbSlot::B,
            AbSlot::B => AbSlot::A,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            AbSlot::A => "A",
            AbSlot::B => "B",
        }
    }
}

/// Settings A/B: the playing slot lives in the host parameters; the other is held here.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AbSnapshots {
    pub active: AbSlot,
    /// The slot not playing; `None` until first switched or copied (then it equals the other).
    pub held: Option<ChainParams>,
}

/// All of Lacquer's host parameters, in the order of the DSP parameter table, and the
/// editor's settings saved with them.
pub struct LacquerParams {
    entries: Vec<(&'static ParamSpec, HostParam)>,
    /// Restart the meters (integrated loudness, maxima) when the host transport starts.
    /// A monitoring preference: saved with the session, not automatable.
    meter_reset_on_play: AtomicBool,
    /// Settings A/B (editor thread and state saving only; never the audio thread).
    ab: Mutex<AbSnapshots>,
    /// What was wrong with the last state loaded, for the editor to show.
    state_problem: Mutex<Option<String>>,
}

impl Default for LacquerParams {
    fn default() -> Self {
        Self {
            entries: param_table()
                .iter()
                .map(|spec| (spec, HostParam::new(spec)))
                .collect(),
            meter_reset_on_play: AtomicBool::new(true),
            ab: Mutex::default(),
            state_problem: Mutex::default(),
        }
    }
}

impl LacquerParams {
    /// Copies every host value into `chain` (the one place host values meet DSP settings).
    /// Does not allocate.
    pub fn write_chain_params(&self, chain: &mut ChainParams) {
        for (spec, param) in &self.entries {
            chain.set(spec.key, param.plain_value());
        }
    }

    /// The host parameter for a table id, for the editor.
    pub fn ptr(&self, id: &str) -> Option<ParamPtr> {
        self.entries
            .iter()
            .find(|(spec, _)| spec.id == id)
            .map(|(_, param)| param.as_ptr())
    }

    /// Whether the meters restart when the transport starts.
    pub fn meter_reset_on_play(&self) -> bool {
        self.meter_reset_on_play.load(Ordering::Relaxed)
    }

    /// Changes whether the meters restart when the transport starts.
    pub fn set_meter_reset_on_play(&self, enabled: bool) {
        self.meter_reset_on_play.store(enabled, Ordering::Relaxed);
    }

    /// The A/B snapshots.
    pub fn ab(&self) -> AbSnapshots {
        self.ab.lock().map(|ab| ab.clone()).unwrap_or_default()
    }

    /// Replaces the A/B snapshots (the editor switches or copies).
    pub fn set_ab(&self, snapshots: AbSnapshots) {
        if let Ok(mut ab) = self.ab.lock() {
            *ab = snapshots;
        }
    }

    /// What was wrong with the last state loaded, if anything.
    pub fn state_problem(&self) -> Option<String> {
        self.state_problem.lock().ok()?.clone()
    }

    /// The current host values as chain parameters.
    pub fn chain_params(&self) -> ChainParams {
        let mut chain = ChainParams::default();
        self.write_chain_params(&mut chain);
        chain
    }

    /// Table entries with their host parameters, in signal order.
    pub fn entries(&self) -> impl Iterator<Item = (&'static ParamSpec, ParamPtr)> + '_ {
        self.entries
            .iter()
            .map(|(spec, param)| (*spec, param.as_ptr()))
    }
}

// SAFETY: every `ParamPtr` points into `entries`, which is never resized after construction
// and lives as long as `self` (the plugin keeps it in an `Arc`).
unsafe impl Params for LacquerParams {
    fn param_map(&self) -> Vec<(String, ParamPtr, String)> {
        self.entries
            .iter()
            .map(|(spec, param)| (spec.id.clone(), param.as_ptr(), spec.group.clone()))
            .collect()
    }

    fn serialize_fields(&self) -> BTreeMap<String, String> {
        let ab = self.ab();
        let mut fields = BTreeMap::from([
            (
                METER_RESET_ON_PLAY_KEY.to_owned(),
                self.meter_reset_on_play().to_string(),
            ),
            (STATE_VERSION_KEY.to_owned(), STATE_VERSION.to_string()),
            (AB_ACTIVE_KEY.to_owned(), ab.active.name().to_owned()),
        ]);
        if let Some(held) = &ab.held {
            let snapshot = Preset::capture(ab.active.other().name(), "A/B snapshot", held);
            fields.insert(AB_OTHER_KEY.to_owned(), snapshot.to_json());
        }
        fields
    }

    /// Missing or unreadable fields keep their defaults (old and foreign states load); what
    /// could not be read is reported to the editor.
    fn deserialize_fields(&self, serialized: &BTreeMap<String, String>) {
        let mut problems = Vec::new();
        let version = match serialized.get(STATE_VERSION_KEY).map(|v| v.parse::<u32>()) {
            None => 1,
            Some(Ok(version)) => version,
            Some(Err(_)) => {
                problems.push("unreadable state version".to_owned());
                STATE_VERSION
            }
        };
        if version > STATE_VERSION {
            problems.push(format!(
                "saved by a newer Lacquer (state version {version}); settings this version does \
                 not know were left out"
            ));
        }
        if let Some(Ok(enabled)) = serialized.get(METER_RESET_ON_PLAY_KEY).map(|v| v.parse()) {
            self.set_meter_reset_on_play(enabled);
        }
        let active = match serialized.get(AB_ACTIVE_KEY).map(String::as_str) {
            Some("B") => AbSlot::B,
            _ => AbSlot::A,
        };
        let held = serialized
            .get(AB_OTHER_KEY)
            .and_then(|json| match Preset::from_json(json) {
                Ok(snapshot) => Some(snapshot.params),
                Err(error) => {
                    problems.push(format!("A/B snapshot {}: {error}", active.other().name()));
                    None
                }
            });
        self.set_ab(AbSnapshots { active, held });
        if let Ok(mut slot) = self.state_problem.lock() {
            *slot = (!problems.is_empty()).then(|| problems.join("; "));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_entry_is_a_host_parameter_with_its_range_and_default() {
        let params = LacquerParams::default();
        let map = params.param_map();
        assert_eq!(map.len(), param_table().len());
        for ((id, ptr, group), spec) in map.iter().zip(param_table()) {
            assert_eq!(id, &spec.id);
            assert_eq!(group, &spec.group);
            // SAFETY: `params` is alive for the whole test.
            unsafe {
                assert_eq!(ptr.name(), spec.name);
                let (min, max) = spec.range();
                let plain = |normalized: f32| f64::from(ptr.preview_plain(normalized));
                assert!((plain(0.0) - min).abs() < 1e-4, "{id} min");
                assert!((plain(1.0) - max).abs() < 1e-3, "{id} max");
                // f32 normalised values: relative precision.
                let default = plain(ptr.default_normalized_value());
                let tolerance = 1e-4 * spec.default.abs().max(1.0);
                assert!((default - spec.default).abs() < tolerance, "{id} default");
            }
        }
    }

    #[test]
    fn meter_setting_survives_serialisation_and_ignores_garbage() {
        let params = LacquerParams::default();
        params.set_meter_reset_on_play(false);
        let saved = params.serialize_fields();
        let restored = LacquerParams::default();
        restored.deserialize_fields(&saved);
        assert!(!restored.meter_reset_on_play());
        restored.deserialize_fields(&BTreeMap::from([(
            METER_RESET_ON_PLAY_KEY.to_owned(),
            "maybe".to_owned(),
        )]));
        assert!(!restored.meter_reset_on_play());
    }

    #[test]
    fn ab_snapshot_and_state_version_survive_serialisation() {
        let params = LacquerParams::default();
        let mut held = ChainParams::default();
        held.set_from_text("glue_on", "on").unwrap();
        held.set_from_text("target", "Tidal").unwrap();
        params.set_ab(AbSnapshots {
            active: AbSlot::B,
            held: Some(held.clone()),
        });
        let saved = params.serialize_fields();
        assert_eq!(saved[STATE_VERSION_KEY], STATE_VERSION.to_string());
        let restored = LacquerParams::default();
        restored.deserialize_fields(&saved);
        assert_eq!(restored.ab(), params.ab());
        assert_eq!(restored.state_problem(), None);
    }

    #[test]
    fn old_states_load_quietly_and_newer_or_damaged_ones_are_reported() {
        let restored = LacquerParams::default();
        // Version 1 had no version field and no A/B.
        restored.deserialize_fields(&BTreeMap::from([(
            METER_RESET_ON_PLAY_KEY.to_owned(),
            "false".to_owned(),
        )]));
        assert_eq!(restored.state_problem(), None);
        assert!(!restored.meter_reset_on_play());
        assert_eq!(restored.ab(), AbSnapshots::default());

        restored.deserialize_fields(&BTreeMap::from([
            (STATE_VERSION_KEY.to_owned(), "9".to_owned()),
            (AB_OTHER_KEY.to_owned(), "{broken".to_owned()),
        ]));
        let problem = restored.state_problem().unwrap();
        assert!(
            problem.contains("newer Lacquer (state version 9)"),
            "{problem}"
        );
        assert!(problem.contains("A/B snapshot B"), "{problem}");
        assert_eq!(restored.ab().held, None);
    }

    #[test]
    fn host_values_come_back_as_typed() {
        assert_eq!(five_significant_digits(2.000_000_2), 2.0);
        assert_eq!(five_significant_digits(11_999.94), 12_000.0);
        assert_eq!(five_significant_digits(1_234.5), 1_234.5);
        assert_eq!(five_significant_digits(0.699_999_99), 0.7);
        assert_eq!(five_significant_digits(-14.000_001), -14.0);
        assert_eq!(five_significant_digits(0.0), 0.0);
    }

    #[test]
    fn host_values_map_into_chain_params() {
        let params = LacquerParams::default();
        let mut chain = ChainParams::neutral();
        params.write_chain_params(&mut chain);
        assert_eq!(chain, ChainParams::default());
    }

    #[test]
    fn host_text_round_trips_through_the_table_formatting() {
        let params = LacquerParams::default();
        for (spec, ptr) in params.entries() {
            // SAFETY: `params` is alive for the whole test.
            unsafe {
                let text = ptr.normalized_value_to_string(0.25, true);
                let back = ptr.string_to_normalized_value(&text).expect(&text);
                let again = ptr.normalized_value_to_string(back, true);
                assert_eq!(text, again, "{}", spec.id);
            }
        }
    }
}
