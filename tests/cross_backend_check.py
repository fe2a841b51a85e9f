"""Run in a subprocess under another backend: load every saved model, compare its outputs.

Usage: KERAS_BACKEND=... python tests/cross_backend_check.py DIR  -> prints JSON {name: max abs diff}
"""

import json
import pathlib
import sys

import keras
import numpy as np

import keras_symmetry  # noqa: F401  (registers the layers)

folder = pathlib.Path(sys.argv[1])
result = {}
for path in sorted(folder.glob("*.keras")):
    data = np.load(path.with_suffix(".npz"))
    model = keras.saving.load_model(path)
    out = keras.ops.convert_to_numpy(model(data["inputs"]))
    result[path.stem] = float(np.max(np.abs(out - data["outputs"])))
print(json.dumps({"backend": keras.backend.backend(), "diffs": result}))
