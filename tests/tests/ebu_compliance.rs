//! EBU R128 compliance: the Tech 3341 (loudness meters) and Tech 3342 (loudness range) test
//! signals, synthesized from their published definitions, at 44.1 and 48 kHz.
//!
//! Our bar is tighter than the standards': loudness within ±0.05 LU (Tech 3341 allows ±0.1),
//! loudness range within ±0.5 LU (Tech 3342 allows ±1), true peak within ±0.1 dB (Tech 3341
//! allows +0.2/-0.4) and, beyond that, within 0.02 dB of an exact FFT reconstruction.

use lacquer_tests::ebu::{self, Part::*, measure, timeline, tone_programme};
use lacquer_tests::exact_true_peak::exact_true_peak_dbtp;

const RATES: [f64; 2] = [44_100.0, 48_000.0];
const LOUDNESS_TOLERANCE: f64 = 0.05;

#[track_caller]
fn assert_near(value: f64, expected: f64, tolerance: f64, what: &str) {
    assert!(
        (value - expected).abs() <= tolerance,
        "{what}: {value:.4}, expected {expected:.3} ±{tolerance}"
    );
}

#[test]
fn tech_3341_cases_1_and_2_steady_tones_read_their_level_on_m_s_and_i() {
    for rate in RATES {
        for (case, level) in [(1, -23.0), (2, -33.0)] {
            let signal = tone_programme(
                rate,
                &[Tone {
                    dbfs: level,
                    seconds: 20.0,
                }],
            );
            for (t, r) in timeline(rate, &signal) {
                if t >= 1.0 {
                    assert_near(
                        r.loudness.momentary_lufs,
                        level,
                        LOUDNESS_TOLERANCE,
                        &format!("case {case} M at {t:.2} s, {rate} Hz"),
                    );
                }
                if t >= 3.0 {
                    assert_near(
                        r.loudness.short_term_lufs,
                        level,
                        LOUDNESS_TOLERANCE,
                        &format!("case {case} S at {t:.2} s"),
                    );
                }
            }
            let integrated = measure(rate, &signal).loudness.integrated_lufs.unwrap();
            assert_near(
                integrated,
                level,
                LOUDNESS_TOLERANCE,
                &format!("case {case} I, {rate} Hz"),
            );
        }
    }
}

#[test]
fn tech_3341_cases_3_to_5_gate_quiet_and_silent_parts_out_of_integrated_loudness() {
    /// (dBFS, seconds) per tone.
    type Tones = &'static [(f64, f64)];
    let cases: [(u32, Tones, f64); 3] = [
        (3, &[(-36.0, 10.0), (-23.0, 60.0), (-36.0, 10.0)], -23.0),
        (
            4,
            &[
                (-72.0, 10.0),
                (-36.0, 10.0),
                (-23.0, 60.0),
                (-36.0, 10.0),
                (-72.0, 10.0),
            ],
            -23.0,
        ),
        // The energy mean of 20 s at -26, 20.1 s at -20 and 20 s at -26 is -22.996.
        (5, &[(-26.0, 20.0), (-20.0, 20.1), (-26.0, 20.0)], -22.996),
    ];
    for rate in RATES {
        for &(case, tones, expected) in &cases {
            let parts: Vec<_> = tones
                .iter()
                .map(|&(dbfs, seconds)| Tone { dbfs, seconds })
                .collect();
            let integrated = measure(rate, &tone_programme(rate, &parts))
                .loudness
                .integrated_lufs
                .unwrap();
            assert_near(
                integrated,
                expected,
                LOUDNESS_TOLERANCE,
                &format!("case {case} I, {rate} Hz"),
            );
        }
    }
}

#[test]
fn tech_3341_case_9_short_term_is_constant_after_3_s() {
    for rate in RATES {
        let signal = tone_programme(rate, &ebu::case_9());
        for (t, r) in timeline(rate, &signal)
            .into_iter()
            .filter(|(t, _)| *t >= 3.0)
        {
            assert_near(
                r.loudness.short_term_lufs,
                -22.993,
                LOUDNESS_TOLERANCE,
                &format!("S at {t:.2} s, {rate} Hz"),
            );
        }
    }
}

#[test]
fn tech_3341_case_10_max_short_term_catches_3_s_tones_at_any_offset() {
    for rate in RATES {
        for i in 0..20 {
            let readings = measure(rate, &tone_programme(rate, &ebu::case_10(i)));
            assert_near(
                readings.loudness.short_term_max_lufs,
                -23.0,
                LOUDNESS_TOLERANCE,
                &format!("case 10-{} max S, {rate} Hz", i + 1),
            );
        }
    }
}

#[test]
fn tech_3341_case_11_live_max_short_term_steps_up_one_lu_per_segment() {
    for rate in RATES {
        let signal = tone_programme(rate, &ebu::case_11());
        let readings = timeline(rate, &signal);
        for i in 0..20 {
            let end = (i + 1) as f64 * 6.0;
            let (_, at_end) = readings.iter().find(|(t, _)| *t >= end - 1e-9).unwrap();
            assert_near(
                at_end.loudness.short_term_max_lufs,
                -38.0 + i as f64,
                LOUDNESS_TOLERANCE,
                &format!("max S after segment {i}, {rate} Hz"),
            );
        }
    }
}

#[test]
fn tech_3341_case_12_momentary_is_constant_after_1_s() {
    for rate in RATES {
        let signal = tone_programme(rate, &ebu::case_12());
        for (t, r) in timeline(rate, &signal)
            .into_iter()
            .filter(|(t, _)| *t >= 1.0)
        {
            assert_near(
                r.loudness.momentary_lufs,
                -22.967,
                LOUDNESS_TOLERANCE,
                &format!("M at {t:.2} s, {rate} Hz"),
            );
        }
    }
}

#[test]
fn tech_3341_case_13_max_momentary_catches_400_ms_tones_at_any_offset() {
    for rate in RATES {
        for i in 0..20 {
            let readings = measure(rate, &tone_programme(rate, &ebu::case_13(i)));
            assert_near(
                readings.loudness.momentary_max_lufs,
                -23.0,
                LOUDNESS_TOLERANCE,
                &format!("case 13-{} max M, {rate} Hz", i + 1),
            );
        }
    }
}

#[test]
fn tech_3341_case_14_live_max_momentary_steps_up_one_lu_per_segment() {
    for rate in RATES {
        let signal = tone_programme(rate, &ebu::case_14());
        let readings = timeline(rate, &signal);
        for i in 0..20 {
            let end = (i + 1) as f64 * 0.8;
            let (_, at_end) = readings.iter().find(|(t, _)| *t >= end - 1e-9).unwrap();
            assert_near(
                at_end.loudness.momentary_max_lufs,
                -38.0 + i as f64,
                LOUDNESS_TOLERANCE,
                &format!("max M after segment {i}, {rate} Hz"),
            );
        }
    }
}

#[test]
fn tech_3341_cases_15_to_19_true_peak_of_sines_between_samples() {
    // (case, divisor of fs, amplitude, phase in degrees, expected dBTP)
    let cases = [
        (15, 4.0, 0.5, 0.0, -6.0),
        (16, 4.0, 0.5, 45.0, -6.0),
        (17, 6.0, 0.5, 60.0, -6.0),
        (18, 8.0, 0.5, 67.5, -6.0),
        (19, 4.0, 1.41, 45.0, 3.0),
    ];
    for rate in RATES {
        for (case, divisor, amplitude, phase, expected) in cases {
            let signal = ebu::true_peak_sine(rate, divisor, amplitude, phase);
            let read = measure(rate, &signal).true_peak_max_dbtp();
            assert_near(read, expected, 0.1, &format!("case {case} TP, {rate} Hz"));
            let exact = exact_true_peak_dbtp(&signal[0], 32);
            assert_near(
                read,
                exact,
                0.02,
                &format!("case {case} TP vs exact reconstruction, {rate} Hz"),
            );
        }
    }
}

#[test]
fn tech_3341_cases_20_to_23_true_peak_of_a_burst_at_every_decimation_offset() {
    for rate in RATES {
        for (offset, signal) in ebu::true_peak_bursts(rate).iter().enumerate() {
            let case = 20 + offset;
            let exact = exact_true_peak_dbtp(&signal[0], 32);
            assert!(
                (-0.4..=0.2).contains(&exact),
                "case {case}: synthesized burst peaks at {exact:.3} dBTP"
            );
            let read = measure(rate, signal).true_peak_max_dbtp();
            assert_near(read, 0.0, 0.2, &format!("case {case} TP, {rate} Hz"));
            assert_near(
                read,
                exact,
                0.02,
                &format!("case {case} TP vs exact reconstruction, {rate} Hz"),
            );
        }
    }
}

#[test]
fn tech_3342_cases_1_to_4_loudness_range_of_tone_steps() {
    let cases: [(u32, &[f64], f64); 4] = [
        (1, &[-20.0, -30.0], 10.0),
        (2, &[-20.0, -15.0], 5.0),
        (3, &[-40.0, -20.0], 20.0),
        // The -50 dBFS parts fall below the -20 LU relative gate.
        (4, &[-50.0, -35.0, -20.0, -35.0, -50.0], 15.0),
    ];
    for rate in RATES {
        for (case, levels, expected) in cases {
            let readings = measure(rate, &tone_programme(rate, &ebu::range_case(levels)));
            let range = readings.loudness.loudness_range_lu.unwrap();
            assert_near(
                range,
                expected,
                0.5,
                &format!("Tech 3342 case {case} LRA, {rate} Hz"),
            );
        }
    }
}
