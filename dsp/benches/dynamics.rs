//! The dynamics and stereo processors on 10 s of 48 kHz stereo programme in 512-frame blocks:
//! the 4-band compressor followed by the imager (minimum-phase and linear-phase crossovers),
//! each alone, and the glue compressor. Criterion reports time per run; per sample is that
//! over 480 000 frames (the throughput line, in elements per second).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use lacquer_dsp::dynamics::{
    BandParams, GlueCompressor, GlueParams, GlueRatio, MultibandCompressor, MultibandParams,
    StereoMode,
};
use lacquer_dsp::stereo::{Imager, ImagerParams};
use lacquer_dsp::{ProcessSpec, Processor};

mod common;

const RATE: u32 = 48_000;
const SECONDS: usize = 10;
const BLOCK: usize = 512;

/// A benchmark's name and how to build its processors.
type Case = (&'static str, fn() -> Vec<Box<dyn Processor>>);

fn multiband(linear_phase: bool) -> MultibandCompressor {
    MultibandCompressor::new(MultibandParams {
        enabled: true,
        linear_phase,
        mode: StereoMode::Linked,
        band: [BandParams {
            threshold_db: -24.0,
            ratio: 3.0,
            ..BandParams::default()
        }; 4],
        ..MultibandParams::default()
    })
}

fn imager(linear_phase: bool) -> Imager {
    Imager::new(ImagerParams {
        enabled: true,
        linear_phase,
        width_pct: [60.0, 100.0, 120.0, 140.0],
        mono_bass: true,
        ..ImagerParams::default()
    })
}

fn glue() -> GlueCompressor {
    GlueCompressor::new(GlueParams {
        enabled: true,
        threshold_db: -20.0,
        ratio: GlueRatio::R4,
        ..GlueParams::default()
    })
}

fn dynamics(c: &mut Criterion) {
    let input = common::programme(RATE, SECONDS);
    let mut group = c.benchmark_group("dynamics_10s_48k_stereo");
    group.throughput(Throughput::Elements(input[0].len() as u64));
    group.sample_size(10);
    let cases: [Case; 5] = [
        ("multiband4_imager", || {
            vec![Box::new(multiband(false)), Box::new(imager(false))]
        }),
        ("multiband4_imager_linear_phase", || {
            vec![Box::new(multiband(true)), Box::new(imager(true))]
        }),
        ("multiband4", || vec![Box::new(multiband(false))]),
        ("imager", || vec![Box::new(imager(false))]),
        ("glue", || vec![Box::new(glue())]),
    ];
    for (name, make) in cases {
        group.bench_function(name, |b| {
            let mut chain = make();
            for processor in &mut chain {
                processor.prepare(&ProcessSpec::stereo(f64::from(RATE), BLOCK));
            }
            let mut output = input.clone();
            b.iter(|| {
                common::process_in_blocks(&input, &mut output, BLOCK, |block| {
                    for processor in &mut chain {
                        processor.process(block);
                    }
                });
                std::hint::black_box(output[0][0])
            });
        });
    }
    group.finish();
}

criterion_group!(benches, dynamics);
criterion_main!(benches);
