//! The standalone app opens its editor in a real X window (Xvfb, Mesa software GL) and draws
//! something other than a blank rectangle. The screenshot is kept in `target/gui/`.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::cmd;

const DISPLAY: &str = ":97";
const EDITOR_SIZE: (u32, u32) = (860, 840);

/// Kills a child process when dropped, so a failed check never leaves Xvfb running.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn(program: &Path, args: &[&str]) -> anyhow::Result<Guard> {
    let child = Command::new(program)
        .args(args)
        .env("DISPLAY", DISPLAY)
        .env("LIBGL_ALWAYS_SOFTWARE", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("cannot start {}", program.display()))?;
    Ok(Guard(child))
}

fn wait_for<T>(
    what: &str,
    timeout: Duration,
    mut probe: impl FnMut() -> Option<T>,
) -> anyhow::Result<T> {
    let start = Instant::now();
    while start.elapsed() < timeout {
        if let Some(value) = probe() {
            return Ok(value);
        }
        sleep(Duration::from_millis(200));
    }
    bail!("timed out after {timeout:?} waiting for {what}")
}

fn x(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program)
        .args(args)
        .env("DISPLAY", DISPLAY)
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

pub fn run(standalone: &Path) -> anyhow::Result<()> {
    let _xvfb = spawn(
        Path::new("Xvfb"),
        &[DISPLAY, "-screen", "0", "1280x1024x24", "-nolisten", "tcp"],
    )?;
    wait_for("Xvfb", Duration::from_secs(10), || x("xdpyinfo", &[]))?;
    let _app = spawn(standalone, &["--backend", "dummy"])?;
    let window = wait_for("the Lacquer window", Duration::from_secs(30), || {
        x("xdotool", &["search", "--name", "^Lacquer$"])
            .and_then(|ids| ids.lines().next().map(str::to_owned))
    })?;
    sleep(Duration::from_secs(2));
    std::fs::create_dir_all("target/gui")?;
    let shot = "target/gui/standalone.png";
    wait_for("a screenshot", Duration::from_secs(10), || {
        x("/usr/bin/import", &["-window", &window, shot])
    })?;
    let stats = cmd::output(
        "/usr/bin/convert",
        &[shot, "-format", "%w %h %[fx:standard_deviation]", "info:"],
    )?;
    let fields: Vec<&str> = stats.split_whitespace().collect();
    let (width, height, deviation): (u32, u32, f64) =
        (fields[0].parse()?, fields[1].parse()?, fields[2].parse()?);
    if (width, height) != EDITOR_SIZE {
        bail!(
            "editor window is {width}x{height}, expected {}x{}",
            EDITOR_SIZE.0,
            EDITOR_SIZE.1
        );
    }
    if deviation < 0.02 {
        bail!("editor window looks blank (pixel standard deviation {deviation:.4}); see {shot}");
    }
    eprintln!(
        "editor drawn at {width}x{height} (pixel deviation {deviation:.3}); screenshot: {shot}"
    );
    Ok(())
}
