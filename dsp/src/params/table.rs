//! The parameter table, in signal order.

use std::sync::OnceLock;

use super::spec::{ParamKind, ParamSpec, Scale, Unit};

/// Names one field of [`ChainParams`](super::ChainParams).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ParamKey {
    InputTrim,
    DcFilter,
    OutputTrim,
}

/// Every parameter of the chain, in signal order. Built once, on first use.
pub fn param_table() -> &'static [ParamSpec] {
    static TABLE: OnceLock<Vec<ParamSpec>> = OnceLock::new();
    TABLE.get_or_init(build)
}

fn float(
    id: &str,
    key: ParamKey,
    group: &str,
    name: &str,
    unit: Unit,
    (min, max, scale): (f64, f64, Scale),
    default: f64,
) -> ParamSpec {
    ParamSpec {
        id: id.to_owned(),
        key,
        group: group.to_owned(),
        name: name.to_owned(),
        unit,
        kind: ParamKind::Float { min, max, scale },
        default,
    }
}

fn toggle(id: &str, key: ParamKey, group: &str, name: &str, default: bool) -> ParamSpec {
    ParamSpec {
        id: id.to_owned(),
        key,
        group: group.to_owned(),
        name: name.to_owned(),
        unit: Unit::None,
        kind: ParamKind::Toggle,
        default: f64::from(u8::from(default)),
    }
}

fn build() -> Vec<ParamSpec> {
    use ParamKey::*;
    const TRIM: (f64, f64, Scale) = (-24.0, 24.0, Scale::Linear);
    vec![
        float(
            "in_trim",
            InputTrim,
            "Input",
            "Input Trim",
            Unit::Db,
            TRIM,
            0.0,
        ),
        toggle("dc_filter", DcFilter, "Input", "DC Filter", true),
        float(
            "out_trim",
            OutputTrim,
            "Output",
            "Output Trim",
            Unit::Db,
            TRIM,
            0.0,
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_and_names_are_unique_and_defaults_in_range() {
        let table = param_table();
        let ids: HashSet<_> = table.iter().map(|s| &s.id).collect();
        let names: HashSet<_> = table.iter().map(|s| &s.name).collect();
        let keys: HashSet<_> = table.iter().map(|s| s.key).collect();
        assert_eq!(ids.len(), table.len());
        assert_eq!(names.len(), table.len());
        assert_eq!(keys.len(), table.len());
        for spec in table {
            assert_eq!(spec.clamp(spec.default), spec.default, "{}", spec.id);
            assert!(spec.id.len() <= 16 && spec.id.is_ascii(), "{}", spec.id);
        }
    }
}
