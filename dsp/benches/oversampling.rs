//! Finding the true peak of 10 s of stereo programme at 48 kHz: the `PeakScanner` (screen,
//! bound, exact measurement only where a bound reaches the running maximum) with both designs,
//! side by side with interpolating every position of a plain polyphase oversampler: 16x with
//! the same 128-tap filters as the wide scanner, and BS.1770's 4x with 48 taps.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use lacquer_dsp::oversampling::peak_scan::{CHUNK, ScanDesign};
use lacquer_dsp::oversampling::{PeakScanner, PolyphaseKernel};

mod common;

const RATE: u32 = 48_000;
const SECONDS: usize = 10;

fn scanned_peak(design: ScanDesign, channels: &[Vec<f32>; 2]) -> f32 {
    let mut peak = 0.0f32;
    for channel in channels {
        let mut scanner = PeakScanner::new(design);
        for chunk in channel.chunks(CHUNK) {
            scanner.push(chunk);
            for j in 0..scanner.completed() {
                if scanner.bound(j) > peak {
                    peak = peak.max(scanner.measure(j));
                }
            }
        }
    }
    peak
}

fn oversampled_peak(kernel: &PolyphaseKernel, channels: &[Vec<f32>; 2]) -> f32 {
    let taps = kernel.taps();
    let mut peak = 0.0f32;
    for channel in channels {
        for window in channel.windows(taps) {
            for r in 0..kernel.factor() {
                peak = peak.max(kernel.interpolate(r, window).abs());
            }
        }
    }
    peak
}

fn true_peak(c: &mut Criterion) {
    let input = common::programme(RATE, SECONDS);
    let mut group = c.benchmark_group("true_peak_10s_48k_stereo");
    group.throughput(Throughput::Elements(input[0].len() as u64));
    group.sample_size(10);
    group.bench_function("scanner_audio_band", |b| {
        b.iter(|| scanned_peak(ScanDesign::AUDIO_BAND, &input))
    });
    group.bench_function("scanner_wide", |b| {
        b.iter(|| scanned_peak(ScanDesign::WIDE, &input))
    });
    let wide_16x = PolyphaseKernel::windowed_sinc(16, 128, 8.5);
    group.bench_function("polyphase_16x_128_taps", |b| {
        b.iter(|| oversampled_peak(&wide_16x, &input))
    });
    let bs1770_4x = PolyphaseKernel::windowed_sinc(4, 48, 6.5);
    group.bench_function("polyphase_4x_48_taps", |b| {
        b.iter(|| oversampled_peak(&bs1770_4x, &input))
    });
    group.finish();
}

criterion_group!(benches, true_peak);
criterion_main!(benches);
