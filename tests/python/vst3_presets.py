"""Factory presets through Lacquer's VST3 build in pedalboard.

Usage: vst3_presets.py BUNDLE INPUT.f32 RATE OUT_DIR PRESETS.json

PRESETS.json lists presets as {"name": ..., "values": [{"param": NAME, "text": TEXT}, ...]}:
each parameter the preset moves, by its display name and its value as text. For each preset
(index i) a fresh instance takes the values through the host's text-to-value conversion, runs
a short warm-up so they arrive, then renders INPUT from a reset: OUT_DIR/preset-i.f32 (planar
float32, latency-compensated by the host) and OUT_DIR/presets.json (latency per preset).
"""

import json
import sys
from pathlib import Path

import numpy as np
import pedalboard


def main():
    bundle, input_path, rate, out_dir, presets_path = sys.argv[1:6]
    rate, out_dir = float(rate), Path(out_dir)
    audio = np.fromfile(input_path, dtype="<f4").reshape(2, -1)
    presets = json.loads(Path(presets_path).read_text())
    latencies = []
    for i, preset in enumerate(presets):
        plugin = pedalboard.load_plugin(bundle)
        by_name = {p.name: p for p in plugin.parameters.values()}
        for value in preset["values"]:
            parameter = by_name[value["param"]]
            parameter.raw_value = parameter.get_raw_value_for_text(value["text"])
        plugin.process(audio[:, :4096], rate, buffer_size=512, reset=True)
        out = plugin.process(audio, rate, buffer_size=256, reset=True).astype("<f4")
        out.tofile(out_dir / f"preset-{i}.f32")
        latencies.append(int(plugin.reported_latency_samples))
    (out_dir / "presets.json").write_text(json.dumps({"latencies": latencies}))


if __name__ == "__main__":
    main()
