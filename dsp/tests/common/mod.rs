//! Signals, runners and measurements shared by the dynamics and stereo tests.

// Each test binary compiles this module and uses only some of it.
#![allow(dead_code)]

pub mod alloc;
// The unit tests' seeded generator, the one source of both (integration tests cannot reach
// the library's test-only items).
#[path = "../../src/util/test_random.rs"]
pub mod test_random;

use std::f64::consts::PI;

use lacquer_dsp::dynamics::{BandParams, MultibandParams};
use lacquer_dsp::filter::crossover::{CROSSOVER_CHUNK, Crossover, MAX_BANDS};
use lacquer_dsp::{ProcessSpec, Processor};

pub const RATES: [f64; 6] = [22_050.0, 44_100.0, 48_000.0, 96_000.0, 192_000.0, 384_000.0];

pub fn prepared<P: Processor>(mut processor: P, rate: f64) -> P {
    processor.prepare(&ProcessSpec::stereo(rate, 512));
    processor
}

/// Processes stereo `signal` in place in blocks of `block` frames.
pub fn run(processor: &mut (impl Processor + ?Sized), signal: &mut [Vec<f32>; 2], block: usize) {
    let [left, right] = signal;
    for (l, r) in left.chunks_mut(block).zip(right.chunks_mut(block)) {
        processor.process(&mut [l, r]);
    }
}

/// A bank prepared for `rate`, set, and reset onto its crossovers.
pub fn crossover_bank(
    rate: f64,
    bands: usize,
    crossovers_hz: [f64; 3],
    linear_phase: bool,
) -> Crossover {
    let mut bank = Crossover::new();
    bank.prepare(rate);
    bank.set(bands, crossovers_hz, linear_phase);
    bank.reset();
    bank
}

/// Runs `input` through `bank` chunk by chunk (channel 0) and sums the bands (in f64, as the
/// processors sum them).
pub fn band_sum(bank: &mut Crossover, input: &[f32]) -> Vec<f64> {
    let mut rows = [[0.0f32; CROSSOVER_CHUNK]; MAX_BANDS];
    let mut sum = Vec::with_capacity(input.len());
    for chunk in input.chunks(CROSSOVER_CHUNK) {
        bank.step();
        bank.split(0, chunk, &mut rows);
        for i in 0..chunk.len() {
            sum.push(
                rows[..bank.bands()]
                    .iter()
                    .map(|row| f64::from(row[i]))
                    .sum(),
            );
        }
    }
    sum
}

pub struct Random(pub u64);

impl Random {
    pub fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

pub fn stereo_noise(len: usize, seed: u64) -> [Vec<f32>; 2] {
    let mut random = Random(seed);
    let mut signal = [Vec::with_capacity(len), Vec::with_capacity(len)];
    for _ in 0..len {
        let common = random.next() - 0.5;
        signal[0].push((common + 0.6 * (random.next() - 0.5)) as f32);
        signal[1].push((common + 0.6 * (random.next() - 0.5)) as f32);
    }
    signal
}

/// A sine whose amplitude is `amplitude(n)`, the same in both channels.
pub fn sine(freq: f64, rate: f64, len: usize, amplitude: impl Fn(usize) -> f64) -> [Vec<f32>; 2] {
    let x: Vec<f32> = (0..len)
        .map(|n| (amplitude(n) * (2.0 * PI * freq * n as f64 / rate).sin()) as f32)
        .collect();
    [x.clone(), x]
}

/// Magnitude of `x`'s DTFT at `freq_hz`, dB (a rotating phasor, so long signals stay cheap).
pub fn dft_db(x: &[f64], freq_hz: f64, rate: f64) -> f64 {
    let (s, c) = (2.0 * PI * freq_hz / rate).sin_cos();
    let (mut re, mut im) = (0.0, 0.0);
    let (mut pr, mut pi) = (1.0f64, 0.0f64);
    for (n, &v) in x.iter().enumerate() {
        re += v * pr;
        im -= v * pi;
        (pr, pi) = (pr * c - pi * s, pr * s + pi * c);
        if n % 1024 == 0 {
            let norm = (pr * pr + pi * pi).sqrt();
            (pr, pi) = (pr / norm, pi / norm);
        }
    }
    10.0 * (re * re + im * im).log10()
}

pub fn log_frequencies(low: f64, high: f64, count: usize) -> impl Iterator<Item = f64> {
    (0..count).map(move |i| low * (high / low).powf(i as f64 / (count - 1) as f64))
}

pub fn rms_db(x: &[f32]) -> f64 {
    let power = x.iter().map(|&v| f64::from(v).powi(2)).sum::<f64>() / x.len() as f64;
    10.0 * power.log10()
}

/// Every band enabled at 1:1 with no makeup: the output is the crossover's band sum.
pub fn neutral_multiband() -> MultibandParams {
    let neutral_band = BandParams {
        ratio: 1.0,
        makeup_db: 0.0,
        ..BandParams::default()
    };
    MultibandParams {
        enabled: true,
        band: [neutral_band; MAX_BANDS],
        ..MultibandParams::default()
    }
}
