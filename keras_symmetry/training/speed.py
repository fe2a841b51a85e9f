"""The fastest correct compile setting of a training run, per zoo entry or recipe and backend, as measured on a
2-core CPU.

One training step, one quiet core, seconds (docs/PERFORMANCE.md has every entry,
`benchmarks/zoo_speed.py` measures them):

| entry | jax (XLA) | tensorflow, XLA | tensorflow, default | torch, eager |
| --- | ---: | ---: | ---: | ---: |
| u1-gru-psmnist, U(1) GRU(64), batch 128, T=784 | 0.58 | **0.31** | 0.76 | 1.41 (0.74 compiled steps) |
| o8-rnn-psmnist, O(8) RNN(128), batch 128, T=784 | 2.23 | 4.68 | **1.08** | 1.65 |
| z2-kuramoto-shapes, N=16, T=30, batch 32, 32x32 | 1.94 | 0.83 | **0.54** | 0.65 |
| u1-gru-copy, U(1) GRU(32), batch 128, T=121 | **0.047** | 0.050 | 0.072 | 0.18 (0.095 compiled steps) |

Keras' own `jit_compile="auto"` turns XLA on for TensorFlow only with a GPU,
so the recurrent recipes ask for it explicitly; the Kuramoto network's
convolution loop runs faster without it. Every layer trains the same under XLA
(tests/test_layers.py). On torch, `jit_compile=True` is `torch.compile` of the
whole train step; the recurrent layers' own steps are compiled instead for the
entries in `TORCH_COMPILED_STEPS` (or everywhere with `KERAS_SYMMETRY_TORCH_COMPILE=1`).
"""

import keras

FASTEST = {
    "psmnist": {"tensorflow": True},
    "shapes": {"tensorflow": False},
    "mlp": {"tensorflow": True},
}
"""`jit_compile` measured fastest per recipe and backend. A zoo entry's own measurement, its declaration's
`speed["jit_compile"]`, wins over its recipe's: XLA speeds up the U(1) cores but quadruples the O(k) RNN's
step (`benchmarks/zoo_speed.py` measures both). Anything not listed keeps Keras' `"auto"` (no XLA on a CPU).

A declaration's `speed["torch_compiled_steps"]` marks the entries whose recurrent layers train faster on
torch with their step compiled by `torch.compile` (`ks.performance.settings(torch_compile=True)`), measured
against eager on one quiet core: u1-gru-psmnist 1.92x (0.74 s against 1.42 s a step), u1-gru-copy 1.90x;
not u1-rnn-copy (0.95x: its step is too small to gain). `--jit-compile fastest` turns it on for them
(docs/PERFORMANCE.md)."""

CHOICES = {"fastest": None, "auto": "auto", "true": True, "false": False}


def jit_compile(choice, recipe, entry=None):
    """Keras' `jit_compile` for `choice` (`fastest`, `auto`, `true`, `false`), the zoo `entry` name (or `None`)
    and the `recipe` name, on the current backend."""
    if choice not in CHOICES:
        raise ValueError(f"jit_compile must be one of {', '.join(CHOICES)}; got {choice!r}.")
    if choice != "fastest":
        return CHOICES[choice]
    backend = keras.backend.backend()
    for measured in (_speed(entry).get("jit_compile", {}), FASTEST.get(recipe, {})):
        if backend in measured:
            return measured[backend]
    return "auto"


def compiled_steps(choice, entry=None, smoke=False):
    """Whether a run of the zoo `entry` name (or `None`) with `--jit-compile choice` compiles its layers' steps
    (torch, `fastest` only; never for a smoke run, whose few steps would not pay for the compilation)."""
    measured = _speed(entry).get("torch_compiled_steps", False)
    return choice == "fastest" and not smoke and keras.backend.backend() == "torch" and measured


def _speed(entry):
    """The `speed` measurements declared for zoo entry `entry` (a name or `None`)."""
    from keras_symmetry import zoo

    return zoo.get(entry).speed if entry else {}


def setting(model):
    """The backend, compile setting and accelerator a compiled `model` trains with: `jax`, `tensorflow+xla`,
    `torch+compiled steps`, `jax on NVIDIA H200`, ..."""
    from keras_symmetry import performance
    from keras_symmetry.layers import recurrent

    backend = keras.backend.backend()
    if backend == "tensorflow" and model.jit_compile is True:
        name = "tensorflow+xla"
    elif backend == "torch" and model.jit_compile is True:
        name = "torch+compile"
    elif performance.torch_compile() and any(isinstance(layer, recurrent.CapsuleRNN) for layer in _layers(model)):
        name = "torch+compiled steps"
    else:
        name = backend
    gpu = accelerator()
    return f"{name} on {gpu}" if gpu else name


def accelerator():
    """The name of the GPU the current backend computes on (`NVIDIA H200`), or None on a CPU."""
    backend = keras.backend.backend()
    if backend == "jax":
        import jax

        device = jax.devices()[0]
        return None if device.platform == "cpu" else device.device_kind
    if backend == "tensorflow":
        import tensorflow as tf

        gpus = tf.config.list_physical_devices("GPU")
        return tf.config.experimental.get_device_details(gpus[0]).get("device_name", "a GPU") if gpus else None
    if backend == "torch":
        import torch

        return torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
    return None


def _layers(model):
    """Every layer of `model`, nested models' included."""
    for layer in model.layers:
        yield layer
        if isinstance(layer, keras.Model):
            yield from _layers(layer)


def describe(history):
    """Which setting trained which epochs of a run's `history`: `tensorflow+xla (epochs 4-40)`, ..."""
    spans = []
    for row in history:
        name = row.get("setting", "an unrecorded setting")
        if spans and spans[-1][0] == name:
            spans[-1][2] = row["epoch"]
        else:
            spans.append([name, row["epoch"], row["epoch"]])
    if len(spans) == 1 and "setting" in history[0]:
        return spans[0][0]
    return ", ".join(f"{name} (epoch{'s' * (a != b)} {a}{f'-{b}' * (a != b)})" for name, a, b in spans)
