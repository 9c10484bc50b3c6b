//! The true-peak limiter: a ceiling that holds on any material.
//!
//! Per channel: drive → [`Detector`] (band split, exact true peaks of the low band) → stereo
//! link → [`GainEnvelope`]s (look-ahead, hold, release, attack ramp) → output = gain · low band
//! plus high-band gain · high band. The split is complementary, so with no gain reduction the
//! output is the input, delayed (bit-exact below the ceiling).
//!
//! The high band (above 0.43 fs: 19 kHz at 44.1 kHz, 20.6 kHz at 48 kHz) is faded out wherever
//! it could carry a peak over the ceiling: peaks between samples of content that close to
//! Nyquist depend on samples arbitrarily far away and cannot be measured in finite time (why
//! other true-peak limiters overshoot there). It goes out at least the scanner's reach before
//! such a peak and stays out [`HIGH_BAND_POST_HOLD_MS`] after it, so near limited peaks the
//! output is band-limited and its true peak is what the detector measured, times a gain held
//! constant over the interpolator's reach.
//!
//! What remains is corrected by a second stage that measures the first stage's output exactly
//! and applies its own small gain: gain movement beyond the hold, and the high band's far
//! field (its tails from before the fade, which a sinc pulse driven +24 dB adds up to 1 % at its
//! peak; [`FarField`]). The final output is measured once more, far field included, as proof.

mod detector;
mod envelope;

pub use detector::{DETECT_CHUNK, Detector, PeakMode, Requirement, SCAN, SCAN_LOOKAHEAD};
pub use envelope::{EnvelopeShape, GainEnvelope, Release};

use crate::oversampling::{FarField, PeakScanner};
use crate::util::{DelayLine, GainRamp, db_to_gain, gain_to_db};
use crate::{ProcessSpec, Processor};

/// Samples on each side of a peak over which the gain stays constant: the reach of the
/// detector's interpolator, so the output's reconstruction there is the input's, scaled.
const HOLD: usize = 32;
/// The safety stage's look-ahead (its attack ramp) and release, in samples and ms.
const SAFETY_LOOKAHEAD: usize = 16;
const SAFETY_RELEASE_MS: f64 = 5.0;
/// Longest look-ahead offered.
pub const MAX_LOOKAHEAD_MS: f64 = 10.0;
/// The high band's fade in and out, samples. It is above 19 kHz, so a short fade is inaudible.
const HIGH_BAND_FADE: usize = 32;
/// The shortest first-stage envelope delay: the high band must be out for the scanner's reach
/// before a peak, after its fade.
const MIN_ENVELOPE_DELAY: usize = SCAN.reach() + HIGH_BAND_FADE;
/// How long the high band stays out after a peak that needed it out, and its return time
/// constant: its tails after the peak would otherwise add to the peak's reconstruction.
pub const HIGH_BAND_POST_HOLD_MS: f64 = 100.0;
const HIGH_BAND_RETURN_MS: f64 = 50.0;
/// An output peak above the ceiling by more than this counts as an over.
pub const OVER_TOLERANCE_DB: f64 = 0.005;
/// Gain-reduction history: one value per 10 ms, the last 2.56 s.
pub const HISTORY_LEN: usize = 256;
const MAX_CHANNELS: usize = 2;

/// How the gain reacts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Character {
    /// The attack ramp spans the whole look-ahead: the smoothest, least distorting reduction.
    Transparent,
    /// The attack ramp is a quarter of the look-ahead: transients keep more of their edge.
    Fast,
}

/// How peaks between samples are detected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detection {
    /// True peak; the measuring grid by sample rate: 16 positions per sample up to 50 kHz,
    /// 8 to 100 kHz, 4 to 200 kHz, 2 above.
    Auto,
    /// True peak on a grid of this many positions per sample (2, 4, 8 or 16).
    Oversampled(usize),
    /// Sample values only: the ceiling holds for sample peaks, not between samples.
    SamplePeak,
}

impl Detection {
    fn mode(self, sample_rate: f64) -> PeakMode {
        match self {
            Detection::SamplePeak => PeakMode::SamplePeak,
            Detection::Oversampled(positions) => PeakMode::TruePeak {
                positions: positions.clamp(2, 16).next_power_of_two(),
            },
            Detection::Auto => PeakMode::TruePeak {
                positions: match sample_rate {
                    r if r <= 50_000.0 => 16,
                    r if r <= 100_000.0 => 8,
                    r if r <= 200_000.0 => 4,
                    _ => 2,
                },
            },
        }
    }
}

/// The limiter's settings, in physical units.
#[derive(Debug, Clone, PartialEq)]
pub struct LimiterParams {
    /// Highest output peak allowed, dBTP (dBFS in sample-peak mode). -20..0.
    pub ceiling_dbtp: f64,
    /// Gain into the limiter, dB. 0..24.
    pub drive_db: f64,
    /// How far ahead the gain starts to fall, ms. 0.5..10.
    pub lookahead_ms: f64,
    /// Release time constant, ms (the gain recovers 63 % of a reduction per constant). 1..1000.
    pub release_ms: f64,
    /// Program-dependent release: brief peaks recover in a quarter of `release_ms`, sustained
    /// reduction moves with four times it.
    pub auto_release: bool,
    /// How much the channels share their gain, percent: 100 keeps the stereo image. 0..100.
    pub link_pct: f64,
    pub character: Character,
    pub detection: Detection,
    /// Output only what the limiter removes.
    pub delta: bool,
    /// Lower the output by the drive, to compare with the input at equal loudness.
    pub unity_gain: bool,
}

impl Default for LimiterParams {
    fn default() -> Self {
        Self {
            ceiling_dbtp: -1.0,
            drive_db: 0.0,
            lookahead_ms: 1.5,
            release_ms: 80.0,
            auto_release: true,
            link_pct: 100.0,
            character: Character::Transparent,
            detection: Detection::Auto,
            delta: false,
            unity_gain: false,
        }
    }
}

/// What the limiter did, for the GUI. Plain data.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LimiterReadings {
    /// Gain reduction at the end of the last block (the most-reduced channel), dB, ≥ 0.
    pub gain_reduction_db: f64,
    /// Largest gain reduction since reset, dB.
    pub max_gain_reduction_db: f64,
    /// Gain reduction per 10 ms (the largest in each), oldest first.
    pub history_db: [f32; HISTORY_LEN],
    /// True peak of the limiter's output since reset, dBTP: the proof the ceiling held.
    pub output_true_peak_dbtp: f64,
    /// Intervals whose output peak exceeded the ceiling by more than [`OVER_TOLERANCE_DB`].
    pub overs: u64,
}

impl Default for LimiterReadings {
    fn default() -> Self {
        Self {
            gain_reduction_db: 0.0,
            max_gain_reduction_db: 0.0,
            history_db: [0.0; HISTORY_LEN],
            output_true_peak_dbtp: f64::NEG_INFINITY,
            overs: 0,
        }
    }
}

/// One channel's state.
#[derive(Debug, Clone, Default)]
struct Channel {
    detector: Detector,
    main: GainEnvelope,
    high: GainEnvelope,
    /// Samples left for which the high band stays out.
    high_out_for: usize,
    low_delay: DelayLine,
    high_delay: DelayLine,
    /// The safety stage: measures the first stage's output, corrects the rest.
    safety_scanner: PeakScanner,
    safety_far: FarField,
    safety: GainEnvelope,
    safety_delay: DelayLine,
    safety_high_delay: DelayLine,
    /// Delays the input to the output for delta listening.
    dry_delay: DelayLine,
    output_scanner: PeakScanner,
    output_far: FarField,
    driven: Vec<f32>,
    /// First stage output and its high-band part (chunk).
    stage: Vec<f32>,
    stage_high: Vec<f32>,
    dry: Vec<f32>,
    /// Final output and its high-band part (chunk).
    output: Vec<f32>,
    output_high: Vec<f32>,
}

/// The limiter for one or two channels. `prepare` allocates; nothing else does.
#[derive(Debug, Clone)]
pub struct Limiter {
    params: LimiterParams,
    spec: Option<ProcessSpec>,
    channels: Vec<Channel>,
    drive: GainRamp,
    mode: Option<PeakMode>,
    ceiling: f32,
    over_threshold: f32,
    high_post_hold: usize,
    envelope_delay: usize,
    safety_delay: usize,
    // Readings.
    /// The smallest gain of the last frame and of the current 10 ms step.
    frame_gain: f32,
    step_gain: f32,
    max_gain_reduction: f32,
    history: [f32; HISTORY_LEN],
    history_newest: usize,
    /// Sample rate, rounded: readings step every `rate / 100` frames.
    rate: u64,
    frames: u64,
    steps: u64,
    output_peak: f32,
    overs: u64,
}

impl Limiter {
    /// A limiter with `params`, unprepared (passes audio through).
    pub fn new(params: LimiterParams) -> Self {
        Self {
            drive: GainRamp::new(db_to_gain(params.drive_db)),
            params,
            spec: None,
            channels: Vec::new(),
            mode: None,
            ceiling: 1.0,
            over_threshold: 1.0,
            high_post_hold: 0,
            envelope_delay: 0,
            safety_delay: 0,
            frame_gain: 1.0,
            step_gain: 1.0,
            max_gain_reduction: 0.0,
            history: [0.0; HISTORY_LEN],
            history_newest: 0,
            rate: 48_000,
            frames: 0,
            steps: 0,
            output_peak: 0.0,
            overs: 0,
        }
    }

    pub fn params(&self) -> &LimiterParams {
        &self.params
    }

    /// Applies new settings. Changing the look-ahead or the character changes the latency.
    pub fn set_params(&mut self, params: &LimiterParams) {
        self.drive.set_target(db_to_gain(params.drive_db));
        self.params.clone_from(params);
        if let Some(spec) = self.spec {
            self.configure(&spec);
        }
    }

    /// Derives everything that depends on settings and sample rate.
    fn configure(&mut self, spec: &ProcessSpec) {
        let rate = spec.sample_rate;
        let mode = self.params.detection.mode(rate);
        self.mode = Some(mode);
        let ceiling = db_to_gain(self.params.ceiling_dbtp);
        self.ceiling = (ceiling * db_to_gain(-mode.margin_db())) as f32;
        self.over_threshold = (ceiling * db_to_gain(OVER_TOLERANCE_DB)) as f32;
        let lookahead = spec.ms_to_samples(self.params.lookahead_ms.clamp(0.5, MAX_LOOKAHEAD_MS));
        let ramp = match self.params.character {
            Character::Transparent => lookahead,
            Character::Fast => (lookahead / 4).max(1),
        };
        let release_samples = (self.params.release_ms.clamp(1.0, 1000.0) * 0.001 * rate) as f32;
        let release = if self.params.auto_release {
            Release::Auto {
                fast: release_samples / 4.0,
                slow: release_samples * 4.0,
            }
        } else {
            Release::Manual {
                time_constant: release_samples,
            }
        };
        let main = EnvelopeShape {
            // Short look-aheads wait a little before the ramp, so the high band has time to go.
            lookahead: lookahead.max(MIN_ENVELOPE_DELAY + 1 - HOLD),
            ramp,
            hold: HOLD,
            release,
        };
        // The high band's envelope takes the detector's decisions with the main one; all of its
        // delay beyond the fade becomes hold, so the band is out well before the peak.
        let high = EnvelopeShape {
            lookahead: HIGH_BAND_FADE,
            ramp: HIGH_BAND_FADE,
            hold: main.delay() + 1 - HIGH_BAND_FADE,
            release: Release::Manual {
                time_constant: (HIGH_BAND_RETURN_MS * 0.001 * rate) as f32,
            },
        };
        self.high_post_hold = spec.ms_to_samples(HIGH_BAND_POST_HOLD_MS);
        let safety = EnvelopeShape {
            lookahead: SAFETY_LOOKAHEAD,
            ramp: SAFETY_LOOKAHEAD,
            hold: HOLD,
            release: Release::Manual {
                time_constant: (SAFETY_RELEASE_MS * 0.001 * rate) as f32,
            },
        };
        self.envelope_delay = main.delay();
        self.safety_delay = SCAN_LOOKAHEAD + safety.delay();
        let band_delay = SCAN_LOOKAHEAD + self.envelope_delay;
        for channel in &mut self.channels {
            channel.main.set_shape(main);
            channel.high.set_shape(high);
            channel.safety.set_shape(safety);
            channel.low_delay.set_delay(band_delay);
            channel.high_delay.set_delay(band_delay);
            channel.safety_delay.set_delay(self.safety_delay);
            channel.safety_high_delay.set_delay(self.safety_delay);
            channel.dry_delay.set_delay(self.safety_delay);
        }
    }

    /// Limiter readings.
    pub fn readings(&self) -> LimiterReadings {
        let mut history_db = [0.0f32; HISTORY_LEN];
        for (age, value) in history_db.iter_mut().rev().enumerate() {
            *value = self.history[(self.history_newest + HISTORY_LEN - age) % HISTORY_LEN];
        }
        LimiterReadings {
            gain_reduction_db: -gain_to_db(f64::from(self.frame_gain)),
            max_gain_reduction_db: f64::from(self.max_gain_reduction)
                .max(-gain_to_db(f64::from(self.step_gain))),
            history_db,
            output_true_peak_dbtp: gain_to_db(f64::from(self.output_peak)),
            overs: self.overs,
        }
    }

    /// Clears the readings only.
    pub fn reset_readings(&mut self) {
        self.max_gain_reduction = 0.0;
        self.history = [0.0; HISTORY_LEN];
        self.output_peak = 0.0;
        self.overs = 0;
    }

    /// Processes up to [`DETECT_CHUNK`] frames.
    fn process_chunk(&mut self, block: &mut [&mut [f32]]) {
        let Some(mode) = self.mode else {
            return;
        };
        let len = block
            .iter()
            .map(|c| c.len())
            .min()
            .unwrap_or(0)
            .min(DETECT_CHUNK);
        let count = block.len().min(self.channels.len());
        for j in 0..len {
            let drive = self.drive.next_gain();
            for (channel, samples) in self.channels.iter_mut().zip(block.iter()).take(count) {
                let x = samples[j];
                // NaN, infinities and subnormals become silence.
                let x = if x.is_normal() { x } else { 0.0 };
                channel.driven[j] = (f64::from(x) * drive) as f32;
            }
        }
        for channel in &mut self.channels[..count] {
            channel.detector.analyse(&channel.driven[..len]);
        }
        let link = (self.params.link_pct.clamp(0.0, 100.0) / 100.0) as f32;
        for j in 0..len {
            let mut requirements = [1.0f32; MAX_CHANNELS];
            for (c, channel) in self.channels[..count].iter_mut().enumerate() {
                let requirement = channel.detector.requirement(j, self.ceiling, mode);
                requirements[c] = requirement.gain;
                if requirement.cut_high {
                    channel.high_out_for = self.high_post_hold;
                }
            }
            let strictest = requirements[..count].iter().copied().fold(1.0, f32::min);
            let mut frame_gain = 1.0f32;
            for (c, channel) in self.channels[..count].iter_mut().enumerate() {
                let own = requirements[c];
                let gain = channel.main.tick(own + link * (strictest - own));
                let high_out = channel.high_out_for > 0;
                channel.high_out_for = channel.high_out_for.saturating_sub(1);
                let high_in = channel.high.tick(if high_out { 0.0 } else { 1.0 });
                // The high band follows the gain and, where it must, fades out as well.
                let high_gain = match mode {
                    PeakMode::SamplePeak => gain,
                    PeakMode::TruePeak { .. } => gain * high_in,
                };
                let (low, high) = channel.detector.bands(len);
                let low = channel.low_delay.tick(low[j]);
                let high = channel.high_delay.tick(high[j]);
                channel.stage_high[j] = high_gain * high;
                channel.stage[j] = gain * low + channel.stage_high[j];
                channel.dry[j] = low + high;
                frame_gain = frame_gain.min(gain);
            }
            self.count_reduction(frame_gain);
        }
        self.safety_stage(block, count, len, link);
        self.check_output(count, len, mode);
    }

    /// Updates the gain-reduction readings with one frame's smallest gain.
    #[inline]
    fn count_reduction(&mut self, frame_gain: f32) {
        self.frame_gain = frame_gain;
        self.step_gain = self.step_gain.min(frame_gain);
        self.frames += 1;
        if self.frames == (self.steps + 1) * self.rate / 100 {
            self.steps += 1;
            let reduction = -gain_to_db(f64::from(self.step_gain)) as f32;
            self.history_newest = (self.history_newest + 1) % HISTORY_LEN;
            self.history[self.history_newest] = reduction;
            self.max_gain_reduction = self.max_gain_reduction.max(reduction);
            self.step_gain = 1.0;
        }
    }

    /// Measures the first stage's output exactly, far field included, and corrects what still
    /// exceeds the ceiling.
    fn safety_stage(&mut self, block: &mut [&mut [f32]], count: usize, len: usize, link: f32) {
        for channel in &mut self.channels[..count] {
            channel.safety_scanner.push(&channel.stage[..len]);
        }
        let ceiling = self.ceiling;
        for j in 0..len {
            let mut requirements = [1.0f32; MAX_CHANNELS];
            for (c, channel) in self.channels[..count].iter_mut().enumerate() {
                let far = channel.safety_far.tick(channel.stage_high[j]);
                let scanner = &channel.safety_scanner;
                if scanner.bound(j) + far > ceiling {
                    let peak = scanner.measure(j);
                    if peak + far > ceiling {
                        requirements[c] = ((ceiling - far) / peak).max(0.0);
                    }
                }
            }
            let strictest = requirements[..count].iter().copied().fold(1.0, f32::min);
            for (c, channel) in self.channels[..count].iter_mut().enumerate() {
                let own = requirements[c];
                let gain = channel.safety.tick(own + link * (strictest - own));
                channel.output[j] = gain * channel.safety_delay.tick(channel.stage[j]);
                channel.output_high[j] =
                    gain * channel.safety_high_delay.tick(channel.stage_high[j]);
                channel.dry[j] = channel.dry_delay.tick(channel.dry[j]);
            }
        }
        let unity = if self.params.unity_gain {
            (1.0 / self.drive.target()) as f32
        } else {
            1.0
        };
        let delta = self.params.delta;
        for (channel, samples) in self.channels.iter().zip(block.iter_mut()) {
            let frames = samples[..len]
                .iter_mut()
                .zip(&channel.output[..len])
                .zip(&channel.dry[..len]);
            for ((y, &output), &dry) in frames {
                *y = unity * if delta { dry - output } else { output };
            }
        }
    }

    /// Measures the output's peaks, far field included: the readout and the over counter.
    fn check_output(&mut self, count: usize, len: usize, mode: PeakMode) {
        for channel in &mut self.channels[..count] {
            channel.output_scanner.push(&channel.output[..len]);
            for j in 0..len {
                let far = channel.output_far.tick(channel.output_high[j]);
                let scanner = &channel.output_scanner;
                if scanner.bound(j) + far <= self.output_peak.min(self.over_threshold) {
                    continue;
                }
                let peak = match mode {
                    PeakMode::SamplePeak => channel.output[j].abs(),
                    PeakMode::TruePeak { .. } => scanner.measure(j) + far,
                };
                self.output_peak = self.output_peak.max(peak);
                if peak > self.over_threshold {
                    self.overs += 1;
                }
            }
        }
    }
}

impl Default for Limiter {
    fn default() -> Self {
        Self::new(LimiterParams::default())
    }
}

impl Processor for Limiter {
    fn prepare(&mut self, spec: &ProcessSpec) {
        let max_lookahead = spec.ms_to_samples(MAX_LOOKAHEAD_MS).max(MIN_ENVELOPE_DELAY);
        let band_delay = SCAN_LOOKAHEAD + max_lookahead + HOLD;
        let safety_capacity = SCAN_LOOKAHEAD + SAFETY_LOOKAHEAD + HOLD;
        let far_field = || FarField::new(SCAN_LOOKAHEAD, SCAN.reach());
        self.channels = (0..spec.channels.min(MAX_CHANNELS))
            .map(|_| Channel {
                main: GainEnvelope::with_capacity(max_lookahead, HOLD),
                high: GainEnvelope::with_capacity(HIGH_BAND_FADE, max_lookahead + HOLD),
                safety: GainEnvelope::with_capacity(SAFETY_LOOKAHEAD, HOLD),
                low_delay: DelayLine::with_capacity(band_delay),
                high_delay: DelayLine::with_capacity(band_delay),
                safety_delay: DelayLine::with_capacity(safety_capacity),
                safety_high_delay: DelayLine::with_capacity(safety_capacity),
                dry_delay: DelayLine::with_capacity(safety_capacity),
                safety_scanner: PeakScanner::new(SCAN),
                safety_far: far_field(),
                output_scanner: PeakScanner::new(SCAN),
                output_far: far_field(),
                driven: vec![0.0; DETECT_CHUNK],
                stage: vec![0.0; DETECT_CHUNK],
                stage_high: vec![0.0; DETECT_CHUNK],
                dry: vec![0.0; DETECT_CHUNK],
                output: vec![0.0; DETECT_CHUNK],
                output_high: vec![0.0; DETECT_CHUNK],
                ..Channel::default()
            })
            .collect();
        self.drive.set_ramp_samples(spec.ms_to_samples(20.0));
        self.rate = spec.sample_rate.round() as u64;
        self.spec = Some(*spec);
        self.configure(spec);
        self.reset();
    }

    fn reset(&mut self) {
        for channel in &mut self.channels {
            channel.detector.reset();
            channel.main.reset();
            channel.high.reset();
            channel.high_out_for = 0;
            channel.low_delay.reset();
            channel.high_delay.reset();
            channel.safety_scanner.reset();
            channel.safety_far.reset();
            channel.safety.reset();
            channel.safety_delay.reset();
            channel.safety_high_delay.reset();
            channel.dry_delay.reset();
            channel.output_scanner.reset();
            channel.output_far.reset();
        }
        self.drive.settle();
        self.frame_gain = 1.0;
        self.step_gain = 1.0;
        self.frames = 0;
        self.steps = 0;
        self.reset_readings();
    }

    fn process(&mut self, channels: &mut [&mut [f32]]) {
        crate::util::for_each_slice(channels, DETECT_CHUNK, |block| self.process_chunk(block));
    }

    /// The band split, the detector's look-ahead, the look-ahead and the hold, and the safety
    /// stage's look-ahead and hold.
    fn latency(&self) -> usize {
        if self.spec.is_none() {
            return 0;
        }
        Detector::delay() + self.envelope_delay + self.safety_delay
    }
}
