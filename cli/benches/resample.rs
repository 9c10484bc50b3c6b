//! Resampling 60 s of the 48 kHz stereo demo mix to 44.1 kHz (the streaming delivery), side by
//! side with rubato's synchronous FFT resampler on the same filter in the same run.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use lacquer_cli::demo::demo_mix;
use lacquer_cli::resample::{resample, rubato_reference};

const FROM: u32 = 48_000;
const TO: u32 = 44_100;
const SECONDS: f64 = 60.0;

fn resamplers(c: &mut Criterion) {
    let channels = demo_mix(FROM, SECONDS);
    let mut group = c.benchmark_group("resample_60s_48k_to_44k1_stereo");
    group.throughput(Throughput::Elements(channels[0].len() as u64));
    group.sample_size(10);
    group.bench_function("lacquer", |b| {
        b.iter(|| std::hint::black_box(resample(&channels, FROM, TO, 0).unwrap()));
    });
    group.bench_function("rubato", |b| {
        b.iter(|| {
            let output: Vec<Vec<f32>> = channels
                .iter()
                .map(|c| rubato_reference(c, FROM, TO))
                .collect();
            std::hint::black_box(output)
        });
    });
    group.finish();
}

criterion_group!(benches, resamplers);
criterion_main!(benches);
