//! The lifecycle every Lacquer processor follows.

use crate::ProcessSpec;

/// A block processor working in place on de-interleaved channels.
///
/// Implementors document their allocation contract; the trait's is: `prepare` may allocate,
/// everything else must not allocate, lock, block or panic.
pub trait Processor {
    /// Sizes internal buffers and derives sample-rate dependent constants. Leaves the processor
    /// reset. The spec must already be validated ([`ProcessSpec::validate`]).
    fn prepare(&mut self, spec: &ProcessSpec);

    /// Clears all signal history (filter states, envelopes, delay lines) as if freshly prepared.
    fn reset(&mut self);

    /// Processes one block in place. `channels` holds one slice per channel, all the same
    /// length; the length may be anything, including 0 or more than `max_block_size`.
    fn process(&mut self, channels: &mut [&mut [f32]]);

    /// The delay this processor adds, in samples, at its current settings.
    fn latency(&self) -> usize {
        0
    }
}
