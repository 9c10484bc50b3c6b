//! The editor: live input/output meters, the output's loudness figures, and one page per
//! stage of the chain (EQ, dynamics, stereo, limiter) with its activity and controls.
//!
//! The body (`draw`) works on plain data and a [`ParamAccess`], so it can be driven headless in
//! tests; `LacquerEditor` binds it to nice-plug-egui.

use std::sync::Arc;

use egui::{Color32, RichText};
use lacquer_dsp::{ChainParams, ChainReadings};
use nice_plug::context::gui::GuiContext;
use nice_plug::prelude::*;
use nice_plug_egui::{EguiEditor, EguiEditorState, EguiNiceSettings, NiceEguiApp, RepaintNotifier};

use crate::meters::{EqSpectra, MeterView};
use crate::params::LacquerParams;

mod band_plot;
mod dynamics_panel;
mod eq_panel;
mod imager_panel;
mod limiter_panel;
mod loudness_panel;
mod master_panel;
mod meter_bar;
mod param_control;
mod theme;

pub use loudness_panel::reading_text;
pub use param_control::ParamAccess;

/// Initial editor size in logical pixels.
const EDITOR_SIZE: (f32, f32) = (860.0, 840.0);

/// The editor's initial (and remembered) window state.
pub fn default_state() -> Arc<EguiEditorState> {
    EguiEditorState::from_size(
        nice_plug::editor::dpi::LogicalSize::new(EDITOR_SIZE.0, EDITOR_SIZE.1),
        1.0,
    )
}

/// Creates the editor for the host.
pub fn create(
    params: Arc<LacquerParams>,
    meters: MeterView,
    state: Arc<EguiEditorState>,
    repaint: RepaintNotifier,
) -> Option<EguiEditor<LacquerEditor>> {
    nice_plug_egui::create_egui_editor(
        state,
        repaint,
        EguiNiceSettings::new().with_tile("Lacquer"),
        LacquerEditor {
            params,
            meters,
            gui: None,
        },
    )
}

/// The nice-plug-egui app: holds the host context between frames.
pub struct LacquerEditor {
    params: Arc<LacquerParams>,
    meters: MeterView,
    gui: Option<GuiContext>,
}

impl NiceEguiApp for LacquerEditor {
    fn build(
        &mut self,
        egui_ctx: egui::Context,
        gui: GuiContext,
        _frame: &mut nice_plug_egui::Frame,
    ) -> Result<(), nice_plug_egui::baseview::HandlerError> {
        theme::apply(&egui_ctx);
        self.gui = Some(gui);
        Ok(())
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut nice_plug_egui::Frame) {
        let Some(gui) = &self.gui else {
            return;
        };
        let readings = self.meters.latest();
        let spectra = self.meters.latest_spectra();
        let actions = draw(ui, &self.params, &readings, &spectra, &HostParams(gui));
        if actions.reset_meters {
            self.meters.request_reset();
        }
        if let Some(request) = actions.learn {
            self.meters.request_learn(request);
        }
    }

    fn editor_closed(&mut self) {
        self.gui = None;
    }
}

/// Parameter gestures through the host.
struct HostParams<'a>(&'a GuiContext);

impl ParamAccess for HostParams<'_> {
    fn begin(&self, param: ParamPtr) {
        // SAFETY: `param` comes from `LacquerParams`, which the host keeps alive.
        unsafe { self.0.raw_begin_set_parameter(param) }
    }
    fn set_normalized(&self, param: ParamPtr, normalized: f32) {
        // SAFETY: as above.
        unsafe { self.0.raw_set_parameter_normalized(param, normalized) }
    }
    fn end(&self, param: ParamPtr) {
        // SAFETY: as above.
        unsafe { self.0.raw_end_set_parameter(param) }
    }
}

/// What the user asked for in this frame beyond parameter changes.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct EditorActions {
    pub reset_meters: bool,
    /// Start or stop Learn.
    pub learn: Option<crate::meters::LearnRequest>,
}

/// Draws the whole editor for one frame.
pub fn draw(
    ui: &mut egui::Ui,
    params: &LacquerParams,
    readings: &ChainReadings,
    spectra: &EqSpectra,
    access: &dyn ParamAccess,
) -> EditorActions {
    theme::window()
        .show(ui, |ui| {
            ui.set_min_size(ui.available_size());
            body(ui, params, readings, spectra, access)
        })
        .inner
}

fn body(
    ui: &mut egui::Ui,
    params: &LacquerParams,
    readings: &ChainReadings,
    spectra: &EqSpectra,
    access: &dyn ParamAccess,
) -> EditorActions {
    let mut actions = EditorActions::default();
    ui.horizontal(|ui| {
        ui.heading(RichText::new("LACQUER").strong().color(theme::ACCENT));
        ui.label(RichText::new(env!("CARGO_PKG_VERSION")).weak());
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            actions.reset_meters = ui.button("Reset meters").clicked();
            status_flags(ui, params, readings);
            if readings.non_finite_samples > 0 {
                ui.label(
                    RichText::new(format!(
                        "{} bad input samples silenced",
                        readings.non_finite_samples
                    ))
                    .color(Color32::from_rgb(255, 120, 90)),
                );
            }
        });
    });
    ui.separator();
    ui.horizontal_top(|ui| {
        meter_bar::meter_pair(ui, "In", &readings.input);
        ui.add_space(12.0);
        ui.vertical(|ui| {
            ui.set_width(ui.available_width() - 110.0);
            theme::section().show(ui, |ui| {
                ui.set_width(ui.available_width());
                loudness_panel::loudness_panel(ui, &readings.output);
                ui.horizontal(|ui| {
                    let mut reset_on_play = params.meter_reset_on_play();
                    if ui.checkbox(&mut reset_on_play, "Restart on play").changed() {
                        params.set_meter_reset_on_play(reset_on_play);
                    }
                    ui.label(
                        RichText::new(format!(
                            "input {}",
                            reading_text(readings.input.loudness.integrated_lufs, "LUFS")
                        ))
                        .weak(),
                    );
                });
            });
            ui.add_space(6.0);
            let chain = params.chain_params();
            let page = page_tabs(ui, &chain);
            theme::section().show(ui, |ui| {
                ui.set_width(ui.available_width());
                actions.learn = page_body(ui, page, params, &chain, (readings, spectra), access);
            });
            ui.add_space(6.0);
            ui.columns(2, |columns| {
                controls(&mut columns[0], params, access, |group| group == "Input");
                controls(&mut columns[1], params, access, |group| group == "Output");
            });
        });
        meter_bar::meter_pair(ui, "Out", &readings.output);
    });
    actions
}

/// Conditions that change what the engineer hears, always visible: bypass, the platform
/// preview, a state that did not load cleanly.
fn status_flags(ui: &mut egui::Ui, params: &LacquerParams, readings: &ChainReadings) {
    let warning = Color32::from_rgb(255, 150, 70);
    if let Some(problem) = params.state_problem() {
        ui.label(RichText::new("state partly restored").color(warning))
            .on_hover_text(problem);
    }
    if let Some(gain) = readings.preview_gain_db {
        ui.label(
            RichText::new(format!("PREVIEW {gain:+.1} dB"))
                .strong()
                .color(warning),
        )
        .on_hover_text("Platform preview: monitoring only, never in renders");
    }
    if params.chain_params().bypass {
        ui.label(RichText::new("BYPASSED").strong().color(warning));
    }
}

/// The pages: the master section, then the modules in signal order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Page {
    Master,
    Eq,
    Dynamics,
    Stereo,
    Limiter,
}

impl Page {
    const ALL: [Page; 5] = [
        Page::Master,
        Page::Eq,
        Page::Dynamics,
        Page::Stereo,
        Page::Limiter,
    ];

    fn title(self) -> &'static str {
        match self {
            Page::Master => "Master",
            Page::Eq => "EQ",
            Page::Dynamics => "Dynamics",
            Page::Stereo => "Stereo",
            Page::Limiter => "Limiter",
        }
    }

    /// Whether any module on the page is switched on.
    fn active(self, chain: &ChainParams) -> bool {
        match self {
            Page::Master => !chain.bypass,
            Page::Eq => chain.eq.enabled && chain.eq.bands.iter().any(|b| b.enabled),
            Page::Dynamics => chain.multiband.enabled || chain.glue.enabled,
            Page::Stereo => chain.imager.enabled,
            Page::Limiter => chain.limiter.enabled,
        }
    }
}

/// The page selector; the choice is kept in egui's memory. Pages whose modules are on show
/// in the accent colour.
fn page_tabs(ui: &mut egui::Ui, chain: &ChainParams) -> Page {
    let id = egui::Id::unique("lacquer_page");
    let mut page = ui.data(|d| d.get_temp(id)).unwrap_or(Page::Eq);
    ui.horizontal(|ui| {
        for candidate in Page::ALL {
            let mut text = RichText::new(candidate.title()).strong();
            if candidate.active(chain) {
                text = text.color(theme::ACCENT);
            }
            if ui.selectable_label(page == candidate, text).clicked() {
                page = candidate;
            }
        }
    });
    ui.data_mut(|d| d.insert_temp(id, page));
    page
}

fn page_body(
    ui: &mut egui::Ui,
    page: Page,
    params: &LacquerParams,
    chain: &ChainParams,
    (readings, spectra): (&ChainReadings, &EqSpectra),
    access: &dyn ParamAccess,
) -> Option<crate::meters::LearnRequest> {
    match page {
        Page::Master => {
            return master_panel::master_panel(ui, params, readings, access).learn;
        }
        Page::Eq => eq_panel::eq_panel(ui, params, &chain.eq, spectra, access),
        Page::Dynamics => {
            dynamics_panel::multiband_panel(
                ui,
                params,
                &chain.multiband,
                &readings.multiband,
                access,
            );
            ui.separator();
            dynamics_panel::glue_panel(ui, params, &readings.glue, chain.glue.enabled, access);
        }
        Page::Stereo => {
            imager_panel::imager_panel(ui, params, &chain.imager, &readings.imager, access)
        }
        Page::Limiter => {
            ui.columns(2, |columns| {
                controls(&mut columns[0], params, access, |group| group == "Limiter");
                limiter_panel::limiter_panel(
                    &mut columns[1],
                    &readings.limiter,
                    chain.limiter.enabled,
                );
            });
        }
    }
    None
}

/// One framed section per parameter group, in signal order, for the groups `show` accepts.
fn controls(
    ui: &mut egui::Ui,
    params: &LacquerParams,
    access: &dyn ParamAccess,
    show: impl Fn(&str) -> bool,
) {
    let mut entries = params
        .entries()
        .filter(|(spec, _)| show(&spec.group))
        .peekable();
    while let Some((first, ptr)) = entries.next() {
        theme::section().show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.label(RichText::new(&first.group).strong());
            param_control::control(ui, first, ptr, access);
            while let Some((spec, ptr)) = entries.next_if(|(s, _)| s.group == first.group) {
                param_control::control(ui, spec, ptr, access);
            }
        });
        ui.add_space(6.0);
    }
}
