//! A synthesized demo mix: drums, bass and chords with mix-stage headroom and a little DC
//! offset, so the demo needs no input file. Deterministic: the same samples every run.

use std::f64::consts::TAU;

/// Tempo of the demo mix.
const BPM: f64 = 122.0;
/// Overall mix level: peaks near -4.5 dBFS, as a mix arrives for mastering.
const MIX_GAIN: f64 = 0.5;

/// Small deterministic noise source (xorshift32).
struct Noise(u32);

impl Noise {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 17;
        self.0 ^= self.0 << 5;
        f64::from(self.0) / f64::from(u32::MAX) * 2.0 - 1.0
    }
}

/// Renders `seconds` of the demo mix at `sample_rate` as stereo `[left, right]`.
pub fn demo_mix(sample_rate: u32, seconds: f64) -> Vec<Vec<f32>> {
    let rate = f64::from(sample_rate);
    let frames = (seconds * rate) as usize;
    let beat = 60.0 / BPM;
    let mut noise = Noise(0x1ac9_0e12);
    let mut hat_state = 0.0f64;
    // Chord roots (Hz) per bar: Am, F, C, G.
    let chords: [[f64; 3]; 4] = [
        [220.0, 261.63, 329.63],
        [174.61, 220.0, 261.63],
        [196.0, 261.63, 329.63],
        [196.0, 246.94, 293.66],
    ];
    let bass_notes = [55.0, 43.65, 65.41, 49.0];
    let mut left = Vec::with_capacity(frames);
    let mut right = Vec::with_capacity(frames);
    let mut bass_phase = 0.0f64;
    for n in 0..frames {
        let t = n as f64 / rate;
        let beat_pos = t / beat;
        let in_beat = (beat_pos.fract()) * beat;
        let bar = (beat_pos / 4.0) as usize % 4;

        // Kick on every beat: pitch sweep 110 -> 45 Hz, 250 ms decay.
        let kick_phase = TAU * (45.0 * in_beat + 65.0 / 30.0 * (1.0 - (-in_beat * 30.0).exp()));
        let kick = (kick_phase).sin() * (-in_beat * 9.0).exp() * 0.55;

        // Snare on beats 2 and 4: noise and a 190 Hz body.
        let beat_index = beat_pos as usize % 4;
        let white = noise.next();
        let snare = if beat_index % 2 == 1 {
            (0.35 * white + 0.25 * (TAU * 190.0 * in_beat).sin()) * (-in_beat * 18.0).exp()
        } else {
            0.0
        };

        // Closed hats on eighth notes: high-passed noise.
        let eighth = (beat_pos * 2.0).fract() * beat / 2.0;
        let high = white - hat_state;
        hat_state = white;
        let hat = 0.12 * high * (-eighth * 60.0).exp();

        // Bass: a warm saw-ish tone, one note per bar, gated on eighths.
        let bass_freq = bass_notes[bar];
        bass_phase = (bass_phase + bass_freq / rate).fract();
        let saw = (1..6)
            .map(|k| (TAU * k as f64 * bass_phase).sin() / k as f64)
            .sum::<f64>();
        let bass = 0.22 * saw * (1.0 - (-eighth * 40.0).exp()) * (-eighth * 2.0).exp();

        // Pad: detuned chord tones, spread left/right.
        let chord = chords[bar];
        let (mut pad_l, mut pad_r) = (0.0, 0.0);
        for (i, &f) in chord.iter().enumerate() {
            pad_l += (TAU * f * 0.998 * t + i as f64).sin();
            pad_r += (TAU * f * 1.002 * t + 2.0 * i as f64).sin();
        }
        let swell = 0.5 - 0.5 * (TAU * t / (4.0 * beat)).cos();
        let pad_gain = 0.045 * (0.6 + 0.4 * swell);

        let centre = kick + snare + bass;
        left.push((MIX_GAIN * (centre + 0.8 * hat + pad_gain * pad_l) + 0.004) as f32);
        right.push((MIX_GAIN * (centre + 1.1 * hat + pad_gain * pad_r)) as f32);
    }
    vec![left, right]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{dc_offset, measure};

    #[test]
    fn demo_mix_has_mix_stage_headroom_and_a_dc_offset() {
        let mix = demo_mix(48_000, 8.0);
        assert_eq!(mix.len(), 2);
        assert_eq!(mix[0].len(), 384_000);
        let readings = measure(48_000, &mix).unwrap();
        let peak = readings.sample_peak_max_db();
        let integrated = readings.loudness.integrated_lufs.unwrap();
        assert!((-6.0..-0.5).contains(&peak), "peak {peak}");
        assert!(
            (-24.0..-14.0).contains(&integrated),
            "integrated {integrated}"
        );
        assert!(dc_offset(&mix) > 0.003);
        assert_eq!(demo_mix(48_000, 1.0)[1][..100], mix[1][..100]);
    }
}
