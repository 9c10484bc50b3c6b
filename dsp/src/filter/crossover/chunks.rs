//! Block-size independence: processors walk their blocks in chunks aligned to the bank's glide
//! steps, and the bank writes each chunk's bands into fixed rows.

use super::{CROSSOVER_CHUNK, MAX_BANDS};

/// One chunk of bands for one channel.
pub type BandRows = [[f32; CROSSOVER_CHUNK]; MAX_BANDS];

/// Runs `f` over consecutive chunks of the block, each ending at a multiple of
/// [`CROSSOVER_CHUNK`] frames counted by `position` (so chunks line up with the glide steps
/// whatever the host's block sizes). `f` gets the chunk and whether it starts a step.
pub fn for_each_chunk(
    channels: &mut [&mut [f32]],
    position: &mut usize,
    mut f: impl FnMut(&mut [&mut [f32]], bool),
) {
    let frames = channels.iter().map(|c| c.len()).min().unwrap_or(0);
    let mut start = 0;
    while start < frames {
        let end = frames.min(start + CROSSOVER_CHUNK - *position);
        let starts_step = *position == 0;
        match channels {
            [] => return,
            [mono] => f(&mut [&mut mono[start..end]], starts_step),
            [left, right, ..] => f(
                &mut [&mut left[start..end], &mut right[start..end]],
                starts_step,
            ),
        }
        *position = (*position + end - start) % CROSSOVER_CHUNK;
        start = end;
    }
}
