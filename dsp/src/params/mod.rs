//! The chain's parameters: plain values in physical units ([`ChainParams`]) and the table that
//! describes each one ([`param_table`]) for the plugin, the CLI and presets.
//!
//! The table is the single source of ids, ranges and defaults. A parameter's id is stable
//! forever: saved projects, presets and automation refer to it.

mod spec;
mod table;

pub use spec::{ParamError, ParamKind, ParamSpec, Scale, Unit};
pub use table::{ParamKey, param_table};

/// Every setting of the mastering chain, in physical units. `Default` is the chain's default
/// sound, taken from the parameter table.
#[derive(Debug, Clone, PartialEq)]
pub struct ChainParams {
    /// Gain before everything else, in dB.
    pub input_trim_db: f64,
    /// Whether the 5 Hz DC-offset filter is in.
    pub dc_filter: bool,
    /// Gain after everything else, in dB.
    pub output_trim_db: f64,
}

impl Default for ChainParams {
    fn default() -> Self {
        let mut params = Self::neutral();
        for spec in param_table() {
            params.set(spec.key, spec.default);
        }
        params
    }
}

impl ChainParams {
    /// Reads one parameter as a plain number (choices as their index, toggles as 0 or 1).
    pub fn get(&self, key: ParamKey) -> f64 {
        match key {
            ParamKey::InputTrim => self.input_trim_db,
            ParamKey::DcFilter => f64::from(u8::from(self.dc_filter)),
            ParamKey::OutputTrim => self.output_trim_db,
        }
    }

    /// Sets one parameter from a plain number (choices as their index, toggles as 0 or 1).
    /// Callers clamp with [`ParamSpec::clamp`]; this stores what it is given.
    pub fn set(&mut self, key: ParamKey, value: f64) {
        match key {
            ParamKey::InputTrim => self.input_trim_db = value,
            ParamKey::DcFilter => self.dc_filter = value >= 0.5,
            ParamKey::OutputTrim => self.output_trim_db = value,
        }
    }

    /// Sets a parameter by id from text as a user would type it (`-1.5`, `on`, a choice name).
    pub fn set_from_text(&mut self, id: &str, text: &str) -> Result<(), ParamError> {
        let spec = ParamSpec::find(id)?;
        self.set(spec.key, spec.parse(text)?);
        Ok(())
    }

    /// A neutral chain: every module set so the output equals the input.
    pub fn neutral() -> Self {
        Self {
            input_trim_db: 0.0,
            dc_filter: false,
            output_trim_db: 0.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_entry_round_trips_through_chain_params() {
        let mut params = ChainParams::default();
        for spec in param_table() {
            let value = match spec.kind {
                ParamKind::Float { min, max, .. } => min + (max - min) * 0.37,
                ParamKind::Choice(choices) => (choices.len() - 1) as f64,
                ParamKind::Toggle => 1.0 - spec.default,
            };
            params.set(spec.key, value);
            assert_eq!(params.get(spec.key), value, "{}", spec.id);
        }
    }

    #[test]
    fn defaults_come_from_the_table() {
        let params = ChainParams::default();
        for spec in param_table() {
            assert_eq!(params.get(spec.key), spec.default, "{}", spec.id);
        }
    }

    #[test]
    fn set_from_text_names_the_problem() {
        let mut params = ChainParams::default();
        params.set_from_text("out_trim", "-2.5").unwrap();
        assert_eq!(params.output_trim_db, -2.5);
        params.set_from_text("dc_filter", "off").unwrap();
        assert!(!params.dc_filter);
        assert!(matches!(
            params.set_from_text("nope", "1"),
            Err(ParamError::UnknownId(id)) if id == "nope"
        ));
        assert!(matches!(
            params.set_from_text("out_trim", "loud"),
            Err(ParamError::BadValue { .. })
        ));
        assert!(matches!(
            params.set_from_text("out_trim", "99"),
            Err(ParamError::OutOfRange { .. })
        ));
    }
}
