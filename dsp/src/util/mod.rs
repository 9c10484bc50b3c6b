//! Small shared building blocks: level conversions, smoothing and input sanitising.

mod blocks;
mod delay;
mod level;
mod ramp;
mod sanitize;
mod sliding_min;

pub use blocks::for_each_slice;
pub use delay::DelayLine;
pub use level::{db_to_gain, gain_to_db, power_to_db};
pub use ramp::GainRamp;
pub use sanitize::sanitize;
pub use sliding_min::SlidingMin;
