//! Working through host blocks longer than a processor's scratch buffers.

/// Calls `f` on consecutive slices of at most `max_frames` frames, covering the whole block.
///
/// Handles up to two channels without allocating (a third and further channel is left out of the
/// slices: the chain is mono or stereo). Channel slices of unequal length are cut to the shortest.
pub fn for_each_slice(
    channels: &mut [&mut [f32]],
    max_frames: usize,
    mut f: impl FnMut(&mut [&mut [f32]]),
) {
    let frames = channels.iter().map(|c| c.len()).min().unwrap_or(0);
    let max_frames = max_frames.max(1);
    let mut start = 0;
    while start < frames {
        let end = (start + max_frames).min(frames);
        match channels {
            [] => return,
            [mono] => f(&mut [&mut mono[start..end]]),
            [left, right, ..] => f(&mut [&mut left[start..end], &mut right[start..end]]),
        }
        start = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_cover_the_block_in_order_within_the_limit() {
        let mut left: Vec<f32> = (0..10).map(|i| i as f32).collect();
        let mut right = left.clone();
        let mut seen = Vec::new();
        for_each_slice(&mut [&mut left, &mut right], 4, |slice| {
            assert_eq!(slice.len(), 2);
            assert!(slice[0].len() <= 4);
            seen.extend_from_slice(slice[1]);
            slice[0].iter_mut().for_each(|x| *x = -*x);
        });
        assert_eq!(seen, right);
        assert_eq!(left[9], -9.0);
    }
}
