//! The mastering EQ: eight bands, each on both channels, one side, mid or side.
//!
//! Bands are magnitude-matched second-order sections ([`design`]), or for broad bands near
//! Nyquist a jointly fitted fourth-order pair (`pair`): their response follows the analog
//! prototype up to 20 kHz, so a shelf at 18 kHz on a 44.1 kHz session is what the curve shows. Zero-latency mode runs them as minimum-phase filters in band order; linear-phase
//! mode convolves with one kernel designed from the same magnitudes (the whole EQ as a 2x2
//! matrix per frequency, so mid/side and left/right bands combine exactly), at the cost of
//! the kernel's latency.
//!
//! Settings glide (frequency and Q in octaves, gain in dB, new coefficients every
//! [`TICK`] samples); switching a band, its shape or its channel fades it out and in. With no
//! band sounding the EQ passes its input bit for bit.

mod band;
mod band_filter;
pub mod design;
mod pair;

pub use band::{
    BandParams, BandType, ChannelMode, FREQ_RANGE_HZ, GAIN_RANGE_DB, MAX_SECTIONS, NEUTRAL_Q,
    Q_RANGE,
};
pub use band_filter::TICK;

use band_filter::{BandFilter, Slots};

use crate::filter::{Biquad, LinearPhaseFilter};
use crate::util::{GainRamp, power_to_db};
use crate::{ProcessSpec, Processor};

/// Number of bands.
pub const BANDS: usize = 8;
/// Most samples processed per pass through the bands (the linear path's copy buffers' length).
const CHUNK: usize = TICK;
/// While settings move in linear-phase mode, a new kernel is designed at most this often, ms
/// (a design costs about a millisecond of CPU at 48 kHz; the filter crossfades to it).
const DESIGN_INTERVAL_MS: f64 = 40.0;
/// Crossfade between the zero-latency and linear-phase paths when the mode changes, ms.
const PHASE_FADE_MS: f64 = 20.0;

/// How the EQ is realised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhaseMode {
    /// Minimum-phase sections: no latency, the phase of analog EQs.
    ZeroLatency,
    /// One symmetric FIR kernel with the same magnitude: no phase shift, a fixed latency.
    LinearPhase,
}

/// The EQ's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct EqParams {
    /// Off: every band fades out; the latency stays that of the phase mode.
    pub enabled: bool,
    pub phase: PhaseMode,
    pub bands: [BandParams; BANDS],
}

impl Default for EqParams {
    /// Flat: every band off, spread over the spectrum with the shapes usually wanted there.
    fn default() -> Self {
        let shapes = [
            (BandType::LowCut, 30.0),
            (BandType::LowShelf, 100.0),
            (BandType::Bell, 250.0),
            (BandType::Bell, 600.0),
            (BandType::Bell, 1500.0),
            (BandType::Bell, 4000.0),
            (BandType::HighShelf, 10_000.0),
            (BandType::HighCut, 20_000.0),
        ];
        Self {
            enabled: true,
            phase: PhaseMode::ZeroLatency,
            bands: shapes.map(|(band_type, freq_hz)| BandParams {
                band_type,
                freq_hz,
                ..BandParams::default()
            }),
        }
    }
}

/// The channel arrangement a frame is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Domain {
    LeftRight,
    MidSide,
}

/// The EQ. `prepare` allocates; everything else is allocation-free.
#[derive(Debug, Clone)]
pub struct Equalizer {
    params: EqParams,
    bands: [BandFilter; BANDS],
    channels: usize,
    sample_rate: f64,
    /// Samples until the bands' next glide step (counted across blocks, so any block split
    /// gives the same output).
    until_tick: usize,
    /// Every band is settled ([`BandFilter::is_settled`]): ticks skip them until new settings.
    bands_settled: bool,
    prepared: bool,
    /// The linear-phase path, its share of the output (0 zero-latency, 1 linear phase) and the
    /// dry input it filters during a crossfade.
    linear: LinearPhaseFilter,
    phase_mix: GainRamp,
    linear_input: [[f32; CHUNK]; 2],
    /// Samples the linear-phase path still needs after a reset before it has output to fade to.
    linear_warmup: usize,
    /// A new kernel is wanted; the next may be designed once `since_design` reaches the interval.
    design_due: bool,
    since_design: usize,
    design_interval: usize,
}

impl Default for Equalizer {
    fn default() -> Self {
        Self::new(EqParams::default())
    }
}

impl Equalizer {
    pub fn new(params: EqParams) -> Self {
        let mut eq = Self {
            bands: params.bands.map(BandFilter::new),
            channels: 2,
            sample_rate: 48_000.0,
            until_tick: 0,
            bands_settled: false,
            prepared: false,
            linear: LinearPhaseFilter::new(),
            phase_mix: GainRamp::new(phase_share(params.phase)),
            linear_input: [[0.0; CHUNK]; 2],
            linear_warmup: 0,
            design_due: true,
            since_design: 0,
            design_interval: 1,
            params,
        };
        eq.apply_band_targets();
        eq
    }

    pub fn params(&self) -> &EqParams {
        &self.params
    }

    /// New settings; bands glide or fade to them.
    pub fn set_params(&mut self, params: &EqParams) {
        if *params == self.params {
            return;
        }
        if params.phase != self.params.phase && params.phase == PhaseMode::LinearPhase {
            // Its output starts a latency after the path starts; fade to it only then.
            self.linear.reset();
            self.linear_warmup = self.linear.latency();
        }
        self.params.clone_from(params);
        self.apply_band_targets();
        self.design_due = true;
    }

    /// The whole EQ at `freq_hz` as a 2x2 magnitude matrix `[out][in]` on left/right, with each
    /// band's designed magnitude applied on its part, in band order: what linear-phase mode
    /// realises. For left/right/stereo bands it is diagonal.
    fn magnitude_matrix(
        designed: &[(ChannelMode, [Biquad; MAX_SECTIONS], usize)],
        phi: &[f64; 3],
    ) -> [[f64; 2]; 2] {
        let mut total = [[1.0, 0.0], [0.0, 1.0]];
        for (mode, sections, count) in designed {
            let h: f64 = sections[..*count]
                .iter()
                .map(|c| design::power(c, phi))
                .product::<f64>()
                .sqrt();
            let band = match mode {
                ChannelMode::Stereo => [[h, 0.0], [0.0, h]],
                ChannelMode::Left => [[h, 0.0], [0.0, 1.0]],
                ChannelMode::Right => [[1.0, 0.0], [0.0, h]],
                ChannelMode::Mid => [
                    [(h + 1.0) / 2.0, (h - 1.0) / 2.0],
                    [(h - 1.0) / 2.0, (h + 1.0) / 2.0],
                ],
                ChannelMode::Side => [
                    [(1.0 + h) / 2.0, (1.0 - h) / 2.0],
                    [(1.0 - h) / 2.0, (1.0 + h) / 2.0],
                ],
            };
            total = multiply(&band, &total);
        }
        total
    }

    /// Designs the linear-phase kernel for the current settings (not allocating: the bands'
    /// sections live on the stack).
    fn design_linear(&mut self) {
        let mut designed = [(ChannelMode::Stereo, [Biquad::IDENTITY; MAX_SECTIONS], 0); BANDS];
        let mut count = 0;
        for band in self.params.bands.iter().map(BandParams::clamped) {
            if self.params.enabled
                && band.is_audible()
                && (self.channels == 2 || band.mode != ChannelMode::Side)
            {
                let (sections, n) = band.digital_sections(self.sample_rate);
                let mode = if self.channels == 2 {
                    band.mode
                } else {
                    ChannelMode::Stereo
                };
                designed[count] = (mode, sections, n);
                count += 1;
            }
        }
        let rate = self.sample_rate;
        self.linear.set_response(|freq_hz| {
            let phi = design::phis(2.0 * std::f64::consts::PI * freq_hz / rate);
            Self::magnitude_matrix(&designed[..count], &phi)
        });
        self.design_due = false;
        self.since_design = 0;
    }

    /// Disabled, every band is asked to fade out; the settings stay for when it comes back.
    fn apply_band_targets(&mut self) {
        for (filter, band) in self.bands.iter_mut().zip(&self.params.bands) {
            let enabled = band.enabled && self.params.enabled;
            filter.set_params(&BandParams { enabled, ..*band });
        }
        self.bands_settled = false;
    }

    /// Magnitude of band `index` as it runs now, dB (0 when it is off).
    pub fn band_response_db(&self, index: usize, freq_hz: f64) -> f64 {
        let band = &self.bands[index];
        if !band.target().is_audible() {
            return 0.0;
        }
        let phi = design::phis(2.0 * std::f64::consts::PI * freq_hz / self.sample_rate);
        power_to_db(
            band.sections()
                .iter()
                .map(|c| design::power(c, &phi))
                .product(),
        )
    }

    /// The running EQ's magnitude on one part of the signal, dB: the sum of the bands that act
    /// on it (stereo bands act on all parts). Exact where the bands do not mix left/right with
    /// mid/side; otherwise it shows each band on its own part, as the engineer set it.
    pub fn curve_db(&self, freq_hz: f64, part: ChannelMode) -> f64 {
        (0..BANDS)
            .filter(|&i| {
                let mode = self.bands[i].target().mode;
                mode == ChannelMode::Stereo || mode == part
            })
            .map(|i| self.band_response_db(i, freq_hz))
            .sum()
    }

    /// Once per tick: a new kernel when one is due and the interval has passed; the phase
    /// crossfade starts once the linear path has output.
    fn advance_linear_design(&mut self) {
        self.since_design = self.since_design.saturating_add(TICK);
        let linear = self.params.phase == PhaseMode::LinearPhase;
        if linear && self.design_due && self.since_design >= self.design_interval {
            self.design_linear();
        }
        if self.linear_warmup == 0 {
            self.phase_mix.set_target(phase_share(self.params.phase));
        }
    }

    /// One chunk through whichever paths sound now, crossfaded while the mode changes.
    fn process_paths(&mut self, channels: &mut [&mut [f32]], start: usize, len: usize) {
        let share = self.phase_mix.target();
        let fading = self.phase_mix.is_ramping() || self.linear_warmup > 0;
        if !fading && share == 1.0 {
            let mut parts = channels.iter_mut().map(|c| &mut c[start..start + len]);
            match (parts.next(), parts.next()) {
                (Some(a), Some(b)) => self.linear.process(&mut [a, b]),
                (Some(a), None) => self.linear.process(&mut [a]),
                _ => {}
            }
            return;
        }
        if !fading {
            if self.bands.iter().any(BandFilter::is_running) {
                self.process_chunk(channels, start, len);
            }
            return;
        }
        for (copy, channel) in self.linear_input.iter_mut().zip(channels.iter()) {
            copy[..len].copy_from_slice(&channel[start..start + len]);
        }
        {
            let [a, b] = &mut self.linear_input;
            let (a, b) = (&mut a[..len], &mut b[..len]);
            if channels.len() == 2 {
                self.linear.process(&mut [a, b]);
            } else {
                self.linear.process(&mut [a]);
            }
        }
        self.linear_warmup = self.linear_warmup.saturating_sub(len);
        if self.bands.iter().any(BandFilter::is_running) {
            self.process_chunk(channels, start, len);
        }
        for i in 0..len {
            let m = self.phase_mix.next_gain() as f32;
            for (channel, linear) in channels.iter_mut().zip(&self.linear_input) {
                let x = &mut channel[start + i];
                *x += m * (linear[i] - *x);
            }
        }
    }

    /// Runs one chunk (at most [`CHUNK`] samples) through the sounding bands, in band order.
    ///
    /// Sample by sample through every band: the sections' recursions are independent of one
    /// another, so the processor overlaps them (band by band over the chunk, each recursion
    /// waits on itself and the EQ ran 2.8 times slower).
    fn process_chunk(&mut self, channels: &mut [&mut [f32]], start: usize, len: usize) {
        let stereo = channels.len() == 2;
        let mut plan = [(0, Domain::LeftRight, Slots::First); BANDS];
        let mut steps = 0;
        for (index, band) in self.bands.iter().enumerate() {
            if !band.is_running() {
                continue;
            }
            let (domain, slots) = match band.shape().mode {
                ChannelMode::Stereo if stereo => (Domain::LeftRight, Slots::Both),
                ChannelMode::Right if stereo => (Domain::LeftRight, Slots::Second),
                ChannelMode::Mid if stereo => (Domain::MidSide, Slots::First),
                ChannelMode::Side if stereo => (Domain::MidSide, Slots::Second),
                // In mono there is no side.
                ChannelMode::Side => (Domain::LeftRight, Slots::Neither),
                _ => (Domain::LeftRight, Slots::First),
            };
            plan[steps] = (index, domain, slots);
            steps += 1;
        }
        let plan = &plan[..steps];
        let (first, mut second) = match channels {
            [a, b, ..] => (&mut a[start..start + len], Some(&mut b[start..start + len])),
            [a] => (&mut a[start..start + len], None),
            [] => return,
        };
        for (i, x) in first.iter_mut().enumerate() {
            let mut frame = [
                f64::from(*x),
                second.as_ref().map_or(0.0, |s| f64::from(s[i])),
            ];
            let mut domain = Domain::LeftRight;
            for &(index, wanted, slots) in plan {
                if wanted != domain {
                    frame = convert(frame, domain);
                    domain = wanted;
                }
                self.bands[index].filter_frame(&mut frame, slots);
            }
            if domain == Domain::MidSide {
                frame = convert(frame, domain);
            }
            *x = frame[0] as f32;
            if let Some(second) = second.as_deref_mut() {
                second[i] = frame[1] as f32;
            }
        }
        for &(index, _, _) in plan {
            self.bands[index].flush_denormals();
        }
    }
}

/// The linear-phase path's share of the output for a mode.
fn phase_share(phase: PhaseMode) -> f64 {
    match phase {
        PhaseMode::ZeroLatency => 0.0,
        PhaseMode::LinearPhase => 1.0,
    }
}

fn multiply(a: &[[f64; 2]; 2], b: &[[f64; 2]; 2]) -> [[f64; 2]; 2] {
    let entry = |i: usize, j: usize| a[i][0] * b[0][j] + a[i][1] * b[1][j];
    [[entry(0, 0), entry(0, 1)], [entry(1, 0), entry(1, 1)]]
}

/// Converts a frame between left/right and mid/side (`M = (L+R)/2`, `S = (L-R)/2`; back:
/// `L = M+S`, `R = M-S`).
#[inline]
fn convert([a, b]: [f64; 2], from: Domain) -> [f64; 2] {
    let scale = match from {
        Domain::LeftRight => 0.5,
        Domain::MidSide => 1.0,
    };
    [scale * (a + b), scale * (a - b)]
}

impl Processor for Equalizer {
    fn prepare(&mut self, spec: &ProcessSpec) {
        self.sample_rate = spec.sample_rate;
        self.channels = spec.channels;
        for band in &mut self.bands {
            band.prepare(spec.sample_rate);
        }
        self.linear.prepare(spec);
        self.phase_mix
            .set_ramp_samples(spec.ms_to_samples(PHASE_FADE_MS));
        self.design_interval = spec.ms_to_samples(DESIGN_INTERVAL_MS);
        self.prepared = true;
        self.reset();
    }

    fn reset(&mut self) {
        for band in &mut self.bands {
            band.reset();
        }
        self.bands_settled = false;
        self.until_tick = 0;
        self.linear.reset();
        self.linear_warmup = 0;
        self.phase_mix.set_target(phase_share(self.params.phase));
        self.phase_mix.settle();
        if self.prepared {
            self.design_linear();
        }
    }

    fn latency(&self) -> usize {
        match self.params.phase {
            PhaseMode::ZeroLatency => 0,
            PhaseMode::LinearPhase => self.linear.latency(),
        }
    }

    fn process(&mut self, channels: &mut [&mut [f32]]) {
        if !self.prepared || channels.is_empty() {
            return;
        }
        let count = channels.len().min(self.channels).min(2);
        let channels = &mut channels[..count];
        let len = channels.iter().map(|c| c.len()).min().unwrap_or(0);
        let mut start = 0;
        while start < len {
            if self.until_tick == 0 {
                if !self.bands_settled {
                    for band in &mut self.bands {
                        band.tick();
                    }
                    self.bands_settled = self.bands.iter().all(BandFilter::is_settled);
                }
                self.until_tick = TICK;
                self.advance_linear_design();
            }
            let n = self.until_tick.min(len - start).min(CHUNK);
            self.process_paths(channels, start, n);
            self.until_tick -= n;
            start += n;
        }
    }
}
