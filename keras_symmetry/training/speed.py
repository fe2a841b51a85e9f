"""The fastest correct compile setting of a training run, per recipe and backend, as measured on a 2-core CPU.

One training step, one core (docs/PERFORMANCE.md has the full table):

| recipe | jax (XLA) | tensorflow, XLA | tensorflow, default | torch, eager |
| --- | ---: | ---: | ---: | ---: |
| psmnist, U(1) GRU(64), batch 128, T=784 | 0.86 s | **0.36 s** | 0.73 s | |
| shapes, Kuramoto N=16, T=30, batch 32, 32x32 | 2.0 s | 0.84 s | **0.54 s** | 0.62 s |
| shapes, the same at 64x64 | 8.6 s | 3.2 s | **2.2 s** | 2.3 s |

Keras' own `jit_compile="auto"` turns XLA on for TensorFlow only with a GPU,
so the recurrent recipes ask for it explicitly; the Kuramoto network's
convolution loop runs faster without it. Every layer trains the same under XLA
(tests/test_layers.py). On torch, `jit_compile=True` is `torch.compile` of the
whole train step; recurrent layers compile their own steps instead when
`KERAS_SYMMETRY_TORCH_COMPILE=1`.
"""

import keras

FASTEST = {
    "psmnist": {"tensorflow": True},
    "shapes": {"tensorflow": False},
}
"""`jit_compile` measured fastest per recipe and backend; anything not listed keeps Keras' `"auto"`."""

CHOICES = {"fastest": None, "auto": "auto", "true": True, "false": False}


def jit_compile(choice, recipe):
    """Keras' `jit_compile` for `choice` (`fastest`, `auto`, `true`, `false`) and `recipe` on the current backend."""
    if choice not in CHOICES:
        raise ValueError(f"jit_compile must be one of {', '.join(CHOICES)}; got {choice!r}.")
    if choice != "fastest":
        return CHOICES[choice]
    return FASTEST.get(recipe, {}).get(keras.backend.backend(), "auto")


def setting(model):
    """The backend and compile setting a compiled `model` trains with: `jax`, `tensorflow+xla`, `torch`, ..."""
    backend = keras.backend.backend()
    return backend + ("+xla" if backend == "tensorflow" and model.jit_compile is True else "")


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
