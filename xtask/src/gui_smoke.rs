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

/// Starts `program` on the test display; its output goes to `log` (or nowhere).
fn spawn(program: &Path, args: &[&str], log: Option<&Path>) -> anyhow::Result<Guard> {
    let (stdout, stderr) = match log {
        Some(path) => {
            let file = std::fs::File::create(path)?;
            (Stdio::from(file.try_clone()?), Stdio::from(file))
        }
        None => (Stdio::null(), Stdio::null()),
    };
    let child = Command::new(program)
        .args(args)
        .env("DISPLAY", DISPLAY)
        .env("LIBGL_ALWAYS_SOFTWARE", "1")
        .env("RUST_BACKTRACE", "1")
        .stdout(stdout)
        .stderr(stderr)
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

/// The id of the editor's top-level window, by xdotool or else by xwininfo's tree.
fn find_window() -> Option<String> {
    if let Some(id) = x("xdotool", &["search", "--name", "^Lacquer$"])
        .and_then(|ids| ids.lines().next().map(str::to_owned))
    {
        return Some(id);
    }
    x("xwininfo", &["-root", "-tree"])?
        .lines()
        .find(|line| line.contains("\"Lacquer\""))
        .and_then(|line| line.split_whitespace().next().map(str::to_owned))
}

pub fn run(standalone: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all("target/gui")?;
    // -noreset: without it Xvfb restarts whenever its last client disconnects (our probes do),
    // and an app connecting during the restart fails to open the display; nice-plug's
    // standalone then waits silently forever (measured: 3 runs in 30 without, 0 in 60 with).
    let _xvfb = spawn(
        Path::new("Xvfb"),
        &[
            DISPLAY,
            "-screen",
            "0",
            "1280x1024x24",
            "-nolisten",
            "tcp",
            "-noreset",
        ],
        None,
    )?;
    wait_for("Xvfb", Duration::from_secs(10), || x("xdpyinfo", &[]))?;
    let log = Path::new("target/gui/standalone.log");
    let mut app = spawn(standalone, &["--backend", "dummy"], Some(log))?;
    let found = wait_for("the Lacquer window", Duration::from_secs(60), || {
        if let Ok(Some(status)) = app.0.try_wait() {
            return Some(Err(status));
        }
        find_window().map(Ok)
    });
    let window = match found {
        Ok(Ok(window)) => window,
        Ok(Err(status)) => bail!(
            "the standalone app exited ({status}) before its window appeared; it printed:\n{}",
            std::fs::read_to_string(log).unwrap_or_default()
        ),
        Err(timeout) => bail!(
            "{timeout}; the standalone app printed:\n{}\nX windows:\n{}",
            std::fs::read_to_string(log).unwrap_or_default(),
            x("xwininfo", &["-root", "-tree"]).unwrap_or_default()
        ),
    };
    sleep(Duration::from_secs(2));
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
