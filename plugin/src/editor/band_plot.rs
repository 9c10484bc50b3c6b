//! A frequency strip split at a module's crossovers, one bar per band: the multiband
//! compressor's gain reduction, the imager's widths.

use egui::{Align2, Color32, FontId, Rect, Sense, Stroke, pos2};
use lacquer_dsp::filter::crossover::{MAX_BANDS, MAX_CROSSOVERS, clamp_crossovers};

use super::theme;

const LOW_HZ: f64 = 20.0;
const HIGH_HZ: f64 = 20_000.0;
const HEIGHT: f32 = 84.0;

/// One band's bar: how full (0..1), from which edge, its caption, and whether it is lit.
pub struct BandBar {
    pub fill: f32,
    pub caption: String,
    pub lit: bool,
}

/// Where bars grow from.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Grow {
    /// Hanging from the top edge (gain reduction).
    Down,
    /// Standing on the bottom edge (levels, widths).
    Up,
}

/// Draws the strip for `bands` bands split at `crossovers_hz` (as the DSP clamps them, so the
/// picture shows what runs), with `bar(band)` for each. `summary` names it for screen readers.
pub fn band_plot(
    ui: &mut egui::Ui,
    bands: usize,
    crossovers_hz: [f64; MAX_CROSSOVERS],
    grow: Grow,
    summary: &str,
    bar: impl Fn(usize) -> BandBar,
) {
    let width = ui.available_width();
    let (rect, response) = ui.allocate_exact_size(egui::vec2(width, HEIGHT), Sense::hover());
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Image, true, summary));
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 3.0, theme::TRACK);
    let x_of = |f: f64| {
        let position = (f / LOW_HZ).ln() / (HIGH_HZ / LOW_HZ).ln();
        rect.left() + rect.width() * position.clamp(0.0, 1.0) as f32
    };
    let bands = bands.clamp(1, MAX_BANDS);
    // Ordered and clamped to 20 Hz-20 kHz as the bank does (the rate limit is below 0.5 %).
    let crossovers = clamp_crossovers(crossovers_hz, f64::INFINITY);
    let mut edges = vec![rect.left()];
    edges.extend(crossovers[..bands - 1].iter().map(|&f| x_of(f)));
    edges.push(rect.right());
    let weak = ui.visuals().weak_text_color();
    for band in 0..bands {
        let (left, right) = (edges[band], edges[band + 1]);
        let BandBar { fill, caption, lit } = bar(band);
        let depth = rect.height() * fill.clamp(0.0, 1.0);
        let bar_rect = match grow {
            Grow::Down => Rect::from_min_max(
                pos2(left + 2.0, rect.top()),
                pos2(right - 2.0, rect.top() + depth),
            ),
            Grow::Up => Rect::from_min_max(
                pos2(left + 2.0, rect.bottom() - depth),
                pos2(right - 2.0, rect.bottom()),
            ),
        };
        let colour = if lit {
            theme::ACCENT.gamma_multiply(0.7)
        } else {
            Color32::from_gray(90)
        };
        painter.rect_filled(bar_rect, 2.0, colour);
        painter.text(
            pos2(0.5 * (left + right), rect.center().y),
            Align2::CENTER_CENTER,
            caption,
            FontId::proportional(11.0),
            ui.visuals().strong_text_color(),
        );
    }
    for (&x, &f) in edges[1..bands].iter().zip(&crossovers) {
        painter.line_segment(
            [pos2(x, rect.top()), pos2(x, rect.bottom())],
            Stroke::new(1.0, weak),
        );
        painter.text(
            pos2(x + 2.0, rect.bottom() - 2.0),
            Align2::LEFT_BOTTOM,
            if f >= 1_000.0 {
                format!("{:.1}k", f / 1_000.0)
            } else {
                format!("{f:.0}")
            },
            FontId::proportional(10.0),
            weak,
        );
    }
}
