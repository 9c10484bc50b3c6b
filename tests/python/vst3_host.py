"""Lacquer's VST3 build in a real VST3 host (pedalboard/JUCE).

Usage: vst3_host.py BUNDLE INPUT.f32 RATE OUT_DIR

INPUT.f32 holds planar little-endian float32 stereo audio (left then right). Writes to OUT_DIR:
  report.json    parameters as the host sees them, latency, state facts
  default.f32    the input rendered with default settings
  changed.f32    rendered with Output Trim -6 dB and DC Filter off
  restored.f32   the same through a second instance restored from the first one's state
  mono.f32       the left channel alone through that instance (the mono layout)
It also drives parameter changes and resets between blocks, so a debug build with
assert_process_allocs aborts this process if process() allocates.
"""

import json
import sys
from pathlib import Path

import numpy as np
import pedalboard


def load(bundle):
    plugin = pedalboard.load_plugin(bundle)
    assert plugin.name == "Lacquer", plugin.name
    return plugin


def render(plugin, audio, rate, buffer_size):
    return plugin.process(audio, rate, buffer_size=buffer_size, reset=True).astype("<f4")


def main():
    bundle, input_path, rate, out_dir = sys.argv[1], sys.argv[2], float(sys.argv[3]), Path(sys.argv[4])
    audio = np.fromfile(input_path, dtype="<f4").reshape(2, -1)

    plugin = load(bundle)
    params = [
        {
            "key": key,
            "name": p.name,
            "min": float(p.range[0]) if p.range[0] is not None else None,
            "max": float(p.range[1]) if p.range[1] is not None else None,
            "default_text": p.string_value,
            "units": p.units,
        }
        for key, p in plugin.parameters.items()
    ]
    render(plugin, audio, rate, 512).tofile(out_dir / "default.f32")

    plugin.output_trim_db = -6.0
    plugin.dc_filter = False
    render(plugin, audio, rate, 1024).tofile(out_dir / "changed.f32")
    state = plugin.raw_state

    restored = load(bundle)
    restored.raw_state = state
    restored_values = {"output_trim_db": float(restored.output_trim_db), "dc_filter": bool(restored.dc_filter)}
    render(restored, audio, rate, 64).tofile(out_dir / "restored.f32")
    render(restored, audio[:1], rate, 256).tofile(out_dir / "mono.f32")

    # Parameter changes and resets between blocks, over 7 s so every meter path runs: any
    # allocation in process() aborts here.
    rng = np.random.default_rng(7)
    chunk = audio[:, :1024]
    for step in range(330):
        plugin.input_trim_db = float(rng.uniform(-24, 24))
        plugin.output_trim_db = float(rng.uniform(-24, 24))
        plugin.dc_filter = bool(step % 2)
        out = plugin.process(chunk, rate, buffer_size=int(rng.choice([1, 64, 512, 1024])), reset=step % 97 == 0)
        assert np.all(np.isfinite(out))

    report = {
        "params": params,
        "latency": int(plugin.reported_latency_samples),
        "restored_values": restored_values,
        "state_bytes": len(state),
    }
    (out_dir / "report.json").write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
