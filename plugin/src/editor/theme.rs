//! Colours and frames shared by the editor's widgets.

use egui::{Color32, CornerRadius, Frame, Margin, Stroke};

/// Lacquer's accent: a warm lacquer red.
pub const ACCENT: Color32 = Color32::from_rgb(214, 74, 58);
/// Background of meters and sliders.
pub const TRACK: Color32 = Color32::from_rgb(28, 30, 34);
/// Fill of sliders and safe meter levels.
pub const FILL: Color32 = Color32::from_rgb(96, 178, 140);
/// Meter levels approaching full scale.
pub const WARN: Color32 = Color32::from_rgb(230, 190, 80);
/// Meter levels at or over full scale.
pub const OVER: Color32 = Color32::from_rgb(235, 70, 60);

/// Dark visuals.
pub fn apply(ctx: &egui::Context) {
    ctx.set_visuals(egui::Visuals::dark());
}

/// The editor's background, with a margin to the window edge.
pub fn window() -> Frame {
    Frame::new()
        .fill(Color32::from_rgb(22, 23, 26))
        .inner_margin(Margin::same(10))
}

/// The frame around one module's controls.
pub fn section() -> Frame {
    Frame::new()
        .fill(Color32::from_rgb(36, 38, 43))
        .stroke(Stroke::new(1.0, Color32::from_rgb(55, 58, 64)))
        .corner_radius(CornerRadius::same(4))
        .inner_margin(Margin::same(8))
}
