//! The EQ with all 8 bands active on 10 s of 48 kHz stereo programme in 512-frame blocks, in
//! both phase modes, beside the `biquad` crate running the same number of RBJ sections per
//! channel (its Direct Form 1, f64) as a peer. Per sample is the time over 480 000 frames (the
//! throughput line, in elements per second).
//!
//! Settings: a 24 dB/oct low cut (2 sections), a low shelf, four bells (one on the side only),
//! a high shelf and a 12 dB/oct high cut: 9 sections per channel.

use biquad::{Biquad, Coefficients, DirectForm1, Q_BUTTERWORTH_F64, ToHertz, Type};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use lacquer_dsp::eq::{BandParams, BandType, ChannelMode, EqParams, Equalizer, PhaseMode};
use lacquer_dsp::{ProcessSpec, Processor};

mod common;

const RATE: u32 = 48_000;
const SECONDS: usize = 10;
const BLOCK: usize = 512;

fn band(band_type: BandType, freq_hz: f64, gain_db: f64, q: f64) -> BandParams {
    BandParams {
        enabled: true,
        band_type,
        freq_hz,
        gain_db,
        q,
        ..BandParams::default()
    }
}

fn eight_bands(phase: PhaseMode) -> EqParams {
    EqParams {
        enabled: true,
        phase,
        bands: [
            BandParams {
                slope_db_per_oct: 24,
                ..band(BandType::LowCut, 25.0, 0.0, 0.707)
            },
            band(BandType::LowShelf, 90.0, 1.5, 0.707),
            band(BandType::Bell, 250.0, -1.0, 1.0),
            band(BandType::Bell, 700.0, 0.8, 0.8),
            BandParams {
                mode: ChannelMode::Side,
                ..band(BandType::Bell, 3_000.0, 1.2, 0.7)
            },
            band(BandType::Bell, 5_000.0, -0.7, 2.0),
            band(BandType::HighShelf, 10_000.0, 1.0, 0.707),
            band(BandType::HighCut, 20_000.0, 0.0, 0.707),
        ],
    }
}

/// The peer: the same section count per channel from the `biquad` crate's RBJ designs.
fn peer_sections() -> Vec<DirectForm1<f64>> {
    let fs = f64::from(RATE).hz();
    let design = |kind, f: f64, q| Coefficients::<f64>::from_params(kind, fs, f.hz(), q).unwrap();
    [
        design(Type::HighPass, 25.0, 0.541),
        design(Type::HighPass, 25.0, 1.307),
        design(Type::LowShelf(1.5), 90.0, Q_BUTTERWORTH_F64),
        design(Type::PeakingEQ(-1.0), 250.0, 1.0),
        design(Type::PeakingEQ(0.8), 700.0, 0.8),
        design(Type::PeakingEQ(1.2), 3_000.0, 0.7),
        design(Type::PeakingEQ(-0.7), 5_000.0, 2.0),
        design(Type::HighShelf(1.0), 10_000.0, Q_BUTTERWORTH_F64),
        design(Type::LowPass, 20_000.0, Q_BUTTERWORTH_F64),
    ]
    .into_iter()
    .map(DirectForm1::<f64>::new)
    .collect()
}

fn eq(c: &mut Criterion) {
    let input = common::programme(RATE, SECONDS);
    let mut group = c.benchmark_group("eq_8_bands_10s_48k_stereo");
    group.throughput(Throughput::Elements(input[0].len() as u64));
    group.sample_size(10);
    let spec = ProcessSpec::stereo(f64::from(RATE), BLOCK);
    for (name, phase) in [
        ("lacquer_zero_latency", PhaseMode::ZeroLatency),
        ("lacquer_linear_phase", PhaseMode::LinearPhase),
    ] {
        group.bench_function(name, |b| {
            let mut eq = Equalizer::new(eight_bands(phase));
            eq.prepare(&spec);
            let mut output = input.clone();
            b.iter(|| {
                common::process_in_blocks(&input, &mut output, BLOCK, |block| {
                    eq.process(block);
                });
                std::hint::black_box(output[0][0])
            });
        });
    }
    group.bench_function("biquad_crate_df1_f64", |b| {
        let mut channels = [peer_sections(), peer_sections()];
        let mut output = input.clone();
        b.iter(|| {
            for (out, source) in output.iter_mut().zip(&input) {
                out.copy_from_slice(source);
            }
            for (samples, sections) in output.iter_mut().zip(&mut channels) {
                for block in samples.chunks_mut(BLOCK) {
                    for x in block {
                        let mut y = f64::from(*x);
                        for section in sections.iter_mut() {
                            y = section.run(y);
                        }
                        *x = y as f32;
                    }
                }
            }
            std::hint::black_box(output[0][0])
        });
    });
    group.finish();
}

/// One band's design, as a gliding band redoes it every 32 samples: a 1 kHz bell (the first
/// candidates already match) and a broad 16 kHz high shelf at 44.1 kHz (the Nyquist search
/// runs), beside the `biquad` crate's RBJ design of the same shelf.
fn design(c: &mut Criterion) {
    let mut group = c.benchmark_group("eq_band_design");
    let bell = band(BandType::Bell, 1_000.0, 3.0, 1.0);
    let shelf = band(BandType::HighShelf, 16_000.0, 9.0, 0.5);
    group.bench_function("lacquer_bell_1k_48k", |b| {
        b.iter(|| std::hint::black_box(bell.digital_sections(48_000.0)))
    });
    group.bench_function("lacquer_high_shelf_16k_44k1", |b| {
        b.iter(|| std::hint::black_box(shelf.digital_sections(44_100.0)))
    });
    // A broad high bell near Nyquist: one section strays by more than 0.1 dB, a pair is fitted.
    let broad = band(BandType::Bell, 12_000.0, 12.0, 0.5);
    group.bench_function("lacquer_broad_bell_12k_44k1_pair", |b| {
        b.iter(|| std::hint::black_box(broad.digital_sections(44_100.0)))
    });
    group.bench_function("biquad_crate_high_shelf_16k_44k1", |b| {
        b.iter(|| {
            std::hint::black_box(
                Coefficients::<f64>::from_params(
                    Type::HighShelf(std::hint::black_box(9.0)),
                    std::hint::black_box(44_100.0).hz(),
                    std::hint::black_box(16_000.0).hz(),
                    std::hint::black_box(0.5),
                )
                .unwrap(),
            )
        })
    });
    group.finish();
}

criterion_group!(benches, eq, design);
criterion_main!(benches);
