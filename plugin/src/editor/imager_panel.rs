//! The imager: each band's width and the output's correlation in it, and the controls.

use lacquer_dsp::stereo::{ImagerParams, ImagerReadings, WIDTH_MAX_PCT};

use super::band_plot::{BandBar, Grow, band_plot};
use super::param_control::{self, ParamAccess};
use crate::params::LacquerParams;

/// The imager's section.
pub fn imager_panel(
    ui: &mut egui::Ui,
    params: &LacquerParams,
    settings: &ImagerParams,
    readings: &ImagerReadings,
    access: &dyn ParamAccess,
) {
    param_control::row(ui, params, access, "Imager", &["img_on", "img_bands"]);
    let bands = settings.bands;
    let correlation = |band: usize| {
        if settings.enabled {
            format!("{:+.2}", readings.correlation[band])
        } else {
            "–".to_owned()
        }
    };
    let summary = (0..bands)
        .map(|b| {
            format!(
                "{}: {:.0} % correlation {}",
                b + 1,
                settings.width_pct[b],
                correlation(b)
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    band_plot(
        ui,
        bands,
        settings.crossovers_hz,
        Grow::Up,
        &format!("Imager widths {summary}"),
        |band| BandBar {
            fill: (settings.width_pct[band] / WIDTH_MAX_PCT) as f32,
            caption: format!(
                "{:.0} %  corr {}",
                settings.width_pct[band],
                correlation(band)
            ),
            lit: settings.enabled,
        },
    );
    param_control::grid(ui, params, access, (2, "Imager"), |spec| {
        spec.group == "Imager"
            && !["img_on", "img_bands"].contains(&spec.id.as_str())
            && param_control::band_in_use(&spec.id, bands)
    });
}
