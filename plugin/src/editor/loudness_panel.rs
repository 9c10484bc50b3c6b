//! The output's loudness readouts: momentary, short-term, integrated, loudness range, true
//! peak, PLR, PSR and correlation.

use egui::{Align2, FontId, RichText, Sense, vec2};
use lacquer_dsp::meter::MeterReadings;

use super::theme;

const READOUT_SIZE: egui::Vec2 = egui::Vec2::new(96.0, 46.0);

/// Formats a reading with its unit, or a dash where it does not exist (yet).
pub fn reading_text(value: Option<f64>, unit: &str) -> String {
    match value {
        Some(v) if v.is_finite() => format!("{v:.1} {unit}"),
        _ => format!("– {unit}"),
    }
}

/// One labelled figure; its accessible name is the label, its value the text.
fn readout(ui: &mut egui::Ui, label: &str, value: Option<f64>, unit: &str, highlight: bool) {
    let text = reading_text(value, unit);
    let (rect, response) = ui.allocate_exact_size(READOUT_SIZE, Sense::hover());
    response.widget_info(|| {
        egui::WidgetInfo::labeled(egui::Role::Label, true, format!("{label}: {text}"))
    });
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 3.0, theme::TRACK);
    painter.text(
        rect.center_top() + vec2(0.0, 4.0),
        Align2::CENTER_TOP,
        label,
        FontId::proportional(10.0),
        ui.visuals().weak_text_color(),
    );
    let color = if highlight {
        theme::ACCENT
    } else {
        ui.visuals().strong_text_color()
    };
    painter.text(
        rect.center_bottom() - vec2(0.0, 6.0),
        Align2::CENTER_BOTTOM,
        text,
        FontId::monospace(15.0),
        color,
    );
}

/// The output's loudness figures, two rows of four.
pub fn loudness_panel(ui: &mut egui::Ui, output: &MeterReadings) {
    let loudness = &output.loudness;
    let finite = |v: f64| Some(v).filter(|v| v.is_finite());
    ui.label(RichText::new("Output loudness (EBU R128)").strong());
    ui.horizontal(|ui| {
        readout(
            ui,
            "Momentary",
            finite(loudness.momentary_lufs),
            "LUFS",
            false,
        );
        readout(
            ui,
            "Short-term",
            finite(loudness.short_term_lufs),
            "LUFS",
            false,
        );
        readout(ui, "Integrated", loudness.integrated_lufs, "LUFS", true);
        readout(ui, "Range", loudness.loudness_range_lu, "LU", false);
    });
    ui.horizontal(|ui| {
        readout(
            ui,
            "True peak max",
            finite(output.true_peak_max_dbtp()),
            "dBTP",
            true,
        );
        readout(ui, "PLR", output.plr_db(), "dB", false);
        readout(ui, "PSR", output.psr_db(), "dB", false);
        readout(ui, "Correlation", output.correlation, "", false);
    });
}
