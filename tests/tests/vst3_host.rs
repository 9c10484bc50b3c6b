//! Lacquer's VST3 build in a real VST3 host: pedalboard, from Python.

use lacquer_tests::vst3_host::{assert_bundle_behaves, bundle_in, render_factory_presets};

#[test]
fn vst3_in_pedalboard_matches_the_table_renders_like_the_chain_and_restores_state() {
    let dir = tempfile::tempdir().unwrap();
    assert_bundle_behaves(&bundle_in(dir.path()));
}

/// Every factory preset rendered by the VST3 build in pedalboard equals `lacquer render`'s
/// output with that preset, and the host sees the preset's latency.
#[test]
fn vst3_renders_every_factory_preset_like_the_cli_render() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = bundle_in(dir.path());
    let input = lacquer_tests::signals::programme(24_000, 31).to_vec();
    for (preset, settings, latency, output) in render_factory_presets(&bundle, &input) {
        let mut chain = lacquer_dsp::MasterChain::new(settings.clone());
        chain
            .prepare(&lacquer_dsp::ProcessSpec::stereo(48_000.0, 512))
            .unwrap();
        assert_eq!(latency, chain.latency() as u64, "{}", preset.name);
        let audio = lacquer_cli::audio_file::Audio {
            sample_rate: 48_000,
            channels: input.clone(),
            format: lacquer_cli::audio_file::SampleFormat::Float32,
        };
        let cli = lacquer_cli::render::render(&audio, &settings).unwrap();
        lacquer_tests::signals::assert_identical(&output, &cli, &preset.name);
    }
}
