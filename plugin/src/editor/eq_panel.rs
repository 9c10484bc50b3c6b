//! The EQ: its curve (the designed bands' magnitudes, summed) over the spectra into and out of
//! it, a band selector and the selected band's controls.

use egui::{Align2, FontId, RichText, Sense, Shape, Stroke, pos2};
use lacquer_dsp::analyser::SpectrumFrame;
use lacquer_dsp::eq::{BANDS, ChannelMode, EqParams};

use super::param_control::{self, ParamAccess};
use super::theme;
use crate::meters::EqSpectra;
use crate::params::LacquerParams;

const PLOT_HEIGHT: f32 = 220.0;
/// The spectra's scale, on its own (as in Pro-Q): the top edge and the span below it, dB.
const SPECTRUM_TOP_DB: f32 = 0.0;
const SPECTRUM_SPAN_DB: f32 = 90.0;
/// The plot's frequency and gain span.
const LOW_HZ: f64 = 20.0;
const HIGH_HZ: f64 = 20_000.0;
const RANGE_DB: f32 = 18.0;
/// The curve is drawn for this rate: the bands' design is analog-accurate, so it is the sound
/// at any rate to within the EQ's documented deviation.
const DISPLAY_RATE: f64 = 48_000.0;
const CURVE_POINTS: usize = 200;

/// Which band's controls are shown; kept in egui's memory between frames.
fn selected_id() -> egui::Id {
    egui::Id::unique("lacquer_eq_selected_band")
}

/// The curve, the band selector and the selected band's controls.
pub fn eq_panel(
    ui: &mut egui::Ui,
    params: &LacquerParams,
    eq: &EqParams,
    spectra: &EqSpectra,
    access: &dyn ParamAccess,
) {
    param_control::row(ui, params, access, "EQ", &["eq_on", "eq_phase"]);
    curve_plot(ui, eq, spectra);
    let mut selected: usize = ui.data(|d| d.get_temp(selected_id())).unwrap_or(0);
    ui.horizontal(|ui| {
        ui.label("Band");
        for (index, band) in eq.bands.iter().enumerate() {
            let label = RichText::new(format!("{}", index + 1)).color(if band.enabled {
                theme::ACCENT
            } else {
                ui.visuals().weak_text_color()
            });
            let response = ui.selectable_label(selected == index, label);
            if response.clicked() {
                selected = index;
            }
        }
    });
    ui.data_mut(|d| d.insert_temp(selected_id(), selected));
    let prefix = format!("eq{}_", selected + 1);
    let band_name = format!("Band {}", selected + 1);
    param_control::grid(ui, params, access, (2, &band_name), |spec| {
        spec.id.starts_with(&prefix)
    });
}

/// Sum of the sounding bands on each part, as the engineer set them: left/right/stereo in the
/// accent colour, mid and side bands in their own when there are any.
fn curve_plot(ui: &mut egui::Ui, eq: &EqParams, spectra: &EqSpectra) {
    let width = ui.available_width();
    let (rect, response) = ui.allocate_exact_size(egui::vec2(width, PLOT_HEIGHT), Sense::hover());
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 3.0, theme::TRACK);
    let x_of =
        |f: f64| rect.left() + rect.width() * ((f / LOW_HZ).ln() / (HIGH_HZ / LOW_HZ).ln()) as f32;
    let y_of = |db: f32| rect.center().y - rect.height() * 0.5 * (db / RANGE_DB).clamp(-1.0, 1.0);
    let grid = Stroke::new(1.0, ui.visuals().weak_text_color().gamma_multiply(0.3));
    for f in [100.0, 1_000.0, 10_000.0] {
        painter.line_segment(
            [pos2(x_of(f), rect.top()), pos2(x_of(f), rect.bottom())],
            grid,
        );
        painter.text(
            pos2(x_of(f) + 2.0, rect.bottom() - 2.0),
            Align2::LEFT_BOTTOM,
            if f >= 1_000.0 {
                format!("{}k", f / 1_000.0)
            } else {
                format!("{f}")
            },
            FontId::proportional(10.0),
            ui.visuals().weak_text_color(),
        );
    }
    painter.line_segment(
        [pos2(rect.left(), y_of(0.0)), pos2(rect.right(), y_of(0.0))],
        grid,
    );

    spectrum(&painter, rect, &spectra.input, &x_of, None);
    spectrum(&painter, rect, &spectra.output, &x_of, Some(theme::FILL));

    let curves = cached_curves(ui, eq);
    let line = |db: &[f32]| -> Vec<egui::Pos2> {
        db.iter()
            .enumerate()
            .map(|(i, &db)| pos2(x_of(curve_freq(i)), y_of(db)))
            .collect()
    };
    for (part, colour) in [
        (ChannelMode::Side, egui::Color32::from_rgb(120, 170, 255)),
        (ChannelMode::Mid, egui::Color32::from_rgb(150, 220, 140)),
        (ChannelMode::Right, egui::Color32::from_rgb(240, 150, 120)),
    ] {
        if let Some(db) = curves.part(part) {
            painter.add(Shape::line(line(db), Stroke::new(1.5, colour)));
        }
    }
    painter.add(Shape::line(
        line(&curves.left),
        Stroke::new(2.0, theme::ACCENT),
    ));
    let sounding = curves.sounding;
    let loudest = spectra
        .output
        .points()
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(hz, db)| format!(", spectrum peak {db:.0} dB at {hz:.0} Hz"))
        .unwrap_or_default();
    response.widget_info(|| {
        egui::WidgetInfo::labeled(
            egui::Role::Image,
            true,
            format!("EQ curve, {sounding} of {BANDS} bands sounding{loudest}"),
        )
    });
}

/// One spectrum on its own dB scale: the EQ's input as a grey outline, its output (`fill`) as
/// translucent columns under an outline.
fn spectrum(
    painter: &egui::Painter,
    rect: egui::Rect,
    frame: &SpectrumFrame,
    x_of: &dyn Fn(f64) -> f32,
    fill: Option<egui::Color32>,
) {
    let y_of = |db: f32| {
        let depth = ((SPECTRUM_TOP_DB - db) / SPECTRUM_SPAN_DB).clamp(0.0, 1.0);
        rect.top() + rect.height() * depth
    };
    let points: Vec<egui::Pos2> = frame
        .points()
        .map(|(hz, db)| pos2(x_of(f64::from(hz)), y_of(db)))
        .collect();
    let outline = match fill {
        Some(colour) => {
            for point in &points {
                painter.line_segment(
                    [*point, pos2(point.x, rect.bottom())],
                    Stroke::new(2.5, colour.gamma_multiply(0.18)),
                );
            }
            colour.gamma_multiply(0.6)
        }
        None => egui::Color32::from_gray(120),
    };
    painter.add(Shape::line(points, Stroke::new(1.0, outline)));
}

/// Frequency of curve point `i`, log-spaced over the plot.
fn curve_freq(i: usize) -> f64 {
    LOW_HZ * (HIGH_HZ / LOW_HZ).powf(i as f64 / (CURVE_POINTS - 1) as f64)
}

/// The curves in dB for one set of EQ settings. Designing the bands and evaluating them costs
/// about a millisecond, so the result is kept in egui's memory until the settings change.
#[derive(Clone)]
struct Curves {
    params: EqParams,
    sounding: usize,
    left: Vec<f32>,
    /// Right, mid and side, where some band acts on that part alone.
    others: Vec<(ChannelMode, Vec<f32>)>,
}

impl Curves {
    fn new(eq: &EqParams) -> Self {
        let designed: Vec<_> = eq
            .bands
            .iter()
            .filter(|b| eq.enabled && b.is_audible())
            .map(|b| (b.mode, b.clamped().digital_sections(DISPLAY_RATE)))
            .collect();
        let curve = |part: ChannelMode| -> Vec<f32> {
            (0..CURVE_POINTS)
                .map(|i| {
                    designed
                        .iter()
                        .filter(|(mode, _)| *mode == ChannelMode::Stereo || *mode == part)
                        .flat_map(|(_, (sections, count))| sections[..*count].iter())
                        .map(|c| c.magnitude_db(curve_freq(i), DISPLAY_RATE))
                        .sum::<f64>() as f32
                })
                .collect()
        };
        let others = [ChannelMode::Right, ChannelMode::Mid, ChannelMode::Side]
            .into_iter()
            .filter(|&part| designed.iter().any(|(mode, _)| *mode == part))
            .map(|part| (part, curve(part)))
            .collect();
        Self {
            params: eq.clone(),
            sounding: designed.len(),
            left: curve(ChannelMode::Left),
            others,
        }
    }

    fn part(&self, part: ChannelMode) -> Option<&[f32]> {
        self.others
            .iter()
            .find(|(mode, _)| *mode == part)
            .map(|(_, db)| db.as_slice())
    }
}

fn cached_curves(ui: &egui::Ui, eq: &EqParams) -> Curves {
    let id = egui::Id::unique("lacquer_eq_curves");
    let cached: Option<Curves> = ui.data(|d| d.get_temp(id));
    match cached {
        Some(curves) if curves.params == *eq => curves,
        _ => {
            let curves = Curves::new(eq);
            ui.data_mut(|d| d.insert_temp(id, curves.clone()));
            curves
        }
    }
}
