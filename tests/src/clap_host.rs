//! A single-threaded CLAP host on clack-host: loads a plugin library, reads its parameters,
//! renders audio with parameter events, saves and loads state.
//!
//! Everything runs on the creating thread, which the plugin then treats as its main thread.

use std::cell::Cell;
use std::error::Error;
use std::ffi::CString;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use clack_extensions::audio_ports::{
    AudioPortInfoBuffer, AudioPortRescanFlags, HostAudioPorts, HostAudioPortsImpl, PluginAudioPorts,
};
use clack_extensions::latency::{HostLatency, HostLatencyImpl, PluginLatency};
use clack_extensions::log::{HostLog, HostLogImpl, LogSeverity};
use clack_extensions::params::{
    HostParams, HostParamsImplMainThread, HostParamsImplShared, ParamClearFlags, ParamInfoBuffer,
    ParamRescanFlags, PluginParams,
};
use clack_extensions::state::{HostState, HostStateImpl, PluginState};
use clack_host::events::event_types::ParamValueEvent;
use clack_host::prelude::*;

pub type BoxResult<T> = Result<T, Box<dyn Error>>;

/// Thread-safe host callbacks: the plugin's requests, recorded.
#[derive(Default)]
pub struct Shared {
    restart_requested: AtomicBool,
    callback_requested: AtomicBool,
}

impl SharedHandler<'_> for Shared {
    fn request_restart(&self) {
        self.restart_requested.store(true, Ordering::SeqCst);
    }
    fn request_process(&self) {}
    fn request_callback(&self) {
        self.callback_requested.store(true, Ordering::SeqCst);
    }
}

impl HostLogImpl for Shared {
    fn log(&self, severity: LogSeverity, message: &str) {
        eprintln!("[plugin {severity}] {message}");
    }
}

impl HostParamsImplShared for Shared {
    fn request_flush(&self) {}
}

/// Main-thread host callbacks.
#[derive(Default)]
pub struct MainThread {
    params_rescans: Cell<u32>,
    latency_changes: Cell<u32>,
}

impl MainThreadHandler<'_> for MainThread {}

impl HostParamsImplMainThread for MainThread {
    fn rescan(&self, _flags: ParamRescanFlags) {
        self.params_rescans.set(self.params_rescans.get() + 1);
    }
    fn clear(&self, _param_id: ClapId, _flags: ParamClearFlags) {}
}

impl HostLatencyImpl for MainThread {
    fn changed(&self) {
        self.latency_changes.set(self.latency_changes.get() + 1);
    }
}

impl HostStateImpl for MainThread {
    fn mark_dirty(&self) {}
}

impl HostAudioPortsImpl for MainThread {
    fn is_rescan_flag_supported(&self, _flag: AudioPortRescanFlags) -> bool {
        false
    }
    fn rescan(&self, _flags: AudioPortRescanFlags) {}
}

pub struct TestHost;

impl HostHandlers for TestHost {
    type Shared<'a> = Shared;
    type MainThread<'a> = MainThread;
    type AudioProcessor<'a> = ();

    fn declare_extensions(builder: &mut HostExtensions<Self>, _shared: &Self::Shared<'_>) {
        builder
            .register::<HostLog>()
            .register::<HostParams>()
            .register::<HostLatency>()
            .register::<HostState>()
            .register::<HostAudioPorts>();
    }
}

/// A plugin in a library file, as a host lists it.
#[derive(Debug, Clone)]
pub struct Descriptor {
    pub id: String,
    pub name: String,
    pub features: Vec<String>,
}

/// Loads a plugin library (dlopen and `clap_entry->init`).
pub fn load(path: &Path) -> BoxResult<PluginEntry> {
    // SAFETY: loading a library runs its code; this is the plugin under test.
    Ok(unsafe { PluginEntry::load(path)? })
}

/// The plugins a library offers.
pub fn descriptors(entry: &PluginEntry) -> BoxResult<Vec<Descriptor>> {
    let factory = entry.get_plugin_factory().ok_or("no plugin factory")?;
    let text = |s: Option<&std::ffi::CStr>| {
        s.map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    Ok(factory
        .plugin_descriptors()
        .map(|d| Descriptor {
            id: text(d.id()),
            name: text(d.name()),
            features: d
                .features()
                .map(|f| f.to_string_lossy().into_owned())
                .collect(),
        })
        .collect())
}

/// A parameter as the host sees it (values in CLAP units: nice-plug uses 0..1, or
/// 0..steps for stepped parameters).
#[derive(Debug, Clone)]
pub struct ParamInfo {
    pub id: ClapId,
    pub name: String,
    pub module: String,
    pub min: f64,
    pub max: f64,
    pub default: f64,
}

/// A parameter change at a frame of the render.
#[derive(Debug, Clone, Copy)]
pub struct ParamChange {
    pub id: ClapId,
    pub value: f64,
    pub frame: usize,
}

/// How to run a render.
#[derive(Debug, Clone)]
pub struct RenderSpec {
    pub sample_rate: f64,
    /// Largest block announced at activation.
    pub max_block: usize,
    /// Block lengths to cycle through (each at most `max_block`).
    pub blocks: Vec<usize>,
    /// Frames at which to call the processor's `reset()` (at block starts).
    pub resets_at: Vec<usize>,
}

impl RenderSpec {
    /// Fixed-size blocks.
    pub fn fixed(sample_rate: f64, block: usize) -> Self {
        Self {
            sample_rate,
            max_block: block,
            blocks: vec![block],
            resets_at: Vec::new(),
        }
    }
}

/// A rendered result.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub channels: Vec<Vec<f32>>,
    /// Latency the plugin reported while active.
    pub latency: u32,
}

/// One plugin instance with its extensions.
pub struct Host {
    instance: PluginInstance<TestHost>,
    params: Option<PluginParams>,
    latency: Option<PluginLatency>,
    state: Option<PluginState>,
    audio_ports: Option<PluginAudioPorts>,
    steady_time: u64,
}

impl Host {
    /// Instantiates `plugin_id` from `entry`.
    pub fn new(entry: &PluginEntry, plugin_id: &str) -> BoxResult<Self> {
        let info = HostInfo::new(
            "lacquer-test-host",
            "Lacquer",
            "https://lacquer.invalid",
            "0.1",
        )?;
        let id = CString::new(plugin_id)?;
        let instance = PluginInstance::<TestHost>::new(
            |_| Shared::default(),
            |_| MainThread::default(),
            entry,
            &id,
            &info,
        )?;
        let handle = instance.plugin_shared_handle();
        Ok(Self {
            params: handle.get_extension(),
            latency: handle.get_extension(),
            state: handle.get_extension(),
            audio_ports: handle.get_extension(),
            instance,
            steady_time: 0,
        })
    }

    fn serve_callbacks(&mut self) {
        if self
            .instance
            .access_shared_handler(|s| s.callback_requested.swap(false, Ordering::SeqCst))
        {
            self.instance.call_on_main_thread_callback();
        }
    }

    /// Every parameter (only indices below the count: nice-plug panics past the end).
    pub fn params(&mut self) -> Vec<ParamInfo> {
        let Some(params) = self.params else {
            return Vec::new();
        };
        let handle = self.instance.plugin_handle();
        let mut buffer = ParamInfoBuffer::new();
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        (0..params.count(&handle))
            .filter_map(|i| {
                let info = params.get_info(&handle, i, &mut buffer)?;
                Some(ParamInfo {
                    id: info.id,
                    name: text(info.name),
                    module: text(info.module),
                    min: info.min_value,
                    max: info.max_value,
                    default: info.default_value,
                })
            })
            .collect()
    }

    /// The parameter with this name.
    pub fn param(&mut self, name: &str) -> ParamInfo {
        self.params()
            .into_iter()
            .find(|p| p.name == name)
            .unwrap_or_else(|| panic!("no parameter named '{name}'"))
    }

    pub fn value(&mut self, id: ClapId) -> Option<f64> {
        self.params?.get_value(&self.instance.plugin_handle(), id)
    }

    pub fn value_to_text(&mut self, id: ClapId, value: f64) -> Option<String> {
        let mut buffer = [0u8; 256];
        let text = self
            .params?
            .value_to_text(&self.instance.plugin_handle(), id, value, &mut buffer)
            .ok()?;
        Some(String::from_utf8_lossy(text).into_owned())
    }

    pub fn text_to_value(&mut self, id: ClapId, text: &str) -> Option<f64> {
        let text = CString::new(text).ok()?;
        self.params?
            .text_to_value(&self.instance.plugin_handle(), id, &text)
    }

    /// Reported latency (meaningful once activated).
    pub fn latency(&mut self) -> Option<u32> {
        Some(self.latency?.get(&self.instance.plugin_handle()))
    }

    /// Channel counts of the main input and output ports.
    pub fn main_port_channels(&mut self) -> (u32, u32) {
        let Some(ports) = self.audio_ports else {
            return (0, 0);
        };
        let handle = self.instance.plugin_handle();
        let mut buffer = AudioPortInfoBuffer::new();
        let mut first = |is_input| {
            ports
                .get(&handle, 0, is_input, &mut buffer)
                .map_or(0, |p| p.channel_count)
        };
        (first(true), first(false))
    }

    /// Sets parameters while inactive (CLAP `params.flush`).
    pub fn flush(&mut self, changes: &[(ClapId, f64)]) -> BoxResult<()> {
        let params = self.params.ok_or("no params extension")?;
        let events: Vec<ParamValueEvent> = changes
            .iter()
            .map(|&(id, v)| ParamValueEvent::new(0, id, Pckn::match_all(), v))
            .collect();
        let mut handle = self
            .instance
            .inactive_plugin_handle()
            .ok_or("plugin is active")?;
        params.flush(
            &mut handle,
            &InputEvents::from_buffer(&events),
            &mut OutputEvents::void(),
        );
        self.serve_callbacks();
        Ok(())
    }

    /// Activates, processes `input` (stereo) in blocks with parameter events and resets, and
    /// deactivates. Everything the audio thread touches is allocated before processing starts.
    pub fn render(
        &mut self,
        spec: &RenderSpec,
        input: &[Vec<f32>],
        changes: &[ParamChange],
    ) -> BoxResult<Rendered> {
        let channels = input.len();
        let frames = input.iter().map(Vec::len).min().unwrap_or(0);
        let config = PluginAudioConfiguration {
            sample_rate: spec.sample_rate,
            min_frames_count: 1,
            max_frames_count: spec.max_block as u32,
        };
        let stopped = self.instance.activate(|_, _| (), config)?;
        let latency = self.latency().unwrap_or(0);
        let mut processor = match stopped.start_processing() {
            Ok(p) => p,
            Err(e) => {
                self.instance.deactivate(e.into_stopped_processor());
                return Err("start_processing failed".into());
            }
        };

        let mut in_ports = AudioPorts::with_capacity(channels, 1);
        let mut out_ports = AudioPorts::with_capacity(channels, 1);
        let mut in_buffers = vec![vec![0.0f32; spec.max_block]; channels];
        let mut out_buffers = vec![vec![0.0f32; spec.max_block]; channels];
        let mut output: Vec<Vec<f32>> = vec![Vec::with_capacity(frames); channels];
        let mut events: Vec<ParamValueEvent> = Vec::with_capacity(changes.len());
        let mut sorted = changes.to_vec();
        sorted.sort_by_key(|c| c.frame);

        let mut result = Ok(());
        let (mut start, mut block_index) = (0, 0);
        while start < frames {
            let n = spec.blocks[block_index % spec.blocks.len()]
                .min(frames - start)
                .min(spec.max_block);
            block_index += 1;
            if spec
                .resets_at
                .iter()
                .any(|&r| (start..start + n).contains(&r))
            {
                processor.reset();
            }
            for (buffer, source) in in_buffers.iter_mut().zip(input) {
                buffer[..n].copy_from_slice(&source[start..start + n]);
            }
            events.clear();
            events.extend(
                sorted
                    .iter()
                    .filter(|c| (start..start + n).contains(&c.frame))
                    .map(|c| {
                        ParamValueEvent::new(
                            (c.frame - start) as u32,
                            c.id,
                            Pckn::match_all(),
                            c.value,
                        )
                    }),
            );
            let audio_in = in_ports.with_input_buffers([AudioPortBuffer {
                latency: 0,
                channels: AudioPortBufferType::f32_input_only(
                    in_buffers
                        .iter_mut()
                        .map(|b| InputChannel::variable(&mut b[..n])),
                ),
            }]);
            let mut audio_out = out_ports.with_output_buffers([AudioPortBuffer {
                latency: 0,
                channels: AudioPortBufferType::f32_output_only(
                    out_buffers.iter_mut().map(|b| &mut b[..n]),
                ),
            }]);
            if let Err(e) = processor.process(
                &audio_in,
                &mut audio_out,
                &InputEvents::from_buffer(&events),
                &mut OutputEvents::void(),
                Some(self.steady_time),
                None,
            ) {
                result = Err(e);
                break;
            }
            for (out, buffer) in output.iter_mut().zip(&out_buffers) {
                out.extend_from_slice(&buffer[..n]);
            }
            self.steady_time += n as u64;
            start += n;
        }
        let stopped = processor.stop_processing();
        self.instance.deactivate(stopped);
        self.serve_callbacks();
        result?;
        Ok(Rendered {
            channels: output,
            latency,
        })
    }

    /// Saves the plugin state.
    pub fn save_state(&mut self) -> BoxResult<Vec<u8>> {
        let state = self.state.ok_or("no state extension")?;
        let mut bytes = Vec::new();
        state.save(&self.instance.plugin_handle(), &mut bytes)?;
        Ok(bytes)
    }

    /// Loads a plugin state.
    pub fn load_state(&mut self, bytes: &[u8]) -> BoxResult<()> {
        let state = self.state.ok_or("no state extension")?;
        let mut reader = bytes;
        state.load(&self.instance.plugin_handle(), &mut reader)?;
        self.serve_callbacks();
        Ok(())
    }

    /// Parameter rescans the plugin asked for (after state loads).
    pub fn params_rescans(&self) -> u32 {
        self.instance.access_handler(|m| m.params_rescans.get())
    }
}
