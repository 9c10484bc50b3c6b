//! The mastering EQ: eight bands, each on both channels, one side, mid or side.
//!
//! Bands are magnitude-matched second-order sections ([`design`]): their response follows the
//! analog prototype up to Nyquist, so a shelf at 18 kHz on a 44.1 kHz session is what the curve
//! shows. Zero-latency mode runs them as minimum-phase filters in band order; linear-phase
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

pub use band::{
    BandParams, BandType, ChannelMode, FREQ_RANGE_HZ, GAIN_RANGE_DB, MAX_SECTIONS, NEUTRAL_Q,
    Q_RANGE,
};
pub use band_filter::TICK;

use band_filter::BandFilter;

use crate::util::power_to_db;
use crate::{ProcessSpec, Processor};

/// Number of bands.
pub const BANDS: usize = 8;
/// Samples processed per pass through the bands (the work buffers' length).
const CHUNK: usize = TICK;

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

/// The channel arrangement the work buffers hold.
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
    work: [[f64; CHUNK]; 2],
    prepared: bool,
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
            work: [[0.0; CHUNK]; 2],
            prepared: false,
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
        self.params.clone_from(params);
        self.apply_band_targets();
    }

    /// Disabled, every band is asked to fade out; the settings stay for when it comes back.
    fn apply_band_targets(&mut self) {
        for (filter, band) in self.bands.iter_mut().zip(&self.params.bands) {
            let enabled = band.enabled && self.params.enabled;
            filter.set_params(&BandParams { enabled, ..*band });
        }
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

    /// Runs one chunk (at most [`CHUNK`] samples) through the sounding bands, in band order.
    fn process_chunk(&mut self, channels: &mut [&mut [f32]], start: usize, len: usize) {
        let stereo = channels.len() == 2;
        for (work, channel) in self.work.iter_mut().zip(channels.iter()) {
            for (w, &x) in work.iter_mut().zip(&channel[start..start + len]) {
                *w = f64::from(x);
            }
        }
        let mut domain = Domain::LeftRight;
        let [first, second] = &mut self.work;
        let (first, second) = (&mut first[..len], &mut second[..len]);
        for band in self.bands.iter_mut().filter(|b| b.is_running()) {
            let mode = band.shape().mode;
            let wanted = match mode {
                ChannelMode::Mid | ChannelMode::Side if stereo => Domain::MidSide,
                _ => Domain::LeftRight,
            };
            if wanted != domain {
                convert(first, second, domain);
                domain = wanted;
            }
            match mode {
                ChannelMode::Stereo if stereo => {
                    band.filter(0, first, false);
                    band.filter(1, second, true);
                }
                ChannelMode::Right | ChannelMode::Side if stereo => band.filter(1, second, true),
                // In mono there is no side.
                ChannelMode::Side => {}
                _ => band.filter(0, first, true),
            }
        }
        if domain == Domain::MidSide {
            convert(first, second, domain);
        }
        for (work, channel) in self.work.iter().zip(channels.iter_mut()) {
            for (y, &w) in channel[start..start + len].iter_mut().zip(work) {
                *y = w as f32;
            }
        }
    }
}

/// Converts the work buffers between left/right and mid/side (`M = (L+R)/2`, `S = (L-R)/2`;
/// back: `L = M+S`, `R = M-S`).
fn convert(first: &mut [f64], second: &mut [f64], from: Domain) {
    let scale = match from {
        Domain::LeftRight => 0.5,
        Domain::MidSide => 1.0,
    };
    for (a, b) in first.iter_mut().zip(second.iter_mut()) {
        (*a, *b) = (scale * (*a + *b), scale * (*a - *b));
    }
}

impl Processor for Equalizer {
    fn prepare(&mut self, spec: &ProcessSpec) {
        self.sample_rate = spec.sample_rate;
        self.channels = spec.channels;
        for band in &mut self.bands {
            band.prepare(spec.sample_rate);
        }
        self.prepared = true;
        self.reset();
    }

    fn reset(&mut self) {
        for band in &mut self.bands {
            band.reset();
        }
        self.until_tick = 0;
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
                for band in &mut self.bands {
                    band.tick();
                }
                self.until_tick = TICK;
            }
            let n = self.until_tick.min(len - start).min(CHUNK);
            if self.bands.iter().any(BandFilter::is_running) {
                self.process_chunk(channels, start, n);
            }
            self.until_tick -= n;
            start += n;
        }
    }
}
