//! The Master page: delivery target and its readout, Learn, platform preview, global bypass,
//! latency mode, settings A/B and presets.

use egui::{Color32, RichText};
use lacquer_dsp::ChainReadings;
use lacquer_dsp::preset::{Preset, PresetLibrary, factory_presets};
use lacquer_dsp::target::TargetReadout;

use super::param_control::{self, ParamAccess, apply_chain_params, set_plain};
use crate::meters::LearnRequest;
use crate::params::{AbSnapshots, LacquerParams};

const WARNING: Color32 = Color32::from_rgb(255, 150, 70);
const GOOD: Color32 = Color32::from_rgb(120, 220, 140);

/// What the page asks of the audio thread.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct MasterActions {
    pub learn: Option<LearnRequest>,
}

pub fn master_panel(
    ui: &mut egui::Ui,
    params: &LacquerParams,
    readings: &ChainReadings,
    access: &dyn ParamAccess,
) -> MasterActions {
    let mut actions = MasterActions::default();
    ui.columns(2, |columns| {
        let ui = &mut columns[0];
        ui.label(RichText::new("Target").strong());
        param_control::grid(ui, params, access, (1, ""), |s| s.group == "Target");
        ui.label(target_text(&readings.target));
        ui.label(true_peak_text(&readings.target, readings));
        if let Some(gain) = readings.preview_gain_db {
            ui.label(
                RichText::new(format!(
                    "PREVIEW {gain:+.1} dB: monitoring only, not in renders"
                ))
                .color(WARNING),
            );
        }
        ui.add_space(6.0);
        actions.learn = learn(ui, params, readings, access);

        let ui = &mut columns[1];
        ui.label(RichText::new("Session").strong());
        param_control::grid(ui, params, access, (1, ""), |s| s.group == "Global");
        ui.add_space(6.0);
        ab(ui, params, access);
        ui.add_space(6.0);
        presets(ui, params, access);
    });
    actions
}

fn target_text(target: &TargetReadout) -> String {
    match target.distance_lu {
        Some(distance) => format!(
            "{:.1} LUFS now: {distance:+.1} LU from {:.1}",
            target.target_lufs + distance,
            target.target_lufs
        ),
        None => format!(
            "aiming at {:.1} LUFS (not measured yet)",
            target.target_lufs
        ),
    }
}

fn true_peak_text(target: &TargetReadout, readings: &ChainReadings) -> RichText {
    let peak = readings.output.true_peak_max_dbtp();
    let text = format!(
        "true peak {} (allowed {:.1} dBTP)",
        super::reading_text(peak.is_finite().then_some(peak), "dBTP"),
        target.allowed_true_peak_dbtp
    );
    if target.true_peak_complies {
        RichText::new(text + ": complies").color(GOOD)
    } else {
        RichText::new(text + ": TOO HOT").color(WARNING)
    }
}

/// Learn: listen, then offer the drive that reaches the target; the engineer applies it.
fn learn(
    ui: &mut egui::Ui,
    params: &LacquerParams,
    readings: &ChainReadings,
    access: &dyn ParamAccess,
) -> Option<LearnRequest> {
    let learn = readings.learn;
    let mut request = None;
    ui.horizontal(|ui| {
        let label = if learn.listening {
            "Stop learning"
        } else {
            "Learn"
        };
        if ui.selectable_label(learn.listening, label).clicked() {
            request = Some(if learn.listening {
                LearnRequest::Stop
            } else {
                LearnRequest::Start
            });
        }
        match learn.proposal {
            Some(p) if p.reaches_target => {
                ui.label(format!("drive {:+.1} dB", p.drive_db));
                if ui.button("Apply").clicked() {
                    set_plain(params, "lim_drive", p.drive_db, access);
                }
            }
            Some(p) => {
                ui.label(
                    RichText::new(format!(
                        "out of reach: {:+.0} dB drive gives {:.1} LUFS",
                        p.drive_db, p.expected_lufs
                    ))
                    .color(WARNING),
                );
            }
            None if learn.listening => {
                ui.label(RichText::new("listening…").weak());
            }
            None => {}
        }
    });
    request
}

/// A/B: two complete settings; switching moves the host parameters (the chain glides).
fn ab(ui: &mut egui::Ui, params: &LacquerParams, access: &dyn ParamAccess) {
    let snapshots = params.ab();
    ui.horizontal(|ui| {
        ui.label(RichText::new("A/B").strong());
        for slot in [snapshots.active, snapshots.active.other()] {
            let playing = slot == snapshots.active;
            let clicked = ui
                .selectable_label(playing, format!("Settings {}", slot.name()))
                .clicked();
            if clicked && !playing {
                let current = params.chain_params();
                let target = snapshots.held.clone().unwrap_or_else(|| current.clone());
                apply_chain_params(params, &target, access);
                params.set_ab(AbSnapshots {
                    active: slot,
                    held: Some(current),
                });
            }
        }
        let copy = format!(
            "Copy {} to {}",
            snapshots.active.name(),
            snapshots.active.other().name()
        );
        if ui.button(copy).clicked() {
            params.set_ab(AbSnapshots {
                active: snapshots.active,
                held: Some(params.chain_params()),
            });
        }
    });
}

/// The preset menu (factory and user presets), lock output, and saving the current settings.
fn presets(ui: &mut egui::Ui, params: &LacquerParams, access: &dyn ParamAccess) {
    let library = PresetLibrary::user(dirs::config_dir());
    let lock_id = egui::Id::unique("lacquer_lock_output");
    let name_id = egui::Id::unique("lacquer_preset_name");
    let mut lock = ui.data(|d| d.get_temp(lock_id)).unwrap_or(true);
    let mut name: String = ui.data(|d| d.get_temp(name_id)).unwrap_or_default();
    ui.horizontal(|ui| {
        let label = ui.label(RichText::new("Presets").strong());
        egui::ComboBox::from_id_salt("lacquer_presets")
            .selected_text("Load…")
            .show_ui(ui, |ui| {
                let mut all = factory_presets();
                all.extend(user_presets(library.as_ref()));
                for preset in all {
                    let item = ui.selectable_label(false, &preset.name);
                    if item.on_hover_text(&preset.description).clicked() {
                        let mut target = params.chain_params();
                        preset.apply(&mut target, lock);
                        apply_chain_params(params, &target, access);
                    }
                }
            })
            .response
            .labelled_by(label.id);
        ui.checkbox(&mut lock, "Lock output")
            .on_hover_text("Presets leave the target, ceiling, output trim and dither alone");
    });
    ui.horizontal(|ui| {
        ui.add(
            egui::TextEdit::singleline(&mut name)
                .desired_width(140.0)
                .hint_text("name"),
        );
        let can_save = !name.trim().is_empty();
        let save = ui.add_enabled(can_save, egui::Button::new("Save preset"));
        if let Some(library) = library.as_ref().filter(|_| save.clicked()) {
            let preset = Preset::capture(name.trim(), "", &params.chain_params());
            let saved = library.save(&preset);
            let message = match saved {
                Ok(path) => format!("saved {}", path.display()),
                Err(error) => format!("could not save: {error}"),
            };
            ui.data_mut(|d| d.insert_temp(egui::Id::unique("lacquer_preset_saved"), message));
        }
    });
    if let Some(message) =
        ui.data(|d| d.get_temp::<String>(egui::Id::unique("lacquer_preset_saved")))
    {
        ui.label(RichText::new(message).weak());
    }
    ui.data_mut(|d| {
        d.insert_temp(lock_id, lock);
        d.insert_temp(name_id, name);
    });
}

fn user_presets(library: Option<&PresetLibrary>) -> Vec<Preset> {
    library
        .map(PresetLibrary::list)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(_, preset)| preset.ok())
        .collect()
}
