use super::*;
use crate::ProcessSpec;
use crate::meter::Meter;

/// A mix-like programme: a kick every half second, noise hats, a chord whose level moves
/// over 4 s and a quieter bridge in the middle.
fn programme(rate: f64, seconds: f64) -> Vec<Vec<f32>> {
    let frames = (rate * seconds) as usize;
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut noise = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed >> 11) as f64 / (1u64 << 53) as f64 - 0.5
    };
    let mut channels = vec![Vec::with_capacity(frames), Vec::with_capacity(frames)];
    for n in 0..frames {
        let t = n as f64 / rate;
        let beat = t % 0.5;
        let kick = 0.9 * (-beat * 18.0).exp() * (std::f64::consts::TAU * 55.0 * beat).sin();
        let hat = 0.15 * (-(t % 0.25) * 60.0).exp() * noise();
        let swell = 0.55 + 0.45 * (std::f64::consts::TAU * t / 4.0).sin();
        let chord: f64 = [220.0, 277.2, 329.6]
            .iter()
            .map(|f| 0.12 * swell * (std::f64::consts::TAU * f * t).sin())
            .sum();
        let section = if (seconds * 0.4..seconds * 0.6).contains(&t) {
            0.3
        } else {
            1.0
        };
        let mono = section * (kick + chord);
        channels[0].push((mono + hat) as f32);
        channels[1].push((mono - hat) as f32);
    }
    channels
}

fn meter_integrated(channels: &[Vec<f32>], rate: f64) -> Option<f64> {
    let mut meter = Meter::default();
    meter.prepare(&ProcessSpec {
        sample_rate: rate,
        max_block_size: 1,
        channels: channels.len(),
    });
    meter.process(channels);
    meter.readings().loudness.integrated_lufs
}

#[test]
fn profile_reads_what_the_meter_reads() {
    for rate in [22_050.0, 44_100.0, 48_000.0, 96_000.0] {
        let audio = programme(rate, 12.0);
        let profile = LoudnessProfile::measure(&audio, rate);
        let ours = profile.integrated_lufs().unwrap();
        let meter = meter_integrated(&audio, rate).unwrap();
        assert!((ours - meter).abs() < 1e-6, "{rate}: {ours} vs {meter}");
        let mono = LoudnessProfile::measure(&audio[..1], rate).integrated_lufs();
        assert!((mono.unwrap() - meter_integrated(&audio[..1], rate).unwrap()).abs() < 1e-6);
    }
}

/// The profile, measured in sections side by side, against one filter per channel run from
/// the first frame to the last: every chunk's energy within 1e-12 of the largest, every peak
/// exact, for lengths with one, several and uneven sections, mono and stereo, at rates whose
/// chunk lengths repeat every 1, 4, 8 or 400 chunks.
#[test]
fn sections_measure_as_one_pass_does() {
    use crate::meter::kweighting::{KCoeffs, KFilterLanes};
    for rate in [48_000.0, 44_100.0, 22_050.0, 44_101.0] {
        for seconds in [0.3, 1.7, 3.3, 9.1] {
            let audio = programme(rate, seconds);
            for channels in [&audio[..1], &audio[..]] {
                let profile = LoudnessProfile::measure(channels, rate);
                let coeffs = KCoeffs::new(rate);
                let mut filters = [KFilterLanes::<1>::default(); 2];
                let mut start = 0;
                let largest = profile.energies.iter().fold(0.0f64, |a, &b| a.max(b));
                for (k, &frames) in profile.frames.iter().enumerate() {
                    let range = start..start + frames as usize;
                    let mut energy = 0.0;
                    let mut peak = 0.0f32;
                    for (channel, filter) in channels.iter().zip(&mut filters) {
                        for &x in &channel[range.clone()] {
                            let [y] = filter.tick(&coeffs, [f64::from(x)]);
                            energy += y * y;
                            peak = peak.max(x.abs());
                        }
                        filter.flush_denormals();
                    }
                    let case = format!("{rate} Hz, {seconds} s, {} ch, chunk {k}", channels.len());
                    assert!(
                        (profile.energies[k] - energy).abs() <= 1e-12 * largest,
                        "{case}"
                    );
                    assert_eq!(profile.peaks[k], peak, "{case}");
                    start = range.end;
                }
                assert_eq!(start, channels[0].len());
            }
        }
    }
}

#[test]
fn silence_and_short_blips_are_not_driven() {
    let silence = vec![vec![0.0f32; 48_000]; 2];
    assert_eq!(
        LoudnessProfile::measure(&silence, 48_000.0).integrated_lufs(),
        None
    );
    assert_eq!(gated_lufs([]), None);
    let blip = vec![vec![0.1f32; 9_600]; 2];
    let profile = LoudnessProfile::measure(&blip, 48_000.0);
    assert_eq!(
        profile.integrated_lufs(),
        None,
        "shorter than a gating block"
    );
    let spec = NormaliseSpec {
        target_lufs: -14.0,
        ceiling_dbtp: -1.0,
        release_ms: 80.0,
        max_drive_db: 24.0,
    };
    let mut drives = Vec::new();
    let outcome = normalise(&profile, &spec, |drive| {
        drives.push(drive);
        None
    });
    assert_eq!(drives, [0.0]);
    assert_eq!(
        (outcome.drive_db, outcome.trim_db, outcome.output_lufs),
        (0.0, 0.0, None)
    );
}

#[test]
fn below_the_ceiling_the_model_is_a_plain_gain() {
    let rate = 48_000.0;
    let mut audio = programme(rate, 8.0);
    audio.iter_mut().flatten().for_each(|x| *x *= 0.05);
    let profile = LoudnessProfile::measure(&audio, rate);
    let model = LimiterModel::new(&NormaliseSpec {
        target_lufs: -14.0,
        ceiling_dbtp: -1.0,
        release_ms: 80.0,
        max_drive_db: 24.0,
    });
    let unity = profile.integrated_lufs().unwrap();
    let driven = model.predict_lufs(&profile, 6.0).unwrap();
    assert!(
        (driven - unity - 6.0).abs() < 1e-9,
        "{driven} vs {unity} + 6"
    );
    // Far into the ceiling, loudness grows much more slowly than the drive.
    let full = LoudnessProfile::measure(&programme(rate, 8.0), rate);
    let (soft, hard) = (
        model.predict_lufs(&full, 0.0).unwrap(),
        model.predict_lufs(&full, 24.0).unwrap(),
    );
    assert!(hard - soft < 24.0 - 3.0, "{hard} vs {soft}");
}

/// A fake limiter whose loudness is the model's plus a fixed error: the search must reach the
/// target anyway, in as few renders as the error allows.
#[test]
fn a_model_error_is_corrected_after_one_render() {
    let rate = 48_000.0;
    let audio = programme(rate, 10.0);
    let profile = LoudnessProfile::measure(&audio, rate);
    let spec = NormaliseSpec {
        target_lufs: -10.0,
        ceiling_dbtp: -1.0,
        release_ms: 80.0,
        max_drive_db: 24.0,
    };
    let model = LimiterModel::new(&spec);
    for error_lu in [-1.0, -0.3, 0.0, 0.2, 1.0] {
        let outcome = normalise(&profile, &spec, |drive| {
            model.predict_lufs(&profile, drive).map(|l| l + error_lu)
        });
        let output = outcome.output_lufs.unwrap();
        assert!(output <= spec.target_lufs + 1e-9, "{error_lu}: {outcome:?}");
        assert!(
            output > spec.target_lufs - BELOW_TOLERANCE_LU,
            "{error_lu}: {outcome:?}"
        );
        assert!(outcome.renders <= 2, "{error_lu}: {outcome:?}");
        assert!(outcome.trim_db <= 0.0 && outcome.shortfall_lu.is_none());
    }
}

#[test]
fn loud_material_is_turned_down_and_quiet_peaks_stop_at_the_ceiling() {
    let rate = 44_100.0;
    let audio = programme(rate, 10.0);
    let profile = LoudnessProfile::measure(&audio, rate);
    let spec = |target_lufs| NormaliseSpec {
        target_lufs,
        ceiling_dbtp: -1.0,
        release_ms: 80.0,
        max_drive_db: 24.0,
    };
    let model = LimiterModel::new(&spec(0.0));
    let render = |drive| model.predict_lufs(&profile, drive);
    let undriven = model.predict_lufs(&profile, 0.0).unwrap();

    let quiet = normalise(&profile, &spec(undriven - 5.0), render);
    assert_eq!(quiet.drive_db, 0.0);
    assert!((quiet.trim_db + 5.0).abs() < 1e-9, "{quiet:?}");

    let impossible = normalise(&profile, &spec(0.0), render);
    assert_eq!(impossible.drive_db, 24.0);
    let short = impossible.shortfall_lu.unwrap();
    assert!(
        (short + impossible.output_lufs.unwrap() - 0.0).abs() < 1e-9,
        "{impossible:?}"
    );
}
