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

mod channel;
mod detector;
mod envelope;
mod params;
mod readout;
mod safety;

pub use detector::{DETECT_CHUNK, DETECT_LOOKAHEAD, DETECT_SCAN, Detector, PeakMode};
pub use envelope::{EnvelopeShape, GainEnvelope, Release};
pub use params::{Character, Detection, LimiterParams, LimiterReadings};

use channel::{Channel, Rows, first_stage, link_gains};

use crate::oversampling::peak_scan::ScanDesign;
use crate::oversampling::{FarField, PeakScanner};
use crate::util::{DelayLine, GainRamp, db_to_gain, gain_to_db, ms_to_samples};
use crate::{ProcessSpec, Processor};

/// Samples on each side of a peak over which the gain stays constant: the reach of the
/// detector's interpolator, so the output's reconstruction there is the input's, scaled.
const HOLD: usize = 32;
/// The safety stage's look-ahead (its attack ramp) and release, in samples and ms.
const SAFETY_LOOKAHEAD: usize = 16;
const SAFETY_RELEASE_MS: f64 = 5.0;
/// The safety stage measures the first stage's output with the wide-band fine grid (exact to
/// 0.48 fs): gain movement spreads the low band beyond its 0.4535 fs edge. Its screen only
/// picks the intervals to measure; the audio-band one does that as well (the spread is small)
/// for 40 % of the work.
pub const SAFETY_SCAN: ScanDesign = ScanDesign {
    fine_taps: ScanDesign::WIDE.fine_taps,
    fine_beta: ScanDesign::WIDE.fine_beta,
    ..ScanDesign::AUDIO_BAND
};
const SAFETY_SCAN_LOOKAHEAD: usize = SAFETY_SCAN.lookahead();
/// Intervals of the output lag those of the safety stage by the safety envelope's delay and the
/// output scanner's look-ahead (the same design as the safety stage's).
const CERTIFIED_DELAY: usize = SAFETY_LOOKAHEAD - 1 + HOLD + SAFETY_SCAN_LOOKAHEAD;
/// Longest look-ahead offered.
pub const MAX_LOOKAHEAD_MS: f64 = 10.0;
/// The high band's fade in and out, samples. It is above 19 kHz, so a short fade is inaudible.
const HIGH_BAND_FADE: usize = 32;
/// The shortest first-stage envelope delay: the high band must be out for the scanner's reach
/// before a peak, after its fade.
const MIN_ENVELOPE_DELAY: usize = SAFETY_SCAN.reach() + HIGH_BAND_FADE;
/// How long the high band stays out after a peak that needed it out, and how long it takes to
/// fade back in: its tails after the peak would otherwise add to the peak's reconstruction.
pub const HIGH_BAND_POST_HOLD_MS: f64 = 100.0;
const HIGH_BAND_RETURN_MS: f64 = 50.0;
/// The first stage aims this far below the safety stage's ceiling, so the safety stage (whose
/// gain movements make the readout measure the output itself) seldom has to act: with no
/// headroom it acted near 27 % of the 256-frame chunks of limited programme, with 0.005 dB
/// near 2 %.
const FIRST_STAGE_HEADROOM_DB: f64 = 0.005;
/// Without the readout, the safety stage measures every interval whose screen bound (plus far
/// field) reaches this share of its ceiling. The screen's bound is an empirical one (see
/// [`PeakScanner`]) on a signal with content above the screen's 0.4535 fs band; on 10 minutes
/// of limited programme at 44.1 kHz it read at least 1.0085 times the interval's 16x-grid
/// maximum wherever that came within 0.1 % of the ceiling. The 2 % margin cost no measurable
/// time against 1 %. (With the readout the floor is the output's peak so far, within 0.15 %
/// under the ceiling once limiting has begun.)
const UNREAD_SAFETY_FLOOR: f32 = 0.98;
/// An output peak above the ceiling by more than this counts as an over.
pub const OVER_TOLERANCE_DB: f64 = 0.005;
/// Gain-reduction history: one value per 10 ms, the last 2.56 s.
pub const HISTORY_LEN: usize = 256;
const MAX_CHANNELS: usize = 2;

/// The limiter for one or two channels. `prepare` allocates; nothing else does.
#[derive(Debug, Clone)]
pub struct Limiter {
    params: LimiterParams,
    spec: Option<ProcessSpec>,
    channels: Vec<Channel>,
    drive: GainRamp,
    /// 1 while enabled, 0 while bypassed, gliding between.
    wet: GainRamp,
    mode: Option<PeakMode>,
    /// The safety stage's ceiling (the set one, less the detection margin) and the first
    /// stage's, a little lower.
    ceiling: f32,
    detect_ceiling: f32,
    over_threshold: f32,
    high_post_hold: usize,
    /// The left channel's main envelope serves both (full link).
    main_shared: bool,
    envelope_delay: usize,
    safety_delay: usize,
    /// The main envelope's minimum window: one requirement covers its neighbours within it.
    covering_window: usize,
    /// The drive gain of each frame of the chunk, while it moves.
    drive_gains: [f32; DETECT_CHUNK],
    /// The smallest gain over the channels, per frame of the chunk.
    frame_gains: [f32; DETECT_CHUNK],
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
    /// Whether the output is measured (the readout and over counter), and whether it will be
    /// from the next reset.
    readout: bool,
    readout_from_reset: bool,
}

impl Limiter {
    /// A limiter with `params`, unprepared (passes audio through).
    pub fn new(params: LimiterParams) -> Self {
        Self {
            drive: GainRamp::new(db_to_gain(params.drive_db)),
            wet: GainRamp::new(if params.enabled { 1.0 } else { 0.0 }),
            params,
            spec: None,
            channels: Vec::new(),
            mode: None,
            ceiling: 1.0,
            detect_ceiling: 1.0,
            over_threshold: 1.0,
            high_post_hold: 0,
            main_shared: false,
            envelope_delay: 0,
            safety_delay: 0,
            covering_window: 1,
            drive_gains: [1.0; DETECT_CHUNK],
            frame_gains: [1.0; DETECT_CHUNK],
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
            readout: true,
            readout_from_reset: true,
        }
    }

    pub fn params(&self) -> &LimiterParams {
        &self.params
    }

    /// Applies new settings. Changing the look-ahead or the character changes the latency.
    pub fn set_params(&mut self, params: &LimiterParams) {
        self.drive.set_target(db_to_gain(params.drive_db));
        self.wet.set_target(if params.enabled { 1.0 } else { 0.0 });
        self.params.clone_from(params);
        if let Some(spec) = self.spec {
            self.configure(&spec);
        }
    }

    /// Turns the output's measurement (the readout and the over counter) on or off; on by
    /// default. A file render that measures its output with the output meter anyway turns it
    /// off: the measurement is 7 % of a mastering run. Off, the readings hold no output peak
    /// and no overs, and the safety stage measures from [`UNREAD_SAFETY_FLOOR`] of its ceiling
    /// up instead of from the output's peak so far (so where it corrects can differ by a
    /// sample; the ceiling holds either way: `tests/tests/limiter_ceiling.rs`). Takes effect
    /// at the next `prepare` or `reset`: switched on mid-stream, the readout would lack the
    /// output it did not see.
    pub fn set_readout(&mut self, on: bool) {
        self.readout_from_reset = on;
    }

    /// Derives everything that depends on settings and sample rate.
    fn configure(&mut self, spec: &ProcessSpec) {
        let rate = spec.sample_rate;
        let mode = self.params.detection.mode(rate);
        self.mode = Some(mode);
        let ceiling = db_to_gain(self.params.ceiling_dbtp);
        self.ceiling = (ceiling * db_to_gain(-mode.margin_db())) as f32;
        self.detect_ceiling =
            (ceiling * db_to_gain(-mode.margin_db() - FIRST_STAGE_HEADROOM_DB)) as f32;
        self.over_threshold = (ceiling * db_to_gain(OVER_TOLERANCE_DB)) as f32;
        let lookahead = spec.ms_to_samples(self.params.lookahead_ms.clamp(0.5, MAX_LOOKAHEAD_MS));
        let ramp = match self.params.character {
            Character::Transparent => lookahead,
            Character::Fast => (lookahead / 4).max(1),
        };
        let release_samples = ms_to_samples(self.params.release_ms.clamp(1.0, 1000.0), rate) as f32;
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
            release: Release::Linear {
                samples: ms_to_samples(HIGH_BAND_RETURN_MS, rate) as f32,
            },
        };
        self.high_post_hold = spec.ms_to_samples(HIGH_BAND_POST_HOLD_MS);
        let safety = EnvelopeShape {
            lookahead: SAFETY_LOOKAHEAD,
            ramp: SAFETY_LOOKAHEAD,
            hold: HOLD,
            release: Release::Manual {
                time_constant: ms_to_samples(SAFETY_RELEASE_MS, rate) as f32,
            },
        };
        self.envelope_delay = main.delay();
        self.covering_window = main.ramp + 2 * main.hold;
        self.safety_delay = SAFETY_SCAN_LOOKAHEAD + safety.delay();
        let band_delay = DETECT_LOOKAHEAD + self.envelope_delay;
        for channel in &mut self.channels {
            channel.main.set_shape(main);
            channel.high.set_shape(high);
            channel.safety.set_shape(safety);
            channel.low_delay.set_delay(band_delay);
            channel.high_delay.set_delay(band_delay);
            channel.safety_delay.set_delay(self.safety_delay);
            channel.safety_high_delay.set_delay(self.safety_delay);
            channel.dry_delay.set_delay(self.safety_delay);
            channel
                .bypass_delay
                .set_delay(Detector::delay() + self.envelope_delay + self.safety_delay);
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

    /// Processes up to [`DETECT_CHUNK`] frames, stage by stage over the whole chunk.
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
        let channels = &mut self.channels[..count];
        // The delayed input is only heard while the limiter is switched out or fading; switched
        // in and settled, the line just keeps its history.
        let bypass_heard = self.wet.is_ramping() || self.wet.target() < 1.0;
        for (channel, samples) in channels.iter_mut().zip(block.iter()) {
            let rows = &mut channel.rows;
            if bypass_heard {
                channel
                    .bypass_delay
                    .process_into(&samples[..len], &mut rows.bypass[..len]);
            } else {
                channel.bypass_delay.push(&samples[..len]);
            }
        }
        // One channel's requirement covers its neighbours as they are, or fully linked; a partial
        // link blends them with the other channel's, so every interval is measured then.
        let link = (self.params.link_pct.clamp(0.0, 100.0) / 100.0) as f32;
        let covering_window = (link == 0.0 || link == 1.0).then_some(self.covering_window);
        let ramping = self.drive.is_ramping();
        if ramping {
            for drive in &mut self.drive_gains[..len] {
                *drive = self.drive.next_gain() as f32;
            }
        }
        let drive = self.drive.target() as f32;
        for (channel, samples) in channels.iter_mut().zip(block.iter()) {
            let rows = &mut channel.rows;
            // NaN, infinities and subnormals become silence.
            let clean = |x: f32| if x.is_normal() { x } else { 0.0 };
            let driven = rows.driven[..len].iter_mut().zip(&samples[..len]);
            if ramping {
                for ((driven, &x), &gain) in driven.zip(&self.drive_gains) {
                    *driven = clean(x) * gain;
                }
            } else {
                for (driven, &x) in driven {
                    *driven = clean(x) * drive;
                }
            }
            channel.detector.analyse(
                &rows.driven[..len],
                self.detect_ceiling,
                mode,
                covering_window,
                &mut rows.gain,
                &mut rows.cut_high,
            );
        }
        link_gains(channels, len, link);
        self.main_envelopes(len, link);
        let high_post_hold = self.high_post_hold;
        for channel in &mut self.channels[..count] {
            first_stage(channel, len, mode, high_post_hold);
        }
        self.frame_gains[..len].fill(1.0);
        for channel in &self.channels[..count] {
            for (frame, &gain) in self.frame_gains[..len]
                .iter_mut()
                .zip(&channel.rows.gain[..len])
            {
                *frame = frame.min(gain);
            }
        }
        self.count_reduction(len);
        self.safety_stage(count, len, link, mode);
        if self.readout {
            self.check_output(count, len, mode);
        }
        self.write_output(block, count, len, bypass_heard);
    }

    /// Writes the output: the limited signal (or its delta, or lowered by the drive), crossfaded
    /// with the delayed input while the limiter is switched in or out.
    fn write_output(
        &mut self,
        block: &mut [&mut [f32]],
        count: usize,
        len: usize,
        bypass_heard: bool,
    ) {
        let unity = if self.params.unity_gain {
            (1.0 / self.drive.target()) as f32
        } else {
            1.0
        };
        let delta = self.params.delta;
        for (channel, samples) in self.channels[..count].iter().zip(block.iter_mut()) {
            let rows = &channel.rows;
            let frames = samples[..len]
                .iter_mut()
                .zip(&rows.stage[..len])
                .zip(&rows.dry[..len]);
            for ((y, &output), &dry) in frames {
                *y = unity * if delta { dry - output } else { output };
            }
        }
        if bypass_heard {
            let clean = |x: f32| if x.is_normal() { x } else { 0.0 };
            for j in 0..len {
                let wet = self.wet.next_gain() as f32;
                for (channel, samples) in self.channels[..count].iter().zip(block.iter_mut()) {
                    let bypass = clean(channel.rows.bypass[j]);
                    samples[j] = bypass + wet * (samples[j] - bypass);
                }
            }
        }
    }

    /// The first stage's gains from the linked requirements. Fully linked stereo channels have
    /// the same requirements, so one envelope serves both; the other takes over its state when
    /// the link loosens.
    fn main_envelopes(&mut self, len: usize, link: f32) {
        match &mut self.channels[..] {
            [left, right] if link == 1.0 => {
                left.main.process(&mut left.rows.gain[..len]);
                right.rows.gain[..len].copy_from_slice(&left.rows.gain[..len]);
                self.main_shared = true;
            }
            channels => {
                if let ([left, right, ..], true) = (&mut *channels, self.main_shared) {
                    right.main.copy_state_from(&left.main);
                }
                self.main_shared = false;
                for channel in channels {
                    channel.main.process(&mut channel.rows.gain[..len]);
                }
            }
        }
    }

    /// Updates the gain-reduction readings with the chunk's smallest gain per frame.
    fn count_reduction(&mut self, len: usize) {
        let mut start = 0;
        while start < len {
            // Up to the next 10 ms step boundary.
            let step_end = (self.steps + 1) * self.rate / 100;
            let end = len.min(start + (step_end - self.frames) as usize);
            let gains = &self.frame_gains[start..end];
            self.step_gain = gains.iter().copied().fold(self.step_gain, f32::min);
            self.frame_gain = gains[gains.len() - 1];
            self.frames += (end - start) as u64;
            if self.frames == step_end {
                self.steps += 1;
                let reduction = -gain_to_db(f64::from(self.step_gain)) as f32;
                self.history_newest = (self.history_newest + 1) % HISTORY_LEN;
                self.history[self.history_newest] = reduction;
                self.max_gain_reduction = self.max_gain_reduction.max(reduction);
                self.step_gain = 1.0;
            }
            start = end;
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
        let band_delay = DETECT_LOOKAHEAD + max_lookahead + HOLD;
        let safety_delay = SAFETY_SCAN_LOOKAHEAD + SAFETY_LOOKAHEAD + HOLD;
        let delay = |max: usize| DelayLine::with_capacity(max + DETECT_CHUNK);
        let fixed_delay = |samples: usize| {
            let mut line = delay(samples);
            line.set_delay(samples);
            line
        };
        self.channels = (0..spec.channels.min(MAX_CHANNELS))
            .map(|_| Channel {
                main: GainEnvelope::with_capacity(max_lookahead, HOLD, DETECT_CHUNK),
                high: GainEnvelope::with_capacity(
                    HIGH_BAND_FADE,
                    max_lookahead + HOLD,
                    DETECT_CHUNK,
                ),
                safety: GainEnvelope::with_capacity(SAFETY_LOOKAHEAD, HOLD, DETECT_CHUNK),
                low_delay: delay(band_delay),
                high_delay: delay(band_delay),
                safety_delay: delay(safety_delay),
                safety_high_delay: delay(safety_delay),
                dry_delay: delay(safety_delay),
                bypass_delay: delay(Detector::delay() + band_delay + safety_delay),
                safety_scanner: PeakScanner::new(SAFETY_SCAN),
                safety_far: FarField::new(SAFETY_SCAN_LOOKAHEAD, SAFETY_SCAN.reach(), DETECT_CHUNK),
                output_scanner: PeakScanner::new(SAFETY_SCAN),
                certified_bound: fixed_delay(CERTIFIED_DELAY),
                certified_peak: fixed_delay(CERTIFIED_DELAY),
                certified_far: fixed_delay(CERTIFIED_DELAY),
                removed_far: FarField::new(
                    SAFETY_SCAN_LOOKAHEAD,
                    SAFETY_SCAN.reach(),
                    DETECT_CHUNK,
                ),
                rows: Rows::new(DETECT_CHUNK),
                ..Channel::default()
            })
            .collect();
        self.drive.set_ramp_samples(spec.ms_to_samples(20.0));
        self.wet.set_ramp_samples(spec.ms_to_samples(10.0));
        self.rate = spec.sample_rate.round() as u64;
        self.spec = Some(*spec);
        self.configure(spec);
        self.reset();
    }

    fn reset(&mut self) {
        self.readout = self.readout_from_reset;
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
            channel.bypass_delay.reset();
            channel.output_scanner.reset();
            channel.removed_far.reset();
            channel.certified_bound.reset();
            channel.certified_peak.reset();
            channel.certified_far.reset();
            channel.output_frames = 0;
            channel.last_reduced = None;
        }
        self.drive.settle();
        self.wet.settle();
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
