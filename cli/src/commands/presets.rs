//! `lacquer presets [--json]`: the factory presets and the user's, with their targets.

use lacquer_dsp::preset::{Preset, PresetLibrary, factory_presets};
use serde_json::{Value, json};

/// The user's preset library (`$LACQUER_PRESET_DIR` or the platform's config directory).
pub fn user_library() -> Option<PresetLibrary> {
    PresetLibrary::user(dirs::config_dir())
}

pub fn run(json: bool) -> anyhow::Result<()> {
    let library = user_library();
    let mut rows: Vec<Value> = factory_presets()
        .iter()
        .map(|p| describe(p, "factory", None))
        .collect();
    let mut unreadable = Vec::new();
    for (path, preset) in library
        .as_ref()
        .map(PresetLibrary::list)
        .unwrap_or_default()
    {
        match preset {
            Ok(preset) => rows.push(describe(&preset, "user", Some(&path.display().to_string()))),
            Err(error) => unreadable.push(format!("{}: {error}", path.display())),
        }
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&rows)?);
    } else {
        print!("{}", table(&rows));
        if let Some(library) = &library {
            println!("\nuser presets: {}", library.dir().display());
        }
    }
    for problem in unreadable {
        eprintln!("lacquer: skipped unreadable preset {problem}");
    }
    Ok(())
}

/// One preset as a JSON object: where it comes from and its output target.
fn describe(preset: &Preset, source: &str, path: Option<&str>) -> Value {
    let spec = preset.params.target_spec();
    json!({
        "name": preset.name,
        "source": source,
        "path": path,
        "description": preset.description,
        "target": preset.target_name(),
        "target_lufs": spec.lufs,
        "ceiling_dbtp": spec.max_true_peak_dbtp,
    })
}

fn table(rows: &[Value]) -> String {
    let text = |row: &Value, key: &str| row[key].as_str().unwrap_or_default().to_owned();
    let width = rows
        .iter()
        .map(|r| text(r, "name").chars().count())
        .max()
        .unwrap_or(4)
        .max(4);
    let mut out = format!(
        "{:width$}  {:7}  {:12}  {:>6}  {:>7}  DESCRIPTION\n",
        "NAME", "SOURCE", "TARGET", "LUFS", "CEILING"
    );
    for row in rows {
        out += &format!(
            "{:width$}  {:7}  {:12}  {:>6.1}  {:>7.1}  {}\n",
            text(row, "name"),
            text(row, "source"),
            text(row, "target"),
            row["target_lufs"].as_f64().unwrap_or_default(),
            row["ceiling_dbtp"].as_f64().unwrap_or_default(),
            text(row, "description"),
        );
    }
    out
}
