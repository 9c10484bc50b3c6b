//! The true-peak limiter on 10 s of stereo programme driven 6 dB into -1 dBTP: the default
//! (transparent, 16x detection at 48 kHz), each other choice that changes the work, and the
//! default at 96 kHz. The x42-dpl / LSP comparison is `cargo xtask bench` (they are LV2
//! plugins, run through `lv2apply`).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use lacquer_dsp::limiter::{Character, Detection, Limiter, LimiterParams};
use lacquer_dsp::{ProcessSpec, Processor};

mod common;

const SECONDS: usize = 10;
const BLOCK: usize = 512;

fn limit(c: &mut Criterion, group: &str, rate: u32, cases: &[(&str, LimiterParams)]) {
    let input = common::programme(rate, SECONDS);
    let mut group = c.benchmark_group(group);
    group.throughput(Throughput::Elements(input[0].len() as u64));
    group.sample_size(10);
    for (name, params) in cases {
        group.bench_function(*name, |b| {
            let mut limiter = Limiter::new(params.clone());
            limiter.prepare(&ProcessSpec::stereo(f64::from(rate), BLOCK));
            let mut output = input.clone();
            b.iter(|| {
                common::process_in_blocks(&input, &mut output, BLOCK, |block| {
                    limiter.process(block);
                });
                std::hint::black_box(limiter.readings().overs)
            });
        });
    }
    group.finish();
}

fn limiter(c: &mut Criterion) {
    let driven = LimiterParams {
        drive_db: 6.0,
        ..LimiterParams::default()
    };
    let with = |change: fn(&mut LimiterParams)| {
        let mut params = driven.clone();
        change(&mut params);
        params
    };
    limit(
        c,
        "limiter_10s_48k_stereo",
        48_000,
        &[
            ("default", driven.clone()),
            ("fast", with(|p| p.character = Character::Fast)),
            (
                "detect_4x",
                with(|p| p.detection = Detection::Oversampled(4)),
            ),
            ("sample_peak", with(|p| p.detection = Detection::SamplePeak)),
        ],
    );
    limit(c, "limiter_10s_96k_stereo", 96_000, &[("default", driven)]);
}

criterion_group!(benches, limiter);
criterion_main!(benches);
