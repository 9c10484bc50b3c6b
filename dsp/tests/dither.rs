//! Dither: TPDF noise floor, no truncation distortion, the noise shaper's measured curve,
//! auto-blanking, exact words, off = untouched.

use lacquer_dsp::dither::{Dither, DitherDepth, DitherParams, DitherShape, shaping_db};
use lacquer_dsp::{ProcessSpec, Processor};
use realfft::RealFftPlanner;

const RATE: f64 = 44_100.0;
const LSB_16: f64 = 1.0 / 32_768.0;

fn run(shape: DitherShape, depth: DitherDepth, input: &[f32]) -> Vec<f32> {
    run_stereo(shape, depth, input).0
}

/// The same input in both channels; both outputs.
fn run_stereo(shape: DitherShape, depth: DitherDepth, input: &[f32]) -> (Vec<f32>, Vec<f32>) {
    let mut dither = Dither::new(DitherParams { depth, shape });
    dither.prepare(&ProcessSpec::stereo(RATE, 512));
    let mut left = input.to_vec();
    let mut right = input.to_vec();
    for (l, r) in left.chunks_mut(512).zip(right.chunks_mut(512)) {
        dither.process(&mut [l, r]);
    }
    (left, right)
}

fn sine(len: usize, freq_hz: f64, amplitude: f64) -> Vec<f32> {
    (0..len)
        .map(|n| (amplitude * (std::f64::consts::TAU * freq_hz * n as f64 / RATE).sin()) as f32)
        .collect()
}

fn error(output: &[f32], input: &[f32]) -> Vec<f64> {
    output
        .iter()
        .zip(input)
        .map(|(&y, &x)| f64::from(y) - f64::from(x))
        .collect()
}

fn rms_db(signal: &[f64]) -> f64 {
    10.0 * (signal.iter().map(|x| x * x).sum::<f64>() / signal.len() as f64).log10()
}

/// Power spectrum averaged over Hann-windowed segments of `size` (half overlap).
fn welch(signal: &[f64], size: usize) -> Vec<f64> {
    let fft = RealFftPlanner::<f64>::new().plan_fft_forward(size);
    let window: Vec<f64> = (0..size)
        .map(|n| 0.5 - 0.5 * (std::f64::consts::TAU * n as f64 / size as f64).cos())
        .collect();
    let mut sum = vec![0.0; size / 2 + 1];
    let mut segments = 0;
    let mut spectrum = fft.make_output_vec();
    for start in (0..=signal.len() - size).step_by(size / 2) {
        let mut frame: Vec<f64> = signal[start..start + size]
            .iter()
            .zip(&window)
            .map(|(x, w)| x * w)
            .collect();
        fft.process(&mut frame, &mut spectrum).unwrap();
        for (s, c) in sum.iter_mut().zip(&spectrum) {
            *s += c.norm_sqr();
        }
        segments += 1;
    }
    sum.iter().map(|s| s / segments as f64).collect()
}

#[test]
fn the_channels_errors_are_independent() {
    // Correlated dither would add up in the mid channel: 3 dB more noise in mono.
    let input = sine(1 << 18, 997.0, 0.01);
    let (left, right) = run_stereo(DitherShape::Flat, DitherDepth::Bits16, &input);
    let (el, er) = (error(&left, &input), error(&right, &input));
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
    let correlation = dot(&el, &er) / (dot(&el, &el) * dot(&er, &er)).sqrt();
    // Independent errors over 2^18 samples: |correlation| ~ 0.002.
    assert!(correlation.abs() < 0.01, "correlation {correlation}");
}

#[test]
fn tpdf_error_is_half_an_lsb_rms_and_words_are_exact() {
    let input = sine(1 << 18, 997.0, 0.01);
    let output = run(DitherShape::Flat, DitherDepth::Bits16, &input);
    let e = error(&output, &input);
    let expected = 20.0 * (LSB_16 / 2.0).log10();
    let measured = rms_db(&e);
    assert!(
        (measured - expected).abs() < 0.1,
        "{measured} vs {expected}"
    );
    let mean = e.iter().sum::<f64>() / e.len() as f64;
    assert!(mean.abs() < 0.01 * LSB_16, "mean {mean}");
    for &y in &output {
        let words = f64::from(y) / LSB_16;
        assert_eq!(words, words.round(), "{y} is not a 16-bit word");
    }
}

#[test]
fn a_tiny_sine_leaves_no_truncation_harmonics_under_tpdf() {
    // Two LSBs of sine, centred on an FFT bin: plain rounding makes strong odd harmonics.
    let size = 1 << 14;
    let bin = 371;
    let freq = bin as f64 * RATE / size as f64;
    let input = sine(1 << 18, freq, 2.0 * LSB_16);
    let harmonic_excess = |output: &[f32]| {
        let spectrum = welch(&error(output, &input), size);
        let floor = spectrum[1000..6000].iter().sum::<f64>() / 5000.0;
        (2..=7)
            .map(|h| 10.0 * (spectrum[h * bin] / floor).log10())
            .fold(f64::NEG_INFINITY, f64::max)
    };
    let rounded: Vec<f32> = input
        .iter()
        .map(|&x| ((f64::from(x) / LSB_16).round() * LSB_16) as f32)
        .collect();
    assert!(
        harmonic_excess(&rounded) > 20.0,
        "the test must see truncation distortion"
    );
    let dithered = run(DitherShape::Flat, DitherDepth::Bits16, &input);
    let excess = harmonic_excess(&dithered);
    assert!(excess < 6.0, "harmonics {excess:.1} dB above the noise");
}

#[test]
fn the_shaped_noise_follows_its_designed_curve() {
    let size = 4096;
    let input = sine(1 << 19, 440.0, 0.1);
    let flat = welch(
        &error(&run(DitherShape::Flat, DitherDepth::Bits16, &input), &input),
        size,
    );
    let shaped = welch(
        &error(
            &run(DitherShape::Shaped, DitherDepth::Bits16, &input),
            &input,
        ),
        size,
    );
    for freq in [
        200.0, 1_000.0, 3_000.0, 6_000.0, 10_000.0, 15_000.0, 19_000.0,
    ] {
        // A third of an octave around `freq`, skipping the sine.
        let bin = |f: f64| (f * size as f64 / RATE).round() as usize;
        let (lo, hi) = (bin(freq * 0.89), bin(freq * 1.12));
        let band = |psd: &[f64]| psd[lo..=hi].iter().sum::<f64>();
        let measured = 10.0 * (band(&shaped) / band(&flat)).log10();
        let designed = (lo..=hi)
            .map(|b| {
                10f64.powf(
                    shaping_db(DitherShape::Shaped, b as f64 * RATE / size as f64, RATE) / 10.0,
                )
            })
            .sum::<f64>()
            / (hi - lo + 1) as f64;
        let designed = 10.0 * designed.log10();
        assert!(
            (measured - designed).abs() < 0.5,
            "{freq} Hz: measured {measured:.2} dB, designed {designed:.2} dB"
        );
    }
    // The shape that matters: quieter where hearing is most sensitive.
    assert!(shaping_db(DitherShape::Shaped, 3_500.0, RATE) < -3.0);
}

#[test]
fn digital_silence_stays_silent_and_off_leaves_the_signal_untouched() {
    let mut input = sine(4096, 1_000.0, 0.3);
    input.extend(std::iter::repeat_n(0.0, 4096));
    for shape in [DitherShape::Flat, DitherShape::Shaped] {
        let output = run(shape, DitherDepth::Bits16, &input);
        assert!(output[4096 + 3..].iter().all(|&y| y == 0.0), "{shape:?}");
    }
    assert_eq!(run(DitherShape::Shaped, DitherDepth::Off, &input), input);
}

#[test]
fn full_scale_and_bad_values_stay_within_the_word() {
    let input = [1.0f32, -1.0, 1.5, f32::NAN, f32::INFINITY, 0.999_99];
    for depth in [
        DitherDepth::Bits16,
        DitherDepth::Bits20,
        DitherDepth::Bits24,
    ] {
        let bits = depth.bits().unwrap();
        let top = 1.0 - (0.5f64).powi(bits as i32 - 1);
        let output = run(DitherShape::Shaped, depth, &input);
        for &y in &output {
            assert!(y.is_finite() && f64::from(y) <= top && y >= -1.0, "{y}");
        }
    }
}

/// The noise of a sample depends only on its place in the stream: any cut into blocks gives
/// the same output, with blocks of whole signal (dithered at once), blocks holding silence or
/// bad values (sample by sample) and the two mixed, flat and shaped.
#[test]
fn the_output_does_not_depend_on_the_block_size() {
    let mut input = sine(6000, 440.0, 0.4);
    input[1000..1400].fill(0.0);
    input[3001] = f32::NAN;
    input[4500] = 0.0;
    for shape in [DitherShape::Flat, DitherShape::Shaped] {
        let render = |block: usize| {
            let mut dither = Dither::new(DitherParams {
                depth: DitherDepth::Bits16,
                shape,
            });
            dither.prepare(&ProcessSpec::stereo(RATE, block));
            let (mut left, mut right) = (input.clone(), input.clone());
            for (l, r) in left.chunks_mut(block).zip(right.chunks_mut(block)) {
                dither.process(&mut [l, r]);
            }
            (left, right)
        };
        let whole = render(input.len());
        assert_ne!(
            whole.0, whole.1,
            "{shape:?}: each channel has its own noise"
        );
        for block in [1, 7, 64, 512, 4096] {
            assert!(render(block) == whole, "{shape:?}, blocks of {block}");
        }
    }
}
