//! `lacquer analyze FILE... [--json]`

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::bail;
use indicatif::{ProgressBar, ProgressStyle};

use crate::analysis::{analyze, table};

pub fn run(files: &[PathBuf], json: bool) -> anyhow::Result<()> {
    let show_progress = !json && std::io::stderr().is_terminal();
    let mut analyses = Vec::new();
    let mut failures = 0;
    for file in files {
        let bar = show_progress.then(|| {
            let bar = ProgressBar::hidden();
            bar.set_style(
                ProgressStyle::with_template("{msg} [{bar:40}] {percent}% {eta}")
                    .expect("valid template")
                    .progress_chars("=> "),
            );
            bar.set_message(file.display().to_string());
            bar
        });
        let result = analyze(file, bar.as_ref());
        if let Some(bar) = &bar {
            bar.finish_and_clear();
        }
        match result {
            Ok(analysis) => {
                if json {
                    println!("{}", analysis.to_json());
                }
                analyses.push(analysis);
            }
            Err(error) => {
                eprintln!("lacquer: error: {error:#}");
                failures += 1;
            }
        }
    }
    if !json && !analyses.is_empty() {
        print!("{}", table(&analyses));
    }
    if failures > 0 {
        bail!("{failures} of {} files could not be analyzed", files.len());
    }
    Ok(())
}
