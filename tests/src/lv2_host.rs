//! A minimal LV2 host for benchmarking peers: loads a plugin binary, maps URIDs, connects every
//! port and runs it in blocks, as a DAW would.
//!
//! `lv2apply` (lilv-utils) would be simpler, but it runs plugins one frame per call, which makes
//! CPU figures meaningless, and it refuses plugins with non-optional atom ports (x42-dpl).
//! Port lists come from `lv2info` (lilv-utils), so no Turtle parser is needed.

use std::collections::HashMap;
use std::ffi::{CStr, CString, c_char, c_void};
use std::process::Command;
use std::sync::Mutex;

use anyhow::{Context, anyhow, bail};

const URID_MAP: &str = "http://lv2plug.in/ns/ext/urid#map";
const ATOM_SEQUENCE: &str = "http://lv2plug.in/ns/ext/atom#Sequence";
const ATOM_CHUNK: &str = "http://lv2plug.in/ns/ext/atom#Chunk";
/// Bytes of each atom port's buffer.
const ATOM_CAPACITY: usize = 65_536;

#[repr(C)]
struct Descriptor {
    uri: *const c_char,
    instantiate: unsafe extern "C" fn(
        *const Descriptor,
        f64,
        *const c_char,
        *const *const Feature,
    ) -> *mut c_void,
    connect_port: unsafe extern "C" fn(*mut c_void, u32, *mut c_void),
    activate: Option<unsafe extern "C" fn(*mut c_void)>,
    run: unsafe extern "C" fn(*mut c_void, u32),
    deactivate: Option<unsafe extern "C" fn(*mut c_void)>,
    cleanup: unsafe extern "C" fn(*mut c_void),
    _extension_data: Option<unsafe extern "C" fn(*const c_char) -> *const c_void>,
}

#[repr(C)]
struct Feature {
    uri: *const c_char,
    data: *mut c_void,
}

#[repr(C)]
struct UridMapFeature {
    handle: *mut c_void,
    map: unsafe extern "C" fn(*mut c_void, *const c_char) -> u32,
}

/// URIs to integers, as LV2's urid:map feature asks.
#[derive(Default)]
struct Urids(Mutex<HashMap<String, u32>>);

impl Urids {
    fn map(&self, uri: &str) -> u32 {
        let mut map = self.0.lock().expect("urid map");
        let next = map.len() as u32 + 1;
        *map.entry(uri.to_owned()).or_insert(next)
    }
}

unsafe extern "C" fn map_uri(handle: *mut c_void, uri: *const c_char) -> u32 {
    // SAFETY: `handle` is the `Urids` the feature was built with, alive as long as the plugin;
    // `uri` is a NUL-terminated string from the plugin.
    let (urids, uri) = unsafe { (&*(handle as *const Urids), CStr::from_ptr(uri)) };
    urids.map(&uri.to_string_lossy())
}

#[derive(Debug, Clone, PartialEq)]
enum PortKind {
    Audio,
    Control,
    Atom,
}

#[derive(Debug, Clone)]
struct Port {
    index: u32,
    symbol: String,
    kind: PortKind,
    input: bool,
    default: f32,
}

/// What `lv2info` says about a plugin: its binary and its ports.
struct PluginInfo {
    bundle: String,
    binary: String,
    ports: Vec<Port>,
}

fn file_path(uri: &str) -> String {
    uri.trim().trim_start_matches("file://").to_owned()
}

fn plugin_info(uri: &str) -> anyhow::Result<PluginInfo> {
    let output = Command::new("lv2info")
        .arg(uri)
        .output()
        .context("running lv2info (Debian package lilv-utils)")?;
    if !output.status.success() {
        bail!("lv2info does not know {uri}");
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(name).map(|v| file_path(v.trim())))
            .ok_or_else(|| anyhow!("lv2info gives no {name} for {uri}"))
    };
    let (bundle, binary) = (field("Bundle:")?, field("Binary:")?);
    let mut ports: Vec<Port> = Vec::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if let Some(index) = trimmed
            .strip_prefix("Port ")
            .and_then(|r| r.strip_suffix(':'))
        {
            ports.push(Port {
                index: index.parse()?,
                symbol: String::new(),
                kind: PortKind::Control,
                input: false,
                default: 0.0,
            });
            continue;
        }
        let Some(port) = ports.last_mut() else {
            continue;
        };
        let value = trimmed.split_once(':').map_or(trimmed, |(key, value)| {
            if key.contains('/') {
                trimmed
            } else {
                value.trim()
            }
        });
        if trimmed.starts_with("Symbol:") {
            port.symbol = value.to_owned();
        } else if trimmed.starts_with("Default:") {
            port.default = value.parse().unwrap_or(0.0);
        } else if trimmed.contains("lv2core#InputPort") {
            port.input = true;
        } else if trimmed.contains("lv2core#AudioPort") || trimmed.contains("lv2core#CVPort") {
            port.kind = PortKind::Audio;
        } else if trimmed.contains("atom#AtomPort") {
            port.kind = PortKind::Atom;
        }
    }
    Ok(PluginInfo {
        bundle,
        binary,
        ports,
    })
}

/// A running LV2 plugin instance, activated, with every port connected to its own buffer.
pub struct Lv2Plugin {
    descriptor: *const Descriptor,
    handle: *mut c_void,
    ports: Vec<Port>,
    /// One value per port index (controls are connected here).
    controls: Box<[f32]>,
    /// One buffer per port index (audio and atom ports are connected here; atom buffers are
    /// 8-byte aligned).
    buffers: Vec<Box<[u64]>>,
    block: usize,
    sequence_type: u32,
    chunk_type: u32,
    // Kept alive for the instance: the library and the feature data it was given.
    _urids: Box<Urids>,
    _map: Box<UridMapFeature>,
    _library: libloading::Library,
}

impl Lv2Plugin {
    /// Loads and activates the plugin `uri` at `rate` for blocks of up to `block` frames.
    pub fn load(uri: &str, rate: f64, block: usize) -> anyhow::Result<Self> {
        let info = plugin_info(uri)?;
        // SAFETY: loading an LV2 plugin binary runs its initialisers; they are trusted like a
        // DAW trusts installed plugins.
        let library = unsafe { libloading::Library::new(&info.binary) }
            .with_context(|| format!("loading {}", info.binary))?;
        // SAFETY: `lv2_descriptor` has this signature in every LV2 binary.
        let entry: libloading::Symbol<unsafe extern "C" fn(u32) -> *const Descriptor> =
            unsafe { library.get(b"lv2_descriptor\0") }.context("no lv2_descriptor")?;
        let descriptor = (0..)
            .map(|i| unsafe { entry(i) })
            .take_while(|d| !d.is_null())
            // SAFETY: non-null descriptors point at static data with a NUL-terminated URI.
            .find(|&d| unsafe { CStr::from_ptr((*d).uri) }.to_string_lossy() == uri)
            .ok_or_else(|| anyhow!("{} has no descriptor for {uri}", info.binary))?;

        let urids = Box::new(Urids::default());
        let mut map = Box::new(UridMapFeature {
            handle: &*urids as *const Urids as *mut c_void,
            map: map_uri,
        });
        let map_uri_name = CString::new(URID_MAP)?;
        let feature = Feature {
            uri: map_uri_name.as_ptr(),
            data: &mut *map as *mut UridMapFeature as *mut c_void,
        };
        let features = [&feature as *const Feature, std::ptr::null()];
        let bundle = CString::new(info.bundle)?;
        // SAFETY: the descriptor is valid; the features outlive the call and the map they point
        // to lives as long as the instance.
        let handle = unsafe {
            ((*descriptor).instantiate)(descriptor, rate, bundle.as_ptr(), features.as_ptr())
        };
        if handle.is_null() {
            bail!("{uri} refused to instantiate");
        }
        let count = info
            .ports
            .iter()
            .map(|p| p.index as usize + 1)
            .max()
            .unwrap_or(0);
        let mut plugin = Self {
            descriptor,
            handle,
            controls: vec![0.0; count].into_boxed_slice(),
            buffers: Vec::new(),
            block,
            sequence_type: urids.map(ATOM_SEQUENCE),
            chunk_type: urids.map(ATOM_CHUNK),
            ports: info.ports,
            _urids: urids,
            _map: map,
            _library: library,
        };
        plugin.connect_all();
        // SAFETY: instantiated and every port connected.
        if let Some(activate) = unsafe { (*descriptor).activate } {
            unsafe { activate(handle) };
        }
        Ok(plugin)
    }

    fn connect_all(&mut self) {
        let words = (self.block * 4).div_ceil(8).max(ATOM_CAPACITY / 8);
        self.buffers = (0..self.controls.len())
            .map(|_| vec![0u64; words].into_boxed_slice())
            .collect();
        for port in &self.ports {
            let index = port.index as usize;
            let data = match port.kind {
                PortKind::Control => {
                    self.controls[index] = port.default;
                    &mut self.controls[index] as *mut f32 as *mut c_void
                }
                _ => self.buffers[index].as_mut_ptr() as *mut c_void,
            };
            // SAFETY: the buffers are boxed and live as long as the instance.
            unsafe { ((*self.descriptor).connect_port)(self.handle, port.index, data) };
        }
    }

    fn port(&self, symbol: &str) -> anyhow::Result<&Port> {
        self.ports
            .iter()
            .find(|p| p.symbol == symbol)
            .ok_or_else(|| anyhow!("no port {symbol}"))
    }

    /// Sets a control input.
    pub fn set_control(&mut self, symbol: &str, value: f32) -> anyhow::Result<()> {
        let port = self.port(symbol)?;
        if port.kind != PortKind::Control || !port.input {
            bail!("{symbol} is not a control input");
        }
        let index = port.index as usize;
        self.controls[index] = value;
        Ok(())
    }

    /// Reads a control (e.g. a latency output) after a run.
    pub fn control(&self, symbol: &str) -> anyhow::Result<f32> {
        Ok(self.controls[self.port(symbol)?.index as usize])
    }

    fn audio_ports(&self, input: bool) -> Vec<usize> {
        self.ports
            .iter()
            .filter(|p| p.kind == PortKind::Audio && p.input == input)
            .map(|p| p.index as usize)
            .collect()
    }

    /// Processes one block (at most the block size given to `load`), channel by channel.
    pub fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        let frames = inputs.first().map_or(0, |c| c.len()).min(self.block);
        for (index, input) in self.audio_ports(true).into_iter().zip(inputs) {
            let buffer = f32_view(&mut self.buffers[index]);
            buffer[..frames].copy_from_slice(&input[..frames]);
        }
        for port in &self.ports {
            if port.kind != PortKind::Atom {
                continue;
            }
            // An empty event sequence in; an empty chunk of the whole capacity out.
            let header = &mut self.buffers[port.index as usize];
            let (size, kind) = if port.input {
                (8, self.sequence_type)
            } else {
                ((ATOM_CAPACITY - 8) as u32, self.chunk_type)
            };
            header[0] = u64::from(size) | (u64::from(kind) << 32);
            header[1] = 0;
        }
        // SAFETY: every port is connected to a buffer of at least `block` frames.
        unsafe { ((*self.descriptor).run)(self.handle, frames as u32) };
        for (index, output) in self.audio_ports(false).into_iter().zip(outputs.iter_mut()) {
            output[..frames].copy_from_slice(&f32_view(&mut self.buffers[index])[..frames]);
        }
    }
}

/// A port buffer as samples.
fn f32_view(buffer: &mut [u64]) -> &mut [f32] {
    // SAFETY: u64 storage reinterpreted as twice as many f32 (alignment 8 ≥ 4; any bits are a
    // valid f32).
    unsafe { std::slice::from_raw_parts_mut(buffer.as_mut_ptr() as *mut f32, buffer.len() * 2) }
}

impl Drop for Lv2Plugin {
    fn drop(&mut self) {
        // SAFETY: the instance is alive and activated.
        unsafe {
            if let Some(deactivate) = (*self.descriptor).deactivate {
                deactivate(self.handle);
            }
            ((*self.descriptor).cleanup)(self.handle);
        }
    }
}
