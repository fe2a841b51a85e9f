"""Run in a subprocess under another backend: load every saved model or preset, compare its outputs.

Usage: KERAS_BACKEND=... python tests/cross_backend_check.py DIR  -> prints JSON {name: max abs diff}
`DIR/NAME.keras` files are loaded with `keras.saving.load_model`, `DIR/NAME/` preset folders with
`ks.load`; `DIR/NAME.npz` holds the `inputs` and the expected `outputs`.
"""

import json
import pathlib
import sys

import keras
import numpy as np

import keras_symmetry as ks

folder = pathlib.Path(sys.argv[1])
result = {}
for data_path in sorted(folder.glob("*.npz")):
    data = np.load(data_path)
    target = data_path.with_suffix("")
    model = ks.load(target) if target.is_dir() else keras.saving.load_model(data_path.with_suffix(".keras"))
    out = keras.ops.convert_to_numpy(model(data["inputs"]))
    result[target.name] = float(np.max(np.abs(out - data["outputs"])))
print(json.dumps({"backend": keras.backend.backend(), "diffs": result}))
