//! The README's EQ accuracy table: worst deviation of the digital bands from their analog
//! prototypes, 10 Hz-20 kHz, over random settings (gains ±18 dB, bells Q 0.1-18, shelves and
//! tilt Q 0.3-2), and how many settings needed a fitted pair of sections.
//!
//! `cargo run --release -p lacquer-dsp --example eq_accuracy [settings per row, default 5000]`

use lacquer_dsp::eq::{BandParams, BandType, ChannelMode};

/// Worst |digital - analog| in dB from 10 Hz to 20 kHz (or Nyquist), where the prototype is
/// above -30 dB; and the number of sections used.
fn worst_deviation_db(band: &BandParams, rate: f64) -> (f64, usize) {
    let (sections, count) = band.digital_sections(rate);
    let mut worst = 0.0f64;
    let mut f = 10.0;
    while f <= 20_000.0f64.min(0.499 * rate) {
        let want = 10.0 * band.analog_power(f).log10();
        if want > -30.0 {
            let got: f64 = sections[..count]
                .iter()
                .map(|c| c.magnitude_db(f, rate))
                .sum();
            let error = (want - got).abs();
            worst = if error.is_nan() {
                f64::INFINITY
            } else {
                worst.max(error)
            };
        }
        f *= 1.01;
    }
    (worst, count)
}

/// A seeded xorshift: the same settings every run.
struct Random(u64);

impl Random {
    fn unit(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn main() {
    let settings: usize = std::env::args()
        .nth(1)
        .map_or(5000, |a| a.parse().expect("settings per row: a number"));
    let types = [
        BandType::Bell,
        BandType::LowShelf,
        BandType::HighShelf,
        BandType::Tilt,
    ];
    println!(
        "rate Hz | bands up to Hz | worst dB (settings that needed a pair): bell, low shelf, high shelf, tilt"
    );
    for (rate, top) in [
        (44_100.0, 20_000.0),
        (44_100.0, 30_000.0),
        (48_000.0, 20_000.0),
        (48_000.0, 30_000.0),
        (96_000.0, 43_000.0),
        (192_000.0, 30_000.0),
    ] {
        let mut row = format!("{rate} | {top}");
        for band_type in types {
            let mut random = Random(12_345);
            let (mut worst, mut pairs) = (0.0f64, 0);
            for _ in 0..settings {
                let freq_hz = 20.0 * (top / 20.0f64).powf(random.unit());
                let gain_db = -18.0 + 36.0 * random.unit();
                let q = if band_type == BandType::Bell {
                    0.1 * 180f64.powf(random.unit())
                } else {
                    0.3 * (2.0f64 / 0.3).powf(random.unit())
                };
                let band = BandParams {
                    enabled: true,
                    band_type,
                    freq_hz,
                    gain_db,
                    q,
                    slope_db_per_oct: 24,
                    mode: ChannelMode::Stereo,
                };
                let (deviation, sections) = worst_deviation_db(&band, rate);
                worst = worst.max(deviation);
                pairs += usize::from(sections == 2);
            }
            row += &format!(" | {worst:.3} ({pairs})");
        }
        println!("{row}");
    }
}
