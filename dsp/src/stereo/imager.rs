//! The stereo imager: per-band width on the side signal, mono bass, balance.
//!
//! Mid `(L+R)/2` never passes through a filter; the side `(L-R)/2` is split by the crossover
//! bank, each band scaled by its width, summed, and high-passed below the mono-bass frequency.
//! So `L + R` out equals `L + R` in (to float rounding) at any width, with mono bass off; with it
//! on as well, since the high-pass acts on the side only. With minimum-phase crossovers the side
//! keeps the bank's allpass phase (it is what the bands sum to); the mid, which carries the
//! mono sum, does not. Linear-phase crossovers delay both by the bank's latency instead.

use super::{Correlation, MonoBass};
use crate::dynamics::samples::{finite, to_sample};
use crate::filter::crossover::{
    BandRows, CROSSOVER_CHUNK, Crossover, MAX_BANDS, MAX_CROSSOVERS, for_each_chunk,
};
use crate::util::{DelayLine, GainRamp};
use crate::{ProcessSpec, Processor};

/// Width range, percent of the original side level.
pub const WIDTH_MAX_PCT: f64 = 200.0;
/// Width and balance changes take this long, ms.
const RAMP_MS: f64 = 20.0;
/// The on/off crossfade, ms.
const SWITCH_MS: f64 = 10.0;
const CHANNELS: usize = 2;

/// The imager's settings, in physical units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ImagerParams {
    /// Off: the input passes unchanged (delayed by [`Imager::latency`]), with a 10 ms
    /// crossfade.
    pub enabled: bool,
    /// Number of width bands, 1..=4.
    pub bands: usize,
    /// Crossover frequencies, Hz, ascending, 20..20 000 (the first `bands - 1` are used).
    pub crossovers_hz: [f64; MAX_CROSSOVERS],
    /// Linear-phase crossovers (adds their latency) instead of Linkwitz-Riley minimum phase.
    pub linear_phase: bool,
    /// Side level of each band, percent: 0 mono, 100 unchanged, 200 twice as wide. 0..200.
    pub width_pct: [f64; MAX_BANDS],
    /// Remove side content below `mono_bass_hz`.
    pub mono_bass: bool,
    /// Mono-bass frequency, Hz. 20..300.
    pub mono_bass_hz: f64,
    /// Left/right balance, percent: -100 left only, 0 centre, +100 right only (the other
    /// channel falls linearly; the centre is unity). -100..100.
    pub balance_pct: f64,
}

impl Default for ImagerParams {
    fn default() -> Self {
        Self {
            enabled: false,
            bands: 4,
            crossovers_hz: [120.0, 1_000.0, 6_000.0],
            linear_phase: false,
            width_pct: [100.0; MAX_BANDS],
            mono_bass: false,
            mono_bass_hz: 120.0,
            balance_pct: 0.0,
        }
    }
}

/// What the imager's output looks like, for the GUI. Plain data.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ImagerReadings {
    /// Bands in use.
    pub bands: usize,
    /// Correlation of left and right in each band of the output (minimum-phase split at the
    /// imager's crossovers, averaged over [`super::CORRELATION_MS`]): +1 mono, 0 unrelated or
    /// silent, -1 out of phase.
    pub correlation: [f64; MAX_BANDS],
    /// Correlation of the whole output.
    pub overall_correlation: f64,
}

/// The imager for stereo (mono input passes through, delayed by the latency). `prepare`
/// allocates (the crossovers' FIR, delay lines); `set_params`, `reset`, `process`, `latency`
/// and `readings` never allocate, lock or panic.
#[derive(Debug, Clone)]
pub struct Imager {
    params: ImagerParams,
    spec: Option<ProcessSpec>,
    crossover: Crossover,
    /// Splits the output's mid (channel 0) and side (channel 1) for the band correlations.
    meter_crossover: Crossover,
    width: [GainRamp; MAX_BANDS],
    /// Left and right gains.
    balance: [GainRamp; CHANNELS],
    mono_bass: MonoBass,
    /// 1 while enabled, 0 while off, gliding between.
    wet: GainRamp,
    /// The input delayed by the latency: the mid's source, the bypass and the crossfade's dry.
    delayed: [DelayLine; CHANNELS],
    position: usize,
    dry: [[f32; CROSSOVER_CHUNK]; CHANNELS],
    side_bands: BandRows,
    /// The output's mid and side, then their bands.
    out_rows: [[f32; CROSSOVER_CHUNK]; CHANNELS],
    meter_rows: [BandRows; CHANNELS],
    band_correlation: [Correlation; MAX_BANDS],
    overall: Correlation,
}

impl Default for Imager {
    fn default() -> Self {
        Self::new(ImagerParams::default())
    }
}

fn balance_gains(balance_pct: f64) -> [f64; CHANNELS] {
    let b = if balance_pct.is_nan() {
        0.0
    } else {
        balance_pct.clamp(-100.0, 100.0) * 0.01
    };
    [1.0 - b.max(0.0), 1.0 + b.min(0.0)]
}

impl Imager {
    /// An imager with `params`, unprepared (passes audio through untouched).
    pub fn new(params: ImagerParams) -> Self {
        let widths = params.width_pct.map(width_gain);
        let mut imager = Self {
            params,
            spec: None,
            crossover: Crossover::new(),
            meter_crossover: Crossover::new(),
            width: widths.map(GainRamp::new),
            balance: balance_gains(params.balance_pct).map(GainRamp::new),
            mono_bass: MonoBass::default(),
            wet: GainRamp::new(if params.enabled { 1.0 } else { 0.0 }),
            delayed: Default::default(),
            position: 0,
            dry: [[0.0; CROSSOVER_CHUNK]; CHANNELS],
            side_bands: [[0.0; CROSSOVER_CHUNK]; MAX_BANDS],
            out_rows: [[0.0; CROSSOVER_CHUNK]; CHANNELS],
            meter_rows: [[[0.0; CROSSOVER_CHUNK]; MAX_BANDS]; CHANNELS],
            band_correlation: Default::default(),
            overall: Correlation::default(),
        };
        imager.set_params(&params);
        imager
    }

    pub fn params(&self) -> &ImagerParams {
        &self.params
    }

    /// The width bands' crossover bank, for plotting.
    pub fn crossover(&self) -> &Crossover {
        &self.crossover
    }

    /// The mono-bass high-pass, for plotting.
    pub fn mono_bass(&self) -> &MonoBass {
        &self.mono_bass
    }

    /// Applies new settings. Widths, balance, mono bass and crossover frequencies glide; the
    /// band count and the crossover type take effect at once (the type changes the latency).
    pub fn set_params(&mut self, params: &ImagerParams) {
        let waking = params.enabled && !self.params.enabled && self.wet.target() == 0.0;
        self.params = *params;
        self.crossover
            .set(params.bands, params.crossovers_hz, params.linear_phase);
        self.meter_crossover
            .set(params.bands, params.crossovers_hz, false);
        for (ramp, &pct) in self.width.iter_mut().zip(&params.width_pct) {
            ramp.set_target(width_gain(pct));
        }
        for (ramp, gain) in self
            .balance
            .iter_mut()
            .zip(balance_gains(params.balance_pct))
        {
            ramp.set_target(gain);
        }
        self.mono_bass.set(params.mono_bass, params.mono_bass_hz);
        self.wet.set_target(if params.enabled { 1.0 } else { 0.0 });
        if self.spec.is_some() {
            let latency = self.latency();
            self.delayed
                .iter_mut()
                .for_each(|line| line.set_delay(latency));
        }
        if waking {
            self.reset_state();
        }
    }

    /// Correlations of the output now.
    pub fn readings(&self) -> ImagerReadings {
        ImagerReadings {
            bands: self.crossover.bands(),
            correlation: self.band_correlation.map(|c| c.value()),
            overall_correlation: self.overall.value(),
        }
    }

    /// Clears the readings only.
    pub fn reset_readings(&mut self) {
        self.band_correlation
            .iter_mut()
            .for_each(Correlation::reset);
        self.overall.reset();
    }

    fn reset_state(&mut self) {
        self.crossover.reset();
        self.meter_crossover.reset();
        self.width.iter_mut().for_each(GainRamp::settle);
        self.balance.iter_mut().for_each(GainRamp::settle);
        self.mono_bass.reset();
        self.wet.settle();
        self.delayed.iter_mut().for_each(DelayLine::reset);
        self.position = 0;
    }

    fn process_chunk(&mut self, block: &mut [&mut [f32]], starts_step: bool) {
        let len = block.iter().map(|c| c.len()).min().unwrap_or(0);
        if starts_step {
            self.crossover.step();
            self.meter_crossover.step();
            self.mono_bass.step();
        }
        let off = !self.params.enabled && !self.wet.is_ramping();
        let passing = block.len() < CHANNELS || off;
        if passing && self.latency() == 0 {
            // The input passes as it is; the lines only keep its history.
            for (line, samples) in self.delayed.iter_mut().zip(block.iter()) {
                line.push(&samples[..len]);
            }
            return;
        }
        for ((line, samples), dry) in self.delayed.iter_mut().zip(block.iter()).zip(&mut self.dry) {
            line.process_into(&samples[..len], &mut dry[..len]);
        }
        if passing {
            for (samples, dry) in block.iter_mut().zip(&self.dry) {
                samples[..len].copy_from_slice(&dry[..len]);
            }
            return;
        }
        let mut side = [0.0f32; CROSSOVER_CHUNK];
        for ((s, &l), &r) in side[..len]
            .iter_mut()
            .zip(&block[0][..len])
            .zip(&block[1][..len])
        {
            *s = (0.5 * (f64::from(finite(l)) - f64::from(finite(r)))) as f32;
        }
        self.crossover.split(0, &side[..len], &mut self.side_bands);
        let bands = self.crossover.bands();
        let crossfade = self.wet.is_ramping() || self.wet.target() < 1.0;
        for i in 0..len {
            let mut side = 0.0;
            for (ramp, row) in self.width[..bands].iter_mut().zip(&self.side_bands) {
                side += ramp.next_gain() * f64::from(row[i]);
            }
            let side = self.mono_bass.tick(side);
            let dry = [finite(self.dry[0][i]), finite(self.dry[1][i])].map(f64::from);
            let mid = 0.5 * (dry[0] + dry[1]);
            self.out_rows[0][i] = mid as f32;
            self.out_rows[1][i] = side as f32;
            let wet = [mid + side, mid - side];
            let gains = [self.balance[0].next_gain(), self.balance[1].next_gain()];
            let out = [wet[0] * gains[0], wet[1] * gains[1]];
            self.overall.push(out[0], out[1]);
            let amount = if crossfade { self.wet.next_gain() } else { 1.0 };
            for (c, samples) in block.iter_mut().enumerate().take(CHANNELS) {
                let y = if crossfade {
                    dry[c] + amount * (out[c] - dry[c])
                } else {
                    out[c]
                };
                samples[i] = to_sample(y);
            }
        }
        self.mono_bass.flush();
        self.meter_bands(len);
    }

    /// Splits the output's mid and side and follows each band's correlation.
    fn meter_bands(&mut self, len: usize) {
        for (channel, (row, bands)) in self.out_rows.iter().zip(&mut self.meter_rows).enumerate() {
            self.meter_crossover.split(channel, &row[..len], bands);
        }
        let [mids, sides] = &self.meter_rows;
        let bands = self.meter_crossover.bands();
        for ((correlation, mid), side) in self.band_correlation[..bands]
            .iter_mut()
            .zip(mids)
            .zip(sides)
        {
            for (&m, &s) in mid[..len].iter().zip(&side[..len]) {
                let (m, s) = (f64::from(m), f64::from(s));
                correlation.push(m + s, m - s);
            }
            correlation.flush();
        }
        self.overall.flush();
    }
}

/// Width percent to the side's gain.
fn width_gain(pct: f64) -> f64 {
    if pct.is_nan() {
        1.0
    } else {
        pct.clamp(0.0, WIDTH_MAX_PCT) * 0.01
    }
}

impl Processor for Imager {
    fn prepare(&mut self, spec: &ProcessSpec) {
        let rate = spec.sample_rate;
        self.crossover.prepare(rate);
        self.meter_crossover.prepare(rate);
        self.mono_bass.prepare(rate, CROSSOVER_CHUNK);
        let ramp = spec.ms_to_samples(RAMP_MS);
        self.width.iter_mut().for_each(|r| r.set_ramp_samples(ramp));
        self.balance
            .iter_mut()
            .for_each(|r| r.set_ramp_samples(ramp));
        self.wet.set_ramp_samples(spec.ms_to_samples(SWITCH_MS));
        for line in &mut self.delayed {
            *line = DelayLine::with_capacity(self.crossover.max_latency() + CROSSOVER_CHUNK);
        }
        for correlation in self.band_correlation.iter_mut().chain([&mut self.overall]) {
            correlation.prepare(rate);
        }
        self.spec = Some(*spec);
        let params = self.params;
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

    /// The linear-phase crossover's delay (0 with minimum phase).
    fn latency(&self) -> usize {
        self.crossover.latency()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prepared(params: ImagerParams) -> Imager {
        let mut imager = Imager::new(params);
        imager.prepare(&ProcessSpec::stereo(48_000.0, 512));
        imager
    }

    fn stereo_noise(len: usize) -> [Vec<f32>; 2] {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            ((state >> 11) as f64 / (1u64 << 53) as f64 - 0.5) as f32
        };
        let mut left = Vec::with_capacity(len);
        let mut right = Vec::with_capacity(len);
        for _ in 0..len {
            let common = next();
            left.push(common + 0.5 * next());
            right.push(common + 0.5 * next());
        }
        [left, right]
    }

    #[test]
    fn disabled_and_mono_pass_unchanged() {
        let mut imager = prepared(ImagerParams::default());
        let input = stereo_noise(3_000);
        let mut output = input.clone();
        let [l, r] = &mut output;
        imager.process(&mut [l, r]);
        assert_eq!(output, input);

        let mut enabled = prepared(ImagerParams {
            enabled: true,
            width_pct: [0.0; MAX_BANDS],
            ..ImagerParams::default()
        });
        let mut mono = input[0].clone();
        enabled.process(&mut [&mut mono[..]]);
        assert_eq!(mono, input[0]);
    }

    #[test]
    fn zero_width_makes_mono_and_balance_tilts() {
        let mut imager = prepared(ImagerParams {
            enabled: true,
            width_pct: [0.0; MAX_BANDS],
            balance_pct: 50.0,
            ..ImagerParams::default()
        });
        let mut signal = stereo_noise(10_000);
        let [l, r] = &mut signal;
        imager.process(&mut [l, r]);
        for (n, (&l, &r)) in signal[0].iter().zip(&signal[1]).enumerate() {
            assert!((2.0 * l - r).abs() < 1e-6, "{n}");
        }
        let readings = imager.readings();
        assert!((readings.overall_correlation - 1.0).abs() < 1e-6);
        for band in readings.correlation {
            assert!((band - 1.0).abs() < 1e-3, "{band}");
        }
    }
}
