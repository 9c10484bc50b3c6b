//! Lacquer's CLAP build in a real CLAP host (clack-host), loaded from the library cargo built.
//!
//! Tests that process audio run isolated: the plugin is built with `assert_process_allocs`, so
//! any allocation in `process()` aborts the child process and fails the test.

use lacquer_dsp::ChainParams;
use lacquer_dsp::params::{ParamKind, param_table};
use lacquer_tests::clap_host::{self, Host, ParamChange, RenderSpec};
use lacquer_tests::isolation::isolated;
use lacquer_tests::paths::plugin_library;
use lacquer_tests::reference::chain_render;
use lacquer_tests::signals::{assert_identical, max_difference, programme, rms};

const PLUGIN_ID: &str = "audio.lacquer.mastering";

/// The latency of the DSP chain with `params` at `rate`.
fn chain_latency(params: &ChainParams, rate: f64) -> usize {
    let mut chain = lacquer_dsp::MasterChain::new(params.clone());
    chain
        .prepare(&lacquer_dsp::ProcessSpec::stereo(rate, 512))
        .unwrap();
    chain.latency()
}

fn host() -> Host {
    let entry = clap_host::load(&plugin_library()).expect("load plugin library");
    Host::new(&entry, PLUGIN_ID).expect("instantiate Lacquer")
}

#[test]
fn clap_descriptor_ports_and_parameters_match_the_table() {
    let entry = clap_host::load(&plugin_library()).unwrap();
    let descriptors = clap_host::descriptors(&entry).unwrap();
    assert_eq!(descriptors.len(), 1);
    let descriptor = &descriptors[0];
    assert_eq!(descriptor.id, PLUGIN_ID);
    assert_eq!(descriptor.name, "Lacquer");
    for feature in ["audio-effect", "mastering", "stereo"] {
        assert!(
            descriptor.features.iter().any(|f| f == feature),
            "{feature}: {descriptor:?}"
        );
    }

    let mut host = Host::new(&entry, PLUGIN_ID).unwrap();
    assert_eq!(host.main_port_channels(), (2, 2));
    let params = host.params();
    assert_eq!(params.len(), param_table().len());
    for (info, spec) in params.iter().zip(param_table()) {
        assert_eq!(info.name, spec.name);
        assert_eq!(info.module, spec.group);
        let steps = match spec.kind {
            ParamKind::Float { .. } => 1.0,
            ParamKind::Choice(choices) => (choices.len() - 1) as f64,
            ParamKind::Toggle => 1.0,
        };
        assert_eq!((info.min, info.max), (0.0, steps), "{}", spec.id);
        // The host's text for the default is the table's, and parses back to the default.
        let text = host.value_to_text(info.id, info.default).unwrap();
        assert!(
            text.starts_with(
                spec.format(spec.default)
                    .trim_end_matches(spec.unit.suffix())
            ),
            "{text}"
        );
        let parsed = host
            .text_to_value(info.id, &spec.format(spec.default))
            .unwrap();
        assert!(
            (parsed - info.default).abs() < 1e-6,
            "{}: {parsed} vs {}",
            spec.id,
            info.default
        );
    }
}

#[test]
fn clap_renders_like_the_dsp_chain_at_every_rate_and_block_size() {
    isolated(
        "clap_renders_like_the_dsp_chain_at_every_rate_and_block_size",
        || {
            let input = programme(8_192, 11).to_vec();
            let mut host = host();
            for rate in [44_100.0, 48_000.0, 96_000.0, 192_000.0] {
                let defaults = ChainParams::default();
                let expected = chain_render(&defaults, &defaults, rate, &input);
                for block in [1, 64, 512, 4096] {
                    let rendered = host
                        .render(&RenderSpec::fixed(rate, block), &input, &[])
                        .unwrap();
                    assert_eq!(rendered.latency as usize, chain_latency(&defaults, rate));
                    assert_identical(
                        &rendered.channels,
                        &expected,
                        &format!("{rate} Hz, blocks of {block}"),
                    );
                }
            }
        },
    );
}

#[test]
fn clap_parameter_events_take_effect_in_the_audio() {
    isolated("clap_parameter_events_take_effect_in_the_audio", || {
        let mut host = host();
        let out_trim = host.param("Output Trim");
        let minus_12 = host.text_to_value(out_trim.id, "-12 dB").unwrap();
        // The limiter off, so only the trim changes the level.
        let limiter = host.param("Limiter");
        host.flush(&[(limiter.id, 0.0)]).unwrap();
        let input = programme(48_000, 12).to_vec();
        let change = ParamChange {
            id: out_trim.id,
            value: minus_12,
            frame: 24_000,
        };
        let rendered = host
            .render(&RenderSpec::fixed(48_000.0, 512), &input, &[change])
            .unwrap();
        let before = rms(&rendered.channels[0][4_800..23_000]) / rms(&input[0][4_800..23_000]);
        let after = rms(&rendered.channels[0][26_000..]) / rms(&input[0][26_000..]);
        assert!((20.0 * before.log10()).abs() < 0.1, "before: {before}");
        assert!((20.0 * after.log10() + 12.0).abs() < 0.1, "after: {after}");
        assert!((host.value(out_trim.id).unwrap() - minus_12).abs() < 1e-6);
    });
}

#[test]
fn clap_neutral_settings_null_against_the_input() {
    isolated("clap_neutral_settings_null_against_the_input", || {
        let mut host = host();
        let (dc, limiter) = (host.param("DC Filter"), host.param("Limiter"));
        host.flush(&[(dc.id, 0.0), (limiter.id, 0.0)]).unwrap();
        let input = programme(48_000, 13).to_vec();
        let rendered = host
            .render(&RenderSpec::fixed(48_000.0, 256), &input, &[])
            .unwrap();
        let latency = rendered.latency as usize;
        for (out, inp) in rendered.channels.iter().zip(&input) {
            let error = max_difference(&out[latency..], inp);
            assert!(error <= 1e-6, "neutral chain differs by {error}");
        }
    });
}

#[test]
fn clap_state_round_trips_into_a_new_instance() {
    isolated("clap_state_round_trips_into_a_new_instance", || {
        let mut original = host();
        let (trim, dc) = (original.param("Output Trim"), original.param("DC Filter"));
        let minus_3 = original.text_to_value(trim.id, "-3 dB").unwrap();
        original.flush(&[(trim.id, minus_3), (dc.id, 0.0)]).unwrap();
        let state = original.save_state().unwrap();

        let mut restored = host();
        restored.load_state(&state).unwrap();
        assert!((restored.value(trim.id).unwrap() - minus_3).abs() < 1e-6);
        assert_eq!(restored.value(dc.id), Some(0.0));
        assert!(
            restored.params_rescans() >= 1,
            "host asked to rescan values"
        );

        let input = programme(9_600, 14).to_vec();
        let spec = RenderSpec::fixed(48_000.0, 512);
        let a = original.render(&spec, &input, &[]).unwrap();
        let b = restored.render(&spec, &input, &[]).unwrap();
        assert_identical(&a.channels, &b.channels, "restored instance");
    });
}

#[test]
fn clap_process_never_allocates_through_changes_resets_and_reactivation() {
    isolated(
        "clap_process_never_allocates_through_changes_resets_and_reactivation",
        || {
            let mut host = host();
            let params = host.params();
            // 4.5 s at 44.1 kHz: long enough for every meter path (short-term, loudness range).
            let input = programme(200_000, 15).to_vec();
            // Every parameter moves every 97 frames, cycling through its range.
            let changes: Vec<ParamChange> = (0..200)
                .flat_map(|step| {
                    params.iter().enumerate().map(move |(i, p)| ParamChange {
                        id: p.id,
                        value: p.min + (p.max - p.min) * (((step + i) % 5) as f64 / 4.0),
                        frame: step * 97,
                    })
                })
                .collect();
            for rate in [44_100.0, 192_000.0] {
                let spec = RenderSpec {
                    sample_rate: rate,
                    max_block: 4096,
                    blocks: vec![1, 64, 4096, 333, 512, 7],
                    resets_at: vec![3_000, 11_000, 150_000],
                };
                let rendered = host.render(&spec, &input, &changes).unwrap();
                assert!(rendered.channels.iter().flatten().all(|x| x.is_finite()));
                let state = host.save_state().unwrap();
                host.load_state(&state).unwrap();
            }
        },
    );
}

/// Host parameter changes that set every parameter a preset moves away from the defaults.
fn preset_changes(
    host: &mut Host,
    settings: &ChainParams,
) -> Vec<(clack_host::prelude::ClapId, f64)> {
    let defaults = ChainParams::default();
    param_table()
        .iter()
        .filter(|spec| settings.get(spec.key) != defaults.get(spec.key))
        .map(|spec| {
            let info = host.param(&spec.name);
            let text = spec.format(settings.get(spec.key));
            let value = host.text_to_value(info.id, &text).expect(&text);
            (info.id, value)
        })
        .collect()
}

#[test]
fn clap_renders_every_factory_preset_like_the_cli_render() {
    isolated(
        "clap_renders_every_factory_preset_like_the_cli_render",
        || {
            let input = programme(24_000, 31).to_vec();
            for preset in lacquer_dsp::preset::factory_presets() {
                let mut settings = ChainParams::default();
                preset.apply(&mut settings, true);
                let mut host = host();
                let changes = preset_changes(&mut host, &settings);
                host.flush(&changes).unwrap();
                let rendered = host
                    .render(&RenderSpec::fixed(48_000.0, 256), &input, &[])
                    .unwrap();
                let latency = rendered.latency as usize;
                assert_eq!(
                    latency,
                    chain_latency(&settings, 48_000.0),
                    "{}",
                    preset.name
                );
                // `lacquer render --preset` renders through this function (cli tests prove it).
                let audio = lacquer_cli::audio_file::Audio {
                    sample_rate: 48_000,
                    channels: input.clone(),
                    format: lacquer_cli::audio_file::SampleFormat::Float32,
                };
                let cli = lacquer_cli::render::render(&audio, &settings).unwrap();
                let host_aligned: Vec<Vec<f32>> = rendered
                    .channels
                    .iter()
                    .map(|c| c[latency..].to_vec())
                    .collect();
                let cli_head: Vec<Vec<f32>> = cli
                    .iter()
                    .map(|c| c[..c.len() - latency].to_vec())
                    .collect();
                assert_identical(&host_aligned, &cli_head, &preset.name);
            }
        },
    );
}

#[test]
fn clap_reports_the_live_mode_latency_and_survives_corrupt_state() {
    isolated(
        "clap_reports_the_live_mode_latency_and_survives_corrupt_state",
        || {
            let mut host = host();
            let mode = host.param("Latency Mode");
            let live = host.text_to_value(mode.id, "Live").unwrap();
            let phase = host.param("EQ Phase");
            let linear = host.text_to_value(phase.id, "Linear Phase").unwrap();
            host.flush(&[(phase.id, linear)]).unwrap();
            let input = programme(4_096, 32).to_vec();
            let spec = RenderSpec::fixed(48_000.0, 512);
            let master = host.render(&spec, &input, &[]).unwrap().latency;
            host.flush(&[(mode.id, live)]).unwrap();
            let live_latency = host.render(&spec, &input, &[]).unwrap().latency;
            let mut expected = ChainParams::default();
            expected.set_from_text("latency_mode", "Live").unwrap();
            assert!(master > 9_000, "linear-phase EQ in Master mode: {master}");
            assert_eq!(live_latency as usize, chain_latency(&expected, 48_000.0));

            // Garbage is refused as a whole; the instance keeps working at its settings.
            assert!(host.load_state(b"\x28\xb5\x2f\xfd garbage").is_err());
            let after = host.render(&spec, &input, &[]).unwrap();
            assert_eq!(after.latency, live_latency);
            assert!(after.channels.iter().flatten().all(|x| x.is_finite()));
        },
    );
}
