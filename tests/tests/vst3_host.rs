//! Lacquer's VST3 build in a real VST3 host: pedalboard, from Python.

use lacquer_tests::vst3_host::{assert_bundle_behaves, bundle_in};

#[test]
fn vst3_in_pedalboard_matches_the_table_renders_like_the_chain_and_restores_state() {
    let dir = tempfile::tempdir().unwrap();
    assert_bundle_behaves(&bundle_in(dir.path()));
}
