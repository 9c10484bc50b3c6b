use lacquer_dsp::limiter::{Character, Limiter, LimiterParams};
use lacquer_dsp::{ProcessSpec, Processor};
use lacquer_tests::exact_true_peak::{exact_true_peak_dbtp, exact_true_peak_location};
use lacquer_tests::signals::{programme_material, sinc_pulses};

fn null_db(rate: f64, input: &[Vec<f32>]) -> (f64, f64) {
    let mut lim = Limiter::new(LimiterParams::default());
    lim.prepare(&ProcessSpec::stereo(rate, 512));
    let lat = lim.latency();
    let mut out: Vec<Vec<f32>> = input
        .iter()
        .map(|c| {
            let mut v = c.clone();
            v.extend(std::iter::repeat_n(0.0, lat));
            v
        })
        .collect();
    let (l, r) = out.split_at_mut(1);
    for (a, b) in l[0].chunks_mut(512).zip(r[0].chunks_mut(512)) {
        lim.process(&mut [a, b]);
    }
    let mut worst = 0.0f64;
    for (o, i) in out.iter().zip(input) {
        for (n, &x) in i.iter().enumerate() {
            worst = worst.max((o[n + lat] - x).abs() as f64);
        }
    }
    (20.0 * worst.log10(), lim.readings().max_gain_reduction_db)
}

#[test]
fn nulls() {
    let rate = 48_000.0;
    for level in [-20.0, -3.0, -1.5, -1.1, -1.05] {
        let a = 10f64.powf(level / 20.0);
        let sine: Vec<f32> = (0..48000)
            .map(|n| (a * (2.0 * std::f64::consts::PI * 1000.0 * n as f64 / rate).sin()) as f32)
            .collect();
        let (null, gr) = null_db(rate, &[sine.clone(), sine]);
        eprintln!("1 kHz at {level} dBFS: null {null:.1} dB, GR {gr:.3}");
    }
    let prog = programme_material(rate, 2.0, 3).to_vec();
    let tp = prog
        .iter()
        .map(|c| exact_true_peak_dbtp(c, 32))
        .fold(f64::MIN, f64::max);
    for target in [-10.0, -3.0, -1.5, -1.1] {
        let g = 10f64.powf((target - tp) / 20.0) as f32;
        let p: Vec<Vec<f32>> = prog
            .iter()
            .map(|c| c.iter().map(|x| x * g).collect())
            .collect();
        let (null, gr) = null_db(rate, &p);
        eprintln!("programme at {target} dBTP: null {null:.1} dB, GR {gr:.3}");
    }
}

#[test]
fn sinc() {
    for rate in [44_100.0, 48_000.0] {
        for drive in [0.0, 6.0, 12.0, 24.0] {
            for amp in [1.0, 1.5] {
                for character in [Character::Transparent] {
                    let frames = rate as usize;
                    let x = sinc_pulses(frames, 8, frames / 8, amp);
                    let mut lim = Limiter::new(LimiterParams {
                        drive_db: drive,
                        character,
                        ..LimiterParams::default()
                    });
                    lim.prepare(&ProcessSpec::stereo(rate, 512));
                    let mut l = x.clone();
                    l.extend(std::iter::repeat_n(0.0, lim.latency() + 4096));
                    let mut r = l.clone();
                    for (a, b) in l.chunks_mut(512).zip(r.chunks_mut(512)) {
                        lim.process(&mut [a, b]);
                    }
                    let (at, tp) = exact_true_peak_location(&l, 32);
                    eprintln!(
                        "{rate} drive {drive} amp {amp} {character:?}: {:+.4} dB at {at:.2} (limiter says {:.4}, overs {}) lat {}",
                        tp + 1.0,
                        lim.readings().output_true_peak_dbtp,
                        lim.readings().overs,
                        lim.latency()
                    );
                }
            }
        }
    }
}
