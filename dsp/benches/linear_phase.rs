//! The linear-phase EQ engine on 10 s of 48 kHz stereo programme in 512-sample blocks: a
//! left/right EQ (diagonal matrix, two multiply-accumulates per bin) and a mid/side EQ (full
//! matrix, four); and the cost of designing one kernel (`set_response`) of each kind at 48 kHz,
//! from responses cheap enough that the engine's own work is what is timed (the EQ's curve
//! evaluation comes on top: `kernel_len + 1` calls).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use lacquer_dsp::filter::LinearPhaseFilter;
use lacquer_dsp::{ProcessSpec, Processor};

mod common;

const SECONDS: usize = 10;
const BLOCK: usize = 512;
const RATE: u32 = 48_000;

/// A gentle bell's linear gain: +`gain_db` at `centre_hz`, about an octave wide.
fn bell(freq_hz: f64, centre_hz: f64, gain_db: f64) -> f64 {
    let octaves = (freq_hz.max(1.0) / centre_hz).log2();
    10f64.powf(gain_db * (-octaves * octaves).exp() / 20.0)
}

/// Left and right EQ'd differently: a diagonal matrix.
fn left_right(freq_hz: f64) -> [[f64; 2]; 2] {
    [
        [bell(freq_hz, 80.0, 3.0) * bell(freq_hz, 3_000.0, -2.0), 0.0],
        [0.0, bell(freq_hz, 120.0, 2.0)],
    ]
}

/// Mid untouched, side lifted around 8 kHz: a full matrix.
fn mid_side(freq_hz: f64) -> [[f64; 2]; 2] {
    let (mid, side) = (1.0, bell(freq_hz, 8_000.0, 4.0));
    let (sum, difference) = ((mid + side) / 2.0, (mid - side) / 2.0);
    [[sum, difference], [difference, sum]]
}

fn prepared(response: fn(f64) -> [[f64; 2]; 2]) -> LinearPhaseFilter {
    let mut filter = LinearPhaseFilter::new();
    filter.prepare(&ProcessSpec::stereo(f64::from(RATE), BLOCK));
    filter.set_response(response);
    filter.reset();
    filter
}

/// A zero-phase gain matrix `[out][in]` by frequency.
type Response = fn(f64) -> [[f64; 2]; 2];

fn process(c: &mut Criterion) {
    let input = common::programme(RATE, SECONDS);
    let mut group = c.benchmark_group("linear_phase_10s_48k_stereo");
    group.throughput(Throughput::Elements(input[0].len() as u64));
    group.sample_size(10);
    let cases: [(&str, Response); 2] = [("diagonal", left_right), ("full_matrix", mid_side)];
    for (name, response) in cases {
        group.bench_function(name, |b| {
            let mut filter = prepared(response);
            let mut output = input.clone();
            b.iter(|| {
                common::process_in_blocks(&input, &mut output, BLOCK, |block| {
                    filter.process(block);
                });
                std::hint::black_box(output[0][0])
            });
        });
    }
    group.finish();
}

/// A tilt on left, its inverse on right: a diagonal matrix that costs next to nothing to evaluate.
fn cheap_left_right(freq_hz: f64) -> [[f64; 2]; 2] {
    let tilt = 1.0 + freq_hz * 1e-5;
    [[tilt, 0.0], [0.0, 1.0 / tilt]]
}

/// A tilt on the side only: a full matrix that costs next to nothing to evaluate.
fn cheap_mid_side(freq_hz: f64) -> [[f64; 2]; 2] {
    let difference = -freq_hz * 0.5e-5;
    [
        [1.0 - difference, difference],
        [difference, 1.0 - difference],
    ]
}

fn design(c: &mut Criterion) {
    let mut group = c.benchmark_group("linear_phase_design_48k_stereo");
    let cases: [(&str, Response); 2] = [
        ("diagonal", cheap_left_right),
        ("full_matrix", cheap_mid_side),
    ];
    for (name, response) in cases {
        group.bench_function(name, |b| {
            let mut filter = prepared(response);
            b.iter(|| {
                filter.set_response(response);
                std::hint::black_box(filter.latency())
            });
        });
    }
    group.finish();
}

criterion_group!(benches, process, design);
criterion_main!(benches);
