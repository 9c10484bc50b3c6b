//! The mastering chain, in signal order.

use crate::analyser::{AnalyserParams, SpectrumAnalyser, SpectrumFrame};
use crate::dither::Dither;
use crate::dynamics::{GlueCompressor, GlueReadings, MultibandCompressor, MultibandReadings};
use crate::eq::Equalizer;
use crate::filter::DcFilter;
use crate::limiter::{Limiter, LimiterReadings};
use crate::meter::{Meter, MeterReadings};
use crate::stereo::{Imager, ImagerReadings};
use crate::trim::Trim;
use crate::util::{for_each_slice, sanitize};
use crate::{ChainParams, ProcessSpec, Processor, SpecError};

/// What the chain's meters read, for the GUI and the CLI's reports.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ChainReadings {
    /// The input, before any processing.
    pub input: MeterReadings,
    /// The output, after everything.
    pub output: MeterReadings,
    /// The multiband compressor's gain reduction per band.
    pub multiband: MultibandReadings,
    /// The glue compressor's gain reduction.
    pub glue: GlueReadings,
    /// Stereo correlation of the imager's output, per band and overall.
    pub imager: ImagerReadings,
    /// The limiter: gain reduction, and the true peak it let through.
    pub limiter: LimiterReadings,
    /// NaN or infinite input samples replaced by silence since the last reset.
    pub non_finite_samples: u64,
}

/// The whole mastering chain: input trim → DC filter → EQ → multiband compressor → glue
/// compressor → imager → true-peak limiter → output trim → dither, metered
/// at both ends. The output trim comes after the limiter: above 0 dB it lifts the output over
/// the limiter's ceiling (the output meter shows by how much).
///
/// Lifecycle as for every [`Processor`]: `prepare` may allocate; `set_params`, `reset`,
/// `process`, `latency` and `readings` never allocate, lock or panic.
#[derive(Debug, Clone)]
pub struct MasterChain {
    spec: Option<ProcessSpec>,
    params: ChainParams,
    input_trim: Trim,
    dc_filter: DcFilter,
    eq: Equalizer,
    multiband: MultibandCompressor,
    glue: GlueCompressor,
    imager: Imager,
    limiter: Limiter,
    output_trim: Trim,
    dither: Dither,
    input_meter: Meter,
    output_meter: Meter,
    non_finite_samples: u64,
    /// The spectra into and out of the EQ, for the editor; analysed only while `analysing`.
    eq_input_spectrum: SpectrumAnalyser,
    eq_output_spectrum: SpectrumAnalyser,
    analysing: bool,
    /// A new pair of spectrum frames is ready.
    spectra_fresh: bool,
}

impl Default for MasterChain {
    fn default() -> Self {
        Self::new(ChainParams::default())
    }
}

impl MasterChain {
    /// An unprepared chain with the given settings. Until prepared, `process` passes audio
    /// through untouched.
    pub fn new(params: ChainParams) -> Self {
        Self {
            spec: None,
            input_trim: Trim::new(params.input_trim_db),
            dc_filter: DcFilter::new(params.dc_filter),
            eq: Equalizer::new(params.eq.clone()),
            multiband: MultibandCompressor::new(params.multiband.clone()),
            glue: GlueCompressor::new(params.glue),
            imager: Imager::new(params.imager),
            limiter: Limiter::new(params.limiter.clone()),
            output_trim: Trim::new(params.output_trim_db),
            dither: Dither::new(params.dither),
            input_meter: Meter::default(),
            output_meter: Meter::default(),
            non_finite_samples: 0,
            eq_input_spectrum: SpectrumAnalyser::new(AnalyserParams::default()),
            eq_output_spectrum: SpectrumAnalyser::new(AnalyserParams::default()),
            analysing: false,
            spectra_fresh: false,
            params,
        }
    }

    /// Prepares every module for `spec`. Allocates. Leaves the chain reset, with its current
    /// settings applied without ramps.
    pub fn prepare(&mut self, spec: &ProcessSpec) -> Result<(), SpecError> {
        spec.validate()?;
        self.spec = Some(*spec);
        self.input_trim.prepare(spec);
        self.dc_filter.prepare(spec);
        self.eq.prepare(spec);
        self.multiband.prepare(spec);
        self.glue.prepare(spec);
        self.imager.prepare(spec);
        self.limiter.prepare(spec);
        self.output_trim.prepare(spec);
        self.dither.prepare(spec);
        self.input_meter.prepare(spec);
        self.output_meter.prepare(spec);
        self.eq_input_spectrum.prepare(spec);
        self.eq_output_spectrum.prepare(spec);
        self.reset();
        Ok(())
    }

    /// The spec the chain was last prepared for.
    pub fn spec(&self) -> Option<&ProcessSpec> {
        self.spec.as_ref()
    }

    /// The settings in effect.
    pub fn params(&self) -> &ChainParams {
        &self.params
    }

    /// Applies new settings; modules glide to them. Only what changed is recomputed.
    pub fn set_params(&mut self, params: &ChainParams) {
        if *params == self.params {
            return;
        }
        self.input_trim.set_gain_db(params.input_trim_db);
        self.dc_filter.set_enabled(params.dc_filter);
        self.eq.set_params(&params.eq);
        if params.multiband != self.params.multiband {
            self.multiband.set_params(&params.multiband);
        }
        if params.glue != self.params.glue {
            self.glue.set_params(&params.glue);
        }
        if params.imager != self.params.imager {
            self.imager.set_params(&params.imager);
        }
        if params.limiter != self.params.limiter {
            self.limiter.set_params(&params.limiter);
        }
        self.output_trim.set_gain_db(params.output_trim_db);
        self.dither.set_params(&params.dither);
        self.params.clone_from(params);
    }

    /// Clears all signal history and meters. Gains jump to their targets, so an offline render
    /// starts at the saved settings rather than gliding into them.
    pub fn reset(&mut self) {
        self.input_trim.reset();
        self.dc_filter.reset();
        self.eq.reset();
        self.multiband.reset();
        self.glue.reset();
        self.imager.reset();
        self.limiter.reset();
        self.output_trim.reset();
        self.dither.reset();
        self.input_meter.reset();
        self.output_meter.reset();
        self.eq_input_spectrum.reset();
        self.eq_output_spectrum.reset();
        self.non_finite_samples = 0;
    }

    /// Clears the meters only (the engineer's "reset meters" button).
    pub fn reset_meters(&mut self) {
        self.multiband.reset_readings();
        self.glue.reset_readings();
        self.imager.reset_readings();
        self.limiter.reset_readings();
        self.input_meter.reset();
        self.output_meter.reset();
        self.non_finite_samples = 0;
    }

    /// Processes one block in place: one slice per channel, any length.
    pub fn process(&mut self, channels: &mut [&mut [f32]]) {
        let Some(spec) = self.spec else {
            return;
        };
        let channels = match channels.len() {
            0 => return,
            n => &mut channels[..n.min(spec.channels)],
        };
        for_each_slice(channels, spec.max_block_size, |block| {
            self.non_finite_samples += sanitize(block) as u64;
            self.input_meter.process(block);
            self.input_trim.process(block);
            self.dc_filter.process(block);
            if self.analysing {
                self.spectra_fresh |= self.eq_input_spectrum.process(block);
            }
            self.eq.process(block);
            if self.analysing {
                self.spectra_fresh |= self.eq_output_spectrum.process(block);
            }
            self.multiband.process(block);
            self.glue.process(block);
            self.imager.process(block);
            self.limiter.process(block);
            self.output_trim.process(block);
            self.dither.process(block);
            self.output_meter.process(block);
        });
    }

    /// The delay the chain adds, in samples, at its current settings.
    pub fn latency(&self) -> usize {
        self.input_trim.latency()
            + self.dc_filter.latency()
            + self.eq.latency()
            + self.multiband.latency()
            + self.glue.latency()
            + self.imager.latency()
            + self.limiter.latency()
            + self.output_trim.latency()
    }

    /// Turns the spectrum analysis into and out of the EQ on or off (an FFT of each every
    /// 43 ms; the plugin runs it while its editor is open). Turning it on starts from silence.
    pub fn set_spectrum_analysis(&mut self, on: bool) {
        if on && !self.analysing {
            self.eq_input_spectrum.reset();
            self.eq_output_spectrum.reset();
        }
        self.analysing = on;
    }

    /// The spectra into and out of the EQ, once after each new analysis; `None` in between.
    pub fn take_fresh_spectra(&mut self) -> Option<(&SpectrumFrame, &SpectrumFrame)> {
        if !std::mem::take(&mut self.spectra_fresh) {
            return None;
        }
        Some((
            self.eq_input_spectrum.frame(),
            self.eq_output_spectrum.frame(),
        ))
    }

    /// The EQ as it runs, for the editor's curve.
    pub fn eq(&self) -> &Equalizer {
        &self.eq
    }

    /// What the meters read now.
    pub fn readings(&self) -> ChainReadings {
        ChainReadings {
            input: self.input_meter.readings(),
            output: self.output_meter.readings(),
            multiband: self.multiband.readings(),
            glue: self.glue.readings(),
            imager: self.imager.readings(),
            limiter: self.limiter.readings(),
            non_finite_samples: self.non_finite_samples,
        }
    }
}
