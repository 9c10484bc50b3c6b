//! `cargo xtask <task>`: Lacquer's project tasks.
//!
//! - `demo`     build the release bundles and master a synthesized demo mix
//! - `test`     everything CI runs: format, clippy, tests, bundles, real hosts, GUI smoke test
//! - `bench`    criterion benchmarks and the limiter shootout against x42-dpl and LSP
//! - `bundle`   nice-plug's bundler (`cargo xtask bundle lacquer --release`) plus the standalone
//! - `gui`      open the already-built release standalone under Xvfb and screenshot it
//! - `install`  copy the bundles into ~/.clap and ~/.vst3
//! - `setup`    install what the tests need (Debian packages as root, the Python venv)

use std::process::ExitCode;

mod bench;
mod bundle;
mod cmd;
mod demo;
mod gui_smoke;
mod install;
mod setup;
mod test;

const USAGE: &str =
    "usage: cargo xtask <demo | test | bench [FILTER] | bundle ARGS | gui | install | setup>";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let task = args.next().unwrap_or_default();
    let rest: Vec<String> = args.collect();
    let result = nice_plug_xtask::chdir_workspace_root().and_then(|()| match task.as_str() {
        "demo" => demo::run(),
        "test" => test::run(&rest),
        "bench" => bench::run(&rest),
        "bundle" => bundle::run(&rest),
        "gui" => gui_smoke::run(&bundle::Bundles::locate().standalone),
        "install" => install::run(),
        "setup" => setup::run(&setup::Needs::all()),
        _ => Err(anyhow::anyhow!("{USAGE}")),
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("xtask {task}: {error:#}");
            ExitCode::FAILURE
        }
    }
}
