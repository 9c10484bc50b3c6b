//! Lacquer as a standalone app (JACK, ALSA or a dummy backend; `--help` lists the options).

fn main() {
    nice_plug::prelude::nice_export_standalone::<lacquer::Lacquer>();
}
