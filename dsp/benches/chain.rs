//! Cost of the whole chain on 10 s of stereo programme at 48 kHz.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use lacquer_dsp::{MasterChain, ProcessSpec};

fn programme(frames: usize) -> Vec<f32> {
    (0..frames)
        .map(|n| 0.5 * (n as f32 * 0.013).sin() + 0.3 * (n as f32 * 0.291).sin())
        .collect()
}

fn default_chain(c: &mut Criterion) {
    const FRAMES: usize = 480_000;
    let input = programme(FRAMES);
    let mut group = c.benchmark_group("chain");
    group.throughput(Throughput::Elements(FRAMES as u64));
    group.sample_size(20);
    group.bench_function("default_48k_stereo_10s", |b| {
        let mut chain = MasterChain::default();
        chain.prepare(&ProcessSpec::stereo(48_000.0, 512)).unwrap();
        let (mut left, mut right) = (input.clone(), input.clone());
        b.iter(|| {
            left.copy_from_slice(&input);
            right.copy_from_slice(&input);
            for (l, r) in left.chunks_mut(512).zip(right.chunks_mut(512)) {
                chain.process(&mut [l, r]);
            }
        });
    });
    group.finish();
}

criterion_group!(benches, default_chain);
criterion_main!(benches);
