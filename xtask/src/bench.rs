//! `cargo xtask bench`: the criterion benchmarks (each side by side with a peer where one
//! exists in Rust; the resampler against rubato), then the limiter shootout: the same 60 s
//! through Lacquer's limiter, x42-dpl and LSP Limiter, CPU time and worst true-peak overshoot
//! side by side; then `lacquer master`'s realtime factor on 10 minutes of 48 kHz stereo, on 1
//! and 2 threads. The peers are Debian packages, installed when running as root; without them
//! their rows say so.

use crate::{cmd, setup};

/// Extra arguments go to criterion (e.g. a benchmark name filter).
pub fn run(args: &[String]) -> anyhow::Result<()> {
    if let Err(error) = setup::run(&setup::Needs::peers()) {
        eprintln!("the peer limiters cannot be installed ({error:#}); benchmarking without them");
    }
    let mut bench = vec!["bench", "-p", "lacquer-dsp"];
    for name in [
        "limiter",
        "oversampling",
        "meter",
        "chain",
        "eq",
        "linear_phase",
        "analyser",
        "dynamics",
    ] {
        bench.extend(["--bench", name]);
    }
    if !args.is_empty() {
        bench.push("--");
        bench.extend(args.iter().map(String::as_str));
    }
    cmd::run("cargo", &bench)?;
    let mut resample = vec!["bench", "-p", "lacquer-cli", "--bench", "resample"];
    if !args.is_empty() {
        resample.push("--");
        resample.extend(args.iter().map(String::as_str));
    }
    cmd::run("cargo", &resample)?;
    for bin in ["limiter-shootout", "master-bench"] {
        cmd::run(
            "cargo",
            &["run", "--release", "-p", "lacquer-tests", "--bin", bin],
        )?;
    }
    Ok(())
}
