//! The chain as a product: global bypass, latency modes, loudness targets, Learn, the platform
//! preview and the factory presets, measured on programme material.

use lacquer_dsp::meter::Meter;
use lacquer_dsp::preset::factory_presets;
use lacquer_dsp::{ChainParams, MasterChain, ProcessSpec};
use lacquer_tests::exact_true_peak::exact_true_peak_dbtp;
use lacquer_tests::signals::programme_material;

const RATE: f64 = 48_000.0;
const BLOCK: usize = 512;

fn params(settings: &[(&str, &str)]) -> ChainParams {
    let mut params = ChainParams::default();
    for (id, text) in settings {
        params.set_from_text(id, text).unwrap();
    }
    params
}

fn prepared(params: &ChainParams) -> MasterChain {
    let mut chain = MasterChain::new(params.clone());
    chain.prepare(&ProcessSpec::stereo(RATE, BLOCK)).unwrap();
    chain
}

/// Processes `input` block by block, calling `before_block(chain, frame)` first.
fn render_with(
    chain: &mut MasterChain,
    input: &[Vec<f32>; 2],
    mut before_block: impl FnMut(&mut MasterChain, usize),
) -> [Vec<f32>; 2] {
    let mut output = input.clone();
    let [left, right] = &mut output;
    for (n, (l, r)) in left
        .chunks_mut(BLOCK)
        .zip(right.chunks_mut(BLOCK))
        .enumerate()
    {
        before_block(chain, n * BLOCK);
        chain.process(&mut [l, r]);
    }
    output
}

fn render(chain: &mut MasterChain, input: &[Vec<f32>; 2]) -> [Vec<f32>; 2] {
    render_with(chain, input, |_, _| {})
}

fn integrated_lufs(signal: &[Vec<f32>]) -> f64 {
    let mut meter = Meter::default();
    meter.prepare(&ProcessSpec::stereo(RATE, signal[0].len()));
    meter.process(signal);
    meter.readings().loudness.integrated_lufs.unwrap()
}

fn true_peak(signal: &[Vec<f32>]) -> f64 {
    signal
        .iter()
        .map(|c| exact_true_peak_dbtp(c, 16))
        .fold(f64::NEG_INFINITY, f64::max)
}

fn loud_settings() -> ChainParams {
    params(&[
        ("eq3_on", "on"),
        ("eq3_gain", "2"),
        ("glue_on", "on"),
        ("glue_thresh", "-24"),
        ("eq_phase", "Linear Phase"),
        ("lim_drive", "10"),
    ])
}

#[test]
fn global_bypass_gives_the_input_at_the_same_latency_and_switches_without_clicks() {
    let input = programme_material(RATE, 6.0, 3);
    let mut settings = loud_settings();
    let mut chain = prepared(&settings);
    let latency = chain.latency();
    settings.bypass = true;
    let switch_at = 3 * RATE as usize / BLOCK * BLOCK;
    let output = render_with(&mut chain, &input, |chain, frame| {
        if frame == switch_at {
            chain.set_params(&settings);
        }
    });
    assert_eq!(chain.latency(), latency, "bypass keeps the latency");
    // 10 ms after the switch the output is the input, delayed by the latency, bit for bit.
    let settled = switch_at + 480;
    // (The chain flushes subnormal input to zero, the bypass path included.)
    let flushed = |x: f32| if x.abs() < f32::MIN_POSITIVE { 0.0 } else { x };
    for c in 0..2 {
        for n in settled..input[c].len() {
            let expected = flushed(input[c][n - latency]);
            assert_eq!(output[c][n], expected, "channel {c} frame {n}");
        }
    }
    // The crossfade: no step larger than the programme's own around the switch.
    let step = |x: &[f32], range: std::ops::Range<usize>| {
        range
            .map(|n| (x[n] - x[n - 1]).abs())
            .fold(0.0f32, f32::max)
    };
    let around = switch_at - 2_000..switch_at + 2_000;
    let largest_programme_step = step(&output[0], switch_at - 40_000..switch_at - 2_000)
        .max(step(&output[0], settled + 2_000..settled + 40_000));
    let switch_step = step(&output[0], around);
    eprintln!("largest step at the switch {switch_step:.4}, elsewhere {largest_programme_step:.4}");
    assert!(switch_step <= largest_programme_step * 1.1);
}

#[test]
fn gain_matched_bypass_plays_the_input_at_the_output_loudness() {
    let input = programme_material(RATE, 16.0, 5);
    let mut settings = loud_settings();
    settings.bypass_gain_match = true;
    let mut chain = prepared(&settings);
    let half = 8 * RATE as usize / BLOCK * BLOCK;
    let output = render_with(&mut chain, &input, |chain, frame| {
        if frame == half {
            settings.bypass = true;
            chain.set_params(&settings);
        }
    });
    let processed = integrated_lufs(&[output[0][..half].to_vec(), output[1][..half].to_vec()]);
    let skip = half + RATE as usize / 10;
    let bypassed = integrated_lufs(&[output[0][skip..].to_vec(), output[1][skip..].to_vec()]);
    // The bypassed audio is the input delayed by the latency.
    let latency = chain.latency();
    let end = input[0].len() - latency;
    let source = integrated_lufs(&[
        input[0][skip - latency..end].to_vec(),
        input[1][skip - latency..end].to_vec(),
    ]);
    eprintln!(
        "processed {processed:.2} LUFS, gain-matched bypass {bypassed:.2} LUFS, input {source:.2}"
    );
    // Lifted by what the chain added over the first half (the meters' integrated loudness).
    let first_half = integrated_lufs(&[input[0][..half].to_vec(), input[1][..half].to_vec()]);
    let expected = source + (processed - first_half);
    assert!(
        (bypassed - expected).abs() < 0.1,
        "bypass at {bypassed:.2} LUFS, expected {expected:.2}"
    );
}

#[test]
fn live_mode_runs_at_the_lowest_latency_and_reports_it() {
    let mut master = loud_settings();
    master.set_from_text("mb_on", "on").unwrap();
    master
        .set_from_text("mb_xover_type", "Linear Phase")
        .unwrap();
    master.set_from_text("mb_lookahead", "5").unwrap();
    master.set_from_text("lim_lookahead", "5").unwrap();
    let mut live = master.clone();
    live.set_from_text("latency_mode", "Live").unwrap();
    let master_latency = prepared(&master).latency();
    let live_latency = prepared(&live).latency();
    let limiter_only =
        prepared(&params(&[("lim_lookahead", "0.5"), ("dc_filter", "off")])).latency();
    eprintln!(
        "latency at 48 kHz: master {master_latency} samples, live {live_latency} ({:.2} ms)",
        live_latency as f64 / 48.0
    );
    assert!(master_latency > 10_000);
    assert_eq!(live_latency, limiter_only);
    // The reported latency is the real one: an impulse below the ceiling comes out there.
    let mut chain = prepared(&params(&[("latency_mode", "Live"), ("dc_filter", "off")]));
    let mut impulse = [vec![0.0f32; 4096], vec![0.0f32; 4096]];
    impulse[0][100] = 0.5;
    let out = render(&mut chain, &impulse);
    let peak = (0..4096)
        .max_by(|&a, &b| out[0][a].abs().total_cmp(&out[0][b].abs()))
        .unwrap();
    assert_eq!(peak, 100 + chain.latency());
}

#[test]
fn a_platform_target_sets_the_ceiling_and_the_readout_measures_against_it() {
    let input = programme_material(RATE, 12.0, 7);
    let settings = params(&[("target", "Amazon Music"), ("lim_drive", "12")]);
    let mut chain = prepared(&settings);
    let output = render(&mut chain, &input);
    let peak = true_peak(&output);
    let readings = chain.readings();
    let lufs = readings.output.loudness.integrated_lufs.unwrap();
    eprintln!(
        "Amazon: output {lufs:.2} LUFS, true peak {peak:.3} dBTP, distance {:?}",
        readings.target.distance_lu
    );
    assert!(peak <= -2.0 + 0.005, "ceiling -2 dBTP, got {peak:.3}");
    assert_eq!(readings.target.target_lufs, -14.0);
    assert!((readings.target.distance_lu.unwrap() - (lufs + 14.0)).abs() < 1e-9);
    assert!(readings.target.true_peak_complies);

    let spotify_loud = params(&[("target", "Spotify"), ("lim_drive", "14")]);
    let mut chain = prepared(&spotify_loud);
    render(&mut chain, &input);
    let target = chain.readings().target;
    assert!(target.distance_lu.unwrap() > 0.0, "louder than -14 LUFS");
    assert_eq!(target.allowed_true_peak_dbtp, -2.0);
    assert!(
        !target.true_peak_complies,
        "a -1 dBTP ceiling is too hot above -14 LUFS"
    );
}

#[test]
fn learn_proposes_the_drive_that_reaches_the_target_within_half_a_lu() {
    for (seed, target) in [(11, "-14"), (12, "-9"), (13, "-16")] {
        let input = programme_material(RATE, 20.0, seed);
        let mut settings = params(&[("target_lufs", target), ("glue_on", "on")]);
        let mut chain = prepared(&settings);
        chain.start_learning();
        render(&mut chain, &input);
        chain.stop_learning();
        let proposal = chain.readings().learn.proposal.expect("a proposal");
        assert!(proposal.reaches_target, "{proposal:?}");
        settings.limiter.drive_db = proposal.drive_db;
        let output = render(&mut prepared(&settings), &input);
        let reached = integrated_lufs(&output);
        eprintln!(
            "target {target} LUFS: proposed drive {:.2} dB, rendered {reached:.2} LUFS",
            proposal.drive_db
        );
        assert!((reached - settings.target_lufs).abs() <= 0.5);
    }
}

#[test]
fn platform_preview_plays_the_normalised_level_only_while_monitoring() {
    let input = programme_material(RATE, 12.0, 17);
    let settings = params(&[
        ("target", "Spotify"),
        ("lim_drive", "14"),
        ("preview", "on"),
    ]);
    let rendered = render(&mut prepared(&settings), &input);
    let mut live = prepared(&settings);
    live.set_monitoring(true);
    let monitored = render(&mut live, &input);
    let readings = live.readings();
    let gain_db = readings.preview_gain_db.unwrap();
    let lufs = readings.output.loudness.integrated_lufs.unwrap();
    eprintln!("output {lufs:.2} LUFS, preview gain {gain_db:.2} dB");
    assert!((gain_db - (-14.0 - lufs)).abs() < 0.3, "turned down to -14");
    // The meters measure the master, not the preview; the preview is after them.
    let tail = input[0].len() - 48_000..input[0].len();
    let level = |x: &[f32]| x[tail.clone()].iter().map(|v| v * v).sum::<f32>();
    let measured = 10.0 * (level(&monitored[0]) / level(&rendered[0])).log10();
    assert!((f64::from(measured) - gain_db).abs() < 0.2);
    let mut without = settings.clone();
    without.platform_preview = false;
    let plain = render(&mut prepared(&without), &input);
    assert_eq!(rendered, plain, "renders never carry the preview");
}

#[test]
fn every_factory_preset_holds_its_ceiling_with_constant_latency() {
    let input = programme_material(RATE, 10.0, 23);
    for preset in factory_presets() {
        let mut settings = ChainParams::default();
        preset.apply(&mut settings, false);
        let mut chain = prepared(&settings);
        let latency = chain.latency();
        let mut latencies_stay = true;
        let output = render_with(&mut chain, &input, |chain, _| {
            latencies_stay &= chain.latency() == latency;
        });
        let ceiling = settings.target_spec().max_true_peak_dbtp;
        let peak = true_peak(&output);
        let lufs = integrated_lufs(&output);
        eprintln!(
            "{}: {lufs:.2} LUFS, true peak {peak:.3} dBTP (ceiling {ceiling}), latency {latency}",
            preset.name
        );
        assert!(output.iter().flatten().all(|x| x.is_finite()));
        assert!(latencies_stay, "{}", preset.name);
        assert!(peak <= ceiling + 0.005, "{}: {peak:.3} dBTP", preset.name);
    }
}
