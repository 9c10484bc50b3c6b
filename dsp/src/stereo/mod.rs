//! Stereo: the imager (per-band width, mono bass, balance) and its correlation readout.

mod correlation;
mod imager;
mod mono_bass;

pub use correlation::{CORRELATION_MS, Correlation};
pub use imager::{Imager, ImagerParams, ImagerReadings, WIDTH_MAX_PCT};
pub use mono_bass::{MONO_BASS_MAX_HZ, MONO_BASS_MIN_HZ, MonoBass};
