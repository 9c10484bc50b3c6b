//! Lacquer's VST3 build in a real VST3 host: pedalboard, from Python.

use lacquer_dsp::params::{ParamKind, param_table};
use lacquer_dsp::{ChainParams, MasterChain, ProcessSpec};
use lacquer_tests::signals::{assert_identical, programme};
use lacquer_tests::vst3_host::{bundle_in, read_planar, run_script, write_planar};

const RATE: f64 = 48_000.0;

/// The DSP chain prepared with `prepared`, then switched to `params` for the first block (as a
/// host does when it sends parameter changes with the first process call).
fn dsp_render(prepared: &ChainParams, params: &ChainParams, input: &[Vec<f32>]) -> Vec<Vec<f32>> {
    let mut chain = MasterChain::new(prepared.clone());
    chain.prepare(&ProcessSpec::stereo(RATE, 4096)).unwrap();
    chain.set_params(params);
    let mut output = input.to_vec();
    let (left, right) = output.split_at_mut(1);
    chain.process(&mut [&mut left[0], &mut right[0]]);
    output
}

#[test]
fn vst3_in_pedalboard_matches_the_table_renders_like_the_chain_and_restores_state() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = bundle_in(dir.path());
    let input = programme(24_000, 21).to_vec();
    let input_path = dir.path().join("input.f32");
    write_planar(&input_path, &input);
    run_script(
        "vst3_host.py",
        &[
            bundle.to_str().unwrap(),
            input_path.to_str().unwrap(),
            &RATE.to_string(),
            dir.path().to_str().unwrap(),
        ],
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("report.json")).unwrap())
            .unwrap();

    // Parameters: names, ranges and default text as the table defines them.
    let params = report["params"].as_array().unwrap();
    assert_eq!(params.len(), param_table().len());
    for (param, spec) in params.iter().zip(param_table()) {
        assert_eq!(param["name"], spec.name.as_str());
        if let ParamKind::Float { min, max, .. } = spec.kind {
            assert_eq!(param["min"].as_f64(), Some(min), "{}", spec.id);
            assert_eq!(param["max"].as_f64(), Some(max), "{}", spec.id);
        }
        let default_text = param["default_text"].as_str().unwrap();
        assert!(
            spec.format(spec.default).starts_with(default_text.trim()),
            "{default_text}"
        );
    }
    assert_eq!(report["latency"].as_u64(), Some(0));

    // Audio: identical to the DSP chain with the same settings. pedalboard sends parameter
    // changes with the first process call, so the chain glides into them (20 ms trim ramp, 10 ms
    // DC-filter crossfade); a restored state is in place before activation, so no glide.
    let default = read_planar(&dir.path().join("default.f32"), 2);
    assert_identical(
        &default,
        &dsp_render(&ChainParams::default(), &ChainParams::default(), &input),
        "default render",
    );
    let mut changed_params = ChainParams::default();
    changed_params.output_trim_db = -6.0;
    changed_params.dc_filter = false;
    let changed = read_planar(&dir.path().join("changed.f32"), 2);
    let glide = dsp_render(&ChainParams::default(), &changed_params, &input);
    assert_identical(&changed, &glide, "changed render");

    // State: a second instance restored from the first renders the same.
    assert_eq!(
        report["restored_values"]["output_trim_db"].as_f64(),
        Some(-6.0)
    );
    assert_eq!(
        report["restored_values"]["dc_filter"].as_bool(),
        Some(false)
    );
    let restored = read_planar(&dir.path().join("restored.f32"), 2);
    let settled = dsp_render(&changed_params, &changed_params, &input);
    assert_identical(&restored, &settled, "restored render");
}
