//! Vertical peak/RMS meter bars.

use egui::{Align2, FontId, Pos2, Rect, Sense, Stroke, Vec2, pos2, vec2};
use lacquer_dsp::meter::MeterReadings;

use super::theme;

/// Bottom of the meter scale, dBFS.
const FLOOR_DB: f64 = -60.0;
/// Top of the meter scale, dBFS.
const CEILING_DB: f64 = 6.0;
const BAR_WIDTH: f32 = 14.0;
const BAR_HEIGHT: f32 = 360.0;

/// Two bars (left/right, or one for mono) with a caption and the peak-max readout.
pub fn meter_pair(ui: &mut egui::Ui, caption: &str, readings: &MeterReadings) {
    ui.vertical(|ui| {
        ui.label(caption);
        let max = readings.sample_peak_max_db();
        ui.label(
            egui::RichText::new(format_db(max))
                .monospace()
                .color(color_for(max)),
        )
        .on_hover_text("Highest sample peak since reset (dBFS)");
        ui.horizontal(|ui| {
            let channels = readings.channels.max(1);
            for c in 0..channels {
                bar(ui, readings.peak_db[c], readings.rms_db[c]);
            }
            scale(ui);
        });
    });
}

fn format_db(db: f64) -> String {
    if db.is_finite() {
        format!("{db:+.1}")
    } else {
        "-inf".to_owned()
    }
}

fn color_for(db: f64) -> egui::Color32 {
    if db >= 0.0 {
        theme::OVER
    } else if db >= -6.0 {
        theme::WARN
    } else {
        theme::FILL
    }
}

/// Height fraction for a level (0 at the floor, 1 at the top).
fn fraction(db: f64) -> f32 {
    (((db.max(FLOOR_DB) - FLOOR_DB) / (CEILING_DB - FLOOR_DB)) as f32).clamp(0.0, 1.0)
}

fn y_for(rect: Rect, db: f64) -> f32 {
    rect.bottom() - fraction(db) * rect.height()
}

fn bar(ui: &mut egui::Ui, peak_db: f64, rms_db: f64) {
    let (rect, response) = ui.allocate_exact_size(vec2(BAR_WIDTH, BAR_HEIGHT), Sense::hover());
    response.widget_info(|| egui::WidgetInfo::slider(false, peak_db, "peak dBFS"));
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 2.0, theme::TRACK);
    // Peak: coloured by zone, from the floor up.
    let zones = [
        (FLOOR_DB, -6.0, theme::FILL),
        (-6.0, 0.0, theme::WARN),
        (0.0, CEILING_DB, theme::OVER),
    ];
    for (low, high, color) in zones {
        let top = peak_db.min(high);
        if top > low {
            let zone = Rect::from_min_max(
                pos2(rect.left(), y_for(rect, top)),
                pos2(rect.right(), y_for(rect, low)),
            );
            painter.rect_filled(zone, 0.0, color.gamma_multiply(0.85));
        }
    }
    // RMS: a bright line across the bar.
    if rms_db > FLOOR_DB {
        let y = y_for(rect, rms_db);
        painter.line_segment(
            [pos2(rect.left(), y), pos2(rect.right(), y)],
            Stroke::new(2.0, egui::Color32::WHITE),
        );
    }
    let zero = y_for(rect, 0.0);
    painter.line_segment(
        [pos2(rect.left(), zero), pos2(rect.right(), zero)],
        Stroke::new(1.0, theme::OVER),
    );
}

fn scale(ui: &mut egui::Ui) {
    let (rect, _) = ui.allocate_exact_size(vec2(24.0, BAR_HEIGHT), Sense::hover());
    let painter = ui.painter_at(rect.expand2(Vec2::new(0.0, 6.0)));
    for db in [6.0, 0.0, -6.0, -12.0, -18.0, -24.0, -36.0, -48.0, -60.0] {
        painter.text(
            Pos2::new(rect.left() + 2.0, y_for(rect, db)),
            Align2::LEFT_CENTER,
            format!("{db:.0}"),
            FontId::monospace(9.0),
            ui.visuals().weak_text_color(),
        );
    }
}
