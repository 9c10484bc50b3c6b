//! Parameters of the multiband compressor, the glue compressor and the imager: their table
//! entries and how each maps onto the modules' settings.

use super::spec::{ParamSpec, Scale, Unit};
use super::table::{ParamKey, choice, float, toggle};
use crate::dynamics::{
    self, ATTACK_MAX_MS, ATTACK_MIN_MS, Detection, GLUE_ATTACK_MAX_MS, GLUE_ATTACK_MIN_MS,
    GLUE_RELEASE_MAX_MS, GLUE_RELEASE_MIN_MS, GlueParams, GlueRatio, KNEE_MAX_DB, MAX_LOOKAHEAD_MS,
    MultibandParams, RATIO_MAX, RATIO_MIN, RELEASE_MAX_MS, RELEASE_MIN_MS, SIDECHAIN_HP_MAX_HZ,
    SIDECHAIN_HP_MIN_HZ, StereoMode,
};
use crate::filter::crossover::{MAX_BANDS, MAX_CROSSOVERS};
use crate::stereo::{ImagerParams, MONO_BASS_MAX_HZ, MONO_BASS_MIN_HZ, WIDTH_MAX_PCT};

/// A multiband compressor setting shared by all bands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MultibandField {
    On,
    Bands,
    /// Crossover frequency (0-based, low to high).
    Crossover(u8),
    LinearPhase,
    Lookahead,
    Mode,
}

/// One setting of one multiband compressor band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CompressorField {
    Threshold,
    Ratio,
    Knee,
    Attack,
    Release,
    AutoRelease,
    Makeup,
    Detection,
    Solo,
    Bypass,
}

/// One setting of the glue compressor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GlueField {
    On,
    Threshold,
    Ratio,
    Attack,
    Release,
    AutoRelease,
    Makeup,
    Mix,
    SidechainHighpass,
}

/// One setting of the imager.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImagerField {
    On,
    Bands,
    Crossover(u8),
    LinearPhase,
    /// Width of one band (0-based).
    Width(u8),
    MonoBass,
    MonoBassFreq,
    Balance,
}

/// Band counts, crossover types, stereo modes, detections and glue ratios, in index order.
pub const BAND_COUNTS: &[&str] = &["1", "2", "3", "4"];
pub const CROSSOVER_TYPES: &[&str] = &["Minimum Phase", "Linear Phase"];
pub const STEREO_MODES: &[&str] = &["Stereo", "Linked", "Mid/Side"];
pub const LEVEL_DETECTIONS: &[&str] = &["Peak", "RMS"];
pub const GLUE_RATIOS: &[&str] = &["1.5:1", "2:1", "4:1", "10:1"];

const STEREO_MODE_ORDER: [StereoMode; 3] =
    [StereoMode::Stereo, StereoMode::Linked, StereoMode::MidSide];
const DETECTION_ORDER: [Detection; 2] = [Detection::Peak, Detection::Rms];
const GLUE_RATIO_ORDER: [GlueRatio; 4] = [
    GlueRatio::R1_5,
    GlueRatio::R2,
    GlueRatio::R4,
    GlueRatio::R10,
];
const CROSSOVER_RANGE: (f64, f64, Scale) = (20.0, 20_000.0, Scale::Log);

/// A choice's index in `order` (the first when absent).
pub(super) fn index_in<T: PartialEq>(order: &[T], value: &T) -> f64 {
    order.iter().position(|v| v == value).unwrap_or(0) as f64
}

/// The choice `value` indexes in `order`, clamped to it.
pub(super) fn at<T: Copy>(order: &[T], value: f64) -> T {
    order[(value.round().max(0.0) as usize).min(order.len() - 1)]
}

fn toggle_value(on: bool) -> f64 {
    f64::from(u8::from(on))
}

fn with_default(spec: ParamSpec, default: f64) -> ParamSpec {
    ParamSpec { default, ..spec }
}

/// The band count as a choice index (1 band is index 0).
fn band_count_index(bands: usize) -> f64 {
    (bands.clamp(1, MAX_BANDS) - 1) as f64
}

/// The crossover parameters of a band-splitting module, ids `{prefix}_xover1..3`.
fn crossovers(
    prefix: &str,
    group: &str,
    name: &str,
    key: impl Fn(u8) -> ParamKey,
    defaults: [f64; MAX_CROSSOVERS],
) -> Vec<ParamSpec> {
    (0..MAX_CROSSOVERS)
        .map(|i| {
            float(
                &format!("{prefix}_xover{}", i + 1),
                key(i as u8),
                group,
                &format!("{name} Crossover {}", i + 1),
                Unit::Hz,
                CROSSOVER_RANGE,
                defaults[i],
            )
        })
        .collect()
}

/// The multiband compressor's parameters: shared settings, then each band's.
pub(super) fn multiband_specs() -> Vec<ParamSpec> {
    use MultibandField as F;
    let defaults = MultibandParams::default();
    let key = ParamKey::Multiband;
    let group = "Multiband";
    let mut specs = vec![
        toggle("mb_on", key(F::On), group, "Multiband", defaults.enabled),
        with_default(
            choice("mb_bands", key(F::Bands), group, "MB Bands", BAND_COUNTS),
            band_count_index(defaults.bands),
        ),
    ];
    specs.extend(crossovers(
        "mb",
        group,
        "MB",
        |i| key(F::Crossover(i)),
        defaults.crossovers_hz,
    ));
    specs.extend([
        with_default(
            choice(
                "mb_xover_type",
                key(F::LinearPhase),
                group,
                "MB Crossover Type",
                CROSSOVER_TYPES,
            ),
            toggle_value(defaults.linear_phase),
        ),
        float(
            "mb_lookahead",
            key(F::Lookahead),
            group,
            "MB Lookahead",
            Unit::Ms,
            (0.0, MAX_LOOKAHEAD_MS, Scale::Linear),
            defaults.lookahead_ms,
        ),
        with_default(
            choice(
                "mb_mode",
                key(F::Mode),
                group,
                "MB Stereo Mode",
                STEREO_MODES,
            ),
            index_in(&STEREO_MODE_ORDER, &defaults.mode),
        ),
    ]);
    specs.extend((0..MAX_BANDS).flat_map(|band| multiband_band(band, &defaults)));
    specs
}

fn multiband_band(band: usize, defaults: &MultibandParams) -> Vec<ParamSpec> {
    use CompressorField as F;
    let d = defaults.band[band];
    let n = band + 1;
    let key = |field| ParamKey::MultibandBand(band as u8, field);
    let group = format!("Multiband Band {n}");
    let id = |name: &str| format!("mb{n}_{name}");
    let name = |name: &str| format!("MB{n} {name}");
    vec![
        float(
            &id("thresh"),
            key(F::Threshold),
            &group,
            &name("Threshold"),
            Unit::Db,
            (-60.0, 0.0, Scale::Linear),
            d.threshold_db,
        ),
        float(
            &id("ratio"),
            key(F::Ratio),
            &group,
            &name("Ratio"),
            Unit::Ratio,
            (RATIO_MIN, RATIO_MAX, Scale::Log),
            d.ratio,
        ),
        float(
            &id("knee"),
            key(F::Knee),
            &group,
            &name("Knee"),
            Unit::Db,
            (0.0, KNEE_MAX_DB, Scale::Linear),
            d.knee_db,
        ),
        float(
            &id("attack"),
            key(F::Attack),
            &group,
            &name("Attack"),
            Unit::Ms,
            (ATTACK_MIN_MS, ATTACK_MAX_MS, Scale::Log),
            d.attack_ms,
        ),
        float(
            &id("release"),
            key(F::Release),
            &group,
            &name("Release"),
            Unit::Ms,
            (RELEASE_MIN_MS, RELEASE_MAX_MS, Scale::Log),
            d.release_ms,
        ),
        toggle(
            &id("auto_rel"),
            key(F::AutoRelease),
            &group,
            &name("Auto Release"),
            d.auto_release,
        ),
        float(
            &id("makeup"),
            key(F::Makeup),
            &group,
            &name("Makeup"),
            Unit::Db,
            (-24.0, 24.0, Scale::Linear),
            d.makeup_db,
        ),
        with_default(
            choice(
                &id("detect"),
                key(F::Detection),
                &group,
                &name("Detection"),
                LEVEL_DETECTIONS,
            ),
            index_in(&DETECTION_ORDER, &d.detection),
        ),
        toggle(&id("solo"), key(F::Solo), &group, &name("Solo"), d.solo),
        toggle(
            &id("bypass"),
            key(F::Bypass),
            &group,
            &name("Bypass"),
            d.bypass,
        ),
    ]
}

/// The glue compressor's parameters.
pub(super) fn glue_specs() -> Vec<ParamSpec> {
    use GlueField as F;
    let d = GlueParams::default();
    let key = ParamKey::Glue;
    let group = "Glue";
    vec![
        toggle("glue_on", key(F::On), group, "Glue", d.enabled),
        float(
            "glue_thresh",
            key(F::Threshold),
            group,
            "Glue Threshold",
            Unit::Db,
            (-60.0, 0.0, Scale::Linear),
            d.threshold_db,
        ),
        with_default(
            choice(
                "glue_ratio",
                key(F::Ratio),
                group,
                "Glue Ratio",
                GLUE_RATIOS,
            ),
            index_in(&GLUE_RATIO_ORDER, &d.ratio),
        ),
        float(
            "glue_attack",
            key(F::Attack),
            group,
            "Glue Attack",
            Unit::Ms,
            (GLUE_ATTACK_MIN_MS, GLUE_ATTACK_MAX_MS, Scale::Log),
            d.attack_ms,
        ),
        float(
            "glue_release",
            key(F::Release),
            group,
            "Glue Release",
            Unit::Ms,
            (GLUE_RELEASE_MIN_MS, GLUE_RELEASE_MAX_MS, Scale::Log),
            d.release_ms,
        ),
        toggle(
            "glue_auto_rel",
            key(F::AutoRelease),
            group,
            "Glue Auto Release",
            d.auto_release,
        ),
        float(
            "glue_makeup",
            key(F::Makeup),
            group,
            "Glue Makeup",
            Unit::Db,
            (0.0, 24.0, Scale::Linear),
            d.makeup_db,
        ),
        float(
            "glue_mix",
            key(F::Mix),
            group,
            "Glue Mix",
            Unit::Percent,
            (0.0, 100.0, Scale::Linear),
            d.mix_pct,
        ),
        float(
            "glue_sc_hp",
            key(F::SidechainHighpass),
            group,
            "Glue Sidechain HP",
            Unit::Hz,
            (SIDECHAIN_HP_MIN_HZ, SIDECHAIN_HP_MAX_HZ, Scale::Log),
            d.sidechain_hp_hz,
        ),
    ]
}

/// The imager's parameters.
pub(super) fn imager_specs() -> Vec<ParamSpec> {
    use ImagerField as F;
    let d = ImagerParams::default();
    let key = ParamKey::Imager;
    let group = "Imager";
    let mut specs = vec![
        toggle("img_on", key(F::On), group, "Imager", d.enabled),
        with_default(
            choice(
                "img_bands",
                key(F::Bands),
                group,
                "Imager Bands",
                BAND_COUNTS,
            ),
            band_count_index(d.bands),
        ),
    ];
    specs.extend(crossovers(
        "img",
        group,
        "Imager",
        |i| key(F::Crossover(i)),
        d.crossovers_hz,
    ));
    specs.push(with_default(
        choice(
            "img_xover_type",
            key(F::LinearPhase),
            group,
            "Imager Crossover Type",
            CROSSOVER_TYPES,
        ),
        toggle_value(d.linear_phase),
    ));
    specs.extend((0..MAX_BANDS).map(|band| {
        float(
            &format!("img_width{}", band + 1),
            key(F::Width(band as u8)),
            group,
            &format!("Width {}", band + 1),
            Unit::Percent,
            (0.0, WIDTH_MAX_PCT, Scale::Linear),
            d.width_pct[band],
        )
    }));
    specs.extend([
        toggle(
            "img_mono",
            key(F::MonoBass),
            group,
            "Mono Bass",
            d.mono_bass,
        ),
        float(
            "img_mono_freq",
            key(F::MonoBassFreq),
            group,
            "Mono Bass Freq",
            Unit::Hz,
            (MONO_BASS_MIN_HZ, MONO_BASS_MAX_HZ, Scale::Log),
            d.mono_bass_hz,
        ),
        float(
            "img_balance",
            key(F::Balance),
            group,
            "Balance",
            Unit::Percent,
            (-100.0, 100.0, Scale::Linear),
            d.balance_pct,
        ),
    ]);
    specs
}

pub(super) fn multiband_value(params: &MultibandParams, field: MultibandField) -> f64 {
    match field {
        MultibandField::On => toggle_value(params.enabled),
        MultibandField::Bands => band_count_index(params.bands),
        MultibandField::Crossover(i) => params.crossovers_hz[usize::from(i)],
        MultibandField::LinearPhase => toggle_value(params.linear_phase),
        MultibandField::Lookahead => params.lookahead_ms,
        MultibandField::Mode => index_in(&STEREO_MODE_ORDER, &params.mode),
    }
}

pub(super) fn set_multiband(params: &mut MultibandParams, field: MultibandField, value: f64) {
    match field {
        MultibandField::On => params.enabled = value >= 0.5,
        MultibandField::Bands => params.bands = value.round().clamp(0.0, 3.0) as usize + 1,
        MultibandField::Crossover(i) => params.crossovers_hz[usize::from(i)] = value,
        MultibandField::LinearPhase => params.linear_phase = value >= 0.5,
        MultibandField::Lookahead => params.lookahead_ms = value,
        MultibandField::Mode => params.mode = at(&STEREO_MODE_ORDER, value),
    }
}

pub(super) fn compressor_value(band: &dynamics::BandParams, field: CompressorField) -> f64 {
    match field {
        CompressorField::Threshold => band.threshold_db,
        CompressorField::Ratio => band.ratio,
        CompressorField::Knee => band.knee_db,
        CompressorField::Attack => band.attack_ms,
        CompressorField::Release => band.release_ms,
        CompressorField::AutoRelease => toggle_value(band.auto_release),
        CompressorField::Makeup => band.makeup_db,
        CompressorField::Detection => index_in(&DETECTION_ORDER, &band.detection),
        CompressorField::Solo => toggle_value(band.solo),
        CompressorField::Bypass => toggle_value(band.bypass),
    }
}

pub(super) fn set_compressor(band: &mut dynamics::BandParams, field: CompressorField, value: f64) {
    match field {
        CompressorField::Threshold => band.threshold_db = value,
        CompressorField::Ratio => band.ratio = value,
        CompressorField::Knee => band.knee_db = value,
        CompressorField::Attack => band.attack_ms = value,
        CompressorField::Release => band.release_ms = value,
        CompressorField::AutoRelease => band.auto_release = value >= 0.5,
        CompressorField::Makeup => band.makeup_db = value,
        CompressorField::Detection => band.detection = at(&DETECTION_ORDER, value),
        CompressorField::Solo => band.solo = value >= 0.5,
        CompressorField::Bypass => band.bypass = value >= 0.5,
    }
}

pub(super) fn glue_value(params: &GlueParams, field: GlueField) -> f64 {
    match field {
        GlueField::On => toggle_value(params.enabled),
        GlueField::Threshold => params.threshold_db,
        GlueField::Ratio => index_in(&GLUE_RATIO_ORDER, &params.ratio),
        GlueField::Attack => params.attack_ms,
        GlueField::Release => params.release_ms,
        GlueField::AutoRelease => toggle_value(params.auto_release),
        GlueField::Makeup => params.makeup_db,
        GlueField::Mix => params.mix_pct,
        GlueField::SidechainHighpass => params.sidechain_hp_hz,
    }
}

pub(super) fn set_glue(params: &mut GlueParams, field: GlueField, value: f64) {
    match field {
        GlueField::On => params.enabled = value >= 0.5,
        GlueField::Threshold => params.threshold_db = value,
        GlueField::Ratio => params.ratio = at(&GLUE_RATIO_ORDER, value),
        GlueField::Attack => params.attack_ms = value,
        GlueField::Release => params.release_ms = value,
        GlueField::AutoRelease => params.auto_release = value >= 0.5,
        GlueField::Makeup => params.makeup_db = value,
        GlueField::Mix => params.mix_pct = value,
        GlueField::SidechainHighpass => params.sidechain_hp_hz = value,
    }
}

pub(super) fn imager_value(params: &ImagerParams, field: ImagerField) -> f64 {
    match field {
        ImagerField::On => toggle_value(params.enabled),
        ImagerField::Bands => band_count_index(params.bands),
        ImagerField::Crossover(i) => params.crossovers_hz[usize::from(i)],
        ImagerField::LinearPhase => toggle_value(params.linear_phase),
        ImagerField::Width(i) => params.width_pct[usize::from(i)],
        ImagerField::MonoBass => toggle_value(params.mono_bass),
        ImagerField::MonoBassFreq => params.mono_bass_hz,
        ImagerField::Balance => params.balance_pct,
    }
}

pub(super) fn set_imager(params: &mut ImagerParams, field: ImagerField, value: f64) {
    match field {
        ImagerField::On => params.enabled = value >= 0.5,
        ImagerField::Bands => params.bands = value.round().clamp(0.0, 3.0) as usize + 1,
        ImagerField::Crossover(i) => params.crossovers_hz[usize::from(i)] = value,
        ImagerField::LinearPhase => params.linear_phase = value >= 0.5,
        ImagerField::Width(i) => params.width_pct[usize::from(i)] = value,
        ImagerField::MonoBass => params.mono_bass = value >= 0.5,
        ImagerField::MonoBassFreq => params.mono_bass_hz = value,
        ImagerField::Balance => params.balance_pct = value,
    }
}
