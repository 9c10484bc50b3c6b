//! Parameter ids are forever: saved sessions, presets and automation refer to them.

use lacquer_dsp::params::param_table;

/// The committed id list. Append new ids at their place in signal order; never rename or remove.
const SNAPSHOT: &str = include_str!("param_ids.txt");

#[test]
fn parameter_ids_match_the_committed_snapshot() {
    let ids: Vec<&str> = param_table().iter().map(|s| s.id.as_str()).collect();
    let snapshot: Vec<&str> = SNAPSHOT.lines().filter(|l| !l.is_empty()).collect();
    for id in &snapshot {
        assert!(
            ids.contains(id),
            "parameter id '{id}' disappeared: ids are forever"
        );
    }
    assert_eq!(
        ids, snapshot,
        "the parameter list changed: update dsp/tests/param_ids.txt deliberately"
    );
}
