//! Whole-track sample buffers.
//!
//! Ten minutes of 48 kHz stereo are 230 MB of `f32`, and a track's decoded and resampled
//! copies took 114,000 page faults, one per 4 KiB page on its first write. Linux can map such
//! a buffer's pages in one call instead (`MADV_POPULATE_WRITE`, since 5.14): on the 10-minute
//! master, kernel time 0.42 -> 0.31 s. (Transparent huge pages cut the faults to 9,500 but
//! made the run 0.3 s slower: on this virtual machine, clearing fresh 2 MiB pages is slow.)

/// An empty channel with room for `frames` samples, its pages mapped in advance where the
/// system can.
pub fn channel_with_capacity(frames: usize) -> Vec<f32> {
    let channel = Vec::with_capacity(frames);
    populate(&channel);
    channel
}

/// A copy of `samples` with room for `spare` more, in a [`channel_with_capacity`].
pub fn channel_copy(samples: &[f32], spare: usize) -> Vec<f32> {
    let mut channel = channel_with_capacity(samples.len() + spare);
    channel.extend_from_slice(samples);
    channel
}

/// Asks the kernel to map the whole pages of `channel`'s allocation now, ready for writing.
/// Advice only: where it is refused (older kernels), the pages fault in one by one as before.
#[cfg(target_os = "linux")]
fn populate(channel: &Vec<f32>) {
    // SAFETY: sysconf only reads a system setting.
    let page = match unsafe { libc::sysconf(libc::_SC_PAGESIZE) } {
        size if size > 0 => size as usize,
        _ => return,
    };
    let start = channel.as_ptr() as usize;
    let end = start + channel.capacity() * size_of::<f32>();
    let (first, last) = (start.next_multiple_of(page), end / page * page);
    if last > first {
        // SAFETY: the range lies inside the allocation `channel` owns, and populating pages
        // for writing maps them without changing what the program sees in them.
        unsafe {
            libc::madvise(
                first as *mut libc::c_void,
                last - first,
                libc::MADV_POPULATE_WRITE,
            );
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn populate(_: &Vec<f32>) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_holds_the_samples_and_room_for_more() {
        let samples: Vec<f32> = (0..3_000_000).map(|n| n as f32).collect();
        let copy = channel_copy(&samples, 77);
        assert_eq!(copy, samples);
        assert!(copy.capacity() >= samples.len() + 77);
    }

    /// Resident memory of the mappings that overlap `range`, KiB (from `/proc/self/smaps`).
    #[cfg(target_os = "linux")]
    fn resident_kib_within(range: std::ops::Range<usize>) -> u64 {
        let smaps = std::fs::read_to_string("/proc/self/smaps").unwrap();
        let mut overlaps = false;
        let mut total = 0;
        for line in smaps.lines() {
            let head = line.split(' ').next().unwrap_or("");
            if let Some((from, to)) = head.split_once('-')
                && let (Ok(from), Ok(to)) = (
                    usize::from_str_radix(from, 16),
                    usize::from_str_radix(to, 16),
                )
            {
                overlaps = from < range.end && range.start < to;
            } else if let Some(kib) = line.strip_prefix("Rss:")
                && overlaps
            {
                total += kib
                    .trim()
                    .trim_end_matches("kB")
                    .trim()
                    .parse::<u64>()
                    .unwrap();
            }
        }
        total
    }

    /// A large channel is in memory before anything is written to it.
    #[cfg(target_os = "linux")]
    #[test]
    fn large_channels_are_mapped_in_advance() {
        let frames = 16 << 20;
        let channel = channel_with_capacity(frames);
        let start = channel.as_ptr() as usize;
        let resident = resident_kib_within(start..start + frames * size_of::<f32>());
        assert!(resident >= 64 << 10, "{resident} KiB resident of 64 MiB");
    }
}
