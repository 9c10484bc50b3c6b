//! `cargo xtask bench`'s side-by-side: the same 60 s of 48 kHz stereo, driven 6 dB into a
//! -1 dBTP ceiling, through Lacquer's limiter, x42-dpl (true-peak mode) and LSP Limiter (8x
//! oversampling), each in blocks of 512 frames. Reports the CPU time of the processing alone
//! (the thread's CPU clock, median of three runs) and the worst true-peak overshoot, measured by
//! the exact FFT reconstruction of each whole output.
//!
//! The LV2 peers need Debian's `x42-plugins`, `lsp-plugins-lv2` and `lilv-utils`; without them
//! their rows say so.

use lacquer_dsp::limiter::{Limiter, LimiterParams};
use lacquer_dsp::{ProcessSpec, Processor};
use lacquer_tests::exact_true_peak::exact_true_peak_dbtp;
use lacquer_tests::lv2_host::Lv2Plugin;
use lacquer_tests::signals::{normalized, pink_noise};

const RATE: f64 = 48_000.0;
const SECONDS: f64 = 60.0;
const BLOCK: usize = 512;
const DRIVE_DB: f64 = 6.0;
const CEILING_DBTP: f64 = -1.0;
const RUNS: usize = 3;

/// One limiter under test: renders stereo input, returns the output.
trait Contender {
    fn name(&self) -> &str;
    fn render(&mut self, input: &[Vec<f32>]) -> anyhow::Result<Vec<Vec<f32>>>;
}

struct Lacquer;

impl Contender for Lacquer {
    fn name(&self) -> &str {
        "Lacquer (transparent, auto 16x)"
    }

    fn render(&mut self, input: &[Vec<f32>]) -> anyhow::Result<Vec<Vec<f32>>> {
        let mut limiter = Limiter::new(LimiterParams {
            drive_db: DRIVE_DB,
            ceiling_dbtp: CEILING_DBTP,
            ..LimiterParams::default()
        });
        limiter.prepare(&ProcessSpec::stereo(RATE, BLOCK));
        let mut output = input.to_vec();
        let [left, right] = output.as_mut_slice() else {
            anyhow::bail!("stereo only");
        };
        for (l, r) in left.chunks_mut(BLOCK).zip(right.chunks_mut(BLOCK)) {
            limiter.process(&mut [l, r]);
        }
        Ok(output)
    }
}

/// An LV2 limiter with its settings for the same job.
struct Peer {
    name: &'static str,
    uri: &'static str,
    controls: Vec<(&'static str, f32)>,
}

impl Contender for Peer {
    fn name(&self) -> &str {
        self.name
    }

    fn render(&mut self, input: &[Vec<f32>]) -> anyhow::Result<Vec<Vec<f32>>> {
        let mut plugin = Lv2Plugin::load(self.uri, RATE, BLOCK)?;
        for &(symbol, value) in &self.controls {
            plugin.set_control(symbol, value)?;
        }
        let mut output = vec![vec![0.0f32; input[0].len()]; 2];
        let [left, right] = output.as_mut_slice() else {
            unreachable!()
        };
        let blocks = input[0].chunks(BLOCK).zip(input[1].chunks(BLOCK));
        for ((l, r), (out_l, out_r)) in
            blocks.zip(left.chunks_mut(BLOCK).zip(right.chunks_mut(BLOCK)))
        {
            plugin.process(&[l, r], &mut [out_l, out_r]);
        }
        Ok(output)
    }
}

fn db(gain: f64) -> f32 {
    10f64.powf(gain / 20.0) as f32
}

fn contenders() -> Vec<Box<dyn Contender>> {
    vec![
        Box::new(Lacquer),
        Box::new(Peer {
            name: "x42-dpl (true peak)",
            uri: "http://gareus.org/oss/lv2/dpl#stereo",
            controls: vec![
                ("gain", DRIVE_DB as f32),
                ("threshold", CEILING_DBTP as f32),
                ("truepeak", 1.0),
            ],
        }),
        Box::new(Peer {
            name: "LSP Limiter (full 8x)",
            uri: "http://lsp-plug.in/plugins/lv2/limiter_stereo",
            // Full 8x oversampling (two lobes); no output boost, so the threshold is the ceiling.
            controls: vec![
                ("g_in", db(DRIVE_DB)),
                ("th", db(CEILING_DBTP)),
                ("ovs", 19.0),
                ("boost", 0.0),
            ],
        }),
    ]
}

/// CPU time of this thread, seconds.
fn thread_cpu_seconds() -> f64 {
    let mut time = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes the timespec it is given.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut time) };
    time.tv_sec as f64 + time.tv_nsec as f64 * 1e-9
}

/// The material: 60 s, peaking at -0.3 dBFS as a mix arrives, plus 0.2 s of silence so every
/// limiter's delay is flushed.
fn materials() -> Vec<(&'static str, Vec<Vec<f32>>)> {
    let frames = (SECONDS * RATE) as usize;
    let flush = |mut channels: Vec<Vec<f32>>| {
        channels
            .iter_mut()
            .for_each(|c| c.resize(c.len() + (0.2 * RATE) as usize, 0.0));
        channels
    };
    let programme = lacquer_cli::demo::demo_mix(RATE as u32, SECONDS);
    let pink = vec![pink_noise(frames, 11), pink_noise(frames, 12)];
    vec![
        (
            "dense programme (demo mix)",
            flush(normalized(programme, -0.3)),
        ),
        ("pink noise", flush(normalized(pink, -0.3))),
    ]
}

fn main() -> anyhow::Result<()> {
    println!(
        "Limiters driven {DRIVE_DB} dB into {CEILING_DBTP} dBTP, {SECONDS} s of 48 kHz stereo, blocks of {BLOCK}."
    );
    println!(
        "CPU: processing only, median of {RUNS} runs. Overshoot: exact true peak (FFT, 32 phases) above the ceiling.\n"
    );
    for (material, input) in materials() {
        println!("{material}:\n");
        println!(
            "| limiter | CPU s per minute | CPU vs Lacquer | worst true peak | over the ceiling |"
        );
        println!("|---|---|---|---|---|");
        let mut lacquer_cpu = None;
        for mut contender in contenders() {
            let mut times = Vec::new();
            let mut output = None;
            for _ in 0..RUNS {
                let start = thread_cpu_seconds();
                let rendered = contender.render(&input);
                times.push(thread_cpu_seconds() - start);
                match rendered {
                    Ok(rendered) => output = Some(rendered),
                    Err(error) => {
                        println!("| {} | not available: {error:#} | | | |", contender.name());
                        break;
                    }
                }
            }
            let Some(output) = output else { continue };
            times.sort_by(f64::total_cmp);
            let per_minute = times[RUNS / 2] * 60.0 / SECONDS;
            let ratio = *lacquer_cpu.get_or_insert(per_minute);
            let peak = output
                .iter()
                .map(|c| exact_true_peak_dbtp(c, 32))
                .fold(f64::MIN, f64::max);
            println!(
                "| {} | {per_minute:.3} | {:.2}x | {peak:.3} dBTP | {:+.3} dB |",
                contender.name(),
                per_minute / ratio,
                (peak - CEILING_DBTP).max(0.0)
            );
        }
        println!();
    }
    Ok(())
}
