//! One control per parameter: a drag slider, a switch, or a list of options.

use egui::{Align2, FontId, Sense, vec2};
use lacquer_dsp::ChainParams;
use lacquer_dsp::params::{ParamKind, ParamSpec};
use nice_plug::prelude::ParamPtr;

use super::theme;
use crate::params::LacquerParams;

/// Pixels of horizontal drag for the whole range (shift drags ten times finer).
const DRAG_RANGE_PX: f32 = 300.0;
const CONTROL_SIZE: egui::Vec2 = egui::Vec2::new(180.0, 20.0);

/// How controls change parameters: begin/set/end gestures, so hosts record automation properly.
pub trait ParamAccess {
    fn begin(&self, param: ParamPtr);
    fn set_normalized(&self, param: ParamPtr, normalized: f32);
    fn end(&self, param: ParamPtr);
}

fn set_once(access: &dyn ParamAccess, param: ParamPtr, normalized: f32) {
    access.begin(param);
    access.set_normalized(param, normalized);
    access.end(param);
}

/// Draws the control for one parameter: name on the left, control on the right.
pub fn control(ui: &mut egui::Ui, spec: &ParamSpec, param: ParamPtr, access: &dyn ParamAccess) {
    labelled(ui, spec, param, access, &spec.name);
}

/// As [`control`], shown as `label` (a panel names its module once, not on every row); screen
/// readers and tests still find it by the parameter's full name.
fn labelled(
    ui: &mut egui::Ui,
    spec: &ParamSpec,
    param: ParamPtr,
    access: &dyn ParamAccess,
    label: &str,
) {
    ui.horizontal(|ui| {
        ui.add_sized(vec2(100.0, 20.0), egui::Label::new(label).truncate())
            .on_hover_text(&spec.name);
        match spec.kind {
            ParamKind::Float { .. } => slider(ui, spec, param, access),
            ParamKind::Toggle => switch(ui, spec, param, access),
            ParamKind::Choice(choices) => options(ui, spec, choices, param, access),
        }
    });
}

fn slider(ui: &mut egui::Ui, spec: &ParamSpec, param: ParamPtr, access: &dyn ParamAccess) {
    let (rect, response) = ui.allocate_exact_size(CONTROL_SIZE, Sense::click_and_drag());
    // SAFETY (all `param` calls here): the pointer comes from `LacquerParams`, alive while the
    // editor is.
    let normalized = unsafe { param.unmodulated_normalized_value() };
    let text = unsafe { param.normalized_value_to_string(normalized, true) };
    response.widget_info(|| egui::WidgetInfo::slider(true, normalized as f64, &spec.name));

    if response.double_clicked() {
        set_once(access, param, unsafe { param.default_normalized_value() });
    } else if response.drag_started() {
        access.begin(param);
    }
    if response.dragged() {
        let fine = if ui.input(|i| i.modifiers.shift) {
            0.1
        } else {
            1.0
        };
        let delta = response.drag_delta().x / DRAG_RANGE_PX * fine;
        access.set_normalized(param, (normalized + delta).clamp(0.0, 1.0));
    }
    if response.drag_stopped() {
        access.end(param);
    }

    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 3.0, theme::TRACK);
    let mut fill = rect;
    fill.set_width(rect.width() * normalized);
    painter.rect_filled(fill, 3.0, theme::FILL.gamma_multiply(0.6));
    painter.text(
        rect.center(),
        Align2::CENTER_CENTER,
        text,
        FontId::proportional(12.0),
        ui.visuals().strong_text_color(),
    );
    response.on_hover_text("Drag to change, shift-drag for fine steps, double-click for default");
}

fn switch(ui: &mut egui::Ui, spec: &ParamSpec, param: ParamPtr, access: &dyn ParamAccess) {
    // SAFETY: see `slider`.
    let on = unsafe { param.unmodulated_normalized_value() } >= 0.5;
    let response = ui.add(egui::Button::selectable(on, if on { "On" } else { "Off" }));
    response.widget_info(|| egui::WidgetInfo::selected(egui::Role::Switch, true, on, &spec.name));
    if response.clicked() {
        set_once(access, param, if on { 0.0 } else { 1.0 });
    }
}

fn options(
    ui: &mut egui::Ui,
    spec: &ParamSpec,
    choices: &[&str],
    param: ParamPtr,
    access: &dyn ParamAccess,
) {
    // SAFETY: see `slider`.
    let normalized = unsafe { param.unmodulated_normalized_value() };
    let last = (choices.len() - 1).max(1) as f32;
    let current = (normalized * last).round() as usize;
    let selected = choices[current.min(choices.len() - 1)];
    egui::ComboBox::from_id_salt(&spec.id)
        .width(CONTROL_SIZE.x)
        .selected_text(selected)
        .show_ui(ui, |ui| {
            for (index, choice) in choices.iter().enumerate() {
                if ui.selectable_label(index == current, *choice).clicked() && index != current {
                    set_once(access, param, index as f32 / last);
                }
            }
        })
        .response
        .widget_info(|| {
            egui::WidgetInfo::labeled(
                egui::Role::ComboBox,
                true,
                format!("{}: {selected}", spec.name),
            )
        });
}

/// The name shown for a parameter in its module's panel: without the module's `prefix`
/// (`MB1 Threshold` → `Threshold`), unless that leaves nothing.
fn short_name<'a>(name: &'a str, prefix: &str) -> &'a str {
    name.strip_prefix(prefix)
        .map(str::trim_start)
        .filter(|rest| !rest.is_empty())
        .unwrap_or(name)
}

/// Controls for the parameters `show` accepts, in table order, filling `columns` columns row
/// by row, their names shown without `prefix`.
pub fn grid(
    ui: &mut egui::Ui,
    params: &LacquerParams,
    access: &dyn ParamAccess,
    (columns, prefix): (usize, &str),
    show: impl Fn(&ParamSpec) -> bool,
) {
    let entries: Vec<_> = params.entries().filter(|(spec, _)| show(spec)).collect();
    ui.columns(columns, |cells| {
        for (i, (spec, ptr)) in entries.into_iter().enumerate() {
            let label = short_name(&spec.name, prefix);
            labelled(&mut cells[i % columns], spec, ptr, access, label);
        }
    });
}

/// The controls of the parameters `ids`, side by side on one row, their names shown without
/// `prefix`.
pub fn row(
    ui: &mut egui::Ui,
    params: &LacquerParams,
    access: &dyn ParamAccess,
    prefix: &str,
    ids: &[&str],
) {
    ui.horizontal(|ui| {
        for id in ids {
            if let Some((spec, ptr)) = params.entries().find(|(s, _)| s.id == *id) {
                labelled(ui, spec, ptr, access, short_name(&spec.name, prefix));
            }
        }
    });
}

/// Whether a per-band or per-crossover parameter (`…_xover2`, `…_width3`) belongs to one of
/// the first `bands` bands; parameters of neither kind always do.
pub fn band_in_use(id: &str, bands: usize) -> bool {
    let numbered = |stem: &str| {
        id.rsplit_once(stem)
            .and_then(|(_, n)| n.parse::<usize>().ok())
    };
    match (numbered("_xover"), numbered("_width")) {
        (Some(crossover), _) => crossover < bands,
        (_, Some(band)) => band <= bands,
        _ => true,
    }
}

/// Moves every parameter whose value differs from `target` there, each as one gesture (a
/// preset or an A/B switch; the chain glides, so it does not click).
pub fn apply_chain_params(params: &LacquerParams, target: &ChainParams, access: &dyn ParamAccess) {
    let current = params.chain_params();
    for (spec, ptr) in params.entries() {
        let value = target.get(spec.key);
        if value != current.get(spec.key) {
            // SAFETY: the pointer comes from `LacquerParams`, alive while the editor is.
            let normalized = unsafe { ptr.preview_normalized(value as f32) };
            set_once(access, ptr, normalized);
        }
    }
}

/// Sets one parameter by id to a plain value, as one gesture.
pub fn set_plain(params: &LacquerParams, id: &str, value: f64, access: &dyn ParamAccess) {
    if let Some(ptr) = params.ptr(id) {
        // SAFETY: as above.
        let normalized = unsafe { ptr.preview_normalized(value as f32) };
        set_once(access, ptr, normalized);
    }
}
