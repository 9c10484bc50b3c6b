//! The whole chain never allocates once prepared: every module on, the EQ spectra analysed,
//! settings moving every block (phase modes, band counts, crossover types, look-ahead, bypass,
//! latency modes, targets), the platform preview allowed and Learn starting and stopping.

mod common;

use common::alloc::{CountingAllocator, allocations_in};
use lacquer_dsp::params::{ParamKind, param_table};
use lacquer_dsp::{ChainParams, MasterChain, ProcessSpec};

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// Every parameter set to a point of its range picked by `step` (choices and toggles cycle).
fn settings(step: usize) -> Vec<ChainParams> {
    let table = param_table();
    (0..4)
        .map(|phase| {
            let mut params = ChainParams::default();
            for (i, spec) in table.iter().enumerate() {
                let k = step + phase + i;
                let value = match spec.kind {
                    ParamKind::Float { min, max, .. } => min + (max - min) * (k % 5) as f64 / 4.0,
                    ParamKind::Choice(choices) => (k % choices.len()) as f64,
                    ParamKind::Toggle => (k % 2) as f64,
                };
                params.set(spec.key, value);
            }
            params
        })
        .collect()
}

#[test]
fn process_never_allocates_whatever_the_settings_do() {
    for rate in [44_100.0, 192_000.0] {
        let spec = ProcessSpec::stereo(rate, 512);
        let mut chain = MasterChain::default();
        chain.prepare(&spec).unwrap();
        // Built before arming: the settings' own construction allocates.
        let plans: Vec<Vec<ChainParams>> = (0..24).map(settings).collect();
        let mut left = vec![0.0f32; 512];
        let mut right = vec![0.0f32; 512];
        let mut phase = 0.0f32;
        let count = allocations_in(|| {
            chain.set_spectrum_analysis(true);
            chain.set_monitoring(true);
            for (block, params) in plans.iter().flatten().enumerate() {
                chain.set_params(params);
                match block % 13 {
                    0 => chain.start_learning(),
                    9 => chain.stop_learning(),
                    _ => {}
                }
                for (l, r) in left.iter_mut().zip(&mut right) {
                    phase += 0.031;
                    *l = 0.8 * phase.sin();
                    *r = 0.5 * (phase * 1.7).sin();
                }
                let len = [512, 1, 97, 300][block % 4];
                chain.process(&mut [&mut left[..len], &mut right[..len]]);
                let _ = chain.take_fresh_spectra();
                let _ = chain.readings();
                if block % 7 == 0 {
                    chain.reset_meters();
                }
                if block % 11 == 0 {
                    chain.reset();
                }
            }
        });
        assert_eq!(count, 0, "{rate} Hz: {count} allocations in process");
        assert!(left.iter().chain(&right).all(|x| x.is_finite()));
    }
}
