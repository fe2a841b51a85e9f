"""get_config / from_config and .keras round trips; the same weights on jax, tensorflow and torch."""

import json
import os
import pathlib
import subprocess
import sys

import keras
import numpy as np
import pytest
import small_models
from conftest import to_numpy

import keras_symmetry as ks

LAYERS = {
    "RadialActivation": lambda: ks.layers.RadialActivation(4, activation="sigmoid", epsilon=1e-6),
    "U1Dense": lambda: ks.layers.U1Dense(3, use_bias=True, kernel_initializer=ks.initializers.SigmaW(2.0)),
    "OkDense": lambda: ks.layers.OkDense(3, 4, kernel_regularizer="l2"),
    "U1SimpleRNN": lambda: ks.layers.U1SimpleRNN(
        3, blank_channel=1, recurrent_initializer="standard", return_sequences=True
    ),
    "U1GRU": lambda: ks.layers.U1GRU(3, update_bias=1.5, gate_initializer="glorot_uniform", return_state=True),
    "OkSimpleRNN": lambda: ks.layers.OkSimpleRNN(2, 4, activation="softsign", go_backwards=True),
    "U1ConvRNN2D": lambda: ks.layers.U1ConvRNN2D(2, (3, 4), kernel_size=3, padding_mode="circular", use_bias=True),
    "KuramotoConv2D": lambda: ks.layers.KuramotoConv2D(
        kernel_size=3, steps=4, gamma=0.1, eta0=0.0, seed=3, symmetry_breaking=True
    ),
    "U1SimpleRNNCell": lambda: ks.layers.U1SimpleRNNCell(3),
    "U1GRUCell": lambda: ks.layers.U1GRUCell(3, reset_bias=0.5),
    "OkSimpleRNNCell": lambda: ks.layers.OkSimpleRNNCell(3, 5),
    "U1ConvRNN2DCell": lambda: ks.layers.U1ConvRNN2DCell(2, (3, 3)),
}
INPUT_SHAPES = {"KuramotoConv2D": (2, 6, 6, 4), "RadialActivation": (2, 8), "U1Dense": (2, 8), "OkDense": (2, 8)}


def _outputs(layer, x):
    out = layer(x)
    return [to_numpy(o) for o in (out if isinstance(out, (list, tuple)) else [out])]


@pytest.mark.parametrize("name", list(LAYERS))
def test_get_config_round_trip(name, rng):
    layer = LAYERS[name]()
    config = layer.get_config()
    clone = type(layer).from_config(config)
    assert clone.get_config() == config
    restored = keras.layers.deserialize(json.loads(json.dumps(keras.layers.serialize(layer))))
    assert type(restored) is type(layer) and restored.get_config() == config
    if name.endswith("Cell"):
        return
    x = rng.normal(size=INPUT_SHAPES.get(name, (2, 5, 4))).astype("float32")
    expected = _outputs(layer, x)
    clone.build(x.shape)
    clone.set_weights(layer.get_weights())
    for a, b in zip(_outputs(clone, x), expected):
        np.testing.assert_allclose(a, b, atol=1e-6)


@pytest.mark.parametrize("name", list(small_models.build()))
def test_keras_file_round_trip(name, tmp_path):
    model, x = small_models.build()[name]
    path = tmp_path / f"{name}.keras"
    model.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    np.testing.assert_allclose(to_numpy(loaded(x)), to_numpy(model(x)), atol=1e-6)
    assert [type(layer) for layer in loaded.layers] == [type(layer) for layer in model.layers]


CYCLE = ("jax", "tensorflow", "torch")


def run_under_the_next_backend(folder):
    """Run `cross_backend_check.py` on `folder` under the backend after this one in the cycle jax -> tensorflow ->
    torch -> jax: `{backend: diffs}`. Over the suite's three passes every backend saves once and loads once, and
    the same outputs along the cycle are the same outputs on all three."""
    here = keras.backend.backend()
    other = CYCLE[(CYCLE.index(here) + 1) % len(CYCLE)]
    script = pathlib.Path(__file__).with_name("cross_backend_check.py")
    env = {**os.environ, "KERAS_BACKEND": other}
    proc = subprocess.run(
        [sys.executable, str(script), str(folder)], env=env, capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["backend"] == other
    return {other: report["diffs"]}


def test_same_weights_same_outputs_on_every_backend(tmp_path):
    """Save under this backend; load under the next one (a subprocess); max abs difference <= 1e-5."""
    for name, (model, x) in small_models.build().items():
        model.save(tmp_path / f"{name}.keras")
        np.savez(tmp_path / f"{name}.npz", inputs=x, outputs=to_numpy(model(x)))
    for other, diffs in run_under_the_next_backend(tmp_path).items():
        assert set(diffs) == set(small_models.build())
        assert max(diffs.values()) <= 1e-5, f"{keras.backend.backend()} -> {other}: {diffs}"
