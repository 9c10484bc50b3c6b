//! Lacquer as a CLAP/VST3 plugin and standalone app. This file only wires the plugin API to
//! the DSP chain; parameters live in `params`, cross-thread meter state in `meters`, the GUI in
//! `editor`.

use std::num::NonZeroU32;
use std::sync::Arc;

use lacquer_dsp::{ChainParams, MasterChain, ProcessSpec};
use nice_plug::prelude::*;
use nice_plug_egui::{EguiEditorState, RepaintNotifier};

pub mod editor;
pub mod meters;
pub mod params;

use meters::{LearnRequest, MeterPublisher, MeterView, meter_channel};
use params::LacquerParams;

/// The plugin instance: the chain, its settings, and the audio thread's ends of the GUI links.
pub struct Lacquer {
    params: Arc<LacquerParams>,
    chain: MasterChain,
    chain_params: ChainParams,
    reported_latency: u32,
    /// Whether the host transport was playing during the previous block.
    was_playing: bool,
    meters: MeterPublisher,
    /// Taken by the first `editor()` call (the host asks once).
    meter_view: Option<MeterView>,
    editor_state: Arc<EguiEditorState>,
    repaint: RepaintNotifier,
}

impl Default for Lacquer {
    fn default() -> Self {
        let (meters, meter_view) = meter_channel();
        let chain_params = ChainParams::default();
        Self {
            params: Arc::new(LacquerParams::default()),
            chain: MasterChain::new(chain_params.clone()),
            chain_params,
            reported_latency: 0,
            was_playing: false,
            meters,
            meter_view: Some(meter_view),
            editor_state: editor::default_state(),
            repaint: RepaintNotifier::new(),
        }
    }
}

impl Plugin for Lacquer {
    const NAME: &'static str = "Lacquer";
    const VENDOR: &'static str = "Lacquer";
    const URL: &'static str = env!("CARGO_PKG_REPOSITORY");
    const EMAIL: &'static str = "dev@lacquer.audio";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");

    const AUDIO_IO_LAYOUTS: &'static [AudioIOLayout] = &[
        AudioIOLayout {
            main_input_channels: NonZeroU32::new(2),
            main_output_channels: NonZeroU32::new(2),
            ..AudioIOLayout::const_default()
        },
        AudioIOLayout {
            main_input_channels: NonZeroU32::new(1),
            main_output_channels: NonZeroU32::new(1),
            ..AudioIOLayout::const_default()
        },
    ];

    type SysExMessage = ();
    type BackgroundTask = ();
    type Editor = nice_plug_egui::EguiEditor<editor::LacquerEditor>;

    fn params(&self) -> Arc<dyn Params> {
        self.params.clone()
    }

    fn editor(&mut self, _async_executor: AsyncExecutor<Self>) -> Option<Self::Editor> {
        editor::create(
            self.params.clone(),
            self.meter_view.take()?,
            self.editor_state.clone(),
            self.repaint.clone(),
        )
    }

    fn activate(
        &mut self,
        audio_io_layout: &AudioIOLayout,
        buffer_config: &BufferConfig,
        context: &mut impl ActivateContext<Self>,
    ) -> bool {
        let spec = ProcessSpec {
            sample_rate: f64::from(buffer_config.sample_rate),
            max_block_size: buffer_config.max_buffer_size as usize,
            channels: audio_io_layout
                .main_output_channels
                .map_or(2, |c| c.get() as usize),
        };
        self.params.write_chain_params(&mut self.chain_params);
        self.chain.set_params(&self.chain_params);
        if let Err(error) = self.chain.prepare(&spec) {
            nice_error!("Lacquer cannot run here: {error}");
            return false;
        }
        // The platform preview is a monitoring aid: never in offline renders.
        self.chain
            .set_monitoring(buffer_config.process_mode == ProcessMode::Realtime);
        self.reported_latency = self.chain.latency() as u32;
        context.set_latency_samples(self.reported_latency);
        true
    }

    fn reset(&mut self) {
        self.chain.reset();
    }

    fn process(
        &mut self,
        buffer: &mut Buffer,
        _aux: &mut AuxiliaryBuffers,
        context: &mut impl ProcessContext<Self>,
    ) -> ProcessStatus {
        self.params.write_chain_params(&mut self.chain_params);
        self.chain.set_params(&self.chain_params);
        let playing = context.transport().playing;
        let play_started = playing && !self.was_playing;
        self.was_playing = playing;
        if self.meters.take_reset_request() || (play_started && self.params.meter_reset_on_play()) {
            self.chain.reset_meters();
        }
        match self.meters.take_learn_request() {
            Some(LearnRequest::Start) => self.chain.start_learning(),
            Some(LearnRequest::Stop) => self.chain.stop_learning(),
            None => {}
        }

        let editor_open = self.editor_state.is_open();
        self.chain.set_spectrum_analysis(editor_open);
        self.chain.process(buffer.as_slice());

        let latency = self.chain.latency() as u32;
        if latency != self.reported_latency {
            self.reported_latency = latency;
            context.set_latency_samples(latency);
        }
        if editor_open {
            if let Some((input, output)) = self.chain.take_fresh_spectra() {
                self.meters.publish_spectra(input, output);
            }
            self.meters.publish(self.chain.readings());
            self.repaint.request_repaint();
        }
        ProcessStatus::Normal
    }
}

impl ClapPlugin for Lacquer {
    const CLAP_ID: &'static str = "audio.lacquer.mastering";
    const CLAP_DESCRIPTION: Option<&'static str> =
        Some("Mastering suite: EQ, dynamics, stereo, true-peak limiting and loudness metering");
    const CLAP_MANUAL_URL: Option<&'static str> = Some(Self::URL);
    const CLAP_SUPPORT_URL: Option<&'static str> = None;
    const CLAP_FEATURES: &'static [ClapFeature] = &[
        ClapFeature::AudioEffect,
        ClapFeature::Mastering,
        ClapFeature::Stereo,
        ClapFeature::Mono,
    ];
}

impl Vst3Plugin for Lacquer {
    const VST3_CLASS_ID: [u8; 16] = *b"LacquerMasterFx1";
    const VST3_SUBCATEGORIES: &'static [Vst3SubCategory] =
        &[Vst3SubCategory::Fx, Vst3SubCategory::Mastering];
}

nice_export_clap!(Lacquer);
nice_export_vst3!(Lacquer);
