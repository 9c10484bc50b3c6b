//! The full meter (momentary, short-term, integrated, loudness range, true peak, correlation)
//! on 60 s of stereo 48 kHz programme, side by side with the `ebur128` crate measuring the same
//! loudness and peak quantities (`Mode::all()`, histogram mode) in the same run.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ebur128::{EbuR128, Mode};
use lacquer_dsp::ProcessSpec;
use lacquer_dsp::meter::Meter;

const RATE: u32 = 48_000;
const SECONDS: usize = 60;
const BLOCK: usize = 512;

/// Programme-like stereo: band-shaped noise plus a tone, level changing every 1.5 s.
fn programme() -> [Vec<f32>; 2] {
    let frames = RATE as usize * SECONDS;
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut random = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f32 / (1u64 << 53) as f32 * 2.0 - 1.0
    };
    let (mut low_l, mut low_r, mut previous) = (0.0f32, 0.0f32, 0.0f32);
    let mut channels = [Vec::with_capacity(frames), Vec::with_capacity(frames)];
    for n in 0..frames {
        let gain = [0.5f32, 0.25, 0.7, 0.1][(n / (RATE as usize * 3 / 2)) % 4];
        let (a, b) = (random(), random());
        low_l += 0.05 * (a - low_l);
        low_r += 0.05 * (b - low_r);
        let bright = a - previous;
        previous = a;
        let tone = (n as f32 * 0.0573).sin() * 0.3;
        channels[0].push(gain * (1.5 * low_l + 0.1 * bright + tone));
        channels[1].push(gain * (1.5 * low_r + 0.1 * bright + tone));
    }
    channels
}

fn meters(c: &mut Criterion) {
    let [left, right] = programme();
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
