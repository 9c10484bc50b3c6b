//! `lacquer params [--json]`

use lacquer_dsp::params::{ParamKind, ParamSpec, param_table};
use serde_json::{Value, json};

pub fn run(json: bool) -> anyhow::Result<()> {
    if json {
        let list: Vec<Value> = param_table().iter().map(describe).collect();
        println!("{}", serde_json::to_string_pretty(&list)?);
    } else {
        print!("{}", table());
    }
    Ok(())
}

/// One parameter as a JSON object.
pub fn describe(spec: &ParamSpec) -> Value {
    let (min, max) = spec.range();
    let (kind, choices) = match spec.kind {
        ParamKind::Float { .. } => ("float", Value::Null),
        ParamKind::Choice(choices) => ("choice", json!(choices)),
        ParamKind::Toggle => ("toggle", json!(["Off", "On"])),
    };
    json!({
        "id": spec.id,
        "module": spec.group,
        "name": spec.name,
        "kind": kind,
        "unit": spec.unit.symbol(),
        "min": min,
        "max": max,
        "default": spec.default,
        "default_text": spec.format(spec.default),
        "choices": choices,
    })
}

/// The parameter list as an aligned text table.
pub fn table() -> String {
    let rows: Vec<[String; 5]> = param_table()
        .iter()
        .map(|spec| {
            let range = match spec.kind {
                ParamKind::Float { min, max, .. } => {
                    format!("{} .. {}", spec.format(min), spec.format(max))
                }
                ParamKind::Choice(choices) => choices.join(" | "),
                ParamKind::Toggle => "Off | On".to_owned(),
            };
            [
                spec.id.clone(),
                spec.group.clone(),
                spec.name.clone(),
                range,
                spec.format(spec.default),
            ]
        })
        .collect();
    let header = ["ID", "MODULE", "NAME", "RANGE", "DEFAULT"].map(str::to_owned);
    let mut widths = header.clone().map(|h| h.len());
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        let line: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    out
}
