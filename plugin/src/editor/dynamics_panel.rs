//! The multiband compressor (gain reduction per band over its crossovers, a band selector and
//! the selected band's controls) and the glue compressor (its reduction and controls).

use egui::RichText;
use lacquer_dsp::dynamics::{GlueReadings, MultibandParams, MultibandReadings};

use super::band_plot::{BandBar, Grow, band_plot};
use super::param_control::{self, ParamAccess};
use super::theme;
use crate::params::LacquerParams;

/// The bars' depth unless the reduction goes deeper, dB.
const MIN_DEPTH_DB: f64 = 12.0;

fn selected_id() -> egui::Id {
    egui::Id::unique("lacquer_multiband_selected_band")
}

/// The multiband compressor's section.
pub fn multiband_panel(
    ui: &mut egui::Ui,
    params: &LacquerParams,
    settings: &MultibandParams,
    readings: &MultibandReadings,
    access: &dyn ParamAccess,
) {
    param_control::row(ui, params, access, "MB", &["mb_on", "mb_bands"]);
    let bands = settings.bands;
    let reduction = |band: usize| readings.gain_reduction_db[band].max(0.0);
    let deepest = (0..bands).map(reduction).fold(MIN_DEPTH_DB, f64::max);
    let summary = (0..bands)
        .map(|b| format!("{}: {:.1} dB", b + 1, reduction(b)))
        .collect::<Vec<_>>()
        .join(", ");
    band_plot(
        ui,
        bands,
        settings.crossovers_hz,
        Grow::Down,
        &format!("Multiband gain reduction {summary}"),
        |band| BandBar {
            fill: (reduction(band) / deepest) as f32,
            caption: match reduction(band) {
                _ if settings.band[band].bypass => "bypassed".to_owned(),
                db if db >= 0.05 => format!("-{db:.1} dB"),
                _ => "0.0 dB".to_owned(),
            },
            lit: settings.enabled && !settings.band[band].bypass,
        },
    );
    let mut selected: usize = ui.data(|d| d.get_temp(selected_id())).unwrap_or(0);
    selected = selected.min(bands - 1);
    ui.horizontal(|ui| {
        ui.label("Band");
        for band in 0..bands {
            let text = RichText::new(format!("{}", band + 1)).color(if settings.band[band].solo {
                theme::WARN
            } else {
                ui.visuals().text_color()
            });
            if ui.selectable_label(selected == band, text).clicked() {
                selected = band;
            }
        }
    });
    ui.data_mut(|d| d.insert_temp(selected_id(), selected));
    let prefix = format!("mb{}_", selected + 1);
    let band_name = format!("MB{}", selected + 1);
    param_control::grid(ui, params, access, (2, &band_name), |spec| {
        spec.id.starts_with(&prefix)
    });
    ui.add_space(4.0);
    param_control::grid(ui, params, access, (2, "MB"), |spec| {
        spec.group == "Multiband"
            && !["mb_on", "mb_bands"].contains(&spec.id.as_str())
            && param_control::band_in_use(&spec.id, bands)
    });
}

/// The glue compressor's section.
pub fn glue_panel(
    ui: &mut egui::Ui,
    params: &LacquerParams,
    readings: &GlueReadings,
    enabled: bool,
    access: &dyn ParamAccess,
) {
    ui.horizontal(|ui| {
        param_control::row(ui, params, access, "", &["glue_on"]);
        let text = if enabled {
            format!(
                "gain reduction {:.1} dB",
                readings.gain_reduction_db.max(0.0)
            )
        } else {
            "gain reduction –".to_owned()
        };
        ui.label(RichText::new(text).monospace());
    });
    param_control::grid(ui, params, access, (2, "Glue"), |spec| {
        spec.group == "Glue" && spec.id != "glue_on"
    });
}
