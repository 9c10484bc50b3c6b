//! Lacquer's mastering DSP.
//!
//! Every processor follows one lifecycle (see [`Processor`]):
//!
//! 1. `prepare(&ProcessSpec)` sizes buffers and derives time constants. It may allocate.
//! 2. `reset()` clears filter and envelope state. It never allocates.
//! 3. `process(&mut [&mut [f32]])` works in place on one block of any length. It never
//!    allocates, locks, blocks, logs or panics, and its output stays finite whatever the input.
//! 4. `latency()` is the delay, in samples, that the processor adds at its current settings.
//!
//! Parameters are plain structs in physical units (`*_db`, `*_hz`, `*_ms`); the table in
//! [`params`] describes each one (id, range, default) for the plugin, the CLI and presets.
//! This crate knows nothing of plugin formats, GUIs, threads or files.

pub mod analyser;
pub mod bypass;
pub mod chain;
pub mod dither;
pub mod dynamics;
pub mod eq;
pub mod filter;
pub mod learn;
pub mod limiter;
pub mod meter;
pub mod normalise;
pub mod oversampling;
pub mod params;
pub mod preset;
pub mod processor;
pub mod spec;
pub mod stereo;
pub mod target;
pub mod trim;
pub mod util;

pub use chain::{ChainReadings, LatencyMode, MasterChain, Stage};
pub use params::ChainParams;
pub use processor::Processor;
pub use spec::{ProcessSpec, SpecError};
