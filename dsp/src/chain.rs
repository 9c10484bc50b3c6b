//! The mastering chain, in signal order.

use crate::analyser::{AnalyserParams, SpectrumAnalyser, SpectrumFrame};
use crate::bypass::Bypass;
use crate::dither::Dither;
use crate::dynamics::{GlueCompressor, GlueReadings, MultibandCompressor, MultibandReadings};
use crate::eq::{Equalizer, PhaseMode};
use crate::filter::DcFilter;
use crate::learn::{DriveLearner, LearnReadout};
use crate::limiter::{Limiter, LimiterReadings};
use crate::meter::{Meter, MeterReadings, PeakScope};
use crate::stereo::{Imager, ImagerReadings};
use crate::target::TargetReadout;
use crate::trim::Trim;
use crate::util::{GainRamp, db_to_gain, for_each_slice, sanitize};
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
    /// The output against the selected loudness target.
    pub target: TargetReadout,
    /// The gain the platform preview applies now, dB; `None` when the preview is off.
    pub preview_gain_db: Option<f64>,
    /// Learn: listening, and the drive it proposes.
    pub learn: LearnReadout,
}

/// How much latency the chain may add.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LatencyMode {
    /// Everything allowed: lookahead, linear-phase EQ and crossovers.
    #[default]
    Master,
    /// The lowest latency the modules allow, for tracking and live streams through the master
    /// bus: zero-latency EQ, minimum-phase crossovers without lookahead, the limiter's shortest
    /// lookahead (still true-peak safe).
    Live,
}

impl LatencyMode {
    /// Every mode, in the order of the parameter's choices.
    pub const ALL: [LatencyMode; 2] = [LatencyMode::Master, LatencyMode::Live];

    /// Limits `params` to what the mode allows.
    pub fn limit(self, params: &mut ChainParams) {
        if self == LatencyMode::Live {
            params.eq.phase = PhaseMode::ZeroLatency;
            params.multiband.linear_phase = false;
            params.multiband.lookahead_ms = 0.0;
            params.imager.linear_phase = false;
            params.limiter.lookahead_ms = LIVE_LOOKAHEAD_MS;
        }
    }
}

/// A part of the chain in signal order (see [`MasterChain::process_stage`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Input meter, input trim, DC filter, EQ, multiband, glue, imager.
    BeforeLimiter,
    /// The limiter, its drive included: what a loudness search reruns at each drive it tries.
    Limiter,
    /// Output trim, dither, output meter.
    AfterLimiter,
}

impl Stage {
    /// Every stage, in signal order.
    pub const ALL: [Stage; 3] = [Stage::BeforeLimiter, Stage::Limiter, Stage::AfterLimiter];
}

/// The limiter's shortest lookahead.
const LIVE_LOOKAHEAD_MS: f64 = 0.5;
/// How often the platform preview follows the output's loudness.
const PREVIEW_UPDATE_MS: f64 = 100.0;
/// The glide of the platform preview's gain.
const PREVIEW_GLIDE_MS: f64 = 200.0;

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
    /// `params` as the modules run them (latency mode and target applied).
    effective: ChainParams,
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
    input_metering: bool,
    output_meter: Meter,
    bypass: Bypass,
    learner: DriveLearner,
    /// Platform preview: allowed (live monitoring, never renders) and its gain.
    monitoring: bool,
    preview: GainRamp,
    preview_countdown: usize,
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
        let mut effective = params.clone();
        params.effective_into(&mut effective);
        let params_in_effect = params;
        let params = &effective;
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
            input_metering: true,
            output_meter: Meter::default(),
            bypass: Bypass::default(),
            learner: DriveLearner::default(),
            monitoring: false,
            preview: GainRamp::new(1.0),
            preview_countdown: 0,
            non_finite_samples: 0,
            eq_input_spectrum: SpectrumAnalyser::new(AnalyserParams::default()),
            eq_output_spectrum: SpectrumAnalyser::new(AnalyserParams::default()),
            analysing: false,
            spectra_fresh: false,
            params: params_in_effect,
            effective,
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
        self.bypass.prepare(spec, Self::max_latency(spec));
        self.learner.prepare(spec);
        self.preview
            .set_ramp_samples(spec.ms_to_samples(PREVIEW_GLIDE_MS));
        self.reset();
        Ok(())
    }

    /// The most latency any setting can give at `spec`: linear-phase EQ and crossovers, the
    /// longest lookaheads. Allocates (it prepares modules to ask them).
    fn max_latency(spec: &ProcessSpec) -> usize {
        let mut eq = Equalizer::new(crate::eq::EqParams {
            phase: PhaseMode::LinearPhase,
            ..Default::default()
        });
        eq.prepare(spec);
        let mut multiband = MultibandCompressor::new(crate::dynamics::MultibandParams {
            linear_phase: true,
            lookahead_ms: f64::MAX,
            ..Default::default()
        });
        multiband.prepare(spec);
        let mut imager = Imager::new(crate::stereo::ImagerParams {
            linear_phase: true,
            ..Default::default()
        });
        imager.prepare(spec);
        let mut limiter = Limiter::new(crate::limiter::LimiterParams {
            lookahead_ms: f64::MAX,
            ..Default::default()
        });
        limiter.prepare(spec);
        eq.latency() + multiband.latency() + imager.latency() + limiter.latency()
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
        self.params.clone_from(params);
        // Plain data: cloning does not allocate.
        let mut effective = self.effective.clone();
        params.effective_into(&mut effective);
        let params = &effective;
        self.input_trim.set_gain_db(params.input_trim_db);
        self.dc_filter.set_enabled(params.dc_filter);
        self.eq.set_params(&params.eq);
        if params.multiband != self.effective.multiband {
            self.multiband.set_params(&params.multiband);
        }
        if params.glue != self.effective.glue {
            self.glue.set_params(&params.glue);
        }
        if params.imager != self.effective.imager {
            self.imager.set_params(&params.imager);
        }
        if params.limiter != self.effective.limiter {
            self.limiter.set_params(&params.limiter);
        }
        self.output_trim.set_gain_db(params.output_trim_db);
        self.dither.set_params(&params.dither);
        if params.bypass && !self.bypass.is_bypassed() {
            self.bypass.set_dry_gain_db(if params.bypass_gain_match {
                self.loudness_gain_db()
            } else {
                0.0
            });
        }
        self.bypass.set_bypassed(params.bypass);
        self.effective = effective;
    }

    /// How much louder the output is than the input (integrated), dB; 0 until both are
    /// measured. The gain-matched bypass lifts the input by this much.
    fn loudness_gain_db(&self) -> f64 {
        let integrated = |meter: &Meter| meter.readings().loudness.integrated_lufs;
        match (
            integrated(&self.input_meter),
            integrated(&self.output_meter),
        ) {
            (Some(input), Some(output)) => output - input,
            _ => 0.0,
        }
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
        self.bypass.reset();
        self.preview.settle();
        self.preview_countdown = 0;
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
        self.process_stages(channels, &Stage::ALL);
    }

    /// Runs one [`Stage`] of the chain over a block. Offline renders run the stages over a
    /// whole file one after the other (bypass off): the result is what [`Self::process`] gives.
    pub fn process_stage(&mut self, stage: Stage, channels: &mut [&mut [f32]]) {
        self.process_stages(channels, &[stage]);
    }

    fn process_stages(&mut self, channels: &mut [&mut [f32]], stages: &[Stage]) {
        let Some(spec) = self.spec else {
            return;
        };
        let channels = match channels.len() {
            0 => return,
            n => &mut channels[..n.min(spec.channels)],
        };
        self.bypass.set_delay(self.latency());
        for_each_slice(channels, spec.max_block_size, |block| {
            for &stage in stages {
                match stage {
                    Stage::BeforeLimiter => self.before_limiter(block),
                    Stage::Limiter => self.limiter.process(block),
                    Stage::AfterLimiter => self.after_limiter(block),
                }
            }
        });
    }

    fn before_limiter(&mut self, block: &mut [&mut [f32]]) {
        self.non_finite_samples += sanitize(block) as u64;
        self.bypass.capture(block);
        if self.input_metering {
            self.input_meter.process(block);
        }
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
        self.learner.process(block);
    }

    fn after_limiter(&mut self, block: &mut [&mut [f32]]) {
        self.output_trim.process(block);
        self.dither.process(block);
        self.bypass.mix(block);
        self.output_meter.process(block);
        self.platform_preview(block);
    }

    /// Turns the input meter on or off (on by default). Offline renders that do not report
    /// the input switch it off: it costs as much as the limiter's true-peak detection.
    pub fn set_input_metering(&mut self, on: bool) {
        self.input_metering = on;
    }

    /// Turns the limiter's own output measurement on or off (on by default): a render whose
    /// output meter measures the same samples needs no second measurement. From the next
    /// `prepare` or `reset`; see [`Limiter::set_readout`].
    pub fn set_limiter_readout(&mut self, on: bool) {
        self.limiter.set_readout(on);
    }

    /// Chooses what the meters' true-peak readings keep track of: a render reporting on a
    /// whole file needs no 3 s history, and measures less without it.
    pub fn set_true_peak_scope(&mut self, scope: PeakScope) {
        self.input_meter.set_true_peak_scope(scope);
        self.output_meter.set_true_peak_scope(scope);
    }

    /// At the end of a file: lets the meters measure the true peak of the last samples, which
    /// their interpolators still hold. The readings then equal `lacquer analyze` of the file.
    pub fn finish_metering(&mut self) {
        self.input_meter.finish();
        self.output_meter.finish();
    }

    /// Plays the output as the target platform would, after the output meter (a monitoring
    /// aid: only while [`Self::set_monitoring`] allows it, never in a render).
    fn platform_preview(&mut self, block: &mut [&mut [f32]]) {
        let spec = self.spec.expect("only called while prepared");
        if !(self.monitoring && self.effective.platform_preview) {
            self.preview.set_target(1.0);
        } else if let Some(left) = self.preview_countdown.checked_sub(block[0].len()) {
            self.preview_countdown = left;
        } else {
            self.preview_countdown = spec.ms_to_samples(PREVIEW_UPDATE_MS);
            let output = self.output_meter.readings();
            if let Some(lufs) = output.loudness.integrated_lufs {
                let gain_db = self
                    .effective
                    .target_spec()
                    .playback_gain_db(lufs, output.true_peak_max_dbtp());
                self.preview.set_target(db_to_gain(gain_db));
            }
        }
        self.preview.apply(block);
    }

    /// Allows the platform preview (live monitoring). Hosts turn it off for offline renders;
    /// the CLI never turns it on.
    pub fn set_monitoring(&mut self, live: bool) {
        self.monitoring = live;
    }

    /// Starts Learn: from now on, measures what each limiter drive would give.
    pub fn start_learning(&mut self) {
        self.learner
            .start(&self.effective.limiter, self.effective.output_trim_db);
    }

    /// Stops Learn; its proposal stays readable.
    pub fn stop_learning(&mut self) {
        self.learner.stop();
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
        let output = self.output_meter.readings();
        ChainReadings {
            input: self.input_meter.readings(),
            output,
            multiband: self.multiband.readings(),
            glue: self.glue.readings(),
            imager: self.imager.readings(),
            limiter: self.limiter.readings(),
            non_finite_samples: self.non_finite_samples,
            target: self.target_readout(&output),
            preview_gain_db: (self.monitoring && self.effective.platform_preview)
                .then(|| crate::util::gain_to_db(self.preview.target())),
            learn: self.learner.readout(self.effective.target_spec().lufs),
        }
    }

    fn target_readout(&self, output: &MeterReadings) -> TargetReadout {
        self.effective
            .target_spec()
            .readout(output.loudness.integrated_lufs, output.true_peak_max_dbtp())
    }
}
