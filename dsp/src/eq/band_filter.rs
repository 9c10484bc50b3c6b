//! A running band: glides its settings, recomputes its sections, filters one or two channels.

use super::band::{BandParams, MAX_SECTIONS};
use crate::filter::{Biquad, DENORMAL_FLOOR};
use crate::util::{GainRamp, ms_to_samples, smoothing_step};

/// Samples between coefficient updates while a band glides.
pub const TICK: usize = 32;
/// Time constant of the frequency, gain and Q glides, ms.
const GLIDE_MS: f64 = 20.0;
/// Fade time when a band switches on or off, or changes shape or channel.
const FADE_MS: f64 = 15.0;

/// Which entries of a frame a band filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slots {
    First,
    Second,
    Both,
    /// A side band in mono: nothing to filter, but its fades move on (so a change of channel
    /// mode completes).
    Neither,
}

/// Direct-form-I state of one section: past inputs and outputs. Unlike transposed forms, the
/// state is the signal itself, so a coefficient change mid-stream causes no transient of its
/// own: the modulation tests measure this.
#[derive(Debug, Clone, Copy, Default)]
struct SectionState {
    x1: f64,
    x2: f64,
    y1: f64,
    y2: f64,
}

impl SectionState {
    #[inline]
    fn tick(&mut self, c: &Biquad, x: f64) -> f64 {
        let y = c.b0 * x + c.b1 * self.x1 + c.b2 * self.x2 - c.a1 * self.y1 - c.a2 * self.y2;
        self.x2 = self.x1;
        self.x1 = x;
        self.y2 = self.y1;
        self.y1 = y;
        y
    }

    /// Zeroes state that decayed below -600 dB (before it turns subnormal) or that a
    /// non-finite input poisoned, so the band recovers at once.
    fn flush_denormals(&mut self) {
        let largest = self
            .x1
            .abs()
            .max(self.x2.abs())
            .max(self.y1.abs())
            .max(self.y2.abs());
        if largest < DENORMAL_FLOOR || !largest.is_finite() {
            *self = Self::default();
        }
    }
}

/// The gliding numbers of a band: frequency and Q in octaves (log2), gain in dB.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Glide {
    log_freq: f64,
    gain_db: f64,
    log_q: f64,
}

impl Glide {
    fn of(params: &BandParams) -> Self {
        Self {
            log_freq: params.freq_hz.log2(),
            gain_db: params.gain_db,
            log_q: params.q.log2(),
        }
    }

    /// Moves towards `target` by `amount` (0..1) of the distance; lands on it when close, so a
    /// settled band's coefficients are exactly those of its settings.
    fn step(&mut self, target: &Self, amount: f64) -> bool {
        let mut moved = false;
        for (value, goal, snap) in [
            (&mut self.log_freq, target.log_freq, 1e-4),
            (&mut self.gain_db, target.gain_db, 1e-3),
            (&mut self.log_q, target.log_q, 1e-4),
        ] {
            if *value != goal {
                moved = true;
                *value += (goal - *value) * amount;
                if (goal - *value).abs() < snap {
                    *value = goal;
                }
            }
        }
        moved
    }
}

/// One band at run time. Fixed memory; never allocates.
#[derive(Debug, Clone)]
pub struct BandFilter {
    /// What the user set (clamped).
    target: BandParams,
    /// The shape in effect: type, slope and channel from `target` once faded out and in.
    shape: BandParams,
    glide: Glide,
    /// `target` as glide values (two logarithms, taken once per change rather than per tick).
    target_glide: Glide,
    coeffs: [Biquad; MAX_SECTIONS],
    count: usize,
    /// Per section, the state of each channel (or mid and side) side by side.
    states: [[SectionState; 2]; MAX_SECTIONS],
    mix: GainRamp,
    glide_amount: f64,
    sample_rate: f64,
}

impl Default for BandFilter {
    fn default() -> Self {
        Self::new(BandParams::default())
    }
}

impl BandFilter {
    pub fn new(params: BandParams) -> Self {
        let target = params.clamped();
        Self {
            target,
            shape: target,
            glide: Glide::of(&target),
            target_glide: Glide::of(&target),
            coeffs: [Biquad::IDENTITY; MAX_SECTIONS],
            count: 0,
            states: Default::default(),
            mix: GainRamp::new(if target.is_audible() { 1.0 } else { 0.0 }),
            glide_amount: 1.0,
            sample_rate: 48_000.0,
        }
    }

    pub fn prepare(&mut self, sample_rate: f64) {
        self.sample_rate = sample_rate;
        self.mix
            .set_ramp_samples(ms_to_samples(FADE_MS, sample_rate) as usize);
        self.glide_amount = smoothing_step(TICK as f64, GLIDE_MS, sample_rate);
        self.reset();
    }

    /// Jumps to the settings and clears the signal history.
    pub fn reset(&mut self) {
        self.shape = self.target;
        self.glide = Glide::of(&self.target);
        self.mix
            .set_target(if self.target.is_audible() { 1.0 } else { 0.0 });
        self.mix.settle();
        self.states = Default::default();
        self.design();
    }

    pub fn set_params(&mut self, params: &BandParams) {
        self.target = params.clamped();
        self.target_glide = Glide::of(&self.target);
    }

    /// The settings the band is heading for.
    pub fn target(&self) -> &BandParams {
        &self.target
    }

    /// The band's shape and channel as they are running now.
    pub fn shape(&self) -> &BandParams {
        &self.shape
    }

    /// Whether the band's output differs from its input now or in the next samples.
    pub fn is_running(&self) -> bool {
        self.mix.is_ramping() || self.mix.target() > 0.0
    }

    /// Whether the band is silent and at its settings, so ticks change nothing until the
    /// settings do.
    pub fn is_settled(&self) -> bool {
        !self.is_running()
            && !self.target.is_audible()
            && self.shape_is_target()
            && self.glide == self.target_glide
    }

    /// Whether the band runs the shape and channel of its settings (only the numbers may glide).
    fn shape_is_target(&self) -> bool {
        let target = self.target;
        target.band_type == self.shape.band_type
            && target.slope_db_per_oct == self.shape.slope_db_per_oct
            && target.mode == self.shape.mode
    }

    /// Advances the glides by one tick: changes of shape fade the band out, swap and fade in;
    /// frequency, gain and Q glide and recompute the sections.
    pub fn tick(&mut self) {
        let target = self.target;
        if !self.shape_is_target() {
            if self.mix.is_ramping() || self.mix.target() > 0.0 {
                self.mix.set_target(0.0);
                return;
            }
            self.shape = target;
            self.glide = Glide::of(&target);
            self.states = Default::default();
            self.design();
        }
        self.mix
            .set_target(if target.is_audible() { 1.0 } else { 0.0 });
        if !self.is_running() {
            // Silent from here: start from rest when it comes back.
            self.states = Default::default();
        }
        if self.glide.step(&self.target_glide, self.glide_amount) {
            self.design();
        }
    }

    fn design(&mut self) {
        let params = BandParams {
            freq_hz: self.glide.log_freq.exp2(),
            gain_db: self.glide.gain_db,
            q: self.glide.log_q.exp2(),
            ..self.shape
        };
        let before = self.count;
        (self.coeffs, self.count) = params.digital_sections(self.sample_rate);
        self.hand_over_state(before);
    }

    /// Keeps the cascade's state consistent when a glide changes how many sections it has (a
    /// broad high band turns into a fitted pair and back): an added section starts as if it had
    /// passed its input unchanged, and a removed one leaves its output history to the last
    /// section that stays. In direct form I the state is the signal itself, so the cascade
    /// goes on from the signal it produced, as it does for any coefficient change.
    fn hand_over_state(&mut self, before: usize) {
        let now = self.count;
        if before == 0 || now == 0 || before == now {
            return;
        }
        let output = self.states[before - 1].map(|s| (s.y1, s.y2));
        if now > before {
            for state in &mut self.states[before..now] {
                for (s, (y1, y2)) in state.iter_mut().zip(output) {
                    *s = SectionState {
                        x1: y1,
                        x2: y2,
                        y1,
                        y2,
                    };
                }
            }
        } else {
            for (s, (y1, y2)) in self.states[now - 1].iter_mut().zip(output) {
                (s.y1, s.y2) = (y1, y2);
            }
        }
    }

    /// The sections running now.
    pub fn sections(&self) -> &[Biquad] {
        &self.coeffs[..self.count]
    }

    /// Filters one frame in place: the entries `slots` names (left/right or mid/side, as the
    /// caller converted them), blending with the dry signal while the band fades. The fade
    /// moves one sample per call, the same for both entries.
    #[inline]
    pub fn filter_frame(&mut self, frame: &mut [f64; 2], slots: Slots) {
        let coeffs = &self.coeffs[..self.count];
        let ramping = self.mix.is_ramping();
        if !ramping && self.mix.target() == 0.0 {
            // Faded out within this chunk.
            return;
        }
        let dry = *frame;
        let states = self.states.iter_mut().zip(coeffs);
        match slots {
            Slots::Both => {
                for ([left, right], c) in states {
                    frame[0] = left.tick(c, frame[0]);
                    frame[1] = right.tick(c, frame[1]);
                }
            }
            Slots::First => states.for_each(|([state, _], c)| frame[0] = state.tick(c, frame[0])),
            Slots::Second => states.for_each(|([_, state], c)| frame[1] = state.tick(c, frame[1])),
            Slots::Neither => {}
        }
        if ramping {
            let m = self.mix.next_gain();
            for (x, dry) in frame.iter_mut().zip(dry) {
                *x = dry + m * (*x - dry);
            }
        }
    }

    /// Clears section state that decayed towards subnormal or that bad input poisoned; call
    /// once per chunk.
    pub fn flush_denormals(&mut self) {
        for state in self.states.iter_mut().flatten() {
            state.flush_denormals();
        }
    }
}
