//! The chain's parameters: plain values in physical units ([`ChainParams`]) and the table that
//! describes each one ([`param_table`]) for the plugin, the CLI and presets.
//!
//! The table is the single source of ids, ranges and defaults. A parameter's id is stable
//! forever: saved projects, presets and automation refer to it.

mod dynamics;
mod spec;
mod table;

pub use dynamics::{
    BAND_COUNTS, CROSSOVER_TYPES, CompressorField, GLUE_RATIOS, GlueField, ImagerField,
    LEVEL_DETECTIONS, MultibandField, STEREO_MODES,
};
pub use spec::{ParamError, ParamKind, ParamSpec, Scale, Unit};
pub use table::{
    CHARACTERS, DETECTIONS, DITHER_DEPTHS, DITHER_SHAPES, EQ_MODES, EQ_PHASES, EQ_SLOPES, EQ_TYPES,
    EqField, ParamKey, param_table,
};

use crate::chain::LatencyMode;
use crate::dither::{DitherDepth, DitherParams, DitherShape};
use crate::dynamics::{GlueParams, MultibandParams};
use crate::eq::{BandParams, BandType, ChannelMode, EqParams, PhaseMode};
use crate::limiter::{Character, Detection, LimiterParams};
use crate::stereo::ImagerParams;
use crate::target::LoudnessTarget;

/// Every setting of the mastering chain, in physical units. `Default` is the chain's default
/// sound, taken from the parameter table.
#[derive(Debug, Clone, PartialEq)]
pub struct ChainParams {
    /// Gain before everything else, in dB.
    pub input_trim_db: f64,
    /// Whether the 5 Hz DC-offset filter is in.
    pub dc_filter: bool,
    /// The EQ.
    pub eq: EqParams,
    /// The multiband compressor.
    pub multiband: MultibandParams,
    /// The glue (bus) compressor.
    pub glue: GlueParams,
    /// Stereo width, mono bass and balance.
    pub imager: ImagerParams,
    /// The true-peak limiter.
    pub limiter: LimiterParams,
    /// Gain after the limiter, in dB.
    pub output_trim_db: f64,
    /// Dither to a fixed-point word length: the last stage.
    pub dither: DitherParams,
    /// The delivery target: sets the limiter ceiling (platforms) and the meters' target.
    pub target: LoudnessTarget,
    /// The loudness aimed at with the `Custom` target, LUFS.
    pub target_lufs: f64,
    /// Monitor as the target platform would play the master back (never in renders).
    pub platform_preview: bool,
    /// The input, delayed by the chain's latency, in place of the output.
    pub bypass: bool,
    /// Bypass at the processed output's integrated loudness.
    pub bypass_gain_match: bool,
    /// Lowest latency, or the full lookahead and linear-phase options.
    pub latency_mode: LatencyMode,
}

impl Default for ChainParams {
    fn default() -> Self {
        let mut params = Self::neutral();
        for spec in param_table() {
            params.set(spec.key, spec.default);
        }
        params
    }
}

impl ChainParams {
    /// Reads one parameter as a plain number (choices as their index, toggles as 0 or 1).
    pub fn get(&self, key: ParamKey) -> f64 {
        let toggle = |on: bool| f64::from(u8::from(on));
        let limiter = &self.limiter;
        match key {
            ParamKey::InputTrim => self.input_trim_db,
            ParamKey::DcFilter => toggle(self.dc_filter),
            ParamKey::EqOn => toggle(self.eq.enabled),
            ParamKey::EqPhase => f64::from(u8::from(self.eq.phase == PhaseMode::LinearPhase)),
            ParamKey::EqBand(band, field) => {
                eq_band_value(&self.eq.bands[usize::from(band)], field)
            }
            ParamKey::Multiband(field) => dynamics::multiband_value(&self.multiband, field),
            ParamKey::MultibandBand(band, field) => {
                dynamics::compressor_value(&self.multiband.band[usize::from(band)], field)
            }
            ParamKey::Glue(field) => dynamics::glue_value(&self.glue, field),
            ParamKey::Imager(field) => dynamics::imager_value(&self.imager, field),
            ParamKey::LimiterOn => toggle(limiter.enabled),
            ParamKey::LimiterCeiling => limiter.ceiling_dbtp,
            ParamKey::LimiterDrive => limiter.drive_db,
            ParamKey::LimiterLookahead => limiter.lookahead_ms,
            ParamKey::LimiterRelease => limiter.release_ms,
            ParamKey::LimiterAutoRelease => toggle(limiter.auto_release),
            ParamKey::LimiterLink => limiter.link_pct,
            ParamKey::LimiterCharacter => character_index(limiter.character) as f64,
            ParamKey::LimiterDetection => detection_index(limiter.detection) as f64,
            ParamKey::LimiterDelta => toggle(limiter.delta),
            ParamKey::LimiterUnityGain => toggle(limiter.unity_gain),
            ParamKey::OutputTrim => self.output_trim_db,
            ParamKey::DitherDepth => dynamics::index_in(&DITHER_DEPTH_ORDER, &self.dither.depth),
            ParamKey::DitherShape => dynamics::index_in(&DITHER_SHAPE_ORDER, &self.dither.shape),
            ParamKey::Bypass => toggle(self.bypass),
            ParamKey::BypassGainMatch => toggle(self.bypass_gain_match),
            ParamKey::LatencyMode => dynamics::index_in(&LatencyMode::ALL, &self.latency_mode),
            ParamKey::Target => dynamics::index_in(&LoudnessTarget::ALL, &self.target),
            ParamKey::TargetLufs => self.target_lufs,
            ParamKey::PlatformPreview => toggle(self.platform_preview),
        }
    }

    /// Sets one parameter from a plain number (choices as their index, toggles as 0 or 1).
    /// Callers clamp with [`ParamSpec::clamp`]; this stores what it is given.
    pub fn set(&mut self, key: ParamKey, value: f64) {
        let on = value >= 0.5;
        let index = value.round().max(0.0) as usize;
        let limiter = &mut self.limiter;
        match key {
            ParamKey::InputTrim => self.input_trim_db = value,
            ParamKey::DcFilter => self.dc_filter = on,
            ParamKey::EqOn => self.eq.enabled = on,
            ParamKey::EqPhase => {
                self.eq.phase = if on {
                    PhaseMode::LinearPhase
                } else {
                    PhaseMode::ZeroLatency
                }
            }
            ParamKey::EqBand(band, field) => {
                set_eq_band(&mut self.eq.bands[usize::from(band)], field, value)
            }
            ParamKey::Multiband(field) => {
                dynamics::set_multiband(&mut self.multiband, field, value)
            }
            ParamKey::MultibandBand(band, field) => {
                dynamics::set_compressor(&mut self.multiband.band[usize::from(band)], field, value)
            }
            ParamKey::Glue(field) => dynamics::set_glue(&mut self.glue, field, value),
            ParamKey::Imager(field) => dynamics::set_imager(&mut self.imager, field, value),
            ParamKey::LimiterOn => limiter.enabled = on,
            ParamKey::LimiterCeiling => limiter.ceiling_dbtp = value,
            ParamKey::LimiterDrive => limiter.drive_db = value,
            ParamKey::LimiterLookahead => limiter.lookahead_ms = value,
            ParamKey::LimiterRelease => limiter.release_ms = value,
            ParamKey::LimiterAutoRelease => limiter.auto_release = on,
            ParamKey::LimiterLink => limiter.link_pct = value,
            ParamKey::LimiterCharacter => limiter.character = character_at(index),
            ParamKey::LimiterDetection => limiter.detection = detection_at(index),
            ParamKey::LimiterDelta => limiter.delta = on,
            ParamKey::LimiterUnityGain => limiter.unity_gain = on,
            ParamKey::OutputTrim => self.output_trim_db = value,
            ParamKey::DitherDepth => self.dither.depth = dynamics::at(&DITHER_DEPTH_ORDER, value),
            ParamKey::DitherShape => self.dither.shape = dynamics::at(&DITHER_SHAPE_ORDER, value),
            ParamKey::Bypass => self.bypass = on,
            ParamKey::BypassGainMatch => self.bypass_gain_match = on,
            ParamKey::LatencyMode => self.latency_mode = dynamics::at(&LatencyMode::ALL, value),
            ParamKey::Target => self.target = dynamics::at(&LoudnessTarget::ALL, value),
            ParamKey::TargetLufs => self.target_lufs = value,
            ParamKey::PlatformPreview => self.platform_preview = on,
        }
    }

    /// Sets a parameter by id from text as a user would type it (`-1.5`, `on`, a choice name).
    pub fn set_from_text(&mut self, id: &str, text: &str) -> Result<(), ParamError> {
        let spec = ParamSpec::find(id)?;
        self.set(spec.key, spec.parse(text)?);
        Ok(())
    }

    /// A neutral chain: every module set so the output equals the input (delayed by the
    /// chain's latency).
    pub fn neutral() -> Self {
        Self {
            input_trim_db: 0.0,
            dc_filter: false,
            eq: EqParams::default(),
            multiband: MultibandParams::default(),
            glue: GlueParams::default(),
            imager: ImagerParams::default(),
            limiter: LimiterParams {
                enabled: false,
                ..LimiterParams::default()
            },
            output_trim_db: 0.0,
            dither: DitherParams::default(),
            target: LoudnessTarget::Custom,
            target_lufs: -14.0,
            platform_preview: false,
            bypass: false,
            bypass_gain_match: false,
            latency_mode: LatencyMode::Master,
        }
    }

    /// The settings the modules run with: the latency mode's limits and the target's ceiling
    /// applied. Does not allocate.
    pub fn effective_into(&self, effective: &mut ChainParams) {
        effective.clone_from(self);
        if let Some(ceiling) = self.target.ceiling_dbtp() {
            effective.limiter.ceiling_dbtp = ceiling;
        }
        self.latency_mode.limit(effective);
    }

    /// What the selected target asks for.
    pub fn target_spec(&self) -> crate::target::TargetSpec {
        self.target
            .spec(self.target_lufs, self.limiter.ceiling_dbtp)
    }
}

/// The dither's choices by index, in the order of [`DITHER_DEPTHS`] and [`DITHER_SHAPES`].
const DITHER_DEPTH_ORDER: [DitherDepth; 4] = [
    DitherDepth::Off,
    DitherDepth::Bits24,
    DitherDepth::Bits20,
    DitherDepth::Bits16,
];
const DITHER_SHAPE_ORDER: [DitherShape; 2] = [DitherShape::Flat, DitherShape::Shaped];

/// One EQ band setting as a plain number (choices as their index).
fn eq_band_value(band: &BandParams, field: EqField) -> f64 {
    let index_of = |i: Option<usize>| i.unwrap_or(0) as f64;
    match field {
        EqField::On => f64::from(u8::from(band.enabled)),
        EqField::Type => index_of(BandType::ALL.iter().position(|&t| t == band.band_type)),
        EqField::Freq => band.freq_hz,
        EqField::Gain => band.gain_db,
        EqField::Q => band.q,
        EqField::Slope => f64::from(band.slope_db_per_oct / 6) - 1.0,
        EqField::Mode => index_of(ChannelMode::ALL.iter().position(|&m| m == band.mode)),
    }
}

fn set_eq_band(band: &mut BandParams, field: EqField, value: f64) {
    let index = value.round().max(0.0) as usize;
    match field {
        EqField::On => band.enabled = value >= 0.5,
        EqField::Type => band.band_type = BandType::ALL[index.min(BandType::ALL.len() - 1)],
        EqField::Freq => band.freq_hz = value,
        EqField::Gain => band.gain_db = value,
        EqField::Q => band.q = value,
        EqField::Slope => band.slope_db_per_oct = 6 * (index.min(7) as u32 + 1),
        EqField::Mode => band.mode = ChannelMode::ALL[index.min(ChannelMode::ALL.len() - 1)],
    }
}

/// The limiter's choices by index, in the order of [`CHARACTERS`] and [`DETECTIONS`].
fn character_at(index: usize) -> Character {
    [Character::Transparent, Character::Fast][index.min(1)]
}

fn character_index(character: Character) -> usize {
    match character {
        Character::Transparent => 0,
        Character::Fast => 1,
    }
}

fn detection_at(index: usize) -> Detection {
    match index {
        0 => Detection::Auto,
        1..=4 => Detection::Oversampled(1 << index),
        _ => Detection::SamplePeak,
    }
}

fn detection_index(detection: Detection) -> usize {
    match detection {
        Detection::Auto => 0,
        Detection::Oversampled(positions) => {
            positions.clamp(2, 16).next_power_of_two().trailing_zeros() as usize
        }
        Detection::SamplePeak => 5,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_entry_round_trips_through_chain_params() {
        let mut params = ChainParams::default();
        for spec in param_table() {
            let value = match spec.kind {
                ParamKind::Float { min, max, .. } => min + (max - min) * 0.37,
                ParamKind::Choice(choices) => (choices.len() - 1) as f64,
                ParamKind::Toggle => 1.0 - spec.default,
            };
            params.set(spec.key, value);
            assert_eq!(params.get(spec.key), value, "{}", spec.id);
        }
    }

    #[test]
    fn defaults_come_from_the_table() {
        let params = ChainParams::default();
        for spec in param_table() {
            assert_eq!(params.get(spec.key), spec.default, "{}", spec.id);
        }
    }

    #[test]
    fn set_from_text_names_the_problem() {
        let mut params = ChainParams::default();
        params.set_from_text("out_trim", "-2.5").unwrap();
        assert_eq!(params.output_trim_db, -2.5);
        params.set_from_text("dc_filter", "off").unwrap();
        assert!(!params.dc_filter);
        assert!(matches!(
            params.set_from_text("nope", "1"),
            Err(ParamError::UnknownId(id)) if id == "nope"
        ));
        assert!(matches!(
            params.set_from_text("out_trim", "loud"),
            Err(ParamError::BadValue { .. })
        ));
        assert!(matches!(
            params.set_from_text("out_trim", "99"),
            Err(ParamError::OutOfRange { .. })
        ));
    }
}
