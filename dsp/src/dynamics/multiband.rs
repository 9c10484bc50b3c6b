//! The multiband compressor: crossover bank → per band (sidechain → gain stage) → sum.
//!
//! Each band runs its own [`Sidechain`] (detector → gain computer → ballistics) on the band
//! itself and a [`GainStage`] (makeup, bypass); solo mutes the other bands. Stereo modes: both
//! channels on their own, linked (one gain from the louder), or mid/side (each of mid and side on
//! its own, encoded before the crossover and decoded after the sum). Optional look-ahead delays
//! the bands behind their sidechains. With every band neutral (ratio 1:1, no makeup) the output
//! is exactly the crossover's band sum.

use super::samples::{finite, to_sample};
use super::{
    Detection, GainComputer, GainStage, HISTORY_LEN, ReductionMeter, Sidechain, SidechainSettings,
};
use crate::filter::crossover::{
    BandRows, CROSSOVER_CHUNK, Crossover, MAX_BANDS, MAX_CROSSOVERS, for_each_chunk,
};
use crate::util::{DelayLine, GainRamp};
use crate::{ProcessSpec, Processor};

/// Longest look-ahead, ms.
pub const MAX_LOOKAHEAD_MS: f64 = 10.0;
/// Attack range, ms.
pub const ATTACK_MIN_MS: f64 = 0.05;
pub const ATTACK_MAX_MS: f64 = 300.0;
/// Release range, ms.
pub const RELEASE_MIN_MS: f64 = 5.0;
pub const RELEASE_MAX_MS: f64 = 3_000.0;
/// Solo and the on/off crossfade take this long, ms.
const SWITCH_MS: f64 = 10.0;
const MAX_CHANNELS: usize = 2;

/// How the two channels are compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StereoMode {
    /// Left and right each on their own gain.
    Stereo,
    /// One gain for both, from the louder: the image does not move.
    #[default]
    Linked,
    /// Mid `(L+R)/2` and side `(L-R)/2` each on their own gain.
    MidSide,
}

/// One band's settings, in physical units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BandParams {
    /// Level where compression starts (the knee's centre), dBFS of the detected level. -60..0.
    pub threshold_db: f64,
    /// Input dB over the threshold per output dB. 1..20 compresses; 0.5..1 expands upwards
    /// (see [`super::RATIO_MIN`]).
    pub ratio: f64,
    /// Width of the soft knee, dB. 0..24.
    pub knee_db: f64,
    /// Attack time constant, ms. 0.05..300.
    pub attack_ms: f64,
    /// Release time constant, ms. 5..3000.
    pub release_ms: f64,
    /// Program-dependent release around `release_ms` (see [`super::Ballistics::set_times`]).
    pub auto_release: bool,
    /// Gain added after compression, dB. -24..24.
    pub makeup_db: f64,
    pub detection: Detection,
    /// Hear only the soloed bands (with their processing).
    pub solo: bool,
    /// Pass this band unprocessed.
    pub bypass: bool,
}

impl Default for BandParams {
    fn default() -> Self {
        Self {
            threshold_db: -18.0,
            ratio: 2.0,
            knee_db: 6.0,
            attack_ms: 10.0,
            release_ms: 150.0,
            auto_release: false,
            makeup_db: 0.0,
            detection: Detection::Peak,
            solo: false,
            bypass: false,
        }
    }
}

impl BandParams {
    fn sidechain(&self, linked: bool) -> SidechainSettings {
        SidechainSettings {
            computer: GainComputer::new(self.threshold_db, self.ratio, self.knee_db),
            detection: self.detection,
            attack_ms: self.attack_ms.clamp(ATTACK_MIN_MS, ATTACK_MAX_MS),
            release_ms: self.release_ms.clamp(RELEASE_MIN_MS, RELEASE_MAX_MS),
            auto_release: self.auto_release,
            linked,
        }
    }
}

/// The multiband compressor's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct MultibandParams {
    /// Off: the input passes unchanged (delayed by [`MultibandCompressor::latency`]), with a
    /// 10 ms crossfade.
    pub enabled: bool,
    /// Number of bands, 1..=4.
    pub bands: usize,
    /// Crossover frequencies, Hz, ascending, 20..20 000 (the first `bands - 1` are used).
    pub crossovers_hz: [f64; MAX_CROSSOVERS],
    /// Linear-phase crossovers (adds their latency) instead of Linkwitz-Riley minimum phase.
    pub linear_phase: bool,
    /// How far the sidechains see ahead of the audio, ms (adds as much latency). 0..10.
    pub lookahead_ms: f64,
    pub mode: StereoMode,
    pub band: [BandParams; MAX_BANDS],
}

impl Default for MultibandParams {
    fn default() -> Self {
        Self {
            enabled: false,
            bands: 4,
            crossovers_hz: [120.0, 1_000.0, 6_000.0],
            linear_phase: false,
            lookahead_ms: 0.0,
            mode: StereoMode::Linked,
            band: [BandParams::default(); MAX_BANDS],
        }
    }
}

/// What the compressor did, for the GUI. Plain data.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MultibandReadings {
    /// Bands in use.
    pub bands: usize,
    /// Gain reduction of each band at the end of the last block (the more reduced channel),
    /// dB; negative where a band expands upwards; 0 for bypassed bands.
    pub gain_reduction_db: [f64; MAX_BANDS],
    /// Each band's gain reduction per 10 ms (the largest in each), oldest first.
    pub history_db: [[f32; HISTORY_LEN]; MAX_BANDS],
}

impl Default for MultibandReadings {
    fn default() -> Self {
        Self {
            bands: MAX_BANDS,
            gain_reduction_db: [0.0; MAX_BANDS],
            history_db: [[0.0; HISTORY_LEN]; MAX_BANDS],
        }
    }
}

#[derive(Debug, Clone)]
struct Band {
    sidechain: Sidechain,
    stage: GainStage,
    /// 1 while heard, 0 while another band is soloed.
    audible: GainRamp,
    meter: ReductionMeter,
    lookahead: [DelayLine; MAX_CHANNELS],
}

impl Default for Band {
    fn default() -> Self {
        Self {
            sidechain: Sidechain::default(),
            stage: GainStage::default(),
            audible: GainRamp::new(1.0),
            meter: ReductionMeter::default(),
            lookahead: Default::default(),
        }
    }
}

/// The multiband compressor for one or two channels.
///
/// `prepare` allocates (delay lines, the crossover's FIR); `set_params`, `reset`, `process`,
/// `latency` and `readings` never allocate, lock or panic.
#[derive(Debug, Clone)]
pub struct MultibandCompressor {
    params: MultibandParams,
    spec: Option<ProcessSpec>,
    crossover: Crossover,
    bands: [Band; MAX_BANDS],
    /// Look-ahead in samples.
    lookahead: usize,
    /// 1 while enabled, 0 while off, gliding between.
    wet: GainRamp,
    /// The input delayed by the latency: the bypass and the crossfade's dry side.
    bypass: [DelayLine; MAX_CHANNELS],
    /// Frames into the current crossover chunk.
    position: usize,
    rows: [BandRows; MAX_CHANNELS],
    dry: [[f32; CROSSOVER_CHUNK]; MAX_CHANNELS],
}

impl Default for MultibandCompressor {
    fn default() -> Self {
        Self::new(MultibandParams::default())
    }
}

impl MultibandCompressor {
    /// A compressor with `params`, unprepared (passes audio through untouched).
    pub fn new(params: MultibandParams) -> Self {
        let mut compressor = Self {
            wet: GainRamp::new(if params.enabled { 1.0 } else { 0.0 }),
            params: params.clone(),
            spec: None,
            crossover: Crossover::new(),
            bands: Default::default(),
            lookahead: 0,
            bypass: Default::default(),
            position: 0,
            rows: [[[0.0; CROSSOVER_CHUNK]; MAX_BANDS]; MAX_CHANNELS],
            dry: [[0.0; CROSSOVER_CHUNK]; MAX_CHANNELS],
        };
        compressor.set_params(&params);
        compressor
    }

    pub fn params(&self) -> &MultibandParams {
        &self.params
    }

    /// The crossover bank, for plotting its bands ([`Crossover::band_response`]).
    pub fn crossover(&self) -> &Crossover {
        &self.crossover
    }

    /// Applies new settings. Gains, makeup, solo, bypass and crossover frequencies glide; the
    /// band count, the crossover type and the look-ahead take effect at once (the last two
    /// change the latency).
    pub fn set_params(&mut self, params: &MultibandParams) {
        let waking = params.enabled && !self.params.enabled && self.wet.target() == 0.0;
        self.params.clone_from(params);
        self.crossover
            .set(params.bands, params.crossovers_hz, params.linear_phase);
        let bands = self.crossover.bands();
        let linked = params.mode == StereoMode::Linked;
        let soloing = params.band[..bands].iter().any(|b| b.solo);
        for (band, p) in self.bands.iter_mut().zip(&params.band) {
            band.sidechain.set(&p.sidechain(linked));
            band.stage.set(p.makeup_db, !p.bypass);
            band.audible
                .set_target(if !soloing || p.solo { 1.0 } else { 0.0 });
        }
        self.wet.set_target(if params.enabled { 1.0 } else { 0.0 });
        if let Some(spec) = self.spec {
            let lookahead_ms = params.lookahead_ms.clamp(0.0, MAX_LOOKAHEAD_MS);
            self.lookahead = if lookahead_ms > 0.0 {
                spec.ms_to_samples(lookahead_ms)
            } else {
                0
            };
            for band in &mut self.bands {
                band.lookahead
                    .iter_mut()
                    .for_each(|line| line.set_delay(self.lookahead));
            }
            let latency = self.latency();
            self.bypass
                .iter_mut()
                .for_each(|line| line.set_delay(latency));
        }
        if waking {
            // Off, nothing ran: start from silence rather than from stale state.
            self.reset_state();
        }
    }

    /// What the compressor did since the last call to [`Self::reset_readings`].
    pub fn readings(&self) -> MultibandReadings {
        let mut readings = MultibandReadings {
            bands: self.crossover.bands(),
            gain_reduction_db: [0.0; MAX_BANDS],
            history_db: [[0.0; HISTORY_LEN]; MAX_BANDS],
        };
        for (band, (now, history)) in self.bands.iter().zip(
            readings
                .gain_reduction_db
                .iter_mut()
                .zip(&mut readings.history_db),
        ) {
            *now = f64::from(band.meter.current_db());
            *history = band.meter.history_db();
        }
        readings
    }

    /// Clears the readings only.
    pub fn reset_readings(&mut self) {
        self.bands.iter_mut().for_each(|b| b.meter.reset());
    }

    /// Clears the signal path (filters, envelopes, delays), not the readings.
    fn reset_state(&mut self) {
        self.crossover.reset();
        for band in &mut self.bands {
            band.sidechain.reset();
            band.stage.settle();
            band.audible.settle();
            band.lookahead.iter_mut().for_each(DelayLine::reset);
        }
        self.bypass.iter_mut().for_each(DelayLine::reset);
        self.wet.settle();
        self.position = 0;
    }

    fn process_chunk(&mut self, block: &mut [&mut [f32]], starts_step: bool) {
        let len = block.iter().map(|c| c.len()).min().unwrap_or(0);
        let count = block.len().min(MAX_CHANNELS);
        if starts_step {
            self.crossover.step();
        }
        for ((line, samples), dry) in self.bypass.iter_mut().zip(block.iter()).zip(&mut self.dry) {
            line.process_into(&samples[..len], &mut dry[..len]);
        }
        if !self.params.enabled && !self.wet.is_ramping() {
            for (samples, dry) in block.iter_mut().zip(&self.dry) {
                samples[..len].copy_from_slice(&dry[..len]);
            }
            return;
        }
        let mid_side = self.params.mode == StereoMode::MidSide && count == 2;
        let mut input = [[0.0f32; CROSSOVER_CHUNK]; MAX_CHANNELS];
        for (row, samples) in input.iter_mut().zip(block.iter()) {
            for (x, &sample) in row.iter_mut().zip(&samples[..len]) {
                *x = finite(sample);
            }
        }
        if mid_side {
            let [left, right] = &mut input;
            for (l, r) in left[..len].iter_mut().zip(&mut right[..len]) {
                let (a, b) = (f64::from(*l), f64::from(*r));
                (*l, *r) = ((0.5 * (a + b)) as f32, (0.5 * (a - b)) as f32);
            }
        }
        for (channel, (row, bands)) in input.iter().zip(&mut self.rows).take(count).enumerate() {
            self.crossover.split(channel, &row[..len], bands);
        }
        let bands = self.crossover.bands();
        let crossfade = self.wet.is_ramping() || self.wet.target() < 1.0;
        for i in 0..len {
            let mut out = [0.0f64; MAX_CHANNELS];
            for (b, band) in self.bands[..bands].iter_mut().enumerate() {
                let key = [f64::from(self.rows[0][b][i]), f64::from(self.rows[1][b][i])];
                let gains_db = band.sidechain.tick(key, count);
                let frame = band.stage.next_frame();
                let audible = band.audible.next_gain();
                let worst = gains_db[..count]
                    .iter()
                    .fold(0.0f64, |w, &g| if g.abs() > w.abs() { g } else { w });
                band.meter.push((-worst * frame.engage) as f32);
                for c in 0..count {
                    let x = if self.lookahead > 0 {
                        f64::from(band.lookahead[c].tick(key[c] as f32))
                    } else {
                        key[c]
                    };
                    out[c] += audible * frame.gain(gains_db[c]) * x;
                }
            }
            if mid_side {
                out = [out[0] + out[1], out[0] - out[1]];
            }
            let wet = if crossfade { self.wet.next_gain() } else { 1.0 };
            for (c, samples) in block.iter_mut().enumerate().take(count) {
                let y = if crossfade {
                    let dry = f64::from(finite(self.dry[c][i]));
                    dry + wet * (out[c] - dry)
                } else {
                    out[c]
                };
                samples[i] = to_sample(y);
            }
        }
    }
}

impl Processor for MultibandCompressor {
    fn prepare(&mut self, spec: &ProcessSpec) {
        let rate = spec.sample_rate;
        self.crossover.prepare(rate);
        let max_lookahead = spec.ms_to_samples(MAX_LOOKAHEAD_MS);
        for band in &mut self.bands {
            band.sidechain.prepare(rate);
            band.stage.prepare(rate);
            band.audible.set_ramp_samples(spec.ms_to_samples(SWITCH_MS));
            band.meter.prepare(rate);
            for line in &mut band.lookahead {
                *line = DelayLine::with_capacity(max_lookahead);
            }
        }
        for line in &mut self.bypass {
            *line = DelayLine::with_capacity(
                max_lookahead + self.crossover.max_latency() + CROSSOVER_CHUNK,
            );
        }
        self.wet.set_ramp_samples(spec.ms_to_samples(SWITCH_MS));
        self.spec = Some(*spec);
        let params = self.params.clone();
        self.set_params(&params);
        self.reset();
    }

    fn reset(&mut self) {
        self.reset_state();
        self.reset_readings();
    }

    fn process(&mut self, channels: &mut [&mut [f32]]) {
        if self.spec.is_none() {
            return;
        }
        let mut position = self.position;
        for_each_chunk(channels, &mut position, |chunk, starts| {
            self.process_chunk(chunk, starts)
        });
        self.position = position;
    }

    /// The linear-phase crossover's delay plus the look-ahead.
    fn latency(&self) -> usize {
        self.crossover.latency() + self.lookahead
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prepared(params: MultibandParams) -> MultibandCompressor {
        let mut m = MultibandCompressor::new(params);
        m.prepare(&ProcessSpec::stereo(48_000.0, 512));
        m
    }

    fn noise(len: usize, seed: u64) -> Vec<f32> {
        let mut state = seed;
        (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                ((state >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0) as f32 * 0.5
            })
            .collect()
    }

    #[test]
    fn disabled_is_bit_exact_and_delayed_by_its_latency() {
        for (lookahead_ms, linear_phase) in [(0.0, false), (5.0, false), (0.0, true)] {
            let mut m = prepared(MultibandParams {
                lookahead_ms,
                linear_phase,
                ..MultibandParams::default()
            });
            let latency = m.latency();
            let input = [noise(5_000, 1), noise(5_000, 2)];
            let mut output = input.clone();
            let [l, r] = &mut output;
            m.process(&mut [l, r]);
            for c in 0..2 {
                assert_eq!(output[c][latency..], input[c][..5_000 - latency]);
            }
        }
    }

    #[test]
    fn output_does_not_depend_on_block_splits() {
        let params = MultibandParams {
            enabled: true,
            lookahead_ms: 2.0,
            band: [BandParams {
                threshold_db: -30.0,
                ratio: 4.0,
                ..BandParams::default()
            }; MAX_BANDS],
            ..MultibandParams::default()
        };
        let input = [noise(20_000, 3), noise(20_000, 4)];
        let mut whole = prepared(params.clone());
        let mut expected = input.clone();
        {
            let [l, r] = &mut expected;
            whole.process(&mut [l, r]);
        }
        let mut split = prepared(params.clone());
        let mut got = input.clone();
        let mut start = 0;
        for len in [1usize, 7, 128, 300, 0, 1_000, 17].iter().cycle() {
            if start >= 20_000 {
                break;
            }
            let end = (start + len).min(20_000);
            let [l, r] = &mut got;
            split.process(&mut [&mut l[start..end], &mut r[start..end]]);
            start = end;
        }
        assert_eq!(got, expected);
        // And reset starts over identically.
        split.reset();
        let mut again = input.clone();
        let [l, r] = &mut again;
        split.process(&mut [l, r]);
        assert_eq!(again, expected);
    }

    #[test]
    fn bypassed_bands_are_untouched_by_their_compression() {
        let compressing = BandParams {
            threshold_db: -40.0,
            ratio: 10.0,
            makeup_db: 6.0,
            bypass: true,
            ..BandParams::default()
        };
        let mut m = prepared(MultibandParams {
            enabled: true,
            band: [compressing; MAX_BANDS],
            ..MultibandParams::default()
        });
        let mut reference = Crossover::new();
        reference.prepare(48_000.0);
        reference.set(4, [120.0, 1_000.0, 6_000.0], false);
        reference.reset();
        let input = noise(CROSSOVER_CHUNK * 8, 5);
        let mut output = input.clone();
        m.process(&mut [&mut output[..]]);
        let mut rows = [[0.0; CROSSOVER_CHUNK]; MAX_BANDS];
        for (x, y) in input
            .chunks(CROSSOVER_CHUNK)
            .zip(output.chunks(CROSSOVER_CHUNK))
        {
            reference.step();
            reference.split(0, x, &mut rows);
            for (i, &y) in y.iter().enumerate() {
                let sum = rows.iter().map(|row| f64::from(row[i])).sum::<f64>() as f32;
                assert_eq!(y, sum);
            }
        }
        assert_eq!(m.readings().gain_reduction_db, [0.0; MAX_BANDS]);
    }
}
