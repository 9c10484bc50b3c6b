//! The spectrum analyser (default settings: 1/3-octave bands, 20 dB/s decay) on 10 s of
//! stereo 48 kHz programme in 512-sample blocks: 234 frames of an 8192-point FFT.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use lacquer_dsp::ProcessSpec;
use lacquer_dsp::analyser::SpectrumAnalyser;

mod common;

const RATE: u32 = 48_000;
const SECONDS: usize = 10;
const BLOCK: usize = 512;

fn analyser(c: &mut Criterion) {
    let [left, right] = common::programme(RATE, SECONDS);
    let mut group = c.benchmark_group("analyser_10s_48k_stereo");
    group.throughput(Throughput::Elements(left.len() as u64));
    group.sample_size(20);
    group.bench_function("lacquer", |b| {
        let mut analyser = SpectrumAnalyser::default();
        analyser.prepare(&ProcessSpec::stereo(f64::from(RATE), BLOCK));
        b.iter(|| {
            analyser.reset();
            for (l, r) in left.chunks(BLOCK).zip(right.chunks(BLOCK)) {
                analyser.process(&[l, r]);
            }
            std::hint::black_box(*analyser.frame())
        });
    });
    group.finish();
}

criterion_group!(benches, analyser);
criterion_main!(benches);
