//! Small shared building blocks: level conversions, smoothing and input sanitising.

mod blocks;
mod delay;
pub mod fir;
mod integer;
mod level;
mod ramp;
mod sanitize;
mod scan;
#[cfg(test)]
pub(crate) mod test_random;
mod time;

pub use blocks::for_each_slice;
pub use delay::DelayLine;
pub use integer::gcd;
pub use level::{db_to_gain, gain_to_db, power_to_db, running_max, running_min};
pub use ramp::GainRamp;
pub use sanitize::sanitize;
pub use scan::{all_finite, all_finite_and_nonzero, all_of, first_above, for_each_sum_above};
pub use time::{ms_to_samples, smoothing_step};
