//! The editor body driven headless (egui_kittest, through AccessKit): it shows the meters'
//! readings and turns clicks and drags into begin/set/end parameter gestures.

use std::cell::RefCell;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use lacquer::editor::{EditorActions, ParamAccess, draw};
use lacquer::meters::EqSpectra;
use lacquer::params::LacquerParams;
use lacquer_dsp::ChainReadings;
use lacquer_dsp::meter::MeterReadings;
use nice_plug::prelude::ParamPtr;

/// Records gestures and applies the values, as a host would.
#[derive(Default)]
struct Gestures(RefCell<Vec<String>>);

impl Gestures {
    fn name(param: ParamPtr) -> String {
        // SAFETY: the parameters outlive the test.
        unsafe { param.name().to_owned() }
    }
}

impl ParamAccess for Gestures {
    fn begin(&self, param: ParamPtr) {
        self.0
            .borrow_mut()
            .push(format!("begin {}", Self::name(param)));
    }
    fn set_normalized(&self, param: ParamPtr, normalized: f32) {
        self.0
            .borrow_mut()
            .push(format!("set {} {normalized:.3}", Self::name(param)));
        // SAFETY: as above; this is what the wrapper does when the host applies a change.
        unsafe { param._internal_set_normalized_value(normalized) };
    }
    fn end(&self, param: ParamPtr) {
        self.0
            .borrow_mut()
            .push(format!("end {}", Self::name(param)));
    }
}

fn output_readings() -> ChainReadings {
    let mut output = MeterReadings {
        channels: 2,
        true_peak_max_dbtp: [-1.04, -1.2],
        correlation: Some(0.81),
        ..MeterReadings::default()
    };
    output.loudness.momentary_lufs = -12.5;
    output.loudness.short_term_lufs = -13.1;
    output.loudness.integrated_lufs = Some(-14.02);
    output.loudness.loudness_range_lu = Some(6.3);
    ChainReadings {
        output,
        ..ChainReadings::default()
    }
}

struct Editor {
    params: LacquerParams,
    readings: ChainReadings,
    spectra: EqSpectra,
    gestures: Gestures,
    actions: EditorActions,
}

fn harness(editor: Editor) -> Harness<'static, Editor> {
    Harness::builder()
        .with_size(egui::vec2(860.0, 840.0))
        .build_ui_state(
            |ui, editor: &mut Editor| {
                let actions = draw(
                    ui,
                    &editor.params,
                    &editor.readings,
                    &editor.spectra,
                    &editor.gestures,
                );
                editor.actions.reset_meters |= actions.reset_meters;
            },
            editor,
        )
}

fn editor() -> Editor {
    Editor {
        params: LacquerParams::default(),
        readings: output_readings(),
        spectra: EqSpectra::default(),
        gestures: Gestures::default(),
        actions: EditorActions::default(),
    }
}

#[test]
fn shows_the_outputs_loudness_figures() {
    let mut harness = harness(editor());
    harness.run();
    for label in [
        "Momentary: -12.5 LUFS",
        "Short-term: -13.1 LUFS",
        "Integrated: -14.0 LUFS",
        "Range: 6.3 LU",
        "True peak max: -1.0 dBTP",
        "PLR: 13.0 dB",
        "Correlation: 0.8 ",
    ] {
        harness.get_by_label(label);
    }
    // Readings that do not exist yet show a dash, never -inf.
    harness.get_by_label("PSR: – dB");
}

#[test]
fn reset_button_asks_for_a_meter_reset() {
    let mut harness = harness(editor());
    harness.run();
    assert!(!harness.state().actions.reset_meters);
    harness.get_by_label("Reset meters").click();
    harness.run();
    assert!(harness.state().actions.reset_meters);
}

#[test]
fn a_switch_click_is_one_complete_gesture() {
    let mut harness = harness(editor());
    harness.run();
    harness
        .get_by_role_and_label(egui::Role::Switch, "DC Filter")
        .click();
    harness.run();
    assert_eq!(
        *harness.state().gestures.0.borrow(),
        ["begin DC Filter", "set DC Filter 0.000", "end DC Filter"]
    );
}

#[test]
fn dragging_a_slider_begins_sets_and_ends() {
    let mut harness = harness(editor());
    harness.run();
    let rect = harness
        .get_by_role_and_label(egui::Role::Slider, "Output Trim")
        .rect();
    harness.drag_at(rect.center());
    harness.run();
    harness.hover_at(rect.center() + egui::vec2(60.0, 0.0));
    harness.run();
    harness.drop_at(rect.center() + egui::vec2(60.0, 0.0));
    harness.run();
    let gestures = harness.state().gestures.0.borrow().clone();
    assert_eq!(
        gestures.first().map(String::as_str),
        Some("begin Output Trim"),
        "{gestures:?}"
    );
    assert_eq!(
        gestures.last().map(String::as_str),
        Some("end Output Trim"),
        "{gestures:?}"
    );
    let last_set = gestures
        .iter()
        .rev()
        .find(|g| g.starts_with("set"))
        .unwrap();
    let value: f32 = last_set.rsplit(' ').next().unwrap().parse().unwrap();
    // 60 px of a 300 px travel from the middle (0 dB).
    assert!((value - 0.7).abs() < 0.01, "{gestures:?}");
}

#[test]
fn restart_on_play_is_a_saved_setting() {
    let mut harness = harness(editor());
    harness.run();
    assert!(harness.state().params.meter_reset_on_play());
    harness.get_by_label("Restart on play").click();
    harness.run();
    assert!(!harness.state().params.meter_reset_on_play());
}

#[test]
fn the_limiter_panel_shows_reduction_and_proves_the_ceiling() {
    let mut held = editor();
    held.readings.limiter.gain_reduction_db = 2.34;
    held.readings.limiter.max_gain_reduction_db = 6.5;
    held.readings.limiter.output_true_peak_dbtp = -1.003;
    held.readings.limiter.history_db[255] = 2.34;
    let mut held_harness = harness(held);
    held_harness.run();
    held_harness.get_by_label("Limiter").click();
    held_harness.run();
    held_harness.get_by_label("2.3 dB  (max 6.5)");
    held_harness.get_by_label("Limiter out: -1.00 dBTP true peak · ceiling held");
    held_harness.get_by_label("Gain reduction history, deepest 6.0 dB");

    let mut over = editor();
    over.readings.limiter.output_true_peak_dbtp = -0.9;
    over.readings.limiter.overs = 3;
    let mut over_harness = harness(over);
    over_harness.run();
    over_harness.get_by_label("Limiter").click();
    over_harness.run();
    over_harness.get_by_label("Limiter out: -0.90 dBTP true peak · 3 overs");
}

#[test]
fn every_limiter_setting_has_a_control() {
    let mut harness = harness(editor());
    harness.run();
    harness.get_by_label("Limiter").click();
    harness.run();
    for name in ["Ceiling", "Drive", "Lookahead", "Release", "Stereo Link"] {
        harness.get_by_role_and_label(egui::Role::Slider, name);
    }
    for name in ["Limiter", "Auto Release", "Delta", "Unity Gain"] {
        harness.get_by_role_and_label(egui::Role::Switch, name);
    }
    harness.get_by_label("Character: Transparent");
    harness.get_by_label("Detection: Auto");
}

#[test]
fn the_eq_shows_its_curve_and_the_selected_bands_controls() {
    let mut harness = harness(editor());
    harness.run();
    harness.get_by_label("EQ curve, 0 of 8 bands sounding");
    // Band 1's controls show first; selecting band 3 brings its own.
    harness.get_by_role_and_label(egui::Role::Slider, "Band 1 Frequency");
    harness.get_by_label("3").click();
    harness.run();
    harness.get_by_role_and_label(egui::Role::Slider, "Band 3 Gain");
    harness
        .get_by_role_and_label(egui::Role::Switch, "Band 3")
        .click();
    harness.run();
    assert_eq!(
        *harness.state().gestures.0.borrow(),
        ["begin Band 3", "set Band 3 1.000", "end Band 3"]
    );
}

#[test]
fn the_dynamics_page_shows_reduction_per_band_and_each_bands_controls() {
    let mut busy = editor();
    busy.readings.multiband.gain_reduction_db = [3.24, 0.0, 1.5, 0.0];
    busy.readings.glue.gain_reduction_db = 2.04;
    let mut harness = harness(busy);
    harness.run();
    harness.get_by_label("Dynamics").click();
    harness.run();
    harness.get_by_label("Multiband gain reduction 1: 3.2 dB, 2: 0.0 dB, 3: 1.5 dB, 4: 0.0 dB");
    harness.get_by_role_and_label(egui::Role::Slider, "MB1 Threshold");
    harness.get_by_role_and_label(egui::Role::Slider, "MB Crossover 3");
    harness.get_by_label("2").click();
    harness.run();
    harness.get_by_role_and_label(egui::Role::Slider, "MB2 Ratio");
    assert!(
        harness
            .query_by_role_and_label(egui::Role::Slider, "MB1 Ratio")
            .is_none()
    );
    // Off, the glue shows no reduction; on, its reading.
    harness.get_by_label("gain reduction –");
    harness
        .get_by_role_and_label(egui::Role::Switch, "Glue")
        .click();
    harness.run();
    harness.get_by_label("gain reduction 2.0 dB");
    harness.get_by_role_and_label(egui::Role::Slider, "Glue Threshold");
}

#[test]
fn the_stereo_page_shows_widths_and_correlation_for_the_bands_in_use() {
    let mut harness = harness(editor());
    harness.run();
    harness.get_by_label("Stereo").click();
    harness.run();
    harness.get_by_label(
        "Imager widths 1: 100 % correlation –, 2: 100 % correlation –, \
         3: 100 % correlation –, 4: 100 % correlation –",
    );
    harness.get_by_role_and_label(egui::Role::Slider, "Width 4");
    harness.get_by_label("Imager Bands: 4").click();
    harness.run();
    harness.get_by_label("2").click();
    harness.run();
    // Two bands: one crossover and two widths.
    harness.get_by_role_and_label(egui::Role::Slider, "Width 2");
    assert!(
        harness
            .query_by_role_and_label(egui::Role::Slider, "Width 3")
            .is_none()
    );
    assert!(
        harness
            .query_by_role_and_label(egui::Role::Slider, "Imager Crossover 2")
            .is_none()
    );
    harness.get_by_role_and_label(egui::Role::Switch, "Mono Bass");
}

#[test]
fn the_eq_curve_sits_over_the_spectrum_it_was_given() {
    let mut shown = editor();
    let output = &mut shown.spectra.output;
    output.len = 200;
    output.db[..200].fill(-60.0);
    let one_khz = output.freqs_hz.iter().position(|&hz| hz == 1000.0).unwrap();
    output.db[one_khz] = -12.0;
    let mut harness = harness(shown);
    harness.run();
    harness.get_by_label("EQ curve, 0 of 8 bands sounding, spectrum peak -12 dB at 1000 Hz");
}

/// Opens the Master page.
fn master_page(harness: &mut Harness<'static, Editor>) {
    harness.get_by_label("Master").click();
    harness.run();
}

/// Loads a factory preset from the preset menu (output locked, as by default).
fn load_preset(harness: &mut Harness<'static, Editor>, name: &str) {
    harness
        .get_by_role_and_label(egui::Role::ComboBox, "Presets")
        .click();
    harness.run();
    harness.get_by_label(name).click();
    harness.run();
}

fn preset_settings(name: &str) -> lacquer_dsp::ChainParams {
    let mut settings = lacquer_dsp::ChainParams::default();
    lacquer_dsp::preset::factory_preset(name)
        .unwrap()
        .apply(&mut settings, true);
    settings
}

/// Every recorded gesture is a complete begin, set, end triple on one parameter.
fn assert_complete_gestures(gestures: &[String]) {
    assert!(!gestures.is_empty());
    assert_eq!(gestures.len() % 3, 0, "{gestures:?}");
    for triple in gestures.chunks(3) {
        let name = triple[0].strip_prefix("begin ").expect("begins");
        assert!(triple[1].starts_with(&format!("set {name} ")), "{triple:?}");
        assert_eq!(triple[2], format!("end {name}"));
    }
}

#[test]
fn loading_a_preset_sets_its_values_through_host_gestures() {
    let mut harness = harness(editor());
    harness.run();
    master_page(&mut harness);
    load_preset(&mut harness, "Loud modern");
    assert_eq!(
        harness.state().params.chain_params(),
        preset_settings("Loud modern")
    );
    assert_complete_gestures(&harness.state().gestures.0.borrow());
}

#[test]
fn settings_a_and_b_switch_between_two_complete_settings() {
    let mut harness = harness(editor());
    harness.run();
    master_page(&mut harness);
    load_preset(&mut harness, "Loud modern");
    // B starts as a copy of A; a preset loaded in B leaves A's settings held.
    harness.get_by_label("Settings B").click();
    harness.run();
    load_preset(&mut harness, "Transparent streaming");
    let (a, b) = (
        preset_settings("Loud modern"),
        preset_settings("Transparent streaming"),
    );
    assert_ne!(a, b);
    assert_eq!(harness.state().params.chain_params(), b);
    harness.get_by_label("Settings A").click();
    harness.run();
    assert_eq!(harness.state().params.chain_params(), a);
    harness.get_by_label("Settings B").click();
    harness.run();
    assert_eq!(harness.state().params.chain_params(), b);
    // Copy B to A: both slots now hold B.
    harness.get_by_label("Copy B to A").click();
    harness.run();
    harness.get_by_label("Settings A").click();
    harness.run();
    assert_eq!(harness.state().params.chain_params(), b);
    assert_complete_gestures(&harness.state().gestures.0.borrow());
}
