//! What the limiter is doing: gain reduction now and over the last 2.5 s, and the proof that
//! the ceiling held (the true peak it let through, and its overs).

use egui::{Align2, FontId, RichText, Sense, Shape, Stroke, pos2, vec2};
use lacquer_dsp::limiter::LimiterReadings;

use super::theme;

const PLOT_SIZE: egui::Vec2 = egui::Vec2::new(290.0, 84.0);
/// The plot's depth unless the reduction goes deeper, dB.
const MIN_DEPTH_DB: f32 = 6.0;

/// The gain-reduction figures and history, and the ceiling readout.
pub fn limiter_panel(ui: &mut egui::Ui, readings: &LimiterReadings, enabled: bool) {
    ui.horizontal(|ui| {
        ui.label(RichText::new("Gain reduction").strong());
        // Reductions are never negative; `max` also turns -0.0 into 0.0.
        let text = format!(
            "{:.1} dB  (max {:.1})",
            readings.gain_reduction_db.max(0.0),
            readings.max_gain_reduction_db.max(0.0)
        );
        ui.label(RichText::new(text).monospace())
            .on_hover_text("Now, and the most since the meters were reset");
    });
    history_plot(ui, readings);
    ceiling_readout(ui, readings, enabled);
}

/// Gain reduction per 10 ms, hanging from the top edge, newest on the right.
fn history_plot(ui: &mut egui::Ui, readings: &LimiterReadings) {
    let (rect, response) = ui.allocate_exact_size(PLOT_SIZE, Sense::hover());
    let deepest = readings
        .history_db
        .iter()
        .copied()
        .fold(MIN_DEPTH_DB, f32::max);
    response.widget_info(|| {
        egui::WidgetInfo::labeled(
            egui::Role::Image,
            true,
            format!("Gain reduction history, deepest {deepest:.1} dB"),
        )
    });
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 3.0, theme::TRACK);
    let steps = readings.history_db.len();
    let x = |i: usize| rect.left() + rect.width() * i as f32 / (steps - 1) as f32;
    let y = |db: f32| rect.top() + rect.height() * (db / deepest).clamp(0.0, 1.0);
    let mut outline: Vec<_> = (0..steps)
        .map(|i| pos2(x(i), y(readings.history_db[i])))
        .collect();
    for (i, &db) in readings.history_db.iter().enumerate() {
        if db > 0.0 {
            painter.line_segment(
                [pos2(x(i), rect.top()), pos2(x(i), y(db))],
                Stroke::new(1.5, theme::ACCENT.gamma_multiply(0.45)),
            );
        }
    }
    outline.dedup();
    painter.add(Shape::line(outline, Stroke::new(1.2, theme::ACCENT)));
    painter.text(
        rect.left_bottom() + vec2(4.0, -3.0),
        Align2::LEFT_BOTTOM,
        format!("-{deepest:.0} dB"),
        FontId::proportional(10.0),
        ui.visuals().weak_text_color(),
    );
}

/// "Ceiling held": the output's true peak since reset and the over count, green or red.
fn ceiling_readout(ui: &mut egui::Ui, readings: &LimiterReadings, enabled: bool) {
    let peak = readings.output_true_peak_dbtp;
    let peak_text = if peak.is_finite() {
        format!("{peak:.2} dBTP")
    } else {
        "– dBTP".to_owned()
    };
    let (status, color) = match (enabled, readings.overs) {
        (false, _) => ("limiter off".to_owned(), ui.visuals().weak_text_color()),
        _ if !peak.is_finite() => ("no signal yet".to_owned(), ui.visuals().weak_text_color()),
        (true, 0) => ("ceiling held".to_owned(), theme::FILL),
        (true, overs) => (format!("{overs} overs"), theme::OVER),
    };
    ui.label(RichText::new(format!("Limiter out: {peak_text} true peak · {status}")).color(color))
        .on_hover_text(
            "The limiter's output measured after limiting (exact true peak): an over is a peak \
             more than 0.005 dB above the ceiling",
        );
}
