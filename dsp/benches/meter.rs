//! The full meter (momentary, short-term, integrated, loudness range, true peak, correlation)
//! on 60 s of stereo 48 kHz programme, side by side with the `ebur128` crate measuring the same
//! loudness and peak quantities (`Mode::all()`, histogram mode) in the same run.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ebur128::{EbuR128, Mode};
use lacquer_dsp::ProcessSpec;
use lacquer_dsp::meter::Meter;

mod common;

const RATE: u32 = 48_000;
const SECONDS: usize = 60;
const BLOCK: usize = 512;

fn meters(c: &mut Criterion) {
    let [left, right] = common::programme(RATE, SECONDS);
    let mut group = c.benchmark_group("meter_60s_48k_stereo");
    group.throughput(Throughput::Elements(left.len() as u64));
    group.sample_size(10);
    group.bench_function("lacquer", |b| {
        let mut meter = Meter::default();
        meter.prepare(&ProcessSpec::stereo(f64::from(RATE), BLOCK));
        b.iter(|| {
            meter.reset();
            for (l, r) in left.chunks(BLOCK).zip(right.chunks(BLOCK)) {
                meter.process(&[l, r]);
            }
            meter.finish();
            std::hint::black_box(meter.readings())
        });
    });
    group.bench_function("ebur128", |b| {
        let mut meter = EbuR128::new(2, RATE, Mode::all()).unwrap();
        b.iter(|| {
            meter.reset();
            for (l, r) in left.chunks(BLOCK).zip(right.chunks(BLOCK)) {
                meter.add_frames_planar_f32(&[l, r]).unwrap();
                std::hint::black_box(meter.loudness_momentary().unwrap());
            }
            std::hint::black_box((
                meter.loudness_global().unwrap(),
                meter.loudness_range().unwrap(),
                meter.loudness_shortterm().unwrap(),
                meter.true_peak(0).unwrap(),
                meter.true_peak(1).unwrap(),
            ))
        });
    });
    group.finish();
}

criterion_group!(benches, meters);
criterion_main!(benches);
