//! The FIR loops the hot paths share (band split, true-peak screen), written once and compiled
//! twice on x86-64: for the baseline (SSE2) and for AVX2 with fused multiply-adds, chosen at run
//! time. Within a machine results do not depend on block lengths (each output's sum is formed
//! the same way in the blocked part and the tail); between the two versions they differ by the
//! fused operations' rounding.

/// Outputs computed together, their sums kept in registers across all taps: four vectors'
/// worth, so four independent addition chains hide the adder's latency. Shorter rows finish in
/// single vectors, then one by one.
const WIDE: usize = 64;
const LANES: usize = 8;

/// `out[i] = first[i] + Σ_k taps[k] · (x[lo - k + i] + x[hi + k + i])`: a symmetric FIR as
/// pairs of samples around a centre (`lo` and `hi` the innermost pair), added to `first` (a
/// centre tap's product) if given.
pub fn symmetric(
    out: &mut [f32],
    first: Option<&[f32]>,
    x: &[f32],
    lo: usize,
    hi: usize,
    taps: &[f32],
) {
    #[cfg(target_arch = "x86_64")]
    if has_avx2_fma() {
        // SAFETY: the CPU has AVX2 and FMA (checked just above).
        return unsafe { symmetric_avx2(out, first, x, lo, hi, taps) };
    }
    symmetric_body::<false>(out, first, x, lo, hi, taps);
}

/// `out[i] = Σ_m ca[m] · a[m + i] + cb[m] · b[m + i]`: two interleaved FIRs over two rows.
pub fn dual(out: &mut [f32], a: &[f32], ca: &[f32], b: &[f32], cb: &[f32]) {
    #[cfg(target_arch = "x86_64")]
    if has_avx2_fma() {
        // SAFETY: the CPU has AVX2 and FMA (checked just above).
        return unsafe { dual_avx2(out, a, ca, b, cb) };
    }
    dual_body::<false>(out, a, ca, b, cb);
}

/// `Σ a[i] · b[i]` over the shorter of the two.
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    #[cfg(target_arch = "x86_64")]
    if has_avx2_fma() {
        // SAFETY: the CPU has AVX2 and FMA (checked just above).
        return unsafe { dot_avx2(a, b) };
    }
    dot_body::<false>(a, b)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn dot_avx2(a: &[f32], b: &[f32]) -> f32 {
    dot_body::<true>(a, b)
}

/// Sixteen independent lanes (two vectors' worth, so two addition chains), then the rest.
#[inline(always)]
fn dot_body<const FUSED: bool>(a: &[f32], b: &[f32]) -> f32 {
    const DOT_LANES: usize = 16;
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut lanes = [0.0f32; DOT_LANES];
    let (a_chunks, b_chunks) = (a.chunks_exact(DOT_LANES), b.chunks_exact(DOT_LANES));
    let tail = a_chunks
        .remainder()
        .iter()
        .zip(b_chunks.remainder())
        .fold(0.0, |sum, (&x, &y)| multiply_add::<FUSED>(sum, x, y));
    for (x, y) in a_chunks.zip(b_chunks) {
        for i in 0..DOT_LANES {
            lanes[i] = multiply_add::<FUSED>(lanes[i], x[i], y[i]);
        }
    }
    // Pairwise, so the reduction is short too.
    let mut width = DOT_LANES;
    while width > 1 {
        width /= 2;
        for i in 0..width {
            lanes[i] += lanes[i + width];
        }
    }
    lanes[0] + tail
}

#[cfg(target_arch = "x86_64")]
/// Whether the CPU runs the AVX2/FMA kernels (checked once per call; the check is cached by std).
pub(crate) fn has_avx2_fma() -> bool {
    std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn symmetric_avx2(
    out: &mut [f32],
    first: Option<&[f32]>,
    x: &[f32],
    lo: usize,
    hi: usize,
    taps: &[f32],
) {
    symmetric_body::<true>(out, first, x, lo, hi, taps);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn dual_avx2(out: &mut [f32], a: &[f32], ca: &[f32], b: &[f32], cb: &[f32]) {
    dual_body::<true>(out, a, ca, b, cb);
}

/// `sum + a · b`, fused where `FUSED` (only on CPUs with FMA: elsewhere it would be a slow
/// library call).
#[inline(always)]
fn multiply_add<const FUSED: bool>(sum: f32, a: f32, b: f32) -> f32 {
    if FUSED {
        a.mul_add(b, sum)
    } else {
        sum + a * b
    }
}

#[inline(always)]
fn symmetric_body<const FUSED: bool>(
    out: &mut [f32],
    first: Option<&[f32]>,
    x: &[f32],
    lo: usize,
    hi: usize,
    taps: &[f32],
) {
    let n = out.len();
    let mut i = 0;
    while i + WIDE <= n {
        symmetric_block::<WIDE, FUSED>(
            &mut out[i..i + WIDE],
            first.map(|f| &f[i..i + WIDE]),
            x,
            lo + i,
            hi + i,
            taps,
        );
        i += WIDE;
    }
    while i + LANES <= n {
        symmetric_block::<LANES, FUSED>(
            &mut out[i..i + LANES],
            first.map(|f| &f[i..i + LANES]),
            x,
            lo + i,
            hi + i,
            taps,
        );
        i += LANES;
    }
    while i < n {
        symmetric_block::<1, FUSED>(
            &mut out[i..=i],
            first.map(|f| &f[i..=i]),
            x,
            lo + i,
            hi + i,
            taps,
        );
        i += 1;
    }
}

/// `W` outputs of [`symmetric`], each summed over the taps in order.
#[inline(always)]
fn symmetric_block<const W: usize, const FUSED: bool>(
    out: &mut [f32],
    first: Option<&[f32]>,
    x: &[f32],
    lo: usize,
    hi: usize,
    taps: &[f32],
) {
    let mut sums = [0.0f32; W];
    if let Some(first) = first {
        sums.copy_from_slice(first);
    }
    for (k, &c) in taps.iter().enumerate() {
        let older: &[f32; W] = x[lo - k..lo - k + W].try_into().expect("block");
        let newer: &[f32; W] = x[hi + k..hi + k + W].try_into().expect("block");
        for l in 0..W {
            sums[l] = multiply_add::<FUSED>(sums[l], c, older[l] + newer[l]);
        }
    }
    out.copy_from_slice(&sums);
}

#[inline(always)]
fn dual_body<const FUSED: bool>(out: &mut [f32], a: &[f32], ca: &[f32], b: &[f32], cb: &[f32]) {
    let n = out.len();
    let mut i = 0;
    while i + WIDE <= n {
        dual_block::<WIDE, FUSED>(&mut out[i..i + WIDE], &a[i..], ca, &b[i..], cb);
        i += WIDE;
    }
    while i + LANES <= n {
        dual_block::<LANES, FUSED>(&mut out[i..i + LANES], &a[i..], ca, &b[i..], cb);
        i += LANES;
    }
    while i < n {
        dual_block::<1, FUSED>(&mut out[i..=i], &a[i..], ca, &b[i..], cb);
        i += 1;
    }
}

/// `W` outputs of [`dual`], each summed over the taps in order.
#[inline(always)]
fn dual_block<const W: usize, const FUSED: bool>(
    out: &mut [f32],
    a: &[f32],
    ca: &[f32],
    b: &[f32],
    cb: &[f32],
) {
    let mut sums = [0.0f32; W];
    for (m, (&wa, &wb)) in ca.iter().zip(cb).enumerate() {
        let ra: &[f32; W] = a[m..m + W].try_into().expect("block");
        let rb: &[f32; W] = b[m..m + W].try_into().expect("block");
        for l in 0..W {
            sums[l] = multiply_add::<FUSED>(multiply_add::<FUSED>(sums[l], wa, ra[l]), wb, rb[l]);
        }
    }
    out.copy_from_slice(&sums);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signal(len: usize) -> Vec<f32> {
        (0..len)
            .map(|n| ((n * 7919 % 1009) as f32 / 504.5) - 1.0)
            .collect()
    }

    #[test]
    fn symmetric_matches_its_definition_for_every_length() {
        let x = signal(200);
        let taps = [0.5, -0.25, 0.125, 0.0625];
        for n in [0, 1, 7, 8, 9, 33, 64] {
            let first: Vec<f32> = (0..n).map(|i| x[i + 50] * 0.3).collect();
            let mut out = vec![0.0; n];
            symmetric(&mut out, Some(&first), &x, 40, 42, &taps);
            for i in 0..n {
                let mut want = first[i];
                for (k, &c) in taps.iter().enumerate() {
                    want += c * (x[40 - k + i] + x[42 + k + i]);
                }
                assert!((out[i] - want).abs() < 1e-6, "length {n}, sample {i}");
            }
        }
    }

    #[test]
    fn dual_matches_its_definition_for_every_length() {
        let (a, b) = (signal(100), signal(130));
        let (ca, cb) = ([0.1, 0.2, 0.3], [-0.3, 0.5, 0.25]);
        for n in [1, 8, 13, 64] {
            let mut out = vec![0.0; n];
            dual(&mut out, &a[5..], &ca, &b[20..], &cb);
            for i in 0..n {
                let mut want = 0.0;
                for m in 0..3 {
                    want += ca[m] * a[5 + m + i] + cb[m] * b[20 + m + i];
                }
                assert!((out[i] - want).abs() < 1e-6, "length {n}, sample {i}");
            }
        }
    }

    #[test]
    fn dot_matches_its_definition() {
        let (a, b) = (signal(77), signal(90));
        for n in [0, 5, 16, 56, 77] {
            let want: f32 = a[..n].iter().zip(&b).map(|(x, y)| x * y).sum();
            assert!((dot(&a[..n], &b) - want).abs() < 1e-5, "{n}");
        }
    }

    #[test]
    fn results_do_not_depend_on_the_block_length() {
        let x = signal(400);
        let taps: Vec<f32> = (0..24).map(|k| 0.3 / (k as f32 + 1.0)).collect();
        let mut whole = vec![0.0; 300];
        symmetric(&mut whole, None, &x, 30, 31, &taps);
        for split in [1, 5, 8, 31, 33, 100] {
            let mut parts = vec![0.0; 300];
            let (head, tail) = parts.split_at_mut(split);
            symmetric(head, None, &x, 30, 31, &taps);
            symmetric(tail, None, &x, 30 + split, 31 + split, &taps);
            assert_eq!(parts, whole, "split at {split}");
        }
    }
}
