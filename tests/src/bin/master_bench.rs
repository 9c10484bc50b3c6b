//! `cargo xtask bench`'s `lacquer master` timing: 10 minutes of 48 kHz stereo (the demo mix,
//! 24-bit WAV) mastered with the default preset to Spotify's target and delivered for
//! streaming (44.1 kHz/24-bit), everything included: decoding, resampling, the chain, the
//! loudness search, dither, measurement, encoding and writing. Reports the realtime factor on
//! one thread (wall clock and process CPU time, best and median of three runs), then the
//! scaling: two such tracks on 1 and on 2 threads.

use std::path::PathBuf;
use std::time::Instant;

use lacquer_cli::audio_file::{Audio, SampleFormat, write_wav};
use lacquer_cli::demo::demo_mix;
use lacquer_cli::master::delivery::{Container, Delivery};
use lacquer_cli::master::{MasterJob, Target};
use lacquer_dsp::ChainParams;
use lacquer_dsp::target::LoudnessTarget;

const SECONDS: f64 = 600.0;
const RATE: u32 = 48_000;
/// Runs of the one-track case.
const RUNS: usize = 3;

/// CPU time of the whole process (all threads) so far, seconds.
fn process_cpu_s() -> f64 {
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage writes into the struct we own.
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 * 1e-6;
    seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

/// Masters `inputs` on `threads` threads: (wall seconds, CPU seconds, renders per track).
fn master(inputs: &[PathBuf], threads: usize) -> anyhow::Result<(f64, f64, Vec<usize>)> {
    let out = tempfile::tempdir()?;
    let params = ChainParams::default();
    let job = MasterJob {
        inputs: inputs.to_vec(),
        out_dir: out.path().to_path_buf(),
        target: Target::resolve(&params, Some(LoudnessTarget::Spotify), None, None),
        params,
        deliveries: vec![Delivery::Streaming],
        containers: vec![Container::Wav],
        album: false,
        force: false,
        threads,
        show_progress: false,
    };
    let (cpu, wall) = (process_cpu_s(), Instant::now());
    let outcome = job.run()?;
    let (wall, cpu) = (wall.elapsed().as_secs_f64(), process_cpu_s() - cpu);
    if let Some((input, error)) = outcome.failures.first() {
        anyhow::bail!("{}: {error:#}", input.display());
    }
    Ok((wall, cpu, outcome.files.iter().map(|f| f.renders).collect()))
}

fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let mut inputs = Vec::new();
    for (name, gain) in [("a.wav", 1.0f32), ("b.wav", 0.7)] {
        let mut channels = demo_mix(RATE, SECONDS);
        channels.iter_mut().flatten().for_each(|x| *x *= gain);
        let path = dir.path().join(name);
        write_wav(
            &path,
            &Audio {
                sample_rate: RATE,
                channels,
                format: SampleFormat::Int24,
            },
        )?;
        inputs.push(path);
    }
    println!(
        "lacquer master: {SECONDS:.0} s of {RATE} Hz stereo per track, default preset, streaming delivery"
    );
    // Three runs: the best shows the code's speed, the median how much the machine varies.
    let mut runs = (0..RUNS)
        .map(|_| master(&inputs[..1], 1))
        .collect::<anyhow::Result<Vec<_>>>()?;
    runs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (wall, cpu, renders) = &runs[0];
    let median = runs[RUNS / 2].0;
    println!(
        "  1 track,  1 thread : best of {RUNS} {wall:6.2} s wall, {cpu:6.2} s CPU: {:5.1}x realtime (wall), {:5.1}x per CPU second; median {median:.2} s ({:5.1}x); limiter renders {renders:?}",
        SECONDS / wall,
        SECONDS / cpu,
        SECONDS / median
    );
    let (one, _, _) = master(&inputs, 1)?;
    let (two, _, _) = master(&inputs, 2)?;
    println!(
        "  2 tracks, 1 thread : {one:6.2} s wall ({:5.1}x realtime)\n  2 tracks, 2 threads: {two:6.2} s wall ({:5.1}x realtime): {:.2}x faster",
        2.0 * SECONDS / one,
        2.0 * SECONDS / two,
        one / two
    );
    Ok(())
}
